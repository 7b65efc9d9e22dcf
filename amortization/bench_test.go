package amortization_test

import (
	"math"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/amortization"
)

func benchInputs() amortization.Inputs {
	return amortization.Inputs{
		Principal: decimal.RequireFromString("250000"), AnnualRate: decimal.RequireFromString("0.36"), Periods: 260,
		Frequency: amortization.Weekly, Method: amortization.French, IVARate: decimal.RequireFromString("0.16"),
		Commission: decimal.RequireFromString("0.02"), Start: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
	}
}

// BenchmarkSchedule260WeeklyFrenchWithCAT is the benchmark: a
// 260-period weekly French schedule with its CAT.
func BenchmarkSchedule260WeeklyFrenchWithCAT(b *testing.B) {
	in := benchInputs()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := amortization.New(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNaive260WeeklyFrenchWithCAT is the baseline: a straightforward
// decimal implementation that cuts the periodic rate to 16 digits,
// recomputes the annuity with decimal.Pow every row and finds the CAT by
// bisection with math.Pow per cash flow.
func BenchmarkNaive260WeeklyFrenchWithCAT(b *testing.B) {
	in := benchInputs()
	b.ReportAllocs()
	for b.Loop() {
		naiveSchedule(in)
	}
}

type naiveRow struct{ interest, iva, principal, payment, closing decimal.Decimal }

func naiveSchedule(in amortization.Inputs) ([]naiveRow, float64) {
	ppy := decimal.NewFromInt(int64(in.Frequency.PeriodsPerYear()))
	r := in.AnnualRate.DivRound(ppy, 16)
	one := decimal.NewFromInt(1)
	bal := in.Principal
	rows := make([]naiveRow, 0, in.Periods)
	flows := make([]float64, 0, in.Periods)
	for k := 1; k <= in.Periods; k++ {
		remaining := int64(in.Periods - k + 1)
		// Annuity on the remaining balance, recomputed each row.
		disc := one.Add(r).Pow(decimal.NewFromInt(-remaining))
		pay := bal.Mul(r).DivRound(one.Sub(disc), 16).Round(2)
		interest := bal.Mul(r).Round(2)
		pr := pay.Sub(interest)
		if k == in.Periods {
			pr = bal
		}
		iva := interest.Mul(in.IVARate).Round(2)
		bal = bal.Sub(pr)
		rows = append(rows, naiveRow{interest, iva, pr, pr.Add(interest).Add(iva), bal})
		flows = append(flows, pr.Add(interest).InexactFloat64())
	}
	disb := in.Principal.Sub(in.Principal.Mul(in.Commission).Round(2)).InexactFloat64()
	n := float64(in.Frequency.PeriodsPerYear())
	lo, hi := 0.0, 100.0
	for range 100 {
		mid := (lo + hi) / 2
		var pv float64
		for k, f := range flows {
			pv += f / math.Pow(1+mid, float64(k+1)/n)
		}
		if pv > disb {
			lo = mid
		} else {
			hi = mid
		}
	}
	return rows, math.Round(lo*1000) / 10
}

// TestNaiveBaselineAgrees keeps the baseline honest: same CAT and payment
// as the package on the benchmark input.
func TestNaiveBaselineAgrees(t *testing.T) {
	t.Parallel()
	in := benchInputs()
	s, err := amortization.New(in)
	if err != nil {
		t.Fatal(err)
	}
	rows, cat := naiveSchedule(in)
	if got := rows[0].payment; !got.Equal(s.Rows[0].Payment) {
		t.Errorf("naive first payment %s, package %s", got, s.Rows[0].Payment)
	}
	if want := s.CAT.InexactFloat64(); math.Abs(cat-want) > 0.1 {
		t.Errorf("naive CAT %v, package %v", cat, want)
	}
}
