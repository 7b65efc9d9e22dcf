package spei

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// CLABELength is the number of digits of a CLABE.
const CLABELength = 18

// Errors of CLABE validation, wrapped in *CLABEError.
var (
	ErrCLABELength     = errors.New("spei: a CLABE has 18 digits")
	ErrCLABENotDigits  = errors.New("spei: a CLABE has only digits")
	ErrCLABECheckDigit = errors.New("spei: CLABE control digit does not match")
	ErrUnknownBank     = errors.New("spei: unknown bank code")
)

// CLABEError explains why a CLABE was refused.
type CLABEError struct {
	// Input as given (truncated to 40 characters).
	Input string
	// Err is one of ErrCLABELength, ErrCLABENotDigits, ErrCLABECheckDigit, ErrUnknownBank.
	Err error
	// Detail is a human explanation ("17 digits", "position 5 is 'O'",
	// "expected 6, got 8", "bank code 999").
	Detail string
}

// Error implements error.
func (e *CLABEError) Error() string {
	return fmt.Sprintf("%v: %s (%q)", e.Err, e.Detail, e.Input)
}

// Unwrap returns the sentinel.
func (e *CLABEError) Unwrap() error { return e.Err }

// weights of the CLABE control digit, positions 0..16.
const weights = "37137137137137137"

// CheckDigit returns the control digit of the first 17 digits of a CLABE.
func CheckDigit(first17 string) (byte, error) {
	if len(first17) != CLABELength-1 {
		return 0, &CLABEError{Input: clip(first17), Err: ErrCLABELength, Detail: fmt.Sprintf("need 17 digits to compute the control digit, got %d characters", len(first17))}
	}
	sum := 0
	for i := 0; i < len(first17); i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0, &CLABEError{Input: clip(first17), Err: ErrCLABENotDigits, Detail: fmt.Sprintf("position %d is %q", i+1, c)}
		}
		sum += int(c-'0') * int(weights[i]-'0') % 10
	}
	return byte('0' + (10-sum%10)%10), nil
}

// CLABE is a validated 18-digit CLABE.
type CLABE string

// ParseCLABE validates s as a CLABE. Spaces and dashes between digits are
// ignored ("012 180 02605078385 8" is accepted). Errors are *CLABEError
// wrapping ErrCLABELength, ErrCLABENotDigits or ErrCLABECheckDigit. The bank
// code is not checked: call CheckBank.
func ParseCLABE(s string) (CLABE, error) {
	clean := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, s)
	for i, r := range clean {
		if r < '0' || r > '9' {
			return "", &CLABEError{Input: clip(s), Err: ErrCLABENotDigits, Detail: fmt.Sprintf("position %d is %q", i+1, r)}
		}
	}
	if len(clean) != CLABELength {
		return "", &CLABEError{Input: clip(s), Err: ErrCLABELength, Detail: fmt.Sprintf("%d digits", len(clean))}
	}
	want, _ := CheckDigit(clean[:17])
	if clean[17] != want {
		return "", &CLABEError{Input: clip(s), Err: ErrCLABECheckDigit, Detail: fmt.Sprintf("expected %c, got %c", want, clean[17])}
	}
	return CLABE(clean), nil
}

// ValidateCLABE is ParseCLABE followed by CheckBank: it also refuses bank
// codes missing from the catalogue. Use it where an unknown bank must block
// (CMu's own receiving account); use ParseCLABE for clients' accounts.
func ValidateCLABE(s string) error {
	c, err := ParseCLABE(s)
	if err != nil {
		return err
	}
	return c.CheckBank()
}

// BankCode is the first three digits.
func (c CLABE) BankCode() string { return string(c[:3]) }

// PlazaCode is digits 4–6.
func (c CLABE) PlazaCode() string { return string(c[3:6]) }

// AccountNumber is digits 7–17.
func (c CLABE) AccountNumber() string { return string(c[6:17]) }

// Bank looks the bank code up in the catalogue.
func (c CLABE) Bank() (Bank, bool) { return LookupBank(c.BankCode()) }

// CheckBank returns a *CLABEError wrapping ErrUnknownBank when the bank code is
// not in the catalogue.
func (c CLABE) CheckBank() error {
	if _, ok := c.Bank(); !ok {
		return &CLABEError{Input: string(c), Err: ErrUnknownBank, Detail: "bank code " + c.BankCode()}
	}
	return nil
}

// String formats the CLABE in groups as banks print it: "012 180 02605078385 8".
func (c CLABE) String() string {
	if len(c) != CLABELength {
		return string(c)
	}
	return string(c[:3]) + " " + string(c[3:6]) + " " + string(c[6:17]) + " " + string(c[17:])
}

// Bank is an institution of the CLABE catalogue.
type Bank struct {
	// Code is the 3-digit CLABE prefix.
	Code string `json:"code"`
	// BanxicoCode is Banxico's institution code (e.g. "40012").
	BanxicoCode string `json:"banxicoCode"`
	Name        string `json:"name"`
}

// LookupBank returns the bank with the given 3-digit CLABE code.
func LookupBank(code string) (Bank, bool) {
	b, ok := banks[code]
	return b, ok
}

// Banks returns the catalogue sorted by code (a fresh slice).
func Banks() []Bank {
	out := make([]Bank, 0, len(banks))
	for _, b := range banks {
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b Bank) int { return strings.Compare(a.Code, b.Code) })
	return out
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
