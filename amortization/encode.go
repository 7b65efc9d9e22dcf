package amortization

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// DateLayout is the layout of due dates on the wire: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// Money formats an amount as a wire string with exactly two decimals
// ("1234.50"), rounding half-up if it has more.
func Money(d decimal.Decimal) string { return d.StringFixed(2) }

// CATString formats the CAT with exactly one decimal ("45.3").
func (s *Schedule) CATString() string { return s.CAT.StringFixed(1) }

type rowJSON struct {
	N              int    `json:"n"`
	DueDate        string `json:"due_date"`
	OpeningBalance string `json:"opening_balance"`
	Interest       string `json:"interest"`
	IVA            string `json:"iva"`
	Principal      string `json:"principal"`
	Payment        string `json:"payment"`
	ClosingBalance string `json:"closing_balance"`
}

type totalsJSON struct {
	Interest  string `json:"interest"`
	IVA       string `json:"iva"`
	Principal string `json:"principal"`
	Payment   string `json:"payment"`
}

type scheduleJSON struct {
	Payment string     `json:"payment"`
	CAT     string     `json:"cat"`
	Totals  totalsJSON `json:"totals"`
	Rows    []Row      `json:"rows"`
}

// MarshalJSON encodes the row as {"n":1,"due_date":"YYYY-MM-DD",
// "opening_balance":"…","interest":"…","iva":"…","principal":"…",
// "payment":"…","closing_balance":"…"} with money as two-decimal strings.
func (r Row) MarshalJSON() ([]byte, error) {
	return r.appendJSON(make([]byte, 0, 192)), nil
}

// appendJSON appends the row's JSON; no value needs escaping.
func (r *Row) appendJSON(b []byte) []byte {
	b = append(b, `{"n":`...)
	b = strconv.AppendInt(b, int64(r.N), 10)
	b = append(b, `,"due_date":"`...)
	b = r.DueDate.AppendFormat(b, DateLayout)
	b = appendMoney(append(b, `","opening_balance":"`...), r.OpeningBalance)
	b = appendMoney(append(b, `","interest":"`...), r.Interest)
	b = appendMoney(append(b, `","iva":"`...), r.IVA)
	b = appendMoney(append(b, `","principal":"`...), r.Principal)
	b = appendMoney(append(b, `","payment":"`...), r.Payment)
	b = appendMoney(append(b, `","closing_balance":"`...), r.ClosingBalance)
	return append(b, `"}`...)
}

// appendMoney appends d with exactly two decimals, without allocating for
// the usual amounts (exponent −2, at most 18 digits).
func appendMoney(b []byte, d decimal.Decimal) []byte {
	if d.Exponent() != -2 || d.NumDigits() > 18 {
		return append(b, d.StringFixed(2)...)
	}
	c := d.CoefficientInt64()
	if c < 0 {
		b = append(b, '-')
		c = -c
	}
	b = strconv.AppendInt(b, c/100, 10)
	return append(b, '.', byte('0'+c%100/10), byte('0'+c%10))
}

// UnmarshalJSON decodes the shape MarshalJSON writes. Money must be
// decimal strings with at most two decimals; the date must be YYYY-MM-DD.
func (r *Row) UnmarshalJSON(b []byte) error {
	var w rowJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("amortization: decode row: %w", err)
	}
	d, err := time.Parse(DateLayout, w.DueDate)
	if err != nil {
		return fmt.Errorf("amortization: decode row %d due_date: %w", w.N, err)
	}
	out := Row{N: w.N, DueDate: d}
	for _, f := range []struct {
		name string
		s    string
		dst  *decimal.Decimal
	}{
		{"opening_balance", w.OpeningBalance, &out.OpeningBalance},
		{"interest", w.Interest, &out.Interest},
		{"iva", w.IVA, &out.IVA},
		{"principal", w.Principal, &out.Principal},
		{"payment", w.Payment, &out.Payment},
		{"closing_balance", w.ClosingBalance, &out.ClosingBalance},
	} {
		if *f.dst, err = parseMoney(f.s, 2); err != nil {
			return fmt.Errorf("amortization: decode row %d %s: %w", w.N, f.name, err)
		}
	}
	*r = out
	return nil
}

// parseMoney parses a plain decimal string (no exponent, no spaces) with
// at most places decimals, so that re-encoding cannot round it.
func parseMoney(s string, places int32) (decimal.Decimal, error) {
	if s == "" || strings.ContainsAny(s, "eE \t") {
		return decimal.Decimal{}, fmt.Errorf("invalid amount %q", s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, err
	}
	if !d.Equal(d.Truncate(places)) {
		return decimal.Decimal{}, fmt.Errorf("amount %q has more than %d decimals", s, places)
	}
	return d, nil
}

// MarshalJSON encodes the schedule as
// {"payment":"…","cat":"…","totals":{"interest":"…","iva":"…",
// "principal":"…","payment":"…"},"rows":[…]}: payment is the first
// period's payment including IVA, cat the percentage with one decimal.
// Inputs, LevelPayment and CommissionAmount are not part of this shape.
func (s Schedule) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 160+190*len(s.Rows))
	b = appendMoney(append(b, `{"payment":"`...), s.Payment)
	b = append(append(b, `","cat":"`...), s.CATString()...)
	b = appendMoney(append(b, `","totals":{"interest":"`...), s.Totals.Interest)
	b = appendMoney(append(b, `","iva":"`...), s.Totals.IVA)
	b = appendMoney(append(b, `","principal":"`...), s.Totals.Principal)
	b = appendMoney(append(b, `","payment":"`...), s.Totals.Payment)
	b = append(b, `"},"rows":[`...)
	for i := range s.Rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = s.Rows[i].appendJSON(b)
	}
	return append(b, "]}"...), nil
}

// UnmarshalJSON decodes the shape MarshalJSON writes into Payment, CAT,
// Totals and Rows; the other fields are left zero. Money may have at most
// two decimals and cat one, so that re-encoding never rounds.
func (s *Schedule) UnmarshalJSON(b []byte) error {
	var w scheduleJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("amortization: decode schedule: %w", err)
	}
	out := Schedule{Rows: w.Rows}
	var err error
	if out.CAT, err = parseMoney(w.CAT, 1); err != nil {
		return fmt.Errorf("amortization: decode schedule cat: %w", err)
	}
	for _, f := range []struct {
		name string
		s    string
		dst  *decimal.Decimal
	}{
		{"payment", w.Payment, &out.Payment},
		{"totals.interest", w.Totals.Interest, &out.Totals.Interest},
		{"totals.iva", w.Totals.IVA, &out.Totals.IVA},
		{"totals.principal", w.Totals.Principal, &out.Totals.Principal},
		{"totals.payment", w.Totals.Payment, &out.Totals.Payment},
	} {
		if *f.dst, err = parseMoney(f.s, 2); err != nil {
			return fmt.Errorf("amortization: decode schedule %s: %w", f.name, err)
		}
	}
	*s = out
	return nil
}

// csvHeader is the header line WriteCSV writes; a constant table, never mutated.
var csvHeader = [...]string{"n", "due_date", "opening_balance", "interest", "iva", "principal", "payment", "closing_balance"}

// WriteCSV writes the rows as CSV (comma-separated, CRLF-free, header
// csvHeader, money with two decimals and a dot) followed by a totals line
// whose n column is "total" and whose date and balance columns are empty.
func (s *Schedule) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader[:]); err != nil {
		return fmt.Errorf("amortization: write csv: %w", err)
	}
	rec := make([]string, len(csvHeader))
	for _, r := range s.Rows {
		rec[0] = strconv.Itoa(r.N)
		rec[1] = r.DueDate.Format(DateLayout)
		rec[2] = Money(r.OpeningBalance)
		rec[3] = Money(r.Interest)
		rec[4] = Money(r.IVA)
		rec[5] = Money(r.Principal)
		rec[6] = Money(r.Payment)
		rec[7] = Money(r.ClosingBalance)
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("amortization: write csv: %w", err)
		}
	}
	t := s.Totals
	if err := cw.Write([]string{"total", "", "", Money(t.Interest), Money(t.IVA), Money(t.Principal), Money(t.Payment), ""}); err != nil {
		return fmt.Errorf("amortization: write csv: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("amortization: write csv: %w", err)
	}
	return nil
}

// WriteTable writes a plain-text table for people: a summary (principal,
// rate, periods, frequency, method, payment, commission, CAT) then one
// right-aligned line per row and a totals line.
func (s *Schedule) WriteTable(w io.Writer) error {
	bw := bufio.NewWriter(w)
	in := s.Inputs
	fmt.Fprintf(bw, "Principal:   %s MXN\n", Money(in.Principal))
	fmt.Fprintf(bw, "Annual rate: %s%% (%s, %d periods, %s)\n", in.AnnualRate.Shift(2).String(), in.Frequency, in.Periods, in.Method)
	fmt.Fprintf(bw, "IVA rate:    %s%% on interest\n", in.IVARate.Shift(2).String())
	if in.Balloon.Sign() > 0 {
		fmt.Fprintf(bw, "Balloon:     %s MXN\n", Money(in.Balloon))
	}
	if s.CommissionAmount.Sign() > 0 {
		fmt.Fprintf(bw, "Commission:  %s MXN (%s%%)\n", Money(s.CommissionAmount), in.Commission.Shift(2).String())
	}
	fmt.Fprintf(bw, "Payment:     %s MXN (first period, IVA included)\n", Money(s.Payment))
	fmt.Fprintf(bw, "CAT:         %s%% sin IVA\n\n", s.CATString())

	const rowFmt = "%5s  %-10s  %16s  %14s  %12s  %16s  %16s  %16s\n"
	fmt.Fprintf(bw, rowFmt, "n", "due date", "opening", "interest", "iva", "principal", "payment", "closing")
	for _, r := range s.Rows {
		fmt.Fprintf(bw, rowFmt, strconv.Itoa(r.N), r.DueDate.Format(DateLayout),
			Money(r.OpeningBalance), Money(r.Interest), Money(r.IVA), Money(r.Principal), Money(r.Payment), Money(r.ClosingBalance))
	}
	t := s.Totals
	fmt.Fprintf(bw, rowFmt, "total", "", "", Money(t.Interest), Money(t.IVA), Money(t.Principal), Money(t.Payment), "")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("amortization: write table: %w", err)
	}
	return nil
}
