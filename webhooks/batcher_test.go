package webhooks_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/webhooks"
)

// countingInbox wraps a store, counting transactions and failing those that
// hold a delivery with event id "poison".
type countingInbox struct {
	store     webhooks.Inserter
	txs, rows atomic.Int64
	maxRows   atomic.Int64
	gate      chan struct{} // when set, each Insert waits for a token
}

func (c *countingInbox) Insert(ctx context.Context, ds []webhooks.Delivery) ([]webhooks.InsertResult, error) {
	if c.gate != nil {
		<-c.gate
	}
	c.txs.Add(1)
	c.rows.Add(int64(len(ds)))
	for {
		m := c.maxRows.Load()
		if int64(len(ds)) <= m || c.maxRows.CompareAndSwap(m, int64(len(ds))) {
			break
		}
	}
	for _, d := range ds {
		if d.EventID == "poison" {
			return nil, errors.New("poison delivery")
		}
	}
	return c.store.Insert(ctx, ds)
}

func TestBatcherGroupsConcurrentInserts(t *testing.T) {
	t.Parallel()
	store := newSQLite(t)
	inbox := &countingInbox{store: store, gate: make(chan struct{})}
	b := webhooks.NewBatcher(inbox, webhooks.BatcherConfig{MaxBatch: 64})
	defer b.Close()

	const n = 40
	var wg sync.WaitGroup
	results := make([]webhooks.InsertResult, n)
	errs := make([]error, n)
	var started atomic.Int32
	for i := range n {
		wg.Go(func() {
			started.Add(1)
			id := "e" + strconv.Itoa(i%30) // 10 duplicates
			res, err := b.Insert(context.Background(), []webhooks.Delivery{{Provider: "p", EventID: id, ReceivedAt: testNow, Body: []byte("x")}})
			errs[i] = err
			if err == nil {
				results[i] = res[0]
			}
		})
	}
	// Let the first transaction through only once everyone is (very likely)
	// queued behind it.
	waitFor(t, "senders started", func() bool { return started.Load() == n })
	time.Sleep(100 * time.Millisecond)
	close(inbox.gate)
	wg.Wait()
	dups := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Insert %d: %v", i, errs[i])
		}
		if results[i].Duplicate {
			dups++
		}
	}
	if dups != 10 {
		t.Errorf("%d duplicates, want 10", dups)
	}
	// 40 one-delivery requests: a handful of transactions, not 40.
	if inbox.txs.Load() > 5 || inbox.maxRows.Load() < n/2 {
		t.Errorf("%d transactions, largest %d rows: inserts were not grouped", inbox.txs.Load(), inbox.maxRows.Load())
	}
	all, _ := store.List(t.Context(), webhooks.ListOptions{Limit: 100})
	if len(all) != 30 {
		t.Errorf("stored %d deliveries, want 30", len(all))
	}
}

func TestBatcherIsolatesAFailingDelivery(t *testing.T) {
	t.Parallel()
	store := newSQLite(t)
	inbox := &countingInbox{store: store, gate: make(chan struct{})}
	b := webhooks.NewBatcher(inbox, webhooks.BatcherConfig{})
	defer b.Close()
	ids := []string{"a", "poison", "b", "c"}
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			_, errs[i] = b.Insert(context.Background(), []webhooks.Delivery{{Provider: "p", EventID: id, ReceivedAt: testNow, Body: []byte("x")}})
		})
	}
	time.Sleep(50 * time.Millisecond)
	close(inbox.gate)
	wg.Wait()
	for i, id := range ids {
		if (id == "poison") != (errs[i] != nil) {
			t.Errorf("Insert(%s) error = %v", id, errs[i])
		}
	}
	all, _ := store.List(t.Context(), webhooks.ListOptions{})
	if len(all) != 3 {
		t.Errorf("stored %d deliveries, want the 3 good ones", len(all))
	}
}

func TestBatcherContextAndClose(t *testing.T) {
	t.Parallel()
	store := newSQLite(t)
	inbox := &countingInbox{store: store, gate: make(chan struct{})}
	b := webhooks.NewBatcher(inbox, webhooks.BatcherConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	d := []webhooks.Delivery{{Provider: "p", EventID: "slow", ReceivedAt: testNow, Body: []byte("x")}}
	if _, err := b.Insert(ctx, d); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Insert past its deadline = %v, want DeadlineExceeded", err)
	}
	close(inbox.gate)
	b.Close()
	if _, err := b.Insert(context.Background(), d); !errors.Is(err, webhooks.ErrClosed) {
		t.Errorf("Insert after Close = %v, want ErrClosed", err)
	}
}
