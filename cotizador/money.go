package cotizador

import (
	"strings"

	"github.com/shopspring/decimal"
)

// FormatMXN formats an amount the Mexican way, rounded half-up to cents,
// with thousands commas and a decimal point: 50000 → "50,000.00".
func FormatMXN(d decimal.Decimal) string {
	s := d.StringFixed(2)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	b.WriteByte('.')
	b.WriteString(frac)
	return b.String()
}

// formatPercent formats a fraction as a percentage without trailing zeros:
// 0.20 → "20%", 0.025 → "2.5%".
func formatPercent(f decimal.Decimal) string {
	return f.Shift(2).String() + "%"
}
