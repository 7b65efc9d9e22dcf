package hase_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/hase"
	"github.com/cmu-mx/cmu/providers/hase/hasetest"
)

func request() hase.ScoreRequest {
	score := 700
	return hase.ScoreRequest{
		ApplicantID: "42", Market: "edomex", Product: "venta_plazo", Plates: "ABC-123-D",
		RequestedAmount: decimal.RequireFromString("250000.00"),
		Bureau:          hase.BureauSummary{ExecutionID: "ex1", Score: &score, Flags: []string{}, OpenAccounts: 1, PastDueBalance: decimal.Zero, TotalBalance: decimal.RequireFromString("1200.50"), WorstMOP: 1},
		Savings:         hase.Savings{Balance: decimal.RequireFromString("15000.00"), Months: 6, Contributions: 40},
		GNV:             hase.GNVConsumption{Months: 6, AvgMonthlyLitres: decimal.RequireFromString("850.50"), AvgMonthlySurcharge: decimal.RequireFromString("1275.75")},
		RequestKey:      "credit-42-1",
	}
}

func newClient(t *testing.T, srv *hasetest.Server, key string) *hase.Client {
	t.Helper()
	c, err := hase.New(hase.Config{BaseURL: srv.URL, APIKey: key, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestScore(t *testing.T) {
	t.Parallel()
	srv := hasetest.New(hasetest.Options{})
	defer srv.Close()
	c := newClient(t, srv, srv.APIKey())
	res, err := c.Score(t.Context(), request())
	if err != nil {
		t.Fatal(err)
	}
	// 500 + (700-600)/2 + 6*10 + 85 = 695
	if res.Score != 695 || res.Decision != hase.Approved || res.ModelVersion != hasetest.ModelVersion || !strings.HasPrefix(res.RequestID, "hase_") {
		t.Errorf("result = %+v", res)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.Method != "POST" || r.Path != "/score" || r.Header.Get("Authorization") != "Bearer "+srv.APIKey() || r.Header.Get("Idempotency-Key") != "credit-42-1" {
		t.Errorf("sent %s %s %v", r.Method, r.Path, r.Header)
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"applicant_id": "42", "market": "edomex", "product": "venta_plazo", "plates": "ABC-123-D", "requested_amount": "250000",
		"bureau":  map[string]any{"execution_id": "ex1", "score": 700.0, "flags": []any{}, "open_accounts": 1.0, "past_due_balance": "0", "total_balance": "1200.5", "worst_mop": 1.0},
		"savings": map[string]any{"balance": "15000", "months": 6.0, "contributions": 40.0},
		"gnv":     map[string]any{"months": 6.0, "avg_monthly_litres": "850.5", "avg_monthly_surcharge": "1275.75"},
	}
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func TestScoreErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		key       string
		setup     func(*hasetest.Server)
		status    int
		retryable bool
		attempts  int
	}{
		{"unauthorized", "nope", func(*hasetest.Server) {}, 401, false, 1},
		{"5xx retried then exhausted", "", func(s *hasetest.Server) { s.FailNext(4, 503) }, 503, true, 4},
		{"501 not retried", "", func(s *hasetest.Server) { s.FailNext(1, 501) }, 501, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := hasetest.New(hasetest.Options{})
			defer srv.Close()
			tt.setup(srv)
			key := tt.key
			if key == "" {
				key = srv.APIKey()
			}
			_, err := newClient(t, srv, key).Score(t.Context(), request())
			var ae *hase.APIError
			if !errors.As(err, &ae) || ae.Status != tt.status || ae.Retryable() != tt.retryable {
				t.Fatalf("err = %v", err)
			}
			if n := len(srv.Requests()); n != tt.attempts {
				t.Errorf("attempts = %d, want %d", n, tt.attempts)
			}
			if strings.Contains(err.Error(), "nope") {
				t.Errorf("key in error: %v", err)
			}
		})
	}
	t.Run("transient 502 recovers", func(t *testing.T) {
		t.Parallel()
		srv := hasetest.New(hasetest.Options{})
		defer srv.Close()
		srv.FailNext(2, 502)
		if _, err := newClient(t, srv, srv.APIKey()).Score(t.Context(), request()); err != nil {
			t.Fatal(err)
		}
		if srv.Scored() != 1 {
			t.Errorf("scored %d", srv.Scored())
		}
	})
	t.Run("down", func(t *testing.T) {
		t.Parallel()
		srv := hasetest.New(hasetest.Options{})
		defer srv.Close()
		srv.SetDown(true)
		_, err := newClient(t, srv, srv.APIKey()).Score(t.Context(), request())
		var r interface{ Retryable() bool }
		if !errors.As(err, &r) || !r.Retryable() {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		srv := hasetest.New(hasetest.Options{})
		defer srv.Close()
		srv.SetDelay(time.Second)
		c, _ := hase.New(hase.Config{BaseURL: srv.URL, APIKey: srv.APIKey(), Timeout: 50 * time.Millisecond, MaxRetries: -1})
		_, err := c.Score(t.Context(), request())
		var r interface{ Retryable() bool }
		if !errors.As(err, &r) || !r.Retryable() {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestParseResult(t *testing.T) {
	t.Parallel()
	good := `{"score":640,"decision":"rechazado","reasons":["a",{"code":"b","description":"B"}],"model_version":"m","request_id":"r"}`
	res, err := hase.ParseResult([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	want := &hase.Result{Score: 640, Decision: hase.Rejected, Reasons: []hase.Reason{{Code: "a"}, {Code: "b", Description: "B"}}, ModelVersion: "m", RequestID: "r"}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range []string{`{}`, `{"score":1001}`, `{"score":-1}`, `{"score":12.5}`, `{"score":500,"decision":"maybe"}`, `[`} {
		if _, err := hase.ParseResult([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func FuzzParseResult(f *testing.F) {
	f.Add([]byte(`{"score":640,"decision":"aprobado","reasons":["a"]}`))
	f.Add([]byte(`{"score":0,"reasons":[{"code":"x"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := hase.ParseResult(b)
		if err != nil {
			return
		}
		if res.Score < 0 || res.Score > hase.MaxScore {
			t.Fatalf("score %d accepted", res.Score)
		}
		if res.Decision != "" && res.Decision != hase.Approved && res.Decision != hase.Rejected {
			t.Fatalf("decision %q accepted", res.Decision)
		}
	})
}

func TestConfigRedaction(t *testing.T) {
	t.Parallel()
	cfg := hase.Config{BaseURL: "https://hase.example", APIKey: "topsecret"}
	if s := fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg); strings.Contains(s, "topsecret") {
		t.Error(s)
	}
}

func ExampleClient_Score() {
	srv := hasetest.New(hasetest.Options{Threshold: 600})
	defer srv.Close()
	c, err := hase.New(hase.Config{BaseURL: srv.URL, APIKey: srv.APIKey()})
	if err != nil {
		panic(err)
	}
	score := 580
	res, err := c.Score(context.Background(), hase.ScoreRequest{ApplicantID: "7", Bureau: hase.BureauSummary{Score: &score}, Savings: hase.Savings{Months: 3}})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Score, res.Decision, res.Reasons[0].Code)
	// Output: 520 rechazado score_buro_bajo
}
