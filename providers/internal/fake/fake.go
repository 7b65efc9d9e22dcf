// Package fake holds the parts every provider fake server shares: recording the
// requests it received and injecting faults (an error status N times, a dropped
// connection, a server that is down, or latency) before the provider-specific
// handler runs.
//
// A Core is safe for concurrent use. The API of this package is kept stable for
// the provider fakes that use it: additions only.
package fake

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// MaxBody bounds how much of a request body Core records and forwards.
const MaxBody = 10 << 20

// Recorded is one request as the fake received it.
type Recorded struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
	At     time.Time
}

// Request is one request as the fake received it, without the arrival time.
// Fakes whose recorded requests carry no timestamp expose it (see Received).
type Request struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
}

// Fault is an injected failure answered instead of the real handler.
type Fault struct {
	// Status is the HTTP status to answer (ignored when Drop is set).
	Status int
	// Header is added to the response (for example Retry-After).
	Header http.Header
	// Body is the response body; ContentType its type (default application/json).
	Body        []byte
	ContentType string
	// Drop closes the connection without answering, like a crash mid-request.
	Drop bool
	// Match restricts the fault to requests it returns true for; nil matches all.
	Match func(*http.Request) bool
}

type pending struct {
	f    Fault
	left int
}

// Core records requests and serves injected faults. The zero value is ready.
type Core struct {
	mu      sync.Mutex
	reqs    []Recorded
	faults  []pending
	now     func() time.Time
	down    bool
	delay   time.Duration
	maxBody int64
}

// SetDown makes the fake drop every connection without answering while down is
// true (like a crashed server). Pending faults are kept, not consumed, while it
// is down.
func (c *Core) SetDown(down bool) {
	c.mu.Lock()
	c.down = down
	c.mu.Unlock()
}

// SetDelay delays every answer (fault or handler) by d; the wait ends early when
// the request's context is cancelled, and then nothing is answered.
func (c *Core) SetDelay(d time.Duration) {
	c.mu.Lock()
	c.delay = d
	c.mu.Unlock()
}

// SetMaxBody sets how much of a request body is recorded and forwarded; n <= 0
// means MaxBody.
func (c *Core) SetMaxBody(n int64) {
	c.mu.Lock()
	c.maxBody = n
	c.mu.Unlock()
}

// RetryAfter returns a header carrying Retry-After in whole seconds of d, for a
// Fault answering 429 or 503.
func RetryAfter(d time.Duration) http.Header {
	return http.Header{"Retry-After": {strconv.Itoa(int(d / time.Second))}}
}

// SetClock sets the clock used to stamp recorded requests (default time.Now).
func (c *Core) SetClock(now func() time.Time) {
	c.mu.Lock()
	c.now = now
	c.mu.Unlock()
}

// FailNext makes the next n matching requests fail with f. Faults queue in the
// order they were added.
func (c *Core) FailNext(n int, f Fault) {
	if n <= 0 {
		return
	}
	c.mu.Lock()
	c.faults = append(c.faults, pending{f: f, left: n})
	c.mu.Unlock()
}

// Requests returns a copy of the requests received so far, oldest first.
func (c *Core) Requests() []Recorded {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Recorded, len(c.reqs))
	for i, r := range c.reqs {
		r.Header = r.Header.Clone()
		r.Body = slices.Clone(r.Body)
		out[i] = r
	}
	return out
}

// Received is Requests without the arrival times.
func (c *Core) Received() []Request {
	recs := c.Requests()
	out := make([]Request, len(recs))
	for i, r := range recs {
		out[i] = Request{Method: r.Method, Path: r.Path, Query: r.Query, Header: r.Header, Body: r.Body}
	}
	return out
}

// Reset forgets recorded requests and pending faults.
func (c *Core) Reset() {
	c.mu.Lock()
	c.reqs, c.faults = nil, nil
	c.mu.Unlock()
}

// Wrap returns a handler that records each request and then, in order: drops
// the connection while the fake is down (SetDown), waits the delay (SetDelay),
// answers a pending fault if one matches, and otherwise calls next with the
// body restored.
func (c *Core) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		limit := c.maxBody
		c.mu.Unlock()
		if limit <= 0 {
			limit = MaxBody
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, limit))
		r.Body.Close()
		if err != nil {
			http.Error(w, "read body", http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		now := time.Now
		if c.now != nil {
			now = c.now
		}
		c.reqs = append(c.reqs, Recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body, At: now()})
		down, delay := c.down, c.delay
		var fault *Fault
		if !down {
			fault = c.take(r)
		}
		c.mu.Unlock()
		if down {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-r.Context().Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		if fault != nil {
			serveFault(w, *fault)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// take removes one use of the first pending fault matching r and returns it,
// or nil. c.mu must be held.
func (c *Core) take(r *http.Request) *Fault {
	for i := range c.faults {
		p := &c.faults[i]
		if p.f.Match != nil && !p.f.Match(r) {
			continue
		}
		f := p.f
		p.left--
		if p.left == 0 {
			c.faults = slices.Delete(c.faults, i, i+1)
		}
		return &f
	}
	return nil
}

func serveFault(w http.ResponseWriter, f Fault) {
	if f.Drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	for k, vs := range f.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	ct := f.ContentType
	if ct == "" {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	w.WriteHeader(status)
	w.Write(f.Body)
}
