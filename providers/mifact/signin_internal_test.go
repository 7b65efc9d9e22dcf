package mifact

import (
	"encoding/base64"
	"testing"
	"time"
)

func TestParseSignIn(t *testing.T) {
	t.Parallel()
	jwt := "eyJhbGciOiJIUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(`{"exp":1800000000}`)) + ".sig"
	tests := []struct {
		in  string
		tok string
		ttl time.Duration
	}{
		{`{"token":"a","expires_in":3600}`, "a", time.Hour},
		{`{"access_token":"b","expiresIn":"60"}`, "b", time.Minute},
		{`{"accessToken":"c"}`, "c", 0},
		{`{"data":{"token":"d"}}`, "d", 0},
	}
	for _, tt := range tests {
		tok, ttl, err := parseSignIn([]byte(tt.in))
		if err != nil || tok != tt.tok || ttl != tt.ttl {
			t.Errorf("%s: %q %s %v", tt.in, tok, ttl, err)
		}
	}
	if _, _, err := parseSignIn([]byte(`{"ok":true}`)); err == nil {
		t.Error("answer without token accepted")
	}
	exp, ok := jwtExpiry(jwt)
	if !ok || !exp.Equal(time.Unix(1800000000, 0)) {
		t.Errorf("jwt exp = %v %v", exp, ok)
	}
	for _, bad := range []string{"a.b", "a.!!!.c", "a." + base64.RawURLEncoding.EncodeToString([]byte(`{"exp":"x"}`)) + ".c"} {
		if _, ok := jwtExpiry(bad); ok {
			t.Errorf("exp read from %q", bad)
		}
	}
}
