package kiban_test

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

	"github.com/cmu-mx/cmu/providers/kiban"
	"github.com/cmu-mx/cmu/providers/kiban/kibantest"
)

func newClient(t *testing.T, srv *kibantest.Server, mod func(*kiban.Config)) *kiban.Client {
	t.Helper()
	cfg := kiban.Config{BaseURL: srv.URL, APIKey: srv.APIKey(), RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond, Timeout: 2 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	c, err := kiban.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConsentAndQuery(t *testing.T) {
	t.Parallel()
	srv := kibantest.New(kibantest.Options{})
	defer srv.Close()
	srv.SetBureau("PEPA800101AB1", kibantest.Bureau{Score: 612, Accounts: []kibantest.Account{
		{Lender: "BANCO", Balance: "1260", PastDue: "350", MOP: "02"},
		{Lender: "TIENDA", Balance: "800", PastDue: "0", MOP: "05"},
	}})
	c := newClient(t, srv, func(c *kiban.Config) { c.Origin = "cmu"; c.Mock = true })
	ctx := t.Context()

	sent, err := c.SendNIP(ctx, kiban.NIPSendRequest{Method: kiban.NIPBySMS, CountryCode: "+52", To: "5512345678", Message: "Tu NIP es {{nip}}"})
	if err != nil {
		t.Fatal(err)
	}
	bad, err := c.ValidateNIP(ctx, sent.ID, "000000")
	if err != nil {
		t.Fatal(err)
	}
	if bad.Validated {
		t.Fatal("wrong NIP validated")
	}
	v, err := c.ValidateNIP(ctx, sent.ID, srv.NIP())
	if err != nil || !v.Validated {
		t.Fatalf("ValidateNIP = %+v, %v", v, err)
	}
	rep, err := c.QueryBureau(ctx, kiban.BureauQuery{
		AuthorizationID: v.ID, FirstName: "ANA", PaternalLastName: "PEREZ", MaternalLastName: "LOPEZ",
		RFC: "pepa800101ab1", Address: kiban.Address{Street: "AV 1", PostalCode: "50000"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ExecutionID == "" || rep.Status != kiban.StatusSuccess {
		t.Errorf("execution = %q %q", rep.ExecutionID, rep.Status)
	}
	if !rep.Score.Valid || rep.Score.Value != 612 || rep.Score.Code != "007" {
		t.Errorf("score = %+v", rep.Score)
	}
	if got, want := rep.PastDueBalance(), decimal.RequireFromString("350"); !got.Equal(want) {
		t.Errorf("past due = %s, want %s", got, want)
	}
	if got, want := rep.TotalBalance(), decimal.RequireFromString("2060"); !got.Equal(want) {
		t.Errorf("total = %s, want %s", got, want)
	}
	if diff := cmp.Diff([]kiban.Flag{kiban.FlagPastDue, kiban.FlagSevereDelinquency}, rep.Flags); diff != "" {
		t.Errorf("flags (-want +got):\n%s", diff)
	}

	reqs := srv.Requests()
	q := reqs[len(reqs)-1]
	if q.Method != http.MethodPost || q.Path != "/api/v2/bc_pf_by_kiban/query" {
		t.Fatalf("query sent as %s %s", q.Method, q.Path)
	}
	for h, want := range map[string]string{"x-api-key": srv.APIKey(), "origin": "cmu", "mock": "true", "content-type": "application/json"} {
		if got := q.Header.Get(h); got != want {
			t.Errorf("header %s = %q, want %q", h, got, want)
		}
	}
	var body map[string]any
	if err := json.Unmarshal(q.Body, &body); err != nil {
		t.Fatal(err)
	}
	wantBody := map[string]any{
		"parameters_bc_pf_by_kiban": map[string]any{"productoRequerido": "501"},
		"authorization":             map[string]any{"tipo": "nip", "id": v.ID},
		"nombre":                    map[string]any{"primerNombre": "ANA", "apellidoPaterno": "PEREZ", "apellidoMaterno": "LOPEZ", "rfc": "PEPA800101AB1"},
		"domicilio":                 map[string]any{"direccion1": "AV 1", "CP": "50000"},
	}
	if diff := cmp.Diff(wantBody, body); diff != "" {
		t.Errorf("query body (-want +got):\n%s", diff)
	}

	ex, err := c.Execution(ctx, 0, "bc_pf_by_kiban/query", rep.ExecutionID)
	if err != nil || ex.ID != rep.ExecutionID {
		t.Fatalf("Execution = %+v, %v", ex, err)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	query := kiban.BureauQuery{AuthorizationID: "x", FirstName: "ANA", PaternalLastName: "PEREZ", RFC: "PEPA800101AB1"}
	tests := []struct {
		name      string
		setup     func(*kibantest.Server, *kiban.Config, *kiban.BureauQuery)
		status    int
		retryable bool
		attempts  int
	}{
		{"bad key", func(s *kibantest.Server, c *kiban.Config, q *kiban.BureauQuery) { c.APIKey = "wrong" }, 401, false, 1},
		{"nip not validated", func(s *kibantest.Server, c *kiban.Config, q *kiban.BureauQuery) {}, 406, false, 1},
		{"503 not retried on the billed query", func(s *kibantest.Server, c *kiban.Config, q *kiban.BureauQuery) {
			q.AuthorizationID = s.Authorize("")
			s.FailNext(1, 503)
		}, 503, true, 1},
		{"408 provider timeout", func(s *kibantest.Server, c *kiban.Config, q *kiban.BureauQuery) {
			q.AuthorizationID = s.Authorize("")
			s.FailNext(1, 408)
		}, 408, true, 1},
		{"429 retried then exhausted", func(s *kibantest.Server, c *kiban.Config, q *kiban.BureauQuery) {
			q.AuthorizationID = s.Authorize("")
			c.MaxRetries = 2
			s.RateLimitNext(3, 0)
		}, 429, true, 3},
		{"501 not retryable", func(s *kibantest.Server, c *kiban.Config, q *kiban.BureauQuery) {
			q.AuthorizationID = s.Authorize("")
			s.FailNext(1, 501)
		}, 501, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := kibantest.New(kibantest.Options{})
			defer srv.Close()
			cfg := kiban.Config{BaseURL: srv.URL, APIKey: srv.APIKey(), RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond}
			q := query
			tt.setup(srv, &cfg, &q)
			c, err := kiban.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.QueryBureau(t.Context(), q)
			var apiErr *kiban.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if apiErr.Status != tt.status || apiErr.Retryable() != tt.retryable {
				t.Errorf("APIError = %+v retryable %v, want %d retryable %v", apiErr, apiErr.Retryable(), tt.status, tt.retryable)
			}
			if n := len(srv.Requests()); n != tt.attempts {
				t.Errorf("attempts = %d, want %d", n, tt.attempts)
			}
			if strings.Contains(err.Error(), srv.APIKey()) || strings.Contains(err.Error(), "wrong") {
				t.Errorf("error leaks the key: %v", err)
			}
		})
	}
}

func TestExecutionRetriesTransient(t *testing.T) {
	t.Parallel()
	srv := kibantest.New(kibantest.Options{})
	defer srv.Close()
	c := newClient(t, srv, nil)
	rep, err := c.QueryBureau(t.Context(), kiban.BureauQuery{AuthorizationID: srv.Authorize(""), FirstName: "A", PaternalLastName: "B", RFC: "XAXX010101000"})
	if err != nil {
		t.Fatal(err)
	}
	srv.ResetRequests()
	srv.FailNext(2, 502)
	if _, err := c.Execution(t.Context(), 2, "bc_pf_by_kiban/query", rep.ExecutionID); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Requests()); n != 3 {
		t.Errorf("attempts = %d, want 3", n)
	}
}

func TestDownIsRetryableTransportError(t *testing.T) {
	t.Parallel()
	srv := kibantest.New(kibantest.Options{})
	defer srv.Close()
	srv.SetDown(true)
	c := newClient(t, srv, nil)
	_, err := c.QueryBureau(t.Context(), kiban.BureauQuery{AuthorizationID: "a", FirstName: "A", PaternalLastName: "B", RFC: "XAXX010101000"})
	var r interface{ Retryable() bool }
	if !errors.As(err, &r) || !r.Retryable() {
		t.Fatalf("err = %v, want a retryable error", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("the query reached the server %d times, want 1 (no blind retry)", n)
	}
}

func TestValidationBeforeSending(t *testing.T) {
	t.Parallel()
	srv := kibantest.New(kibantest.Options{})
	defer srv.Close()
	c := newClient(t, srv, nil)
	_, err := c.QueryBureau(t.Context(), kiban.BureauQuery{RFC: "short"})
	var ve *kiban.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 4 {
		t.Fatalf("err = %v", err)
	}
	_, err = c.SendNIP(t.Context(), kiban.NIPSendRequest{Method: kiban.NIPBySMS, CountryCode: "+52", To: "1", Message: "no placeholder"})
	if !errors.As(err, &ve) || ve.Fields["message"] == "" {
		t.Fatalf("err = %v", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestConfigRedaction(t *testing.T) {
	t.Parallel()
	cfg := kiban.Config{BaseURL: kiban.SandboxURL, APIKey: "sk_live_secret"}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("cfg", "config", cfg)
	for _, s := range []string{buf.String(), fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg)} {
		if strings.Contains(s, "sk_live_secret") {
			t.Errorf("secret leaked: %s", s)
		}
	}
	if _, err := kiban.New(kiban.Config{BaseURL: "ftp://x", APIKey: "k"}); err == nil {
		t.Error("ftp base URL accepted")
	}
	if _, err := kiban.New(kiban.Config{BaseURL: kiban.SandboxURL}); err == nil {
		t.Error("missing key accepted")
	}
}
