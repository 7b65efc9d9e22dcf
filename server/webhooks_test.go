package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cmu-mx/cmu/webhooks"
)

// TestWebhookIntakePlugsIn wires the webhooks package's intake handler over the
// inbox table created by the server's migrations.
func TestWebhookIntakePlugsIn(t *testing.T) {
	db := openTestSQLite(t)
	store := webhooks.NewSQLite(db.SQL)
	verifier := webhooks.VerifierFunc(func(h http.Header, body []byte) (webhooks.Event, error) {
		if h.Get("X-Test-Signature") != "ok" {
			return webhooks.Event{}, webhooks.ErrNoValidSignature
		}
		return webhooks.Event{ID: "evt_" + strings.Trim(string(body), `{}"`)[:3], Type: "order.paid"}, nil
	})
	intake, err := webhooks.NewHandler(webhooks.HandlerConfig{Provider: string(ProviderConekta), Verifier: verifier, Inbox: store})
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEnv(t, testConfig(), Deps{DB: db, Webhooks: map[Provider]http.Handler{ProviderConekta: intake}})
	const path = "/api/payments/webhook/conekta"
	if r := e.do("POST", path, "", `{"abc"}`, "X-Test-Signature", "ok"); r.Status != 200 || !strings.Contains(string(r.Body), `"duplicate":false`) {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if r := e.do("POST", path, "", `{"abc"}`, "X-Test-Signature", "ok"); r.Status != 200 || !strings.Contains(string(r.Body), `"duplicate":true`) {
		t.Errorf("duplicate: %d %s", r.Status, r.Body)
	}
	if r := e.do("POST", path, "", `{"abc"}`); r.Status != 401 {
		t.Errorf("unsigned: %d", r.Status)
	}
	var n int
	if err := db.SQL.QueryRowContext(t.Context(), `SELECT count(*) FROM webhook_inbox WHERE provider = 'conekta'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("inbox rows %d %v", n, err)
	}
	if r := e.do("POST", "/api/kyc/webhook/metamap", "", `{}`); r.Status != 503 || !strings.Contains(r.errorBody(t).Message, "metamap") {
		t.Errorf("unplugged provider: %d %s", r.Status, r.Body)
	}
}
