package apiclient_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cmu-mx/cmu/providers/internal/apiclient"
)

func TestErrorText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                     string
		status                   int
		code, message, requestID string
		want                     string
	}{
		{"status only", 502, "", "", "", "p: HTTP 502"},
		{"code", 404, "not_found", "", "", "p: HTTP 404 not_found"},
		{"message", 500, "", "boom", "", "p: HTTP 500: boom"},
		{"request id", 503, "", "", "r-1", "p: HTTP 503 (request r-1)"},
		{"all", 422, "invalid", "bad plates", "r-2", "p: HTTP 422 invalid: bad plates (request r-2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := apiclient.ErrorText("p", tt.status, tt.code, tt.message, tt.requestID); got != tt.want {
				t.Errorf("ErrorText = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBodyMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"empty body", 503, "", "Service Unavailable"},
		{"blank body", 404, " \n\t", "Not Found"},
		{"text body folded", 500, "  upstream\n  failed  ", "upstream failed"},
		{"long body cut", 502, strings.Repeat("x", 300), strings.Repeat("x", 200)},
		{"unknown status", 599, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := apiclient.BodyMessage(&apiclient.Response{StatusCode: tt.status, Body: []byte(tt.body)})
			if got != tt.want {
				t.Errorf("BodyMessage = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestJSONText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, raw string
		max       int
		want      string
	}{
		{"absent", "", 10, ""},
		{"null", "null", 10, ""},
		{"string", `"Invalid token"`, 5, "Invalid token"},
		{"list", `["a is required","b is invalid"]`, 5, "a is required; b is invalid"},
		{"number", "404", 2, "404"},
		{"object snippet", `{"x": {"y": 1}}`, 8, `{"x": {"`},
		{"mixed list snippet", `[1, "a"]`, 20, `[1, "a"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := apiclient.JSONText(json.RawMessage(tt.raw), tt.max); got != tt.want {
				t.Errorf("JSONText(%s, %d) = %q, want %q", tt.raw, tt.max, got, tt.want)
			}
		})
	}
}
