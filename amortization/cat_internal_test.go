package amortization

import (
	"math/rand/v2"
	"testing"
)

// TestCATExactHalfRoundsUp builds cash flows whose CAT is exactly on a
// rounding boundary (one flow due in exactly one year), where float64
// cannot decide and the 256-bit path must.
func TestCATExactHalfRoundsUp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		last, disb int64
		ppy        int
		want       int64 // tenths of a percent
	}{
		{"45.25 rounds up to 45.3", 145250, 100000, 12, 453},
		{"45.35 rounds up to 45.4", 145350, 100000, 12, 454},
		{"just below 45.25", 145249, 100000, 12, 452},
		{"0.05 rounds up to 0.1", 100050, 100000, 52, 1},
		{"no cost", 100000, 100000, 26, 0},
		{"300.05 percent", 400050, 100000, 24, 3001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			flows := make([]int64, tt.ppy)
			flows[tt.ppy-1] = tt.last
			for _, slow := range []bool{false, true} {
				got, err := solveCAT(flows, 0, tt.disb, tt.ppy, 0.9, slow)
				if err != nil || got != tt.want {
					t.Errorf("slow=%v: solveCAT = %d, %v; want %d", slow, got, err, tt.want)
				}
			}
			// The same flow paid as a balloon.
			flows[tt.ppy-1] = 0
			if got, err := solveCAT(flows, tt.last, tt.disb, tt.ppy, 0.9, false); err != nil || got != tt.want {
				t.Errorf("as balloon: solveCAT = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

// TestCATFastMatchesSlow: the float64 fast path and the 256-bit path agree
// on random schedules.
func TestCATFastMatchesSlow(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(45, 3))
	for i := range 40 {
		n := 1 + r.IntN(300)
		flows := make([]int64, n)
		var sum int64
		for k := range flows {
			flows[k] = r.Int64N(1_000_000)
			sum += flows[k]
		}
		balloon := r.Int64N(1_000_000)
		disb := 1 + r.Int64N(sum+balloon)
		ppy := []int{52, 26, 24, 12}[r.IntN(4)]
		fast, err1 := solveCAT(flows, balloon, disb, ppy, 0.99, false)
		slow, err2 := solveCAT(flows, balloon, disb, ppy, 0.99, true)
		if err1 != nil || err2 != nil || fast != slow {
			t.Fatalf("case %d: fast %d (%v), slow %d (%v)", i, fast, err1, slow, err2)
		}
	}
}

func TestLevelPaymentExact(t *testing.T) {
	t.Parallel()
	// 1000.00 at 12 % monthly over 12 periods: 88.848788… → 88.85.
	if got := levelPayment(100000, 0, ratio{12, 100}, 12, 12); got != 8885 {
		t.Errorf("levelPayment = %d, want 8885", got)
	}
	// Zero rate: (1000.00 − 100.00) / 7 = 128.571… → 128.57.
	if got := levelPayment(100000, 10000, ratio{0, 1}, 52, 7); got != 12857 {
		t.Errorf("zero-rate levelPayment = %d, want 12857", got)
	}
	// mulDivRound: exact halves round up, below half down.
	for _, c := range []struct{ a, b, c, want uint64 }{{5, 1, 10, 1}, {4, 1, 10, 0}, {650, 36, 5200, 5}, {1<<62 + 1, 3, 2, (3<<62 + 3 + 1) / 2}} {
		if got := mulDivRound(c.a, c.b, c.c); got != c.want {
			t.Errorf("mulDivRound(%d,%d,%d) = %d, want %d", c.a, c.b, c.c, got, c.want)
		}
	}
}
