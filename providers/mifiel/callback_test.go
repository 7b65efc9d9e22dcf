package mifiel_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/providers/mifiel"
	"github.com/cmu-mx/cmu/providers/mifiel/mifieltest"
	"github.com/cmu-mx/cmu/webhooks"
)

// receiver is a stand-in for the intake: it verifies with v and keeps events.
type receiver struct {
	mu     sync.Mutex
	v      *mifiel.CallbackVerifier
	events []*mifiel.CallbackEvent
	errs   []error
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	ev, err := rc.v.Parse(r.Header, body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err != nil {
		rc.errs = append(rc.errs, err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.URL.Query().Get(mifiel.TokenParam) != "" {
		t := "token left in the URL"
		rc.errs = append(rc.errs, errors.New(t))
	}
	rc.events = append(rc.events, ev)
}

func TestCallbackFlow(t *testing.T) {
	t.Parallel()
	pdf, err := mifiel.ContractPDF(ventaPlazo())
	if err != nil {
		t.Fatal(err)
	}
	signers := []mifiel.Signer{{Name: "Ana", Email: "ana@example.mx"}, {Name: "CMu", Email: "legal@cmu.mx"}}

	t.Run("token scheme, confirmed through the API", func(t *testing.T) {
		t.Parallel()
		rc := &receiver{v: &mifiel.CallbackVerifier{Secrets: []string{"url-token-123"}}}
		hook := httptest.NewServer(mifiel.TokenToHeader(rc))
		defer hook.Close()
		srv := mifieltest.New(mifieltest.Options{})
		defer srv.Close()
		c := newClient(t, srv, nil)
		cb, err := mifiel.CallbackURL(hook.URL+"/api/contracts/webhook/mifiel", "url-token-123")
		if err != nil {
			t.Fatal(err)
		}
		doc, err := c.CreateDocument(t.Context(), mifiel.CreateDocumentRequest{File: pdf, Signers: signers, CallbackURL: cb, SignCallbackURL: cb, ExternalID: "L-9"})
		if err != nil {
			t.Fatal(err)
		}
		ds, err := srv.SignAll(t.Context(), doc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 3 { // two per-signature callbacks + the final one
			t.Fatalf("%d deliveries", len(ds))
		}
		for _, d := range ds {
			if d.Status != 200 {
				t.Errorf("delivery to %s answered %d (%v)", d.URL, d.Status, d.Err)
			}
		}
		rc.mu.Lock()
		evs, errs := rc.events, rc.errs
		rc.mu.Unlock()
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		// The last signature's callback already says signed_by_all, so it and the
		// final callback share an id: the intake applies the stage move once.
		wantIDs := []string{doc.ID + ":signatures:1", doc.ID + ":signed_by_all", doc.ID + ":signed_by_all"}
		for i, ev := range evs {
			if ev.ID != wantIDs[i] || ev.ExternalID != "L-9" {
				t.Errorf("event %d = %s %s", i, ev.ID, ev.ExternalID)
			}
		}
		last := evs[len(evs)-1]
		if !last.SignedByAll || last.Type != mifiel.EventSignedByAll || last.OccurredAt.IsZero() {
			t.Errorf("final event = %+v", last)
		}
		conf, err := c.Confirm(t.Context(), last)
		if err != nil || !conf.SignedByAll || conf.ID != last.ID {
			t.Fatalf("Confirm = %+v, %v", conf, err)
		}
		signed, err := c.SignedFile(t.Context(), doc.ID)
		if err != nil || !bytes.Equal(signed, pdf) {
			t.Fatalf("SignedFile: %v", err)
		}
		// A forged "signed" callback for an unsigned document does not survive Confirm.
		doc2, _ := c.CreateDocument(t.Context(), mifiel.CreateDocumentRequest{File: pdf, Signers: signers})
		forged := &mifiel.CallbackEvent{DocumentID: doc2.ID, SignedByAll: true}
		conf, err = c.Confirm(t.Context(), forged)
		if err != nil || conf.SignedByAll {
			t.Fatalf("forged event confirmed: %+v, %v", conf, err)
		}
	})

	t.Run("hmac scheme", func(t *testing.T) {
		t.Parallel()
		rc := &receiver{v: &mifiel.CallbackVerifier{Scheme: mifiel.SchemeHMAC, Secrets: []string{"old", "cb-secret"}}}
		hook := httptest.NewServer(rc)
		defer hook.Close()
		srv := mifieltest.New(mifieltest.Options{CallbackSecret: "cb-secret"})
		defer srv.Close()
		c := newClient(t, srv, nil)
		doc, err := c.CreateDocument(t.Context(), mifiel.CreateDocumentRequest{File: pdf, Signers: signers[:1], CallbackURL: hook.URL})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.SignAll(t.Context(), doc.ID); err != nil {
			t.Fatal(err)
		}
		d, err := srv.Redeliver(t.Context(), doc.ID)
		if err != nil || d.Status != 200 {
			t.Fatalf("redeliver: %+v %v", d, err)
		}
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if len(rc.errs) > 0 || len(rc.events) != 2 || rc.events[0].ID != rc.events[1].ID || !rc.events[0].SignedByAll {
			t.Fatalf("events %+v errs %v", rc.events, rc.errs)
		}
	})
}

func TestVerify(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	body := []byte(`{"id":"d1","signed_by_all":true,"external_id":"L-1","signed_at":"2026-11-23T11:59:00Z"}`)
	hm := &mifiel.CallbackVerifier{Scheme: mifiel.SchemeHMAC, Secrets: []string{"s3"}, Now: func() time.Time { return now }}
	tok := &mifiel.CallbackVerifier{Secrets: []string{"tok-a", "tok-b"}}
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	tests := []struct {
		name string
		v    *mifiel.CallbackVerifier
		h    http.Header
		body []byte
		want error
	}{
		{"hmac ok", hm, hdr(mifiel.SignatureHeader, mifiel.SignCallback(body, "s3", now)), body, nil},
		{"hmac within tolerance", hm, hdr(mifiel.SignatureHeader, mifiel.SignCallback(body, "s3", now.Add(-4*time.Minute))), body, nil},
		{"hmac missing", hm, hdr(), body, webhooks.ErrNotSigned},
		{"hmac no timestamp", hm, hdr(mifiel.SignatureHeader, "v1=00"), body, webhooks.ErrInvalidHeader},
		{"hmac bad timestamp", hm, hdr(mifiel.SignatureHeader, "t=abc,v1=00"), body, webhooks.ErrInvalidHeader},
		{"hmac no v1", hm, hdr(mifiel.SignatureHeader, "t=1"), body, webhooks.ErrInvalidHeader},
		{"hmac wrong secret", hm, hdr(mifiel.SignatureHeader, mifiel.SignCallback(body, "other", now)), body, webhooks.ErrNoValidSignature},
		{"hmac body changed", hm, hdr(mifiel.SignatureHeader, mifiel.SignCallback(body, "s3", now)), bytes.Replace(body, []byte("true"), []byte("fals"), 1), webhooks.ErrNoValidSignature},
		{"hmac too old", hm, hdr(mifiel.SignatureHeader, mifiel.SignCallback(body, "s3", now.Add(-6*time.Minute))), body, webhooks.ErrTooOld},
		{"hmac too new", hm, hdr(mifiel.SignatureHeader, mifiel.SignCallback(body, "s3", now.Add(6*time.Minute))), body, webhooks.ErrTooNew},
		{"token ok (rotated)", tok, hdr(mifiel.TokenHeader, "tok-b"), body, nil},
		{"token missing", tok, hdr(), body, webhooks.ErrNotSigned},
		{"token wrong", tok, hdr(mifiel.TokenHeader, "tok-c"), body, webhooks.ErrNoValidSignature},
		{"token prefix", tok, hdr(mifiel.TokenHeader, "tok-"), body, webhooks.ErrNoValidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := tt.v.Verify(tt.h, tt.body)
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if ev.ID != "d1:signed_by_all" || ev.Type != mifiel.EventSignedByAll || !ev.OccurredAt.Equal(now.Add(-time.Minute)) {
					t.Errorf("event = %+v", ev)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := (&mifiel.CallbackVerifier{}).Verify(hdr(mifiel.TokenHeader, ""), body); err == nil {
		t.Error("verifier without secrets accepted a delivery")
	}
	if _, err := tok.Verify(hdr(mifiel.TokenHeader, "tok-a"), []byte(`{"signed_by_all":true}`)); err == nil || errors.Is(err, webhooks.ErrNoValidSignature) {
		t.Errorf("body without id: %v", err)
	}
}

func TestParseCallbackForm(t *testing.T) {
	t.Parallel()
	ev, err := mifiel.ParseCallback([]byte("document%5Bid%5D=d7&external_id=L-2&signed_by_all=true"), "application/x-www-form-urlencoded")
	if err != nil || ev.DocumentID != "d7" || ev.ExternalID != "L-2" || !ev.SignedByAll {
		t.Fatalf("%+v %v", ev, err)
	}
	if _, err := mifiel.ParseCallback([]byte("id=d7&signed_by_all=maybe"), "application/x-www-form-urlencoded"); err == nil {
		t.Error("bad bool accepted")
	}
}

func TestTokenToHeaderDropsClientHeader(t *testing.T) {
	t.Parallel()
	var got http.Header
	h := mifiel.TokenToHeader(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Header }))
	r := httptest.NewRequest("POST", "/hook", nil)
	r.Header.Set(mifiel.TokenHeader, "spoofed")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if got.Get(mifiel.TokenHeader) != "" {
		t.Error("client-sent token header kept")
	}
}

func FuzzVerifyHMAC(f *testing.F) {
	body := []byte(`{"id":"d1","signed_by_all":true}`)
	now := time.Unix(1_800_000_000, 0)
	header := mifiel.SignCallback(body, "fuzz-secret", now)
	f.Add(body, header)
	f.Add([]byte(`{"id":"d1","signed_by_all":false}`), header)
	f.Add(body, header[:len(header)-1]+"0")
	f.Add(body, "t=1800000000,v1=")
	v := &mifiel.CallbackVerifier{Scheme: mifiel.SchemeHMAC, Secrets: []string{"fuzz-secret"}, Now: func() time.Time { return now }}
	f.Fuzz(func(t *testing.T, b []byte, sig string) {
		_, err := v.Verify(http.Header{mifiel.SignatureHeader: {sig}}, b)
		if err == nil && !bytes.Equal(b, body) {
			t.Fatalf("mutated body verified: %q", b)
		}
		if err == nil && sig != header {
			// Only re-orderings of the same parts may verify.
			if _, err2 := v.Verify(http.Header{mifiel.SignatureHeader: {header}}, b); err2 != nil {
				t.Fatalf("inconsistent verification")
			}
		}
	})
}

func FuzzVerifyToken(f *testing.F) {
	body := []byte(`{"id":"d1","signed_by_all":true}`)
	f.Add("secret-token")
	f.Add("secret-toke")
	f.Add("")
	v := &mifiel.CallbackVerifier{Secrets: []string{"secret-token"}}
	f.Fuzz(func(t *testing.T, tok string) {
		_, err := v.Verify(http.Header{mifiel.TokenHeader: {tok}}, body)
		if err == nil && tok != "secret-token" {
			t.Fatalf("token %q verified", tok)
		}
	})
}

func FuzzParseCallback(f *testing.F) {
	f.Add([]byte(`{"id":"d1","signed_by_all":true,"status":[1,"signed"],"signatures":[{"email":"a@b","signed":true}],"already_signed":["a@b",{"name":"x"}]}`), "application/json")
	f.Add([]byte(`id=d1&signed_by_all=true`), "application/x-www-form-urlencoded")
	f.Add([]byte(`{"id":null,"status":null}`), "")
	f.Fuzz(func(t *testing.T, b []byte, ct string) {
		ev, err := mifiel.ParseCallback(b, ct)
		if err == nil && (ev.DocumentID == "" || ev.ID == "") {
			t.Fatal("event without ids")
		}
	})
}
