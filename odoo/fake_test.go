package odoo

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// miniOdoo is a tiny scripted Odoo for client tests: it speaks the three
// protocols, records what it receives and answers through handle.
type miniOdoo struct {
	t        *testing.T
	srv      *httptest.Server
	version  string // "" = GET /web/version answers 404 (Odoo < 19)
	noJSON   bool   // /jsonrpc answers 404 (Odoo 20+)
	password string
	apiKey   string

	mu     sync.Mutex
	calls  []miniCall
	handle func(c miniCall) (any, *miniErr)
	// before, if set, may answer the raw request itself (fault injection).
	before func(w http.ResponseWriter, r *http.Request, n int) bool
	hits   int
}

type miniCall struct {
	Protocol string
	Model    string
	Method   string
	Args     []any          // positional (XML-RPC, JSON-RPC)
	Kwargs   map[string]any // keyword, or JSON-2's whole body
	Header   http.Header
}

type miniErr struct {
	name, message string
	status        int // JSON-2
	faultCode     int // XML-RPC
}

func newMiniOdoo(t *testing.T) *miniOdoo {
	m := &miniOdoo{t: t, version: "19.0", password: "secret", apiKey: "key-123"}
	m.srv = httptest.NewServer(http.HandlerFunc(m.serve))
	t.Cleanup(m.srv.Close)
	return m
}

func (m *miniOdoo) callsOf(method string) []miniCall {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []miniCall
	for _, c := range m.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

func (m *miniOdoo) serve(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	m.hits++
	n := m.hits
	before := m.before
	m.mu.Unlock()
	if before != nil && before(w, r, n) {
		return
	}
	body, _ := io.ReadAll(r.Body)
	switch {
	case r.URL.Path == "/web/version" && r.Method == http.MethodGet:
		if m.version == "" {
			http.NotFound(w, r)
			return
		}
		writeJSON(w, 200, map[string]any{"version": m.version, "version_info": []any{major(m.version), 0, 0, "final", 0, ""}})
	case r.URL.Path == "/jsonrpc":
		if m.noJSON {
			http.NotFound(w, r)
			return
		}
		var env struct {
			ID     any `json:"id"`
			Params struct {
				Service string `json:"service"`
				Method  string `json:"method"`
				Args    []any  `json:"args"`
			} `json:"params"`
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&env); err != nil {
			m.t.Errorf("mini: bad JSON-RPC body: %v", err)
		}
		res, merr := m.rpc("jsonrpc", env.Params.Service, env.Params.Method, normJSON(env.Params.Args).([]any), r.Header)
		if merr != nil {
			writeJSON(w, 200, map[string]any{"jsonrpc": "2.0", "id": env.ID, "error": map[string]any{
				"code": 200, "message": "Odoo Server Error",
				"data": map[string]any{"name": merr.name, "message": merr.message, "debug": "Traceback…", "arguments": []any{merr.message}, "context": map[string]any{}}}})
			return
		}
		writeJSON(w, 200, map[string]any{"jsonrpc": "2.0", "id": env.ID, "result": res})
	case strings.HasPrefix(r.URL.Path, "/xmlrpc/2/"):
		doc, err := oracleXML(body)
		if err != nil {
			m.t.Errorf("mini: bad XML-RPC body: %v", err)
		}
		res, merr := m.rpc("xmlrpc", strings.TrimPrefix(r.URL.Path, "/xmlrpc/2/"), doc.method, doc.params, r.Header)
		var buf bytes.Buffer
		buf.WriteString("<?xml version='1.0'?>\n<methodResponse>\n")
		enc := encoder{plans: &planCache{}, w: &xmlWriter{buf: &buf}}
		if merr != nil {
			buf.WriteString("<fault>\n")
			enc.encode(map[string]any{"faultCode": merr.faultCode, "faultString": merr.message}, 0)
			buf.WriteString("</fault>\n")
		} else {
			buf.WriteString("<params>\n<param>\n")
			if res == nil {
				res = false
			}
			enc.encode(res, 0)
			buf.WriteString("</param>\n</params>\n")
		}
		buf.WriteString("</methodResponse>\n")
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.Write(buf.Bytes())
	case strings.HasPrefix(r.URL.Path, "/json/2/"):
		if m.version == "" {
			http.NotFound(w, r)
			return
		}
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/json/2/"), "/")
		if r.Header.Get("Authorization") != "bearer "+m.apiKey {
			writeJSON(w, 401, map[string]any{"name": "werkzeug.exceptions.Unauthorized", "message": "Invalid apikey"})
			return
		}
		var kw map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&kw); err != nil {
			m.t.Errorf("mini: bad JSON-2 body: %v", err)
		}
		c := miniCall{Protocol: "json2", Model: parts[0], Method: parts[1], Kwargs: normJSON(kw).(map[string]any), Header: r.Header}
		res, merr := m.record(c)
		if merr != nil {
			writeJSON(w, merr.status, map[string]any{"name": merr.name, "message": merr.message, "debug": "Traceback…"})
			return
		}
		writeJSON(w, 200, res)
	default:
		http.NotFound(w, r)
	}
}

func major(v string) int64 {
	if strings.HasPrefix(v, "17") {
		return 17
	}
	if strings.HasPrefix(v, "18") {
		return 18
	}
	return 19
}

func (m *miniOdoo) rpc(protocol, service, method string, params []any, h http.Header) (any, *miniErr) {
	switch {
	case service == "common" && method == "version":
		v := m.version
		if v == "" {
			v = "17.0"
		}
		return map[string]any{"server_version": v, "server_version_info": []any{major(v), 0, 0, "final", 0, ""}}, nil
	case service == "common" && method == "authenticate":
		m.mu.Lock()
		m.calls = append(m.calls, miniCall{Protocol: protocol, Method: "authenticate", Args: params})
		m.mu.Unlock()
		if params[2] != m.password && params[2] != m.apiKey {
			return false, nil
		}
		return int64(2), nil
	case service == "object" && method == "execute_kw":
		if params[2] != m.password && params[2] != m.apiKey {
			return nil, &miniErr{name: nameAccessDenied, message: "Access Denied", faultCode: 3}
		}
		c := miniCall{Protocol: protocol, Model: params[3].(string), Method: params[4].(string), Args: toList(params[5]), Header: h}
		if len(params) > 6 {
			c.Kwargs = toMap(params[6])
		}
		return m.record(c)
	}
	return nil, &miniErr{name: "builtins.KeyError", message: "unknown service", faultCode: 1}
}

func (m *miniOdoo) record(c miniCall) (any, *miniErr) {
	m.mu.Lock()
	m.calls = append(m.calls, c)
	h := m.handle
	m.mu.Unlock()
	if h == nil {
		switch c.Method {
		case "search", "search_read", "read":
			return []any{}, nil
		case "search_count":
			return int64(0), nil
		}
		return true, nil
	}
	return h(c)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// arg returns a logical argument by JSON-2 name or by position.
func (c miniCall) arg(name string, pos int) any {
	if c.Protocol == "json2" {
		return c.Kwargs[name]
	}
	if pos >= 0 && pos < len(c.Args) {
		return c.Args[pos]
	}
	return c.Kwargs[name]
}
