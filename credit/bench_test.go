package credit_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/cmu-mx/cmu/credit"
)

// BenchmarkAnalyze runs the whole analysis over loopback HTTP against the
// KIBAN and HASE fakes: the orchestration overhead, not the providers' latency.
func BenchmarkAnalyze(b *testing.B) {
	e := setup(b, 0)
	ap := applicant(e)
	b.ReportAllocs()
	for b.Loop() {
		if d, err := e.analyzer.Analyze(b.Context(), ap); err != nil || d.Status != credit.Aprobado {
			b.Fatal(d.Status, err)
		}
	}
}

// BenchmarkAnalyzeBaseline is the network floor for BenchmarkAnalyze: one plain
// POST to each fake (answered with an error body, no client logic).
func BenchmarkAnalyzeBaseline(b *testing.B) {
	e := setup(b, 0)
	hc := &http.Client{}
	b.ReportAllocs()
	for b.Loop() {
		for _, u := range []string{e.kiban.URL + "/api/v2/bc_pf_by_kiban/query", e.hase.URL + "/score"} {
			resp, err := hc.Post(u, "application/json", bytes.NewReader([]byte(`{}`)))
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
}
