package spei_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/spei"
)

func TestParseCLABE(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want error
	}{
		// FACTS.md §2 test values.
		{"032180000118359719", nil},
		{"002010077777777771", nil},
		{"646180111805034237", nil},
		{"012180026050783858", nil},
		{"012 180 02605078385 8", nil},
		{"012-180-02605078385-8", nil},
		// Conekta's old v2.0 sample is a placeholder: expected control digit 6.
		{"646180111812345678", spei.ErrCLABECheckDigit},
		{"032180000118359718", spei.ErrCLABECheckDigit},
		{"03218000011835971", spei.ErrCLABELength},
		{"0321800001183597190", spei.ErrCLABELength},
		{"", spei.ErrCLABELength},
		{"03218000011835971O", spei.ErrCLABENotDigits},
		{"０３２180000118359719", spei.ErrCLABENotDigits},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := spei.ParseCLABE(tt.in)
			if tt.want == nil {
				if err != nil || len(c) != 18 {
					t.Fatalf("ParseCLABE = %q, %v", c, err)
				}
				return
			}
			var ce *spei.CLABEError
			if !errors.Is(err, tt.want) || !errors.As(err, &ce) || ce.Detail == "" {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	_, err := spei.ParseCLABE("646180111812345678")
	var ce *spei.CLABEError
	if errors.As(err, &ce) && ce.Detail != "expected 6, got 8" {
		t.Errorf("detail = %q", ce.Detail)
	}
}

func TestCLABEParts(t *testing.T) {
	t.Parallel()
	c, err := spei.ParseCLABE("012180026050783858")
	if err != nil {
		t.Fatal(err)
	}
	b, ok := c.Bank()
	if c.BankCode() != "012" || c.PlazaCode() != "180" || c.AccountNumber() != "02605078385" || !ok || b.Name != "BBVA Bancomer" || b.BanxicoCode != "40012" {
		t.Errorf("parts %s %s %s %+v", c.BankCode(), c.PlazaCode(), c.AccountNumber(), b)
	}
	if c.String() != "012 180 02605078385 8" {
		t.Errorf("String = %q", c.String())
	}
	for code, name := range map[string]string{"002": "Banamex", "014": "Santander", "072": "Banorte/Ixe", "127": "Azteca", "646": "STP", "638": "Akala", "001": "Banxico"} {
		if b, ok := spei.LookupBank(code); !ok || b.Name != name {
			t.Errorf("LookupBank(%s) = %+v %v, want %s", code, b, ok, name)
		}
	}
	// An unknown bank passes ParseCLABE but not ValidateCLABE.
	first := "999180000000000001"[:17]
	d, _ := spei.CheckDigit(first)
	unknown := first + string(d)
	if _, err := spei.ParseCLABE(unknown); err != nil {
		t.Fatal(err)
	}
	if err := spei.ValidateCLABE(unknown); !errors.Is(err, spei.ErrUnknownBank) {
		t.Errorf("ValidateCLABE(%s) = %v, want ErrUnknownBank", unknown, err)
	}
	if err := spei.ValidateCLABE("646180111805034237"); err != nil {
		t.Errorf("ValidateCLABE(STP) = %v", err)
	}
	banks := spei.Banks()
	if len(banks) < 90 || banks[0].Code != "001" {
		t.Errorf("Banks: %d, first %+v", len(banks), banks[0])
	}
	for i := 1; i < len(banks); i++ {
		if banks[i-1].Code >= banks[i].Code {
			t.Fatalf("Banks not sorted at %d", i)
		}
	}
}

func TestReference(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id   int64
		want string
	}{
		{1, "0000019"},
		{42, "0000420"},
		{999999, "9999992"},
		{123456, "1234567"},
	}
	for _, tt := range tests {
		got, err := spei.Reference(tt.id)
		if err != nil || got != tt.want {
			t.Errorf("Reference(%d) = %q, %v, want %q", tt.id, got, err, tt.want)
		}
		back, err := spei.ParseReference(got)
		if err != nil || back != tt.id {
			t.Errorf("ParseReference(%q) = %d, %v", got, back, err)
		}
	}
	for _, id := range []int64{0, -1, 1000000} {
		if _, err := spei.Reference(id); !errors.Is(err, spei.ErrInvalidClientID) {
			t.Errorf("Reference(%d) err = %v", id, err)
		}
	}
	for _, ref := range []string{"0000420x", "000042", "0000425", "00004a4", "0000000"} {
		if _, err := spei.ParseReference(ref); !errors.Is(err, spei.ErrInvalidReference) {
			t.Errorf("ParseReference(%q) err = %v", ref, err)
		}
	}
}

func TestNewInstructions(t *testing.T) {
	t.Parallel()
	acct := spei.Account{CLABE: "646180111805034237", Beneficiary: "CMU Financiera SA de CV", RFC: "CMU200101AB1"}
	in, err := spei.NewInstructions(acct, 42, decimal.RequireFromString("25000.005"), "")
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"method":"spei","clabe":"646180111805034237","bank":{"code":"646","banxicoCode":"90646","name":"STP"},"beneficiary":"CMU Financiera SA de CV","rfc":"CMU200101AB1","reference":"0000420","concept":"CMU 0000420","amount":"25000.01","currency":"MXN","clientId":42}`
	if string(data) != want {
		t.Errorf("JSON\n got %s\nwant %s", data, want)
	}
	tests := []struct {
		name    string
		acct    spei.Account
		id      int64
		amount  string
		concept string
		want    error
	}{
		{"exactly 20,000 goes to Conekta", acct, 42, "20000", "", spei.ErrAmountTooSmall},
		{"20,000.004 rounds to 20,000", acct, 42, "20000.004", "", spei.ErrAmountTooSmall},
		{"negative", acct, 42, "-30000", "", spei.ErrInvalidAmount},
		{"bad CLABE", spei.Account{CLABE: "646180111812345678", Beneficiary: "X"}, 42, "30000", "", spei.ErrCLABECheckDigit},
		{"unknown bank", spei.Account{CLABE: "999180000000000000", Beneficiary: "X"}, 42, "30000", "", spei.ErrInvalidAccount},
		{"no beneficiary", spei.Account{CLABE: acct.CLABE}, 42, "30000", "", spei.ErrInvalidAccount},
		{"client id", acct, 0, "30000", "", spei.ErrInvalidClientID},
		{"long concept", acct, 42, "30000", "Aportación voluntaria al plan de ahorro del cliente", spei.ErrInvalidConcept},
		{"control char", acct, 42, "30000", "a\nb", spei.ErrInvalidConcept},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := spei.NewInstructions(tt.acct, tt.id, decimal.RequireFromString(tt.amount), tt.concept)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// FuzzParseCLABE: never panics; anything accepted has a correct control digit;
// changing any single digit of an accepted CLABE is always detected.
func FuzzParseCLABE(f *testing.F) {
	for _, s := range []string{"032180000118359719", "002010077777777771", "646180111812345678", "", "abc", "012 180 02605078385 8"} {
		f.Add(s, uint8(0), uint8(1))
	}
	f.Fuzz(func(t *testing.T, s string, pos, delta uint8) {
		c, err := spei.ParseCLABE(s)
		if err != nil {
			return
		}
		d, err := spei.CheckDigit(string(c[:17]))
		if err != nil || d != c[17] {
			t.Fatalf("accepted %q with wrong control digit", c)
		}
		b := []byte(c)
		i := int(pos) % 18
		step := byte(delta%9) + 1
		b[i] = '0' + (b[i]-'0'+step)%10
		if _, err := spei.ParseCLABE(string(b)); !errors.Is(err, spei.ErrCLABECheckDigit) {
			t.Fatalf("single-digit change %q → %q not detected: %v", c, b, err)
		}
	})
}
