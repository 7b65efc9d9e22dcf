package amortization_test

import (
	"fmt"
	"os"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/amortization"
)

// ExampleSchedule computes the weekly French schedule of issue 6's example
// and prints the figures a driver sees.
func ExampleSchedule() {
	s, err := amortization.New(amortization.Inputs{
		Principal:  decimal.RequireFromString("250000"),
		AnnualRate: decimal.RequireFromString("0.36"),
		Periods:    156,
		Frequency:  amortization.Weekly,
		Method:     amortization.French,
		IVARate:    decimal.RequireFromString("0.16"),
		Commission: decimal.RequireFromString("0.02"),
		Start:      time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	first, last := s.Rows[0], s.Rows[len(s.Rows)-1]
	fmt.Println("weekly payment:", amortization.Money(s.Payment))
	fmt.Println("CAT:", s.CATString())
	fmt.Println("first:", first.DueDate.Format(amortization.DateLayout), amortization.Money(first.Interest), amortization.Money(first.IVA), amortization.Money(first.Principal))
	fmt.Println("last:", last.DueDate.Format(amortization.DateLayout), amortization.Money(last.Payment), amortization.Money(last.ClosingBalance))
	fmt.Println("total interest:", amortization.Money(s.Totals.Interest))
	// Output:
	// weekly payment: 2902.73
	// CAT: 45.5
	// first: 2026-01-12 1730.77 276.92 895.04
	// last: 2029-01-01 2627.46 0.00
	// total interest: 159625.12
}

// ExampleSchedule_WriteCSV writes a short German schedule with a balloon.
func ExampleSchedule_WriteCSV() {
	s, err := amortization.New(amortization.Inputs{
		Principal:  decimal.RequireFromString("10000"),
		AnnualRate: decimal.RequireFromString("0.24"),
		Periods:    3,
		Frequency:  amortization.Monthly,
		Method:     amortization.German,
		IVARate:    decimal.RequireFromString("0.16"),
		Balloon:    decimal.RequireFromString("1000"),
		Start:      time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := s.WriteCSV(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// n,due_date,opening_balance,interest,iva,principal,payment,closing_balance
	// 1,2026-02-28,10000.00,200.00,32.00,3000.00,3232.00,7000.00
	// 2,2026-03-31,7000.00,140.00,22.40,3000.00,3162.40,4000.00
	// 3,2026-04-30,4000.00,80.00,12.80,3000.00,3092.80,1000.00
	// total,,,420.00,67.20,9000.00,9487.20,
}

// ExampleInputs_Validate shows the field errors of bad input.
func ExampleInputs_Validate() {
	err := amortization.Inputs{
		Principal: decimal.RequireFromString("-5"),
		Periods:   0,
		Frequency: "daily",
		Method:    amortization.French,
		Start:     time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
	}.Validate()
	fmt.Println(err)
	// Output:
	// amortization: invalid input: principal: must be positive, got -5; periods: must be at least 1, got 0; frequency: unknown frequency "daily" (want weekly, catorcenal, quincenal or monthly)
}

// ExampleDueDate shows monthly dates clamped to the month's end.
func ExampleDueDate() {
	start := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
	for k := 1; k <= 3; k++ {
		fmt.Println(amortization.DueDate(start, amortization.Monthly, k).Format(amortization.DateLayout))
	}
	// Output:
	// 2026-02-28
	// 2026-03-31
	// 2026-04-30
}
