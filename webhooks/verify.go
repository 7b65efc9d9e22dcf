package webhooks

import (
	"errors"
	"net/http"
	"time"
)

// Event is what a verifier learns about a delivery before it is stored: enough to
// deduplicate it and to route it to a processor. The full payload stays in the raw
// body, which the inbox keeps byte for byte.
type Event struct {
	// ID identifies the delivery at the provider (for example the Standard Webhooks
	// webhook-id header or Conekta's event id). The inbox key is (provider, ID).
	ID string
	// Type is the provider's event type, such as "order.paid" or
	// "gnv.consumption.batch". It may be empty when the provider has no types.
	Type string
	// OccurredAt is when the provider says the event happened; zero when unknown.
	OccurredAt time.Time
}

// Verifier checks that a webhook delivery is authentic and names it. Each provider
// package supplies one; the intake never imports provider packages.
//
// Verify receives the request headers and the raw body exactly as received. It
// returns an error wrapping one of ErrNotSigned, ErrInvalidHeader,
// ErrNoValidSignature, ErrTooOld or ErrTooNew when the delivery must be refused,
// and any other error when the body cannot be understood.
type Verifier interface {
	Verify(h http.Header, body []byte) (Event, error)
}

// VerifierFunc adapts a function to the Verifier interface.
type VerifierFunc func(h http.Header, body []byte) (Event, error)

// Verify calls f(h, body).
func (f VerifierFunc) Verify(h http.Header, body []byte) (Event, error) { return f(h, body) }

// Sentinel errors a Verifier wraps so that callers can tell why a delivery was
// refused. All of them mean "answer 401 and store nothing".
var (
	// ErrNotSigned means the signature header is missing.
	ErrNotSigned = errors.New("webhooks: delivery is not signed")
	// ErrInvalidHeader means a signature, id or timestamp header is malformed.
	ErrInvalidHeader = errors.New("webhooks: invalid signature header")
	// ErrNoValidSignature means no signature in the header matches the body.
	ErrNoValidSignature = errors.New("webhooks: no valid signature")
	// ErrTooOld means the signed timestamp is older than the allowed tolerance.
	ErrTooOld = errors.New("webhooks: timestamp too old")
	// ErrTooNew means the signed timestamp is further in the future than the tolerance.
	ErrTooNew = errors.New("webhooks: timestamp too new")
)

// ErrDuplicate reports that a delivery with the same provider and event id was
// already accepted; the intake answers it with 200 and does not process it again.
var ErrDuplicate = errors.New("webhooks: duplicate delivery")
