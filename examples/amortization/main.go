// Command amortization prints an amortization schedule with its CAT, the
// way finance checks it against their spreadsheets.
//
//	go run ./examples/amortization --principal 250000 --annual-rate 0.36 --periods 156 \
//	  --frequency weekly --method french --iva 0.16 [--balloon 0] [--commission 0.02] \
//	  --start 2026-01-05 --format json|csv|table|xlsx [--out FILE]
//
// Rates are fractions (0.36 = 36 %). --principal, --annual-rate, --periods,
// --frequency and --start are required; --method defaults to french, --iva
// to 0.16, --balloon and --commission to 0, --format to table. Output goes
// to standard output, or to the file named by --out (any format; for xlsx
// without --out the workbook's bytes go to standard output, so redirect
// them: > tabla.xlsx).
//
// With --format json it prints exactly one JSON object:
// {"payment","cat","totals":{"interest","iva","principal","payment"},
// "rows":[{"n","due_date","opening_balance","interest","iva","principal",
// "payment","closing_balance"}…]} with money as strings.
//
// Bad input (a negative principal or rate, zero periods, an unknown
// frequency, method or format, an impossible start date, a balloon not
// below the principal, a malformed number…) prints a message per problem on
// standard error and exits with status 2.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/amortization"
	"github.com/cmu-mx/cmu/amortization/xlsx"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// flagName maps amortization's field names to this command's flags.
func flagName(field string) string {
	switch field {
	case "annual_rate":
		return "--annual-rate"
	case "iva_rate":
		return "--iva"
	case "cat":
		return "CAT"
	}
	return "--" + field
}

// run is the whole program; it returns the exit status: 0 on success, 1 if
// the output cannot be written, 2 on bad input.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("amortization", flag.ContinueOnError)
	fs.SetOutput(stderr)
	principal := fs.String("principal", "", "amount financed in MXN, e.g. 250000 (required)")
	rate := fs.String("annual-rate", "", "annual nominal rate as a fraction, e.g. 0.36 (required)")
	periods := fs.Int("periods", 0, "number of payments (required)")
	frequency := fs.String("frequency", "", "weekly, catorcenal, quincenal or monthly (required)")
	method := fs.String("method", "french", "french, german or flat")
	iva := fs.String("iva", "0.16", "IVA rate on interest as a fraction")
	balloon := fs.String("balloon", "0", "residual owed after the last period, MXN")
	commission := fs.String("commission", "0", "opening commission as a fraction of the principal")
	start := fs.String("start", "", "disbursement date YYYY-MM-DD (required)")
	format := fs.String("format", "table", "json, csv, table or xlsx")
	out := fs.String("out", "", "write to this file instead of standard output")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}

	var problems []string
	flagged := map[string]bool{} // flags that already have a problem
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	if fs.NArg() > 0 {
		bad("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	num := func(name, s string, required bool) decimal.Decimal {
		if s == "" {
			if required {
				bad("--%s is required", name)
				flagged["--"+name] = true
			}
			return decimal.Decimal{}
		}
		d, err := decimal.NewFromString(s)
		if err != nil || strings.ContainsAny(s, "eE") {
			bad("--%s: %q is not a decimal number", name, s)
			flagged["--"+name] = true
			return decimal.Decimal{}
		}
		return d
	}
	in := amortization.Inputs{
		Principal:  num("principal", *principal, true),
		AnnualRate: num("annual-rate", *rate, true),
		Periods:    *periods,
		IVARate:    num("iva", *iva, false),
		Balloon:    num("balloon", *balloon, false),
		Commission: num("commission", *commission, false),
	}
	if *frequency == "" {
		bad("--frequency is required (weekly, catorcenal, quincenal or monthly)")
	} else if f, err := amortization.ParseFrequency(*frequency); err != nil {
		bad("--frequency: unknown frequency %q (want weekly, catorcenal, quincenal or monthly)", *frequency)
	} else {
		in.Frequency = f
	}
	if m, err := amortization.ParseMethod(*method); err != nil {
		bad("--method: unknown method %q (want french, german or flat)", *method)
	} else {
		in.Method = m
	}
	if *start == "" {
		bad("--start is required (YYYY-MM-DD)")
	} else if t, err := time.Parse(amortization.DateLayout, *start); err != nil {
		bad("--start: %q is not a valid date YYYY-MM-DD", *start)
	} else {
		in.Start = t
	}
	switch *format {
	case "json", "csv", "table", "xlsx":
	default:
		bad("--format: unknown format %q (want json, csv, table or xlsx)", *format)
	}
	for _, name := range []string{"--frequency", "--method", "--start"} {
		flagged[name] = true // reported above when bad
	}
	if len(problems) > 0 {
		// Add the range errors of the fields that did parse.
		var ie *amortization.InputError
		if errors.As(in.Validate(), &ie) {
			for _, f := range ie.Fields {
				if !flagged[flagName(f.Field)] {
					problems = append(problems, flagName(f.Field)+": "+f.Message)
				}
			}
		}
		return usageError(stderr, problems)
	}

	s, err := amortization.New(in)
	if err != nil {
		var ie *amortization.InputError
		if !errors.As(err, &ie) {
			fmt.Fprintln(stderr, "amortization:", err)
			return 1
		}
		for _, f := range ie.Fields {
			problems = append(problems, flagName(f.Field)+": "+f.Message)
		}
		return usageError(stderr, problems)
	}

	w := stdout
	var file *os.File
	if *out != "" {
		if file, err = os.Create(*out); err != nil {
			fmt.Fprintln(stderr, "amortization:", err)
			return 1
		}
		w = file
	}
	err = write(w, s, *format)
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "amortization:", err)
		return 1
	}
	return 0
}

func usageError(stderr io.Writer, problems []string) int {
	for _, p := range problems {
		fmt.Fprintln(stderr, "amortization:", p)
	}
	fmt.Fprintln(stderr, "run with -h for usage")
	return 2
}

func write(w io.Writer, s *amortization.Schedule, format string) error {
	switch format {
	case "json":
		b, err := json.Marshal(s)
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	case "csv":
		return s.WriteCSV(w)
	case "xlsx":
		return xlsx.Write(w, s)
	default:
		return s.WriteTable(w)
	}
}
