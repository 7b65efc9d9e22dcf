package amortization

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Frequency is how often the borrower pays. Its string value is the name
// used on the wire and on the command line.
type Frequency string

// The supported payment frequencies.
const (
	// Weekly payments fall every 7 days: 52 periods per year.
	Weekly Frequency = "weekly"
	// Catorcenal payments fall every 14 days: 26 periods per year.
	Catorcenal Frequency = "catorcenal"
	// Quincenal payments fall on the 15th and on the last day of each
	// month: 24 periods per year.
	Quincenal Frequency = "quincenal"
	// Monthly payments keep the start day, clamped to the month's end:
	// 12 periods per year.
	Monthly Frequency = "monthly"
)

// PeriodsPerYear returns 52, 26, 24 or 12, or 0 for an unknown frequency.
func (f Frequency) PeriodsPerYear() int {
	switch f {
	case Weekly:
		return 52
	case Catorcenal:
		return 26
	case Quincenal:
		return 24
	case Monthly:
		return 12
	}
	return 0
}

// Valid reports whether f is one of the supported frequencies.
func (f Frequency) Valid() bool { return f.PeriodsPerYear() != 0 }

// ParseFrequency returns the Frequency named s (weekly, catorcenal,
// quincenal or monthly; case and surrounding spaces are ignored).
func ParseFrequency(s string) (Frequency, error) {
	f := Frequency(strings.ToLower(strings.TrimSpace(s)))
	if !f.Valid() {
		return "", &FieldError{Field: "frequency", Message: fmt.Sprintf("unknown frequency %q (want weekly, catorcenal, quincenal or monthly)", s)}
	}
	return f, nil
}

// Method is the amortization method.
type Method string

// The supported amortization methods.
const (
	// French is the level-payment method: principal + interest is the same
	// every period (the last row absorbs rounding).
	French Method = "french"
	// German repays a constant principal each period; interest falls with
	// the balance.
	German Method = "german"
	// Flat repays a constant principal each period and charges interest on
	// the original principal every period.
	Flat Method = "flat"
)

// Valid reports whether m is one of the supported methods.
func (m Method) Valid() bool { return m == French || m == German || m == Flat }

// ParseMethod returns the Method named s (french, german or flat; case and
// surrounding spaces are ignored).
func ParseMethod(s string) (Method, error) {
	m := Method(strings.ToLower(strings.TrimSpace(s)))
	if !m.Valid() {
		return "", &FieldError{Field: "method", Message: fmt.Sprintf("unknown method %q (want french, german or flat)", s)}
	}
	return m, nil
}

// Limits enforced by Inputs.Validate. They keep every intermediate amount
// exact in 64-bit cents and 128-bit products.
const (
	// MaxPeriods is the largest number of periods accepted.
	MaxPeriods = 1200
	// MaxRateDecimals is the largest number of significant decimal places
	// accepted in a rate (trailing zeros do not count).
	MaxRateDecimals = 15
)

// MaxPrincipalCents is the largest principal accepted, in cents:
// 1,000,000,000,000.00 MXN.
const MaxPrincipalCents = 100_000_000_000_000

// MaxAnnualRatePercent is the largest annual nominal rate accepted, in
// percent (an AnnualRate of 10).
const MaxAnnualRatePercent = 1000

// Inputs describes a loan. Rates are fractions (0.36 = 36 %); amounts are
// MXN in whole cents.
type Inputs struct {
	// Principal is the amount financed, in MXN (> 0, whole cents).
	Principal decimal.Decimal
	// AnnualRate is the annual nominal rate as a fraction (0.36 = 36 %),
	// 0 to MaxAnnualRate. The periodic rate is AnnualRate / PeriodsPerYear,
	// kept exact.
	AnnualRate decimal.Decimal
	// Periods is the number of payments (1 to MaxPeriods).
	Periods int
	// Frequency sets the periods per year and the due dates.
	Frequency Frequency
	// Method is French, German or Flat.
	Method Method
	// IVARate is the value-added tax on interest as a fraction (0.16), 0 to 1.
	IVARate decimal.Decimal
	// Balloon is the residual left owing after the last period (0 to less
	// than Principal, whole cents). It is not part of any row.
	Balloon decimal.Decimal
	// Commission is the opening commission as a fraction of Principal
	// (0.02 = 2 %), 0 to less than 1, charged at disbursement. It does not
	// change the rows; it lowers the disbursement used by the CAT.
	Commission decimal.Decimal
	// Start is the disbursement date. Only its calendar date (in its own
	// location) is used; due dates are calendar dates.
	Start time.Time
}

// ErrInvalidInput is matched (errors.Is) by every validation error.
var ErrInvalidInput = errors.New("amortization: invalid input")

// FieldError is one invalid field of Inputs. Field is the wire name
// (principal, annual_rate, periods, frequency, method, iva_rate, balloon,
// commission, start).
type FieldError struct {
	Field   string
	Message string
}

// Error implements error.
func (e *FieldError) Error() string { return "amortization: " + e.Field + ": " + e.Message }

// Is makes errors.Is(err, ErrInvalidInput) true.
func (e *FieldError) Is(target error) bool { return target == ErrInvalidInput }

// InputError lists every invalid field of an Inputs, in field order.
type InputError struct {
	Fields []*FieldError
}

// Error implements error.
func (e *InputError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "amortization: invalid input: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrInvalidInput) true.
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

// Unwrap returns the field errors, so errors.As finds a *FieldError.
func (e *InputError) Unwrap() []error {
	errs := make([]error, len(e.Fields))
	for i, f := range e.Fields {
		errs[i] = f
	}
	return errs
}

// Validate checks every field and returns nil or an *InputError listing
// all the problems.
func (in Inputs) Validate() error {
	_, err := in.prepare()
	return err
}

// ratio is an exact non-negative rational num/den with den a power of ten.
type ratio struct{ num, den uint64 }

// prepared holds Inputs converted to exact integers.
type prepared struct {
	principal  int64 // cents
	balloon    int64 // cents
	commission int64 // cents
	rate       ratio // annual
	iva        ratio
	ppy        uint64
	start      time.Time // UTC midnight of the start date
}

// pow10 is a constant table, never mutated.
var pow10 = [...]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// toRatio converts a non-negative decimal of at most maxDec significant
// decimals and value below 2^63/10^maxDec to an exact ratio.
func toRatio(d decimal.Decimal, maxDec int) (ratio, bool) {
	c := d.Coefficient()
	e := d.Exponent()
	if c.Sign() < 0 {
		return ratio{}, false
	}
	if c.Sign() == 0 {
		return ratio{0, 1}, true
	}
	ten := big.NewInt(10)
	q, r := new(big.Int), new(big.Int)
	for e < 0 {
		q.QuoRem(c, ten, r)
		if r.Sign() != 0 {
			break
		}
		c, q = q, c
		e++
	}
	if e > 0 {
		if e > 18 {
			return ratio{}, false
		}
		c = new(big.Int).Mul(c, new(big.Int).SetUint64(pow10[e]))
		e = 0
	}
	if int(-e) > maxDec || !c.IsUint64() || c.Uint64() > 1<<62 {
		return ratio{}, false
	}
	return ratio{num: c.Uint64(), den: pow10[-e]}, true
}

// toCents converts a decimal in whole cents to int64 cents.
func toCents(d decimal.Decimal) (int64, bool) {
	c := d.Shift(2)
	if !c.IsInteger() {
		return 0, false
	}
	b := c.BigInt()
	if !b.IsInt64() {
		return 0, false
	}
	return b.Int64(), true
}

func (in Inputs) prepare() (prepared, error) {
	var p prepared
	var errs []*FieldError
	bad := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}

	switch {
	case in.Principal.Sign() <= 0:
		bad("principal", "must be positive, got %s", in.Principal.String())
	case in.Principal.GreaterThan(decimal.New(MaxPrincipalCents, -2)):
		bad("principal", "must not exceed %s, got %s", decimal.New(MaxPrincipalCents, -2).StringFixed(2), in.Principal.String())
	default:
		c, ok := toCents(in.Principal)
		if !ok {
			bad("principal", "must be in whole cents, got %s", in.Principal.String())
		}
		p.principal = c
	}

	switch {
	case in.AnnualRate.Sign() < 0:
		bad("annual_rate", "must not be negative, got %s", in.AnnualRate.String())
	case in.AnnualRate.GreaterThan(decimal.New(MaxAnnualRatePercent, -2)):
		bad("annual_rate", "must not exceed %s (a fraction: 0.36 = 36%%), got %s", decimal.New(MaxAnnualRatePercent, -2).String(), in.AnnualRate.String())
	default:
		r, ok := toRatio(in.AnnualRate, MaxRateDecimals)
		if !ok {
			bad("annual_rate", "must have at most %d decimal places, got %s", MaxRateDecimals, in.AnnualRate.String())
		}
		p.rate = r
	}

	switch {
	case in.Periods <= 0:
		bad("periods", "must be at least 1, got %d", in.Periods)
	case in.Periods > MaxPeriods:
		bad("periods", "must not exceed %d, got %d", MaxPeriods, in.Periods)
	}

	if !in.Frequency.Valid() {
		bad("frequency", "unknown frequency %q (want weekly, catorcenal, quincenal or monthly)", string(in.Frequency))
	}
	p.ppy = uint64(in.Frequency.PeriodsPerYear())

	if !in.Method.Valid() {
		bad("method", "unknown method %q (want french, german or flat)", string(in.Method))
	}

	switch {
	case in.IVARate.Sign() < 0:
		bad("iva_rate", "must not be negative, got %s", in.IVARate.String())
	case in.IVARate.GreaterThan(decimal.New(1, 0)):
		bad("iva_rate", "must not exceed 1 (a fraction: 0.16 = 16%%), got %s", in.IVARate.String())
	default:
		r, ok := toRatio(in.IVARate, MaxRateDecimals)
		if !ok {
			bad("iva_rate", "must have at most %d decimal places, got %s", MaxRateDecimals, in.IVARate.String())
		}
		p.iva = r
	}

	switch {
	case in.Balloon.Sign() < 0:
		bad("balloon", "must not be negative, got %s", in.Balloon.String())
	case in.Principal.Sign() > 0 && in.Balloon.GreaterThanOrEqual(in.Principal):
		bad("balloon", "must be less than the principal %s, got %s", in.Principal.String(), in.Balloon.String())
	case in.Principal.Sign() <= 0 && in.Balloon.Sign() > 0:
		bad("balloon", "must be less than the principal, got %s", in.Balloon.String())
	default:
		c, ok := toCents(in.Balloon)
		if !ok {
			bad("balloon", "must be in whole cents, got %s", in.Balloon.String())
		}
		p.balloon = c
	}

	var commission ratio
	switch {
	case in.Commission.Sign() < 0:
		bad("commission", "must not be negative, got %s", in.Commission.String())
	case in.Commission.GreaterThanOrEqual(decimal.New(1, 0)):
		bad("commission", "must be less than 1 (a fraction: 0.02 = 2%%), got %s", in.Commission.String())
	default:
		r, ok := toRatio(in.Commission, MaxRateDecimals)
		if !ok {
			bad("commission", "must have at most %d decimal places, got %s", MaxRateDecimals, in.Commission.String())
		}
		commission = r
	}

	if in.Start.IsZero() {
		bad("start", "is required")
	} else {
		y, m, d := in.Start.Date()
		p.start = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		if y < 1900 || y > 9000 {
			bad("start", "year must be between 1900 and 9000, got %d", y)
		}
	}

	if len(errs) == 0 {
		p.commission = int64(mulDivRound(uint64(p.principal), commission.num, commission.den))
		if p.commission >= p.principal {
			bad("commission", "leaves nothing to disburse: %s of %s", decimal.New(p.commission, -2).StringFixed(2), in.Principal.String())
		}
	}
	if len(errs) > 0 {
		return prepared{}, &InputError{Fields: errs}
	}
	return p, nil
}
