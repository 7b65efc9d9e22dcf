package server

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// BenchmarkHubFanout2000 measures event-to-delivery latency with 2,000
// WebSocket clients connected over loopback: each op publishes one event and
// waits until every client has read it. BenchmarkHubFanout1 is the baseline.
func BenchmarkHubFanout2000(b *testing.B) { benchFanout(b, 2000) }

// BenchmarkHubFanout1 is the one-client baseline of BenchmarkHubFanout2000.
func BenchmarkHubFanout1(b *testing.B) { benchFanout(b, 1) }

func benchFanout(b *testing.B, clients int) {
	hub := NewHub(HubOptions{QueueSize: 64})
	srv, err := NewServer(testConfig(), Deps{Hub: hub})
	if err != nil {
		b.Fatal(err)
	}
	hs := newBenchServer(b, srv)
	tok, _ := srv.Authenticator().Sign(Claims{Role: RoleAdmin, RegisteredClaims: subjectClaims("bench")}, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	received := make(chan struct{}, clients)
	u := "ws" + strings.TrimPrefix(hs, "http") + "/ws?token=" + tok
	for i := 0; i < clients; i++ {
		c, _, err := websocket.Dial(ctx, u, nil)
		if err != nil {
			b.Fatalf("dial %d: %v", i, err)
		}
		defer c.CloseNow()
		wg.Go(func() {
			for {
				_, msg, err := c.Read(ctx)
				if err != nil {
					return
				}
				var ev struct {
					Data struct{ Sent int64 } `json:"data"`
				}
				if json.Unmarshal(msg, &ev) == nil {
					d := time.Since(time.Unix(0, ev.Data.Sent))
					mu.Lock()
					lat = append(lat, d)
					mu.Unlock()
				}
				received <- struct{}{}
			}
		})
	}
	for hub.Clients() < clients {
		time.Sleep(10 * time.Millisecond)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := hub.Publish(ctx, Event{Type: EventClientUpdated, Data: map[string]int64{"Sent": time.Now().UnixNano()}}); err != nil {
			b.Fatal(err)
		}
		for j := 0; j < clients; j++ {
			<-received
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)*50/100].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
	cancel()
	hub.Close()
	wg.Wait()
}

// BenchmarkHealthz is the baseline of BenchmarkAuthenticatedPOST: the same
// server and transport, no auth, body or service.
func BenchmarkHealthz(b *testing.B) {
	srv, err := NewServer(testConfig(), Deps{})
	if err != nil {
		b.Fatal(err)
	}
	base := newBenchServer(b, srv)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Get(base + "/healthz")
			if err != nil {
				b.Error(err)
				return
			}
			resp.Body.Close()
		}
	})
}

// BenchmarkAuthenticatedPOST measures the per-request plumbing (auth, body
// limit, decode, validation, authorisation, JSON answer, log, metrics) over
// loopback with a fake payments service.
func BenchmarkAuthenticatedPOST(b *testing.B) {
	f := &fakeServices{}
	srv, err := NewServer(testConfig(), f.deps())
	if err != nil {
		b.Fatal(err)
	}
	base := newBenchServer(b, srv)
	tok, _ := srv.Authenticator().Sign(Claims{Role: RoleAdmin, RegisteredClaims: subjectClaims("bench")}, time.Hour)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", base+"/api/payments/generate-link", strings.NewReader(`{"clientId":7,"amount":"1500.00"}`))
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 201 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}
