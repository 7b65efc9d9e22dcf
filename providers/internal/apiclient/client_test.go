package apiclient_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/providers/internal/apiclient"
	"github.com/cmu-mx/cmu/providers/internal/fake"
)

func newServer(t *testing.T, core *fake.Core) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(core.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ok":true,"sig":%q}`, r.Header.Get("X-Sig"))
	})))
	t.Cleanup(srv.Close)
	return srv
}

func fastClient() *apiclient.Client {
	return apiclient.New(apiclient.Config{Provider: "test", RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond})
}

func TestRetryModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		mode         apiclient.RetryMode
		fault        fake.Fault
		times        int
		wantStatus   int
		wantAttempts int
		wantErr      bool
	}{
		{"transient retries 503 then succeeds", apiclient.RetryTransient, fake.Fault{Status: 503}, 2, 200, 3, false},
		{"transient gives up after max retries and returns last response", apiclient.RetryTransient, fake.Fault{Status: 502}, 10, 502, 4, false},
		{"transient does not retry 501", apiclient.RetryTransient, fake.Fault{Status: 501}, 1, 501, 1, false},
		{"transient does not retry 422", apiclient.RetryTransient, fake.Fault{Status: 422}, 1, 422, 1, false},
		{"transient retries dropped connection", apiclient.RetryTransient, fake.Fault{Drop: true}, 1, 200, 2, false},
		{"unsent does not retry 500", apiclient.RetryUnsent, fake.Fault{Status: 500}, 1, 500, 1, false},
		{"unsent does not retry dropped connection", apiclient.RetryUnsent, fake.Fault{Drop: true}, 1, 0, 1, true},
		{"unsent retries 429", apiclient.RetryUnsent, fake.Fault{Status: 429, Header: http.Header{"Retry-After": {"0"}}}, 2, 200, 3, false},
		{"never retries nothing", apiclient.RetryNever, fake.Fault{Status: 429}, 1, 429, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var core fake.Core
			srv := newServer(t, &core)
			core.FailNext(tt.times, tt.fault)
			resp, err := fastClient().Do(t.Context(), apiclient.Request{Method: "POST", URL: srv.URL + "/x", Body: []byte(`{}`), Retry: tt.mode})
			if got := len(core.Requests()); got != tt.wantAttempts {
				t.Errorf("server saw %d requests, want %d", got, tt.wantAttempts)
			}
			if tt.wantErr {
				var te *apiclient.TransportError
				if !errors.As(err, &te) {
					t.Fatalf("err = %v, want *TransportError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus || resp.Attempts != tt.wantAttempts {
				t.Errorf("status %d attempts %d, want %d %d", resp.StatusCode, resp.Attempts, tt.wantStatus, tt.wantAttempts)
			}
			for _, r := range core.Requests() {
				if string(r.Body) != "{}" {
					t.Errorf("body on retry = %q, want rewound body", r.Body)
				}
			}
		})
	}
}

func TestUnsentRetriesDialError(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: every dial is refused
	var dials atomic.Int32
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
		dials.Add(1)
		return (&net.Dialer{}).DialContext(ctx, network, a)
	}}}
	c := apiclient.New(apiclient.Config{Provider: "test", HTTPClient: hc, MaxRetries: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	_, err = c.Do(t.Context(), apiclient.Request{Method: "POST", URL: "http://user:pw@" + addr + "/orders?token=abc", Retry: apiclient.RetryUnsent})
	var te *apiclient.TransportError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want *TransportError", err)
	}
	if dials.Load() != 3 || te.Attempts != 3 {
		t.Errorf("dials %d attempts %d, want 3 and 3", dials.Load(), te.Attempts)
	}
	if !apiclient.IsDialError(err) {
		t.Errorf("IsDialError(%v) = false", err)
	}
	if strings.Contains(err.Error(), "pw") || strings.Contains(err.Error(), "abc") {
		t.Errorf("error leaks secrets: %v", err)
	}
}

func TestSignEveryAttempt(t *testing.T) {
	t.Parallel()
	var core fake.Core
	srv := newServer(t, &core)
	core.FailNext(1, fake.Fault{Status: 503})
	var n atomic.Int32
	resp, err := fastClient().Do(t.Context(), apiclient.Request{Method: "GET", URL: srv.URL, Sign: func(r *http.Request) error {
		r.Header.Set("X-Sig", fmt.Sprint(n.Add(1)))
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	reqs := core.Requests()
	if len(reqs) != 2 || reqs[0].Header.Get("X-Sig") != "1" || reqs[1].Header.Get("X-Sig") != "2" {
		t.Errorf("signatures per attempt wrong: %d requests", len(reqs))
	}
	if !strings.Contains(string(resp.Body), `"sig":"2"`) {
		t.Errorf("body %s", resp.Body)
	}
}

func TestContextCancelledDuringBackoff(t *testing.T) {
	t.Parallel()
	var core fake.Core
	srv := newServer(t, &core)
	core.FailNext(5, fake.Fault{Status: 503, Header: http.Header{"Retry-After": {"60"}}})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := fastClient().Do(ctx, apiclient.Request{Method: "GET", URL: srv.URL})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
}

func TestRetryAfterBeyondCapReturnsResponse(t *testing.T) {
	t.Parallel()
	var core fake.Core
	srv := newServer(t, &core)
	core.FailNext(1, fake.Fault{Status: 429, Header: http.Header{"Retry-After": {"3600"}}})
	resp, err := fastClient().Do(t.Context(), apiclient.Request{Method: "GET", URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 429 || resp.Attempts != 1 {
		t.Errorf("status %d attempts %d, want 429 after 1", resp.StatusCode, resp.Attempts)
	}
}

func TestResponseTooLarge(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 100)))
	}))
	defer srv.Close()
	c := apiclient.New(apiclient.Config{MaxResponseBytes: 10})
	_, err := c.Do(t.Context(), apiclient.Request{Method: "GET", URL: srv.URL})
	var te *apiclient.TransportError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want *TransportError", err)
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"30", 30 * time.Second, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.v, func(t *testing.T) {
			got, ok := apiclient.RetryAfter(http.Header{"Retry-After": {tt.v}}, now)
			if got != tt.want || ok != tt.ok {
				t.Errorf("RetryAfter(%q) = %v %v, want %v %v", tt.v, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestBackoffBounds(t *testing.T) {
	t.Parallel()
	for attempt := range 10 {
		d := apiclient.Backoff(100*time.Millisecond, time.Second, attempt, nil)
		if d < 50*time.Millisecond || d > time.Second {
			t.Errorf("attempt %d: backoff %v outside [50ms, 1s]", attempt, d)
		}
	}
	resp := &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"7"}}}
	if d := apiclient.Backoff(time.Millisecond, time.Second, 0, resp); d != 7*time.Second {
		t.Errorf("Retry-After not honoured: %v", d)
	}
}

func TestSanitizeURL(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"https://api.example.com/v0/app/tbl":             "https://api.example.com/v0/app/tbl",
		"https://u:p@api.example.com/x?token=s3cr3t&a=1": "https://%5BREDACTED%5D@api.example.com/x?a=1&token=%5BREDACTED%5D",
		"::bad": apiclient.Redacted,
	}
	for in, want := range tests {
		if got := apiclient.SanitizeURL(in); got != want {
			t.Errorf("SanitizeURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestJoinURL(t *testing.T) {
	t.Parallel()
	if got := apiclient.JoinURL("https://api.airtable.com/", "v0", "app1", "Tareas CMu"); got != "https://api.airtable.com/v0/app1/Tareas%20CMu" {
		t.Errorf("JoinURL = %q", got)
	}
}

func TestRedactValue(t *testing.T) {
	t.Parallel()
	if v := apiclient.RedactValue("key_live_123"); v.String() != apiclient.Redacted {
		t.Errorf("RedactValue = %q", v)
	}
	if v := apiclient.RedactValue(""); v.String() != "" {
		t.Errorf("RedactValue(empty) = %q", v)
	}
}
