package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func (e *testEnv) dial(t *testing.T, token string, viaQuery bool) *websocket.Conn {
	t.Helper()
	u := "ws" + strings.TrimPrefix(e.http.URL, "http") + "/ws"
	opts := &websocket.DialOptions{}
	if viaQuery {
		u += "?token=" + token
	} else {
		opts.HTTPHeader = http.Header{"Authorization": {"Bearer " + token}}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, u, opts)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

type gotEvent struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

func readEvent(t *testing.T, c *websocket.Conn, timeout time.Duration) (gotEvent, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		return gotEvent{}, err
	}
	var ev gotEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatalf("event %s: %v", b, err)
	}
	return ev, nil
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWebSocketAuthAndDelivery(t *testing.T) {
	e := newTestEnv(t, testConfig(), Deps{})
	hub := e.srv.Hub()

	// Without a token the upgrade is refused with 401.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.http.URL, "http")+"/ws", nil)
	if err == nil || resp == nil || resp.StatusCode != 401 {
		t.Fatalf("unauthenticated dial: %v %v", err, resp)
	}

	a := e.dial(t, e.token("adv-a", func(c *Claims) { c.Clients = []int64{10} }), false)
	b := e.dial(t, e.token("adv-b", func(c *Claims) { c.Markets = []Market{MarketAguascalientes} }), true)
	admin := e.dial(t, e.adminToken(), false)
	waitFor(t, "3 clients", func() bool { return hub.Clients() == 3 })

	tests := []struct {
		name string
		ev   Event
		want map[*websocket.Conn]bool
	}{
		{"broadcast", Event{Type: EventNotificationNew, Data: map[string]string{"title": "Hola"}}, map[*websocket.Conn]bool{a: true, b: true, admin: true}},
		{"to advisor", Event{Type: EventNotificationNew, Data: 1, AdvisorIDs: []string{"adv-b"}}, map[*websocket.Conn]bool{b: true}},
		{"by client id", Event{Type: EventClientUpdated, Data: map[string]int{"clientId": 10}, ClientID: 10, Market: MarketEdomex}, map[*websocket.Conn]bool{a: true, admin: true}},
		{"by client market", Event{Type: EventLogNew, Data: map[string]int{"clientId": 20}, ClientID: 20, Market: MarketAguascalientes}, map[*websocket.Conn]bool{b: true, admin: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := hub.Publish(t.Context(), tt.ev); err != nil {
				t.Fatal(err)
			}
			// A marker to every client ends the round, so "not received" is observable.
			if err := hub.Publish(t.Context(), Event{Type: "test:marker"}); err != nil {
				t.Fatal(err)
			}
			for _, c := range []*websocket.Conn{a, b, admin} {
				ev, err := readEvent(t, c, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				got := ev.Type == tt.ev.Type
				if got {
					want, _ := json.Marshal(tt.ev.Data)
					if string(ev.Data) != string(want) {
						t.Errorf("data %s, want %s", ev.Data, want)
					}
					if ev, err = readEvent(t, c, 5*time.Second); err != nil {
						t.Fatal(err)
					}
				}
				if ev.Type != "test:marker" {
					t.Errorf("unexpected event %s", ev.Type)
				}
				if got != tt.want[c] {
					t.Errorf("received = %v, want %v", got, tt.want[c])
				}
			}
		})
	}
	if err := hub.Publish(t.Context(), Event{}); err == nil {
		t.Error("event without type accepted")
	}

	// Close disconnects everyone with 1001.
	hub.Close()
	_, err = readEvent(t, a, 5*time.Second)
	if websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Errorf("after Close: %v", err)
	}
}

func TestWebSocketSlowClientIsDropped(t *testing.T) {
	metrics := NewMetrics()
	hub := NewHub(HubOptions{QueueSize: 2, Metrics: metrics})
	e := newTestEnv(t, testConfig(), Deps{Hub: hub, Metrics: metrics})
	tok := e.adminToken()
	slow := e.dial(t, tok, false) // never reads
	fast := e.dial(t, tok, false)
	fast.SetReadLimit(1 << 30)
	waitFor(t, "2 clients", func() bool { return hub.Clients() == 2 })

	const n = 60
	payload := strings.Repeat("x", 512<<10) // 60 × 512 KiB overflows the socket buffers of a client that does not read
	var got int
	gotOne := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Go(func() {
		for got < n {
			if _, err := readEvent(t, fast, 10*time.Second); err != nil {
				t.Errorf("fast client after %d events: %v", got, err)
				close(gotOne)
				return
			}
			got++
			gotOne <- struct{}{}
		}
	})
	var slowest time.Duration
	for i := range n {
		start := time.Now()
		if err := hub.Publish(t.Context(), Event{Type: EventNotificationNew, Data: map[string]any{"i": i, "pad": payload}}); err != nil {
			t.Fatal(err)
		}
		slowest = max(slowest, time.Since(start))
		// Lockstep with the fast client, so only the client that does not read can fall behind.
		if _, ok := <-gotOne; !ok {
			break
		}
	}
	wg.Wait()
	if got != n {
		t.Errorf("fast client got %d of %d events", got, n)
	}
	if slowest > 3*time.Second {
		t.Errorf("one Publish took %v: a slow client blocked it", slowest)
	}
	waitFor(t, "slow client dropped", func() bool { return hub.Clients() == 1 })
	if r := e.do("GET", "/metrics", "", nil); !strings.Contains(string(r.Body), "cmu_websocket_slow_clients_dropped_total 1\n") ||
		!strings.Contains(string(r.Body), "cmu_websocket_clients 1\n") {
		t.Error("metrics do not show one dropped and one connected client")
	}
	// The slow client eventually sees the policy-violation close after its backlog.
	slow.SetReadLimit(1 << 30)
	for {
		if _, err := readEvent(t, slow, 10*time.Second); err != nil {
			if s := websocket.CloseStatus(err); s != websocket.StatusPolicyViolation && s != -1 {
				t.Errorf("slow client closed with %v", err)
			}
			break
		}
	}
}

func TestWebSocketKeepAlive(t *testing.T) {
	hub := NewHub(HubOptions{PingInterval: 20 * time.Millisecond, WriteTimeout: 300 * time.Millisecond})
	e := newTestEnv(t, testConfig(), Deps{Hub: hub})
	tok := e.adminToken()
	alive := e.dial(t, tok, false)
	aliveCtx := alive.CloseRead(t.Context()) // answers pings
	dead := e.dial(t, tok, false)            // never reads, so never answers pings
	_ = dead
	waitFor(t, "both clients", func() bool { return hub.Clients() == 2 })
	waitFor(t, "the silent client to be dropped", func() bool { return hub.Clients() == 1 })
	time.Sleep(100 * time.Millisecond)
	if hub.Clients() != 1 || aliveCtx.Err() != nil {
		t.Errorf("the answering client was dropped: clients=%d", hub.Clients())
	}
}

func TestWebSocketAcrossInstancesPostgres(t *testing.T) {
	db := openTestPostgres(t)
	channel := "cmu_test_" + strings.ReplaceAll(strings.ToLower(t.Name()), "/", "_") + "_" + time.Now().Format("150405000000")
	hubA := NewHub(HubOptions{Broker: NewPostgresBrokerChannel(db, channel, nil)})
	hubB := NewHub(HubOptions{Broker: NewPostgresBrokerChannel(db, channel, nil)})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var wg sync.WaitGroup
	for _, h := range []*Hub{hubA, hubB} {
		wg.Go(func() {
			if err := h.Run(ctx); err != nil {
				t.Errorf("run: %v", err)
			}
		})
	}
	defer wg.Wait()
	defer cancel()
	eA := newTestEnv(t, testConfig(), Deps{Hub: hubA, DB: db})
	eB := newTestEnv(t, testConfig(), Deps{Hub: hubB, DB: db})
	onA := eA.dial(t, eA.adminToken(), false)
	onB := eB.dial(t, eB.adminToken(), true)
	waitFor(t, "clients", func() bool { return hubA.Clients() == 1 && hubB.Clients() == 1 })

	// LISTEN starts asynchronously: publish until B's client hears from A.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := hubA.Publish(t.Context(), Event{Type: EventClientUpdated, Data: map[string]int{"clientId": 9}}); err != nil {
			t.Fatal(err)
		}
		ev, err := readEvent(t, onB, 200*time.Millisecond)
		if err == nil {
			if ev.Type != EventClientUpdated || string(ev.Data) != `{"clientId":9}` {
				t.Errorf("event %+v", ev)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("event published on instance A never reached instance B")
		}
		onB = eB.dial(t, eB.adminToken(), true) // a read timeout closes the conn: reconnect
		waitFor(t, "reconnect", func() bool { return hubB.Clients() >= 1 })
	}
	// The publishing instance's own client gets it too (through NOTIFY, once).
	if ev, err := readEvent(t, onA, 5*time.Second); err != nil || ev.Type != EventClientUpdated {
		t.Errorf("own instance: %v %v", ev, err)
	}
	big := Event{Type: EventNotificationNew, Data: strings.Repeat("x", MaxNotifyPayload)}
	if err := hubA.Publish(t.Context(), big); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("oversized event: %v", err)
	}
}
