package metamap_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/providers/internal/apiclient"
	"github.com/cmu-mx/cmu/providers/metamap"
	"github.com/cmu-mx/cmu/providers/metamap/metamaptest"
	"github.com/cmu-mx/cmu/webhooks"
)

// FACTS.md §3 example payload; the signature was computed independently with
// Python's hmac module: hmac.new(secret, body, sha256).hexdigest().
const (
	factsBody                  = `{"eventName":"verification_completed","resource":"https://api.getmati.com/v2/verifications/650000000000000000000001","flowId":"650000000000000000000abc","identityStatus":"reviewNeeded","status":"reviewNeeded","metadata":{"lead_id":"L-0001"},"timestamp":"2026-11-22T18:00:00.000Z"}`
	factsSecret metamap.Secret = "WebhookSecret2026cmu"
	factsSig                   = "929f19bc7da1ffc46787c34ef468ad7e076a9b56094f0b6fc4272a2d1d46467a"
)

func verifier(t testing.TB, secrets ...metamap.Secret) *metamap.Verifier {
	t.Helper()
	if len(secrets) == 0 {
		secrets = []metamap.Secret{factsSecret}
	}
	v, err := metamap.NewVerifier(metamap.VerifierConfig{Secrets: secrets})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSignKnownValue(t *testing.T) {
	t.Parallel()
	if got := metamap.Sign(factsSecret, []byte(factsBody)); got != factsSig {
		t.Errorf("Sign = %s, want %s", got, factsSig)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		sig     string
		body    string
		secrets []metamap.Secret
		want    error
	}{
		{"valid", factsSig, factsBody, nil, nil},
		{"second secret", factsSig, factsBody, []metamap.Secret{"OtherSecret2026abc", factsSecret}, nil},
		{"missing", "", factsBody, nil, webhooks.ErrNotSigned},
		{"upper-case hex", strings.ToUpper(factsSig), factsBody, nil, webhooks.ErrInvalidHeader},
		{"short", factsSig[:63], factsBody, nil, webhooks.ErrInvalidHeader},
		{"sha256= prefix", "sha256=" + factsSig, factsBody, nil, webhooks.ErrInvalidHeader},
		{"body re-serialised", factsSig, strings.ReplaceAll(factsBody, `","`, `", "`), nil, webhooks.ErrNoValidSignature},
		{"wrong secret", factsSig, factsBody, []metamap.Secret{"OtherSecret2026abc"}, webhooks.ErrNoValidSignature},
		{"flipped digit", "8" + factsSig[1:], factsBody, nil, webhooks.ErrNoValidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if tt.sig != "" {
				h.Set("X-Signature", tt.sig)
			}
			ev, err := verifier(t, tt.secrets...).Verify(h, []byte(tt.body))
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("err = %v, want %v", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := webhooks.Event{ID: "verification_completed/650000000000000000000001/2026-11-22T18:00:00.000Z", Type: "verification_completed",
				OccurredAt: time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)}
			if ev != want {
				t.Errorf("Verify = %+v, want %+v", ev, want)
			}
		})
	}
}

func TestSecretRules(t *testing.T) {
	t.Parallel()
	for _, s := range []metamap.Secret{"", "short1A", "alllowercase12345", "ALLUPPERCASE12345", "NoDigitsAtAllHere"} {
		if _, err := metamap.NewVerifier(metamap.VerifierConfig{Secrets: []metamap.Secret{s}}); !errors.Is(err, metamap.ErrInvalidSecret) {
			t.Errorf("secret %q accepted: %v", string(s), err)
		}
	}
	if strings.Contains(fmt.Sprintf("%v %#v %s", factsSecret, factsSecret, factsSecret.LogValue()), "Webhook") {
		t.Error("secret not redacted")
	}
}

func TestParseEventAndDecision(t *testing.T) {
	t.Parallel()
	const res = `"resource":"https://api.getmati.com/v2/verifications/abc","timestamp":"2026-11-22T18:00:00.000Z"`
	tests := []struct {
		name   string
		body   string
		want   metamap.DocumentStatus
		ok     bool
		wantID string
	}{
		{"completed verified", `{"eventName":"verification_completed",` + res + `,"identityStatus":"verified","status":"verified"}`, metamap.DocAprobado, true, "verification_completed/abc/2026-11-22T18:00:00.000Z"},
		{"completed rejected", `{"eventName":"verification_completed",` + res + `,"identityStatus":"rejected"}`, metamap.DocRechazado, true, ""},
		{"identityStatus wins over status", `{"eventName":"verification_completed",` + res + `,"identityStatus":"reviewNeeded","status":"verified"}`, metamap.DocRevisionManual, true, ""},
		{"status when identityStatus empty", `{"eventName":"verification_updated",` + res + `,"status":"verified"}`, metamap.DocAprobado, true, ""},
		{"fraud attempt", `{"eventName":"step_completed",` + res + `,"step":{"id":"alteration-detection","status":200,"error":{"code":"alterationDetection.fraudAttempt","type":"StepError","message":"x"}}}`, metamap.DocRechazado, true, "step_completed/abc/alteration-detection/2026-11-22T18:00:00.000Z"},
		{"negligence", `{"eventName":"step_completed",` + res + `,"step":{"id":"alteration-detection","status":200,"error":{"code":"alterationDetection.negligence"}}}`, metamap.DocRevisionManual, true, ""},
		{"ordinary step", `{"eventName":"step_completed",` + res + `,"step":{"id":"liveness","status":200}}`, "", false, ""},
		{"postponed", `{"eventName":"verification_postponed",` + res + `}`, metamap.DocEnRevision, true, ""},
		{"started decides nothing", `{"eventName":"verification_started",` + res + `}`, "", false, ""},
		{"deleted decides nothing", `{"eventName":"verification_updated",` + res + `,"identityStatus":"deleted"}`, "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := metamap.ParseEvent([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			got, ok := ev.Decision()
			if got != tt.want || ok != tt.ok {
				t.Errorf("Decision = %q %v, want %q %v", got, ok, tt.want, tt.ok)
			}
			if tt.wantID != "" && ev.ID() != tt.wantID {
				t.Errorf("ID = %q, want %q", ev.ID(), tt.wantID)
			}
		})
	}
	for name, body := range map[string]string{
		"not json":        `{`,
		"no eventName":    `{` + res + `}`,
		"bad timestamp":   `{"eventName":"x","resource":"https://h/v2/verifications/a","timestamp":"yesterday"}`,
		"relative url":    `{"eventName":"x","resource":"/v2/verifications/a","timestamp":"2026-11-22T18:00:00Z"}`,
		"no verification": `{"eventName":"x","resource":"https://h/","timestamp":"2026-11-22T18:00:00Z"}`,
	} {
		if _, err := metamap.ParseEvent([]byte(body)); !errors.Is(err, metamap.ErrMalformedEvent) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	ev, _ := metamap.ParseEvent([]byte(factsBody))
	if ev.MetadataString("lead_id") != "L-0001" || ev.FlowID != "650000000000000000000abc" || ev.VerificationID != "650000000000000000000001" {
		t.Errorf("event = %+v", ev)
	}
}

func TestDocumentStatusFor(t *testing.T) {
	t.Parallel()
	tests := map[metamap.IdentityStatus]metamap.DocumentStatus{
		metamap.StatusVerified: metamap.DocAprobado, metamap.StatusRejected: metamap.DocRechazado, metamap.StatusReviewNeeded: metamap.DocRevisionManual,
		metamap.StatusRunning: metamap.DocEnRevision, metamap.StatusPending: metamap.DocEnRevision, metamap.StatusReviewRunning: metamap.DocEnRevision,
		metamap.StatusPostponed: metamap.DocEnRevision, metamap.StatusDeleted: "", "surprise": "",
	}
	for in, want := range tests {
		got, ok := metamap.DocumentStatusFor(in)
		if got != want || ok != (want != "") {
			t.Errorf("DocumentStatusFor(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
}

func setup(t *testing.T, now *time.Time) (*metamap.Client, *metamaptest.Server) {
	t.Helper()
	clock := func() time.Time { return *now }
	fake := metamaptest.New(metamaptest.Options{Now: clock})
	fake.Start()
	t.Cleanup(fake.Close)
	c, err := metamap.NewClient(metamap.Config{BaseURL: fake.URL(), ClientID: fake.ClientID(), ClientSecret: fake.ClientSecret(), Now: clock,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c, fake
}

func count(reqs []metamaptest.RecordedRequest, method, path string) int {
	n := 0
	for _, r := range reqs {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

func TestClientTokenLifecycle(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	c, fake := setup(t, &now)
	fake.AddVerification("v1", "flow1", metamap.StatusReviewNeeded, map[string]any{"lead_id": "L-1"})
	d, err := fake.SignedEvent(metamaptest.Payload{EventName: metamap.EventVerificationCompleted, VerificationID: "v1", IdentityStatus: metamap.StatusReviewNeeded})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := verifier(t, fake.WebhookSecret()).ConstructEvent(d.Header, d.Body)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		raw, err := c.GetVerification(t.Context(), ev.Resource)
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Identity struct{ Status string } `json:"identity"`
		}
		json.Unmarshal(raw, &v)
		if v.Identity.Status != "reviewNeeded" {
			t.Errorf("verification = %s", raw)
		}
	}
	reqs := fake.Requests()
	if count(reqs, "POST", "/oauth") != 1 {
		t.Errorf("token fetched %d times, want 1 (cached)", count(reqs, "POST", "/oauth"))
	}
	o := reqs[0]
	if o.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || string(o.Body) != "grant_type=client_credentials" || !strings.HasPrefix(o.Header.Get("Authorization"), "Basic ") {
		t.Errorf("oauth request: %v %q", o.Header, o.Body)
	}
	// Revoked token: one 401, a new token, success.
	fake.ExpireTokens()
	if err := c.UpdateVerificationStatus(t.Context(), "v1", metamap.StatusVerified); err != nil {
		t.Fatal(err)
	}
	if st, _ := fake.VerificationStatus("v1"); st != metamap.StatusVerified {
		t.Errorf("status = %s", st)
	}
	// Clock past expiry: renewed before the call, no 401.
	now = now.Add(2 * time.Hour)
	before := len(fake.Requests())
	if _, err := c.GetVerification(t.Context(), ev.Resource); err != nil {
		t.Fatal(err)
	}
	after := fake.Requests()[before:]
	if len(after) != 2 || after[0].Path != "/oauth" {
		t.Errorf("after expiry: %d requests, first %s", len(after), after[0].Path)
	}
	if count(fake.Requests(), "POST", "/oauth") != 3 {
		t.Errorf("oauth calls = %d, want 3", count(fake.Requests(), "POST", "/oauth"))
	}
}

func TestClientErrors(t *testing.T) {
	t.Parallel()
	now := time.Now()
	c, fake := setup(t, &now)
	if _, err := c.GetVerification(t.Context(), "https://evil.example/v2/verifications/x"); !errors.Is(err, metamap.ErrResourceHost) {
		t.Errorf("foreign host: err = %v", err)
	}
	if len(fake.Requests()) != 0 {
		t.Error("foreign host request sent a token request")
	}
	_, err := c.GetVerification(t.Context(), fake.URL()+"/v2/verifications/missing")
	var ae *metamap.APIError
	if !errors.As(err, &ae) || ae.Status != 404 || ae.Code != "not_found" || ae.Retryable() {
		t.Errorf("missing: err = %v", err)
	}
	if err := c.UpdateVerificationStatus(t.Context(), "v", metamap.StatusRunning); !errors.Is(err, metamap.ErrInvalidStatus) {
		t.Errorf("running: err = %v", err)
	}
	fake.AddVerification("v2", "f", "", nil)
	fake.FailNext(2, http.StatusBadGateway)
	if err := c.UpdateVerificationStatus(t.Context(), "v2", metamap.StatusRejected); err != nil {
		t.Errorf("after 2×502: %v", err)
	}
	bad, _ := metamap.NewClient(metamap.Config{BaseURL: fake.URL(), ClientID: "x", ClientSecret: "wrong-secret", MaxRetries: -1})
	err = bad.UpdateVerificationStatus(t.Context(), "v2", metamap.StatusRejected)
	if !errors.As(err, &ae) || ae.Status != 401 || strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("bad credentials: err = %v", err)
	}
	fake.FailNext(10, 503)
	_, err = c.GetVerification(t.Context(), fake.URL()+"/v2/verifications/v2")
	if !errors.As(err, &ae) || !ae.Retryable() {
		t.Errorf("persistent 503: err = %v", err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "cfg", metamap.Config{ClientID: "id", ClientSecret: "top-secret"})
	if strings.Contains(buf.String(), "top-secret") || !strings.Contains(buf.String(), apiclient.Redacted) {
		t.Errorf("config log: %s", buf.String())
	}
}

// FuzzVerify: a body or signature changed after signing never verifies; nothing panics.
func FuzzVerify(f *testing.F) {
	f.Add([]byte(factsBody), factsSig)
	f.Add([]byte(factsBody+"\n"), factsSig)
	f.Add([]byte(factsBody), strings.ToUpper(factsSig))
	f.Add([]byte{}, "")
	f.Add([]byte(`{"eventName":"step_completed","resource":"https://x/v2/verifications/1","timestamp":"2026-01-01T00:00:00Z","step":{"status":null}}`), factsSig)
	for _, name := range []string{"testdata/verification_completed.json", "testdata/step_completed_fraud.json"} {
		if fixture, err := os.ReadFile(name); err == nil {
			f.Add(fixture, metamap.Sign(factsSecret, fixture))
		}
	}
	v := verifier(f)
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		h := http.Header{}
		h.Set(metamap.HeaderSignature, sig)
		_, err := v.Verify(h, body)
		if err == nil && strings.TrimSpace(sig) != metamap.Sign(factsSecret, body) {
			t.Fatalf("mutated delivery verified: %q %q", body, sig)
		}
		if ev, err := metamap.ParseEvent(body); err == nil {
			ev.Decision()
			_ = ev.ID()
		}
	})
}
