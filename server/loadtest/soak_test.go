package loadtest

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/odoo/odootest"
	"github.com/cmu-mx/cmu/providers/gnv"
	"github.com/cmu-mx/cmu/providers/gnv/gnvtest"
	"github.com/cmu-mx/cmu/server/app"
	"github.com/cmu-mx/cmu/webhooks"
	"github.com/shopspring/decimal"
)

// heapBound is the stated bound on the Go heap in use during the soak: the
// whole test process (server, fake Odoo, provider fakes, SQLite and the load
// generators) must stay under it.
const heapBound = 128 << 20

// faultPhase is one step of the fault schedule: the fault the fake Odoo
// applies to every call (nil = healthy) for d.
type faultPhase struct {
	name  string
	fault *odootest.Fault
	d     time.Duration
}

// soakSchedule is the fault cycle repeated until the soak ends: healthy,
// HTTP 503 on every call (3 s: longer than the odoo client's own retries of
// reads, about 1.4 s), healthy, then +1 s on every call.
func soakSchedule() []faultPhase {
	return []faultPhase{
		{"healthy", nil, 1500 * time.Millisecond},
		{"503", &odootest.Fault{Kind: odootest.HTTPStatus, Status: http.StatusServiceUnavailable}, 3 * time.Second},
		{"healthy", nil, 1000 * time.Millisecond},
		{"latency", &odootest.Fault{Kind: odootest.Latency, Delay: time.Second}, 1500 * time.Millisecond},
	}
}

// soakDuration is 10 s, 60 s with CMU_LOADTEST=1, or CMU_SOAK_DURATION.
func soakDuration(tb testing.TB) time.Duration {
	d := 10 * time.Second
	if full() {
		d = time.Minute
	}
	if s := os.Getenv("CMU_SOAK_DURATION"); s != "" {
		v, err := time.ParseDuration(s)
		if err != nil || v <= 0 {
			tb.Fatalf("CMU_SOAK_DURATION=%q: want a positive duration such as 2m", s)
		}
		d = v
	}
	return d
}

// soakStats are what the load generators saw.
type soakStats struct {
	mu sync.Mutex
	// accepted are the transaction ids of webhook deliveries answered 200.
	accepted []string
	// sent are every transaction id sent, acknowledged or not.
	sent                          []string
	webhookSends, webhookNotAcked int
	webhookStatus                 map[int]int
	webhookLat                    latencies
	pwaStatus                     map[int]int
	pwaErrors                     int
	pwaFirstErr                   error
	pwaLat                        latencies
}

// TestSoakOdooFaults keeps signed GNV webhooks and PWA calls flowing while
// the fake Odoo cycles through 503s and latency spikes, then checks that no
// acknowledged webhook was lost, that memory stayed bounded, and that the
// PWA recovers once Odoo is back.
func TestSoakOdooFaults(t *testing.T) {
	dur := soakDuration(t)
	// MinBackoff 1 s (production: 2 s): with DefaultMaxAttempts (10) a
	// delivery cannot reach its 10th attempt before ~255 s of failures, so a
	// soak of a few minutes dead-letters nothing unless processing is broken.
	e := newAppEnv(t, 200, app.Options{PollInterval: 100 * time.Millisecond, MinBackoff: time.Second})
	fo, gf := e.app.Dev.Odoo, e.app.Dev.GNV
	ctx := t.Context()

	var plates []string
	for _, id := range e.app.Dev.Seed.Clients[:30] {
		p, _ := fo.Get("res.partner", id)
		if s, _ := p["x_cmu_plates"].(string); s != "" {
			plates = append(plates, s)
		}
	}
	if len(plates) < 10 {
		t.Fatalf("only %d demo clients with plates", len(plates))
	}

	runtime.GC()
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	st := &soakStats{webhookStatus: map[int]int{}, pwaStatus: map[int]int{}}
	start := time.Now()
	end := start.Add(dur)

	// Memory sampler.
	var maxHeap, maxGoroutines atomic.Uint64
	samplerDone := make(chan struct{})
	stopSampler := make(chan struct{})
	go func() {
		defer close(samplerDone)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > maxHeap.Load() {
				maxHeap.Store(m.HeapInuse)
			}
			if g := uint64(runtime.NumGoroutine()); g > maxGoroutines.Load() {
				maxGoroutines.Store(g)
			}
			select {
			case <-stopSampler:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()

	// Fault schedule.
	phaseTime := map[string]time.Duration{}
	schedDone := make(chan struct{})
	go func() {
		defer close(schedDone)
		defer fo.ClearFaults()
		sched := soakSchedule()
		for i := 0; time.Now().Before(end); i++ {
			p := sched[i%len(sched)]
			fo.ClearFaults()
			if p.fault != nil {
				fo.InjectFault(*p.fault)
			}
			d := min(p.d, time.Until(end))
			phaseTime[p.name] += d
			select {
			case <-ctx.Done():
				return
			case <-time.After(d):
			}
		}
	}()

	var wg sync.WaitGroup
	whClient := loopbackClient(4, 20*time.Second)
	defer whClient.CloseIdleConnections()
	giveUp := end.Add(dur + 30*time.Second) // a delivery never acknowledged by then is reported
	for s := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; time.Now().Before(end) && ctx.Err() == nil; n++ {
				sendBatch(ctx, t, e, gf, whClient, st, plates, s, n, giveUp)
				time.Sleep(100 * time.Millisecond)
			}
		}()
	}
	pwaClient := loopbackClient(4, 30*time.Second)
	defer pwaClient.CloseIdleConnections()
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(end) && ctx.Err() == nil; i++ {
				path := fmt.Sprintf("/api/clients?page=%d&pageSize=20", 1+(g+i)%5)
				if i%2 == 1 {
					path = fmt.Sprintf("/api/clients/%d", e.app.Dev.Seed.Clients[(g*7+i)%len(e.app.Dev.Seed.Clients)])
				}
				t0 := time.Now()
				status, err := e.get(ctx, pwaClient, path, nil)
				st.mu.Lock()
				if err != nil {
					st.pwaErrors++
					if st.pwaFirstErr == nil {
						st.pwaFirstErr = fmt.Errorf("GET %s: %w", path, err)
					}
				} else {
					st.pwaStatus[status]++
					st.pwaLat = append(st.pwaLat, time.Since(t0))
				}
				st.mu.Unlock()
				time.Sleep(50 * time.Millisecond)
			}
		}()
	}
	<-schedDone
	recoveryStart := time.Now() // faults cleared
	wg.Wait()                   // the generators' calls in flight end
	inFlight := time.Since(recoveryStart)

	// Recovery: PWA calls succeed again.
	var firstOK time.Duration
	for {
		status, err := e.get(ctx, pwaClient, "/api/clients?page=1&pageSize=20", nil)
		if err == nil && status == http.StatusOK {
			firstOK = time.Since(recoveryStart)
			break
		}
		if time.Since(recoveryStart) > 30*time.Second {
			t.Fatalf("PWA calls still failing 30 s after Odoo recovered: %d %v", status, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for i := range 10 {
		path := fmt.Sprintf("/api/clients/%d", e.app.Dev.Seed.Clients[i])
		if status, err := e.get(ctx, pwaClient, path, nil); err != nil || status != http.StatusOK {
			t.Errorf("after recovery GET %s: %d %v", path, status, err)
		}
	}

	// Every acknowledged delivery is processed: its contributions exist.
	// A retry waits at most about as long as the failures before it, so the
	// backlog is bounded by the soak's duration.
	drainBy := recoveryStart.Add(dur + 20*time.Second)
	var (
		lines   map[string]int
		counts  map[webhooks.State]int64
		missing []string
	)
	for {
		lines = contributionCounts(fo)
		counts = inboxCounts(ctx, t, e.app.Inbox)
		missing = missing[:0]
		for _, tx := range st.accepted {
			if lines[tx] == 0 {
				missing = append(missing, tx)
			}
		}
		if len(missing) == 0 && counts[webhooks.StatePending] == 0 && counts[webhooks.StateProcessing] == 0 {
			break
		}
		if time.Now().After(drainBy) {
			t.Fatalf("%v after Odoo recovered: %d acknowledged contributions missing (e.g. %v), inbox %v",
				time.Since(recoveryStart).Round(time.Millisecond), len(missing), missing[:min(5, len(missing))], counts)
		}
		time.Sleep(200 * time.Millisecond)
	}
	drained := time.Since(recoveryStart)
	close(stopSampler)
	<-samplerDone
	runtime.GC()
	var ms1 runtime.MemStats
	runtime.ReadMemStats(&ms1)

	retried, maxAttempts := retriedDeliveries(ctx, t, e.app.Inbox)
	if retried == 0 {
		t.Error("no delivery needed a second attempt: the faults never reached webhook processing")
	}
	if counts[webhooks.StateDead] != 0 {
		t.Errorf("%d deliveries dead-lettered", counts[webhooks.StateDead])
	}
	var dup []string
	for _, tx := range st.sent {
		if lines[tx] > 1 {
			dup = append(dup, fmt.Sprintf("%s×%d", tx, lines[tx]))
		}
	}
	if len(dup) > 0 {
		t.Errorf("contributions recorded more than once: %v", dup)
	}
	if len(st.accepted) == 0 {
		t.Error("no webhook was acknowledged during the soak")
	}
	if st.pwaErrors > 0 {
		t.Errorf("%d PWA calls failed without an HTTP answer, first: %v", st.pwaErrors, st.pwaFirstErr)
	}
	for status := range st.pwaStatus {
		switch status {
		case http.StatusOK, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		default:
			t.Errorf("%d PWA calls answered %d during the soak", st.pwaStatus[status], status)
		}
	}
	if st.pwaStatus[http.StatusOK] == 0 {
		t.Error("no PWA call succeeded during the soak's healthy phases")
	}
	if h := maxHeap.Load(); h > heapBound {
		t.Errorf("heap in use reached %d MiB, bound %d MiB", h>>20, heapBound>>20)
	}
	if st.webhookNotAcked > 0 {
		t.Errorf("%d webhook deliveries were never acknowledged", st.webhookNotAcked)
	}

	pl, wl := st.pwaLat.sorted(), st.webhookLat.sorted()
	t.Logf("RESULT soak duration=%v phases=%v webhooks: sends=%d acknowledged-deliveries=%d records=%d statuses=%v ack p50=%s p99=%s; "+
		"processed all %d acknowledged records %v after recovery, deliveries retried=%d (max attempts %d), dead=%d, duplicates=%d; "+
		"PWA: calls=%d statuses=%v p50=%s p99=%s max=%s, first 200 %v after the faults were cleared (generators' calls in flight ended after %v); "+
		"heap in use: before %d MiB, max %d MiB (bound %d MiB), after GC %d MiB, max goroutines %d",
		dur, phaseSummary(phaseTime), st.webhookSends, len(st.accepted)/3, len(st.accepted), statusSummary(st.webhookStatus), ms(wl.percentile(50)), ms(wl.percentile(99)),
		len(st.accepted), drained.Round(time.Millisecond), retried, maxAttempts, counts[webhooks.StateDead], len(dup),
		len(st.pwaLat)+st.pwaErrors, statusSummary(st.pwaStatus), ms(pl.percentile(50)), ms(pl.percentile(99)), ms(pl.percentile(100)), firstOK.Round(time.Millisecond), inFlight.Round(time.Millisecond),
		ms0.HeapInuse>>20, maxHeap.Load()>>20, heapBound>>20, ms1.HeapInuse>>20, maxGoroutines.Load())
}

// sendBatch sends GNV batch n of sender s (three records of known plates)
// until the server acknowledges it with 200, retrying as the network does,
// or until giveUp.
func sendBatch(ctx context.Context, t *testing.T, e *appEnv, gf *gnvtest.Server, hc *http.Client, st *soakStats, plates []string, s, n int, giveUp time.Time) {
	at := time.Now().UTC().Truncate(time.Second)
	b := gnv.Batch{BatchID: fmt.Sprintf("SOAK-%d-%d", s, n), Date: at.Format(time.DateOnly)}
	var txs []string
	for k := range 3 {
		id := fmt.Sprintf("S%d-%d-%d", s, n, k)
		b.Records = append(b.Records, gnv.Record{TransactionID: id, RawPlates: plates[(n*3+k+s)%len(plates)], StationID: "EST042",
			Litres: decimal.RequireFromString("10.000"), SurchargeCollected: decimal.RequireFromString("15.00"), OccurredAt: at})
		txs = append(txs, "gnv:"+id)
	}
	d, err := gf.SignedDelivery(fmt.Sprintf("soak-%d-%d", s, n), b)
	if err != nil {
		t.Error(err)
		return
	}
	st.mu.Lock()
	st.sent = append(st.sent, txs...)
	st.mu.Unlock()
	for {
		t0 := time.Now()
		status := 0
		resp, err := d.Send(ctx, hc, e.url+"/api/gnv/webhook/consumption")
		if err == nil {
			status = resp.StatusCode
			drain(resp)
			resp.Body.Close()
		}
		st.mu.Lock()
		st.webhookSends++
		st.webhookStatus[status]++
		if status == http.StatusOK {
			st.accepted = append(st.accepted, txs...)
			st.webhookLat = append(st.webhookLat, time.Since(t0))
		}
		st.mu.Unlock()
		if status == http.StatusOK {
			return
		}
		if time.Now().After(giveUp) || ctx.Err() != nil {
			st.mu.Lock()
			st.webhookNotAcked++
			st.mu.Unlock()
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// contributionCounts counts the soak's contributions in the fake Odoo by
// transaction id.
func contributionCounts(fo *odootest.Server) map[string]int {
	out := map[string]int{}
	for _, r := range fo.Records("account.analytic.line") {
		if tx, _ := r["x_cmu_transaction_id"].(string); strings.HasPrefix(tx, "gnv:S") {
			out[tx]++
		}
	}
	return out
}

// retriedDeliveries counts the GNV deliveries that took more than one
// attempt, and the most attempts one took.
func retriedDeliveries(ctx context.Context, tb testing.TB, in *webhooks.SQLStore) (retried, maxAttempts int) {
	tb.Helper()
	var after int64
	for {
		ds, err := in.List(ctx, webhooks.ListOptions{Provider: "gnv", AfterID: after, Limit: 500})
		if err != nil {
			tb.Fatal(err)
		}
		if len(ds) == 0 {
			return retried, maxAttempts
		}
		for _, d := range ds {
			if d.Attempts > 1 {
				retried++
			}
			maxAttempts = max(maxAttempts, d.Attempts)
			after = d.ID
		}
	}
}

// inboxCounts sums the inbox's deliveries by state.
func inboxCounts(ctx context.Context, tb testing.TB, in *webhooks.SQLStore) map[webhooks.State]int64 {
	tb.Helper()
	cs, err := in.Counts(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[webhooks.State]int64{}
	for _, c := range cs {
		out[c.State] += c.N
	}
	return out
}

func phaseSummary(m map[string]time.Duration) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s=%v", k, v.Round(100*time.Millisecond)))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func statusSummary(m map[int]int) string {
	var parts []string
	for k, v := range m {
		name := fmt.Sprint(k)
		if k == 0 {
			name = "no-answer"
		}
		parts = append(parts, fmt.Sprintf("%s×%d", name, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}
