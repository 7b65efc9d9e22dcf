package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/server"
	"github.com/cmu-mx/cmu/server/app"
)

// seededClients is the size of the demo database GET /api/clients is
// measured on.
const seededClients = 10_000

// listPage gets one page of clients and checks its shape.
func (e *appEnv) listPage(ctx context.Context, hc *http.Client, page, size int) (*server.ClientPage, error) {
	var p server.ClientPage
	status, err := e.get(ctx, hc, fmt.Sprintf("/api/clients?page=%d&pageSize=%d", page, size), func(r *http.Response) error {
		return json.NewDecoder(r.Body).Decode(&p)
	})
	if err != nil {
		return nil, fmt.Errorf("page %d of %d: %w", page, size, err)
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("page %d of %d: status %d", page, size, status)
	}
	return &p, nil
}

// TestListClientsLoad measures GET /api/clients (pages of 50) over 10,000
// demo clients in the fake Odoo: Odoo calls per request (constant whatever
// the page and its size), then requests/s and latency percentiles with
// concurrent callers for a fixed duration.
func TestListClientsLoad(t *testing.T) {
	concs, dur := []int{4}, 3*time.Second
	if full() {
		concs, dur = []int{1, 4, 16}, 15*time.Second
	}
	t0 := time.Now()
	e := newAppEnv(t, seededClients, app.Options{})
	t.Logf("built and seeded %d demo clients in %v", seededClients, time.Since(t0).Round(time.Millisecond))
	fo := e.app.Dev.Odoo
	ctx := t.Context()
	hc := loopbackClient(16, 30*time.Second)
	defer hc.CloseIdleConnections()

	// The first list resolves CMu's plans, stages and journals once.
	if _, err := e.listPage(ctx, hc, 1, 50); err != nil {
		t.Fatal(err)
	}
	perRequest := -1
	for _, c := range []struct{ page, size int }{
		{1, 50}, {2, 50}, {100, 50}, {seededClients / 50, 50}, // first, middle, last page of 50
		{1, 1}, {seededClients, 1}, {1, 200}, {seededClients / 200, 200},
	} {
		fo.ResetCalls()
		p, err := e.listPage(ctx, hc, c.page, c.size)
		if err != nil {
			t.Fatal(err)
		}
		calls := fo.TotalCalls()
		if len(p.Items) != c.size || p.Total != seededClients || p.Page != c.page {
			t.Errorf("page %d of %d: %d items, total %d, page %d", c.page, c.size, len(p.Items), p.Total, p.Page)
		}
		if perRequest < 0 {
			perRequest = calls
		}
		if calls != perRequest {
			t.Errorf("page %d of %d made %d Odoo calls, page 1 of 50 made %d", c.page, c.size, calls, perRequest)
		}
	}
	t.Logf("Odoo calls per GET /api/clients: %d for pages 1, 2, 100 and 200 of 50, 1 and 10,000 of 1, 1 and 50 of 200", perRequest)

	for _, conc := range concs {
		fo.ResetCalls()
		odoo0 := odooSeconds(t, e.srv.Metrics())
		r := driveList(ctx, e, hc, conc, dur)
		odoo1 := odooSeconds(t, e.srv.Metrics())
		odooPer := func(method string) time.Duration {
			return time.Duration((odoo1[method] - odoo0[method]) / float64(max(r.n, 1)) * float64(time.Second))
		}
		var byMethod []string
		for m := range odoo1 {
			if m != "" && odooPer(m) > 0 {
				byMethod = append(byMethod, fmt.Sprintf("%s=%s", m, ms(odooPer(m))))
			}
		}
		slices.Sort(byMethod)
		if r.errs > 0 {
			t.Errorf("concurrency %d: %d of %d requests failed, first: %v", conc, r.errs, r.n+r.errs, r.firstErr)
		}
		if r.n == 0 {
			t.Fatalf("concurrency %d: no request completed in %v", conc, dur)
		}
		calls := fo.TotalCalls()
		if calls != r.n*perRequest {
			t.Errorf("concurrency %d: %d Odoo calls for %d requests, want %d each", conc, calls, r.n, perRequest)
		}
		lat := r.lat.sorted()
		t.Logf("RESULT list-clients clients=%d pageSize=50 concurrency=%d duration=%v requests=%d rps=%.1f p50=%s p99=%s max=%s mean=%s "+
			"odoo-calls/request=%.2f time-in-odoo-calls/request=%s (%s)",
			seededClients, conc, r.elapsed.Round(time.Millisecond), r.n, float64(r.n)/r.elapsed.Seconds(),
			ms(lat.percentile(50)), ms(lat.percentile(99)), ms(lat.percentile(100)), ms(lat.mean()), float64(calls)/float64(r.n), ms(odooPer("")), strings.Join(byMethod, " "))
	}
}

// odooSeconds is the time the server spent in Odoo calls as its metrics
// recorded it (cmu_odoo_call_duration_seconds), by method and in total
// (key "").
func odooSeconds(tb testing.TB, m *server.Metrics) map[string]float64 {
	tb.Helper()
	mfs, err := m.Registry().Gather()
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "cmu_odoo_call_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			v := m.GetHistogram().GetSampleSum()
			out[""] += v
			for _, l := range m.GetLabel() {
				if l.GetName() == "method" {
					out[l.GetValue()] += v
				}
			}
		}
	}
	return out
}

// listRun is the outcome of driveList.
type listRun struct {
	n, errs  int
	firstErr error
	lat      latencies
	elapsed  time.Duration
}

// driveList runs conc callers asking for pages of 50 (spread over the 200
// pages) until dur has passed, and collects their latencies.
func driveList(ctx context.Context, e *appEnv, hc *http.Client, conc int, dur time.Duration) listRun {
	var (
		mu  sync.Mutex
		out listRun
		wg  sync.WaitGroup
	)
	t0 := time.Now()
	stop := t0.Add(dur)
	for g := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat latencies
			var n, errs int
			var first error
			for i := 0; time.Now().Before(stop); i++ {
				page := 1 + (g*53+i*7)%(seededClients/50)
				r0 := time.Now()
				_, err := e.listPage(ctx, hc, page, 50)
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				lat = append(lat, time.Since(r0))
				n++
			}
			mu.Lock()
			defer mu.Unlock()
			out.n += n
			out.errs += errs
			out.lat = append(out.lat, lat...)
			if out.firstErr == nil {
				out.firstErr = first
			}
		}()
	}
	wg.Wait()
	out.elapsed = time.Since(t0)
	return out
}
