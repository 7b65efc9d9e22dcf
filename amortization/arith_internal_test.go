package amortization

import "testing"

// BenchmarkLevelPayment260 measures the exact annuity: 36 %/52 kept as
// 36/5200, (5236/5200)^260 in big.Int (≈ 3,200-bit numbers).
func BenchmarkLevelPayment260(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if levelPayment(25_000_000, 0, ratio{36, 100}, 52, 260) <= 0 {
			b.Fatal("non-positive payment")
		}
	}
}

// BenchmarkSolveCAT260 measures the CAT solver with its rounding proof on
// the 260-week schedule's cash flows.
func BenchmarkSolveCAT260(b *testing.B) {
	p := prepared{principal: 25_000_000, rate: ratio{36, 100}, iva: ratio{16, 100}, ppy: 52, commission: 500_000}
	rows := make([]rowCents, 260)
	fillRows(rows, p, French)
	flows := make([]int64, len(rows))
	for i, r := range rows {
		flows[i] = r.principal + r.interest
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := solveCAT(flows, 0, p.principal-p.commission, 52, 5200.0/5236, false); err != nil {
			b.Fatal(err)
		}
	}
}
