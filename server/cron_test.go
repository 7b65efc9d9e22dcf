package server

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestLeaderInProcess(t *testing.T) {
	l := NewLeader(openTestSQLite(t), LeaderOptions{})
	var runs, failures atomic.Int32
	l.Add(Job{Name: "tick", Every: 10 * time.Millisecond, Run: func(context.Context) error { runs.Add(1); return nil }})
	l.Add(Job{Name: "fails", Every: 10 * time.Millisecond, Run: func(context.Context) error { failures.Add(1); return errors.New("boom") }})
	l.Add(Job{Name: "panics", Every: 10 * time.Millisecond, Run: func(context.Context) error { panic("job bug") }})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- l.Run(ctx) }()
	waitFor(t, "runs", func() bool { return runs.Load() >= 3 && failures.Load() >= 3 })
	if !l.IsLeader() {
		t.Error("SQLite leader is not leading")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if l.IsLeader() {
		t.Error("still leader after Run returned")
	}
}

func TestLeaderJobRunsDoNotOverlap(t *testing.T) {
	l := NewLeader(nil, LeaderOptions{})
	var running, overlap atomic.Int32
	l.Add(Job{Name: "slow", Every: time.Millisecond, Run: func(context.Context) error {
		if running.Add(1) > 1 {
			overlap.Add(1)
		}
		time.Sleep(5 * time.Millisecond)
		running.Add(-1)
		return nil
	}})
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Millisecond)
	defer cancel()
	l.Run(ctx)
	if overlap.Load() != 0 {
		t.Error("runs overlapped")
	}
}

func TestLeaderPostgresOneAtATime(t *testing.T) {
	db := openTestPostgres(t)
	var kb [8]byte
	_, _ = rand.Read(kb[:])
	key := int64(binary.LittleEndian.Uint64(kb[:]) >> 1)
	var mu sync.Mutex
	runs := map[string]int{}
	active, overlap := atomic.Int32{}, atomic.Int32{}
	newLeader := func(name string) *Leader {
		l := NewLeader(db, LeaderOptions{LockKey: key, RetryEvery: 30 * time.Millisecond})
		l.Add(Job{Name: "poll-invoices", Every: 10 * time.Millisecond, Run: func(context.Context) error {
			if active.Add(1) > 1 {
				overlap.Add(1)
			}
			mu.Lock()
			runs[name]++
			mu.Unlock()
			time.Sleep(2 * time.Millisecond)
			active.Add(-1)
			return nil
		}})
		return l
	}
	holders := func() int {
		var n int
		if err := db.SQL.QueryRowContext(t.Context(), `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
			AND classid = (($1::bigint >> 32) & 4294967295)::oid AND objid = ($1::bigint & 4294967295)::oid`, key).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	a, b := newLeader("a"), newLeader("b")
	ctxA, cancelA := context.WithCancel(t.Context())
	ctxB, cancelB := context.WithCancel(t.Context())
	defer cancelB()
	doneA, doneB := make(chan error), make(chan error)
	go func() { doneA <- a.Run(ctxA) }()
	waitFor(t, "a leads", a.IsLeader)
	go func() { doneB <- b.Run(ctxB) }()
	time.Sleep(300 * time.Millisecond)
	if b.IsLeader() {
		t.Fatal("two leaders")
	}
	mu.Lock()
	if runs["a"] < 5 || runs["b"] != 0 {
		t.Errorf("runs while a leads: %v", runs)
	}
	mu.Unlock()
	if n := holders(); n != 1 {
		t.Errorf("lock held by %d sessions while a leads", n)
	}

	// When the leader stops, the follower takes over.
	cancelA()
	if err := <-doneA; err != nil {
		t.Fatal(err)
	}
	waitFor(t, "b takes over", b.IsLeader)
	waitFor(t, "b runs the job", func() bool { mu.Lock(); defer mu.Unlock(); return runs["b"] >= 3 })
	cancelB()
	if err := <-doneB; err != nil {
		t.Fatal(err)
	}
	if overlap.Load() != 0 {
		t.Errorf("%d overlapping runs across instances", overlap.Load())
	}
	// The lock is released: no session holds it any more (a discarded session
	// releases it when its backend exits, so allow a moment).
	waitFor(t, "the lock to be released", func() bool { return holders() == 0 })
}
