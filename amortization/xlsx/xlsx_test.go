package xlsx_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/cmu-mx/cmu/amortization"
	"github.com/cmu-mx/cmu/amortization/xlsx"
)

func TestWriteRoundTrip(t *testing.T) {
	t.Parallel()
	s, err := amortization.New(amortization.Inputs{
		Principal: decimal.RequireFromString("250000"), AnnualRate: decimal.RequireFromString("0.36"), Periods: 156,
		Frequency: amortization.Weekly, Method: amortization.French, IVARate: decimal.RequireFromString("0.16"),
		Commission: decimal.RequireFromString("0.02"), Start: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := xlsx.Write(&buf, s); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(xlsx.ScheduleSheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(s.Rows)+2 {
		t.Fatalf("%d sheet rows, want %d", len(rows), len(s.Rows)+2)
	}
	for i, r := range s.Rows {
		got := rows[i+1]
		want := []string{fmt.Sprint(r.N), "", amortization.Money(r.OpeningBalance), amortization.Money(r.Interest), amortization.Money(r.IVA),
			amortization.Money(r.Principal), amortization.Money(r.Payment), amortization.Money(r.ClosingBalance)}
		for c := range want {
			if c == 1 {
				continue
			}
			if got[c] != want[c] {
				t.Fatalf("row %d col %d = %q, want %q", r.N, c+1, got[c], want[c])
			}
		}
	}
	// Dates display as yyyy-mm-dd.
	if v, _ := f.GetCellValue(xlsx.ScheduleSheet, "B2"); v != "2026-01-12" {
		t.Errorf("B2 = %q, want 2026-01-12", v)
	}
	// Money is numeric: the formatted value has thousands separators.
	if v, _ := f.GetCellValue(xlsx.ScheduleSheet, "C2"); v != "250,000.00" {
		t.Errorf("C2 = %q, want 250,000.00", v)
	}
	total := rows[len(rows)-1]
	if total[0] != "Total" || total[6] != amortization.Money(s.Totals.Payment) {
		t.Errorf("total row %q", total)
	}
	if v, _ := f.GetCellValue(xlsx.SummarySheet, "B11"); v != "45.5" {
		t.Errorf("summary CAT %q, want 45.5", v)
	}
}
