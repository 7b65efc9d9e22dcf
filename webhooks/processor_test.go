package webhooks_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/webhooks"
)

// clock is a settable test clock.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock    { c := &clock{}; c.ns.Store(t.UnixNano()); return c }
func (c *clock) Now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Add(d time.Duration) { c.ns.Add(int64(d)) }

// recorder is an Observer that counts.
type recorder struct {
	mu                              sync.Mutex
	processed, retried, dead, accep int
}

func (r *recorder) Accepted(string)                      { r.mu.Lock(); r.accep++; r.mu.Unlock() }
func (r *recorder) Duplicate(string)                     {}
func (r *recorder) Refused(string, error)                {}
func (r *recorder) Processed(string, int, time.Duration) { r.mu.Lock(); r.processed++; r.mu.Unlock() }
func (r *recorder) Retried(string, int, error)           { r.mu.Lock(); r.retried++; r.mu.Unlock() }
func (r *recorder) Dead(string, int, error)              { r.mu.Lock(); r.dead++; r.mu.Unlock() }
func (r *recorder) counts() (int, int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.processed, r.retried, r.dead
}

func insertN(t *testing.T, s webhooks.Store, provider string, n int, at time.Time) []int64 {
	t.Helper()
	ds := make([]webhooks.Delivery, n)
	for i := range ds {
		ds[i] = webhooks.Delivery{Provider: provider, EventID: "e" + strconv.Itoa(i), ReceivedAt: at,
			Body: []byte(`{"n":` + strconv.Itoa(i) + `}`)}
	}
	res, err := s.Insert(t.Context(), ds)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, n)
	for i, r := range res {
		ids[i] = r.ID
	}
	return ids
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func stateOf(t *testing.T, s webhooks.Store, id int64) webhooks.Delivery {
	t.Helper()
	d, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// run starts p and returns a stop function that cancels and waits for Run.
func run(t *testing.T, p *webhooks.Processor) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func TestProcessorProcessesEachOnce(t *testing.T) {
	t.Parallel()
	store := newSQLite(t)
	ids := insertN(t, store, "gnv", 50, testNow)
	insertN(t, store, "other", 3, testNow) // no handler here: never claimed
	var mu sync.Mutex
	calls := map[string]int{}
	obs := &recorder{}
	p, err := webhooks.NewProcessor(webhooks.ProcessorConfig{
		Store:   store,
		Workers: 3,
		Handlers: map[string]webhooks.HandlerFunc{"gnv": func(ctx context.Context, d webhooks.Delivery) error {
			if string(d.Body) != fmt.Sprintf(`{"n":%s}`, d.EventID[1:]) {
				return webhooks.Permanent(fmt.Errorf("body %q", d.Body))
			}
			mu.Lock()
			calls[d.EventID]++
			mu.Unlock()
			return nil
		}},
		Observer:     obs,
		PollInterval: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	run(t, p)
	waitFor(t, "all processed", func() bool { n, _, _ := obs.counts(); return n == 50 })
	for _, id := range ids {
		if d := stateOf(t, store, id); d.State != webhooks.StateDone || d.Attempts != 1 {
			t.Errorf("delivery %d: state %s attempts %d", id, d.State, d.Attempts)
		}
	}
	for id, n := range calls {
		if n != 1 {
			t.Errorf("%s processed %d times", id, n)
		}
	}
	other, _ := store.List(t.Context(), webhooks.ListOptions{Provider: "other"})
	for _, d := range other {
		if d.State != webhooks.StatePending {
			t.Errorf("delivery of a provider without handler is %s", d.State)
		}
	}
}

func TestProcessorRetriesThenDeadLettersThenReplays(t *testing.T) {
	t.Parallel()
	store := newSQLite(t)
	id := insertN(t, store, "conekta", 1, testNow)[0]
	var fail atomic.Bool
	fail.Store(true)
	var attempts atomic.Int32
	obs := &recorder{}
	p, err := webhooks.NewProcessor(webhooks.ProcessorConfig{
		Store: store,
		Handlers: map[string]webhooks.HandlerFunc{"conekta": func(ctx context.Context, d webhooks.Delivery) error {
			attempts.Add(1)
			if fail.Load() {
				return fmt.Errorf("odoo unavailable (attempt %d)", d.Attempts)
			}
			return nil
		}},
		MaxAttempts:  3,
		MinBackoff:   time.Millisecond,
		MaxBackoff:   4 * time.Millisecond,
		PollInterval: 2 * time.Millisecond,
		Observer:     obs,
		Rand:         rand.NewPCG(1, 2),
	})
	if err != nil {
		t.Fatal(err)
	}
	run(t, p)
	waitFor(t, "dead letter", func() bool { return stateOf(t, store, id).State == webhooks.StateDead })
	d := stateOf(t, store, id)
	if d.Attempts != 3 || d.LastError != "odoo unavailable (attempt 3)" || attempts.Load() != 3 {
		t.Errorf("dead delivery: attempts %d (handler saw %d), last error %q", d.Attempts, attempts.Load(), d.LastError)
	}
	if _, retried, dead := obs.counts(); retried != 2 || dead != 1 {
		t.Errorf("observer: retried %d dead %d, want 2 and 1", retried, dead)
	}
	if err := p.Replay(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	fail.Store(false)
	waitFor(t, "replayed delivery done", func() bool { return stateOf(t, store, id).State == webhooks.StateDone })
	if d := stateOf(t, store, id); d.Attempts != 1 {
		t.Errorf("after replay: attempts %d, want 1", d.Attempts)
	}
	if err := p.Replay(t.Context(), id); !errors.Is(err, webhooks.ErrNotDead) {
		t.Errorf("Replay(done) = %v, want ErrNotDead", err)
	}
}

func TestProcessorPermanentAndPanic(t *testing.T) {
	t.Parallel()
	store := newSQLite(t)
	ids := insertN(t, store, "metamap", 2, testNow)
	var panicked atomic.Bool
	p, err := webhooks.NewProcessor(webhooks.ProcessorConfig{
		Store: store,
		Handlers: map[string]webhooks.HandlerFunc{"metamap": func(ctx context.Context, d webhooks.Delivery) error {
			if d.EventID == "e0" {
				return webhooks.Permanent(errors.New("unknown verification"))
			}
			if !panicked.Swap(true) {
				panic("nil map")
			}
			return nil
		}},
		MinBackoff:   time.Millisecond,
		PollInterval: 2 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	run(t, p)
	waitFor(t, "permanent failure dead", func() bool { return stateOf(t, store, ids[0]).State == webhooks.StateDead })
	if d := stateOf(t, store, ids[0]); d.Attempts != 1 || d.LastError != "permanent: unknown verification" {
		t.Errorf("permanent: attempts %d, last error %q", d.Attempts, d.LastError)
	}
	waitFor(t, "panicking delivery retried", func() bool { return stateOf(t, store, ids[1]).State == webhooks.StateDone })
	if d := stateOf(t, store, ids[1]); d.Attempts != 2 || d.LastError == "" {
		t.Errorf("after a panic: attempts %d, last error %q", d.Attempts, d.LastError)
	}
}

func TestProcessorBackoffAndLeaseUseTheClock(t *testing.T) {
	t.Parallel()
	store := newSQLite(t)
	clk := newClock(testNow)
	ids := insertN(t, store, "gnv", 2, testNow)
	// e1 was claimed by a process that died: it is held until its lease ends.
	held, err := store.Claim(t.Context(), webhooks.ClaimRequest{LeaseToken: "dead-process", Now: testNow,
		Lease: time.Minute, Limit: 1, Providers: []string{"gnv"}})
	if err != nil || len(held) != 1 || held[0].ID != ids[0] {
		t.Fatalf("setup claim: %v %v", held, err)
	}
	var calls sync.Map
	p, err := webhooks.NewProcessor(webhooks.ProcessorConfig{
		Store: store,
		Handlers: map[string]webhooks.HandlerFunc{"gnv": func(ctx context.Context, d webhooks.Delivery) error {
			n, _ := calls.LoadOrStore(d.EventID, new(atomic.Int32))
			if n.(*atomic.Int32).Add(1) == 1 && d.EventID == "e1" {
				return errors.New("first attempt fails")
			}
			return nil
		}},
		Lease:        time.Minute,
		MinBackoff:   10 * time.Second,
		MaxBackoff:   time.Minute,
		PollInterval: 2 * time.Millisecond,
		Now:          clk.Now,
		Rand:         rand.NewPCG(7, 7),
	})
	if err != nil {
		t.Fatal(err)
	}
	run(t, p)
	waitFor(t, "first failure recorded", func() bool { return stateOf(t, store, ids[1]).LastError != "" })
	d := stateOf(t, store, ids[1])
	if d.State != webhooks.StatePending || d.DueAt.Before(testNow.Add(5*time.Second)) || d.DueAt.After(testNow.Add(10*time.Second)) {
		t.Fatalf("after a failure: state %s due %v, want pending due in [5s, 10s]", d.State, d.DueAt.Sub(testNow))
	}
	time.Sleep(50 * time.Millisecond) // many polls: the clock has not moved
	if d := stateOf(t, store, ids[1]); d.State != webhooks.StatePending || d.Attempts != 1 {
		t.Fatalf("retried before the backoff elapsed: %+v", d)
	}
	if d := stateOf(t, store, ids[0]); d.State != webhooks.StateProcessing || d.LeaseToken != "dead-process" {
		t.Fatalf("took a delivery under a live lease: %+v", d)
	}
	clk.Add(11 * time.Second)
	p.Wake()
	waitFor(t, "retry done", func() bool { return stateOf(t, store, ids[1]).State == webhooks.StateDone })
	if d := stateOf(t, store, ids[0]); d.State != webhooks.StateProcessing {
		t.Fatalf("lease not yet expired, but delivery is %s", d.State)
	}
	clk.Add(time.Minute)
	p.Wake()
	waitFor(t, "expired claim reprocessed", func() bool { return stateOf(t, store, ids[0]).State == webhooks.StateDone })
	if d := stateOf(t, store, ids[0]); d.Attempts != 2 {
		t.Errorf("reclaimed delivery attempts %d, want 2", d.Attempts)
	}
}

func TestProcessorShutdownFinishesInFlight(t *testing.T) {
	t.Parallel()
	store := newSQLite(t)
	ids := insertN(t, store, "gnv", 1, testNow)
	started, release := make(chan struct{}), make(chan struct{})
	var ctxErr atomic.Value
	p, err := webhooks.NewProcessor(webhooks.ProcessorConfig{
		Store: store,
		Handlers: map[string]webhooks.HandlerFunc{"gnv": func(ctx context.Context, d webhooks.Delivery) error {
			close(started)
			<-release
			ctxErr.Store(fmt.Sprint(ctx.Err()))
			return nil
		}},
		PollInterval: 2 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	<-started
	cancel()
	select {
	case <-done:
		t.Fatal("Run returned while a delivery was in flight")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if d := stateOf(t, store, ids[0]); d.State != webhooks.StateDone {
		t.Errorf("in-flight delivery is %s after shutdown", d.State)
	}
	if got := ctxErr.Load(); got != "<nil>" {
		t.Errorf("handler context ended at shutdown: %v", got)
	}
}

func TestProcessorTxHandlerAppliesOnce(t *testing.T) {
	t.Parallel()
	store := newSQLite(t)
	if _, err := store.DB().ExecContext(t.Context(),
		`CREATE TABLE applied (provider TEXT NOT NULL, event_id TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	ids := insertN(t, store, "conekta", 20, testNow)
	var calls atomic.Int32
	p, err := webhooks.NewProcessor(webhooks.ProcessorConfig{
		Store: store,
		TxHandlers: map[string]webhooks.TxHandlerFunc{"conekta": func(ctx context.Context, tx *sql.Tx, d webhooks.Delivery) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO applied VALUES (?, ?)`, d.Provider, d.EventID); err != nil {
				return err
			}
			if calls.Add(1)%3 == 0 {
				return errors.New("fails after its write: the write must roll back")
			}
			return nil
		}},
		MinBackoff:   time.Millisecond,
		PollInterval: 2 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	run(t, p)
	waitFor(t, "all done", func() bool {
		for _, id := range ids {
			if stateOf(t, store, id).State != webhooks.StateDone {
				return false
			}
		}
		return true
	})
	var rows, distinct int
	if err := store.DB().QueryRowContext(t.Context(),
		`SELECT COUNT(*), COUNT(DISTINCT event_id) FROM applied`).Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != 20 || distinct != 20 || calls.Load() <= 20 {
		t.Errorf("applied %d rows (%d distinct) in %d calls; want 20 applied once each after some failures", rows, distinct, calls.Load())
	}
}

func TestNewProcessorValidates(t *testing.T) {
	t.Parallel()
	h := func(context.Context, webhooks.Delivery) error { return nil }
	tx := func(context.Context, *sql.Tx, webhooks.Delivery) error { return nil }
	store := newSQLite(t)
	tests := []struct {
		name string
		cfg  webhooks.ProcessorConfig
	}{
		{"no store", webhooks.ProcessorConfig{Handlers: map[string]webhooks.HandlerFunc{"a": h}}},
		{"no handlers", webhooks.ProcessorConfig{Store: store}},
		{"both maps", webhooks.ProcessorConfig{Store: store, Handlers: map[string]webhooks.HandlerFunc{"a": h},
			TxHandlers: map[string]webhooks.TxHandlerFunc{"a": tx}}},
		{"tx without TxStore", webhooks.ProcessorConfig{Store: struct{ webhooks.Store }{store},
			TxHandlers: map[string]webhooks.TxHandlerFunc{"a": tx}}},
		{"negative workers", webhooks.ProcessorConfig{Store: store, Workers: -1, Handlers: map[string]webhooks.HandlerFunc{"a": h}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := webhooks.NewProcessor(tt.cfg); err == nil {
				t.Error("NewProcessor succeeded")
			}
		})
	}
}

func TestProcessorShutdownLeavesNoClaims(t *testing.T) {
	t.Parallel()
	store := newSQLite(t)
	insertN(t, store, "gnv", 200, testNow)
	var processed atomic.Int32
	p, err := webhooks.NewProcessor(webhooks.ProcessorConfig{
		Store:   store,
		Workers: 3,
		Handlers: map[string]webhooks.HandlerFunc{"gnv": func(ctx context.Context, d webhooks.Delivery) error {
			processed.Add(1)
			time.Sleep(2 * time.Millisecond)
			return nil
		}},
		PollInterval: 2 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	waitFor(t, "some processed", func() bool { return processed.Load() >= 10 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	counts, err := store.Counts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var doneN int64
	for _, c := range counts {
		switch c.State {
		case webhooks.StateProcessing:
			t.Errorf("%d deliveries left claimed after Run returned", c.N)
		case webhooks.StateDone:
			doneN = c.N
		}
	}
	if doneN != int64(processed.Load()) || doneN == 200 {
		t.Errorf("%d done, %d processed: want every started delivery finished and the rest left pending", doneN, processed.Load())
	}
}
