package conekta

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
)

// MaxLinkAmountMXN is the largest amount, in MXN, paid through a Conekta link;
// larger amounts are paid by SPEI transfer (package spei).
const MaxLinkAmountMXN = 20000

// Errors an AmountError matches with errors.Is.
var (
	// ErrInvalidAmount: the amount is zero, negative or unrepresentable.
	ErrInvalidAmount = errors.New("conekta: invalid amount")
	// ErrAmountOverLimit: the amount exceeds MaxLinkAmountMXN.
	ErrAmountOverLimit = errors.New("conekta: amount over the payment-link limit")
)

// AmountError reports an amount CreatePaymentLink refuses before any request.
type AmountError struct {
	// Amount as given, in MXN.
	Amount decimal.Decimal
	// Limit is MaxLinkAmountMXN when the amount is over it, else zero.
	Limit decimal.Decimal
	// Reason explains the refusal.
	Reason string
}

// Error implements error.
func (e *AmountError) Error() string {
	return fmt.Sprintf("conekta: amount %s MXN: %s", e.Amount.String(), e.Reason)
}

// Is makes errors.Is match ErrAmountOverLimit or ErrInvalidAmount.
func (e *AmountError) Is(target error) bool {
	if !e.Limit.IsZero() {
		return target == ErrAmountOverLimit
	}
	return target == ErrInvalidAmount
}

// ToCents converts MXN to integer cents, rounding half-up (half away from
// zero) to the cent. It refuses non-positive amounts and amounts over
// MaxLinkAmountMXN with an *AmountError.
func ToCents(mxn decimal.Decimal) (int64, error) {
	cents := mxn.Round(2).Shift(2)
	switch {
	case !cents.IsPositive():
		return 0, &AmountError{Amount: mxn, Reason: "must be at least 0.01 MXN"}
	case cents.GreaterThan(decimal.NewFromInt(MaxLinkAmountMXN * 100)):
		return 0, &AmountError{Amount: mxn, Limit: decimal.NewFromInt(MaxLinkAmountMXN), Reason: fmt.Sprintf("over the %d MXN payment-link limit; use SPEI", MaxLinkAmountMXN)}
	}
	return cents.IntPart(), nil
}

// FromCents converts integer cents to MXN.
func FromCents(cents int64) decimal.Decimal { return decimal.New(cents, -2) }
