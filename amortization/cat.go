package amortization

import (
	"errors"
	"math"
	"math/big"
)

// ErrCATNotFound is returned when the CAT solver cannot bracket or confirm
// a root; it indicates a bug, as every valid schedule has a CAT.
var ErrCATNotFound = errors.New("amortization: CAT not found")

// MaxCATPercent is the largest CAT reported: 10^12 %. Inputs whose CAT
// exceeds it (say a 1-week loan with a 60 % commission) are rejected by
// New with an *InputError on field "cat".
const MaxCATPercent = 1e12

// errCATTooLarge is turned into an *InputError by New.
var errCATTooLarge = errors.New("CAT above the maximum")

// solveCAT returns the CAT in tenths of a percent, rounded half-up: the
// annual rate i solving
//
//	disb = Σ flows[k-1]·(1+i)^(−k/ppy) + balloon·(1+i)^(−n/ppy)
//
// (amounts in cents). It solves for v = (1+i)^(−1/ppy) in float64 with a
// safeguarded Newton iteration (bisection fallback inside a bracket), then
// proves the rounding: with c the candidate in tenths, the root lies in
// [(c−½)/1000, (c+½)/1000) iff F(lo) ≥ 0 and F(hi) < 0, F being the
// decreasing present value less disb. Each sign is decided in float64 when
// it clears a rigorous error bound, otherwise in 256-bit arithmetic. slow
// forces the 256-bit path (tests).
func solveCAT(flows []int64, balloon, disb int64, ppy int, guess float64, slow bool) (int64, error) {
	var total int64
	for _, f := range flows {
		total += f
	}
	total += balloon
	if total == disb {
		return 0, nil // no cost at all
	}
	if disb <= 0 {
		return 0, ErrCATNotFound
	}
	v := solveV(flows, float64(balloon), float64(disb), guess)
	if !(v > 0) || math.IsInf(v, 0) {
		return 0, ErrCATNotFound
	}
	i := math.Pow(v, -float64(ppy)) - 1
	if math.IsNaN(i) {
		return 0, ErrCATNotFound
	}
	if i > MaxCATPercent/100 {
		return 0, errCATTooLarge
	}
	c := int64(math.Floor(i*1000 + 0.5))
	for range 64 {
		// lo = (c − ½)/1000 = (2c−1)/2000, hi = (2c+1)/2000.
		if presentValueSign(flows, balloon, disb, ppy, 2*c-1, slow) < 0 {
			c-- // root below lo
			continue
		}
		if presentValueSign(flows, balloon, disb, ppy, 2*c+1, slow) >= 0 {
			c++ // root at or above hi: rounds to c+1 or more
			continue
		}
		return c, nil
	}
	return 0, ErrCATNotFound
}

// horner returns Σ flows[k-1]·v^k + balloon·v^n and its derivative in v.
func horner(flows []int64, balloon, v float64) (g, dg float64) {
	n := len(flows)
	acc := float64(flows[n-1]) + balloon
	var d float64
	for k := n - 2; k >= 0; k-- {
		d = d*v + acc
		acc = acc*v + float64(flows[k])
	}
	// acc = Σ a_k v^(k-1); multiply by v once more.
	return acc * v, d*v + acc
}

// solveV finds v in (0, ∞) with Σ flows·v^k + balloon·v^n = disb. The
// left side is increasing in v (all flows ≥ 0), so the root is unique.
func solveV(flows []int64, balloon, disb, guess float64) float64 {
	lo, hi := 0.0, 1.0
	for {
		g, _ := horner(flows, balloon, hi)
		if g >= disb {
			break
		}
		lo, hi = hi, hi*2
		if hi > 1e6 {
			return math.NaN()
		}
	}
	v := guess
	if !(v > lo && v < hi) {
		v = (lo + hi) / 2
	}
	for range 200 {
		g, dg := horner(flows, balloon, v)
		f := g - disb
		if f == 0 {
			return v
		}
		if f < 0 {
			lo = v
		} else {
			hi = v
		}
		next := v - f/dg
		if dg > 0 && math.Abs(next-v) <= 4e-16*v {
			return next // Newton has converged to float64 precision
		}
		if !(next > lo && next < hi) || dg <= 0 {
			next = (lo + hi) / 2 // bisection fallback
		}
		if hi-lo <= 4e-16*hi {
			return next
		}
		v = next
	}
	return v
}

// presentValueSign returns the sign of F(i) = Σ flows·(1+i)^(−k/ppy) +
// balloon·(1+i)^(−n/ppy) − disb at i = x/2000 exactly (x an integer),
// with 0 only for a value indistinguishable from zero at 256 bits.
func presentValueSign(flows []int64, balloon, disb int64, ppy int, x int64, slow bool) int {
	if x <= -2000 {
		return 1 // i ≤ −100 %: the present value is unbounded
	}
	if !slow {
		base := 1 + float64(x)/2000
		v := math.Pow(base, -1/float64(ppy))
		g, _ := horner(flows, float64(balloon), v)
		f := g - float64(disb)
		// Every coefficient is ≥ 0, so g bounds Σ|a_k|v^k: Horner's error
		// is ≤ 2n·ε·g, and v's few-ulp error moves g by ≤ n·g·8ε.
		bound := (16*float64(len(flows)) + 64) * 0x1p-52 * (g + float64(disb))
		switch {
		case f > bound:
			return 1
		case f < -bound:
			return -1
		}
	}
	return presentValueSignBig(flows, balloon, disb, ppy, x)
}

const bigPrec = 256

// presentValueSignBig is presentValueSign in 256-bit binary floating point.
func presentValueSignBig(flows []int64, balloon, disb int64, ppy int, x int64) int {
	nf := func() *big.Float { return new(big.Float).SetPrec(bigPrec) }
	// base = (2000 + x) / 2000.
	base := nf().Quo(nf().SetInt64(2000+x), nf().SetInt64(2000))
	// y = base^(1/ppy) by Newton from a float64 seed; v = 1/y.
	bf, _ := base.Float64()
	y := nf().SetFloat64(math.Pow(bf, 1/float64(ppy)))
	m := nf().SetInt64(int64(ppy))
	m1 := nf().SetInt64(int64(ppy - 1))
	t, u := nf(), nf()
	for range 8 {
		// y = ((m−1)·y + base / y^(m−1)) / m
		powInt(u, y, ppy-1)
		t.Quo(base, u)
		u.Mul(m1, y)
		t.Add(t, u)
		t.Quo(t, m)
		y.Set(t)
	}
	v := nf().Quo(nf().SetInt64(1), y)

	n := len(flows)
	acc := nf().SetInt64(flows[n-1] + balloon)
	a := nf()
	for k := n - 2; k >= 0; k-- {
		acc.Mul(acc, v)
		acc.Add(acc, a.SetInt64(flows[k]))
	}
	acc.Mul(acc, v)
	d := nf().SetInt64(disb)
	scale := nf().Add(acc, d)
	acc.Sub(acc, d)
	// Treat |F| below 2^-200 of the magnitudes involved as an exact zero.
	if acc.Sign() == 0 || acc.MantExp(nil) < scale.MantExp(nil)-200 {
		return 0
	}
	return acc.Sign()
}

// powInt sets z = x^k (k ≥ 0) by repeated squaring and returns z.
func powInt(z, x *big.Float, k int) *big.Float {
	r := new(big.Float).SetPrec(bigPrec).SetInt64(1)
	b := new(big.Float).SetPrec(bigPrec).Set(x)
	for k > 0 {
		if k&1 == 1 {
			r.Mul(r, b)
		}
		b.Mul(b, b)
		k >>= 1
	}
	return z.Set(r)
}
