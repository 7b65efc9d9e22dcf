// Command quote builds a quote for each demo product package (both
// markets) and writes its PDF and JSON document.
//
//	go run ./examples/quote [--dir ./quotes] [--start 2026-01-05]
//
// Files go to --dir (default ./quotes, created if missing), one
// <folio>.pdf and <folio>.json per package; the paths and each quote's
// payment and CAT are printed on standard output. Each quote takes the
// package's required and optional components, the minimum down payment
// and the middle allowed term. --start fixes the disbursement date (and
// so the folio); by default it is today. Bad flags exit with status 2.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/cmu-mx/cmu/cotizador"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, time.Now))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, now func() time.Time) int {
	fs := flag.NewFlagSet("quote", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "quotes", "directory to write the PDFs and JSON documents to")
	start := fs.String("start", "", "disbursement date YYYY-MM-DD (default today)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "quote: unexpected arguments:", fs.Args())
		return 2
	}
	var startDate time.Time
	if *start != "" {
		t, err := time.Parse(time.DateOnly, *start)
		if err != nil {
			fmt.Fprintf(stderr, "quote: --start: %q is not a valid date YYYY-MM-DD\n", *start)
			return 2
		}
		startDate = t
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintln(stderr, "quote:", err)
		return 1
	}
	c := &cotizador.Cotizador{Packages: cotizador.DemoSource{}, Now: now}
	for _, pkg := range cotizador.DemoPackages() {
		req := cotizador.Request{
			Market: pkg.Market,
			Client: cotizador.Client{Name: "Cliente de demostración " + pkg.Market.DisplayName()},
			Term:   pkg.Terms[len(pkg.Terms)/2],
			Start:  startDate,
		}
		for _, comp := range pkg.Components {
			if !comp.Required {
				req.Components = append(req.Components, comp.Code)
			}
		}
		// The minimum down payment on everything chosen.
		var subtotal = cotizador.Subtotal(pkg, req.Components)
		req.DownPayment = cotizador.MinDownPayment(pkg, subtotal)
		q, err := c.Quote(ctx, req)
		if err != nil {
			fmt.Fprintln(stderr, "quote:", err)
			return 1
		}
		base := filepath.Join(*dir, q.Folio)
		if err := writeFiles(base, q); err != nil {
			fmt.Fprintln(stderr, "quote:", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s: %s, %d pagos %s de %s MXN, CAT %s%% → %s.pdf\n", pkg.Market, pkg.Name, q.Request.Term,
			pkg.Frequency, cotizador.FormatMXN(q.Schedule.Payment), q.Schedule.CATString(), base)
	}
	return 0
}

func writeFiles(base string, q *cotizador.Quote) error {
	f, err := os.Create(base + ".pdf")
	if err != nil {
		return err
	}
	if err := cotizador.WritePDF(f, q, nil); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	doc, err := json.MarshalIndent(q, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(base+".json", append(doc, '\n'), 0o644)
}
