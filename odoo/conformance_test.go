package odoo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The conformance test replays every exchange recorded from real Odoo 17 and
// 19 servers (shared/odoo-wire): the client issues the logical call, a
// replay server checks that the request matches the recorded one as data
// (path, method, headers, parsed body) and answers the recorded bytes, and
// the test checks the decoded result or typed error.

const replayKey = "replay-api-key"

// numberComparer compares json.Number by value (1000.0 == 1000.00).
var numberComparer = cmp.Comparer(func(a, b json.Number) bool {
	x, ok1 := new(big.Float).SetString(string(a))
	y, ok2 := new(big.Float).SetString(string(b))
	return ok1 && ok2 && x.Cmp(y) == 0
})

// logicalCall is what the client is asked to do for one exchange.
type logicalCall struct {
	kind     string // "version", "authenticate", "execute"
	db       string
	password string
	uid      int64
	model    string
	method   string
	args     []any
	kwargs   map[string]any
}

func toInt64(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case json.Number:
		i, _ := n.Int64()
		return i
	}
	return 0
}

func toMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func toList(v any) []any {
	l, _ := v.([]any)
	return l
}

// parseRequest recovers the logical call from the recorded request.
func parseRequest(t *testing.T, e *exchange) logicalCall {
	t.Helper()
	var lc logicalCall
	var service, method string
	var params []any
	switch e.Protocol {
	case "xmlrpc":
		doc, err := oracleXML([]byte(e.RequestBody))
		if err != nil {
			t.Fatalf("oracle request: %v", err)
		}
		method, params = doc.method, doc.params
		service = strings.TrimPrefix(e.Path, "/xmlrpc/2/")
	case "jsonrpc":
		v, err := oracleJSON([]byte(e.RequestBody))
		if err != nil {
			t.Fatalf("oracle request: %v", err)
		}
		p := toMap(toMap(v)["params"])
		service, _ = p["service"].(string)
		method, _ = p["method"].(string)
		params = toList(p["args"])
	case "json2":
		lc.db = e.RequestHeaders["X-Odoo-Database"]
		if e.HTTPMethod == http.MethodGet {
			lc.kind = "version"
			return lc
		}
		if e.Call == nil {
			t.Fatalf("json2 exchange without call")
		}
		lc.kind = "execute"
		lc.model, lc.method = e.Call.Model, e.Call.Method
		lc.args = normJSON(e.Call.Args).([]any)
		if e.Call.Kwargs != nil {
			lc.kwargs = normJSON(e.Call.Kwargs).(map[string]any)
		}
		return lc
	}
	switch {
	case service == "common" && method == "version":
		lc.kind = "version"
	case service == "common" && method == "authenticate":
		lc.kind = "authenticate"
		lc.db, _ = params[0].(string)
		lc.password, _ = params[2].(string)
	case service == "object" && method == "execute_kw":
		lc.kind = "execute"
		lc.db, _ = params[0].(string)
		lc.uid = toInt64(params[1])
		lc.password, _ = params[2].(string)
		lc.model, _ = params[3].(string)
		lc.method, _ = params[4].(string)
		lc.args = toList(params[5])
		if len(params) > 6 {
			lc.kwargs = toMap(params[6])
		}
		if e.Call != nil { // Odoo 19 files: the recorded logical call must agree
			if e.Call.Model != lc.model || e.Call.Method != lc.method {
				t.Fatalf("call field %s.%s disagrees with body %s.%s", e.Call.Model, e.Call.Method, lc.model, lc.method)
			}
			lc.args = normJSON(e.Call.Args).([]any)
			lc.kwargs = nil
			if len(e.Call.Kwargs) > 0 {
				lc.kwargs = normJSON(e.Call.Kwargs).(map[string]any)
			}
		}
	default:
		t.Fatalf("unknown recorded call %s.%s", service, method)
	}
	return lc
}

// checkRequest compares the request the client sent with the recorded one.
func checkRequest(e *exchange, r *http.Request, body []byte) error {
	if r.Method != e.HTTPMethod {
		return fmt.Errorf("method %s, recorded %s", r.Method, e.HTTPMethod)
	}
	if r.URL.Path != e.Path {
		return fmt.Errorf("path %s, recorded %s", r.URL.Path, e.Path)
	}
	for k, v := range e.RequestHeaders {
		want := strings.ReplaceAll(v, "<API_KEY>", replayKey)
		if got := r.Header.Get(k); got != want {
			return fmt.Errorf("header %s = %q, recorded %q", k, got, want)
		}
	}
	if e.RequestBody == "" {
		if len(body) != 0 {
			return fmt.Errorf("body %q, recorded none", body)
		}
		return nil
	}
	var got, want any
	switch e.Protocol {
	case "xmlrpc":
		g, err := oracleXML(body)
		if err != nil {
			return fmt.Errorf("sent XML does not parse: %v\n%s", err, body)
		}
		w, _ := oracleXML([]byte(e.RequestBody))
		got, want = []any{g.method, g.params}, []any{w.method, w.params}
	default:
		g, err := oracleJSON(body)
		if err != nil {
			return fmt.Errorf("sent JSON does not parse: %v\n%s", err, body)
		}
		w, _ := oracleJSON([]byte(e.RequestBody))
		if e.Protocol == "jsonrpc" { // the request id is arbitrary
			delete(toMap(g), "id")
			delete(toMap(w), "id")
		}
		got, want = g, w
	}
	want, got = dropEmptyKwargs(want), dropEmptyKwargs(got)
	if diff := cmp.Diff(want, got, numberComparer); diff != "" {
		return fmt.Errorf("body differs from the recording (-recorded +sent):\n%s", diff)
	}
	return nil
}

// dropEmptyKwargs removes execute_kw's optional 7th parameter when it is an
// empty dict: Odoo treats [.., args, {}] and [.., args] alike.
func dropEmptyKwargs(v any) any {
	params := func(l []any) []any {
		if len(l) == 7 {
			if m, ok := l[6].(map[string]any); ok && len(m) == 0 {
				return l[:6]
			}
		}
		return l
	}
	switch x := v.(type) {
	case []any: // XML-RPC: [method, params]
		if len(x) == 2 && x[0] == "execute_kw" {
			return []any{x[0], params(toList(x[1]))}
		}
	case map[string]any: // JSON-RPC envelope
		if p := toMap(x["params"]); p != nil && p["method"] == "execute_kw" {
			p["args"] = params(toList(p["args"]))
		}
	}
	return v
}

func replayServer(t *testing.T, e *exchange) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := checkRequest(e, r, body); err != nil {
			t.Errorf("request: %v", err)
		}
		w.Header().Set("Content-Type", e.ResponseContentType)
		w.WriteHeader(e.Status)
		io.WriteString(w, e.ResponseBody)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func replayClient(t *testing.T, e *exchange, srv *httptest.Server, lc logicalCall) *Client {
	t.Helper()
	opts := []Option{WithRetry(RetryPolicy{}), WithFieldDiscovery(false)}
	switch e.Protocol {
	case "xmlrpc":
		opts = append(opts, WithProtocol(ProtocolXMLRPC))
	case "jsonrpc":
		opts = append(opts, WithProtocol(ProtocolJSONRPC))
	case "json2":
		opts = append(opts, WithProtocol(ProtocolJSON2), WithAPIKey(replayKey))
	}
	if e.Protocol != "json2" {
		db, pw := lc.db, lc.password
		if db == "" {
			db = "unused"
		}
		if pw == "" {
			pw = "unused"
		}
		opts = append(opts, WithDatabase(db), WithLogin("admin", pw))
		if lc.uid != 0 {
			opts = append(opts, WithUID(lc.uid))
		}
	} else if lc.db != "" {
		opts = append(opts, WithDatabase(lc.db))
	}
	c, err := NewClient(srv.URL, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// recordedOutcome is what the recording says the call returned.
type recordedOutcome struct {
	isErr   bool
	result  any
	name    string // exception name, when the wire carries it
	message string
	code    int64
}

func recordedResult(t *testing.T, e *exchange, lc logicalCall) recordedOutcome {
	t.Helper()
	switch e.Protocol {
	case "xmlrpc":
		doc, err := oracleXML([]byte(e.ResponseBody))
		if err != nil {
			t.Fatal(err)
		}
		if doc.fault {
			f := toMap(doc.params[0])
			s, _ := f["faultString"].(string)
			return recordedOutcome{isErr: true, code: toInt64(f["faultCode"]), message: s}
		}
		return recordedOutcome{result: doc.params[0]}
	case "jsonrpc":
		v, err := oracleJSON([]byte(e.ResponseBody))
		if err != nil {
			t.Fatal(err)
		}
		m := toMap(v)
		if er, ok := m["error"]; ok {
			data := toMap(toMap(er)["data"])
			name, _ := data["name"].(string)
			msg, _ := data["message"].(string)
			return recordedOutcome{isErr: true, name: name, message: msg, code: toInt64(toMap(er)["code"])}
		}
		return recordedOutcome{result: m["result"]}
	}
	v, err := oracleJSON([]byte(e.ResponseBody))
	if err != nil {
		t.Fatal(err)
	}
	if e.Status != http.StatusOK {
		m := toMap(v)
		name, _ := m["name"].(string)
		msg, _ := m["message"].(string)
		return recordedOutcome{isErr: true, name: name, message: msg}
	}
	if lc.method == "create" && len(lc.args) > 0 {
		if _, single := lc.args[0].(map[string]any); single {
			return recordedOutcome{result: toList(v)[0]}
		}
	}
	return recordedOutcome{result: v}
}

// expectedKind is the test's own reading of the README's error table,
// keyed by the recorded description.
func expectedKind(desc string) (Kind, bool) {
	table := []struct {
		substr string
		kind   Kind
	}{
		{"wrong password: AccessDenied", KindAccessDenied},
		{"wrong API key", KindAccessDenied},
		{"Unknown model", KindUnknownModel},
		{"Domain on an unknown field", KindUnknownField},
		{"Recursive parent", KindValidationError},
		{"Delete a confirmed sale order", KindUserError},
		{"without its required name", KindValidationError},
	}
	for _, r := range table {
		if strings.Contains(desc, r.substr) {
			return r.kind, true
		}
	}
	return 0, false
}

type outcome struct {
	protocol string
	kind     Kind
	name     string
	message  string
	result   any
}

func TestConformanceReplay(t *testing.T) {
	exchanges := loadExchanges(t)
	var mu sync.Mutex
	byOp := map[string][]outcome{} // version + description → outcomes per protocol
	for _, e := range exchanges {
		t.Run(e.name(), func(t *testing.T) {
			lc := parseRequest(t, e)
			srv := replayServer(t, e)
			c := replayClient(t, e, srv, lc)
			ctx := t.Context()
			want := recordedResult(t, e, lc)
			var got any
			var err error
			switch lc.kind {
			case "version":
				var v Version
				v, err = c.Version(ctx)
				if err == nil {
					if !strings.HasPrefix(e.OdooVersion, fmt.Sprint(v.Major)) || v.Server == "" {
						t.Errorf("version %+v, recorded %s", v, e.OdooVersion)
					}
					return
				}
			case "authenticate":
				var uid int64
				uid, err = c.Login(ctx)
				got = uid
				if err == nil {
					if toInt64(want.result) != uid {
						t.Errorf("uid %d, recorded %v", uid, want.result)
					}
					return
				}
				if want.result != false {
					t.Fatalf("login error %v, recorded %v", err, want.result)
				}
				if !errors.Is(err, ErrAccessDenied) {
					t.Fatalf("authenticate false gave %v, want ErrAccessDenied", err)
				}
				return
			default:
				err = c.Call(ctx, lc.model, lc.method, lc.args, lc.kwargs, &got)
			}
			if want.isErr {
				var oe *Error
				if !errors.As(err, &oe) {
					t.Fatalf("want an *Error, got %v", err)
				}
				if wk, ok := expectedKind(e.Description); ok && oe.Kind != wk {
					t.Errorf("kind %v, want %v (%v)", oe.Kind, wk, err)
				}
				if oe.Kind == KindOther || oe.Kind == KindProtocol || oe.Kind == KindTransport {
					t.Errorf("Odoo error read as %v: %v", oe.Kind, err)
				}
				if want.name != "" && oe.Name != want.name {
					t.Errorf("name %q, recorded %q", oe.Name, want.name)
				}
				if oe.Status != e.Status {
					t.Errorf("status %d, recorded %d", oe.Status, e.Status)
				}
				wantMsg := want.message
				if e.Protocol == "xmlrpc" && want.code == 1 {
					// Code 1 carries the traceback: message is its last exception line.
					if !strings.Contains(want.message, oe.Message) || oe.Message == "" || oe.Debug != want.message {
						t.Errorf("code 1 fault: message %q / debug not taken from the traceback", oe.Message)
					}
					wantMsg = oe.Message
				}
				if oe.Message != wantMsg {
					t.Errorf("message %q, recorded %q", oe.Message, wantMsg)
				}
				if e.Protocol != "xmlrpc" && oe.Debug == "" {
					t.Errorf("debug traceback missing")
				}
				mu.Lock()
				key := e.OdooVersion + "|" + e.Description
				byOp[key] = append(byOp[key], outcome{protocol: e.Protocol, kind: oe.Kind, name: oe.Name, message: oe.Message})
				mu.Unlock()
				return
			}
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if diff := cmp.Diff(want.result, got, numberComparer); diff != "" {
				t.Errorf("result (-recorded +decoded):\n%s", diff)
			}
			checkTypedDecode(t, c, lc, want.result)
		})
	}
	// Across protocols of one version, the same operation must give the same
	// kind, and the XML-RPC inferred exception name must match JSON-RPC's.
	for key, outs := range byOp {
		var jsonrpcName string
		for _, o := range outs {
			if o.protocol == "jsonrpc" {
				jsonrpcName = o.name
			}
		}
		for _, o := range outs[1:] {
			if o.kind != outs[0].kind {
				t.Errorf("%s: kind %v over %s but %v over %s", key, o.kind, o.protocol, outs[0].kind, outs[0].protocol)
			}
		}
		for _, o := range outs {
			if o.protocol == "xmlrpc" && jsonrpcName != "" && o.name != jsonrpcName {
				t.Errorf("%s: XML-RPC name %q, JSON-RPC says %q", key, o.name, jsonrpcName)
			}
		}
	}
}

// checkTypedDecode decodes the same answer into the typed destination a
// program would use and checks it against the recorded data.
func checkTypedDecode(t *testing.T, c *Client, lc logicalCall, recorded any) {
	t.Helper()
	ctx := t.Context()
	call := func(dst any) {
		t.Helper()
		if err := c.Call(ctx, lc.model, lc.method, lc.args, lc.kwargs, dst); err != nil {
			t.Fatalf("typed %T: %v", dst, err)
		}
	}
	switch lc.method {
	case "search":
		var ids []int64
		call(&ids)
		if len(ids) != len(toList(recorded)) {
			t.Errorf("search ids %v, recorded %v", ids, recorded)
		}
		for i, id := range ids {
			if id != toInt64(toList(recorded)[i]) {
				t.Errorf("search ids %v, recorded %v", ids, recorded)
			}
		}
	case "search_count":
		var n int64
		call(&n)
		if n != toInt64(recorded) {
			t.Errorf("count %d, recorded %v", n, recorded)
		}
	case "write", "unlink", "action_confirm":
		var ok bool
		call(&ok)
		if ok != (recorded == true) {
			t.Errorf("bool %v, recorded %v", ok, recorded)
		}
	case "create":
		if _, many := recorded.([]any); many {
			var ids []int64
			call(&ids)
			if len(ids) != len(toList(recorded)) {
				t.Errorf("ids %v, recorded %v", ids, recorded)
			}
		} else {
			var id int64
			call(&id)
			if id != toInt64(recorded) || id == 0 {
				t.Errorf("id %d, recorded %v", id, recorded)
			}
		}
	case "fields_get":
		var fields map[string]Field
		call(&fields)
		rec := toMap(recorded)
		if len(fields) != len(rec) || len(fields) == 0 {
			t.Fatalf("%d fields, recorded %d", len(fields), len(rec))
		}
		for name, f := range fields {
			rf := toMap(rec[name])
			if f.Type != rf["type"] || f.String != rf["string"] {
				t.Errorf("field %s: %+v, recorded %v", name, f, rf)
			}
			if rel, ok := rf["relation"].(string); ok && f.Relation != rel {
				t.Errorf("field %s relation %q, recorded %q", name, f.Relation, rel)
			}
			if sel, ok := rf["selection"].([]any); ok && len(sel) != len(f.Selection) {
				t.Errorf("field %s selection %v, recorded %v", name, f.Selection, sel)
			}
		}
	case "read", "search_read":
		typ, ok := modelTypes()[lc.model]
		if !ok {
			return
		}
		dst := reflect.New(reflect.SliceOf(typ))
		call(dst.Interface())
		compareTypedRows(t, c, lc.model, toList(recorded), dst.Elem())
	}
}
