// Package xlsx writes an amortization schedule as an Excel workbook for
// finance: a "Resumen" sheet with the loan terms, payment and CAT, and a
// "Tabla" sheet with one row per period and a totals row.
//
// Money cells are numeric cells written from the decimal text itself
// ("1234.50"), never through float64 in this code, with the number format
// #,##0.00; dates are real Excel dates formatted yyyy-mm-dd. Excel holds
// numbers as doubles, which represent every two-decimal amount below
// 10^13 so that it displays and sums back to the same cents.
package xlsx

import (
	"fmt"
	"io"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/cmu-mx/cmu/amortization"
)

// Sheet names used in the workbook.
const (
	SummarySheet  = "Resumen"
	ScheduleSheet = "Tabla"
)

// Write writes s as an .xlsx workbook to w.
func Write(w io.Writer, s *amortization.Schedule) error {
	f, err := Workbook(s)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("xlsx: write workbook: %w", err)
	}
	return nil
}

// Workbook builds the workbook for s. The caller owns the returned file
// and should Close it.
func Workbook(s *amortization.Schedule) (*excelize.File, error) {
	f := excelize.NewFile()
	if err := build(f, s); err != nil {
		f.Close()
		return nil, fmt.Errorf("xlsx: build workbook: %w", err)
	}
	return f, nil
}

func build(f *excelize.File, s *amortization.Schedule) error {
	moneyFmt := "#,##0.00"
	dateFmt := "yyyy-mm-dd"
	money, err := f.NewStyle(&excelize.Style{CustomNumFmt: &moneyFmt})
	if err != nil {
		return err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	boldMoney, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, CustomNumFmt: &moneyFmt})
	if err != nil {
		return err
	}

	if err := f.SetSheetName("Sheet1", SummarySheet); err != nil {
		return err
	}
	in := s.Inputs
	type line struct {
		label string
		value string
		isNum bool
	}
	pct := func(d decimal.Decimal) string { return d.Shift(2).String() + " %" }
	lines := []line{
		{"Monto financiado (MXN)", amortization.Money(in.Principal), true},
		{"Tasa anual", pct(in.AnnualRate), false},
		{"Periodos", fmt.Sprint(in.Periods), true},
		{"Frecuencia", string(in.Frequency), false},
		{"Método", string(in.Method), false},
		{"IVA sobre intereses", pct(in.IVARate), false},
		{"Valor residual (MXN)", amortization.Money(in.Balloon), true},
		{"Comisión por apertura (MXN)", amortization.Money(s.CommissionAmount), true},
		{"Fecha de inicio", in.Start.Format(amortization.DateLayout), false},
		{"Pago del primer periodo con IVA (MXN)", amortization.Money(s.Payment), true},
		{"CAT sin IVA (%)", s.CATString(), true},
		{"Total intereses (MXN)", amortization.Money(s.Totals.Interest), true},
		{"Total IVA (MXN)", amortization.Money(s.Totals.IVA), true},
		{"Total pagado (MXN)", amortization.Money(s.Totals.Payment), true},
	}
	for i, l := range lines {
		r := i + 1
		if err := f.SetCellStr(SummarySheet, cell(1, r), l.label); err != nil {
			return err
		}
		if err := f.SetCellDefault(SummarySheet, cell(2, r), l.value); err != nil {
			return err
		}
		if l.isNum && l.label != "Periodos" && l.label != "CAT sin IVA (%)" {
			if err := f.SetCellStyle(SummarySheet, cell(2, r), cell(2, r), money); err != nil {
				return err
			}
		}
	}
	if err := f.SetColWidth(SummarySheet, "A", "A", 40); err != nil {
		return err
	}
	if err := f.SetColWidth(SummarySheet, "B", "B", 18); err != nil {
		return err
	}

	if _, err := f.NewSheet(ScheduleSheet); err != nil {
		return err
	}
	const sh = ScheduleSheet
	widths := []struct {
		from, to string
		w        float64
	}{{"A", "A", 6}, {"B", "B", 14}, {"C", "H", 16}}
	for _, w := range widths {
		if err := f.SetColWidth(sh, w.from, w.to, w.w); err != nil {
			return err
		}
	}
	for i, h := range []string{"No.", "Fecha de pago", "Saldo inicial", "Interés", "IVA", "Capital", "Pago", "Saldo final"} {
		if err := f.SetCellStr(sh, cell(i+1, 1), h); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(sh, "A1", "H1", bold); err != nil {
		return err
	}
	// Money goes in as its decimal text, which SetCellDefault stores
	// verbatim as the cell's numeric value.
	setMoney := func(col, row int, d decimal.Decimal) error {
		return f.SetCellDefault(sh, cell(col, row), amortization.Money(d))
	}
	for i, r := range s.Rows {
		row := i + 2
		if err := f.SetCellInt(sh, cell(1, row), int64(r.N)); err != nil {
			return err
		}
		if err := f.SetCellValue(sh, cell(2, row), r.DueDate); err != nil {
			return err
		}
		for j, v := range []decimal.Decimal{r.OpeningBalance, r.Interest, r.IVA, r.Principal, r.Payment, r.ClosingBalance} {
			if err := setMoney(3+j, row, v); err != nil {
				return err
			}
		}
	}
	last := len(s.Rows) + 1
	if err := f.SetCellStyle(sh, "B2", cell(2, last), dateStyle); err != nil {
		return err
	}
	if err := f.SetCellStyle(sh, "C2", cell(8, last), money); err != nil {
		return err
	}
	tr := last + 1
	if err := f.SetCellStr(sh, cell(1, tr), "Total"); err != nil {
		return err
	}
	t := s.Totals
	for j, v := range []decimal.Decimal{t.Interest, t.IVA, t.Principal, t.Payment} {
		if err := setMoney(4+j, tr, v); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(sh, cell(1, tr), cell(8, tr), boldMoney); err != nil {
		return err
	}
	return f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

func cell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}
