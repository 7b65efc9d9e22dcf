package webhooks

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// DefaultMaxBatch is the largest number of deliveries a [Batcher] commits in one
// transaction when BatcherConfig.MaxBatch is 0.
const DefaultMaxBatch = 256

// BatcherConfig configures a [Batcher]. Zero fields mean the documented defaults.
type BatcherConfig struct {
	// MaxBatch caps the deliveries per transaction; 0 means DefaultMaxBatch.
	MaxBatch int
	// Writers is the number of transactions in flight at once; 0 means 1, the
	// right value for SQLite (one writer). PostgreSQL benefits from a few.
	Writers int
	// Timeout bounds one transaction; 0 means 30 s.
	Timeout time.Duration
}

// Batcher is an [Inserter] that commits concurrent inserts together (group
// commit): while one transaction commits, new deliveries queue, and the next
// transaction takes all of them, up to MaxBatch. No delivery waits for a timer —
// a lone delivery is committed at once — and each Insert returns only after the
// transaction holding its deliveries committed, so acknowledging after Insert
// stays correct. When a transaction of several requests fails, each request is
// retried in its own transaction, so that one bad delivery fails only its own
// request.
//
// A Batcher is safe for concurrent use. Close it after the HTTP server stopped.
type Batcher struct {
	store    Inserter
	maxBatch int
	timeout  time.Duration
	reqs     chan *batchReq
	quit     chan struct{}
	wg       sync.WaitGroup
	once     sync.Once
}

type batchReq struct {
	ctx  context.Context
	ds   []Delivery
	res  []InsertResult
	err  error
	done chan struct{}
}

// ErrClosed is returned by a closed Batcher.
var ErrClosed = errors.New("webhooks: batcher closed")

// NewBatcher starts a Batcher writing to store.
func NewBatcher(store Inserter, cfg BatcherConfig) *Batcher {
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = DefaultMaxBatch
	}
	if cfg.Writers <= 0 {
		cfg.Writers = 1
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	b := &Batcher{
		store:    store,
		timeout:  cfg.Timeout,
		maxBatch: cfg.MaxBatch,
		reqs:     make(chan *batchReq, cfg.MaxBatch*cfg.Writers),
		quit:     make(chan struct{}),
	}
	b.wg.Add(cfg.Writers)
	for range cfg.Writers {
		go b.write()
	}
	return b
}

// Insert implements [Inserter]. It queues ds for the next transaction and waits
// for its commit. When ctx ends first it returns ctx.Err(); the deliveries may
// still be committed later, which a provider's retry then sees as a duplicate.
func (b *Batcher) Insert(ctx context.Context, ds []Delivery) ([]InsertResult, error) {
	if len(ds) == 0 {
		return nil, nil
	}
	r := &batchReq{ctx: ctx, ds: ds, done: make(chan struct{})}
	select {
	case <-b.quit:
		return nil, ErrClosed
	default:
	}
	select {
	case b.reqs <- r:
	case <-b.quit:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case <-r.done:
		return r.res, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close stops the Batcher after committing what is queued. Inserts after Close
// return ErrClosed.
func (b *Batcher) Close() error {
	b.once.Do(func() { close(b.quit) })
	b.wg.Wait()
	return nil
}

func (b *Batcher) write() {
	defer b.wg.Done()
	var batch []*batchReq
	var all []Delivery
	for {
		var first *batchReq
		select {
		case first = <-b.reqs:
		case <-b.quit:
			// Commit whatever is still queued, then stop.
			select {
			case first = <-b.reqs:
			default:
				return
			}
		}
		batch = append(batch[:0], first)
		n := len(first.ds)
	collect:
		for n < b.maxBatch {
			select {
			case r := <-b.reqs:
				batch = append(batch, r)
				n += len(r.ds)
			default:
				break collect
			}
		}
		all = all[:0]
		live := batch[:0]
		for _, r := range batch {
			if err := r.ctx.Err(); err != nil {
				// Its caller already gave up with ctx.Err(); skip the write.
				r.err = err
				close(r.done)
				continue
			}
			live = append(live, r)
			all = append(all, r.ds...)
		}
		if len(live) == 0 {
			continue
		}
		// The transaction is not tied to any one request: a caller that
		// stops waiting must not abort the others' commit.
		ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
		res, err := b.store.Insert(ctx, all)
		cancel()
		if err == nil && len(res) != len(all) {
			err = fmt.Errorf("webhooks: batch insert returned %d results for %d deliveries", len(res), len(all))
		}
		if err != nil && len(live) > 1 {
			// One bad delivery must not fail its neighbours: retry each
			// request in its own transaction.
			for _, r := range live {
				ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
				r.res, r.err = b.store.Insert(ctx, r.ds)
				cancel()
				if r.err == nil && len(r.res) != len(r.ds) {
					r.err = fmt.Errorf("webhooks: insert returned %d results for %d deliveries", len(r.res), len(r.ds))
				}
				close(r.done)
			}
			continue
		}
		i := 0
		for _, r := range live {
			if err != nil {
				r.err = err
			} else {
				r.res = res[i : i+len(r.ds) : i+len(r.ds)]
			}
			i += len(r.ds)
			close(r.done)
		}
	}
}
