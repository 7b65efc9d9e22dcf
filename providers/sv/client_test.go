package sv_test

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

	"github.com/cmu-mx/cmu/providers/sv"
	"github.com/cmu-mx/cmu/providers/sv/svtest"
)

func update() sv.Update {
	return sv.Update{
		ReservationID: "R-2026-0042",
		Patient:       sv.Patient{FirstName: "Lucía", PaternalLastName: "Quispe", MaternalLastName: "Mamani", DocumentType: "DNI", DocumentNumber: "45879632"},
		ClinicHistory: "HC-000123",
		Payment: sv.Payment{
			Status:      sv.DirectInvoice,
			InvoiceURLs: sv.InvoiceURLs{Soles: "https://files.example/f-s.pdf"},
			Amount:      decimal.NewNullDecimal(decimal.RequireFromString("1500.50")), Currency: "PEN",
		},
	}
}

func newClient(t *testing.T, srv *svtest.Server, key string) *sv.Client {
	t.Helper()
	c, err := sv.New(sv.Config{BaseURL: srv.URL, APIKey: key, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestUpdateClinicHistory(t *testing.T) {
	t.Parallel()
	srv := svtest.New(svtest.Options{})
	defer srv.Close()
	c := newClient(t, srv, srv.APIKey())
	res, err := c.UpdateClinicHistory(t.Context(), update())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed || res.ReservationID != "R-2026-0042" || res.ClinicHistory != "HC-000123" || res.RequestID == "" {
		t.Errorf("result = %+v", res)
	}
	r := srv.Requests()[0]
	if r.Method != "PUT" || r.Path != "/clinic-history-crm/R-2026-0042" || r.Header.Get("Authorization") != "Bearer "+srv.APIKey() {
		t.Errorf("sent %s %s %v", r.Method, r.Path, r.Header)
	}
	var body map[string]any
	json.Unmarshal(r.Body, &body)
	want := map[string]any{
		"patient":        map[string]any{"first_name": "Lucía", "paternal_last_name": "Quispe", "maternal_last_name": "Mamani", "document_type": "DNI", "document_number": "45879632"},
		"clinic_history": "HC-000123",
		"payment":        map[string]any{"status": "factura_directa", "invoice_urls": map[string]any{"soles": "https://files.example/f-s.pdf"}, "amount": "1500.5", "currency": "PEN"},
	}
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	// Idempotent: the same update again changes nothing.
	res, err = c.UpdateClinicHistory(t.Context(), update())
	if err != nil || res.Changed {
		t.Fatalf("second update: %+v %v", res, err)
	}
	if rec, _ := srv.Record("R-2026-0042"); rec.Writes != 1 {
		t.Errorf("writes = %d", rec.Writes)
	}
	u := update()
	u.Payment = sv.Payment{Status: sv.ServiceOrderPending, ServiceOrders: []int64{101, 102}}
	if res, err := c.UpdateClinicHistory(t.Context(), u); err != nil || !res.Changed {
		t.Fatalf("changed update: %+v %v", res, err)
	}
	rec, _ := srv.Record("R-2026-0042")
	if !strings.Contains(string(rec.Body), `"service_orders":[101,102]`) || strings.Contains(string(rec.Body), "amount") {
		t.Errorf("record = %s", rec.Body)
	}
}

func TestUpdateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		key       string
		opts      svtest.Options
		setup     func(*svtest.Server)
		status    int
		retryable bool
		attempts  int
	}{
		{"unauthorized", "bad", svtest.Options{}, nil, 401, false, 1},
		{"unknown reservation", "", svtest.Options{KnownOnly: true}, nil, 404, false, 1},
		{"5xx exhausted", "", svtest.Options{}, func(s *svtest.Server) { s.FailNext(4, 500) }, 500, true, 4},
		{"429 exhausted", "", svtest.Options{}, func(s *svtest.Server) { s.RateLimitNext(4, 0) }, 429, true, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := svtest.New(tt.opts)
			defer srv.Close()
			if tt.setup != nil {
				tt.setup(srv)
			}
			key := tt.key
			if key == "" {
				key = srv.APIKey()
			}
			_, err := newClient(t, srv, key).UpdateClinicHistory(t.Context(), update())
			var ae *sv.APIError
			if !errors.As(err, &ae) || ae.Status != tt.status || ae.Retryable() != tt.retryable || ae.Message == "" {
				t.Fatalf("err = %v", err)
			}
			if n := len(srv.Requests()); n != tt.attempts {
				t.Errorf("attempts = %d, want %d", n, tt.attempts)
			}
		})
	}
	t.Run("transient then ok, one record", func(t *testing.T) {
		t.Parallel()
		srv := svtest.New(svtest.Options{})
		defer srv.Close()
		srv.FailNext(2, 503)
		if _, err := newClient(t, srv, srv.APIKey()).UpdateClinicHistory(t.Context(), update()); err != nil {
			t.Fatal(err)
		}
		if rec, _ := srv.Record("R-2026-0042"); rec.Writes != 1 {
			t.Errorf("writes = %d", rec.Writes)
		}
	})
	t.Run("down", func(t *testing.T) {
		t.Parallel()
		srv := svtest.New(svtest.Options{})
		defer srv.Close()
		srv.SetDown(true)
		_, err := newClient(t, srv, srv.APIKey()).UpdateClinicHistory(t.Context(), update())
		var r interface{ Retryable() bool }
		if !errors.As(err, &r) || !r.Retryable() {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("validation", func(t *testing.T) {
		t.Parallel()
		srv := svtest.New(svtest.Options{})
		defer srv.Close()
		_, err := newClient(t, srv, srv.APIKey()).UpdateClinicHistory(t.Context(), sv.Update{})
		var ve *sv.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 4 || len(srv.Requests()) != 0 {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestConfig(t *testing.T) {
	t.Parallel()
	cfg := sv.Config{BaseURL: "https://sv.example", APIKey: "sv-secret-key"}
	if s := fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg); strings.Contains(s, "sv-secret-key") {
		t.Error(s)
	}
	if _, err := sv.New(sv.Config{BaseURL: "sv.example"}); err == nil {
		t.Error("relative base URL accepted")
	}
}

func ExampleClient_UpdateClinicHistory() {
	srv := svtest.New(svtest.Options{})
	defer srv.Close()
	c, err := sv.New(sv.Config{BaseURL: srv.URL, APIKey: srv.APIKey()})
	if err != nil {
		panic(err)
	}
	u := sv.Update{
		ReservationID: "R-1", ClinicHistory: "HC-9",
		Patient: sv.Patient{FirstName: "Lucía", PaternalLastName: "Quispe"},
		Payment: sv.Payment{Status: sv.ServiceOrderPending, ServiceOrders: []int64{101}},
	}
	for range 2 {
		res, err := c.UpdateClinicHistory(context.Background(), u)
		if err != nil {
			panic(err)
		}
		fmt.Println(res.ReservationID, res.Changed)
	}
	// Output:
	// R-1 true
	// R-1 false
}
