package mifiel_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/providers/mifiel"
)

// Vectors computed independently (Python hmac/hashlib) from FACTS' canonical
// string format.
func TestSignRequestVectors(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)
	get, _ := http.NewRequest("GET", "https://app-sandbox.mifiel.com/api/v1/documents/6f1c", nil)
	mifiel.SignRequest(get, nil, "app-id", "app-secret", mifiel.HashMD5, at)
	if got, want := get.Header.Get("Authorization"), "APIAuth app-id:cuAHzFKJJ0/Ht8XWpg4zMk+kBao="; got != want {
		t.Errorf("GET Authorization = %q, want %q", got, want)
	}
	if got := get.Header.Get("Date"); got != "Sun, 22 Nov 2026 18:00:00 GMT" {
		t.Errorf("Date = %q", got)
	}
	if get.Header.Get("Content-MD5") != "" {
		t.Error("Content-MD5 sent without a body")
	}

	post, _ := http.NewRequest("POST", "https://app-sandbox.mifiel.com/api/v1/documents?x=1", nil)
	post.Header.Set("Content-Type", "application/json")
	mifiel.SignRequest(post, []byte("hello"), "app-id", "app-secret", mifiel.HashMD5, at)
	if got, want := post.Header.Get("Authorization"), "APIAuth app-id:Qo2DnqtkA9BD7We2qx+kDeHkh/k="; got != want {
		t.Errorf("POST Authorization = %q, want %q", got, want)
	}
	if got := post.Header.Get("Content-MD5"); got != "XUFAKrxLKna5cZ2REBfFkg==" {
		t.Errorf("Content-MD5 = %q", got)
	}
	if post.Header.Get("X-Authorization-Content-SHA256") == "" {
		t.Error("SHA-256 header missing")
	}
	if got := mifiel.CanonicalString("get", "", "", "/a", "d"); got != "GET,,,/a,d" {
		t.Errorf("canonical = %q", got)
	}
}
