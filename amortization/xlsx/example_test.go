package xlsx_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/amortization"
	"github.com/cmu-mx/cmu/amortization/xlsx"
)

// ExampleWrite writes a workbook; save buf's bytes as a .xlsx file.
func ExampleWrite() {
	s, err := amortization.New(amortization.Inputs{
		Principal: decimal.RequireFromString("85000"), AnnualRate: decimal.RequireFromString("0.30"), Periods: 48,
		Frequency: amortization.Quincenal, Method: amortization.French, IVARate: decimal.RequireFromString("0.16"),
		Start: time.Date(2026, 2, 14, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var buf bytes.Buffer
	if err := xlsx.Write(&buf, s); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("zip signature:", string(buf.Bytes()[:2]))
	// Output:
	// zip signature: PK
}
