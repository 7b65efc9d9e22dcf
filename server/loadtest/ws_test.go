package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/server"
	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"
)

// probe is the data of a measured event: its sequence number and the
// publishing time, so that each client computes the event-to-delivery
// latency on the same clock.
type probe struct {
	Seq    int    `json:"seq"`
	SentAt int64  `json:"sentAt"` // Unix ns
	Pad    string `json:"pad,omitempty"`
}

// wsEnv is server.NewServer (GET /ws, default hub options: queue 16, 5 s
// write timeout) behind a real loopback listener.
type wsEnv struct {
	srv   *server.Server
	hub   *server.Hub
	wsURL string
	// dialer opens plain client connections; slowDialer shrinks their
	// receive buffers.
	dialer, slowDialer *http.Client
}

func newWSEnv(tb testing.TB) *wsEnv {
	tb.Helper()
	m := server.NewMetrics()
	hub := server.NewHub(server.HubOptions{Metrics: m})
	srv, err := server.NewServer(server.Config{Mode: server.ModeDevelopment, JWTSecret: testSecret}, server.Deps{Hub: hub, Metrics: m})
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	tb.Cleanup(hs.Close)
	tb.Cleanup(hub.Close)
	plain := &http.Transport{DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}
	slow := &http.Transport{DialContext: (&net.Dialer{Timeout: 5 * time.Second, Control: smallReceiveBuffer}).DialContext}
	tb.Cleanup(plain.CloseIdleConnections)
	tb.Cleanup(slow.CloseIdleConnections)
	return &wsEnv{srv: srv, hub: hub, wsURL: "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws",
		dialer: &http.Client{Transport: plain}, slowDialer: &http.Client{Transport: slow}}
}

// tracker counts, per event, how many of the expected clients received it.
type tracker struct {
	want   int32
	counts []atomic.Int32
	done   []chan struct{}
}

func newTracker(events, want int) *tracker {
	t := &tracker{want: int32(want), counts: make([]atomic.Int32, events), done: make([]chan struct{}, events)}
	for i := range t.done {
		t.done[i] = make(chan struct{})
	}
	return t
}

func (t *tracker) received(seq int) {
	if seq < 0 || seq >= len(t.counts) {
		return
	}
	if t.counts[seq].Add(1) == t.want {
		close(t.done[seq])
	}
}

// wsClient is one connected advisor that records what it receives.
type wsClient struct {
	c    *websocket.Conn
	seqs []int
	lat  []time.Duration
	err  error
	bad  string // first malformed message
	done chan struct{}
}

// read records every event until the connection ends.
func (cl *wsClient) read(ctx context.Context, tr *tracker) {
	defer close(cl.done)
	for {
		_, b, err := cl.c.Read(ctx)
		now := time.Now()
		if err != nil {
			cl.err = err
			return
		}
		var ev struct {
			Type string `json:"type"`
			Data probe  `json:"data"`
		}
		if err := json.Unmarshal(b, &ev); err != nil || ev.Type != server.EventNotificationNew {
			if cl.bad == "" {
				cl.bad = fmt.Sprintf("%.80s (%v)", b, err)
			}
			continue
		}
		cl.seqs = append(cl.seqs, ev.Data.Seq)
		cl.lat = append(cl.lat, now.Sub(time.Unix(0, ev.Data.SentAt)))
		tr.received(ev.Data.Seq)
	}
}

// connect dials n advisors named prefix-i (at most 32 handshakes at once).
// Clients with a reader record into tr.
func (e *wsEnv) connect(tb testing.TB, ctx context.Context, prefix string, n int, hc *http.Client, tr *tracker) []*wsClient {
	tb.Helper()
	out := make([]*wsClient, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			tok, err := e.srv.Authenticator().Sign(server.Claims{Name: prefix, RegisteredClaims: jwt.RegisteredClaims{Subject: fmt.Sprintf("%s-%d", prefix, i)}}, time.Hour)
			if err != nil {
				errs <- err
				return
			}
			dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			c, _, err := websocket.Dial(dctx, e.wsURL, &websocket.DialOptions{HTTPClient: hc,
				HTTPHeader: http.Header{"Authorization": {"Bearer " + tok}}})
			if err != nil {
				errs <- fmt.Errorf("dial %s-%d: %w", prefix, i, err)
				return
			}
			cl := &wsClient{c: c, done: make(chan struct{})}
			out[i] = cl
			if tr != nil {
				go cl.read(ctx, tr)
			} else {
				close(cl.done)
			}
		}()
	}
	wg.Wait()
	close(errs)
	tb.Cleanup(func() {
		for _, cl := range out {
			if cl != nil {
				cl.c.CloseNow()
				<-cl.done
			}
		}
	})
	for err := range errs {
		tb.Fatal(err)
	}
	return out
}

// waitClients waits until the hub counts n connections.
func waitClients(tb testing.TB, hub *server.Hub, n int, within time.Duration) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for hub.Clients() != n {
		if time.Now().After(deadline) {
			tb.Fatalf("hub has %d clients, want %d after %v", hub.Clients(), n, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// publish publishes event seq to every connected advisor and waits until
// every tracked client has it, returning how long that took.
func publish(tb testing.TB, ctx context.Context, hub *server.Hub, tr *tracker, seq int, within time.Duration) time.Duration {
	tb.Helper()
	t0 := time.Now()
	if err := hub.Publish(ctx, server.Event{Type: server.EventNotificationNew, Data: probe{Seq: seq, SentAt: t0.UnixNano()}}); err != nil {
		tb.Fatal(err)
	}
	select {
	case <-tr.done[seq]:
		return time.Since(t0)
	case <-time.After(within):
		tb.Fatalf("event %d reached %d of %d clients in %v", seq, tr.counts[seq].Load(), tr.want, within)
	}
	return 0
}

// checkAll asserts every client received exactly events first..last-1, in
// order, and returns the latencies of those events.
func checkAll(tb testing.TB, cls []*wsClient, first, last int) latencies {
	tb.Helper()
	var all latencies
	bad := 0
	for i, cl := range cls {
		var got []int
		var lat []time.Duration
		for j, s := range cl.seqs {
			if s >= first && s < last {
				got = append(got, s)
				lat = append(lat, cl.lat[j])
			}
		}
		ok := len(got) == last-first
		for j := 0; ok && j < len(got); j++ {
			ok = got[j] == first+j
		}
		if !ok || cl.bad != "" {
			bad++
			var err error
			select {
			case <-cl.done: // the reader stopped: its error is final
				err = cl.err
			default:
			}
			if bad <= 3 {
				tb.Errorf("client %d received events %v (want %d..%d in order), malformed %q, read error %v", i, got, first, last-1, cl.bad, err)
			}
		}
		all = append(all, lat...)
	}
	if bad > 0 {
		tb.Errorf("%d of %d clients missed, repeated or reordered events", bad, len(cls))
	}
	return all.sorted()
}

// TestWebSocketFanout connects advisors to GET /ws, publishes paced events
// and checks that every client receives every event, measuring the
// event-to-delivery latency; then slow clients that never read are flooded
// and must be dropped without delaying the others.
func TestWebSocketFanout(t *testing.T) {
	n, events, slow, probes := 200, 30, 2, 20
	if full() {
		n, events, slow, probes = 2000, 100, 4, 40
	}
	ensureFDs(t, uint64(2*(n+slow)+512))
	e := newWSEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	tr := newTracker(events+probes, n)

	t0 := time.Now()
	fast := e.connect(t, ctx, "fast", n, e.dialer, tr)
	waitClients(t, e.hub, n, 30*time.Second)
	connectTime := time.Since(t0)

	// Phase 1: paced events to every client.
	var fanout latencies
	for seq := range events {
		fanout = append(fanout, publish(t, ctx, e.hub, tr, seq, 30*time.Second))
	}
	lat := checkAll(t, fast, 0, events)
	fanout = fanout.sorted()
	t.Logf("RESULT websocket clients=%d events=%d connect=%v deliveries=%d latency p50=%s p99=%s max=%s; all-clients fan-out p50=%s p99=%s",
		n, events, connectTime.Round(time.Millisecond), len(lat), ms(lat.percentile(50)), ms(lat.percentile(99)), ms(lat.percentile(100)),
		ms(fanout.percentile(50)), ms(fanout.percentile(99)))

	// Phase 2: slow clients (tiny receive buffer, never read) are flooded with
	// 64 KiB events addressed to them alone, 8 between probes to everyone: at
	// least 10 MiB per slow client, more than a loopback socket buffers
	// (tcp_wmem max 4 MiB here) plus the hub's queue.
	slowIDs := make([]string, slow)
	for i := range slowIDs {
		slowIDs[i] = fmt.Sprintf("slow-%d", i)
	}
	e.connect(t, ctx, "slow", slow, e.slowDialer, nil)
	waitClients(t, e.hub, n+slow, 10*time.Second)
	pad := strings.Repeat("x", 64<<10)
	for seq := events; seq < events+probes; seq++ {
		for range 8 {
			if err := e.hub.Publish(ctx, server.Event{Type: server.EventNotificationNew, AdvisorIDs: slowIDs, Data: probe{Seq: -1, Pad: pad}}); err != nil {
				t.Fatal(err)
			}
		}
		publish(t, ctx, e.hub, tr, seq, 30*time.Second)
	}
	waitClients(t, e.hub, n, 10*time.Second) // the slow ones were dropped, the others kept
	during := checkAll(t, fast, events, events+probes)
	t.Logf("RESULT websocket-slow clients=%d slow=%d probes=%d latency-with-slow-clients p50=%s p99=%s max=%s (slow clients dropped: %d)",
		n, slow, probes, ms(during.percentile(50)), ms(during.percentile(99)), ms(during.percentile(100)), slow)
	// A hub that waited on a blocked client would hold each probe for the
	// write timeout (5 s).
	if p := during.percentile(99); p > 2500*time.Millisecond {
		t.Errorf("p99 latency %v while slow clients were flooded: the hub waited on them", p)
	}
}

// BenchmarkWebSocketFanout measures one event published to 2,000 connected
// advisors: ns/op is the time until the last client has it; p50-ms and
// p99-ms are the event-to-delivery latencies over every (event, client).
func BenchmarkWebSocketFanout(b *testing.B) {
	const n = 2000
	ensureFDs(b, 2*n+512)
	e := newWSEnv(b)
	ctx, cancel := context.WithCancel(b.Context())
	defer cancel()
	// The tracker must know the number of events before the loop runs: the
	// benchmark stops at 100,000 events.
	const maxEvents = 100_000
	tr := newTracker(maxEvents, n)
	fast := e.connect(b, ctx, "fast", n, e.dialer, tr)
	waitClients(b, e.hub, n, 60*time.Second)
	b.ReportAllocs()
	seq := 0
	for b.Loop() {
		if seq == maxEvents {
			b.Fatalf("more than %d events: use -benchtime Nx", maxEvents)
		}
		publish(b, ctx, e.hub, tr, seq, 30*time.Second)
		seq++
	}
	b.StopTimer()
	lat := checkAll(b, fast, 0, seq)
	b.ReportMetric(float64(lat.percentile(50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat.percentile(99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(n, "clients")
}
