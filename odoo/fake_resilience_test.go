package odoo_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/odootest"
)

// Resilience against the fake's fault injection, on every protocol.

func TestFakeRetriesReads(t *testing.T) {
	ctx := t.Context()
	tests := []struct {
		name      string
		fault     odootest.Fault
		method    string
		call      func(c *odoo.Client) (int, error) // returns the number of records read
		wantCalls int
	}{
		{
			name:   "503 twice on search_read",
			fault:  odootest.Fault{Model: odoo.ModelPartner, Method: "search_read", Kind: odootest.HTTPStatus, Status: http.StatusServiceUnavailable, Times: 2},
			method: "search_read",
			call: func(c *odoo.Client) (int, error) {
				var rows []map[string]any
				err := c.SearchRead(ctx, odoo.ModelPartner, odoo.Eq("id", 3), &odoo.SearchOptions{Fields: []string{"name"}}, &rows)
				return len(rows), err
			},
			wantCalls: 3,
		},
		{
			name:   "502 then 504 on search_count",
			fault:  odootest.Fault{Model: odoo.ModelPartner, Method: "search_count", Kind: odootest.HTTPStatus, Status: http.StatusBadGateway, Times: 1},
			method: "search_count",
			call: func(c *odoo.Client) (int, error) {
				n, err := c.SearchCount(ctx, odoo.ModelPartner, odoo.Eq("id", 3), nil)
				return int(n), err
			},
			wantCalls: 2,
		},
		{
			name:   "429 with a long Retry-After, capped by the policy",
			fault:  odootest.Fault{Model: odoo.ModelPartner, Method: "read", Kind: odootest.HTTPStatus, Status: http.StatusTooManyRequests, RetryAfter: 30 * time.Second, Times: 1},
			method: "read",
			call: func(c *odoo.Client) (int, error) {
				var rows []map[string]any
				err := c.Read(ctx, odoo.ModelPartner, []int64{3}, &odoo.SearchOptions{Fields: []string{"name"}}, &rows)
				return len(rows), err
			},
			wantCalls: 2,
		},
		{
			name:   "dropped connection on read",
			fault:  odootest.Fault{Model: odoo.ModelPartner, Method: "read", Kind: odootest.DropConnection, Times: 1},
			method: "read",
			call: func(c *odoo.Client) (int, error) {
				var rows []map[string]any
				err := c.Read(ctx, odoo.ModelPartner, []int64{3}, &odoo.SearchOptions{Fields: []string{"name"}}, &rows)
				return len(rows), err
			},
			wantCalls: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, fc := range fakeCases() {
				t.Run(fc.String(), func(t *testing.T) {
					srv, c := fakeSetup(t, fc)
					if _, err := c.Login(ctx); err != nil {
						t.Fatal(err)
					}
					srv.InjectFault(tt.fault)
					start := time.Now()
					n, err := tt.call(c)
					if err != nil {
						t.Fatalf("call failed despite retries: %v", err)
					}
					if n != 1 {
						t.Errorf("got %d records, want 1", n)
					}
					if got := srv.Calls(odoo.ModelPartner, tt.method); got != tt.wantCalls {
						t.Errorf("%s calls = %d, want %d (retries counted by the fake)", tt.method, got, tt.wantCalls)
					}
					if d := time.Since(start); d > 2*time.Second {
						t.Errorf("retries took %v (Retry-After not capped?)", d)
					}
				})
			}
		})
	}
}

func TestFakeRetriesGiveUp(t *testing.T) {
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv, c := fakeSetup(t, fc)
			if _, err := c.Login(t.Context()); err != nil {
				t.Fatal(err)
			}
			srv.InjectFault(odootest.Fault{Model: odoo.ModelPartner, Method: "search", Kind: odootest.HTTPStatus, Status: http.StatusServiceUnavailable})
			_, err := c.Search(t.Context(), odoo.ModelPartner, nil, nil)
			oe := wantKind(t, err, odoo.KindTransport, odoo.ErrTransport)
			if oe.Status != http.StatusServiceUnavailable {
				t.Errorf("status = %d, want 503", oe.Status)
			}
			// fakeFastRetry: 1 attempt + 3 retries.
			if n := srv.Calls(odoo.ModelPartner, "search"); n != 4 {
				t.Errorf("search calls = %d, want 4", n)
			}
		})
	}
}

func TestFakeWritesNotRetried(t *testing.T) {
	ctx := t.Context()
	faults := []struct {
		name  string
		fault odootest.Fault
	}{
		{"503", odootest.Fault{Model: odoo.ModelPartner, Method: "create", Kind: odootest.HTTPStatus, Status: http.StatusServiceUnavailable, Times: 1}},
		{"dropped connection", odootest.Fault{Model: odoo.ModelPartner, Method: "create", Kind: odootest.DropConnection, Times: 1}},
	}
	for _, ft := range faults {
		t.Run(ft.name, func(t *testing.T) {
			for _, fc := range fakeCases() {
				t.Run(fc.String(), func(t *testing.T) {
					srv, c := fakeSetup(t, fc)
					if _, err := c.Login(ctx); err != nil {
						t.Fatal(err)
					}
					before := len(srv.Records(odoo.ModelPartner))
					srv.InjectFault(ft.fault)
					_, err := c.Create(ctx, odoo.ModelPartner, map[string]any{"name": "Una sola vez"}, nil)
					wantKind(t, err, odoo.KindTransport, odoo.ErrTransport)
					if n := srv.Calls(odoo.ModelPartner, "create"); n != 1 {
						t.Errorf("create sent %d times, want 1", n)
					}
					if created := len(srv.Records(odoo.ModelPartner)) - before; created > 1 {
						t.Errorf("%d records created, want 0 or 1 (duplicate write)", created)
					}
					ids, err := c.Search(ctx, odoo.ModelPartner, odoo.Eq("name", "Una sola vez"), nil)
					if err != nil || len(ids) > 1 {
						t.Errorf("records named like the create: %v, %v", ids, err)
					}
				})
			}
		})
	}
}

func TestFakeIdempotentWriteRetried(t *testing.T) {
	ctx := t.Context()
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv, c := fakeSetup(t, fc)
			if _, err := c.Login(ctx); err != nil {
				t.Fatal(err)
			}
			before := len(srv.Records(odoo.ModelPartner))
			srv.InjectFault(odootest.Fault{Model: odoo.ModelPartner, Method: "create", Kind: odootest.HTTPStatus, Status: http.StatusServiceUnavailable, Times: 2})
			id, err := c.Create(ctx, odoo.ModelPartner, map[string]any{"name": "Idempotente"}, &odoo.CallOptions{Idempotent: true})
			if err != nil {
				t.Fatal(err)
			}
			if n := srv.Calls(odoo.ModelPartner, "create"); n != 3 {
				t.Errorf("create calls = %d, want 3", n)
			}
			if created := len(srv.Records(odoo.ModelPartner)) - before; created != 1 {
				t.Errorf("%d records created, want 1", created)
			}
			if rec, ok := srv.Get(odoo.ModelPartner, id); !ok || rec["name"] != "Idempotente" {
				t.Errorf("record %d = %v", id, rec)
			}

			// Do with Request.Idempotent behaves the same for any method.
			srv.InjectFault(odootest.Fault{Model: odoo.ModelPartner, Method: "write", Kind: odootest.HTTPStatus, Status: http.StatusBadGateway, Times: 1})
			var ok bool
			err = c.Do(ctx, odoo.Request{Model: odoo.ModelPartner, Method: "write", Args: []any{[]int64{id}, map[string]any{"city": "Toluca"}}, Idempotent: true}, &ok)
			if err != nil || !ok {
				t.Fatalf("idempotent write = %v, %v", ok, err)
			}
			if n := srv.Calls(odoo.ModelPartner, "write"); n != 2 {
				t.Errorf("write calls = %d, want 2", n)
			}
		})
	}
}

func TestFakeLatencyDeadline(t *testing.T) {
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv, c := fakeSetup(t, fc)
			if _, err := c.Login(t.Context()); err != nil {
				t.Fatal(err)
			}
			srv.InjectFault(odootest.Fault{Model: odoo.ModelPartner, Method: "search_read", Kind: odootest.Latency, Delay: 1500 * time.Millisecond})
			ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			var rows []map[string]any
			err := c.SearchRead(ctx, odoo.ModelPartner, nil, &odoo.SearchOptions{Fields: []string{"name"}}, &rows)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want context.DeadlineExceeded", err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("call returned after %v, want about 100ms", d)
			}
			// A shorter latency within the deadline is served normally.
			srv.ClearFaults()
			srv.InjectFault(odootest.Fault{Model: odoo.ModelPartner, Method: "search_read", Kind: odootest.Latency, Delay: 20 * time.Millisecond, Times: 1})
			ctx2, cancel2 := context.WithTimeout(t.Context(), 2*time.Second)
			defer cancel2()
			if err := c.SearchRead(ctx2, odoo.ModelPartner, odoo.Eq("id", 3), &odoo.SearchOptions{Fields: []string{"name"}}, &rows); err != nil || len(rows) != 1 {
				t.Errorf("slow call = %v, %v", rows, err)
			}
		})
	}
}

func TestFakeCancelledContext(t *testing.T) {
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv, c := fakeSetup(t, fc)
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			_, err := c.Search(ctx, odoo.ModelPartner, nil, nil)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if n := srv.Calls(odoo.ModelPartner, "search"); n != 0 {
				t.Errorf("search reached the server %d times after cancellation", n)
			}
		})
	}
}

func TestFakeOdooErrorFaultNotRetried(t *testing.T) {
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv, c := fakeSetup(t, fc)
			srv.InjectFault(odootest.Fault{Model: odoo.ModelPartner, Method: "search", Kind: odootest.OdooError,
				ErrorName: "odoo.exceptions.AccessError", Message: "You are not allowed to access 'Contact' (res.partner) records.", Times: 1})
			_, err := c.Search(t.Context(), odoo.ModelPartner, nil, nil)
			oe := wantKind(t, err, odoo.KindAccessError, odoo.ErrAccessError)
			if oe.Message != "You are not allowed to access 'Contact' (res.partner) records." {
				t.Errorf("message = %q", oe.Message)
			}
			if n := srv.Calls(odoo.ModelPartner, "search"); n != 1 {
				t.Errorf("search calls = %d, want 1 (an Odoo error is not transient)", n)
			}
		})
	}
}

func TestFakeConcurrentUse(t *testing.T) {
	ctx := t.Context()
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv := newFakeServer(t, fc)
			var mu sync.Mutex // the observer must be safe for concurrent use
			observed := map[string]int{}
			c := newFakeClient(t, srv, fc.protocol, odoo.WithObserver(func(ci odoo.CallInfo) {
				mu.Lock()
				defer mu.Unlock()
				observed[ci.Model+"."+ci.Method]++
				if ci.Err != nil {
					observed["errors"]++
				}
			}))
			const workers = 16
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			ids := make([]int64, workers)
			for i := range workers {
				wg.Go(func() {
					id, err := c.Create(ctx, odoo.ModelPartner, map[string]any{"name": fmt.Sprintf("Concurrente %02d", i)}, nil)
					if err != nil {
						errs <- err
						return
					}
					ids[i] = id
					p, err := odoo.Partners(c).Get(ctx, id, nil)
					if err != nil {
						errs <- err
						return
					}
					if p.Name != fmt.Sprintf("Concurrente %02d", i) {
						errs <- fmt.Errorf("worker %d read %q", i, p.Name)
						return
					}
					if err := c.Write(ctx, odoo.ModelPartner, []int64{id}, map[string]any{"city": "CDMX"}, nil); err != nil {
						errs <- err
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			n, err := c.SearchCount(ctx, odoo.ModelPartner, odoo.And(odoo.ILike("name", "Concurrente"), odoo.Eq("city", "CDMX")), nil)
			if err != nil || n != workers {
				t.Errorf("concurrent records = %d, %v, want %d", n, err, workers)
			}
			if fc.protocol != odoo.ProtocolJSON2 {
				if a := srv.Calls("", "authenticate") + srv.Calls("", "login"); a != 1 {
					t.Errorf("authenticate calls = %d, want 1 (uid shared by concurrent callers)", a)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for _, m := range []string{"create", "write"} {
				if got, want := observed[odoo.ModelPartner+"."+m], srv.Calls(odoo.ModelPartner, m); got != workers || want != workers {
					t.Errorf("%s: observer saw %d, fake counted %d, want %d", m, got, want, workers)
				}
			}
			if observed["errors"] != 0 {
				t.Errorf("observer saw %d errors", observed["errors"])
			}
			// Fields are learned once per model even under concurrency.
			if f := srv.Calls(odoo.ModelPartner, "fields_get"); f != 1 {
				t.Errorf("fields_get calls = %d, want 1", f)
			}
		})
	}
}
