package gnvtest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/gnv"
	"github.com/cmu-mx/cmu/providers/gnv/gnvtest"
)

func post(t *testing.T, s *gnvtest.Server, key, idem, body string) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL()+"/collection-rules", bytes.NewBufferString(body))
	req.Header.Set("X-Api-Key", key)
	if idem != "" {
		req.Header.Set("Idempotency-Key", idem)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out, resp.Header
}

func TestFakeRules(t *testing.T) {
	t.Parallel()
	s := gnvtest.New(gnvtest.Options{})
	s.Start()
	defer s.Close()
	key := string(s.APIKey())
	tests := []struct {
		name, key, idem, body string
		status                int
		replayed              bool
	}{
		{"created", key, "k1", `{"plates":"ABC-123-D","surcharge_per_litre":"1.50","client_ref":"1"}`, 201, false},
		{"replayed by key", key, "k1", `{"plates":"ZZZ999","surcharge_per_litre":"9","client_ref":"9"}`, 201, true},
		{"updated same client", key, "k2", `{"plates":"ABC123D","surcharge_per_litre":"2","client_ref":"1"}`, 200, false},
		{"taken by another client", key, "k3", `{"plates":"ABC123D","surcharge_per_litre":"2","client_ref":"2"}`, 409, false},
		{"bad surcharge", key, "", `{"plates":"ABC123D","surcharge_per_litre":"1.234","client_ref":"1"}`, 422, false},
		{"bad plates", key, "", `{"plates":"??","surcharge_per_litre":"1","client_ref":"1"}`, 422, false},
		{"bad json", key, "", `{`, 400, false},
		{"no key", "", "", `{}`, 401, false},
	}
	for _, tt := range tests {
		status, _, h := post(t, s, tt.key, tt.idem, tt.body)
		if status != tt.status || (h.Get("Idempotent-Replayed") == "true") != tt.replayed {
			t.Errorf("%s: status %d replayed %q, want %d %v", tt.name, status, h.Get("Idempotent-Replayed"), tt.status, tt.replayed)
		}
	}
	rules := s.Rules()
	if len(rules) != 1 || rules[0].SurchargePerLitre != "2.00" || rules[0].ClientRef != "1" {
		t.Errorf("rules = %+v", rules)
	}
	if len(s.Requests()) != len(tests) {
		t.Errorf("recorded %d requests", len(s.Requests()))
	}
}

func TestFakeDropConnection(t *testing.T) {
	t.Parallel()
	s := gnvtest.New(gnvtest.Options{})
	s.Start()
	defer s.Close()
	s.Inject(1, gnvtest.Fault{Drop: true})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL()+"/collection-rules", bytes.NewBufferString(`{}`))
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("dropped connection answered")
	}
}

func TestDeliveryVerifies(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC)
	s := gnvtest.New(gnvtest.Options{Now: func() time.Time { return now }})
	v, err := gnv.NewVerifier(gnv.VerifierConfig{Secrets: []gnv.Secret{s.Secret()}, Now: func() time.Time { return now.Add(time.Minute) }})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.SignedDelivery("msg_1", gnv.Batch{BatchID: "B", Date: "2026-11-21", Records: []gnv.Record{{
		TransactionID: "T", Plates: "ABC123", StationID: "S", Litres: decimal.NewFromInt(10), SurchargeCollected: decimal.NewFromInt(15), OccurredAt: now,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	var got *gnv.Batch
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		buf.ReadFrom(r.Body)
		b, err := v.ConstructBatch(r.Header, buf.Bytes())
		if err != nil {
			http.Error(w, err.Error(), 401)
			return
		}
		got = b
	}))
	defer srv.Close()
	resp, err := d.Send(t.Context(), nil, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || got == nil || len(got.Records) != 1 {
		t.Fatalf("status %d, batch %+v", resp.StatusCode, got)
	}
	if gnv.Secret("").String() != "" || s.Secret().String() != "[REDACTED]" {
		t.Error("secret not redacted")
	}
}

func TestDeliver(t *testing.T) {
	t.Parallel()
	var status = http.StatusOK
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
	defer hook.Close()
	s := gnvtest.New(gnvtest.Options{WebhookURL: hook.URL})
	d, err := s.SignBody("msg_1", []byte(`{"batch_id":"B","date":"2026-11-21","records":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Deliver(t.Context(), d); err != nil {
		t.Errorf("Deliver: %v", err)
	}
	status = http.StatusUnauthorized
	if err := s.Deliver(t.Context(), d); err == nil {
		t.Error("401 answer reported as delivered")
	}
	if err := gnvtest.New(gnvtest.Options{}).Deliver(t.Context(), d); err == nil {
		t.Error("Deliver without WebhookURL succeeded")
	}
}
