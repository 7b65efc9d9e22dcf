package odootest

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestLatencyFaultStopsWhenClientHangsUp cancels a call held by a 5 s
// Latency fault: on every protocol the handler must notice the hang-up so
// that Close returns at once instead of waiting out the delay.
func TestLatencyFaultStopsWhenClientHangsUp(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, path, ctype, body string
	}{
		{"json2", "/json/2/res.partner/search_count", "application/json", `{"domain": []}`},
		{"jsonrpc", "/jsonrpc", "application/json", `{"jsonrpc":"2.0","method":"call","params":{"service":"object","method":"execute_kw","args":["odoo",2,"admin","res.partner","search_count",[[]]]},"id":1}`},
		{"xmlrpc", "/xmlrpc/2/object", "text/xml", `<?xml version="1.0"?><methodCall><methodName>execute_kw</methodName><params><param><value><string>odoo</string></value></param><param><value><int>2</int></value></param><param><value><string>admin</string></value></param><param><value><string>res.partner</string></value></param><param><value><string>search_count</string></value></param><param><value><array><data><value><array><data></data></array></value></data></array></value></param></params></methodCall>`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t)
			srv.InjectFault(Fault{Method: "search_count", Kind: Latency, Delay: 5 * time.Second, Times: 1})
			ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+tc.path, strings.NewReader(strings.ReplaceAll(tc.body, `"odoo"`, `"`+srv.DB+`"`)))
			req.Header.Set("Content-Type", tc.ctype)
			req.Header.Set("Authorization", "bearer "+srv.APIKey)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
				t.Fatalf("answered %d inside the latency", resp.StatusCode)
			}
			// Give the server a moment to see the closed connection.
			time.Sleep(100 * time.Millisecond)
			start := time.Now()
			srv.Close()
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("Close took %v after the client hung up, want well under the 5 s latency", d)
			}
		})
	}
}
