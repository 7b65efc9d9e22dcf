package apiclient_test

import (
	"testing"

	"github.com/cmu-mx/cmu/providers/internal/apiclient"
)

func TestParseHTTPURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		ok   bool
		host string
	}{
		{"https://api.example/v1", true, "api.example"},
		{"http://127.0.0.1:8080", true, "127.0.0.1:8080"},
		{"", false, ""},
		{"api.example", false, ""},
		{"ftp://api.example", false, ""},
		{"https://", false, ""},
		{"https://a b/%zz", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			u, ok := apiclient.ParseHTTPURL(tt.raw)
			if ok != tt.ok || (ok && u.Host != tt.host) || (!ok && u != nil) {
				t.Errorf("ParseHTTPURL(%q) = %v, %v", tt.raw, u, ok)
			}
		})
	}
}
