package servertest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/odoo/odootest"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// RecordingBroker is a server.Broker that keeps every published message
// (routing header, newline, then the {"type":…,"data":…} the PWA receives)
// and never delivers anything.
type RecordingBroker struct {
	mu   sync.Mutex
	msgs []string
}

// Publish records msg.
func (b *RecordingBroker) Publish(_ context.Context, msg []byte) error {
	b.mu.Lock()
	b.msgs = append(b.msgs, string(msg))
	b.mu.Unlock()
	return nil
}

// Listen blocks until ctx is done.
func (b *RecordingBroker) Listen(ctx context.Context, _ func([]byte)) error {
	<-ctx.Done()
	return ctx.Err()
}

// All returns every published message, one per line.
func (b *RecordingBroker) All() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(b.msgs, "\n")
}

// Count returns how many times s occurs in the published messages.
func (b *RecordingBroker) Count(s string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, m := range b.msgs {
		n += strings.Count(m, s)
	}
	return n
}

// PostgresDSN returns CMU_TEST_POSTGRES_DSN with a fresh schema (prefix
// followed by random hex) as search_path, dropped at cleanup, or skips the
// test when the variable is unset.
func PostgresDSN(t testing.TB, prefix string) string {
	t.Helper()
	dsn := os.Getenv("CMU_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("CMU_TEST_POSTGRES_DSN is unset: PostgreSQL tests skipped")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := prefix + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	if _, err := admin.ExecContext(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Odoo starts a fake Odoo (with now as its clock when not nil), connects a
// JSON-RPC client to it (one quick retry) and installs CMu's schema with a
// cmu.Service on that clock.
func Odoo(t testing.TB, now func() time.Time) (*odootest.Server, *odoo.Client, *cmu.Service) {
	t.Helper()
	var (
		srv  *odootest.Server
		opts *cmu.Options
	)
	if now != nil {
		srv = odootest.NewServer(t, odootest.WithClock(now))
		opts = &cmu.Options{Now: now}
	} else {
		srv = odootest.NewServer(t)
	}
	oc, err := odoo.NewClient(srv.URL, odoo.WithDatabase(srv.DB), odoo.WithProtocol(odoo.ProtocolJSONRPC),
		odoo.WithLogin(srv.Login, srv.Password),
		odoo.WithRetry(odoo.RetryPolicy{MaxRetries: 1, WaitMin: time.Millisecond, WaitMax: 2 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	svc := cmu.New(oc, opts)
	if _, err := svc.Ensure(t.Context()); err != nil {
		t.Fatal(err)
	}
	return srv, oc, svc
}

// Do sends method url with body (as application/json) and, when token is not
// empty, "Authorization: Bearer <token>" over a real connection, and returns
// the status and the answer's body; any transport failure fails the test.
func Do(t testing.TB, method, url, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b
}
