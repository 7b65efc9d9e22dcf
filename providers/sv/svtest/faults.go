package svtest

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Request is one request the fake received, recorded before any fault applied.
type Request struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
}

// faults holds the fault-injection and recording state shared by the handlers.
type faults struct {
	mu       sync.Mutex
	queue    []fault
	down     bool
	delay    time.Duration
	requests []Request
}

type fault struct {
	status     int
	retryAfter string
}

func (f *faults) failNext(n, status int, retryAfter string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.queue = append(f.queue, fault{status: status, retryAfter: retryAfter})
	}
}

func (f *faults) setDown(down bool) {
	f.mu.Lock()
	f.down = down
	f.mu.Unlock()
}

func (f *faults) setDelay(d time.Duration) {
	f.mu.Lock()
	f.delay = d
	f.mu.Unlock()
}

func (f *faults) recorded() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Request, len(f.requests))
	copy(out, f.requests)
	return out
}

func (f *faults) reset() {
	f.mu.Lock()
	f.requests = nil
	f.queue = nil
	f.mu.Unlock()
}

// wrap records r, then applies, in order: down (the connection is closed
// without an answer), delay (cancelled with the request) and a queued failure
// answered with errBody(status); otherwise it calls next with the body restored.
func (f *faults) wrap(next http.Handler, errBody func(status int) []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 32<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		f.mu.Lock()
		f.requests = append(f.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		down, delay := f.down, f.delay
		var ft *fault
		if !down && len(f.queue) > 0 {
			q := f.queue[0]
			f.queue = f.queue[1:]
			ft = &q
		}
		f.mu.Unlock()
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
		if ft != nil {
			if ft.retryAfter != "" {
				w.Header().Set("Retry-After", ft.retryAfter)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(ft.status)
			w.Write(errBody(ft.status))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func retryAfterSeconds(d time.Duration) string {
	return strconv.Itoa(int(d / time.Second))
}
