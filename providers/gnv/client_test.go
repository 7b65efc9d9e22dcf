package gnv_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/gnv"
	"github.com/cmu-mx/cmu/providers/gnv/gnvtest"
	"github.com/cmu-mx/cmu/providers/internal/apiclient"
)

func setup(t *testing.T) (*gnv.Client, *gnvtest.Server) {
	t.Helper()
	fake := gnvtest.New(gnvtest.Options{})
	fake.Start()
	t.Cleanup(fake.Close)
	c, err := gnv.NewClient(gnv.Config{BaseURL: fake.URL(), APIKey: fake.APIKey(), RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c, fake
}

func rule(plates, surcharge, ref string) gnv.CollectionRule {
	return gnv.CollectionRule{Plates: plates, SurchargePerLitre: decimal.RequireFromString(surcharge), ClientRef: ref}
}

func TestActivateCollection(t *testing.T) {
	t.Parallel()
	c, fake := setup(t)
	got, err := c.ActivateCollection(t.Context(), rule("abc-123-d", "1.5", "42"))
	if err != nil {
		t.Fatal(err)
	}
	if got.RuleID != "rule_0001" || got.Status != gnv.RuleActive || got.Plates != "ABC123D" || !strings.HasPrefix(got.IdempotencyKey, "gnv-rule-") {
		t.Errorf("ActivateCollection = %+v", got)
	}
	reqs := fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Path != "/collection-rules" {
		t.Errorf("sent %s %s", r.Method, r.Path)
	}
	for name, want := range map[string]string{"X-Api-Key": string(fake.APIKey()), "Content-Type": "application/json", "Idempotency-Key": got.IdempotencyKey} {
		if r.Header.Get(name) != want {
			t.Errorf("header %s = %q, want %q", name, r.Header.Get(name), want)
		}
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"plates": "ABC123D", "surcharge_per_litre": "1.50", "client_ref": "42"}, body); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func TestActivateCollectionRetriesUnderSameKey(t *testing.T) {
	t.Parallel()
	c, fake := setup(t)
	fake.FailNext(2, http.StatusServiceUnavailable)
	got, err := c.ActivateCollection(t.Context(), rule("ABC1234", "2.00", "7"))
	if err != nil {
		t.Fatal(err)
	}
	reqs := fake.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	for _, r := range reqs {
		if r.Header.Get("Idempotency-Key") != got.IdempotencyKey {
			t.Errorf("retry used key %q, want %q", r.Header.Get("Idempotency-Key"), got.IdempotencyKey)
		}
	}
	// Activating again (a double click) replays the answer: still one rule.
	again, err := c.ActivateCollection(t.Context(), rule("ABC-1234", "2", "7"))
	if err != nil {
		t.Fatal(err)
	}
	if again.RuleID != got.RuleID || len(fake.Rules()) != 1 {
		t.Errorf("second activation: rule %s, %d rules", again.RuleID, len(fake.Rules()))
	}
}

func TestActivateCollectionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		prepare   func(*gnvtest.Server)
		key       gnv.APIKey
		rule      gnv.CollectionRule
		status    int
		code      string
		retryable bool
	}{
		{name: "unauthorized", key: "wrong", rule: rule("ABC1234", "1", "1"), status: 401, code: "unauthorized"},
		{name: "plates taken", prepare: func(s *gnvtest.Server) {
			c, _ := gnv.NewClient(gnv.Config{BaseURL: s.URL(), APIKey: s.APIKey()})
			if _, err := c.ActivateCollection(t.Context(), rule("ABC1234", "1", "other")); err != nil {
				t.Fatal(err)
			}
		}, rule: rule("ABC1234", "1", "1"), status: 409, code: "plates_taken"},
		{name: "server keeps failing", prepare: func(s *gnvtest.Server) { s.FailNext(10, 500) }, rule: rule("ABC1234", "1", "1"), status: 500, code: "server_error", retryable: true},
		{name: "not implemented is final", prepare: func(s *gnvtest.Server) { s.FailNext(1, 501) }, rule: rule("ABC1234", "1", "1"), status: 501, code: "server_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := gnvtest.New(gnvtest.Options{})
			fake.Start()
			defer fake.Close()
			if tt.prepare != nil {
				tt.prepare(fake)
			}
			key := tt.key
			if key == "" {
				key = fake.APIKey()
			}
			c, _ := gnv.NewClient(gnv.Config{BaseURL: fake.URL(), APIKey: key, MaxRetries: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
			_, err := c.ActivateCollection(t.Context(), tt.rule)
			var apiErr *gnv.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if apiErr.Status != tt.status || apiErr.Code != tt.code || apiErr.Retryable() != tt.retryable || !strings.HasPrefix(apiErr.RequestID, "req_") {
				t.Errorf("APIError = %+v retryable=%v", apiErr, apiErr.Retryable())
			}
		})
	}
}

func TestActivateCollectionValidatesFirst(t *testing.T) {
	t.Parallel()
	c, fake := setup(t)
	tests := []struct {
		rule gnv.CollectionRule
		want error
	}{
		{rule("AB", "1", "1"), gnv.ErrInvalidPlates},
		{rule("ABC1234", "0", "1"), gnv.ErrInvalidRule},
		{rule("ABC1234", "-1", "1"), gnv.ErrInvalidRule},
		{rule("ABC1234", "1.555", "1"), gnv.ErrInvalidRule},
		{rule("ABC1234", "1000", "1"), gnv.ErrInvalidRule},
		{rule("ABC1234", "1", ""), gnv.ErrInvalidRule},
	}
	for _, tt := range tests {
		if _, err := c.ActivateCollection(t.Context(), tt.rule); !errors.Is(err, tt.want) {
			t.Errorf("%+v: err = %v, want %v", tt.rule, err, tt.want)
		}
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("invalid rules sent %d requests", n)
	}
}

func TestUnreachableIsTransportError(t *testing.T) {
	t.Parallel()
	fake := gnvtest.New(gnvtest.Options{})
	fake.Start()
	url := fake.URL()
	fake.Close()
	c, _ := gnv.NewClient(gnv.Config{BaseURL: url, APIKey: "k", MaxRetries: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	_, err := c.ActivateCollection(t.Context(), rule("ABC1234", "1", "1"))
	var te *apiclient.TransportError
	if !errors.As(err, &te) || te.Attempts != 2 {
		t.Fatalf("err = %v, want TransportError after 2 attempts", err)
	}
}

func TestConfigRedacted(t *testing.T) {
	t.Parallel()
	cfg := gnv.Config{BaseURL: "https://gnv.example", APIKey: "super-secret-key"}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "cfg", cfg)
	out := buf.String() + fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg.APIKey)
	if strings.Contains(out, "super-secret-key") {
		t.Errorf("key leaked: %s", out)
	}
	if _, err := gnv.NewClient(gnv.Config{APIKey: "k"}); !errors.Is(err, gnv.ErrConfig) {
		t.Errorf("missing base URL: err = %v", err)
	}
	if _, err := gnv.NewClient(gnv.Config{BaseURL: "http://x"}); !errors.Is(err, gnv.ErrConfig) {
		t.Errorf("missing key: err = %v", err)
	}
}
