package webhooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cmu-mx/cmu/webhooks"
	"github.com/cmu-mx/cmu/webhooks/internal/hmactest"
)

var (
	testSecret = []byte("whsec_test_secret")
	testNow    = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
)

func fixedNow() time.Time { return testNow }

type response struct {
	Status int
	Body   map[string]any
	Header http.Header
}

func post(t *testing.T, url string, h http.Header, body []byte) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("response body %q is not JSON: %v", raw, err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	return response{resp.StatusCode, m, resp.Header}
}

func signed(id string, at time.Time, body []byte) http.Header {
	h := http.Header{}
	hmactest.Sign(h, testSecret, id, at, body)
	return h
}

// failingInbox is an inbox that cannot write.
type failingInbox struct{ calls atomic.Int32 }

func (f *failingInbox) Insert(context.Context, []webhooks.Delivery) ([]webhooks.InsertResult, error) {
	f.calls.Add(1)
	return nil, errors.New("disk full")
}

func newIntake(t *testing.T, cfg webhooks.HandlerConfig) *httptest.Server {
	t.Helper()
	if cfg.Provider == "" {
		cfg.Provider = "test"
	}
	if cfg.Verifier == nil {
		cfg.Verifier = hmactest.Verifier(testSecret, fixedNow)
	}
	if cfg.Now == nil {
		cfg.Now = fixedNow
	}
	h, err := webhooks.NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func TestHandlerAcceptsAndStoresRawBody(t *testing.T) {
	t.Parallel()
	store := newSQLite(t)
	var notified atomic.Int32
	srv := newIntake(t, webhooks.HandlerConfig{Inbox: store, Notify: func() { notified.Add(1) }})
	body := []byte("{\"amount\": \"1234.50\",\n \"note\": \"ñandú\"}  \n") // spacing kept byte for byte
	h := signed("evt_1", testNow, body)
	h.Set("Authorization", "Bearer secret-token")
	h.Set("Cookie", "session=abc")
	r := post(t, srv.URL, h, body)
	if r.Status != http.StatusOK || r.Body["statusCode"] != 200.0 || r.Body["duplicate"] != false {
		t.Fatalf("response = %d %v", r.Status, r.Body)
	}
	ds, err := store.List(t.Context(), webhooks.ListOptions{})
	if err != nil || len(ds) != 1 {
		t.Fatalf("List = %v, %v; want one delivery", ds, err)
	}
	d := ds[0]
	if r.Body["id"] != float64(d.ID) {
		t.Errorf("response id %v, stored id %d", r.Body["id"], d.ID)
	}
	if !bytes.Equal(d.Body, body) {
		t.Errorf("stored body %q, want %q", d.Body, body)
	}
	if d.Provider != "test" || d.EventID != "evt_1" || d.Type != "test.event" || !d.ReceivedAt.Equal(testNow) ||
		!d.OccurredAt.Equal(testNow) || d.State != webhooks.StatePending {
		t.Errorf("stored %+v", d)
	}
	if d.Header.Get("X-Test-Signature") == "" {
		t.Error("signature header not kept")
	}
	if d.Header.Get("Authorization") != "" || d.Header.Get("Cookie") != "" {
		t.Errorf("credentials stored: %v", d.Header)
	}
	if notified.Load() != 1 {
		t.Errorf("Notify called %d times, want 1", notified.Load())
	}

	// A redelivery is acknowledged and not stored again.
	r = post(t, srv.URL, signed("evt_1", testNow, body), body)
	if r.Status != http.StatusOK || r.Body["duplicate"] != true {
		t.Fatalf("redelivery response = %d %v", r.Status, r.Body)
	}
	ds, _ = store.List(t.Context(), webhooks.ListOptions{})
	if len(ds) != 1 || notified.Load() != 1 {
		t.Errorf("after a redelivery: %d stored, %d notifications", len(ds), notified.Load())
	}
}

func TestHandlerRefusesAndStoresNothing(t *testing.T) {
	t.Parallel()
	body := []byte(`{"amount":"1234.50"}`)
	good := signed("evt_1", testNow, body)
	tests := []struct {
		name    string
		header  http.Header
		body    []byte
		message string
	}{
		{"unsigned", http.Header{"X-Test-Id": {"evt_1"}}, body, "Webhook sin firma"},
		{"malformed signature", func() http.Header {
			h := good.Clone()
			h.Set("X-Test-Signature", "zz")
			return h
		}(), body, "Encabezado de firma inválido"},
		{"mutated body", good, []byte(`{"amount":"9234.50"}`), "Firma del webhook inválida"},
		{"forged id", func() http.Header {
			h := good.Clone()
			h.Set("X-Test-Id", "evt_2")
			return h
		}(), body, "Firma del webhook inválida"},
		{"too old", signed("evt_1", testNow.Add(-time.Hour), body), body, "Webhook vencido: la marca de tiempo es demasiado antigua"},
		{"too new", signed("evt_1", testNow.Add(time.Hour), body), body, "Webhook rechazado: la marca de tiempo está en el futuro"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store := newSQLite(t)
			srv := newIntake(t, webhooks.HandlerConfig{Inbox: store})
			r := post(t, srv.URL, tt.header, tt.body)
			want := map[string]any{"statusCode": 401.0, "message": tt.message}
			if r.Status != http.StatusUnauthorized {
				t.Errorf("status = %d, want 401", r.Status)
			}
			if diff := cmp.Diff(want, r.Body); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			ds, err := store.List(t.Context(), webhooks.ListOptions{})
			if err != nil || len(ds) != 0 {
				t.Errorf("refused delivery stored: %v %v", ds, err)
			}
		})
	}
}

func TestHandlerErrors(t *testing.T) {
	t.Parallel()
	body := []byte(`{"x":1}`)
	t.Run("inbox down is 503", func(t *testing.T) {
		t.Parallel()
		inbox := &failingInbox{}
		srv := newIntake(t, webhooks.HandlerConfig{Inbox: inbox})
		r := post(t, srv.URL, signed("e", testNow, body), body)
		if r.Status != http.StatusServiceUnavailable || r.Body["statusCode"] != 503.0 || r.Header.Get("Retry-After") == "" {
			t.Errorf("response = %d %v %v", r.Status, r.Body, r.Header)
		}
		if inbox.calls.Load() != 1 {
			t.Errorf("inbox called %d times", inbox.calls.Load())
		}
	})
	t.Run("body too large is 413", func(t *testing.T) {
		t.Parallel()
		store := newSQLite(t)
		srv := newIntake(t, webhooks.HandlerConfig{Inbox: store, MaxBodyBytes: 16})
		big := bytes.Repeat([]byte("a"), 17)
		r := post(t, srv.URL, signed("e", testNow, big), big)
		if r.Status != http.StatusRequestEntityTooLarge || r.Body["statusCode"] != 413.0 {
			t.Errorf("with Content-Length: %d %v", r.Status, r.Body)
		}
		// Without Content-Length (chunked), the limit still holds.
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, io.MultiReader(bytes.NewReader(big)))
		hmactest.Sign(req.Header, testSecret, "e", testNow, big)
		req.ContentLength = -1
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("chunked: status %d", resp.StatusCode)
		}
		exact := bytes.Repeat([]byte("a"), 16)
		if r := post(t, srv.URL, signed("e", testNow, exact), exact); r.Status != http.StatusOK {
			t.Errorf("body at the limit: %d %v", r.Status, r.Body)
		}
	})
	t.Run("GET is 405", func(t *testing.T) {
		t.Parallel()
		srv := newIntake(t, webhooks.HandlerConfig{Inbox: &failingInbox{}})
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
			t.Errorf("GET: %d Allow=%q", resp.StatusCode, resp.Header.Get("Allow"))
		}
	})
	t.Run("verifier without event id is 500", func(t *testing.T) {
		t.Parallel()
		inbox := &failingInbox{}
		srv := newIntake(t, webhooks.HandlerConfig{Inbox: inbox,
			Verifier: webhooks.VerifierFunc(func(http.Header, []byte) (webhooks.Event, error) { return webhooks.Event{}, nil })})
		r := post(t, srv.URL, nil, body)
		if r.Status != http.StatusInternalServerError || inbox.calls.Load() != 0 {
			t.Errorf("response %d, inbox calls %d", r.Status, inbox.calls.Load())
		}
	})
	t.Run("unusable event ids are refused", func(t *testing.T) {
		t.Parallel()
		for _, id := range []string{strings.Repeat("x", 256), "bad\xffid", "nul\x00id"} {
			inbox := &failingInbox{}
			srv := newIntake(t, webhooks.HandlerConfig{Inbox: inbox,
				Verifier: webhooks.VerifierFunc(func(http.Header, []byte) (webhooks.Event, error) { return webhooks.Event{ID: id}, nil })})
			r := post(t, srv.URL, nil, body)
			if r.Status != http.StatusUnauthorized || inbox.calls.Load() != 0 {
				t.Errorf("id %q: response %d, inbox calls %d", id, r.Status, inbox.calls.Load())
			}
		}
	})
	t.Run("source not allowed is 401", func(t *testing.T) {
		t.Parallel()
		inbox := &failingInbox{}
		var seen atomic.Value
		srv := newIntake(t, webhooks.HandlerConfig{Inbox: inbox, AllowSource: func(r *http.Request) bool {
			seen.Store(r.RemoteAddr)
			return false
		}})
		r := post(t, srv.URL, signed("e", testNow, body), body)
		if r.Status != http.StatusUnauthorized || r.Body["message"] != "Origen del webhook no permitido" || inbox.calls.Load() != 0 {
			t.Errorf("response %d %v, inbox calls %d", r.Status, r.Body, inbox.calls.Load())
		}
		if addr, _ := seen.Load().(string); !strings.HasPrefix(addr, "127.0.0.1:") {
			t.Errorf("AllowSource saw RemoteAddr %q", addr)
		}
	})
	t.Run("failing Respond still acknowledges", func(t *testing.T) {
		t.Parallel()
		store := newSQLite(t)
		srv := newIntake(t, webhooks.HandlerConfig{Inbox: store,
			Respond: func(context.Context, webhooks.Delivery, bool) (any, error) {
				return nil, errors.New("counts unavailable")
			}})
		r := post(t, srv.URL, signed("e", testNow, body), body)
		if r.Status != http.StatusOK || r.Body["message"] != "Webhook recibido" {
			t.Errorf("response %d %v, want the default acknowledgement", r.Status, r.Body)
		}
		if ds, _ := store.List(t.Context(), webhooks.ListOptions{}); len(ds) != 1 {
			t.Errorf("stored %d deliveries, want 1", len(ds))
		}
	})
	t.Run("config is validated", func(t *testing.T) {
		t.Parallel()
		if _, err := webhooks.NewHandler(webhooks.HandlerConfig{Provider: "x"}); err == nil {
			t.Error("NewHandler without Verifier and Inbox succeeded")
		}
		if _, err := webhooks.NewHandler(webhooks.HandlerConfig{Provider: "x", Inbox: &failingInbox{},
			Verifier: hmactest.Verifier(testSecret, nil), MaxBodyBytes: -1}); err == nil {
			t.Error("NewHandler with a negative body limit succeeded")
		}
	})
}

func TestHandlerKeepHeadersAndRespond(t *testing.T) {
	t.Parallel()
	store := newSQLite(t)
	type counts struct {
		Accepted  int `json:"accepted"`
		Duplicate int `json:"duplicate"`
	}
	srv := newIntake(t, webhooks.HandlerConfig{
		Inbox:       store,
		KeepHeaders: []string{"x-test-id", "Authorization"},
		Respond: func(ctx context.Context, d webhooks.Delivery, dup bool) (any, error) {
			if dup {
				return counts{Duplicate: 1}, nil
			}
			if d.ID == 0 || d.EventID != "e1" {
				return nil, errors.New("unexpected delivery")
			}
			return counts{Accepted: 1}, nil
		},
	})
	body := []byte(`{}`)
	h := signed("e1", testNow, body)
	h.Set("Authorization", "Bearer x")
	if r := post(t, srv.URL, h, body); r.Body["accepted"] != 1.0 {
		t.Errorf("first response %v", r.Body)
	}
	if r := post(t, srv.URL, h, body); r.Body["duplicate"] != 1.0 {
		t.Errorf("second response %v", r.Body)
	}
	ds, _ := store.List(t.Context(), webhooks.ListOptions{})
	if diff := cmp.Diff(http.Header{"X-Test-Id": {"e1"}}, ds[0].Header); diff != "" {
		t.Errorf("kept headers (-want +got):\n%s", diff)
	}
}

// FuzzHandler posts arbitrary bodies and signature headers: a delivery is stored
// only when it carries a valid signature, and the handler never panics.
func FuzzHandler(f *testing.F) {
	body := []byte(`{"amount":"1234.50"}`)
	h := signed("evt_1", testNow, body)
	f.Add(body, "evt_1", h.Get("X-Test-Timestamp"), h.Get("X-Test-Signature"))
	f.Add([]byte(`{"amount":"1234.51"}`), "evt_1", h.Get("X-Test-Timestamp"), h.Get("X-Test-Signature"))
	f.Add(body, "evt_2", h.Get("X-Test-Timestamp"), h.Get("X-Test-Signature"))
	f.Add([]byte{}, "", "", "")
	f.Add(body, "evt_1", "not-a-number", "00")
	f.Fuzz(func(t *testing.T, body []byte, id, ts, sig string) {
		var stored []webhooks.Delivery
		inbox := inserterFunc(func(_ context.Context, ds []webhooks.Delivery) ([]webhooks.InsertResult, error) {
			stored = append(stored, ds...)
			return make([]webhooks.InsertResult, len(ds)), nil
		})
		hd, err := webhooks.NewHandler(webhooks.HandlerConfig{Provider: "test", Inbox: inbox,
			Verifier: hmactest.Verifier(testSecret, fixedNow), Now: fixedNow})
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("X-Test-Id", id)
		req.Header.Set("X-Test-Timestamp", ts)
		req.Header.Set("X-Test-Signature", sig)
		rec := httptest.NewRecorder()
		hd.ServeHTTP(rec, req)
		valid := hmactest.Verifier(testSecret, fixedNow)
		_, verr := valid(req.Header, body)
		switch {
		case verr == nil && (rec.Code != http.StatusOK || len(stored) != 1 || !bytes.Equal(stored[0].Body, body)):
			t.Errorf("valid delivery: status %d, stored %d", rec.Code, len(stored))
		case verr != nil && (rec.Code != http.StatusUnauthorized || len(stored) != 0):
			t.Errorf("invalid delivery (%v): status %d, stored %d", verr, rec.Code, len(stored))
		}
	})
}

type inserterFunc func(context.Context, []webhooks.Delivery) ([]webhooks.InsertResult, error)

func (f inserterFunc) Insert(ctx context.Context, ds []webhooks.Delivery) ([]webhooks.InsertResult, error) {
	return f(ctx, ds)
}
