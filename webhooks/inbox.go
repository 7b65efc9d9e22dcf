package webhooks

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// State is where a delivery is in its life in the inbox.
type State string

// The states of a delivery. Pending deliveries wait for their due time, processing
// ones are claimed by a worker until their lease expires, done ones were
// processed, and dead ones exhausted their attempts (or failed permanently) and
// wait for a manual replay.
const (
	StatePending    State = "pending"
	StateProcessing State = "processing"
	StateDone       State = "done"
	StateDead       State = "dead"
)

// Delivery is one webhook delivery as the inbox keeps it.
type Delivery struct {
	// ID is the inbox's own id, used for replay and listing. It is 0 for a
	// duplicate delivery that was not stored.
	ID int64
	// Provider names the provider whose handler received the delivery ("gnv",
	// "conekta", …). Together with EventID it is the idempotency key.
	Provider string
	// EventID is the provider's id of the event, as the Verifier reported it.
	EventID string
	// Type is the provider's event type, possibly empty.
	Type string
	// OccurredAt is when the provider says the event happened; zero when unknown.
	OccurredAt time.Time
	// ReceivedAt is when the intake received the delivery (UTC, microseconds).
	ReceivedAt time.Time
	// Header holds the request headers kept with the delivery (credentials such
	// as Authorization and Cookie are never kept).
	Header http.Header
	// Body is the raw request body, byte for byte.
	Body []byte
	// State is the delivery's state.
	State State
	// Attempts counts the claims of the delivery by a worker, including the
	// current one.
	Attempts int
	// DueAt is when a pending delivery may next be claimed, or when the lease of
	// a processing delivery expires.
	DueAt time.Time
	// LeaseToken identifies the current claim of a processing delivery. Complete
	// and Fail succeed only with the token of the claim still holding the lease.
	LeaseToken string
	// LastError is the error of the last failed attempt, empty when none failed.
	LastError string
	// UpdatedAt is when the delivery's row last changed.
	UpdatedAt time.Time
}

// InsertResult is the outcome of inserting one delivery.
type InsertResult struct {
	// ID is the inbox id of the new delivery; 0 when it was a duplicate.
	ID int64
	// Duplicate reports that a delivery with the same provider and event id was
	// already in the inbox (or earlier in the same batch); nothing was stored.
	Duplicate bool
}

// Inserter writes new deliveries to the inbox. Both [Store] implementations and
// [Batcher] satisfy it; the [Handler] needs only this.
type Inserter interface {
	// Insert stores the deliveries in one transaction and returns one result per
	// delivery, in order. When it returns a nil error every delivery is durably
	// stored (or was a duplicate of one that is); otherwise none is.
	Insert(ctx context.Context, ds []Delivery) ([]InsertResult, error)
}

// ClaimRequest asks the store for deliveries to process.
type ClaimRequest struct {
	// LeaseToken is stored on each claimed delivery; Complete and Fail must
	// present it. It must be unique per claim across all processes.
	LeaseToken string
	// Now is the current time: pending deliveries due at or before it, and
	// processing deliveries whose lease expired before it, are eligible.
	Now time.Time
	// Lease is how long the claim holds the deliveries.
	Lease time.Duration
	// Limit is the largest number of deliveries to claim (at least 1).
	Limit int
	// Providers restricts the claim to these providers; empty means all.
	Providers []string
}

// Failure describes a failed processing attempt.
type Failure struct {
	// Now is the time of the failure.
	Now time.Time
	// Err is the error text kept as the delivery's LastError.
	Err string
	// RetryAt is when the delivery becomes due again; ignored when Dead.
	RetryAt time.Time
	// Dead moves the delivery to StateDead instead of back to pending.
	Dead bool
}

// ListOptions filters [Store.List]. The zero value lists the first 100
// deliveries of every state and provider, by id.
type ListOptions struct {
	// State keeps only deliveries in this state when not empty.
	State State
	// Provider keeps only this provider's deliveries when not empty.
	Provider string
	// AfterID lists deliveries whose id is greater (for paging).
	AfterID int64
	// Limit caps the result; 0 means 100.
	Limit int
}

// Count is the number of deliveries of one provider in one state.
type Count struct {
	// Provider names the provider.
	Provider string
	// State is the deliveries' state.
	State State
	// N is the number of deliveries.
	N int64
}

// Store is the durable inbox. Implementations must be safe for concurrent use.
type Store interface {
	Inserter
	// Claim moves up to req.Limit eligible deliveries to StateProcessing under
	// req.LeaseToken until req.Now+req.Lease, counts an attempt on each, and
	// returns them with their bodies. Deliveries claimed by one call are never
	// returned by a concurrent call (in any process) while the lease holds.
	Claim(ctx context.Context, req ClaimRequest) ([]Delivery, error)
	// Complete marks a claimed delivery done. It returns ErrLeaseLost when the
	// delivery is no longer processing under leaseToken.
	Complete(ctx context.Context, id int64, leaseToken string, now time.Time) error
	// Fail records a failed attempt of a claimed delivery: back to pending due at
	// f.RetryAt, or dead. It returns ErrLeaseLost like Complete.
	Fail(ctx context.Context, id int64, leaseToken string, f Failure) error
	// Replay moves a dead delivery back to pending, due now, with its attempts
	// reset to zero. It returns ErrNotFound for an unknown id and ErrNotDead when
	// the delivery is not dead.
	Replay(ctx context.Context, id int64, now time.Time) error
	// Get returns one delivery or ErrNotFound.
	Get(ctx context.Context, id int64) (Delivery, error)
	// List returns deliveries matching opts, by ascending id.
	List(ctx context.Context, opts ListOptions) ([]Delivery, error)
	// Counts returns the number of deliveries per provider and state.
	Counts(ctx context.Context) ([]Count, error)
}

// TxStore is a Store whose done mark can share a transaction with the
// processing function's own writes. [SQLStore] implements it.
type TxStore interface {
	Store
	// CompleteTx marks a claimed delivery done and runs fn in the same
	// transaction; both commit or neither does. It returns ErrLeaseLost (and
	// runs nothing) when the claim lost its lease, and fn's error, unchanged
	// in its chain, when fn fails.
	CompleteTx(ctx context.Context, id int64, leaseToken string, now time.Time, fn func(tx *sql.Tx) error) error
}

// Errors returned by stores.
var (
	// ErrNotFound means no delivery has the given id.
	ErrNotFound = errors.New("webhooks: delivery not found")
	// ErrNotDead means a replay was asked for a delivery that is not dead.
	ErrNotDead = errors.New("webhooks: delivery is not dead-lettered")
	// ErrLeaseLost means a claim expired and the delivery was claimed again (or
	// finished) by someone else; the caller's result must be dropped.
	ErrLeaseLost = errors.New("webhooks: lease lost")
)

// InsertOne stores one delivery through ins and returns its inbox id, or an
// error wrapping ErrDuplicate when the (provider, event id) key is already in
// the inbox — for a provider endpoint that writes to the inbox itself instead
// of using [Handler]. As with the Handler, acknowledge the provider only after
// it returned nil or ErrDuplicate.
func InsertOne(ctx context.Context, ins Inserter, d Delivery) (int64, error) {
	res, err := ins.Insert(ctx, []Delivery{d})
	if err != nil {
		return 0, err
	}
	if len(res) != 1 {
		return 0, fmt.Errorf("webhooks: inbox returned %d results for 1 delivery", len(res))
	}
	if res[0].Duplicate {
		return 0, fmt.Errorf("webhooks: %s/%s: %w", d.Provider, d.EventID, ErrDuplicate)
	}
	return res[0].ID, nil
}
