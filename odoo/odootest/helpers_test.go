package odootest

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

// Raw protocol clients for the tests: the fake must stand alone, so the
// tests speak the wire formats directly.

func post(t *testing.T, url, ctype string, body []byte, headers map[string]string) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), out
}

// rpcJSON calls a JSON-RPC service and returns the decoded envelope.
func rpcJSON(t *testing.T, srv *Server, service, method string, args ...any) map[string]any {
	t.Helper()
	if args == nil {
		args = []any{}
	}
	body, err := appendJSON(nil, newOmap().set("jsonrpc", "2.0").set("method", "call").
		set("params", newOmap().set("service", service).set("method", method).set("args", normalizeGo(args))).
		set("id", int64(7)))
	if err != nil {
		t.Fatal(err)
	}
	status, _, out := post(t, srv.URL+"/jsonrpc", "application/json", body, nil)
	if status != 200 {
		t.Fatalf("jsonrpc status %d: %s", status, out)
	}
	v, err := decodeJSON(out)
	if err != nil {
		t.Fatalf("jsonrpc body: %v: %s", err, out)
	}
	return v.(map[string]any)
}

// execJSON runs execute_kw over JSON-RPC and returns result or error.data.
func execJSON(t *testing.T, srv *Server, model, method string, args []any, kwargs map[string]any) (any, map[string]any) {
	t.Helper()
	params := []any{srv.DB, int64(2), srv.Password, model, method, normalizeGo(args)}
	if kwargs != nil {
		params = append(params, normalizeGo(kwargs))
	}
	env := rpcJSON(t, srv, "object", "execute_kw", params...)
	if e, ok := env["error"].(map[string]any); ok {
		return nil, e["data"].(map[string]any)
	}
	return env["result"], nil
}

// mustJSON is execJSON failing on an Odoo error.
func mustJSON(t *testing.T, srv *Server, model, method string, args []any, kwargs map[string]any) any {
	t.Helper()
	res, e := execJSON(t, srv, model, method, args, kwargs)
	if e != nil {
		t.Fatalf("%s.%s: %v: %v", model, method, e["name"], e["message"])
	}
	return res
}

// rpcXML calls an XML-RPC endpoint; fault is the fault struct if any.
func rpcXML(t *testing.T, srv *Server, path, method string, params ...any) (any, map[string]any) {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("<?xml version='1.0'?>\n<methodCall>\n<methodName>" + method + "</methodName>\n<params>\n")
	for _, p := range params {
		b.WriteString("<param>\n")
		if err := writeXMLValue(&b, normalizeGo(p), 0); err != nil {
			t.Fatal(err)
		}
		b.WriteString("</param>\n")
	}
	b.WriteString("</params>\n</methodCall>\n")
	status, ctype, out := post(t, srv.URL+path, "text/xml", b.Bytes(), nil)
	if status != 200 || ctype != "text/xml; charset=utf-8" {
		t.Fatalf("xmlrpc status %d %s: %s", status, ctype, out)
	}
	v, fault, err := parseMethodResponse(out)
	if err != nil {
		t.Fatalf("xmlrpc body: %v: %s", err, out)
	}
	if fault {
		return nil, v.(map[string]any)
	}
	return v, nil
}

func execXML(t *testing.T, srv *Server, model, method string, args []any, kwargs map[string]any) (any, map[string]any) {
	t.Helper()
	params := []any{srv.DB, int64(2), srv.Password, model, method, args}
	if kwargs != nil {
		params = append(params, kwargs)
	}
	return rpcXML(t, srv, "/xmlrpc/2/object", "execute_kw", params...)
}

// callJSON2 calls POST /json/2/<model>/<method> with the server's key.
func callJSON2(t *testing.T, srv *Server, model, method string, body map[string]any) (int, any) {
	t.Helper()
	raw, err := appendJSON(nil, normalizeGo(body))
	if err != nil {
		t.Fatal(err)
	}
	status, ctype, out := post(t, srv.URL+"/json/2/"+model+"/"+method, "application/json", raw,
		map[string]string{"Authorization": "bearer " + srv.APIKey, "X-Odoo-Database": srv.DB})
	if ctype != "application/json; charset=utf-8" {
		t.Fatalf("json2 content type %q: %s", ctype, out)
	}
	v, err := decodeJSON(out)
	if err != nil {
		t.Fatalf("json2 body: %v: %s", err, out)
	}
	return status, v
}
