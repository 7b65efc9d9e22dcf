// Package amortization computes loan amortization schedules (French,
// German and flat methods) for weekly, catorcenal, quincenal and monthly
// payments, with IVA on interest, an optional balloon, an opening
// commission and the CAT (Costo Anual Total), to the cent.
//
// It is pure computation: no I/O, no global state, no floats for money.
// Amounts are shopspring/decimal values in MXN; rates are fractions
// (0.36 = 36 %). Functions are safe for concurrent use.
//
//	s, err := amortization.New(amortization.Inputs{
//		Principal:  decimal.RequireFromString("250000"),
//		AnnualRate: decimal.RequireFromString("0.36"),
//		Periods:    156,
//		Frequency:  amortization.Weekly,
//		Method:     amortization.French,
//		IVARate:    decimal.RequireFromString("0.16"),
//		Commission: decimal.RequireFromString("0.02"),
//		Start:      time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
//	})
//
// # Conventions
//
// These are the rules finance validates the tables against.
//
//   - Periods per year: Weekly 52, Catorcenal 26, Quincenal 24, Monthly 12.
//     The periodic rate is AnnualRate / periods per year and is never
//     rounded: all arithmetic is on exact integers (cents and the rate's
//     decimal digits), so nothing is cut to 16 digits.
//   - Rounding: every amount in every row is rounded half-up to cents (an
//     exact half cent rounds up, away from zero).
//   - Interest of a row = opening balance × AnnualRate / periods per year,
//     the division done last on the exact product, then rounded. Flat
//     charges the same amount every row: the original principal ×
//     AnnualRate / periods per year, rounded.
//   - IVA of a row = that row's (rounded) interest × IVARate, rounded.
//   - Principal repaid: French pays principal = level payment − interest,
//     where the level payment (principal + interest, before IVA) comes from
//     the exact annuity formula with the balloon discounted,
//     A = (P·(1+r)^n − B)·r / ((1+r)^n − 1), evaluated once in exact
//     rational arithmetic and rounded to cents (for r = 0, A = (P − B)/n).
//     German and Flat repay (P − B)/n rounded to cents each row.
//   - The last row absorbs every rounding residual: its principal is the
//     whole remaining balance less the balloon, so the closing balance is
//     exactly 0, or exactly the balloon. The balloon itself is not a row.
//   - Rows never increase the balance or take it below the balloon: in the
//     edge cases where rounding would (a French principal part under one
//     cent, or a German/Flat principal of a tiny loan repaid before the
//     last row), the row's principal is clamped to that range.
//   - Row payment = principal + interest + IVA. Schedule.Payment is the
//     first period's payment with IVA (French: level payment + first IVA).
//   - Totals are column sums; Totals.Principal = Principal − Balloon.
//   - The opening commission = Principal × Commission, rounded to cents,
//     charged at disbursement; it does not appear in the rows.
//
// # Due dates
//
// Due dates are calendar dates (UTC midnight); only Start's date counts.
// Weekly and Catorcenal add 7 and 14 days per period. Quincenal dates fall
// on the 15th and on the last day of each month; the first is the first of
// those strictly after Start. Monthly keeps Start's day of month, clamped
// to the month's last day, each date computed from Start (31 Jan → 28 or
// 29 Feb → 31 Mar). See DueDate.
//
// # CAT
//
// The CAT follows Banco de México's methodology: the annual rate i with
//
//	Principal − commission = Σₖ (principalₖ + interestₖ)/(1+i)^(k/ppy) + Balloon/(1+i)^(n/ppy)
//
// — payments without IVA, time in years as period number / periods per
// year. It is reported in percent rounded half-up to one decimal (45.3);
// with no cost at all (the payments equal the disbursement) it is 0.0.
// The solver works on v = (1+i)^(−1/ppy), where the present value is an
// increasing polynomial: it brackets the root and runs Newton's method
// with a bisection fallback in float64, then proves the rounding by
// checking the sign of the present value at both rounding boundaries
// (±0.05 %): in float64 when the value clears a rigorous error bound,
// otherwise in 256-bit arithmetic, where an exact tie rounds up. Rates
// from 0 % to tens of thousands of percent are handled.
//
// # Limits
//
// Inputs.Validate rejects, with an *InputError listing every *FieldError
// (errors.Is(err, ErrInvalidInput)): a principal that is not positive, not
// in whole cents or above MaxPrincipalCents; a negative rate, one above
// MaxAnnualRatePercent or with more than MaxRateDecimals decimals; periods
// outside 1..MaxPeriods; an unknown frequency or method; an IVA rate
// outside 0..1; a balloon that is negative, not in cents or not below the
// principal; a commission outside [0, 1) or one that, rounded, leaves
// nothing to disburse; a missing start date. New also rejects inputs whose
// CAT would exceed MaxCATPercent (field "cat").
//
// # Output
//
// Schedule marshals to JSON as {"payment","cat","totals","rows"} with
// money as two-decimal strings and dates as YYYY-MM-DD; WriteCSV and
// WriteTable write CSV and a plain-text table. Package
// amortization/xlsx writes an Excel workbook.
package amortization
