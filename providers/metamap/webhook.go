package metamap

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"unicode"

	"github.com/cmu-mx/cmu/providers/internal/apiclient"
	"github.com/cmu-mx/cmu/webhooks"
)

// HeaderSignature carries the signature of a delivery.
const HeaderSignature = "x-signature"

// MinSecretLen is MetaMap's minimum webhook secret length.
const MinSecretLen = 16

// ErrInvalidSecret is wrapped when a webhook secret does not meet MetaMap's
// rules (≥ 16 characters with upper-case, lower-case and digits).
var ErrInvalidSecret = errors.New("metamap: invalid webhook secret")

// Secret is a flow's webhook secret. It prints and logs as "[REDACTED]".
type Secret string

// String hides the secret.
func (s Secret) String() string { return apiclient.RedactValue(string(s)).String() }

// GoString hides the secret from %#v.
func (s Secret) GoString() string { return s.String() }

// LogValue hides the secret from slog.
func (s Secret) LogValue() slog.Value { return apiclient.RedactValue(string(s)) }

// Validate checks MetaMap's secret rules.
func (s Secret) Validate() error {
	var upper, lower, digit bool
	for _, r := range string(s) {
		upper = upper || unicode.IsUpper(r)
		lower = lower || unicode.IsLower(r)
		digit = digit || unicode.IsDigit(r)
	}
	if len(s) < MinSecretLen || !upper || !lower || !digit {
		return fmt.Errorf("%w: need at least %d characters with upper-case, lower-case and digits", ErrInvalidSecret, MinSecretLen)
	}
	return nil
}

// Sign returns the x-signature value for body: lowercase hex HMAC-SHA256.
func Sign(secret Secret, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifierConfig configures a Verifier.
type VerifierConfig struct {
	// Secrets accepted: one per flow, or old and new while rotating. At least one.
	Secrets []Secret
}

// Verifier checks MetaMap deliveries. It satisfies webhooks.Verifier.
type Verifier struct {
	secrets []Secret
}

var _ webhooks.Verifier = (*Verifier)(nil)

// NewVerifier validates cfg and returns a Verifier.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	if len(cfg.Secrets) == 0 {
		return nil, fmt.Errorf("%w: no secret configured", ErrInvalidSecret)
	}
	for _, s := range cfg.Secrets {
		if err := s.Validate(); err != nil {
			return nil, err
		}
	}
	return &Verifier{secrets: cfg.Secrets}, nil
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// VerifySignature checks x-signature against body. Errors wrap
// webhooks.ErrNotSigned, webhooks.ErrInvalidHeader (not 64 lowercase hex
// digits) or webhooks.ErrNoValidSignature.
func (v *Verifier) VerifySignature(h http.Header, body []byte) error {
	sig := strings.TrimSpace(h.Get(HeaderSignature))
	if sig == "" {
		return fmt.Errorf("metamap: %w", webhooks.ErrNotSigned)
	}
	if len(sig) != 2*sha256.Size || !isLowerHex(sig) {
		return fmt.Errorf("metamap: x-signature is not 64 lowercase hex digits: %w", webhooks.ErrInvalidHeader)
	}
	got, _ := hex.DecodeString(sig)
	for _, s := range v.secrets {
		m := hmac.New(sha256.New, []byte(s))
		m.Write(body)
		if hmac.Equal(got, m.Sum(nil)) {
			return nil
		}
	}
	return fmt.Errorf("metamap: %w", webhooks.ErrNoValidSignature)
}

// Verify checks a delivery and names it (see Event.ID). An authentic body that
// is not a MetaMap event returns an error wrapping ErrMalformedEvent.
func (v *Verifier) Verify(h http.Header, body []byte) (webhooks.Event, error) {
	ev, err := v.ConstructEvent(h, body)
	if err != nil {
		return webhooks.Event{}, err
	}
	return webhooks.Event{ID: ev.ID(), Type: ev.Name, OccurredAt: ev.Timestamp}, nil
}

// ConstructEvent verifies a delivery and decodes it.
func (v *Verifier) ConstructEvent(h http.Header, body []byte) (*Event, error) {
	if err := v.VerifySignature(h, body); err != nil {
		return nil, err
	}
	return ParseEvent(body)
}
