package loadtest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/server"
	"github.com/cmu-mx/cmu/server/app"
	"github.com/golang-jwt/jwt/v5"
)

// testSecret signs the advisors' tokens (HS256).
const testSecret = "loadtest-secret-0123456789abcdef-0123456789"

// full reports whether CMU_LOADTEST=1 asks for the full-size measurements.
func full() bool { return os.Getenv("CMU_LOADTEST") == "1" }

// latencies summarises a sample of durations.
type latencies []time.Duration

// percentile returns the nearest-rank p-th percentile (0 < p <= 100) of the
// sorted sample, or 0 when it is empty.
func (l latencies) percentile(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	i := int(float64(len(l))*p/100+0.999999) - 1
	return l[max(0, min(i, len(l)-1))]
}

// mean returns the average duration, or 0 when the sample is empty.
func (l latencies) mean() time.Duration {
	if len(l) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range l {
		sum += d
	}
	return sum / time.Duration(len(l))
}

func (l latencies) sorted() latencies {
	s := slices.Clone(l)
	slices.Sort(s)
	return s
}

// ms formats a duration in milliseconds with two decimals.
func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

// loopbackClient is an HTTP client for conc concurrent callers: it keeps that
// many idle connections (the default two would make callers churn through
// ephemeral ports) and bounds every request.
func loopbackClient(conc int, timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        conc + 4,
		MaxIdleConnsPerHost: conc + 4,
		IdleConnTimeout:     time.Minute,
	}}
}

// appEnv is the composed development backend (app.BuildWith: fake Odoo seeded
// with demo clients, SQLite inbox, provider fakes) behind a real listener,
// with its webhook processor running.
type appEnv struct {
	app   *app.App
	srv   *server.Server
	url   string
	token string // administrator advisor
}

func newAppEnv(tb testing.TB, clients int, o app.Options) *appEnv {
	tb.Helper()
	o.SeedClients = clients
	cfg := server.Config{Mode: server.ModeDevelopment, Addr: "127.0.0.1:0",
		DatabaseURL: server.Secret("file:" + filepath.Join(tb.TempDir(), "cmu.db")), JWTSecret: testSecret}
	a, err := app.BuildWith(tb.Context(), cfg, nil, o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := a.Close(); err != nil {
			tb.Error(err)
		}
	})
	srv, err := server.NewServer(a.Config, a.Deps)
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	tb.Cleanup(hs.Close)
	tb.Cleanup(srv.Hub().Close)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := a.Run(ctx); err != nil {
			tb.Errorf("app run: %v", err)
		}
	}()
	tb.Cleanup(func() { cancel(); <-done })
	tok, err := srv.Authenticator().Sign(server.Claims{Role: server.RoleAdmin, Name: "Asesora Carga",
		RegisteredClaims: jwt.RegisteredClaims{Subject: "adv-load"}}, time.Hour)
	if err != nil {
		tb.Fatal(err)
	}
	return &appEnv{app: a, srv: srv, url: hs.URL, token: tok}
}

// get sends GET path with the advisor token and returns the status, draining
// the body.
func (e *appEnv) get(ctx context.Context, hc *http.Client, path string, decode func(*http.Response) error) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.url+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if decode != nil && resp.StatusCode == http.StatusOK {
		if err := decode(resp); err != nil {
			return resp.StatusCode, err
		}
	}
	_, err = drain(resp)
	return resp.StatusCode, err
}

// drain discards what is left of a response body (at most 16 MiB).
func drain(resp *http.Response) (int64, error) {
	return io.Copy(io.Discard, io.LimitReader(resp.Body, 16<<20))
}
