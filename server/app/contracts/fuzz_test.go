package contracts_test

import (
	"testing"

	"github.com/cmu-mx/cmu/server/app/contracts"
)

// FuzzParseFolio checks that ParseFolio never panics and accepts only what
// Folio builds.
func FuzzParseFolio(f *testing.F) {
	for _, s := range []string{"CMU-42-7-venta_plazo", "CMU-1-1-ahorro", "CMU-0-1-ahorro", "CMU--1-x", "cmu-1-2-ahorro",
		"CMU-99999999999999999999-1-ahorro", "CMU-1-2-credito_colectivo\n", "CMU-01-1-ahorro", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, l, typ, ok := contracts.ParseFolio(s)
		if !ok {
			return
		}
		if c <= 0 || l <= 0 {
			t.Fatalf("%q: ids %d %d", s, c, l)
		}
		if got := contracts.Folio(c, l, typ); got != s {
			t.Fatalf("%q parsed to %d %d %q, which builds %q", s, c, l, typ, got)
		}
	})
}
