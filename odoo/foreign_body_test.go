package odoo_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/cmu-mx/cmu/odoo"
)

// TestForeignBodyNamesStatusAndType answers calls with bodies that are not
// Odoo's — cut short (connection closed before Content-Length), cut but
// complete by length, an HTML page — on every protocol: the error text names
// the HTTP status and the content type, and no partial result is returned.
func TestForeignBodyNamesStatusAndType(t *testing.T) {
	t.Parallel()
	const (
		xmlBody  = "<?xml version=\"1.0\"?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n<value><int>1</int></value>\n"
		jsonBody = `{"jsonrpc": "2.0", "id": 1, "result": [{"id": 1, "name": "trunc`
		j2Body   = `[{"id": 1, "name": "trunc`
		html     = "<!DOCTYPE html><html><head><title>Bad gateway</title></head><body>nginx</body></html>"
	)
	cases := []struct {
		name     string
		protocol odoo.Protocol
		status   int
		ctype    string
		body     string
		cut      bool // close the connection before the promised length
		kind     odoo.Kind
	}{
		{"xmlrpc cut", odoo.ProtocolXMLRPC, 200, "text/xml; charset=utf-8", xmlBody, true, odoo.KindTransport},
		{"jsonrpc cut", odoo.ProtocolJSONRPC, 200, "application/json; charset=utf-8", jsonBody, true, odoo.KindTransport},
		{"json2 cut", odoo.ProtocolJSON2, 200, "application/json; charset=utf-8", j2Body, true, odoo.KindTransport},
		{"xmlrpc short", odoo.ProtocolXMLRPC, 200, "text/xml; charset=utf-8", xmlBody, false, odoo.KindProtocol},
		{"jsonrpc short", odoo.ProtocolJSONRPC, 200, "application/json; charset=utf-8", jsonBody, false, odoo.KindProtocol},
		{"json2 short", odoo.ProtocolJSON2, 200, "application/json; charset=utf-8", j2Body, false, odoo.KindProtocol},
		{"xmlrpc html 200", odoo.ProtocolXMLRPC, 200, "text/html", html, false, odoo.KindProtocol},
		{"jsonrpc html 200", odoo.ProtocolJSONRPC, 200, "text/html", html, false, odoo.KindProtocol},
		{"json2 html 200", odoo.ProtocolJSON2, 200, "text/html", html, false, odoo.KindProtocol},
		{"json2 html 500", odoo.ProtocolJSON2, 500, "text/html; charset=utf-8", html, false, odoo.KindTransport},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ctype)
				if !tc.cut {
					w.WriteHeader(tc.status)
					w.Write([]byte(tc.body))
					return
				}
				conn, buf, err := http.NewResponseController(w).Hijack()
				if err != nil {
					t.Error(err)
					return
				}
				defer conn.Close()
				buf.WriteString("HTTP/1.1 " + strconv.Itoa(tc.status) + " OK\r\nContent-Type: " + tc.ctype +
					"\r\nContent-Length: " + strconv.Itoa(2*len(tc.body)) + "\r\n\r\n" + tc.body)
				buf.Flush()
				if tc, ok := conn.(*net.TCPConn); ok {
					tc.CloseWrite()
				}
			}))
			defer srv.Close()
			cl, err := odoo.NewClient(srv.URL, odoo.WithDatabase("db"), odoo.WithLogin("admin", "pw"), odoo.WithUID(2),
				odoo.WithAPIKey("key"), odoo.WithProtocol(tc.protocol), odoo.WithFieldDiscovery(false),
				odoo.WithRetry(odoo.RetryPolicy{}))
			if err != nil {
				t.Fatal(err)
			}
			var rows []map[string]any
			err = cl.SearchRead(t.Context(), odoo.ModelPartner, nil, &odoo.SearchOptions{Fields: []string{"name"}}, &rows)
			var oe *odoo.Error
			if !errors.As(err, &oe) {
				t.Fatalf("err = %v, want *odoo.Error", err)
			}
			if oe.Kind != tc.kind || oe.Status != tc.status {
				t.Errorf("kind %v status %d, want %v %d (%v)", oe.Kind, oe.Status, tc.kind, tc.status, err)
			}
			msg := err.Error()
			for _, want := range []string{"HTTP " + strconv.Itoa(tc.status), tc.ctype} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not name %q", msg, want)
				}
			}
			if len(rows) != 0 {
				t.Errorf("partial result: %v", rows)
			}
		})
	}
}
