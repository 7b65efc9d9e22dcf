// Package wire decodes the values provider payloads carry that encoding/json
// alone would get wrong: money and quantities as decimals (never float64), in
// plain notation only, from a JSON number or a JSON string.
//
// The API of this package is kept stable for the provider packages that use it:
// additions only.
package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// MaxDecimalLen bounds the length of a decimal's text; longer values are refused
// before any arithmetic, so hostile payloads cannot make parsing expensive.
const MaxDecimalLen = 32

// ErrNotDecimal is wrapped by ParseDecimal and DecimalFromJSON when a value is
// not a plain decimal number.
var ErrNotDecimal = errors.New("not a plain decimal number")

// ParseDecimal parses s in plain notation: an optional minus sign, digits, and
// optionally a point followed by digits ("1234.50", "-3", "0.125"). Exponents,
// a leading plus, spaces, "NaN" and texts longer than MaxDecimalLen are refused.
func ParseDecimal(s string) (decimal.Decimal, error) {
	if len(s) == 0 || len(s) > MaxDecimalLen {
		return decimal.Decimal{}, fmt.Errorf("%q: %w", truncate(s), ErrNotDecimal)
	}
	digits, point := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '-' && i == 0:
		case c == '.' && !point && digits > 0 && i < len(s)-1:
			point = true
		default:
			return decimal.Decimal{}, fmt.Errorf("%q: %w", truncate(s), ErrNotDecimal)
		}
	}
	if digits == 0 {
		return decimal.Decimal{}, fmt.Errorf("%q: %w", truncate(s), ErrNotDecimal)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("%q: %w", truncate(s), ErrNotDecimal)
	}
	return d, nil
}

// DecimalFromJSON decodes a JSON number or JSON string holding a plain decimal.
// JSON null and an empty value are refused.
func DecimalFromJSON(raw json.RawMessage) (decimal.Decimal, error) {
	t := strings.TrimSpace(string(raw))
	if strings.HasPrefix(t, `"`) {
		var s string
		if err := json.Unmarshal([]byte(t), &s); err != nil {
			return decimal.Decimal{}, fmt.Errorf("%q: %w", truncate(t), ErrNotDecimal)
		}
		return ParseDecimal(s)
	}
	return ParseDecimal(t)
}

// Places returns the number of digits after the decimal point of d as written
// (0 for integers).
func Places(d decimal.Decimal) int32 {
	if e := d.Exponent(); e < 0 {
		return -e
	}
	return 0
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
