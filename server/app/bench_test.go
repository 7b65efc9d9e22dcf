package app

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"
)

// BenchmarkListClients measures GET /api/clients (pages of 50 over 10,000
// demo clients) over loopback HTTP through the real adapters and the fake
// Odoo, reporting p99 latency and Odoo calls per request.
func BenchmarkListClients(b *testing.B) {
	e := newEnvClients(b, 10000)
	fo := e.app.Dev.Odoo
	get := func(page int) {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/clients?page=%d&pageSize=50", e.url, page), nil)
		req.Header.Set("Authorization", "Bearer "+e.token)
		resp, err := e.hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	get(1)
	fo.ResetCalls()
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		get(1 + i%200)
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(fo.TotalCalls())/float64(b.N), "odoo-calls/op")
}
