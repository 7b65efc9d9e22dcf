package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/providers/conekta"
	"github.com/cmu-mx/cmu/providers/gnv"
	"github.com/cmu-mx/cmu/providers/metamap"
)

// Standard Webhooks specification test vector (FACTS.md §7).
const (
	specSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTS     = "1614265330"
	specBody   = `{"test": 2432232314}`
	specSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func runTool(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// parseHeaders reads the tool's output strictly: every line "name: value".
func parseHeaders(t *testing.T, out string) http.Header {
	t.Helper()
	h := http.Header{}
	if !strings.HasSuffix(out, "\n") {
		t.Fatalf("output does not end with a newline: %q", out)
	}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		name, value, ok := strings.Cut(line, ": ")
		if !ok || name == "" || value == "" || strings.TrimSpace(value) != value {
			t.Fatalf("line %q is not 'name: value'", line)
		}
		h.Add(name, value)
	}
	return h
}

func TestGNVSpecVector(t *testing.T) {
	t.Parallel()
	code, out, errOut := runTool(t, specBody, "--provider", "gnv", "--secret", specSecret, "--id", specID, "--timestamp", specTS)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	want := "webhook-id: " + specID + "\nwebhook-timestamp: " + specTS + "\nwebhook-signature: " + specSig + "\n"
	if out != want {
		t.Errorf("output\n%s\nwant\n%s", out, want)
	}
	v, err := gnv.NewVerifier(gnv.VerifierConfig{Secrets: []gnv.Secret{specSecret}, Now: func() time.Time { return time.Unix(1614265330, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.VerifySignature(parseHeaders(t, out), []byte(specBody)); err != nil {
		t.Errorf("output does not verify: %v", err)
	}
}

func TestGNVDefaultsVerify(t *testing.T) {
	t.Parallel()
	body := "{\"batch_id\":\"B-1\",\"date\":\"2026-11-21\",\"records\":[]}\n" // trailing newline is signed too
	code, out, errOut := runTool(t, body, "-provider=gnv", "-secret="+specSecret)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	h := parseHeaders(t, out)
	if len(h) != 3 || !strings.HasPrefix(h.Get("webhook-id"), "msg_") || len(h.Get("webhook-id")) != 28 {
		t.Errorf("headers = %v", h)
	}
	v, _ := gnv.NewVerifier(gnv.VerifierConfig{Secrets: []gnv.Secret{specSecret}})
	if _, err := v.Verify(h, []byte(body)); err != nil {
		t.Errorf("fresh signature does not verify now: %v", err)
	}
	if err := v.VerifySignature(h, []byte(strings.TrimSuffix(body, "\n"))); err == nil {
		t.Error("signature ignores the payload's last byte")
	}
	_, out2, _ := runTool(t, body, "-provider=gnv", "-secret="+specSecret)
	if parseHeaders(t, out2).Get("webhook-id") == h.Get("webhook-id") {
		t.Error("two runs produced the same id")
	}
}

func TestMetaMap(t *testing.T) {
	t.Parallel()
	body := `{"eventName":"verification_completed","resource":"https://api.getmati.com/v2/verifications/1","timestamp":"2026-11-22T18:00:00.000Z","identityStatus":"verified"}`
	const secret = "WebhookSecret2026cmu"
	code, out, errOut := runTool(t, body, "--provider", "metamap", "--secret", secret)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	h := parseHeaders(t, out)
	if len(h) != 1 || len(h.Get("x-signature")) != 64 {
		t.Fatalf("headers = %v", h)
	}
	v, _ := metamap.NewVerifier(metamap.VerifierConfig{Secrets: []metamap.Secret{secret}})
	if _, err := v.Verify(h, []byte(body)); err != nil {
		t.Errorf("does not verify: %v", err)
	}
}

func TestConekta(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	files := map[string][]byte{
		"pkcs8.pem": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}),
		"pkcs1.pem": pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}),
	}
	body := `{"id":"evt_1","object":"event","type":"order.paid","created_at":1795000000,"data":{"object":{"id":"ord_1","amount":150050,"payment_status":"paid","metadata":{"clientId":"42"}}}}`
	v, _ := conekta.NewVerifier(conekta.VerifierConfig{PublicKeys: []*rsa.PublicKey{&key.PublicKey}})
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runTool(t, body, "--provider", "conekta", "--key", path)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errOut)
		}
		h := parseHeaders(t, out)
		if len(h) != 1 || h.Get("digest") == "" {
			t.Fatalf("%s: headers = %v", name, h)
		}
		ev, err := v.Verify(h, []byte(body))
		if err != nil || ev.ID != "evt_1" {
			t.Errorf("%s: does not verify: %v", name, err)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notKey := filepath.Join(dir, "not.pem")
	os.WriteFile(notKey, []byte("hello"), 0o600)
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"no provider", nil, 2},
		{"unknown provider", []string{"--provider", "stripe"}, 2},
		{"gnv without secret", []string{"--provider", "gnv"}, 2},
		{"gnv bad secret", []string{"--provider", "gnv", "--secret", "whsec_short"}, 2},
		{"gnv bad timestamp", []string{"--provider", "gnv", "--secret", specSecret, "--timestamp", "soon"}, 2},
		{"gnv id with dot", []string{"--provider", "gnv", "--secret", specSecret, "--id", "msg.1"}, 2},
		{"metamap weak secret", []string{"--provider", "metamap", "--secret", "weak"}, 2},
		{"metamap with id", []string{"--provider", "metamap", "--secret", "WebhookSecret2026cmu", "--id", "x"}, 2},
		{"conekta without key", []string{"--provider", "conekta"}, 2},
		{"conekta missing file", []string{"--provider", "conekta", "--key", filepath.Join(dir, "nope.pem")}, 1},
		{"conekta not a key", []string{"--provider", "conekta", "--key", notKey}, 1},
		{"unknown flag", []string{"--provider", "gnv", "--colour"}, 2},
		{"positional argument", []string{"--provider", "gnv", "--secret", specSecret, "body.json"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runTool(t, "{}", tt.args...)
			if code != tt.code || out != "" || errOut == "" {
				t.Errorf("exit %d (want %d), stdout %q, stderr %q", code, tt.code, out, errOut)
			}
			if strings.Contains(errOut, "MfKQ9r8G") {
				t.Errorf("stderr leaks the secret: %s", errOut)
			}
		})
	}
}
