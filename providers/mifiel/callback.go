package mifiel

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cmu-mx/cmu/providers/internal/apiclient"
	"github.com/cmu-mx/cmu/webhooks"
)

// CallbackScheme selects how callbacks are authenticated (see the package doc).
type CallbackScheme string

// Callback schemes.
const (
	// SchemeToken: a secret token in the callback URL (real Mifiel).
	SchemeToken CallbackScheme = "token"
	// SchemeHMAC: an HMAC-SHA256 signature header over timestamp and body.
	SchemeHMAC CallbackScheme = "hmac"
)

// Callback headers and defaults.
const (
	// TokenHeader carries the URL token after TokenToHeader.
	TokenHeader = "X-Cmu-Callback-Token"
	// SignatureHeader carries "t=<unix>,v1=<hex>" in SchemeHMAC.
	SignatureHeader = "X-Cmu-Signature"
	// TokenParam is the callback URL's query parameter holding the token.
	TokenParam = "token"
	// DefaultTolerance is the accepted clock distance of a SchemeHMAC timestamp.
	DefaultTolerance = 5 * time.Minute
)

// Event types of CallbackEvent.Type.
const (
	EventSignedByAll = "document.signed_by_all"
	EventSignature   = "document.signature"
)

// CallbackVerifier checks Mifiel callbacks. The zero Scheme is SchemeToken.
// It satisfies webhooks.Verifier and is safe for concurrent use.
type CallbackVerifier struct {
	Scheme CallbackScheme
	// Secrets are the accepted tokens (SchemeToken) or HMAC keys
	// (SchemeHMAC); several allow rotation. Never logged.
	Secrets []string
	// Tolerance for SchemeHMAC timestamps; 0 means DefaultTolerance.
	Tolerance time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

var _ webhooks.Verifier = (*CallbackVerifier)(nil)

// LogValue implements slog.LogValuer: secrets are redacted.
func (v *CallbackVerifier) LogValue() slog.Value {
	return slog.GroupValue(slog.String("scheme", string(v.Scheme)), slog.Int("secrets", len(v.Secrets)))
}

// CallbackEvent is a parsed callback.
type CallbackEvent struct {
	// ID deduplicates deliveries: "<document id>:signed_by_all" or
	// "<document id>:signatures:<n>".
	ID string
	// Type is EventSignedByAll or EventSignature.
	Type       string
	DocumentID string
	ExternalID string
	// SignedByAll moves the lead to "Promesa Firmada" (after Client.Confirm
	// under SchemeToken).
	SignedByAll bool
	SignedCount int
	// OccurredAt is signed_at when it parses as RFC 3339, else zero.
	OccurredAt time.Time
	// Document is the payload as decoded; fields absent from a form-encoded
	// callback are zero.
	Document *Document
}

// Verify authenticates the delivery and names it for the intake.
func (v *CallbackVerifier) Verify(h http.Header, body []byte) (webhooks.Event, error) {
	ev, err := v.Parse(h, body)
	if err != nil {
		return webhooks.Event{}, err
	}
	return webhooks.Event{ID: ev.ID, Type: ev.Type, OccurredAt: ev.OccurredAt}, nil
}

// Parse authenticates the delivery and decodes it.
func (v *CallbackVerifier) Parse(h http.Header, body []byte) (*CallbackEvent, error) {
	if len(v.Secrets) == 0 {
		return nil, errors.New("mifiel: callback verifier has no secret configured")
	}
	switch v.Scheme {
	case "", SchemeToken:
		if err := v.checkToken(h); err != nil {
			return nil, err
		}
	case SchemeHMAC:
		if err := v.checkHMAC(h, body); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("mifiel: unknown callback scheme %q", v.Scheme)
	}
	return ParseCallback(body, h.Get("Content-Type"))
}

func (v *CallbackVerifier) checkToken(h http.Header) error {
	got := h.Get(TokenHeader)
	if got == "" {
		return fmt.Errorf("mifiel: callback: %w", webhooks.ErrNotSigned)
	}
	gh := sha256.Sum256([]byte(got))
	for _, s := range v.Secrets {
		if s == "" {
			continue
		}
		sh := sha256.Sum256([]byte(s))
		if hmac.Equal(gh[:], sh[:]) {
			return nil
		}
	}
	return fmt.Errorf("mifiel: callback: %w", webhooks.ErrNoValidSignature)
}

func (v *CallbackVerifier) checkHMAC(h http.Header, body []byte) error {
	header := h.Get(SignatureHeader)
	if header == "" {
		return fmt.Errorf("mifiel: callback: %w", webhooks.ErrNotSigned)
	}
	var ts int64 = -1
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil || n < 0 {
				return fmt.Errorf("mifiel: callback: %w: bad timestamp", webhooks.ErrInvalidHeader)
			}
			ts = n
		case "v1":
			if b, err := hex.DecodeString(val); err == nil && len(b) == sha256.Size {
				sigs = append(sigs, b)
			}
		}
	}
	if ts < 0 {
		return fmt.Errorf("mifiel: callback: %w: no timestamp", webhooks.ErrInvalidHeader)
	}
	if len(sigs) == 0 {
		return fmt.Errorf("mifiel: callback: %w: no v1 signature", webhooks.ErrInvalidHeader)
	}
	ok := false
	for _, s := range v.Secrets {
		if s == "" {
			continue
		}
		want := computeSignature(body, s, ts)
		for _, sig := range sigs {
			if hmac.Equal(sig, want) {
				ok = true
			}
		}
	}
	if !ok {
		return fmt.Errorf("mifiel: callback: %w", webhooks.ErrNoValidSignature)
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	tol := v.Tolerance
	if tol <= 0 {
		tol = DefaultTolerance
	}
	d := now().Sub(time.Unix(ts, 0))
	switch {
	case d > tol:
		return fmt.Errorf("mifiel: callback: %w", webhooks.ErrTooOld)
	case d < -tol:
		return fmt.Errorf("mifiel: callback: %w", webhooks.ErrTooNew)
	}
	return nil
}

func computeSignature(body []byte, secret string, ts int64) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// SignCallback returns the SignatureHeader value for body signed with secret at
// time t (SchemeHMAC), for tests and for a relay.
func SignCallback(body []byte, secret string, t time.Time) string {
	ts := t.Unix()
	return "t=" + strconv.FormatInt(ts, 10) + ",v1=" + hex.EncodeToString(computeSignature(body, secret, ts))
}

// CallbackURL adds the secret token to a callback base URL (SchemeToken).
func CallbackURL(base, token string) (string, error) {
	u, ok := apiclient.ParseHTTPURL(base)
	if !ok {
		return "", fmt.Errorf("mifiel: invalid callback base URL %q", apiclient.SanitizeURL(base))
	}
	if token == "" {
		return "", errors.New("mifiel: empty callback token")
	}
	q := u.Query()
	q.Set(TokenParam, token)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// TokenToHeader moves the callback URL's token into TokenHeader (dropping any
// TokenHeader the client sent, and the token from the URL so it is not
// logged), then calls next. Mount it in front of the intake handler for
// SchemeToken.
func TokenToHeader(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.Header.Del(TokenHeader)
		q := r2.URL.Query()
		if tok := q.Get(TokenParam); tok != "" {
			r2.Header.Set(TokenHeader, tok)
			q.Del(TokenParam)
			r2.URL.RawQuery = q.Encode()
			r2.RequestURI = r2.URL.RequestURI()
		}
		next.ServeHTTP(w, r2)
	})
}

// ParseCallback decodes a callback body: the document object as JSON, or
// form-encoded fields (id or document[id], external_id, signed_by_all, signed).
func ParseCallback(body []byte, contentType string) (*CallbackEvent, error) {
	var doc Document
	mt, _, _ := mime.ParseMediaType(contentType)
	trimmed := bytes.TrimSpace(body)
	switch {
	case mt == "application/x-www-form-urlencoded" || (mt != "application/json" && len(trimmed) > 0 && trimmed[0] != '{'):
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("mifiel: callback: decode form: %w", err)
		}
		get := func(k string) string {
			if v := vals.Get(k); v != "" {
				return v
			}
			return vals.Get("document[" + k + "]")
		}
		doc = Document{ID: get("id"), ExternalID: get("external_id"), SignedAt: get("signed_at")}
		for k, dst := range map[string]*bool{"signed_by_all": &doc.SignedByAll, "signed": &doc.Signed} {
			if s := get(k); s != "" {
				b, err := strconv.ParseBool(s)
				if err != nil {
					return nil, fmt.Errorf("mifiel: callback: %s=%q: %w", k, s, err)
				}
				*dst = b
			}
		}
	default:
		if err := json.Unmarshal(body, &doc); err != nil {
			return nil, fmt.Errorf("mifiel: callback: decode document: %w", err)
		}
	}
	if doc.ID == "" {
		return nil, errors.New("mifiel: callback: document id missing")
	}
	return eventFromDocument(&doc), nil
}

func eventFromDocument(doc *Document) *CallbackEvent {
	ev := &CallbackEvent{DocumentID: doc.ID, ExternalID: doc.ExternalID, SignedByAll: doc.SignedByAll, SignedCount: doc.SignedCount(), Document: doc}
	if t, err := time.Parse(time.RFC3339, doc.SignedAt); err == nil {
		ev.OccurredAt = t
	}
	if ev.SignedByAll {
		ev.Type = EventSignedByAll
		ev.ID = doc.ID + ":signed_by_all"
	} else {
		ev.Type = EventSignature
		ev.ID = doc.ID + ":signatures:" + strconv.Itoa(ev.SignedCount)
	}
	return ev
}
