package kiban_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/kiban"
)

func TestParseReport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        string
		score     kiban.Score
		flags     []kiban.Flag
		pastDue   string
		worstMOP  int
		nAccounts int
	}{
		{
			name:  "score and current account",
			in:    `{"scoreBuroCredito":[{"codigoScore":"007","nombreScore":"BC SCORE","valorScore":"0700","codigoRazon1":"A1"}],"cuentas":[{"saldoActual":"1260+","saldoVencido":"0","formaPagoActual":"01"}]}`,
			score: kiban.Score{Code: "007", Name: "BC SCORE", Value: 700, Valid: true, Reasons: []string{"A1"}},
			flags: nil, pastDue: "0", worstMOP: 1, nAccounts: 1,
		},
		{
			name:  "exclusion and no accounts",
			in:    `{"scoreBuroCredito":[{"codigoScore":"007","valorScore":"-009"}],"cuentas":[]}`,
			score: kiban.Score{Code: "007", Exclusion: "-009"},
			flags: []kiban.Flag{kiban.FlagNoScore, kiban.FlagNoHistory}, pastDue: "0",
		},
		{
			name:  "numbers, nested segments, other score code first",
			in:    `{"respuesta":{"persona":{"scoreBuroCredito":[{"codigoScore":"004","valorScore":510},{"codigoScore":"007","valorScore":655}],"cuentas":[{"saldoVencido":1500.50,"formaPagoActual":"UR"},{"saldoVencido":"20-","formaPagoActual":"97"}]}}}`,
			score: kiban.Score{Code: "007", Value: 655, Valid: true},
			flags: []kiban.Flag{kiban.FlagPastDue, kiban.FlagSevereDelinquency}, pastDue: "1480.5", worstMOP: 97, nAccounts: 2,
		},
		{
			name:  "no score segment",
			in:    `{"cuentas":[{"saldoActual":"10","formaPagoActual":"03","saldoVencido":"5"}]}`,
			flags: []kiban.Flag{kiban.FlagNoScore, kiban.FlagPastDue}, pastDue: "5", worstMOP: 3, nAccounts: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := kiban.ParseReport([]byte(tt.in), "")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.score, rep.Score); diff != "" {
				t.Errorf("score (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.flags, rep.Flags); diff != "" {
				t.Errorf("flags (-want +got):\n%s", diff)
			}
			if !rep.PastDueBalance().Equal(decimal.RequireFromString(tt.pastDue)) {
				t.Errorf("past due = %s, want %s", rep.PastDueBalance(), tt.pastDue)
			}
			if rep.WorstMOP() != tt.worstMOP || len(rep.Accounts) != tt.nAccounts {
				t.Errorf("worst MOP %d accounts %d", rep.WorstMOP(), len(rep.Accounts))
			}
		})
	}
	for _, bad := range []string{``, `null`, `[1]`, `{"cuentas":[{"saldoActual":"12x"}]}`, `{"cuentas":[{"saldoActual":"1e9"}]}`, `{"scoreBuroCredito":[{"valorScore":{}}]}`} {
		if _, err := kiban.ParseReport([]byte(bad), ""); err == nil {
			t.Errorf("ParseReport(%q) accepted", bad)
		}
	}
}

func FuzzParseReport(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.json")
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"scoreBuroCredito":[{"valorScore":"-"}],"cuentas":[{"saldoActual":"+"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		rep, err := kiban.ParseReport(b, "")
		if err != nil {
			return
		}
		if rep.Score.Valid && rep.Score.Value < 0 {
			t.Fatalf("negative valid score %d", rep.Score.Value)
		}
		if rep.Score.Valid == rep.HasFlag(kiban.FlagNoScore) {
			t.Fatalf("score valid %v but flags %v", rep.Score.Valid, rep.Flags)
		}
	})
}
