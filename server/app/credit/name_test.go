package creditsvc

import "testing"

func TestSplitName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, first, paternal, maternal string }{
		{"Juan Pérez López", "Juan", "Pérez", "López"},
		{"  Juan Carlos   Pérez López ", "Juan Carlos", "Pérez", "López"},
		{"Ana Ruiz", "Ana", "Ruiz", ""},
		{"Cher", "Cher", "", ""},
		{"", "", "", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			f, p, m := splitName(tc.in)
			if f != tc.first || p != tc.paternal || m != tc.maternal {
				t.Fatalf("splitName(%q) = %q %q %q", tc.in, f, p, m)
			}
		})
	}
}
