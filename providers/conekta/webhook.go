package conekta

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/webhooks"
)

// HeaderDigest carries the signature of a delivery (Conekta documents it as
// "DIGEST"; header names are case-insensitive).
const HeaderDigest = "Digest"

// MinKeyBits is the smallest RSA key accepted for webhook signatures.
const MinKeyBits = 2048

// ErrInvalidKey is wrapped when a PEM key cannot be used.
var ErrInvalidKey = errors.New("conekta: invalid webhook key")

// ParsePublicKey parses the webhook public key Conekta returns from
// POST /webhook_keys: PEM "PUBLIC KEY" (SPKI), or "RSA PUBLIC KEY" (PKCS#1).
func ParsePublicKey(pemBytes []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block", ErrInvalidKey)
	}
	var pub *rsa.PublicKey
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
		}
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("%w: %T is not RSA", ErrInvalidKey, k)
		}
		pub = rk
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
		}
		pub = k
	default:
		return nil, fmt.Errorf("%w: PEM type %q", ErrInvalidKey, block.Type)
	}
	if pub.N.BitLen() < MinKeyBits {
		return nil, fmt.Errorf("%w: %d-bit key, want at least %d", ErrInvalidKey, pub.N.BitLen(), MinKeyBits)
	}
	return pub, nil
}

// ParsePrivateKey parses an RSA private key in PEM ("PRIVATE KEY" PKCS#8 or
// "RSA PRIVATE KEY" PKCS#1), for SignDigest in tests and examples.
func ParsePrivateKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block", ErrInvalidKey)
	}
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%w: %T is not RSA", ErrInvalidKey, k)
		}
		return rk, nil
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
		}
		return k, nil
	}
	return nil, fmt.Errorf("%w: PEM type %q", ErrInvalidKey, block.Type)
}

// SignDigest returns the digest header value for body: base64 of the RSA
// PKCS#1 v1.5 signature of SHA-256(body) — the scheme described in the package
// doc. PKCS#1 v1.5 signing is deterministic.
func SignDigest(key *rsa.PrivateKey, body []byte) (string, error) {
	sum := sha256.Sum256(body)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("conekta: sign digest: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// VerifierConfig configures a Verifier.
type VerifierConfig struct {
	// PublicKeys accepted; list the new and the old key while rotating webhook
	// keys. At least one is required (see ParsePublicKey).
	PublicKeys []*rsa.PublicKey
}

// Verifier checks Conekta deliveries. It satisfies webhooks.Verifier.
type Verifier struct {
	keys []*rsa.PublicKey
}

var _ webhooks.Verifier = (*Verifier)(nil)

// NewVerifier validates cfg and returns a Verifier.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	if len(cfg.PublicKeys) == 0 {
		return nil, fmt.Errorf("%w: no public key configured", ErrInvalidKey)
	}
	for _, k := range cfg.PublicKeys {
		if k == nil || k.N == nil || k.N.BitLen() < MinKeyBits {
			return nil, fmt.Errorf("%w: missing or short public key", ErrInvalidKey)
		}
	}
	return &Verifier{keys: cfg.PublicKeys}, nil
}

// maxDigestLen bounds the header (a 8192-bit signature is 1368 base64 characters).
const maxDigestLen = 2048

// VerifySignature checks the digest header against body. Errors wrap
// webhooks.ErrNotSigned (no header), webhooks.ErrInvalidHeader (not base64) or
// webhooks.ErrNoValidSignature.
func (v *Verifier) VerifySignature(h http.Header, body []byte) error {
	d := strings.TrimSpace(h.Get(HeaderDigest))
	if d == "" {
		return fmt.Errorf("conekta: %w", webhooks.ErrNotSigned)
	}
	if len(d) > maxDigestLen {
		return fmt.Errorf("conekta: digest too long: %w", webhooks.ErrInvalidHeader)
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(d)
	if err != nil {
		return fmt.Errorf("conekta: digest is not base64: %w", webhooks.ErrInvalidHeader)
	}
	sum := sha256.Sum256(body)
	for _, k := range v.keys {
		if rsa.VerifyPKCS1v15(k, crypto.SHA256, sum[:], sig) == nil {
			return nil
		}
	}
	return fmt.Errorf("conekta: %w", webhooks.ErrNoValidSignature)
}

// Verify checks a delivery and names it: ID is the event id, Type the event
// type, OccurredAt its created_at. An authentic body that is not a Conekta
// event returns an error wrapping ErrMalformedEvent.
func (v *Verifier) Verify(h http.Header, body []byte) (webhooks.Event, error) {
	ev, err := v.ConstructEvent(h, body)
	if err != nil {
		return webhooks.Event{}, err
	}
	return webhooks.Event{ID: ev.ID, Type: ev.Type, OccurredAt: ev.CreatedAt}, nil
}

// ConstructEvent verifies a delivery and decodes its event.
func (v *Verifier) ConstructEvent(h http.Header, body []byte) (*Event, error) {
	if err := v.VerifySignature(h, body); err != nil {
		return nil, err
	}
	return ParseEvent(body)
}

// Event types CMu handles (the full list is in FACTS.md §1).
const (
	EventOrderPaid           = "order.paid"
	EventOrderPendingPayment = "order.pending_payment"
	EventOrderExpired        = "order.expired"
	EventOrderCanceled       = "order.canceled"
	EventOrderDeclined       = "order.declined"
	EventOrderRefunded       = "order.refunded"
	EventChargePaid          = "charge.paid"
	EventWebhookPing         = "webhook_ping"
)

// ErrMalformedEvent means an authentic body is not a Conekta event, or not the
// kind of event asked for.
var ErrMalformedEvent = errors.New("conekta: malformed event")

// Event is a Conekta webhook event.
type Event struct {
	ID        string
	Type      string
	Livemode  bool
	CreatedAt time.Time
	// Object is data.object, undecoded: an order for order.* events, a charge
	// for charge.* events.
	Object json.RawMessage
}

type wireEvent struct {
	ID        string `json:"id"`
	Object    string `json:"object"`
	Type      string `json:"type"`
	Livemode  bool   `json:"livemode"`
	CreatedAt int64  `json:"created_at"`
	Data      struct {
		Object json.RawMessage `json:"object"`
	} `json:"data"`
}

// ParseEvent decodes an event envelope; it does not check signatures.
func ParseEvent(body []byte) (*Event, error) {
	var w wireEvent
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedEvent, err)
	}
	if w.ID == "" || w.Type == "" {
		return nil, fmt.Errorf("%w: id and type are required", ErrMalformedEvent)
	}
	if w.Object != "" && w.Object != "event" {
		return nil, fmt.Errorf("%w: object %q is not an event", ErrMalformedEvent, w.Object)
	}
	return &Event{ID: w.ID, Type: w.Type, Livemode: w.Livemode, CreatedAt: unix(w.CreatedAt), Object: w.Data.Object}, nil
}

// Order decodes data.object as an order (order.* events).
func (e *Event) Order() (*Order, error) {
	if !strings.HasPrefix(e.Type, "order.") {
		return nil, fmt.Errorf("%w: %s does not carry an order", ErrMalformedEvent, e.Type)
	}
	var w wireOrder
	if err := json.Unmarshal(e.Object, &w); err != nil {
		return nil, fmt.Errorf("%w: order: %v", ErrMalformedEvent, err)
	}
	if w.ID == "" {
		return nil, fmt.Errorf("%w: order without id", ErrMalformedEvent)
	}
	return w.order(), nil
}

// Payment is what an order.paid event tells CMu: enough to register the
// payment in journal CNK and the contribution, once per OrderID.
type Payment struct {
	EventID string
	OrderID string
	// ChargeID of the paid charge ("" when the event lists no charge).
	ChargeID string
	// Amount paid in MXN (the order amount) and its cents.
	Amount      decimal.Decimal
	AmountCents int64
	Currency    string
	// ClientID and Reference are the metadata "clientId" and "reference" set by
	// CreatePaymentLink ("" when absent).
	ClientID  string
	Reference string
	Metadata  map[string]string
	// PaymentMethod is the paid charge's payment_method.type ("credit",
	// "debit", "oxxo", "spei", …).
	PaymentMethod string
	// PaidAt is the charge's paid_at, else the event's created_at.
	PaidAt   time.Time
	Livemode bool
}

// ErrNotPaid is wrapped by OrderPaid when the event is not order.paid or the
// order is not paid.
var ErrNotPaid = errors.New("conekta: event is not a paid order")

// OrderPaid extracts the payment of an order.paid event.
func (e *Event) OrderPaid() (*Payment, error) {
	if e.Type != EventOrderPaid {
		return nil, fmt.Errorf("%w: type %s", ErrNotPaid, e.Type)
	}
	o, err := e.Order()
	if err != nil {
		return nil, err
	}
	if o.PaymentStatus != "" && o.PaymentStatus != "paid" {
		return nil, fmt.Errorf("%w: payment_status %s", ErrNotPaid, o.PaymentStatus)
	}
	if o.AmountCents <= 0 {
		return nil, fmt.Errorf("%w: order %s has amount %d", ErrMalformedEvent, o.ID, o.AmountCents)
	}
	p := &Payment{EventID: e.ID, OrderID: o.ID, Amount: o.Amount, AmountCents: o.AmountCents, Currency: o.Currency,
		ClientID: o.Metadata["clientId"], Reference: o.Metadata["reference"], Metadata: o.Metadata, PaidAt: e.CreatedAt, Livemode: e.Livemode}
	if c, ok := o.PaidCharge(); ok {
		p.ChargeID, p.PaymentMethod = c.ID, c.PaymentMethod
		if !c.PaidAt.IsZero() {
			p.PaidAt = c.PaidAt
		}
	}
	return p, nil
}
