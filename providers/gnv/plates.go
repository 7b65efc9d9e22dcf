package gnv

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidPlates is wrapped by NormalizePlates when plates cannot be
// normalised to a valid form.
var ErrInvalidPlates = errors.New("gnv: invalid plates")

// Plate length bounds after normalisation. Mexican plates have 5 to 8
// characters; the bounds leave room for formats of other states.
const (
	MinPlatesLen = 4
	MaxPlatesLen = 10
)

// NormalizePlates returns the canonical form of vehicle plates used for
// matching: letters upper-cased, spaces (any Unicode space), dashes and dots
// removed, so "abc-123-d", "ABC 123 D" and "ABC123D" all become "ABC123D". The
// result must be MinPlatesLen..MaxPlatesLen ASCII letters and digits with at
// least one digit; otherwise the error wraps ErrInvalidPlates. Accented letters
// and Ñ are refused: plates do not use them.
func NormalizePlates(s string) (string, error) {
	var b strings.Builder
	b.Grow(len(s))
	digits := 0
	for _, r := range s {
		switch {
		case r == '-' || r == '.' || r == '‐' || r == '–' || r == '—':
		case r == ' ' || r == '\t' || r == '\u00a0' || r == '\n' || r == '\r':
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r >= '0' && r <= '9':
			digits++
			b.WriteRune(r)
		default:
			return "", fmt.Errorf("%w: %q has character %q", ErrInvalidPlates, clip(s), r)
		}
	}
	p := b.String()
	switch {
	case len(p) < MinPlatesLen || len(p) > MaxPlatesLen:
		return "", fmt.Errorf("%w: %q has %d characters, want %d to %d", ErrInvalidPlates, clip(s), len(p), MinPlatesLen, MaxPlatesLen)
	case digits == 0:
		return "", fmt.Errorf("%w: %q has no digit", ErrInvalidPlates, clip(s))
	}
	return p, nil
}

func clip(s string) string {
	if len(s) > 24 {
		return s[:24] + "…"
	}
	return s
}
