package gnv_test

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/providers/gnv"
	"github.com/cmu-mx/cmu/webhooks"
)

// The Standard Webhooks specification's published test vector
// (standard-webhooks/standard-webhooks libraries/*/ tests; FACTS.md §7).
const (
	specSecret    gnv.Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID                   = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp            = 1614265330
	specBody                 = `{"test": 2432232314}`
	specSignature            = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignSpecVector(t *testing.T) {
	t.Parallel()
	got, err := gnv.Sign(specSecret, specID, time.Unix(specTimestamp, 0), []byte(specBody))
	if err != nil {
		t.Fatal(err)
	}
	if got != specSignature {
		t.Errorf("Sign = %q, want the spec's %q", got, specSignature)
	}
	// Without the whsec_ prefix the key is the same.
	got2, err := gnv.Sign(specSecret[len(gnv.SecretPrefix):], specID, time.Unix(specTimestamp, 0), []byte(specBody))
	if err != nil || got2 != specSignature {
		t.Errorf("Sign without prefix = %q, %v", got2, err)
	}
}

func specVerifier(t testing.TB, now time.Time, secrets ...gnv.Secret) *gnv.Verifier {
	t.Helper()
	if len(secrets) == 0 {
		secrets = []gnv.Secret{specSecret}
	}
	v, err := gnv.NewVerifier(gnv.VerifierConfig{Secrets: secrets, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func specHeader() http.Header {
	h := http.Header{}
	h.Set(gnv.HeaderID, specID)
	h.Set(gnv.HeaderTimestamp, strconv.Itoa(specTimestamp))
	h.Set(gnv.HeaderSignature, specSignature)
	return h
}

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	const otherSecret gnv.Secret = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	signedAt := time.Unix(specTimestamp, 0)
	tests := []struct {
		name    string
		edit    func(h http.Header)
		body    string
		now     time.Time
		secrets []gnv.Secret
		want    error
	}{
		{name: "valid", now: signedAt},
		{name: "valid 4m59s later", now: signedAt.Add(299 * time.Second)},
		{name: "valid with rotation list", edit: func(h http.Header) {
			h.Set(gnv.HeaderSignature, "v1,Zm9vYmFyYmF6 v1a,abc "+specSignature)
		}, now: signedAt},
		{name: "old secret still listed", now: signedAt, secrets: []gnv.Secret{otherSecret, specSecret}},
		{name: "missing signature", edit: func(h http.Header) { h.Del(gnv.HeaderSignature) }, now: signedAt, want: webhooks.ErrNotSigned},
		{name: "missing id", edit: func(h http.Header) { h.Del(gnv.HeaderID) }, now: signedAt, want: webhooks.ErrInvalidHeader},
		{name: "id with dot", edit: func(h http.Header) { h.Set(gnv.HeaderID, "msg.1") }, now: signedAt, want: webhooks.ErrInvalidHeader},
		{name: "missing timestamp", edit: func(h http.Header) { h.Del(gnv.HeaderTimestamp) }, now: signedAt, want: webhooks.ErrInvalidHeader},
		{name: "timestamp not integer", edit: func(h http.Header) { h.Set(gnv.HeaderTimestamp, "1614265330.0") }, now: signedAt, want: webhooks.ErrInvalidHeader},
		{name: "timestamp with plus", edit: func(h http.Header) { h.Set(gnv.HeaderTimestamp, "+1614265330") }, now: signedAt, want: webhooks.ErrInvalidHeader},
		{name: "no v1 entry", edit: func(h http.Header) { h.Set(gnv.HeaderSignature, "v2,abc") }, now: signedAt, want: webhooks.ErrInvalidHeader},
		{name: "bare base64 without version", edit: func(h http.Header) { h.Set(gnv.HeaderSignature, specSignature[3:]) }, now: signedAt, want: webhooks.ErrInvalidHeader},
		{name: "wrong secret", now: signedAt, secrets: []gnv.Secret{otherSecret}, want: webhooks.ErrNoValidSignature},
		{name: "body changed", body: `{"test": 2432232315}`, now: signedAt, want: webhooks.ErrNoValidSignature},
		{name: "body with trailing newline", body: specBody + "\n", now: signedAt, want: webhooks.ErrNoValidSignature},
		{name: "id changed", edit: func(h http.Header) { h.Set(gnv.HeaderID, specID+"x") }, now: signedAt, want: webhooks.ErrNoValidSignature},
		{name: "timestamp changed", edit: func(h http.Header) { h.Set(gnv.HeaderTimestamp, strconv.Itoa(specTimestamp+1)) }, now: signedAt, want: webhooks.ErrNoValidSignature},
		{name: "signature truncated", edit: func(h http.Header) { h.Set(gnv.HeaderSignature, specSignature[:23]) }, now: signedAt, want: webhooks.ErrNoValidSignature},
		{name: "too old", now: signedAt.Add(301 * time.Second), want: webhooks.ErrTooOld},
		{name: "too new", now: signedAt.Add(-301 * time.Second), want: webhooks.ErrTooNew},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := specHeader()
			if tt.edit != nil {
				tt.edit(h)
			}
			body := specBody
			if tt.body != "" {
				body = tt.body
			}
			err := specVerifier(t, tt.now, tt.secrets...).VerifySignature(h, []byte(body))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("VerifySignature: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestNewVerifierRejectsBadSecrets(t *testing.T) {
	t.Parallel()
	for _, s := range []gnv.Secret{"", "whsec_not base64!", "whsec_c2hvcnQ="} {
		_, err := gnv.NewVerifier(gnv.VerifierConfig{Secrets: []gnv.Secret{s}})
		if !errors.Is(err, gnv.ErrInvalidSecret) {
			t.Errorf("secret %q: err = %v, want ErrInvalidSecret", string(s), err)
		}
	}
	if _, err := gnv.NewVerifier(gnv.VerifierConfig{}); !errors.Is(err, gnv.ErrInvalidSecret) {
		t.Errorf("no secret: err = %v", err)
	}
}

func TestVerifyNamesEvent(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC)
	body := `{"batch_id":"B-1","date":"2026-11-21","records":[` +
		`{"transaction_id":"T-1","plates":"abc-123-d","station_id":"EST042","litres":"38.500","surcharge_collected":"57.75","occurred_at":"2026-11-21T14:03:00Z"},` +
		`{"transaction_id":"T-2","plates":"XYZ 98 76","station_id":"EST042","litres":20,"surcharge_collected":30.00,"occurred_at":"2026-11-21T18:10:00-06:00"}]}`
	h, err := gnv.SignHeaders(specSecret, "msg_B-1", now, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	v := specVerifier(t, now)
	ev, err := v.Verify(h, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := webhooks.Event{ID: "msg_B-1", Type: gnv.EventConsumptionBatch, OccurredAt: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)}
	if ev.ID != want.ID || ev.Type != want.Type || !ev.OccurredAt.Equal(want.OccurredAt) {
		t.Errorf("Verify = %+v, want %+v", ev, want)
	}
	// Authentic but not a batch: an error that is not a refusal sentinel.
	junk := []byte(`{"hello":"world"}`)
	h2, _ := gnv.SignHeaders(specSecret, "msg_junk", now, junk)
	_, err = v.Verify(h2, junk)
	if !errors.Is(err, gnv.ErrMalformedBatch) || errors.Is(err, webhooks.ErrNoValidSignature) {
		t.Errorf("junk body: err = %v, want ErrMalformedBatch", err)
	}
	// A bad record does not refuse the delivery (ParseBatch keeps it in Rejected);
	// a bad envelope does.
	oneBad := []byte(`{"batch_id":"B-2","date":"2026-11-21","records":["oops",{"transaction_id":"T"}]}`)
	h3, _ := gnv.SignHeaders(specSecret, "msg_B-2", now, oneBad)
	if _, err := v.Verify(h3, oneBad); err != nil {
		t.Errorf("batch with bad records refused: %v", err)
	}
	noDate := []byte(`{"batch_id":"B-3","records":[]}`)
	h4, _ := gnv.SignHeaders(specSecret, "msg_B-3", now, noDate)
	if _, err := v.Verify(h4, noDate); !errors.Is(err, gnv.ErrMalformedBatch) {
		t.Errorf("batch without date: err = %v", err)
	}
	// Forged: valid shape, wrong signature.
	h.Set(gnv.HeaderSignature, "v1,"+strings.Repeat("A", 43)+"=")
	if _, err := v.Verify(h, []byte(body)); !errors.Is(err, webhooks.ErrNoValidSignature) {
		t.Errorf("forged: err = %v", err)
	}
}

func TestSecretRedacted(t *testing.T) {
	t.Parallel()
	for _, s := range []string{specSecret.String(), specSecret.GoString(), specSecret.LogValue().String()} {
		if strings.Contains(s, "MfKQ") {
			t.Errorf("secret leaked: %q", s)
		}
	}
}

// FuzzVerify: any change to the body, id, timestamp or signature of a signed
// delivery must fail verification, and no input may panic.
func FuzzVerify(f *testing.F) {
	f.Add([]byte(specBody), specID, strconv.Itoa(specTimestamp), specSignature)
	f.Add([]byte(specBody+" "), specID, strconv.Itoa(specTimestamp), specSignature)
	f.Add([]byte(specBody), specID, strconv.Itoa(specTimestamp), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF=")
	f.Add([]byte(specBody), specID, strconv.Itoa(specTimestamp), specSignature+" "+specSignature)
	f.Add([]byte{}, "", "", "")
	f.Add([]byte(`{"batch_id":"B","date":"2026-01-01","records":[]}`), "msg_1", "1614265330", "v1,,,, v1a,")
	v := specVerifier(f, time.Unix(specTimestamp, 0))
	f.Fuzz(func(t *testing.T, body []byte, id, ts, sig string) {
		h := http.Header{}
		h.Set(gnv.HeaderID, id)
		h.Set(gnv.HeaderTimestamp, ts)
		h.Set(gnv.HeaderSignature, sig)
		err := v.VerifySignature(h, body)
		_, _ = v.Verify(h, body)
		original := string(body) == specBody && id == specID && ts == strconv.Itoa(specTimestamp)
		containsValid := false
		for _, p := range strings.Fields(sig) {
			if p == specSignature {
				containsValid = true
			}
		}
		if err == nil && !(original && containsValid) {
			t.Fatalf("mutated delivery verified: body=%q id=%q ts=%q sig=%q", body, id, ts, sig)
		}
	})
}
