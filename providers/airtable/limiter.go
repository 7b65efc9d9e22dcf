package airtable

import (
	"context"
	"sync"
	"time"
)

// limiter hands out request slots spaced by interval, in call order, and can
// be blocked for a penalty after a 429.
type limiter struct {
	interval time.Duration
	now      func() time.Time

	mu           sync.Mutex
	next         time.Time // earliest start of the next slot
	blockedUntil time.Time
}

// wait blocks until the caller's slot, or returns ctx.Err().
func (l *limiter) wait(ctx context.Context) error {
	l.mu.Lock()
	now := l.now()
	at := now
	if l.next.After(at) {
		at = l.next
	}
	if l.blockedUntil.After(at) {
		at = l.blockedUntil
	}
	l.next = at.Add(l.interval)
	l.mu.Unlock()
	d := at.Sub(now)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// penalize blocks every slot until now + d.
func (l *limiter) penalize(d time.Duration) {
	l.mu.Lock()
	until := l.now().Add(d)
	if until.After(l.blockedUntil) {
		l.blockedUntil = until
	}
	if l.next.Before(until) {
		l.next = until
	}
	l.mu.Unlock()
}
