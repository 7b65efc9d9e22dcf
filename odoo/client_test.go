package odoo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

var fastRetry = WithRetry(RetryPolicy{MaxRetries: 2, WaitMin: time.Millisecond, WaitMax: 5 * time.Millisecond})

func protocols() []Protocol { return []Protocol{ProtocolXMLRPC, ProtocolJSONRPC, ProtocolJSON2} }

func miniClient(t *testing.T, m *miniOdoo, p Protocol, opts ...Option) *Client {
	t.Helper()
	base := []Option{WithProtocol(p), WithDatabase("db"), fastRetry}
	if p == ProtocolJSON2 {
		base = append(base, WithAPIKey(m.apiKey))
	} else {
		base = append(base, WithLogin("admin", m.password))
	}
	c, err := NewClient(m.srv.URL, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewClientValidates(t *testing.T) {
	cases := []struct {
		name string
		url  string
		opts []Option
	}{
		{"bad scheme", "ftp://x", []Option{WithAPIKey("k")}},
		{"no host", "http://", []Option{WithAPIKey("k")}},
		{"credentials in URL", "https://u:p@x", []Option{WithAPIKey("k")}},
		{"no credentials", "https://x", nil},
		{"json2 without key", "https://x", []Option{WithProtocol(ProtocolJSON2), WithLogin("a", "b")}},
		{"xmlrpc without db", "https://x", []Option{WithProtocol(ProtocolXMLRPC), WithLogin("a", "b")}},
		{"jsonrpc without login", "https://x", []Option{WithProtocol(ProtocolJSONRPC), WithDatabase("d"), WithAPIKey("k")}},
		{"empty password", "https://x", []Option{WithDatabase("d"), WithLogin("a", "")}},
		{"auto without db", "https://x", []Option{WithLogin("a", "b")}},
		{"nil http client", "https://x", []Option{WithAPIKey("k"), WithHTTPClient(nil)}},
		{"bad retry", "https://x", []Option{WithAPIKey("k"), WithRetry(RetryPolicy{MaxRetries: -1})}},
		{"bad body cap", "https://x", []Option{WithAPIKey("k"), WithMaxBodyBytes(0)}},
		{"bad chunk", "https://x", []Option{WithAPIKey("k"), WithReadChunkSize(0)}},
		{"bad uid", "https://x", []Option{WithAPIKey("k"), WithUID(-1)}},
		{"bad protocol", "https://x", []Option{WithAPIKey("k"), WithProtocol(9)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewClient(tc.url, tc.opts...); err == nil {
				t.Fatal("want an error")
			}
		})
	}
	if _, err := NewClient("https://erp.example.com/odoo/", WithAPIKey("k")); err != nil {
		t.Fatal(err)
	}
}

func TestLoginLazyCachedAndWrongPassword(t *testing.T) {
	for _, p := range []Protocol{ProtocolXMLRPC, ProtocolJSONRPC} {
		t.Run(p.String(), func(t *testing.T) {
			m := newMiniOdoo(t)
			c := miniClient(t, m, p)
			if m.hits != 0 {
				t.Fatal("NewClient did I/O")
			}
			var wg sync.WaitGroup
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := c.Search(t.Context(), "res.partner", nil, nil); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if n := len(m.callsOf("authenticate")); n != 1 {
				t.Fatalf("authenticate called %d times by 8 concurrent first calls", n)
			}
			before := len(m.callsOf("authenticate"))
			if _, err := c.Search(t.Context(), "res.partner", nil, nil); err != nil {
				t.Fatal(err)
			}
			if len(m.callsOf("authenticate")) != before {
				t.Fatal("uid not cached")
			}

			bad, err := NewClient(m.srv.URL, WithProtocol(p), WithDatabase("db"), WithLogin("admin", "wrong"))
			if err != nil {
				t.Fatal(err)
			}
			_, err = bad.Search(t.Context(), "res.partner", nil, nil)
			var oe *Error
			if !errors.Is(err, ErrAccessDenied) || !errors.As(err, &oe) || oe.Op != "login" {
				t.Fatalf("wrong password: %v", err)
			}
		})
	}
}

func TestJSON2BadKey(t *testing.T) {
	m := newMiniOdoo(t)
	c, err := NewClient(m.srv.URL, WithProtocol(ProtocolJSON2), WithAPIKey("nope"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Search(t.Context(), "res.partner", nil, nil)
	var oe *Error
	if !errors.Is(err, ErrAccessDenied) || !errors.As(err, &oe) || oe.Status != 401 {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), "nope") {
		t.Fatal("API key leaked into the error")
	}
}

func TestAutoProtocol(t *testing.T) {
	cases := []struct {
		name    string
		version string
		noJSON  bool
		key     bool
		want    Protocol
	}{
		{"19 with key prefers JSON-2", "19.0", false, true, ProtocolJSON2},
		{"19 without key uses JSON-RPC", "19.0", false, false, ProtocolJSONRPC},
		{"17 uses JSON-RPC", "", false, true, ProtocolJSONRPC},
		{"no JSON-RPC falls back to XML-RPC", "", true, false, ProtocolXMLRPC},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := newMiniOdoo(t)
			m.version, m.noJSON = tc.version, tc.noJSON
			opts := []Option{WithDatabase("db"), WithLogin("admin", m.password)}
			if tc.key {
				opts = append(opts, WithAPIKey(m.apiKey))
			}
			c, err := NewClient(m.srv.URL, opts...)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Protocol(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("protocol %v, want %v", got, tc.want)
			}
			if _, err := c.Search(t.Context(), "res.partner", nil, nil); err != nil {
				t.Fatal(err)
			}
			v, err := c.Version(t.Context())
			if err != nil || v.Major == 0 {
				t.Fatalf("version %+v %v", v, err)
			}
		})
	}
}

func TestRetryReadsNotWrites(t *testing.T) {
	for _, p := range protocols() {
		t.Run(p.String(), func(t *testing.T) {
			m := newMiniOdoo(t)
			var failures atomic.Int32
			failures.Store(2)
			var writes atomic.Int32
			m.before = func(w http.ResponseWriter, r *http.Request, n int) bool {
				if r.URL.Path == "/xmlrpc/2/common" || r.Header.Get("X-Test-Skip") != "" {
					return false
				}
				if failures.Add(-1) >= 0 {
					if n%2 == 0 {
						w.Header().Set("Retry-After", "0")
						w.WriteHeader(http.StatusTooManyRequests)
					} else {
						w.Header().Set("Content-Type", "text/html")
						w.WriteHeader(http.StatusBadGateway)
						w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
					}
					return true
				}
				return false
			}
			c := miniClient(t, m, p, WithUID(2))
			if _, err := c.Search(t.Context(), "res.partner", nil, nil); err != nil {
				t.Fatalf("read not retried: %v", err)
			}
			// A write meets a 503 and is not sent again.
			m.before = func(w http.ResponseWriter, r *http.Request, n int) bool {
				writes.Add(1)
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusServiceUnavailable)
				w.Write([]byte("<html>maintenance</html>"))
				return true
			}
			err := c.Write(t.Context(), "res.partner", []int64{1}, map[string]any{"name": "x"}, nil)
			var oe *Error
			if !errors.As(err, &oe) || oe.Kind != KindTransport || oe.Status != 503 {
				t.Fatalf("write error %v", err)
			}
			if !strings.Contains(oe.Message, "503") || !strings.Contains(oe.Message, "text/html") || !strings.Contains(oe.Message, "maintenance") {
				t.Fatalf("message does not name status, type and body: %q", oe.Message)
			}
			if writes.Load() != 1 {
				t.Fatalf("write sent %d times", writes.Load())
			}
			writes.Store(0)
			err = c.Write(t.Context(), "res.partner", []int64{1}, map[string]any{"name": "x"}, &CallOptions{Idempotent: true})
			if !errors.Is(err, ErrTransport) || writes.Load() != 3 {
				t.Fatalf("idempotent write: %v after %d attempts", err, writes.Load())
			}
		})
	}
}

func TestConnectionRefused(t *testing.T) {
	m := newMiniOdoo(t)
	url := m.srv.URL
	m.srv.Close()
	c, err := NewClient(url, WithProtocol(ProtocolJSON2), WithAPIKey("k"), fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Search(t.Context(), "res.partner", nil, nil)
	if !errors.Is(err, ErrTransport) {
		t.Fatalf("got %v", err)
	}
}

func TestContextCancellation(t *testing.T) {
	m := newMiniOdoo(t)
	release := make(chan struct{})
	defer close(release)
	m.before = func(w http.ResponseWriter, r *http.Request, n int) bool {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return true
	}
	c := miniClient(t, m, ProtocolJSON2)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Search(ctx, "res.partner", nil, nil)
	if err != context.DeadlineExceeded {
		t.Fatalf("want ctx.Err(), got %v", err)
	}
}

func TestForeignAndOversizedBodies(t *testing.T) {
	for _, p := range protocols() {
		t.Run(p.String(), func(t *testing.T) {
			m := newMiniOdoo(t)
			m.before = func(w http.ResponseWriter, r *http.Request, n int) bool {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.Write([]byte("<!DOCTYPE html><html><title>Login</title></html>"))
				return true
			}
			c := miniClient(t, m, p, WithUID(2))
			_, err := c.Search(t.Context(), "res.partner", nil, nil)
			var oe *Error
			if !errors.As(err, &oe) || oe.Kind != KindProtocol || !strings.Contains(oe.Message, "DOCTYPE") || !strings.Contains(oe.Message, "HTTP 200") {
				t.Fatalf("got %v", err)
			}
			m.before = nil
			m.handle = func(c miniCall) (any, *miniErr) { return strings.Repeat("x", 5000), nil }
			c = miniClient(t, m, p, WithUID(2), WithMaxBodyBytes(1000))
			var s string
			err = c.Call(t.Context(), "res.partner", "name_get", []any{[]int64{1}}, nil, &s)
			if !errors.As(err, &oe) || oe.Kind != KindProtocol || !strings.Contains(oe.Message, "larger than 1000") {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestErrorsMappedAlike(t *testing.T) {
	cases := []struct {
		err  miniErr
		kind Kind
	}{
		{miniErr{name: nameValidationError, message: "The operation cannot be completed: Missing required value", status: 422, faultCode: 2}, KindValidationError},
		{miniErr{name: nameMissingError, message: "Record does not exist or has been deleted.", status: 404, faultCode: 2}, KindMissingError},
		{miniErr{name: nameAccessError, message: "You are not allowed to access 'Analytic Plan'", status: 403, faultCode: 4}, KindAccessError},
		{miniErr{name: nameUserError, message: "You can not delete a sent quotation", status: 422, faultCode: 2}, KindUserError},
	}
	for _, tc := range cases {
		for _, p := range protocols() {
			t.Run(tc.kind.String()+"/"+p.String(), func(t *testing.T) {
				m := newMiniOdoo(t)
				m.handle = func(miniCall) (any, *miniErr) { e := tc.err; return nil, &e }
				c := miniClient(t, m, p, WithUID(2))
				err := c.Unlink(t.Context(), "sale.order", []int64{1}, nil)
				var oe *Error
				if !errors.As(err, &oe) || oe.Kind != tc.kind || oe.Message != tc.err.message || oe.Name != tc.err.name {
					t.Fatalf("got %#v", err)
				}
				if oe.Model != "sale.order" || oe.Method != "unlink" {
					t.Fatalf("error lacks model/method: %v", oe)
				}
			})
		}
	}
}

func TestLoggingRedactsAndObserverSees(t *testing.T) {
	for _, p := range protocols() {
		t.Run(p.String(), func(t *testing.T) {
			m := newMiniOdoo(t)
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			var mu sync.Mutex
			var seen []CallInfo
			c := miniClient(t, m, p, WithLogger(logger), WithObserver(func(ci CallInfo) {
				mu.Lock()
				seen = append(seen, ci)
				mu.Unlock()
			}))
			logger.Debug("client", "odoo", c)
			if _, err := c.Search(t.Context(), "res.partner", Eq("name", "x"), nil); err != nil {
				t.Fatal(err)
			}
			out := logs.String()
			if strings.Contains(out, m.password) || strings.Contains(out, m.apiKey) {
				t.Fatalf("secret in logs:\n%s", out)
			}
			if !strings.Contains(out, "odoo call") || !strings.Contains(out, "REDACTED") {
				t.Fatalf("missing log lines:\n%s", out)
			}
			found := false
			for _, ci := range seen {
				if ci.Model == "res.partner" && ci.Method == "search" && ci.Err == nil && ci.Protocol == p {
					found = true
				}
			}
			if !found {
				t.Fatalf("observer saw %+v", seen)
			}
		})
	}
}

func TestContextSentAndOverridden(t *testing.T) {
	for _, p := range protocols() {
		t.Run(p.String(), func(t *testing.T) {
			m := newMiniOdoo(t)
			c := miniClient(t, m, p, WithContext(Context{Lang: "es_MX", TZ: "America/Mexico_City", CompanyID: 1}))
			if _, err := c.SearchCount(t.Context(), "res.partner", nil, &CallOptions{Context: &Context{CompanyID: 3, AllowedCompanyIDs: []int64{1, 3}, Extra: map[string]any{"active_test": false}}}); err != nil {
				t.Fatal(err)
			}
			calls := m.callsOf("search_count")
			if len(calls) != 1 {
				t.Fatalf("%d calls", len(calls))
			}
			got := toMap(calls[0].Kwargs["context"])
			want := map[string]any{"lang": "es_MX", "tz": "America/Mexico_City", "allowed_company_ids": []any{int64(3), int64(1)}, "active_test": false}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("context (-want +got):\n%s", diff)
			}
		})
	}
}

// partners19 answers like Odoo 19 (no res.partner mobile/date).
func partnerHandler(t *testing.T, version int) func(c miniCall) (any, *miniErr) {
	return func(c miniCall) (any, *miniErr) {
		switch c.Method {
		case "fields_get":
			f := map[string]any{}
			for _, n := range []string{"id", "name", "email", "parent_id", "category_id", "credit_limit", "create_date", "is_company", "tax_ids", "order_id"} {
				f[n] = map[string]any{"type": "char"}
			}
			if version < 19 {
				f["mobile"] = map[string]any{"type": "char"}
				f["tax_id"] = map[string]any{"type": "many2many"}
				delete(f, "tax_ids")
			}
			return f, nil
		case "search_read", "read":
			fields := toList(c.Kwargs["fields"])
			rows := []any{}
			n := 2
			if c.Method == "read" {
				n = len(toList(c.arg("ids", 0)))
			}
			for i := range n {
				row := map[string]any{"id": int64(i + 1)}
				for _, f := range fields {
					switch f {
					case "name":
						row["name"] = fmt.Sprintf("P%d", i+1)
					case "parent_id":
						row["parent_id"] = []any{int64(7), "Ruta 27"}
					case "tax_id", "tax_ids":
						row[f.(string)] = []any{int64(11)}
					case "order_id":
						row["order_id"] = []any{int64(100 + i%2), "S0001"}
					case "credit_limit":
						row["credit_limit"] = jsonNumber("1234.56")
					default:
						row[f.(string)] = false
					}
				}
				rows = append(rows, row)
			}
			return rows, nil
		case "search":
			return []any{}, nil
		}
		t.Errorf("unexpected %s", c.Method)
		return nil, nil
	}
}

func jsonNumber(s string) any { v, _ := oracleJSON([]byte(s)); return v }

func TestTypedReadsAcrossVersions(t *testing.T) {
	for _, version := range []int{17, 19} {
		for _, p := range protocols() {
			if p == ProtocolJSON2 && version < 19 {
				continue
			}
			t.Run(fmt.Sprintf("%d/%s", version, p), func(t *testing.T) {
				m := newMiniOdoo(t)
				m.handle = partnerHandler(t, version)
				c := miniClient(t, m, p)
				partners, err := Partners(c).SearchRead(t.Context(), Eq("is_company", true), &SearchOptions{Limit: 2})
				if err != nil {
					t.Fatal(err)
				}
				if len(partners) != 2 || partners[0].Name != "P1" || partners[0].ParentID != (Many2One{7, "Ruta 27"}) ||
					!partners[0].CreditLimit.Equal(decimal.RequireFromString("1234.56")) || partners[0].Email.Valid {
					t.Fatalf("partners %+v", partners)
				}
				asked := toList(m.callsOf("search_read")[0].Kwargs["fields"])
				hasMobile := false
				for _, f := range asked {
					if f == "mobile" {
						hasMobile = true
					}
					if f == "date" || f == "street" {
						t.Errorf("asked for %v, which the server lacks", f)
					}
				}
				if hasMobile != (version < 19) {
					t.Errorf("mobile asked=%v on %d", hasMobile, version)
				}
				// Renamed field: tax_ids on 19, tax_id before, one struct.
				lines, err := SaleOrderLines(c).Read(t.Context(), []int64{1}, nil)
				if err != nil {
					t.Fatal(err)
				}
				if len(lines) != 1 || len(lines[0].TaxIDs) != 1 || lines[0].TaxIDs[0] != 11 {
					t.Fatalf("lines %+v", lines)
				}
				if got := len(m.callsOf("fields_get")); got != 2 {
					t.Fatalf("fields_get called %d times for two models", got)
				}
				// No alias in the tag: the built-in rename table applies, both ways.
				type newLine struct {
					Taxes []int64 `odoo:"tax_ids"`
				}
				type oldLine struct {
					Taxes []int64 `odoo:"tax_id"`
				}
				var nl []newLine
				var ol []oldLine
				if err := c.Read(t.Context(), ModelSaleOrderLine, []int64{1}, nil, &nl); err != nil {
					t.Fatal(err)
				}
				if err := c.Read(t.Context(), ModelSaleOrderLine, []int64{1}, nil, &ol); err != nil {
					t.Fatal(err)
				}
				if len(nl) != 1 || len(nl[0].Taxes) != 1 || len(ol) != 1 || len(ol[0].Taxes) != 1 {
					t.Fatalf("renamed field not read: %+v %+v", nl, ol)
				}
				if _, err := Partners(c).SearchRead(t.Context(), nil, nil); err != nil {
					t.Fatal(err)
				}
				if got := len(m.callsOf("fields_get")); got != 2 {
					t.Fatalf("fields_get not cached: %d calls", got)
				}
				ids, err := c.Search(t.Context(), "res.partner", Eq("name", "nobody"), nil)
				if err != nil || ids == nil || len(ids) != 0 {
					t.Fatalf("empty search: %v %v", ids, err)
				}
			})
		}
	}
}

func TestReadChunksAndLoadRelated(t *testing.T) {
	for _, p := range protocols() {
		t.Run(p.String(), func(t *testing.T) {
			m := newMiniOdoo(t)
			m.handle = partnerHandler(t, 19)
			c := miniClient(t, m, p, WithReadChunkSize(1000), WithFieldDiscovery(false))
			ids := make([]int64, 2500)
			for i := range ids {
				ids[i] = int64(i + 1)
			}
			got, err := Partners(c).Read(t.Context(), ids, &SearchOptions{Fields: []string{"name"}})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2500 || len(m.callsOf("read")) != 3 {
				t.Fatalf("%d rows in %d calls", len(got), len(m.callsOf("read")))
			}
			rel, err := LoadRelated[SaleOrderLine](t.Context(), c, ModelSaleOrderLine, "order_id", []int64{100, 101, 102}, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.callsOf("search_read")) != 1 || len(rel[100]) != 1 || len(rel[101]) != 1 || len(rel[102]) != 0 {
				t.Fatalf("related %v in %d calls", rel, len(m.callsOf("search_read")))
			}
			dom := m.callsOf("search_read")[0].arg("domain", 0)
			if diff := cmp.Diff([]any{[]any{"order_id", "in", []any{int64(100), int64(101), int64(102)}}}, dom); diff != "" {
				t.Fatalf("domain:\n%s", diff)
			}
			var one Partner
			m.handle = func(miniCall) (any, *miniErr) { return []any{}, nil }
			if err := c.Get(t.Context(), ModelPartner, 99, nil, &one); !errors.Is(err, ErrNotFound) {
				t.Fatalf("Get of a missing id: %v", err)
			}
		})
	}
}

func TestCreateWriteAcrossProtocols(t *testing.T) {
	for _, p := range protocols() {
		t.Run(p.String(), func(t *testing.T) {
			m := newMiniOdoo(t)
			m.handle = func(c miniCall) (any, *miniErr) {
				if c.Method == "create" {
					if c.Protocol == "json2" {
						n := len(toList(c.Kwargs["vals_list"]))
						out := []any{}
						for i := range n {
							out = append(out, int64(50+i))
						}
						return out, nil
					}
					if l, ok := c.Args[0].([]any); ok {
						out := []any{}
						for i := range l {
							out = append(out, int64(50+i))
						}
						return out, nil
					}
					return int64(50), nil
				}
				return true, nil
			}
			c := miniClient(t, m, p)
			vals := map[string]any{
				"name":        "Juan",
				"parent_id":   Many2One{},
				"country_id":  Many2One{ID: 156},
				"date":        NewDate(2026, 3, 1),
				"website":     String{},
				"category_id": []Command{SetCommand(4, 5), LinkCommand(6)},
				"amount":      decimal.RequireFromString("1999.99"),
			}
			id, err := c.Create(t.Context(), "res.partner", vals, nil)
			if err != nil || id != 50 {
				t.Fatalf("create %d %v", id, err)
			}
			ids, err := c.CreateMany(t.Context(), "res.partner", []map[string]any{{"name": "a"}, {"name": "b"}}, nil)
			if err != nil || len(ids) != 2 || ids[1] != 51 {
				t.Fatalf("create many %v %v", ids, err)
			}
			sent := toMap(m.callsOf("create")[0].arg("vals_list", 0))
			if p == ProtocolJSON2 {
				sent = toMap(toList(m.callsOf("create")[0].Kwargs["vals_list"])[0])
			}
			want := map[string]any{
				"name": "Juan", "parent_id": false, "country_id": int64(156), "date": "2026-03-01", "website": false,
				"category_id": []any{[]any{int64(6), int64(0), []any{int64(4), int64(5)}}, []any{int64(4), int64(6), int64(0)}},
				"amount":      jsonNumber("1999.99"),
			}
			if diff := cmp.Diff(want, sent, numberComparer); diff != "" {
				t.Fatalf("vals sent (-want +got):\n%s", diff)
			}
			if err := c.Write(t.Context(), "res.partner", []int64{50}, map[string]any{"website": false}, nil); err != nil {
				t.Fatal(err)
			}
			w := m.callsOf("write")[0]
			if diff := cmp.Diff([]any{int64(50)}, w.arg("ids", 0)); diff != "" {
				t.Fatal(diff)
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	m := newMiniOdoo(t)
	m.handle = partnerHandler(t, 19)
	c := miniClient(t, m, ProtocolJSONRPC)
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := Partners(c).SearchRead(t.Context(), nil, nil)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(m.callsOf("fields_get")); n != 1 {
		t.Fatalf("fields_get %d times under concurrency", n)
	}
}

func TestConnectionReuse(t *testing.T) {
	m := &miniOdoo{t: t, version: "19.0", password: "secret", apiKey: "key-123"}
	var conns atomic.Int32
	m.srv = httptest.NewUnstartedServer(http.HandlerFunc(m.serve))
	m.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	m.srv.Start()
	t.Cleanup(m.srv.Close)
	for _, p := range protocols() {
		c := miniClient(t, m, p)
		for range 20 {
			if _, err := c.SearchCount(t.Context(), "res.partner", nil, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := conns.Load(); n > 3 {
		t.Fatalf("%d connections for 60 sequential calls over 3 clients", n)
	}
}

func TestAPIKeyAsPassword(t *testing.T) {
	m := newMiniOdoo(t)
	c, err := NewClient(m.srv.URL, WithProtocol(ProtocolXMLRPC), WithDatabase("db"), WithLogin("admin", ""), WithAPIKey(m.apiKey))
	if err != nil {
		t.Fatal(err)
	}
	uid, err := c.Login(t.Context())
	if err != nil || uid != 2 {
		t.Fatalf("uid %d %v", uid, err)
	}
	if got := m.callsOf("authenticate")[0].Args[2]; got != m.apiKey {
		t.Fatalf("authenticate sent %v as the password", got)
	}
}

func TestAutoProtocolNoOdoo(t *testing.T) {
	m := newMiniOdoo(t)
	m.before = func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte("<html>nginx</html>"))
		return true
	}
	c, err := NewClient(m.srv.URL, WithDatabase("db"), WithLogin("admin", "x"), fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Search(t.Context(), "res.partner", nil, nil)
	if !errors.Is(err, ErrTransport) || !strings.Contains(err.Error(), "detecting the protocol") || !strings.Contains(err.Error(), "404") {
		t.Fatalf("got %v", err)
	}
}
