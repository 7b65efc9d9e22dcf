package mifiel_test

import (
	"bytes"
	"errors"
	"flag"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/internal/golden"
	"github.com/cmu-mx/cmu/providers/mifiel"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func contracts() map[mifiel.ContractType]mifiel.ContractData {
	date := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	client := mifiel.ContractClient{Name: "José Núñez Ávila", RFC: "NUAJ850101XY1", Email: "jose@example.mx"}
	return map[mifiel.ContractType]mifiel.ContractData{
		mifiel.VentaPlazo: ventaPlazo(),
		mifiel.Ahorro: {
			Type: mifiel.Ahorro, Folio: "L-0002", Date: date, Client: client, Market: "aguascalientes", Plates: "AGS-12-34",
			SavingsGoal: decimal.RequireFromString("45000"), SurchargePerLitre: decimal.RequireFromString("2.005"),
		},
		mifiel.CreditoColectivo: {
			Type: mifiel.CreditoColectivo, Folio: "L-0003", Date: date, Client: client, Plates: "MEX-99-01",
			GroupName: "Ruta 27 Toluca", GroupMembers: 5, GroupTarget: decimal.RequireFromString("300000"),
			CreditAmount: decimal.RequireFromString("120000"), Term: 24, Frequency: "semanal", Payment: decimal.RequireFromString("6100.10"),
		},
	}
}

func TestContractTextGolden(t *testing.T) {
	for typ, data := range contracts() {
		t.Run(string(typ), func(t *testing.T) {
			got, err := mifiel.ContractText(data)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "contract_"+string(typ)+".golden")
			want := golden.Want(t, path, []byte(got), *update)
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestContractPDF(t *testing.T) {
	t.Parallel()
	for typ, data := range contracts() {
		a, err := mifiel.ContractPDF(data)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		b, _ := mifiel.ContractPDF(data)
		if !bytes.HasPrefix(a, []byte("%PDF-1.")) || !bytes.Equal(a, b) {
			t.Errorf("%s: not a deterministic PDF", typ)
		}
		if !bytes.Contains(a, []byte(data.Folio)) {
			t.Errorf("%s: folio missing from the PDF metadata", typ)
		}
	}
}

func TestContractValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mod    func(*mifiel.ContractData)
		fields []string
	}{
		{"unknown type", func(d *mifiel.ContractData) { d.Type = "leasing" }, []string{"type"}},
		{"no name, folio, date", func(d *mifiel.ContractData) { d.Client.Name = " "; d.Folio = ""; d.Date = time.Time{} }, []string{"client.name", "date", "folio"}},
		{"down payment ≥ price", func(d *mifiel.ContractData) { d.DownPayment = d.Price }, []string{"downPayment"}},
		{"no term, payment, frequency", func(d *mifiel.ContractData) { d.Term = 0; d.Payment = decimal.Zero; d.Frequency = "" }, []string{"frequency", "payment", "term"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ventaPlazo()
			tt.mod(&d)
			_, err := mifiel.ContractPDF(d)
			var ve *mifiel.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v", err)
			}
			var got []string
			for k := range ve.Fields {
				got = append(got, k)
			}
			if diff := cmp.Diff(tt.fields, got, cmpSorted); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

var cmpSorted = cmp.Transformer("sort", func(in []string) []string {
	out := append([]string(nil), in...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
})

func TestFormatMXN(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"0": "$0.00 MXN", "0.005": "$0.01 MXN", "0.004": "$0.00 MXN", "999.995": "$1,000.00 MXN",
		"1234567.891": "$1,234,567.89 MXN", "-1500.5": "-$1,500.50 MXN", "100": "$100.00 MXN", "123456": "$123,456.00 MXN",
	} {
		if got := mifiel.FormatMXN(decimal.RequireFromString(in)); got != want {
			t.Errorf("FormatMXN(%s) = %s, want %s", in, got, want)
		}
	}
}
