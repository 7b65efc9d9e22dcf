package amortization

import (
	"errors"
	"time"

	"github.com/shopspring/decimal"
)

// Row is one period of a schedule. Amounts are MXN with two decimals.
type Row struct {
	// N is the period number, from 1.
	N int
	// DueDate is the payment date (UTC midnight).
	DueDate time.Time
	// OpeningBalance is the principal owed at the start of the period.
	OpeningBalance decimal.Decimal
	// Interest is OpeningBalance × annual rate / periods per year (Flat:
	// on the original principal), rounded half-up to cents.
	Interest decimal.Decimal
	// IVA is Interest × IVA rate, rounded half-up to cents.
	IVA decimal.Decimal
	// Principal is the principal repaid in the period.
	Principal decimal.Decimal
	// Payment is Principal + Interest + IVA.
	Payment decimal.Decimal
	// ClosingBalance is OpeningBalance − Principal.
	ClosingBalance decimal.Decimal
}

// Totals are the column sums of a schedule's rows. Principal is the
// principal repaid through the rows, i.e. the loan principal less the
// balloon.
type Totals struct {
	Interest  decimal.Decimal
	IVA       decimal.Decimal
	Principal decimal.Decimal
	Payment   decimal.Decimal
}

// Schedule is a computed amortization table with its CAT. It is a plain
// value: safe to read concurrently, not to mutate concurrently.
type Schedule struct {
	// Inputs the schedule was computed from.
	Inputs Inputs
	// LevelPayment is, for French, the level payment of principal +
	// interest before IVA; for German and Flat, the first row's principal
	// + interest.
	LevelPayment decimal.Decimal
	// Payment is the first period's payment including IVA.
	Payment decimal.Decimal
	// CommissionAmount is Principal × Commission rounded half-up to cents,
	// charged at disbursement.
	CommissionAmount decimal.Decimal
	// CAT is the Costo Anual Total in percent with one decimal (45.3
	// means 45.3 %), rounded half-up.
	CAT decimal.Decimal
	// Rows are the periods, in order.
	Rows []Row
	// Totals are the column sums of Rows.
	Totals Totals
}

// New validates in and computes its schedule and CAT. A validation failure
// is an *InputError (errors.Is(err, ErrInvalidInput)).
func New(in Inputs) (*Schedule, error) {
	p, err := in.prepare()
	if err != nil {
		return nil, err
	}
	n := in.Periods
	cents := make([]rowCents, n)
	level := fillRows(cents, p, in.Method)

	s := &Schedule{
		Inputs:           in,
		CommissionAmount: decimal.New(p.commission, -2),
		Rows:             make([]Row, n),
	}
	flows := make([]int64, n)
	var tot rowCents
	opening := decimal.New(p.principal, -2)
	for k := range cents {
		c := &cents[k]
		closing := decimal.New(c.closing, -2)
		s.Rows[k] = Row{
			N:              k + 1,
			DueDate:        DueDate(p.start, in.Frequency, k+1),
			OpeningBalance: opening,
			Interest:       decimal.New(c.interest, -2),
			IVA:            decimal.New(c.iva, -2),
			Principal:      decimal.New(c.principal, -2),
			Payment:        decimal.New(c.payment, -2),
			ClosingBalance: closing,
		}
		opening = closing
		flows[k] = c.principal + c.interest
		tot.interest += c.interest
		tot.iva += c.iva
		tot.principal += c.principal
		tot.payment += c.payment
	}
	s.Totals = Totals{
		Interest:  decimal.New(tot.interest, -2),
		IVA:       decimal.New(tot.iva, -2),
		Principal: decimal.New(tot.principal, -2),
		Payment:   decimal.New(tot.payment, -2),
	}
	if in.Method == French {
		s.LevelPayment = decimal.New(level, -2)
		s.Payment = decimal.New(level+cents[0].iva, -2)
	} else {
		s.LevelPayment = decimal.New(cents[0].principal+cents[0].interest, -2)
		s.Payment = s.Rows[0].Payment
	}
	guess := 1.0
	if p.rate.num != 0 {
		guess = float64(p.rate.den*p.ppy) / float64(p.rate.den*p.ppy+p.rate.num)
	}
	tenths, err := solveCAT(flows, p.balloon, p.principal-p.commission, int(p.ppy), guess, false)
	if errors.Is(err, errCATTooLarge) {
		return nil, &InputError{Fields: []*FieldError{{Field: "cat", Message: "the CAT of these inputs exceeds 10^12 %; they do not describe a realistic loan"}}}
	}
	if err != nil {
		return nil, err
	}
	s.CAT = decimal.New(tenths, -1)
	return s, nil
}

// rowCents is one row in integer cents.
type rowCents struct {
	interest, iva, principal, payment, closing int64
}

// fillRows computes every row in exact integer cents and returns the
// French level payment (or the German/Flat constant principal).
func fillRows(rows []rowCents, p prepared, m Method) int64 {
	n := len(rows)
	qm := p.rate.den * p.ppy
	var level int64
	switch m {
	case French:
		level = levelPayment(p.principal, p.balloon, p.rate, p.ppy, n)
	default:
		level = int64(mulDivRound(uint64(p.principal-p.balloon), 1, uint64(n)))
	}
	flatInterest := int64(mulDivRound(uint64(p.principal), p.rate.num, qm))
	bal := p.principal
	for k := range rows {
		var interest int64
		if m == Flat {
			interest = flatInterest
		} else {
			interest = int64(mulDivRound(uint64(bal), p.rate.num, qm))
		}
		var pr int64
		switch {
		case k == n-1:
			pr = bal - p.balloon
		case m == French:
			pr = level - interest
		default:
			pr = level
		}
		// Rounding can only push these bounds when the exact principal
		// part is below a cent or the balance is nearly repaid early.
		pr = max(0, min(pr, bal-p.balloon))
		iva := int64(mulDivRound(uint64(interest), p.iva.num, p.iva.den))
		bal -= pr
		rows[k] = rowCents{
			interest:  interest,
			iva:       iva,
			principal: pr,
			payment:   pr + interest + iva,
			closing:   bal,
		}
	}
	return level
}
