package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Event types sent to the PWA over GET /ws.
const (
	// EventClientUpdated: a client's data changed (payment, contribution,
	// document status, stage).
	EventClientUpdated = "client:updated"
	// EventLogNew: a new entry in a client's history.
	EventLogNew = "eventlog:new"
	// EventNotificationNew: an alert (manual KYC review, unmatched plates,
	// credit decision, payment received).
	EventNotificationNew = "notification:new"
)

// Event is one live event. Only Type and Data reach clients, as
// {"type":…,"data":…}. The addressing fields choose who receives it: the
// advisors in AdvisorIDs when set; otherwise, when ClientID is set, every
// advisor who may act on that client (see Advisor.MayActOn; set Market so that
// market-scoped advisors are reached); otherwise every connected advisor.
type Event struct {
	Type       string
	Data       any
	AdvisorIDs []string
	ClientID   int64
	Market     Market
}

// envelope is the addressing of an event as it crosses a Broker. On the wire a
// broker message is the envelope's JSON, a newline, then the exact bytes sent
// to clients ({"type":…,"data":…}), so instances never re-encode the data.
type envelope struct {
	To       []string `json:"to,omitempty"`
	ClientID int64    `json:"clientId,omitempty"`
	Market   Market   `json:"market,omitempty"`
}

// wireEvent is what clients receive.
type wireEvent struct {
	Type string `json:"type"`
	Data any    `json:"data"`
}

// Broker fans events out to every instance's hub. Publish sends one encoded
// event; Listen calls deliver for every event published by any instance
// (including this one) until ctx is done. Implementations: NewLocalBroker
// (one process) and NewPostgresBroker (LISTEN/NOTIFY).
type Broker interface {
	Publish(ctx context.Context, msg []byte) error
	Listen(ctx context.Context, deliver func(msg []byte)) error
}

// LocalBroker is an in-process Broker: Publish calls every listener directly.
type LocalBroker struct {
	mu        sync.RWMutex
	listeners map[int]func([]byte)
	next      int
}

// NewLocalBroker returns an in-process broker.
func NewLocalBroker() *LocalBroker { return &LocalBroker{listeners: map[int]func([]byte){}} }

// Publish delivers msg to every listener before returning.
func (b *LocalBroker) Publish(_ context.Context, msg []byte) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, fn := range b.listeners {
		fn(msg)
	}
	return nil
}

// Listen registers deliver until ctx is done, then returns ctx.Err().
func (b *LocalBroker) Listen(ctx context.Context, deliver func([]byte)) error {
	b.mu.Lock()
	id := b.next
	b.next++
	b.listeners[id] = deliver
	b.mu.Unlock()
	<-ctx.Done()
	b.mu.Lock()
	delete(b.listeners, id)
	b.mu.Unlock()
	return ctx.Err()
}

// HubOptions configure a Hub; zero fields take the documented defaults.
type HubOptions struct {
	// Broker carries events between instances; nil delivers in process directly
	// (no Run needed).
	Broker Broker
	// QueueSize is each connection's buffered message count (default 16); a
	// connection whose queue is full is closed with 1008 "too slow".
	QueueSize int
	// WriteTimeout bounds each write and ping (default 5 s).
	WriteTimeout time.Duration
	// PingInterval is the keep-alive period (default 30 s).
	PingInterval time.Duration
	Logger       *slog.Logger
	Metrics      *Metrics
}

// Hub is the WebSocket hub behind GET /ws. Publish never blocks on a client.
// Safe for concurrent use.
type Hub struct {
	o      HubOptions
	log    *slog.Logger
	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	closed bool
}

type subscriber struct {
	advisor   Advisor
	msgs      chan []byte
	closeOnce sync.Once
	closeSlow func()
}

// NewHub returns a hub. With a Broker, call Run so that events reach it.
func NewHub(o HubOptions) *Hub {
	if o.QueueSize <= 0 {
		o.QueueSize = 16
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 5 * time.Second
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 30 * time.Second
	}
	h := &Hub{o: o, log: o.Logger, subs: map[*subscriber]struct{}{}}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h
}

// Run feeds the hub from its broker until ctx is done. It returns nil at once
// when the hub has no broker.
func (h *Hub) Run(ctx context.Context) error {
	if h.o.Broker == nil {
		return nil
	}
	err := h.o.Broker.Listen(ctx, h.deliver)
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return nil
	}
	return err
}

// Publish encodes ev and sends it through the broker (or straight to the local
// clients). It returns an encoding or broker error; slow clients never make it
// wait.
func (h *Hub) Publish(ctx context.Context, ev Event) error {
	if ev.Type == "" {
		return errors.New("server: event type is required")
	}
	wire, err := json.Marshal(wireEvent{Type: ev.Type, Data: ev.Data})
	if err != nil {
		return fmt.Errorf("server: encode %s event: %w", ev.Type, err)
	}
	head, err := json.Marshal(envelope{To: ev.AdvisorIDs, ClientID: ev.ClientID, Market: ev.Market})
	if err != nil {
		return fmt.Errorf("server: encode %s event: %w", ev.Type, err)
	}
	msg := append(append(head, '\n'), wire...)
	if h.o.Broker == nil {
		h.deliver(msg)
		return nil
	}
	if err := h.o.Broker.Publish(ctx, msg); err != nil {
		return fmt.Errorf("server: publish %s event: %w", ev.Type, err)
	}
	return nil
}

// Clients returns how many WebSocket clients are connected to this instance.
func (h *Hub) Clients() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Close disconnects every client with 1001 (going away) and refuses new ones.
// Register it with http.Server.RegisterOnShutdown: Shutdown does not close
// hijacked connections.
// Calling it again does nothing.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for s := range h.subs {
		close(s.msgs) // the writer goroutine sees it and closes going-away
		delete(h.subs, s)
		h.o.Metrics.wsClientDelta(-1)
	}
}

func (e *envelope) addressedTo(a Advisor) bool {
	switch {
	case len(e.To) > 0:
		return slices.Contains(e.To, a.ID)
	case e.ClientID > 0:
		return a.MayActOn(e.ClientID, e.Market)
	}
	return true
}

// eventType extracts "type" from the start of a wire event (it is encoded
// first), for metrics; it does not scan the data.
func eventType(wire []byte) string {
	const prefix = `{"type":`
	if !bytes.HasPrefix(wire, []byte(prefix)) {
		return "unknown"
	}
	var t string
	dec := json.NewDecoder(bytes.NewReader(wire[len(prefix):]))
	if err := dec.Decode(&t); err != nil || len(t) > 64 {
		return "unknown"
	}
	return t
}

// deliver queues one encoded envelope for every addressed subscriber.
func (h *Hub) deliver(msg []byte) {
	head, wire, ok := bytes.Cut(msg, []byte("\n"))
	var env envelope
	if err := json.Unmarshal(head, &env); !ok || err != nil || len(wire) == 0 {
		h.log.Warn("websocket: undecodable event from broker", "bytes", len(msg))
		return
	}
	h.o.Metrics.wsEvent(eventType(wire))
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	for s := range h.subs {
		if !env.addressedTo(s.advisor) {
			continue
		}
		select {
		case s.msgs <- wire:
		default:
			delete(h.subs, s)
			h.o.Metrics.wsClientDelta(-1)
			h.o.Metrics.wsDrop()
			go s.closeOnce.Do(s.closeSlow)
		}
	}
}

func (h *Hub) add(s *subscriber) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.subs[s] = struct{}{}
	h.o.Metrics.wsClientDelta(1)
	return true
}

func (h *Hub) remove(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		h.o.Metrics.wsClientDelta(-1)
	}
}

// handler serves GET /ws for an authenticated advisor (requireAdvisor runs first).
func (h *Hub) handler(originPatterns []string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		adv, _ := AdvisorFrom(r.Context())
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: originPatterns})
		if err != nil {
			return // Accept has answered the client
		}
		defer c.CloseNow()
		s := &subscriber{advisor: adv, msgs: make(chan []byte, h.o.QueueSize)}
		s.closeSlow = func() {
			c.Close(websocket.StatusPolicyViolation, "connection too slow to keep up with messages")
		}
		if !h.add(s) {
			c.Close(websocket.StatusGoingAway, "server shutting down")
			return
		}
		defer h.remove(s)
		err = h.serve(c.CloseRead(r.Context()), c, s)
		if err != nil && !errors.Is(err, context.Canceled) && websocket.CloseStatus(err) != websocket.StatusNormalClosure &&
			websocket.CloseStatus(err) != websocket.StatusGoingAway {
			h.log.Debug("websocket closed", "advisor", adv.ID, "error", err.Error())
		}
	})
}

// serve is the connection's only writer: queued messages and pings, each
// under WriteTimeout.
func (h *Hub) serve(ctx context.Context, c *websocket.Conn, s *subscriber) error {
	ping := time.NewTicker(h.o.PingInterval)
	defer ping.Stop()
	for {
		select {
		case msg, ok := <-s.msgs:
			if !ok {
				return c.Close(websocket.StatusGoingAway, "server shutting down")
			}
			wctx, cancel := context.WithTimeout(ctx, h.o.WriteTimeout)
			err := c.Write(wctx, websocket.MessageText, msg)
			cancel()
			if err != nil {
				return err
			}
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, h.o.WriteTimeout)
			err := c.Ping(pctx)
			cancel()
			if err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
