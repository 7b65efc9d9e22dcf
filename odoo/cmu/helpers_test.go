package cmu_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/odoo/odootest"
)

// protocols are the transports every service test runs over (Odoo 19).
var protocols = []odoo.Protocol{odoo.ProtocolXMLRPC, odoo.ProtocolJSONRPC, odoo.ProtocolJSON2}

// fixedNow is the clock of the tests.
func fixedNow() time.Time { return time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC) }

// newClient returns a client of srv over p with fast retries.
func newClient(t testing.TB, srv *odootest.Server, p odoo.Protocol) *odoo.Client {
	t.Helper()
	opts := []odoo.Option{odoo.WithDatabase(srv.DB), odoo.WithProtocol(p),
		odoo.WithRetry(odoo.RetryPolicy{MaxRetries: 2, WaitMin: time.Millisecond, WaitMax: 5 * time.Millisecond})}
	if p == odoo.ProtocolJSON2 {
		opts = append(opts, odoo.WithLogin(srv.Login, srv.APIKey), odoo.WithAPIKey(srv.APIKey))
	} else {
		opts = append(opts, odoo.WithLogin(srv.Login, srv.Password))
	}
	c, err := odoo.NewClient(srv.URL, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// setup starts a fake Odoo (version "" = 19.0), provisions CMu's schema and
// returns a service over protocol p.
func setup(t testing.TB, p odoo.Protocol, version string) (*odootest.Server, *cmu.Service) {
	t.Helper()
	var opts []odootest.Option
	if version != "" {
		opts = append(opts, odootest.WithVersion(version))
	}
	opts = append(opts, odootest.WithClock(fixedNow))
	srv := odootest.NewServer(t, opts...)
	svc := cmu.New(newClient(t, srv, p), &cmu.Options{Now: fixedNow})
	if _, err := svc.Ensure(context.Background()); err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	return srv, svc
}

// writes counts create, write and unlink calls on every model.
func writes(srv *odootest.Server) int {
	n := 0
	for _, m := range srv.Models() {
		for _, meth := range []string{"create", "write", "unlink"} {
			n += srv.Calls(m, meth)
		}
	}
	return n
}

func forEachProtocol(t *testing.T, fn func(t *testing.T, p odoo.Protocol)) {
	for _, p := range protocols {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			fn(t, p)
		})
	}
}

func mustClient(t testing.TB, svc *cmu.Service, n cmu.NewClient) int64 {
	t.Helper()
	id, err := svc.CreateClient(context.Background(), n)
	if err != nil {
		t.Fatalf("CreateClient(%s): %v", n.Name, err)
	}
	return id
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
