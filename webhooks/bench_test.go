package webhooks_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/webhooks"
	"github.com/cmu-mx/cmu/webhooks/internal/hmactest"
	"github.com/cmu-mx/cmu/webhooks/internal/pgtest"
)

// BenchmarkIngest measures verified webhook ingests over real HTTP on loopback:
// HMAC-SHA256 verification, inbox insert committed (SQLite with
// synchronous=FULL) and the 200 acknowledgement, with concurrent senders in
// the same process (8 or 32 senders). It reports ingests/s and the p50/p99 request latency.
// "direct" writes one transaction per delivery; "batched" puts a Batcher (group
// commit) in front of the store.
func BenchmarkIngest(b *testing.B) {
	for _, store := range []string{"sqlite", "postgres"} {
		for _, mode := range []string{"direct", "batched"} {
			for _, senders := range []int{8, 32} {
				b.Run(fmt.Sprintf("%s/%s/senders=%d", store, mode, senders), func(b *testing.B) {
					var s *webhooks.SQLStore
					switch store {
					case "sqlite":
						s = benchSQLite(b)
					case "postgres":
						s = benchPostgres(b)
					}
					var inbox webhooks.Inserter = s
					if mode == "batched" {
						writers := 1
						if store == "postgres" {
							writers = 4
						}
						bt := webhooks.NewBatcher(s, webhooks.BatcherConfig{Writers: writers})
						b.Cleanup(func() { bt.Close() })
						inbox = bt
					}
					benchIngest(b, inbox, senders)
				})
			}
		}
	}
}

func benchIngest(b *testing.B, inbox webhooks.Inserter, senders int) {
	secret := []byte("whsec_bench")
	h, err := webhooks.NewHandler(webhooks.HandlerConfig{Provider: "bench", Inbox: inbox,
		Verifier: hmactest.Verifier(secret, nil)})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
	body := []byte(`{"type":"order.paid","data":{"object":{"id":"ord_2tNDzhA4Kxz4k9FmA","amount":123450,"currency":"MXN","customer_info":{"email":"cliente@example.com"},"metadata":{"client_id":"4711"}}}}`)
	var seq atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	b.ReportAllocs()
	b.SetParallelism(max(1, senders/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			id := fmt.Sprintf("evt_%d_%d", time.Now().UnixNano(), seq.Add(1))
			req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
			hmactest.Sign(req.Header, secret, id, time.Now(), body)
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			local = append(local, time.Since(t0))
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
		mu.Lock()
		lat = append(lat, local...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "ingests/s")
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
	// Process CPU (server and client) per ingest: less sensitive than the
	// rates to other processes sharing the machine.
	b.ReportMetric(float64(cpu.Microseconds())/float64(len(lat)), "cpu_us/ingest")
}

// cpuTime returns the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchSQLite(b *testing.B) *webhooks.SQLStore {
	s, err := webhooks.OpenSQLite(b.Context(), b.TempDir()+"/inbox.db")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if err := s.Migrate(b.Context()); err != nil {
		b.Fatal(err)
	}
	return s
}

func benchPostgres(b *testing.B) *webhooks.SQLStore {
	dsn := pgtest.DSN(b)
	s, err := webhooks.OpenPostgres(b.Context(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if err := s.Migrate(b.Context()); err != nil {
		b.Fatal(err)
	}
	return s
}
