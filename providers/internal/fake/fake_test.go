package fake_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/providers/internal/fake"
)

func TestCore(t *testing.T) {
	t.Parallel()
	var c fake.Core
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	c.SetClock(func() time.Time { return at })
	srv := httptest.NewServer(c.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Write(append([]byte("echo:"), b...))
	})))
	defer srv.Close()
	c.FailNext(1, fake.Fault{Status: 418, Match: func(r *http.Request) bool { return r.URL.Path == "/tea" }})
	c.FailNext(2, fake.Fault{Status: 503, Header: http.Header{"Retry-After": {"1"}}, Body: []byte(`{"x":1}`)})

	do := func(path, body string) (int, string, string) {
		resp, err := http.Post(srv.URL+path, "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header.Get("Retry-After")
	}
	// The 418 only matches /tea; other paths take the 503s in order.
	if st, body, ra := do("/a", "1"); st != 503 || body != `{"x":1}` || ra != "1" {
		t.Errorf("first: %d %q %q", st, body, ra)
	}
	if st, _, _ := do("/tea", "2"); st != 418 {
		t.Errorf("tea: %d", st)
	}
	if st, _, _ := do("/b", "3"); st != 503 {
		t.Errorf("second 503: %d", st)
	}
	if st, body, _ := do("/c", "4"); st != 200 || body != "echo:4" {
		t.Errorf("after faults: %d %q", st, body)
	}
	reqs := c.Requests()
	if len(reqs) != 4 || string(reqs[3].Body) != "4" || reqs[1].Path != "/tea" || !reqs[0].At.Equal(at) {
		t.Errorf("recorded %+v", reqs)
	}
	reqs[0].Body[0] = 'X'
	if string(c.Requests()[0].Body) != "1" {
		t.Error("Requests does not copy")
	}
	// POST: net/http would transparently retry an idempotent GET.
	c.FailNext(1, fake.Fault{Drop: true})
	if _, err := http.Post(srv.URL, "text/plain", strings.NewReader("5")); err == nil {
		t.Error("dropped connection answered")
	}
	c.Reset()
	if len(c.Requests()) != 0 {
		t.Error("Reset kept requests")
	}
}

func TestCoreDownDelayAndLimits(t *testing.T) {
	t.Parallel()
	var c fake.Core
	srv := httptest.NewServer(c.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Write(append([]byte("echo:"), b...))
	})))
	defer srv.Close()
	post := func(body string) (*http.Response, error) {
		return http.Post(srv.URL+"/p?q=1", "text/plain", strings.NewReader(body))
	}

	// Down: the connection is dropped and a queued fault is kept for later.
	c.FailNext(1, fake.Fault{Status: 429, Header: fake.RetryAfter(2500 * time.Millisecond)})
	c.SetDown(true)
	if resp, err := post("1"); err == nil {
		resp.Body.Close()
		t.Fatalf("down server answered %d", resp.StatusCode)
	}
	c.SetDown(false)
	resp, err := post("2")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("fault after down: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	// Delay: the answer waits at least d.
	c.SetDelay(50 * time.Millisecond)
	start := time.Now()
	resp, err = post("3")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if el := time.Since(start); el < 50*time.Millisecond || resp.StatusCode != 200 {
		t.Errorf("delayed answer: %d after %v", resp.StatusCode, el)
	}
	c.SetDelay(0)

	// SetMaxBody bounds what is recorded and forwarded.
	c.SetMaxBody(3)
	resp, err = post("123456")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "echo:123" {
		t.Errorf("limited body: %q", b)
	}

	got := c.Received()
	if len(got) != 4 || string(got[0].Body) != "1" || got[1].Path != "/p" || got[1].Query != "q=1" || got[2].Method != http.MethodPost || string(got[3].Body) != "123" {
		t.Errorf("received %+v", got)
	}
	got[0].Body[0] = 'X'
	if string(c.Received()[0].Body) != "1" {
		t.Error("Received does not copy")
	}
}

func TestSwitches(t *testing.T) {
	t.Parallel()
	var c fake.Core
	sw := fake.NewSwitches(&c, func(status int) []byte { return []byte(`{"status":` + http.StatusText(status) + `}`) })
	srv := httptest.NewServer(c.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })))
	defer srv.Close()
	get := func() (int, string, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + "/x")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header.Get("Retry-After")
	}
	sw.FailNext(1, 503)
	sw.RateLimitNext(1, 3*time.Second)
	if st, body, ra := get(); st != 503 || body != `{"status":Service Unavailable}` || ra != "" {
		t.Errorf("FailNext: %d %q Retry-After %q", st, body, ra)
	}
	if st, body, ra := get(); st != 429 || body != `{"status":Too Many Requests}` || ra != "3" {
		t.Errorf("RateLimitNext: %d %q Retry-After %q", st, body, ra)
	}
	if st, body, _ := get(); st != 200 || body != "ok" {
		t.Errorf("after faults: %d %q", st, body)
	}
	if reqs := sw.Requests(); len(reqs) != 3 || reqs[2].Path != "/x" {
		t.Errorf("Requests %+v", reqs)
	}
	sw.FailNext(5, 500)
	sw.ResetRequests()
	if st, _, _ := get(); st != 200 || len(sw.Requests()) != 1 {
		t.Errorf("ResetRequests kept faults or requests: %d %d", st, len(sw.Requests()))
	}
	sw.SetDelay(30 * time.Millisecond)
	start := time.Now()
	if st, _, _ := get(); st != 200 || time.Since(start) < 30*time.Millisecond {
		t.Errorf("SetDelay: %d after %v", st, time.Since(start))
	}
	sw.SetDelay(0)
	sw.SetDown(true)
	if resp, err := http.Get(srv.URL + "/x"); err == nil {
		resp.Body.Close()
		t.Errorf("SetDown: answered %d", resp.StatusCode)
	}
}

func TestDeliver(t *testing.T) {
	t.Parallel()
	var got []fake.Request
	var mu sync.Mutex
	status := 204
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, fake.Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: b})
		st := status
		mu.Unlock()
		w.WriteHeader(st)
	}))
	defer srv.Close()
	h := http.Header{"X-Signature": {"sig"}}
	if err := fake.Deliver(t.Context(), nil, srv.URL+"/hook", h, []byte(`{"a":1}`), "xtest"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	status = 500
	mu.Unlock()
	err := fake.Deliver(t.Context(), srv.Client(), srv.URL+"/hook", h, []byte(`{}`), "xtest")
	if err == nil || err.Error() != "xtest: webhook answered 500 Internal Server Error" {
		t.Errorf("500 answer: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || got[0].Method != http.MethodPost || got[0].Path != "/hook" || got[0].Header.Get("X-Signature") != "sig" || string(got[0].Body) != `{"a":1}` {
		t.Errorf("received %+v", got)
	}
	if _, err := fake.Post(t.Context(), nil, "://bad", nil, nil); err == nil {
		t.Error("bad URL posted")
	}
}
