package odootest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func fixedClock() time.Time { return time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC) }

func newTestServer(t *testing.T, opts ...Option) *Server {
	t.Helper()
	return NewServer(t, append([]Option{WithClock(fixedClock)}, opts...)...)
}

func TestVersionAndAuthentication(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"17.0", "19.0"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, WithVersion(version), WithDatabase("cmu"), WithAdmin("admin", "secret"), WithAPIKey("k1"))
			env := rpcJSON(t, srv, "common", "version")
			info := env["result"].(map[string]any)
			if info["server_version"] != version {
				t.Errorf("server_version = %v", info["server_version"])
			}
			if got := rpcJSON(t, srv, "common", "authenticate", "cmu", "admin", "secret", map[string]any{})["result"]; got != int64(2) {
				t.Errorf("authenticate = %v, want 2", got)
			}
			if got := rpcJSON(t, srv, "common", "authenticate", "cmu", "admin", "k1", map[string]any{})["result"]; got != int64(2) {
				t.Errorf("authenticate with API key = %v, want 2", got)
			}
			if got := rpcJSON(t, srv, "common", "authenticate", "cmu", "admin", "bad", map[string]any{})["result"]; got != false {
				t.Errorf("authenticate with a wrong password = %v, want false", got)
			}
			res, _ := rpcXML(t, srv, "/xmlrpc/2/common", "authenticate", "cmu", "admin", "bad", map[string]any{})
			if res != false {
				t.Errorf("XML-RPC authenticate with a wrong password = %v, want false", res)
			}
			_, fault := rpcXML(t, srv, "/xmlrpc/2/object", "execute_kw", "cmu", 2, "bad", "res.partner", "search", []any{[]any{}})
			if fault == nil || fault["faultCode"] != int64(3) || fault["faultString"] != "Access Denied" {
				t.Errorf("execute_kw with a wrong password: fault %v, want code 3 Access Denied", fault)
			}
			env = rpcJSON(t, srv, "object", "execute_kw", "cmu", 2, "bad", "res.partner", "search", []any{[]any{}})
			e := env["error"].(map[string]any)
			wantCode := int64(0)
			if version == "17.0" {
				wantCode = 200
			}
			if e["code"] != wantCode || e["data"].(map[string]any)["name"] != excAccessDenied {
				t.Errorf("JSON-RPC AccessDenied error = %v", e)
			}
		})
	}
}

func TestWebVersionAndJSON2Availability(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	resp, err := http.Get(srv.URL + "/web/version")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("GET /web/version: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	status, ctype, _ := post(t, srv.URL+"/web/version", "application/json", []byte("{}"), nil)
	if status != 400 || !strings.HasPrefix(ctype, "text/html") {
		t.Errorf("POST /web/version: %d %s, want 400 HTML", status, ctype)
	}
	status, ctype, body := post(t, srv.URL+"/json/2/res.partner/search", "application/json", []byte(`{"domain": []}`),
		map[string]string{"Authorization": "bearer wrong"})
	if status != 401 || !strings.Contains(string(body), excUnauthorized) || ctype != "application/json; charset=utf-8" {
		t.Errorf("bad key: %d %s %s", status, ctype, body)
	}
	old := newTestServer(t, WithVersion("17.0"))
	status, _, _ = post(t, old.URL+"/json/2/res.partner/search", "application/json", []byte(`{}`),
		map[string]string{"Authorization": "bearer " + old.APIKey})
	if status != 404 {
		t.Errorf("JSON-2 on 17.0: status %d, want 404", status)
	}
}

// TestProtocolsAgree creates through one protocol and reads the same
// record through all three: the answers must be identical.
func TestProtocolsAgree(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	tag := mustJSON(t, srv, "res.partner.category", "create", []any{map[string]any{"name": "Transportista"}}, nil).(int64)
	company := mustJSON(t, srv, "res.partner", "create", []any{map[string]any{"name": "Ruta 27", "is_company": true, "country_id": 156}}, nil).(int64)
	contact := mustJSON(t, srv, "res.partner", "create", []any{map[string]any{
		"name": "Juan Pérez", "parent_id": company, "category_id": []any{[]any{6, 0, []any{tag}}}, "credit_limit": 1500.5,
	}}, nil).(int64)
	fields := []any{"name", "parent_id", "category_id", "email", "is_company", "credit_limit", "child_ids", "create_date", "display_name"}
	viaJSON := mustJSON(t, srv, "res.partner", "read", []any{[]any{contact, company}}, map[string]any{"fields": fields})
	viaXML, fault := execXML(t, srv, "res.partner", "read", []any{[]any{contact, company}}, map[string]any{"fields": fields})
	if fault != nil {
		t.Fatal(fault)
	}
	status, via2 := callJSON2(t, srv, "res.partner", "read", map[string]any{"ids": []any{contact, company}, "fields": fields})
	if status != 200 {
		t.Fatalf("json2 read: %d %v", status, via2)
	}
	if d := cmp.Diff(viaJSON, viaXML); d != "" {
		t.Errorf("XML-RPC differs from JSON-RPC (-json +xml):\n%s", d)
	}
	if d := cmp.Diff(viaJSON, via2); d != "" {
		t.Errorf("JSON-2 differs from JSON-RPC (-jsonrpc +json2):\n%s", d)
	}
	rec := viaJSON.([]any)[0].(map[string]any)
	want := map[string]any{
		"id": contact, "name": "Juan Pérez", "parent_id": []any{company, "Ruta 27"}, "category_id": []any{tag},
		"email": false, "is_company": false, "credit_limit": 1500.5, "child_ids": []any{},
		"create_date": "2026-03-02 15:04:05", "display_name": "Ruta 27, Juan Pérez",
	}
	if d := cmp.Diff(want, rec); d != "" {
		t.Errorf("read (-want +got):\n%s", d)
	}
	if got := viaJSON.([]any)[1].(map[string]any)["child_ids"]; !cmp.Equal(got, []any{contact}) {
		t.Errorf("company child_ids = %v", got)
	}
}

func TestCreateForms(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	one := mustJSON(t, srv, "res.partner", "create", []any{map[string]any{"name": "A"}}, nil)
	if _, ok := one.(int64); !ok {
		t.Errorf("create(dict) = %T, want an id", one)
	}
	many := mustJSON(t, srv, "res.partner", "create", []any{[]any{map[string]any{"name": "B"}, map[string]any{"name": "C"}}}, nil)
	if l, ok := many.([]any); !ok || len(l) != 2 {
		t.Errorf("create([dicts]) = %v, want two ids", many)
	}
	status, res := callJSON2(t, srv, "res.partner", "create", map[string]any{"vals_list": []any{map[string]any{"name": "D"}}})
	if l, ok := res.([]any); status != 200 || !ok || len(l) != 1 {
		t.Errorf("JSON-2 create = %d %v, want a list of one id", status, res)
	}
	// A failing batch creates nothing.
	before := len(srv.Records("crm.lead"))
	_, e := execJSON(t, srv, "crm.lead", "create", []any{[]any{map[string]any{"name": "ok"}, map[string]any{"type": "lead"}}}, nil)
	if e == nil || e["name"] != excValidationError {
		t.Fatalf("missing required name: %v", e)
	}
	if after := len(srv.Records("crm.lead")); after != before {
		t.Errorf("failed batch left %d leads", after-before)
	}
}

func TestErrorsPerProtocol(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	id := srv.Seed("res.partner", map[string]any{"name": "Gone"})[0]
	srv.Seed("res.partner", map[string]any{"name": "Child", "parent_id": id})
	if _, err := execJSON(t, srv, "res.partner", "unlink", []any{[]any{id}}, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		model      string
		method     string
		args       []any
		kwargs     map[string]any
		json2      map[string]any
		excName    string
		faultCode  int64
		json2Code  int
		json2Name  string
		msgContain string
	}{
		{"unknown model", "x.nope", "search", []any{[]any{}}, nil, map[string]any{"domain": []any{}},
			excUserError, 2, 404, excNotFound, "x.nope"},
		{"unknown method", "res.partner", "frobnicate", []any{[]any{}}, nil, map[string]any{},
			excAttributeError, 1, 404, excNotFound, "frobnicate"},
		{"private method", "res.partner", "_private", []any{[]any{}}, nil, map[string]any{},
			excAccessError, 4, 403, excAccessError, "cannot be called remotely"},
		{"unknown field in domain", "res.partner", "search", []any{[]any{[]any{"nope", "=", 1}}}, nil,
			map[string]any{"domain": []any{[]any{"nope", "=", 1}}}, excValueError, 1, 500, excValueError, "Invalid field res.partner.nope"},
		{"write deleted", "res.partner", "write", []any{[]any{id}, map[string]any{"name": "x"}}, nil,
			map[string]any{"ids": []any{id}, "vals": map[string]any{"name": "x"}}, excMissingError, 2, 404, excMissingError, "Record does not exist"},
		{"required missing", "crm.lead", "create", []any{map[string]any{"type": "opportunity"}}, nil,
			map[string]any{"vals_list": []any{map[string]any{"type": "opportunity"}}}, excValidationError, 2, 422, excValidationError, "Missing required value for the field 'Opportunity' (name)"},
		{"bad selection", "res.partner", "create", []any{map[string]any{"name": "x", "type": "nope"}}, nil,
			map[string]any{"vals_list": []any{map[string]any{"name": "x", "type": "nope"}}}, excValueError, 1, 500, excValueError, "Wrong value for res.partner.type"},
		{"unexpected kwarg", "res.partner", "search", []any{[]any{}}, map[string]any{"bogus": 1},
			map[string]any{"domain": []any{}, "bogus": 1}, excTypeError, 1, 422, excUnprocessable, "unexpected keyword argument 'bogus'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, e := execJSON(t, srv, tc.model, tc.method, tc.args, tc.kwargs)
			if e == nil || e["name"] != tc.excName || !strings.Contains(e["message"].(string), tc.msgContain) {
				t.Errorf("JSON-RPC error = %v, want %s containing %q", e, tc.excName, tc.msgContain)
			}
			if e != nil && !strings.Contains(e["debug"].(string), strings.TrimPrefix(tc.excName, "builtins.")) {
				t.Errorf("debug does not name the exception: %q", e["debug"])
			}
			_, fault := execXML(t, srv, tc.model, tc.method, tc.args, tc.kwargs)
			if fault == nil || fault["faultCode"] != tc.faultCode {
				t.Errorf("XML-RPC fault = %v, want code %d", fault, tc.faultCode)
			}
			status, body := callJSON2(t, srv, tc.model, tc.method, tc.json2)
			b, _ := body.(map[string]any)
			if status != tc.json2Code || b["name"] != tc.json2Name {
				t.Errorf("JSON-2 = %d %v, want %d %s", status, b["name"], tc.json2Code, tc.json2Name)
			}
		})
	}
}

func TestReadDeletedAndRecursion(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ids := srv.Seed("res.partner", map[string]any{"name": "Parent", "is_company": true}, map[string]any{"name": "Kid"})
	mustJSON(t, srv, "res.partner", "write", []any{[]any{ids[1]}, map[string]any{"parent_id": ids[0]}}, nil)
	_, e := execJSON(t, srv, "res.partner", "write", []any{[]any{ids[0]}, map[string]any{"parent_id": ids[1]}}, nil)
	if e == nil || e["message"] != "You cannot create recursive Partner hierarchies." {
		t.Errorf("recursion: %v", e)
	}
	if got, _ := srv.Get("res.partner", ids[0]); got["parent_id"] != int64(0) {
		t.Errorf("failed write changed parent_id to %v", got["parent_id"])
	}
	mustJSON(t, srv, "res.partner", "unlink", []any{[]any{ids[1]}}, nil)
	if got := mustJSON(t, srv, "res.partner", "read", []any{[]any{ids[1]}}, map[string]any{"fields": []any{"name"}}); !cmp.Equal(got, []any{}) {
		t.Errorf("read of a deleted id = %v, want []", got)
	}
}

func TestDomains(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	tags := srv.Seed("res.partner.category", map[string]any{"name": "VIP"}, map[string]any{"name": "Gas"})
	co := srv.Seed("res.partner", map[string]any{"name": "Ruta 27 Ecatepec", "is_company": true, "country_id": 156, "email": "ruta@example.mx"})[0]
	p := srv.Seed("res.partner",
		map[string]any{"name": "Juan Pérez", "parent_id": co, "email": "juan.perez@example.mx", "category_id": []any{[]any{6, 0, []any{tags[0]}}}, "credit_limit": 100.0},
		map[string]any{"name": "Ana López", "parent_id": co, "email": "ana@example.mx", "category_id": []any{[]any{6, 0, []any{tags[1]}}}, "credit_limit": 50.0},
		map[string]any{"name": "Pedro_x", "country_id": 233, "active": false},
		map[string]any{"name": "pedro 100%", "country_id": 233},
	)
	juan, ana, pedroArchived, pedro := p[0], p[1], p[2], p[3]
	sub := srv.Seed("res.partner", map[string]any{"name": "Sub", "parent_id": juan})[0]
	tests := []struct {
		name   string
		domain []any
		want   []int64
	}{
		{"equal", []any{[]any{"name", "=", "Ana López"}}, []int64{ana}},
		{"ilike", []any{[]any{"name", "ilike", "PEDRO"}}, []int64{pedro}},
		{"like is case sensitive", []any{[]any{"name", "like", "pedro"}}, []int64{pedro}},
		{"=like pattern", []any{[]any{"email", "=like", "juan.%"}}, []int64{juan}},
		{"=ilike pattern", []any{[]any{"email", "=ilike", "ANA@%"}}, []int64{ana}},
		{"not ilike includes empty", []any{[]any{"email", "not ilike", "example"}, []any{"id", "in", []any{juan, pedro}}}, []int64{pedro}},
		{"in", []any{[]any{"id", "in", []any{juan, ana, 999}}}, []int64{juan, ana}},
		{"not in", []any{[]any{"parent_id", "=", co}, []any{"id", "not in", []any{juan}}}, []int64{ana}},
		{"many2one id", []any{[]any{"parent_id", "=", co}}, []int64{juan, ana}},
		{"many2one false", []any{[]any{"parent_id", "=", false}, []any{"country_id", "=", 233}}, []int64{pedro}},
		// Like Odoo's name_search, the display name counts: Sub's parent
		// is "Ruta 27 Ecatepec, Juan Pérez".
		{"many2one name", []any{[]any{"parent_id", "ilike", "ruta"}}, []int64{juan, ana, sub}},
		{"dotted path", []any{[]any{"parent_id.country_id.code", "=", "MX"}}, []int64{juan, ana}},
		{"dotted path char", []any{[]any{"parent_id.name", "=like", "Ruta%"}}, []int64{juan, ana}},
		{"many2many", []any{[]any{"category_id", "in", []any{tags[1]}}}, []int64{ana}},
		{"many2many name", []any{[]any{"category_id", "=", "VIP"}}, []int64{juan}},
		{"or", []any{"|", []any{"name", "=", "Ana López"}, []any{"name", "=", "Juan Pérez"}}, []int64{juan, ana}},
		{"not", []any{"!", []any{"parent_id", "=", false}, []any{"parent_id", "!=", juan}, []any{"id", ">", 4}}, []int64{juan, ana}},
		{"nested and or", []any{"&", []any{"is_company", "=", false}, "|", []any{"country_id", "=", 233}, []any{"email", "ilike", "ana"}}, []int64{ana, pedro}},
		{"numbers", []any{[]any{"credit_limit", ">", 60}, []any{"credit_limit", "<=", 100.0}}, []int64{juan}},
		{"boolean false", []any{[]any{"is_company", "=", false}, []any{"country_id", "=", 233}}, []int64{pedro}},
		{"archived only when asked", []any{[]any{"active", "=", false}, []any{"country_id", "=", 233}}, []int64{pedroArchived}},
		{"child_of", []any{[]any{"id", "child_of", co}}, []int64{co, juan, ana, sub}},
		{"parent_of", []any{[]any{"id", "parent_of", sub}}, []int64{co, juan, sub}},
		{"datetime compare", []any{[]any{"create_date", ">=", "2026-03-02 00:00:00"}, []any{"id", "=", juan}}, []int64{juan}},
		{"date string against datetime", []any{[]any{"create_date", "<", "2026-03-02"}, []any{"id", "=", juan}}, []int64{}},
		{"true leaf", []any{[]any{1, "=", 1}, []any{"id", "=", ana}}, []int64{ana}},
		{"any", []any{[]any{"child_ids", "any", []any{[]any{"name", "=", "Sub"}}}}, []int64{juan}},
		{"=? ignores false", []any{[]any{"email", "=?", false}, []any{"id", "=", sub}}, []int64{sub}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := mustJSON(t, srv, "res.partner", "search", []any{tc.domain}, map[string]any{"order": "id"})
			want := make([]any, len(tc.want))
			for i, id := range tc.want {
				want[i] = id
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("search %v (-want +got):\n%s", tc.domain, d)
			}
		})
	}
}

func TestOrderLimitOffsetCount(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	ids := srv.Seed("res.partner",
		map[string]any{"name": "b", "ref": "2"}, map[string]any{"name": "A", "ref": "1"},
		map[string]any{"name": "c", "ref": "1"}, map[string]any{"name": "a", "ref": "3"})
	got := mustJSON(t, srv, "res.partner", "search", []any{[]any{[]any{"id", "in", ids}}}, map[string]any{"order": "ref asc, id desc"})
	want := []any{ids[2], ids[1], ids[0], ids[3]}
	if !cmp.Equal(got, want) {
		t.Errorf("order ref asc, id desc = %v, want %v", got, want)
	}
	got = mustJSON(t, srv, "res.partner", "search", []any{[]any{[]any{"id", "in", ids}}}, map[string]any{"order": "name desc", "limit": 2, "offset": 1})
	if !cmp.Equal(got, []any{ids[0], ids[1]}) && !cmp.Equal(got, []any{ids[0], ids[3]}) {
		t.Errorf("name desc limit 2 offset 1 = %v", got)
	}
	n := mustJSON(t, srv, "res.partner", "search_count", []any{[]any{[]any{"id", "in", ids}}}, nil)
	if n != int64(4) {
		t.Errorf("search_count = %v", n)
	}
	_, e := execJSON(t, srv, "res.partner", "search", []any{[]any{}}, map[string]any{"order": "nope desc"})
	if e == nil || e["name"] != excValueError {
		t.Errorf("order on an unknown field: %v", e)
	}
}

func TestX2ManyCommands(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	tags := srv.Seed("res.partner.category", map[string]any{"name": "t1"}, map[string]any{"name": "t2"}, map[string]any{"name": "t3"})
	p := srv.Seed("res.partner", map[string]any{"name": "P", "is_company": true})[0]
	kids := srv.Seed("res.partner", map[string]any{"name": "k1"}, map[string]any{"name": "k2"})
	readTags := func() []int64 { r, _ := srv.Get("res.partner", p); return r["category_id"].([]int64) }
	readKids := func() []int64 { r, _ := srv.Get("res.partner", p); return r["child_ids"].([]int64) }
	steps := []struct {
		name  string
		field string
		cmds  []any
		check func() []int64
		want  []int64
	}{
		{"set", "category_id", []any{[]any{6, 0, []any{tags[0], tags[1]}}}, readTags, []int64{tags[0], tags[1]}},
		{"link", "category_id", []any{[]any{4, tags[2], 0}}, readTags, tags},
		{"unlink", "category_id", []any{[]any{3, tags[0], 0}}, readTags, []int64{tags[1], tags[2]}},
		{"clear", "category_id", []any{[]any{5, 0, 0}}, readTags, []int64{}},
		{"plain ids", "category_id", []any{tags[2]}, readTags, []int64{tags[2]}},
		{"o2m link", "child_ids", []any{[]any{4, kids[0], 0}, []any{4, kids[1], 0}}, readKids, kids},
		{"o2m unlink keeps the record", "child_ids", []any{[]any{3, kids[0], 0}}, readKids, []int64{kids[1]}},
		{"o2m set", "child_ids", []any{[]any{6, 0, []any{kids[0]}}}, readKids, []int64{kids[0]}},
	}
	for _, st := range steps {
		mustJSON(t, srv, "res.partner", "write", []any{[]any{p}, map[string]any{st.field: st.cmds}}, nil)
		if got := st.check(); !cmp.Equal(got, st.want) {
			t.Errorf("%s: %v, want %v", st.name, got, st.want)
		}
	}
	if _, ok := srv.Get("res.partner", kids[1]); !ok {
		t.Error("command 3 on a one2many deleted the record")
	}
	// create (0), update (1) and delete (2) through a sale order's lines.
	prod := mustJSON(t, srv, "product.product", "create", []any{map[string]any{"name": "Kit", "list_price": 100.0}}, nil).(int64)
	so := mustJSON(t, srv, "sale.order", "create", []any{map[string]any{"partner_id": p, "order_line": []any{
		[]any{0, 0, map[string]any{"product_id": prod, "product_uom_qty": 2}},
		[]any{0, 0, map[string]any{"product_id": prod, "price_unit": 10.5, "name": "Instalación"}},
	}}}, nil).(int64)
	order, _ := srv.Get("sale.order", so)
	lines := order["order_line"].([]int64)
	if len(lines) != 2 || order["amount_untaxed"] != 210.5 || order["name"] != "S00001" {
		t.Fatalf("order %v", order)
	}
	mustJSON(t, srv, "sale.order", "write", []any{[]any{so}, map[string]any{"order_line": []any{
		[]any{1, lines[0], map[string]any{"product_uom_qty": 1}}, []any{2, lines[1], 0},
	}}}, nil)
	order, _ = srv.Get("sale.order", so)
	if order["amount_total"] != 100.0 || len(order["order_line"].([]int64)) != 1 {
		t.Errorf("after update+delete: %v", order)
	}
	if _, ok := srv.Get("sale.order.line", lines[1]); ok {
		t.Error("command 2 kept the line")
	}
}

func TestSaleOrderLifecycle(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		version string
		tax     float64
	}{{"17.0", 4350.08}, {"19.0", 0}} {
		t.Run(tc.version, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, WithVersion(tc.version))
			partner := srv.Seed("res.partner", map[string]any{"name": "Juan"})[0]
			prod := mustJSON(t, srv, "product.product", "create", []any{map[string]any{"name": "Kit GNV", "list_price": 25000.5, "type": "consu"}}, nil).(int64)
			so := mustJSON(t, srv, "sale.order", "create", []any{map[string]any{"partner_id": partner, "order_line": []any{
				[]any{0, 0, map[string]any{"product_id": prod, "product_uom_qty": 1, "price_unit": 25000.5}},
				[]any{0, 0, map[string]any{"product_id": prod, "product_uom_qty": 2, "price_unit": 1999.99, "name": "Instalación"}},
			}}}, nil).(int64)
			got := mustJSON(t, srv, "sale.order", "read", []any{[]any{so}}, map[string]any{"fields": []any{"state", "amount_untaxed", "amount_tax", "amount_total", "validity_date"}})
			rec := got.([]any)[0].(map[string]any)
			if rec["amount_untaxed"] != 29000.48 || rec["amount_tax"] != tc.tax || rec["state"] != "draft" || rec["validity_date"] != "2026-04-01" {
				t.Errorf("order %v", rec)
			}
			if res := mustJSON(t, srv, "sale.order", "action_confirm", []any{[]any{so}}, nil); res != true {
				t.Errorf("action_confirm = %v", res)
			}
			_, e := execJSON(t, srv, "sale.order", "unlink", []any{[]any{so}}, nil)
			if e == nil || e["name"] != excUserError {
				t.Errorf("unlink confirmed: %v", e)
			}
		})
	}
}

func TestAnalyticBalanceFollowsPlanColumns(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	partner := srv.Seed("res.partner", map[string]any{"name": "Juan"})[0]
	plan := mustJSON(t, srv, "account.analytic.plan", "create", []any{map[string]any{"name": "CMu Ahorro"}}, nil).(int64)
	projectAcc := srv.Seed("account.analytic.account", map[string]any{"name": "Proyecto", "plan_id": projectPlanID})[0]
	ahorro := srv.Seed("account.analytic.account", map[string]any{"name": "Ahorro", "plan_id": plan, "partner_id": partner, "code": "AH-1"})[0]
	mustJSON(t, srv, "account.analytic.line", "create", []any{[]any{
		map[string]any{"name": "GNV", "account_id": projectAcc, "amount": 123.45},
		map[string]any{"name": "Aportación", "account_id": projectAcc, "amount": -23.45},
		map[string]any{"name": "Ahorro", "account_id": ahorro, "amount": 500.0},
		map[string]any{"name": "Ahorro plan", "x_plan" + itoa(plan) + "_id": ahorro, "amount": 700.0},
	}}, nil)
	got := mustJSON(t, srv, "account.analytic.account", "read", []any{[]any{projectAcc, ahorro}}, map[string]any{"fields": []any{"balance", "debit", "credit", "line_ids", "display_name"}})
	want := []any{
		map[string]any{"id": projectAcc, "balance": 100.0, "debit": 23.45, "credit": 123.45, "line_ids": []any{}, "display_name": "Proyecto"},
		map[string]any{"id": ahorro, "balance": 700.0, "debit": 0.0, "credit": 700.0, "line_ids": []any{}, "display_name": "[AH-1] Ahorro - Juan"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("balances (-want +got):\n%s", d)
	}
}

func itoa(n int64) string { return strings.TrimSpace(pyRepr(n)) }

func TestCustomModelsAndFields(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	partnerModel := mustJSON(t, srv, "ir.model", "search", []any{[]any{[]any{"model", "=", "res.partner"}}}, nil).([]any)[0]
	if partnerModel != int64(90) {
		t.Errorf("ir.model id of res.partner = %v, want 90 as on the recorded 19.0 database", partnerModel)
	}
	_, e := execJSON(t, srv, "ir.model.fields", "create", []any{map[string]any{"model_id": partnerModel, "name": "plates", "field_description": "Placas", "ttype": "char"}}, nil)
	if e == nil || e["name"] != excValidationError {
		t.Errorf("field without x_: %v", e)
	}
	mustJSON(t, srv, "ir.model.fields", "create", []any{map[string]any{
		"model_id": partnerModel, "name": "x_market", "field_description": "Mercado", "ttype": "selection",
		"selection_ids": []any{
			[]any{0, 0, map[string]any{"value": "edomex", "name": "Estado de México", "sequence": 1}},
			[]any{0, 0, map[string]any{"value": "ags", "name": "Aguascalientes", "sequence": 2}},
		},
	}}, nil)
	fg := mustJSON(t, srv, "res.partner", "fields_get", []any{[]any{"x_market"}}, map[string]any{"attributes": []any{"string", "type", "selection"}})
	want := map[string]any{"x_market": map[string]any{"string": "Mercado", "type": "selection",
		"selection": []any{[]any{"edomex", "Estado de México"}, []any{"ags", "Aguascalientes"}}}}
	if d := cmp.Diff(want, fg); d != "" {
		t.Errorf("fields_get (-want +got):\n%s", d)
	}
	p := srv.Seed("res.partner", map[string]any{"name": "Op", "x_market": "edomex"})[0]
	if got := mustJSON(t, srv, "res.partner", "search", []any{[]any{[]any{"x_market", "=", "edomex"}}}, nil); !cmp.Equal(got, []any{p}) {
		t.Errorf("search on the custom field = %v", got)
	}
	_, e = execJSON(t, srv, "res.partner", "write", []any{[]any{p}, map[string]any{"x_market": "cdmx"}}, nil)
	if e == nil || e["name"] != excValueError {
		t.Errorf("bad selection value: %v", e)
	}

	_, e = execJSON(t, srv, "ir.model", "create", []any{map[string]any{"name": "Vehículo", "model": "vehicle"}}, nil)
	if e == nil || e["message"] != "The model name must start with 'x_'." {
		t.Errorf("model without x_: %v", e)
	}
	mid := mustJSON(t, srv, "ir.model", "create", []any{map[string]any{"name": "Vehículo", "model": "x_vehicle"}}, nil).(int64)
	mustJSON(t, srv, "ir.model.fields", "create", []any{map[string]any{"model_id": mid, "name": "x_partner_id", "field_description": "Dueño", "ttype": "many2one", "relation": "res.partner"}}, nil)
	vid := mustJSON(t, srv, "x_vehicle", "create", []any{map[string]any{"x_name": "ABC-123", "x_partner_id": p}}, nil).(int64)
	got := mustJSON(t, srv, "x_vehicle", "search_read", []any{[]any{[]any{"x_partner_id.name", "=", "Op"}}}, map[string]any{"fields": []any{"x_name", "x_partner_id", "display_name"}})
	wantRows := []any{map[string]any{"id": vid, "x_name": "ABC-123", "x_partner_id": []any{p, "Op"}, "display_name": "ABC-123"}}
	if d := cmp.Diff(wantRows, got); d != "" {
		t.Errorf("custom model rows (-want +got):\n%s", d)
	}
}

func TestReadGroups(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	co := srv.Seed("res.partner", map[string]any{"name": "Co", "is_company": true})[0]
	srv.Seed("res.partner",
		map[string]any{"name": "a", "parent_id": co, "country_id": 156, "credit_limit": 10.0},
		map[string]any{"name": "b", "parent_id": co, "country_id": 156, "credit_limit": 5.5},
		map[string]any{"name": "c", "parent_id": co},
	)
	domain := []any{[]any{"parent_id", "=", co}}
	got := mustJSON(t, srv, "res.partner", "read_group", []any{domain, []any{"country_id", "credit_limit"}, []any{"country_id"}}, map[string]any{"lazy": true})
	want := []any{
		map[string]any{"country_id": []any{int64(156), "Mexico"}, "country_id_count": int64(2), "credit_limit": 15.5,
			"__domain": []any{"&", []any{"parent_id", "=", co}, []any{"country_id", "=", int64(156)}}},
		map[string]any{"country_id": false, "country_id_count": int64(1), "credit_limit": 0.0,
			"__domain": []any{"&", []any{"parent_id", "=", co}, []any{"country_id", "=", false}}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("read_group (-want +got):\n%s", d)
	}
	got = mustJSON(t, srv, "res.partner", "formatted_read_group", []any{domain}, map[string]any{"groupby": []any{"country_id"}, "aggregates": []any{"__count", "credit_limit:sum"}})
	want = []any{
		map[string]any{"country_id": []any{int64(156), "Mexico"}, "__extra_domain": []any{[]any{"country_id", "=", int64(156)}}, "__count": int64(2), "credit_limit:sum": 15.5},
		map[string]any{"country_id": false, "__extra_domain": []any{[]any{"country_id", "=", false}}, "__count": int64(1), "credit_limit:sum": 0.0},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("formatted_read_group (-want +got):\n%s", d)
	}
	old := newTestServer(t, WithVersion("17.0"))
	if _, e := execJSON(t, old, "res.partner", "formatted_read_group", []any{domain}, nil); e == nil {
		t.Error("formatted_read_group exists on 17.0")
	}
}

func TestMessagePostAndNoneResults(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"17.0", "19.0"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, WithVersion(version))
			lead := mustJSON(t, srv, "crm.lead", "create", []any{map[string]any{"name": "Financiero", "type": "opportunity"}}, nil).(int64)
			res := mustJSON(t, srv, "crm.lead", "message_post", []any{[]any{lead}}, map[string]any{"body": "Cotización guardada", "message_type": "comment", "subtype_xmlid": "mail.mt_note"})
			var mid int64
			if version == "17.0" {
				mid = res.(int64)
			} else {
				mid = res.([]any)[0].(int64)
			}
			msg, ok := srv.Get("mail.message", mid)
			if !ok || msg["model"] != "crm.lead" || msg["res_id"] != lead || msg["message_type"] != "comment" || msg["subtype_id"] != int64(2) || !strings.Contains(msg["body"].(string), "Cotización guardada") {
				t.Errorf("message %v", msg)
			}
			got := mustJSON(t, srv, "crm.lead", "read", []any{[]any{lead}}, map[string]any{"fields": []any{"message_ids"}})
			if ids := got.([]any)[0].(map[string]any)["message_ids"]; !cmp.Equal(ids, []any{mid}) {
				t.Errorf("message_ids = %v", ids)
			}

			partner := srv.Seed("res.partner", map[string]any{"name": "Juan"})[0]
			pay := mustJSON(t, srv, "account.payment", "create", []any{map[string]any{"partner_id": partner, "amount": 2500.0}}, nil).(int64)
			env := rpcJSON(t, srv, "object", "execute_kw", srv.DB, 2, srv.Password, "account.payment", "action_post", []any{[]any{pay}})
			if _, has := env["result"]; has || env["error"] != nil {
				t.Errorf("JSON-RPC None: %v, want neither result nor error", env)
			}
			_, fault := execXML(t, srv, "account.payment", "action_post", []any{[]any{pay}}, nil)
			if fault == nil || fault["faultCode"] != int64(1) || !strings.Contains(fault["faultString"].(string), "cannot marshal None") {
				// The payment is already posted on the second call: a UserError.
				if fault == nil || fault["faultCode"] != int64(2) {
					t.Errorf("XML-RPC action_post fault = %v", fault)
				}
			}
			if version == "19.0" {
				pay2 := mustJSON(t, srv, "account.payment", "create", []any{map[string]any{"partner_id": partner, "amount": 1.0}}, nil).(int64)
				_, fault := execXML(t, srv, "account.payment", "action_post", []any{[]any{pay2}}, nil)
				if fault == nil || fault["faultCode"] != int64(1) || !strings.HasSuffix(strings.TrimSpace(fault["faultString"].(string)), "TypeError: cannot marshal None unless allow_none is enabled") {
					t.Errorf("XML-RPC None fault = %v", fault)
				}
				pay3 := mustJSON(t, srv, "account.payment", "create", []any{map[string]any{"partner_id": partner, "amount": 1.0}}, nil).(int64)
				status, body := callJSON2(t, srv, "account.payment", "action_post", map[string]any{"ids": []any{pay3}})
				if status != 200 || body != nil {
					t.Errorf("JSON-2 None = %d %v, want 200 null", status, body)
				}
			}
		})
	}
}

func TestCallCounters(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	mustJSON(t, srv, "res.partner", "search", []any{[]any{}}, nil)
	execXML(t, srv, "res.partner", "search", []any{[]any{}}, nil)
	callJSON2(t, srv, "res.partner", "search", map[string]any{"domain": []any{}})
	callJSON2(t, srv, "res.partner", "read", map[string]any{"ids": []any{1}})
	rpcJSON(t, srv, "common", "authenticate", srv.DB, srv.Login, srv.Password, map[string]any{})
	if n := srv.Calls("res.partner", "search"); n != 3 {
		t.Errorf("Calls(search) = %d, want 3", n)
	}
	if n := srv.Calls("", "authenticate"); n != 1 {
		t.Errorf("Calls(authenticate) = %d, want 1", n)
	}
	if n := srv.TotalCalls(); n != 5 {
		t.Errorf("TotalCalls = %d, want 5", n)
	}
	srv.ResetCalls()
	if srv.TotalCalls() != 0 || srv.Calls("res.partner", "search") != 0 {
		t.Error("ResetCalls kept counts")
	}
}

func TestFaultInjection(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	t.Run("http status once", func(t *testing.T) {
		srv.InjectFault(Fault{Model: "res.partner", Method: "search", Kind: HTTPStatus, Status: 503, RetryAfter: 2 * time.Second, Times: 1})
		status, ctype, _ := post(t, srv.URL+"/json/2/res.partner/search", "application/json", []byte(`{"domain": []}`),
			map[string]string{"Authorization": "bearer " + srv.APIKey})
		if status != 503 || !strings.HasPrefix(ctype, "text/html") {
			t.Errorf("first call: %d %s", status, ctype)
		}
		if status, _ := callJSON2(t, srv, "res.partner", "search", map[string]any{"domain": []any{}}); status != 200 {
			t.Errorf("second call: %d, want the fault used up", status)
		}
	})
	t.Run("latency honours the client deadline", func(t *testing.T) {
		srv.InjectFault(Fault{Method: "search_count", Kind: Latency, Delay: 2 * time.Second, Times: 1})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/json/2/res.partner/search_count", strings.NewReader(`{"domain": []}`))
		req.Header.Set("Authorization", "bearer "+srv.APIKey)
		start := time.Now()
		_, err := http.DefaultClient.Do(req)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want deadline exceeded", err)
		}
		if time.Since(start) > time.Second {
			t.Error("latency fault did not stop with the request")
		}
	})
	t.Run("drop connection", func(t *testing.T) {
		srv.InjectFault(Fault{Kind: DropConnection, Times: 1})
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/jsonrpc", strings.NewReader(`{"jsonrpc":"2.0","method":"call","params":{"service":"common","method":"version","args":[]},"id":1}`))
		if _, err := http.DefaultClient.Do(req); err == nil {
			t.Error("dropped connection answered")
		}
	})
	t.Run("session expired", func(t *testing.T) {
		srv.InjectFault(Fault{Kind: SessionExpired, Times: 1})
		env := rpcJSON(t, srv, "object", "execute_kw", srv.DB, 2, srv.Password, "res.partner", "search", []any{[]any{}})
		e := env["error"].(map[string]any)
		if e["code"] != int64(100) || e["data"].(map[string]any)["name"] != excSessionExpired {
			t.Errorf("session expired error = %v", e)
		}
	})
	t.Run("odoo error", func(t *testing.T) {
		srv.InjectFault(Fault{Model: "account.analytic.plan", Kind: OdooError, ErrorName: excAccessError, Message: "You are not allowed to create 'Analytic Plans'", Times: 1})
		_, fault := execXML(t, srv, "account.analytic.plan", "create", []any{map[string]any{"name": "x"}}, nil)
		if fault == nil || fault["faultCode"] != int64(4) {
			t.Errorf("AccessError fault = %v", fault)
		}
	})
	t.Run("truncated", func(t *testing.T) {
		srv.InjectFault(Fault{Kind: Truncated, Times: 1})
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/jsonrpc", strings.NewReader(`{}`))
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_, err = readAllErr(resp)
		}
		if err == nil {
			t.Error("truncated body read without error")
		}
	})
	srv.ClearFaults()
}

func readAllErr(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 512)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			if err.Error() == "EOF" {
				return []byte(b.String()), nil
			}
			return nil, err
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				if _, e := execJSON(t, srv, "res.partner", "create", []any{map[string]any{"name": "c"}}, nil); e != nil {
					t.Error(e)
				}
				srv.Calls("res.partner", "create")
			}
		}()
	}
	wg.Wait()
	if n := srv.Calls("res.partner", "create"); n != 80 {
		t.Errorf("creates = %d", n)
	}
	if got := mustJSON(t, srv, "res.partner", "search_count", []any{[]any{[]any{"name", "=", "c"}}}, nil); got != int64(80) {
		t.Errorf("records = %v", got)
	}
}

func TestCompareResponseReportsDifferences(t *testing.T) {
	t.Parallel()
	rec := Exchange{Protocol: "jsonrpc", Status: 200, ResponseContentType: "application/json; charset=utf-8",
		ResponseBody: `{"jsonrpc": "2.0", "id": 3, "result": [{"id": 5, "name": "A", "amount": 1.5, "date": "2026-03-01 10:00:00", "parent_id": [1, "P"]}]}`}
	ok := Response{Status: 200, ContentType: "application/json; charset=utf-8",
		Body: []byte(`{"jsonrpc": "2.0", "id": 3, "result": [{"id": 5, "name": "A", "amount": 1.5, "date": "2020-01-01 00:00:00", "parent_id": [1, "P"]}]}`)}
	if d := CompareResponse(rec, ok, CompareOptions{}); len(d) != 0 {
		t.Errorf("equivalent responses differ: %v", d)
	}
	cases := map[string]string{
		"value":       `{"jsonrpc": "2.0", "id": 3, "result": [{"id": 5, "name": "B", "amount": 1.5, "date": "2020-01-01 00:00:00", "parent_id": [1, "P"]}]}`,
		"int vs dbl":  `{"jsonrpc": "2.0", "id": 3, "result": [{"id": 5, "name": "A", "amount": 1, "date": "2020-01-01 00:00:00", "parent_id": [1, "P"]}]}`,
		"false":       `{"jsonrpc": "2.0", "id": 3, "result": [{"id": 5, "name": "A", "amount": 1.5, "date": "2020-01-01 00:00:00", "parent_id": false}]}`,
		"missing key": `{"jsonrpc": "2.0", "id": 3, "result": [{"id": 5, "name": "A", "date": "2020-01-01 00:00:00", "parent_id": [1, "P"]}]}`,
		"envelope":    `{"jsonrpc": "2.0", "id": 3}`,
		"error":       `{"jsonrpc": "2.0", "id": 3, "error": {"code": 0, "message": "Odoo Server Error", "data": {}}}`,
	}
	for name, body := range cases {
		got := ok
		got.Body = []byte(body)
		if d := CompareResponse(rec, got, CompareOptions{}); len(d) == 0 {
			t.Errorf("%s: difference not reported", name)
		}
	}
	got := ok
	got.Status = 500
	if d := CompareResponse(rec, got, CompareOptions{}); len(d) == 0 {
		t.Error("status difference not reported")
	}
}

func TestAttachmentsEventsPayments(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	lead := mustJSON(t, srv, "crm.lead", "create", []any{map[string]any{"name": "Financiero"}}, nil).(int64)
	att := mustJSON(t, srv, "ir.attachment", "create", []any{map[string]any{
		"name": "cotizacion.pdf", "datas": "JVBERi0xLjQKJcfsj6IK", "res_model": "crm.lead", "res_id": lead,
	}}, nil).(int64)
	got := mustJSON(t, srv, "ir.attachment", "read", []any{[]any{att}}, map[string]any{"fields": []any{"name", "mimetype", "file_size", "res_model", "res_id", "res_name", "type"}})
	want := []any{map[string]any{"id": att, "name": "cotizacion.pdf", "mimetype": "application/pdf", "file_size": int64(15),
		"res_model": "crm.lead", "res_id": lead, "res_name": "Financiero", "type": "binary"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("attachment (-want +got):\n%s", d)
	}
	ev := mustJSON(t, srv, "calendar.event", "create", []any{map[string]any{"name": "Firma", "start": "2026-03-10 16:00:00", "duration": 1.5}}, nil).(int64)
	got = mustJSON(t, srv, "calendar.event", "read", []any{[]any{ev}}, map[string]any{"fields": []any{"start", "stop", "show_as", "partner_ids", "user_id"}})
	want = []any{map[string]any{"id": ev, "start": "2026-03-10 16:00:00", "stop": "2026-03-10 17:30:00", "show_as": "busy",
		"partner_ids": []any{int64(3)}, "user_id": []any{int64(2), "Administrator"}}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("event (-want +got):\n%s", d)
	}
	partner := srv.Seed("res.partner", map[string]any{"name": "Juan"})[0]
	pay := mustJSON(t, srv, "account.payment", "create", []any{map[string]any{"partner_id": partner, "amount": 2500.0, "memo": "Aportación"}}, nil).(int64)
	if _, e := execJSON(t, srv, "account.payment", "action_post", []any{[]any{pay}}, nil); e != nil {
		t.Fatal(e)
	}
	got = mustJSON(t, srv, "account.payment", "read", []any{[]any{pay}}, map[string]any{"fields": []any{"name", "state", "journal_id", "amount", "memo", "date"}})
	want = []any{map[string]any{"id": pay, "name": "PBNK1/2026/00001", "state": "in_process", "journal_id": []any{int64(6), "Bank"},
		"amount": 2500.0, "memo": "Aportación", "date": "2026-03-02"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("payment (-want +got):\n%s", d)
	}
}

func TestContextLimitZeroAndLoad(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	co := mustJSON(t, srv, "res.partner", "create", []any{map[string]any{"name": "Co", "company_type": "company"}}, nil).(int64)
	arch := srv.Seed("res.partner", map[string]any{"name": "Old", "parent_id": co, "active": false})[0]
	if r, _ := srv.Get("res.partner", co); r["is_company"] != true || r["company_type"] != "company" {
		t.Errorf("company_type inverse: %v", r)
	}
	got := mustJSON(t, srv, "res.partner", "search", []any{[]any{[]any{"parent_id", "=", co}}}, map[string]any{"context": map[string]any{"active_test": false}, "limit": 0})
	if !cmp.Equal(got, []any{arch}) {
		t.Errorf("active_test=False, limit=0: %v", got)
	}
	if got := mustJSON(t, srv, "res.partner", "search_count", []any{[]any{[]any{"parent_id", "=", co}}}, nil); got != int64(0) {
		t.Errorf("archived counted by default: %v", got)
	}
	got = mustJSON(t, srv, "res.partner", "read", []any{[]any{arch}, []any{"parent_id"}}, map[string]any{"load": "_classic_write"})
	if want := []any{map[string]any{"id": arch, "parent_id": co}}; !cmp.Equal(got, want) {
		t.Errorf("load=_classic_write: %v", got)
	}
}

func TestMalformedRequests(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	tests := []struct {
		name, path, ctype, body string
		headers                 map[string]string
		status                  int
		contains                string
	}{
		{"xml-rpc garbage", "/xmlrpc/2/object", "text/xml", "<methodCall><oops>", nil, 200, "<name>faultCode</name>\n<value><int>1</int>"},
		{"xml-rpc unknown service method", "/xmlrpc/2/common", "text/xml", "<methodCall><methodName>nope</methodName><params></params></methodCall>", nil, 200, "KeyError"},
		{"json-rpc garbage", "/jsonrpc", "application/json", "{not json", nil, 400, "Bad Request"},
		{"json-2 garbage", "/json/2/res.partner/search", "application/json", "{not json",
			map[string]string{"Authorization": "bearer " + srv.APIKey}, 400, "could not parse the body as json"},
		{"json-2 without method", "/json/2/res.partner", "application/json", "{}", nil, 404, "Did you mean POST /json/2/<model>/<method>?"},
		{"json-2 ids on a model method", "/json/2/res.partner/search", "application/json", `{"ids": [1], "domain": []}`,
			map[string]string{"Authorization": "bearer " + srv.APIKey}, 422, "cannot call res.partner.search with ids"},
		{"json-2 wrong database", "/json/2/res.partner/search", "application/json", `{"domain": []}`,
			map[string]string{"Authorization": "bearer " + srv.APIKey, "X-Odoo-Database": "other"}, 404, "other"},
		{"unknown path", "/web/nope", "application/json", "{}", nil, 404, "Not Found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := post(t, srv.URL+tc.path, tc.ctype, []byte(tc.body), tc.headers)
			if status != tc.status || !strings.Contains(string(body), tc.contains) {
				t.Errorf("%d %s, want %d containing %q", status, body, tc.status, tc.contains)
			}
		})
	}
}

func TestOptionsValidation(t *testing.T) {
	t.Parallel()
	if _, err := New(WithVersion("16.0")); err == nil {
		t.Error("version 16.0 accepted")
	}
	if _, err := New(WithDatabase("")); err == nil {
		t.Error("empty database accepted")
	}
	srv := newTestServer(t, WithUser("ops", "pw", "ops-key"))
	uid := rpcJSON(t, srv, "common", "authenticate", srv.DB, "ops", "pw", map[string]any{})["result"]
	if id, ok := uid.(int64); !ok || id <= 2 {
		t.Fatalf("extra user uid = %v", uid)
	}
	status, _ := callJSON2(t, srv, "res.users", "search_read", map[string]any{"domain": []any{[]any{"login", "=", "ops"}}, "fields": []any{"name"}})
	if status != 200 {
		t.Errorf("admin key: %d", status)
	}
	st, _, _ := post(t, srv.URL+"/json/2/res.partner/search", "application/json", []byte(`{}`), map[string]string{"Authorization": "Bearer ops-key"})
	if st != 200 {
		t.Errorf("extra user's key: %d", st)
	}
}
