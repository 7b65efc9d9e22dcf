// Package storetest is the conformance suite every webhooks.Store must pass. The
// SQLite and PostgreSQL stores run it; so should any new implementation:
//
//	func TestMyStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) webhooks.Store { return newEmptyStore(t) })
//	}
package storetest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cmu-mx/cmu/webhooks"
)

// Factory returns a new, empty, migrated store for one subtest; it registers its
// own cleanup with t.
type Factory func(t *testing.T) webhooks.Store

// base is the suite's clock origin, with microseconds (the stores' precision).
var base = time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC)

// Run runs every conformance test against stores made by newStore.
func Run(t *testing.T, newStore Factory) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s webhooks.Store)
	}{
		{"InsertGet", testInsertGet},
		{"Duplicates", testDuplicates},
		{"InsertAtomic", testInsertAtomic},
		{"ClaimDueAndLimit", testClaimDueAndLimit},
		{"ClaimProviders", testClaimProviders},
		{"LeaseExpiry", testLeaseExpiry},
		{"FailRetryDeadReplay", testFailRetryDeadReplay},
		{"ListCounts", testListCounts},
		{"ConcurrentClaims", testConcurrentClaims},
		{"CompleteTx", testCompleteTx},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newStore(t))
		})
	}
}

func delivery(provider, id string, at time.Time) webhooks.Delivery {
	return webhooks.Delivery{
		Provider:   provider,
		EventID:    id,
		Type:       "test.event",
		OccurredAt: at.Add(-time.Second),
		ReceivedAt: at,
		Header:     http.Header{"Content-Type": {"application/json"}, "X-Test-Id": {id}},
		Body:       []byte(`{"id":"` + id + `","amount":"1234.50"}`),
	}
}

func insert(t *testing.T, s webhooks.Store, ds ...webhooks.Delivery) []webhooks.InsertResult {
	t.Helper()
	res, err := s.Insert(t.Context(), ds)
	if err != nil {
		t.Fatalf("Insert: %v", err)
	}
	if len(res) != len(ds) {
		t.Fatalf("Insert returned %d results for %d deliveries", len(res), len(ds))
	}
	return res
}

func claim(t *testing.T, s webhooks.Store, token string, now time.Time, limit int, providers ...string) []webhooks.Delivery {
	t.Helper()
	ds, err := s.Claim(t.Context(), webhooks.ClaimRequest{
		LeaseToken: token, Now: now, Lease: time.Minute, Limit: limit, Providers: providers,
	})
	if err != nil {
		t.Fatalf("Claim: %v", err)
	}
	return ds
}

func ids(ds []webhooks.Delivery) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.EventID)
	}
	return out
}

func testInsertGet(t *testing.T, s webhooks.Store) {
	d := delivery("conekta", "evt_1", base)
	d.Body = []byte("{\"a\":1}\r\n\x00\xff binary \u00e9") // byte for byte, not text
	res := insert(t, s, d)
	if res[0].Duplicate || res[0].ID == 0 {
		t.Fatalf("Insert = %+v, want a new id", res[0])
	}
	got, err := s.Get(t.Context(), res[0].ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	want := d
	want.ID = res[0].ID
	want.State = webhooks.StatePending
	want.DueAt = base
	want.UpdatedAt = base
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Get mismatch (-want +got):\n%s", diff)
	}
	if _, err := s.Get(t.Context(), res[0].ID+1000); !errors.Is(err, webhooks.ErrNotFound) {
		t.Errorf("Get(unknown) error = %v, want ErrNotFound", err)
	}
}

func testDuplicates(t *testing.T, s webhooks.Store) {
	first := insert(t, s, delivery("gnv", "msg_1", base))
	res := insert(t, s,
		delivery("gnv", "msg_1", base.Add(time.Second)),     // redelivery
		delivery("conekta", "msg_1", base.Add(time.Second)), // same id, other provider
		delivery("gnv", "msg_2", base.Add(time.Second)),
		delivery("gnv", "msg_2", base.Add(time.Second)), // twice in one batch
	)
	if !res[0].Duplicate || res[0].ID != 0 {
		t.Errorf("redelivery = %+v, want duplicate", res[0])
	}
	if res[1].Duplicate || res[2].Duplicate || res[1].ID == 0 || res[2].ID == 0 {
		t.Errorf("new keys = %+v, %+v, want stored", res[1], res[2])
	}
	if !res[3].Duplicate {
		t.Errorf("second copy in one batch = %+v, want duplicate", res[3])
	}
	all, err := s.List(t.Context(), webhooks.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Fatalf("inbox holds %d deliveries, want 3: %v", len(all), ids(all))
	}
	got, err := s.Get(t.Context(), first[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.ReceivedAt.Equal(base) {
		t.Errorf("a duplicate changed the stored delivery: received %v", got.ReceivedAt)
	}
}

func testInsertAtomic(t *testing.T, s webhooks.Store) {
	bad := delivery("gnv", "", base)
	if _, err := s.Insert(t.Context(), []webhooks.Delivery{delivery("gnv", "ok", base), bad}); err == nil {
		t.Fatal("Insert with an empty event id succeeded")
	}
	all, err := s.List(t.Context(), webhooks.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 0 {
		t.Errorf("a failed Insert stored %v", ids(all))
	}
}

func testClaimDueAndLimit(t *testing.T, s webhooks.Store) {
	for i := range 5 {
		insert(t, s, delivery("gnv", "e"+strconv.Itoa(i), base.Add(time.Duration(i)*time.Second)))
	}
	if got := claim(t, s, "early", base.Add(-time.Second), 10); len(got) != 0 {
		t.Fatalf("claimed %v before they were due", ids(got))
	}
	got := claim(t, s, "a", base.Add(2*time.Second), 2)
	if diff := cmp.Diff([]string{"e0", "e1"}, ids(got)); diff != "" {
		t.Fatalf("first claim (-want +got):\n%s", diff)
	}
	for _, d := range got {
		if d.State != webhooks.StateProcessing || d.Attempts != 1 || d.LeaseToken != "a" ||
			!d.DueAt.Equal(base.Add(2*time.Second+time.Minute)) {
			t.Errorf("claimed %s = state %s attempts %d token %q due %v", d.EventID, d.State, d.Attempts, d.LeaseToken, d.DueAt)
		}
		if len(d.Body) == 0 || d.Header.Get("X-Test-Id") != d.EventID {
			t.Errorf("claimed %s without body or headers", d.EventID)
		}
	}
	got = claim(t, s, "b", base.Add(2*time.Second), 10)
	if diff := cmp.Diff([]string{"e2"}, ids(got)); diff != "" {
		t.Errorf("second claim (-want +got):\n%s", diff)
	}
}

func testClaimProviders(t *testing.T, s webhooks.Store) {
	insert(t, s, delivery("gnv", "g1", base), delivery("conekta", "c1", base), delivery("metamap", "m1", base))
	got := claim(t, s, "a", base, 10, "conekta", "metamap")
	if diff := cmp.Diff([]string{"c1", "m1"}, ids(got)); diff != "" {
		t.Errorf("claim of conekta+metamap (-want +got):\n%s", diff)
	}
}

func testLeaseExpiry(t *testing.T, s webhooks.Store) {
	insert(t, s, delivery("gnv", "e1", base))
	first := claim(t, s, "crashed", base, 1)
	if len(first) != 1 {
		t.Fatalf("claimed %d, want 1", len(first))
	}
	if got := claim(t, s, "other", base.Add(time.Minute-time.Microsecond), 1); len(got) != 0 {
		t.Fatalf("claimed %v again while the lease held", ids(got))
	}
	again := claim(t, s, "other", base.Add(time.Minute), 1)
	if len(again) != 1 || again[0].Attempts != 2 || again[0].LeaseToken != "other" {
		t.Fatalf("after the lease: %+v, want the delivery with attempts 2", again)
	}
	id := again[0].ID
	if err := s.Complete(t.Context(), id, "crashed", base.Add(time.Minute)); !errors.Is(err, webhooks.ErrLeaseLost) {
		t.Errorf("Complete with the expired token = %v, want ErrLeaseLost", err)
	}
	if err := s.Fail(t.Context(), id, "crashed", webhooks.Failure{Now: base, Err: "x", RetryAt: base}); !errors.Is(err, webhooks.ErrLeaseLost) {
		t.Errorf("Fail with the expired token = %v, want ErrLeaseLost", err)
	}
	if err := s.Complete(t.Context(), id, "other", base.Add(2*time.Minute)); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	d, err := s.Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if d.State != webhooks.StateDone || d.LeaseToken != "" {
		t.Errorf("after Complete: state %s token %q", d.State, d.LeaseToken)
	}
	if err := s.Complete(t.Context(), id, "other", base.Add(2*time.Minute)); !errors.Is(err, webhooks.ErrLeaseLost) {
		t.Errorf("second Complete = %v, want ErrLeaseLost", err)
	}
	if got := claim(t, s, "late", base.Add(time.Hour), 10); len(got) != 0 {
		t.Errorf("claimed done delivery %v", ids(got))
	}
}

func testFailRetryDeadReplay(t *testing.T, s webhooks.Store) {
	id := insert(t, s, delivery("conekta", "e1", base))[0].ID
	c := claim(t, s, "a", base, 1)
	retryAt := base.Add(30 * time.Second)
	if err := s.Fail(t.Context(), id, c[0].LeaseToken, webhooks.Failure{Now: base.Add(time.Second), Err: "odoo: timeout", RetryAt: retryAt}); err != nil {
		t.Fatalf("Fail: %v", err)
	}
	d, _ := s.Get(t.Context(), id)
	if d.State != webhooks.StatePending || !d.DueAt.Equal(retryAt) || d.LastError != "odoo: timeout" || d.Attempts != 1 {
		t.Fatalf("after a retryable failure: %+v", d)
	}
	if got := claim(t, s, "b", retryAt.Add(-time.Microsecond), 1); len(got) != 0 {
		t.Fatal("claimed before RetryAt")
	}
	if err := s.Replay(t.Context(), id, base); !errors.Is(err, webhooks.ErrNotDead) {
		t.Errorf("Replay(pending) = %v, want ErrNotDead", err)
	}
	c = claim(t, s, "b", retryAt, 1)
	if len(c) != 1 || c[0].Attempts != 2 {
		t.Fatalf("retry claim = %+v", c)
	}
	if err := s.Fail(t.Context(), id, "b", webhooks.Failure{Now: retryAt, Err: "bad payload", Dead: true}); err != nil {
		t.Fatalf("Fail(dead): %v", err)
	}
	d, _ = s.Get(t.Context(), id)
	if d.State != webhooks.StateDead || d.LastError != "bad payload" {
		t.Fatalf("after a dead failure: %+v", d)
	}
	if got := claim(t, s, "c", base.Add(24*time.Hour), 1); len(got) != 0 {
		t.Fatal("claimed a dead delivery")
	}
	if err := s.Replay(t.Context(), id+1000, base); !errors.Is(err, webhooks.ErrNotFound) {
		t.Errorf("Replay(unknown) = %v, want ErrNotFound", err)
	}
	replayAt := base.Add(time.Hour)
	if err := s.Replay(t.Context(), id, replayAt); err != nil {
		t.Fatalf("Replay: %v", err)
	}
	d, _ = s.Get(t.Context(), id)
	if d.State != webhooks.StatePending || d.Attempts != 0 || !d.DueAt.Equal(replayAt) {
		t.Fatalf("after Replay: %+v", d)
	}
	c = claim(t, s, "d", replayAt, 1)
	if len(c) != 1 || c[0].Attempts != 1 || !bytes.Equal(c[0].Body, delivery("conekta", "e1", base).Body) {
		t.Fatalf("claim after replay = %+v", c)
	}
}

func testListCounts(t *testing.T, s webhooks.Store) {
	for i := range 5 {
		insert(t, s, delivery("gnv", "g"+strconv.Itoa(i), base))
	}
	insert(t, s, delivery("conekta", "c0", base))
	c := claim(t, s, "a", base, 1, "gnv")
	if err := s.Fail(t.Context(), c[0].ID, "a", webhooks.Failure{Now: base, Err: "x", Dead: true}); err != nil {
		t.Fatal(err)
	}
	page1, err := s.List(t.Context(), webhooks.ListOptions{Provider: "gnv", Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	page2, err := s.List(t.Context(), webhooks.ListOptions{Provider: "gnv", Limit: 2, AfterID: page1[len(page1)-1].ID})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"g0", "g1", "g2", "g3"}, append(ids(page1), ids(page2)...)); diff != "" {
		t.Errorf("paged list (-want +got):\n%s", diff)
	}
	dead, err := s.List(t.Context(), webhooks.ListOptions{State: webhooks.StateDead})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"g0"}, ids(dead)); diff != "" {
		t.Errorf("dead list (-want +got):\n%s", diff)
	}
	counts, err := s.Counts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []webhooks.Count{
		{Provider: "conekta", State: webhooks.StatePending, N: 1},
		{Provider: "gnv", State: webhooks.StateDead, N: 1},
		{Provider: "gnv", State: webhooks.StatePending, N: 4},
	}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("Counts (-want +got):\n%s", diff)
	}
}

func testConcurrentClaims(t *testing.T, s webhooks.Store) {
	const n = 120
	batch := make([]webhooks.Delivery, n)
	for i := range batch {
		batch[i] = delivery("gnv", "e"+strconv.Itoa(i), base)
	}
	insert(t, s, batch...)
	var (
		mu   sync.Mutex
		seen = map[int64]string{}
		dups []string
		wg   sync.WaitGroup
		errs = make(chan error, 8)
	)
	for w := range 8 {
		wg.Go(func() {
			for k := 0; ; k++ {
				token := fmt.Sprintf("w%d.%d", w, k)
				ds, err := s.Claim(context.Background(), webhooks.ClaimRequest{
					LeaseToken: token, Now: base, Lease: time.Hour, Limit: 3,
				})
				if err != nil {
					errs <- err
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					if prev, ok := seen[d.ID]; ok {
						dups = append(dups, d.EventID+" by "+prev+" and "+token)
					}
					seen[d.ID] = token
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Claim: %v", err)
	}
	if len(dups) > 0 || len(seen) != n {
		t.Errorf("claimed %d distinct of %d; claimed twice: %v", len(seen), n, dups)
	}
}

func testCompleteTx(t *testing.T, s webhooks.Store) {
	ts, ok := s.(webhooks.TxStore)
	if !ok {
		t.Skip("store does not implement webhooks.TxStore")
	}
	res := insert(t, s, delivery("gnv", "e1", base), delivery("gnv", "e2", base))
	claim(t, s, "a", base, 2)
	mark := func(id int64, text string) func(tx *sql.Tx) error {
		return func(tx *sql.Tx) error {
			// A side effect in the same database: it must commit or roll back
			// with the done mark.
			_, err := tx.ExecContext(t.Context(), fmt.Sprintf(
				"UPDATE webhook_inbox SET last_error = '%s' WHERE id = %d", text, id))
			return err
		}
	}
	boom := errors.New("boom")
	err := ts.CompleteTx(t.Context(), res[0].ID, "a", base, func(tx *sql.Tx) error {
		if err := mark(res[0].ID, "effect")(tx); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("CompleteTx with a failing fn = %v, want boom", err)
	}
	d, _ := s.Get(t.Context(), res[0].ID)
	if d.State != webhooks.StateProcessing || d.LastError != "" {
		t.Fatalf("after a failed CompleteTx: state %s last_error %q, want processing and no effect", d.State, d.LastError)
	}
	if err := ts.CompleteTx(t.Context(), res[0].ID, "a", base, mark(res[0].ID, "effect")); err != nil {
		t.Fatalf("CompleteTx: %v", err)
	}
	d, _ = s.Get(t.Context(), res[0].ID)
	if d.State != webhooks.StateDone || d.LastError != "effect" {
		t.Fatalf("after CompleteTx: state %s last_error %q, want done with the effect", d.State, d.LastError)
	}
	ran := false
	err = ts.CompleteTx(t.Context(), res[1].ID, "stale", base, func(tx *sql.Tx) error { ran = true; return nil })
	if !errors.Is(err, webhooks.ErrLeaseLost) || ran {
		t.Errorf("CompleteTx with a stale token = %v (fn ran: %v), want ErrLeaseLost without running fn", err, ran)
	}
}
