package server

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestRS256Authenticator(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	file := filepath.Join(t.TempDir(), "jwt.pem")
	if err := os.WriteFile(file, pubPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := NewAuthenticator(Config{JWTPublicKeyFile: file}, nil)
	if err != nil {
		t.Fatal(err)
	}
	claims := Claims{Markets: []Market{MarketEdomex}, RegisteredClaims: jwt.RegisteredClaims{Subject: "adv-9", ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}}
	good, _ := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
	adv, err := a.Verify(good)
	if err != nil || adv.ID != "adv-9" || len(adv.Markets) != 1 || adv.Admin {
		t.Fatalf("%+v %v", adv, err)
	}
	// Algorithm confusion: an HS256 token keyed with the public key is refused.
	confused, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(pubPEM)
	if _, err := a.Verify(confused); err == nil {
		t.Error("HS256 token accepted by the RS256 authenticator")
	}
	if _, err := a.Sign(claims, time.Hour); err == nil {
		t.Error("RS256 authenticator signed a token")
	}
	// Through the server: the RS256 token authenticates a PWA route.
	e := newTestEnv(t, Config{Mode: ModeProduction, JWTPublicKeyFile: file}, Deps{})
	if r := e.do("GET", "/api/clients", good, nil); r.Status != 503 {
		t.Errorf("status %d %s", r.Status, r.Body)
	}
	if r := e.do("GET", "/api/clients", confused, nil); r.Status != 401 {
		t.Errorf("confused token: %d", r.Status)
	}
	for name, cfg := range map[string]Config{
		"missing file": {JWTPublicKeyFile: filepath.Join(t.TempDir(), "nope.pem")},
		"not a key":    {JWTPublicKeyFile: writeTemp(t, "garbage")},
		"no key":       {},
	} {
		if _, err := NewAuthenticator(cfg, nil); err == nil {
			t.Errorf("%s: no error", name)
		}
		if _, err := NewServer(cfg, Deps{}); err == nil {
			t.Errorf("%s: NewServer without a usable key", name)
		}
	}
}

func writeTemp(t *testing.T, s string) string {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
