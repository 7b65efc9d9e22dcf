package amortization

import (
	"math/big"
	"math/bits"
)

// mulDivRound returns a*b/c rounded half-up (an exact half rounds up),
// with a 128-bit intermediate product. The quotient must fit in 63 bits
// and c must be below 2^63; Inputs.Validate's limits guarantee both.
func mulDivRound(a, b, c uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	q, r := bits.Div64(hi, lo, c)
	if r >= c-r { // 2r >= c without overflow
		q++
	}
	return q
}

// levelPayment returns the French level payment (principal + interest,
// before IVA) in cents, rounded half-up from the exact annuity formula
//
//	A = (P·(1+r)^n − B) · r / ((1+r)^n − 1),  r = rate/ppy,
//
// computed in exact integers: with r = p/(q·m), a = q·m + p, b = q·m,
// A = (P·a^n − B·b^n) · p / (b · (a^n − b^n)). A zero rate gives (P−B)/n.
func levelPayment(principal, balloon int64, rate ratio, ppy uint64, n int) int64 {
	if rate.num == 0 {
		return int64(mulDivRound(uint64(principal-balloon), 1, uint64(n)))
	}
	b := new(big.Int).SetUint64(rate.den * ppy)
	a := new(big.Int).Add(b, new(big.Int).SetUint64(rate.num))
	e := big.NewInt(int64(n))
	an := new(big.Int).Exp(a, e, nil)
	bn := new(big.Int).Exp(b, e, nil)

	num := new(big.Int).Mul(big.NewInt(principal), an)
	num.Sub(num, new(big.Int).Mul(big.NewInt(balloon), bn))
	num.Mul(num, new(big.Int).SetUint64(rate.num))

	den := an.Sub(an, bn)
	den.Mul(den, b)

	// Half-up: floor((2·num + den) / (2·den)).
	num.Lsh(num, 1).Add(num, den)
	den.Lsh(den, 1)
	return num.Quo(num, den).Int64()
}
