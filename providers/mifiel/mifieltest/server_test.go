package mifieltest_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/providers/mifiel"
	"github.com/cmu-mx/cmu/providers/mifiel/mifieltest"
)

// The fake refuses what Mifiel's ApiAuth verifier refuses.
func TestAuthRefusals(t *testing.T) {
	t.Parallel()
	srv := mifieltest.New(mifieltest.Options{})
	defer srv.Close()
	body := []byte(`{"x":1}`)
	tests := []struct {
		name   string
		tamper func(*http.Request) io.Reader
	}{
		{"no authorization", func(r *http.Request) io.Reader { r.Header.Del("Authorization"); return bytes.NewReader(body) }},
		{"body changed after signing", func(r *http.Request) io.Reader { return strings.NewReader(`{"x":2}`) }},
		{"uri changed after signing", func(r *http.Request) io.Reader { r.URL.Path += "x"; return bytes.NewReader(body) }},
		{"hash headers removed", func(r *http.Request) io.Reader {
			r.Header.Del("Content-MD5")
			r.Header.Del("X-Authorization-Content-SHA256")
			return bytes.NewReader(body)
		}},
		{"stale date", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest("POST", srv.BaseURL()+"/documents", nil)
			r.Header.Set("Content-Type", "application/json")
			at := time.Now()
			if tt.tamper == nil {
				at = at.Add(-16 * time.Minute)
			}
			mifiel.SignRequest(r, body, srv.AppID(), srv.AppSecret(), mifiel.HashMD5, at)
			rd := io.Reader(bytes.NewReader(body))
			if tt.tamper != nil {
				rd = tt.tamper(r)
			}
			r.Body = io.NopCloser(rd)
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("status = %d, want 401", resp.StatusCode)
			}
		})
	}
}
