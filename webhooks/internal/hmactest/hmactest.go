// Package hmactest is a minimal HMAC-SHA256 webhook scheme for the intake's own
// tests, crash test and benchmark (the intake never imports provider packages).
//
// Headers: X-Test-Id (event id), X-Test-Timestamp (unix seconds) and
// X-Test-Signature: hex(HMAC-SHA256(secret, id + "." + timestamp + "." + body)).
package hmactest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/cmu-mx/cmu/webhooks"
)

// Tolerance is the accepted clock skew of the timestamp.
const Tolerance = 5 * time.Minute

// Sign sets the three headers on h for body.
func Sign(h http.Header, secret []byte, id string, ts time.Time, body []byte) {
	t := strconv.FormatInt(ts.Unix(), 10)
	h.Set("X-Test-Id", id)
	h.Set("X-Test-Timestamp", t)
	h.Set("X-Test-Signature", hex.EncodeToString(mac(secret, id, t, body)))
	h.Set("Content-Type", "application/json")
}

func mac(secret []byte, id, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verifier returns the scheme's verifier; now is its clock (nil: time.Now).
// Every event has type "test.event" and occurred at its signed timestamp.
func Verifier(secret []byte, now func() time.Time) webhooks.VerifierFunc {
	if now == nil {
		now = time.Now
	}
	return func(h http.Header, body []byte) (webhooks.Event, error) {
		sig := h.Get("X-Test-Signature")
		if sig == "" {
			return webhooks.Event{}, webhooks.ErrNotSigned
		}
		id, ts := h.Get("X-Test-Id"), h.Get("X-Test-Timestamp")
		sec, err := strconv.ParseInt(ts, 10, 64)
		if id == "" || err != nil {
			return webhooks.Event{}, fmt.Errorf("hmactest: id %q, timestamp %q: %w", id, ts, webhooks.ErrInvalidHeader)
		}
		got, err := hex.DecodeString(sig)
		if err != nil {
			return webhooks.Event{}, fmt.Errorf("hmactest: signature: %w", webhooks.ErrInvalidHeader)
		}
		if !hmac.Equal(got, mac(secret, id, ts, body)) {
			return webhooks.Event{}, webhooks.ErrNoValidSignature
		}
		at := time.Unix(sec, 0)
		switch n := now(); {
		case at.Before(n.Add(-Tolerance)):
			return webhooks.Event{}, webhooks.ErrTooOld
		case at.After(n.Add(Tolerance)):
			return webhooks.Event{}, webhooks.ErrTooNew
		}
		return webhooks.Event{ID: id, Type: "test.event", OccurredAt: at.UTC()}, nil
	}
}
