package cotizador_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/cmu-mx/cmu/cotizador"
)

// BenchmarkQuote prices the Edomex demo package over 156 weeks: rules,
// schedule and CAT. quotes/s is reported per core.
func BenchmarkQuote(b *testing.B) {
	pkg := edomex(b)
	req := edomexRequest()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cotizador.NewQuote(pkg, req, created); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "quotes/s")
}

// BenchmarkVerifyQuote is the save-time check: recompute and compare.
func BenchmarkVerifyQuote(b *testing.B) {
	q := mustQuote(b)
	raw, _ := json.Marshal(q)
	var decoded cotizador.Quote
	if err := json.Unmarshal(raw, &decoded); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := cotizador.VerifyQuote(ctx, cotizador.DemoSource{}, &decoded); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "quotes/s")
}

// BenchmarkQuotePDF renders the 156-row quote PDF.
func BenchmarkQuotePDF(b *testing.B) {
	q := mustQuote(b)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := cotizador.WritePDF(&buf, q, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pdfs/s")
}

// BenchmarkQuoteJSON encodes the quote document.
func BenchmarkQuoteJSON(b *testing.B) {
	q := mustQuote(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := json.NewEncoder(io.Discard).Encode(q); err != nil {
			b.Fatal(err)
		}
	}
}
