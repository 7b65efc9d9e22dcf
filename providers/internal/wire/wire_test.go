package wire_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/cmu-mx/cmu/providers/internal/wire"
)

func TestDecimalFromJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		want   string
		places int32
		ok     bool
	}{
		{`"1234.50"`, "1234.5", 2, true},
		{`38.125`, "38.125", 3, true},
		{`-3`, "-3", 0, true},
		{`"0.10"`, "0.1", 2, true},
		{`1e3`, "", 0, false},
		{`"+1"`, "", 0, false},
		{`"1."`, "", 0, false},
		{`".5"`, "", 0, false},
		{`"NaN"`, "", 0, false},
		{`null`, "", 0, false},
		{`""`, "", 0, false},
		{`"1 000"`, "", 0, false},
		{`"-"`, "", 0, false},
		{`"123456789012345678901234567890123"`, "", 0, false},
		{`true`, "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := wire.DecimalFromJSON(json.RawMessage(tt.in))
			if !tt.ok {
				if !errors.Is(err, wire.ErrNotDecimal) {
					t.Fatalf("err = %v, want ErrNotDecimal", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.String() != tt.want || wire.Places(d) != tt.places {
				t.Errorf("got %s (%d places), want %s (%d)", d, wire.Places(d), tt.want, tt.places)
			}
		})
	}
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"1", "1.50", "-0.001", "1e5", "", "..", "9999999999999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := wire.ParseDecimal(s)
		if err != nil {
			return
		}
		// A parsed value must be the same number as its text.
		back, err := wire.ParseDecimal(d.String())
		if err != nil || !back.Equal(d) {
			t.Fatalf("%q → %s does not round-trip: %v", s, d, err)
		}
	})
}
