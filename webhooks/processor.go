package webhooks

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// HandlerFunc processes one delivery of a provider. It is called at least once
// per accepted delivery — again after a failure, and again when a process died
// before the done mark committed — so it must be idempotent, keyed by
// (d.Provider, d.EventID). d.Body is the raw body exactly as received.
//
// Returning nil marks the delivery done; an error schedules a retry with
// backoff, or dead-letters it when attempts are exhausted or the error is
// wrapped with [Permanent]. ctx ends when the claim's lease expires.
type HandlerFunc func(ctx context.Context, d Delivery) error

// TxHandlerFunc processes one delivery inside the transaction that marks it
// done, for side effects kept in the inbox's own database: both commit or
// neither does, so the effect is applied exactly once. It must use only tx (on
// SQLite the store has a single connection) and should be short, since it holds
// the database's write lock on SQLite. Errors behave as for [HandlerFunc].
type TxHandlerFunc func(ctx context.Context, tx *sql.Tx, d Delivery) error

// Defaults of [ProcessorConfig].
const (
	// DefaultWorkers is the number of deliveries processed at once.
	DefaultWorkers = 4
	// DefaultLease is how long a claim holds a delivery.
	DefaultLease = 5 * time.Minute
	// DefaultMaxAttempts is the number of attempts before the dead letter.
	DefaultMaxAttempts = 10
	// DefaultMinBackoff is the wait before the first retry (before jitter).
	DefaultMinBackoff = 2 * time.Second
	// DefaultMaxBackoff caps the wait between retries.
	DefaultMaxBackoff = time.Hour
	// DefaultPollInterval is how often an idle processor looks for work.
	DefaultPollInterval = time.Second
)

// ProcessorConfig configures a [Processor]. Zero fields mean the documented
// defaults.
type ProcessorConfig struct {
	// Store is the inbox. Required.
	Store Store
	// Handlers maps a provider name to its processing function.
	Handlers map[string]HandlerFunc
	// TxHandlers maps a provider name to a transactional processing function;
	// Store must then implement [TxStore]. A provider is in Handlers or
	// TxHandlers, not both, and at least one provider is required. The
	// processor claims only deliveries of these providers, so instances with
	// different handler sets can share one inbox.
	TxHandlers map[string]TxHandlerFunc
	// Workers is the number of deliveries processed at once (DefaultWorkers).
	Workers int
	// Lease is how long a claim holds a delivery (DefaultLease). A processing
	// function's ctx ends when the lease ends; a claim whose process died is
	// taken again after it.
	Lease time.Duration
	// MaxAttempts is the number of attempts before a delivery is dead-lettered
	// (DefaultMaxAttempts).
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the wait before a retry: attempt n waits
	// a random duration in [d/2, d] with d = min(MaxBackoff, MinBackoff·2^(n-1))
	// (DefaultMinBackoff, DefaultMaxBackoff).
	MinBackoff, MaxBackoff time.Duration
	// PollInterval is how often an idle processor looks for due deliveries
	// (DefaultPollInterval); Wake makes it look at once.
	PollInterval time.Duration
	// Now is the clock for due times and leases; nil means time.Now.
	Now func() time.Time
	// Rand is the jitter source; nil means a PCG seeded from crypto/rand.
	Rand rand.Source
	// Logger receives retries, dead letters and store errors; nil discards.
	Logger *slog.Logger
	// Observer receives processing metrics; nil means none.
	Observer Observer
}

// Processor claims deliveries from the inbox and processes them with a bounded
// pool of workers. It is safe for concurrent use; Run it once.
type Processor struct {
	cfg       ProcessorConfig
	store     Store
	txStore   TxStore
	providers []string
	owner     string
	seq       atomic.Uint64
	wake      chan struct{}
	mu        sync.Mutex // guards rng
	rng       *rand.Rand
}

// NewProcessor validates cfg and returns a processor; call Run to start it.
func NewProcessor(cfg ProcessorConfig) (*Processor, error) {
	if cfg.Store == nil {
		return nil, errors.New("webhooks: processor needs a Store")
	}
	if len(cfg.Handlers)+len(cfg.TxHandlers) == 0 {
		return nil, errors.New("webhooks: processor needs at least one handler")
	}
	p := &Processor{store: cfg.Store, wake: make(chan struct{}, 1)}
	for name, h := range cfg.Handlers {
		if name == "" || h == nil {
			return nil, errors.New("webhooks: processor: empty provider name or nil handler")
		}
		p.providers = append(p.providers, name)
	}
	if len(cfg.TxHandlers) > 0 {
		ts, ok := cfg.Store.(TxStore)
		if !ok {
			return nil, fmt.Errorf("webhooks: processor: TxHandlers need a TxStore, %T is not one", cfg.Store)
		}
		p.txStore = ts
	}
	for name, h := range cfg.TxHandlers {
		if name == "" || h == nil {
			return nil, errors.New("webhooks: processor: empty provider name or nil handler")
		}
		if _, dup := cfg.Handlers[name]; dup {
			return nil, fmt.Errorf("webhooks: processor: provider %q in both Handlers and TxHandlers", name)
		}
		p.providers = append(p.providers, name)
	}
	slices.Sort(p.providers)
	if cfg.Workers < 0 || cfg.Lease < 0 || cfg.MaxAttempts < 0 || cfg.MinBackoff < 0 ||
		cfg.MaxBackoff < 0 || cfg.PollInterval < 0 {
		return nil, errors.New("webhooks: processor: negative setting")
	}
	if cfg.Workers == 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.Lease == 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff = DefaultMinBackoff
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = cfg.MinBackoff
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	var seed [16]byte
	crand.Read(seed[:])
	if cfg.Rand == nil {
		cfg.Rand = rand.NewPCG(binary.LittleEndian.Uint64(seed[:8]), binary.LittleEndian.Uint64(seed[8:]))
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	p.cfg = cfg
	p.rng = rand.New(cfg.Rand)
	p.owner = hex.EncodeToString(seed[:6])
	return p, nil
}

// Wake makes an idle processor look for due deliveries now. It never blocks;
// pass it as HandlerConfig.Notify.
func (p *Processor) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Replay moves a dead delivery back to pending with its attempts reset, and
// wakes the processor. It returns ErrNotFound or ErrNotDead like [Store.Replay].
func (p *Processor) Replay(ctx context.Context, id int64) error {
	if err := p.store.Replay(ctx, id, p.cfg.Now()); err != nil {
		return err
	}
	p.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "webhook replayed", slog.Int64("id", id))
	p.Wake()
	return nil
}

// Run claims and processes deliveries until ctx ends, then stops claiming,
// waits for the deliveries in flight to finish (their processing functions keep
// running with a context that ends with their lease, not with ctx) and returns
// nil.
//
// Deliveries are claimed Workers at a time, when the previous batch has been
// handed to workers, so that a backlog costs one claim per Workers deliveries;
// claimed deliveries count as in flight and are processed even when ctx ends.
func (p *Processor) Run(ctx context.Context) error {
	sem := make(chan struct{}, p.cfg.Workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	poll := time.NewTimer(p.cfg.PollInterval)
	defer poll.Stop()
	var queue []Delivery
	for {
		if len(queue) == 0 {
			if ctx.Err() != nil {
				return nil
			}
			queue = p.claim(ctx)
			if len(queue) == 0 {
				if !poll.Stop() {
					select {
					case <-poll.C:
					default:
					}
				}
				poll.Reset(p.cfg.PollInterval)
				select {
				case <-p.wake:
				case <-poll.C:
				case <-ctx.Done():
					return nil
				}
				continue
			}
		}
		sem <- struct{}{} // a free worker; claimed deliveries start even after ctx ended
		d := queue[0]
		queue = queue[1:]
		wg.Go(func() {
			defer func() { <-sem }()
			p.process(ctx, d)
		})
	}
}

// claim takes up to Workers due deliveries. The claim is not cancelled by ctx:
// a claim committed but abandoned would hold its deliveries until the lease
// expires.
func (p *Processor) claim(ctx context.Context) []Delivery {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	ds, err := p.store.Claim(cctx, ClaimRequest{
		LeaseToken: p.owner + "." + strconv.FormatUint(p.seq.Add(1), 10),
		Now:        p.cfg.Now(),
		Lease:      p.cfg.Lease,
		Limit:      p.cfg.Workers,
		Providers:  p.providers,
	})
	if err != nil {
		p.cfg.Logger.LogAttrs(ctx, slog.LevelError, "webhook claim failed", slog.Any("err", err))
		return nil
	}
	return ds
}

// storeTimeout bounds the processor's own writes (done marks, failures).
const storeTimeout = 30 * time.Second

func (p *Processor) process(parent context.Context, d Delivery) {
	log := p.cfg.Logger.With(slog.String("provider", d.Provider), slog.String("event_id", d.EventID),
		slog.Int64("id", d.ID), slog.Int("attempt", d.Attempts))
	base := context.WithoutCancel(parent)
	// The processing function must finish while the claim holds: its context
	// ends when the lease recorded in the store does.
	left := d.DueAt.Sub(p.cfg.Now())
	if left <= 0 {
		log.LogAttrs(base, slog.LevelWarn, "webhook lease expired before processing started; left to the next claim")
		return
	}
	hctx, cancel := context.WithTimeout(base, left)
	defer cancel()
	start := time.Now()
	var err error
	if txh, ok := p.cfg.TxHandlers[d.Provider]; ok {
		err = p.txStore.CompleteTx(hctx, d.ID, d.LeaseToken, p.cfg.Now(), func(tx *sql.Tx) error {
			return call(func() error { return txh(hctx, tx, d) })
		})
		if errors.Is(err, ErrLeaseLost) {
			log.LogAttrs(base, slog.LevelWarn, "webhook lease lost before processing; left to the new claim")
			return
		}
	} else {
		err = call(func() error { return p.cfg.Handlers[d.Provider](hctx, d) })
		if err == nil {
			sctx, scancel := context.WithTimeout(base, storeTimeout)
			cerr := p.store.Complete(sctx, d.ID, d.LeaseToken, p.cfg.Now())
			scancel()
			if cerr != nil {
				// The delivery will be processed again by whoever holds it
				// next; the handler's idempotency makes that harmless.
				log.LogAttrs(base, slog.LevelWarn, "webhook done mark failed", slog.Any("err", cerr))
				return
			}
		}
	}
	took := time.Since(start)
	if err == nil {
		p.cfg.Observer.Processed(d.Provider, d.Attempts, took)
		log.LogAttrs(base, slog.LevelDebug, "webhook processed", slog.Duration("took", took))
		return
	}
	now := p.cfg.Now()
	dead := IsPermanent(err) || d.Attempts >= p.cfg.MaxAttempts
	f := Failure{Now: now, Err: truncate(err.Error(), 4000), Dead: dead}
	if !dead {
		f.RetryAt = now.Add(p.backoff(d.Attempts))
	}
	sctx, scancel := context.WithTimeout(base, storeTimeout)
	ferr := p.store.Fail(sctx, d.ID, d.LeaseToken, f)
	scancel()
	if ferr != nil {
		log.LogAttrs(base, slog.LevelError, "webhook failure not recorded; retried after the lease",
			slog.Any("err", err), slog.Any("store_err", ferr))
		return
	}
	if dead {
		p.cfg.Observer.Dead(d.Provider, d.Attempts, err)
		log.LogAttrs(base, slog.LevelError, "webhook dead-lettered", slog.Any("err", err))
		return
	}
	p.cfg.Observer.Retried(d.Provider, d.Attempts, err)
	log.LogAttrs(base, slog.LevelWarn, "webhook processing failed; will retry",
		slog.Any("err", err), slog.Time("retry_at", f.RetryAt))
}

// backoff returns the wait before the retry that follows attempt n (n ≥ 1).
func (p *Processor) backoff(n int) time.Duration {
	d := p.cfg.MinBackoff
	for i := 1; i < n && d < p.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, p.cfg.MaxBackoff)
	p.mu.Lock()
	f := p.rng.Float64()
	p.mu.Unlock()
	return d/2 + time.Duration(f*float64(d/2))
}

// call runs f, turning a panic into an error so that one bad delivery cannot
// stop the processor.
func call(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("webhooks: processing function panicked: %v", r)
		}
	}()
	return f()
}

// truncate shortens s to at most n bytes of valid UTF-8 without NUL bytes
// (PostgreSQL refuses anything else in a text column).
func truncate(s string, n int) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// Permanent wraps err so that the processor dead-letters the delivery at once
// instead of retrying it: for deliveries that can never succeed (a malformed
// payload, an unknown account). Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether err's chain holds an error wrapped by Permanent.
func IsPermanent(err error) bool {
	_, ok := errors.AsType[*permanentError](err)
	return ok
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return "permanent: " + e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }
