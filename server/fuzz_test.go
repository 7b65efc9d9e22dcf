package server

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// FuzzVerifyToken: arbitrary text never verifies, and a valid token with any
// single byte changed never verifies as a different advisor.
func FuzzVerifyToken(f *testing.F) {
	a := NewHS256Authenticator([]byte(testSecret), nil)
	valid, _ := a.Sign(Claims{Role: RoleAdmin, RegisteredClaims: jwt.RegisteredClaims{Subject: "adv-1"}}, time.Hour)
	f.Add(valid, 0, byte('x'))
	f.Add("", 0, byte(0))
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.", 3, byte('A'))
	f.Add(strings.Repeat("a.", 40), 7, byte('.'))
	f.Fuzz(func(t *testing.T, tok string, pos int, b byte) {
		if adv, err := a.Verify(tok); err == nil && tok != valid {
			// Only a token we signed can verify; base64 padding variants of the
			// valid one decode to the same claims.
			if adv.ID != "adv-1" {
				t.Fatalf("forged token verified: %q → %+v", tok, adv)
			}
		} else if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindUnauthorized {
				t.Fatalf("error not KindUnauthorized: %v", err)
			}
		}
		if len(valid) > 0 {
			i := ((pos % len(valid)) + len(valid)) % len(valid)
			m := []byte(valid)
			if m[i] == b {
				return
			}
			m[i] = b
			if adv, err := a.Verify(string(m)); err == nil && adv.ID != "adv-1" {
				t.Fatalf("mutated token verified as %+v", adv)
			}
		}
	})
}

// FuzzDecodeRequest: any body yields a request or a 4xx *Error, never a panic.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{`{"clientId":1,"amount":"10.00"}`, `{"clientId":-1}`, `{"amount":1e400}`, `{`, `[]`, `null`, `{"clientId":1,"amount":"1"}{}`, `{"x":1}`} {
		f.Add([]byte(s))
	}
	s := &Server{cfg: Config{BodyLimitBytes: 4096}, validate: newValidate()}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/", strings.NewReader(string(body)))
		w := httptest.NewRecorder()
		req, err := decodeJSON[GenerateLinkRequest](s, w, r)
		if err != nil {
			status, msg := statusOf(err)
			if status < 400 || status >= 500 || msg == "" {
				t.Fatalf("status %d %q for %q", status, msg, body)
			}
			return
		}
		if req.ClientID <= 0 || !strings.Contains("0123456789", req.Amount[:1]) {
			t.Fatalf("invalid request accepted: %+v", req)
		}
		if m := PaymentMethodFor(MoneyFromString(req.Amount).Decimal); m != PaymentConekta && m != PaymentSPEI {
			t.Fatal(m)
		}
	})
}
