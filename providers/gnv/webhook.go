package gnv

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cmu-mx/cmu/providers/internal/apiclient"
	"github.com/cmu-mx/cmu/webhooks"
)

// Standard Webhooks header names.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// DefaultTolerance is how far webhook-timestamp may be from now, in either
// direction, before a delivery is refused (the reference libraries' 5 minutes).
const DefaultTolerance = 5 * time.Minute

// SecretPrefix starts a Standard Webhooks symmetric secret.
const SecretPrefix = "whsec_"

// MinSecretBytes is the shortest decoded secret accepted (the specification
// asks for 24 to 64 random bytes).
const MinSecretBytes = 24

// ErrInvalidSecret is wrapped when a webhook secret is not "whsec_" followed by
// standard base64 of at least MinSecretBytes bytes.
var ErrInvalidSecret = errors.New("gnv: invalid webhook secret")

// Secret is a Standard Webhooks signing secret ("whsec_<base64>"). It prints and
// logs as "[REDACTED]".
type Secret string

// String hides the secret.
func (s Secret) String() string { return apiclient.RedactValue(string(s)).String() }

// GoString hides the secret from %#v.
func (s Secret) GoString() string { return s.String() }

// LogValue hides the secret from slog.
func (s Secret) LogValue() slog.Value { return apiclient.RedactValue(string(s)) }

// Key returns the HMAC key: the base64-decoded bytes after the "whsec_" prefix
// (a secret given without the prefix is decoded as is, like the reference
// libraries do).
func (s Secret) Key() ([]byte, error) {
	b64 := strings.TrimPrefix(string(s), SecretPrefix)
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64", ErrInvalidSecret)
	}
	if len(key) < MinSecretBytes {
		return nil, fmt.Errorf("%w: %d bytes, want at least %d", ErrInvalidSecret, len(key), MinSecretBytes)
	}
	return key, nil
}

// Sign returns the Standard Webhooks v1 signature ("v1,<base64>") of body for
// the given message id and timestamp: base64(HMAC-SHA256(key, id.timestamp.body)).
func Sign(secret Secret, msgID string, timestamp time.Time, body []byte) (string, error) {
	key, err := secret.Key()
	if err != nil {
		return "", err
	}
	if msgID == "" || strings.Contains(msgID, ".") {
		return "", fmt.Errorf("gnv: message id %q must be non-empty and contain no '.'", msgID)
	}
	return "v1," + base64.StdEncoding.EncodeToString(mac(key, msgID, strconv.FormatInt(timestamp.Unix(), 10), body)), nil
}

// SignHeaders returns the three headers of a signed delivery of body.
func SignHeaders(secret Secret, msgID string, timestamp time.Time, body []byte) (http.Header, error) {
	sig, err := Sign(secret, msgID, timestamp, body)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set(HeaderID, msgID)
	h.Set(HeaderTimestamp, strconv.FormatInt(timestamp.Unix(), 10))
	h.Set(HeaderSignature, sig)
	return h, nil
}

func mac(key []byte, id, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// VerifierConfig configures a Verifier.
type VerifierConfig struct {
	// Secrets are the accepted signing secrets; during a rotation list the new
	// and the old one. At least one is required.
	Secrets []Secret
	// Tolerance is the allowed distance between webhook-timestamp and now
	// (default DefaultTolerance).
	Tolerance time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Verifier checks consumption deliveries. It satisfies webhooks.Verifier.
type Verifier struct {
	keys      [][]byte
	tolerance time.Duration
	now       func() time.Time
}

var _ webhooks.Verifier = (*Verifier)(nil)

// NewVerifier validates cfg and returns a Verifier.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	if len(cfg.Secrets) == 0 {
		return nil, fmt.Errorf("%w: no secret configured", ErrInvalidSecret)
	}
	v := &Verifier{tolerance: cfg.Tolerance, now: cfg.Now}
	for _, s := range cfg.Secrets {
		k, err := s.Key()
		if err != nil {
			return nil, err
		}
		v.keys = append(v.keys, k)
	}
	if v.tolerance <= 0 {
		v.tolerance = DefaultTolerance
	}
	if v.now == nil {
		v.now = time.Now
	}
	return v, nil
}

// VerifySignature checks the Standard Webhooks headers of a delivery against
// body without decoding it. The error wraps webhooks.ErrNotSigned (no signature
// header), webhooks.ErrInvalidHeader (missing or malformed id or timestamp, no
// parseable signature), webhooks.ErrNoValidSignature, webhooks.ErrTooOld or
// webhooks.ErrTooNew. The signature is checked before the timestamp, so the
// timestamp errors are only reported for authentic deliveries.
func (v *Verifier) VerifySignature(h http.Header, body []byte) error {
	sigs := h.Get(HeaderSignature)
	if sigs == "" {
		return fmt.Errorf("gnv: %w", webhooks.ErrNotSigned)
	}
	id, tsText := h.Get(HeaderID), h.Get(HeaderTimestamp)
	if id == "" || strings.Contains(id, ".") || len(id) > 256 {
		return fmt.Errorf("gnv: %s: %w", HeaderID, webhooks.ErrInvalidHeader)
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil || ts < 0 || tsText[0] == '+' {
		return fmt.Errorf("gnv: %s: %w", HeaderTimestamp, webhooks.ErrInvalidHeader)
	}
	// One MAC per configured secret, computed once: the number of signatures
	// in the header (sender-controlled) does not multiply the hashing work.
	want := make([][]byte, len(v.keys))
	for i, key := range v.keys {
		want[i] = mac(key, id, tsText, body)
	}
	parsed := 0
	ok := false
	for _, part := range strings.Fields(sigs) {
		version, b64, found := strings.Cut(part, ",")
		if !found || version != "v1" {
			continue // other schemes (v1a) and unknown versions are skipped
		}
		got, err := base64.StdEncoding.Strict().DecodeString(b64)
		if err != nil {
			continue
		}
		parsed++
		for _, w := range want {
			if hmac.Equal(got, w) {
				ok = true
			}
		}
	}
	if !ok {
		if parsed == 0 {
			return fmt.Errorf("gnv: %s has no v1 signature: %w", HeaderSignature, webhooks.ErrInvalidHeader)
		}
		return fmt.Errorf("gnv: %w", webhooks.ErrNoValidSignature)
	}
	at := time.Unix(ts, 0)
	now := v.now()
	switch {
	case now.Sub(at) > v.tolerance:
		return fmt.Errorf("gnv: signed at %s: %w", at.UTC().Format(time.RFC3339), webhooks.ErrTooOld)
	case at.Sub(now) > v.tolerance:
		return fmt.Errorf("gnv: signed at %s: %w", at.UTC().Format(time.RFC3339), webhooks.ErrTooNew)
	}
	return nil
}

// Verify checks a delivery and names it for the inbox: ID is webhook-id, Type
// the batch type and OccurredAt the consumption day (UTC midnight of "date").
// It accepts exactly the bodies ParseBatch accepts but decodes only the
// envelope, as the intake calls it on every delivery: invalid records do not
// refuse the delivery, ParseBatch reports them later in Batch.Rejected. An
// authentic body that is not a consumption batch is an error wrapping
// ErrMalformedBatch.
func (v *Verifier) Verify(h http.Header, body []byte) (webhooks.Event, error) {
	if err := v.VerifySignature(h, body); err != nil {
		return webhooks.Event{}, err
	}
	head, err := decodeHead(body)
	if err != nil {
		return webhooks.Event{}, err
	}
	day, _ := time.Parse(time.DateOnly, head.Date)
	return webhooks.Event{ID: h.Get(HeaderID), Type: head.Type, OccurredAt: day}, nil
}

// ConstructBatch verifies a delivery and returns its decoded batch.
func (v *Verifier) ConstructBatch(h http.Header, body []byte) (*Batch, error) {
	if err := v.VerifySignature(h, body); err != nil {
		return nil, err
	}
	return ParseBatch(body)
}
