package server

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Job is a periodic task run by the cron leader.
type Job struct {
	// Name identifies the job in logs and metrics.
	Name string
	// Every is the period; the first run starts as soon as this instance leads.
	Every time.Duration
	// Timeout bounds one run (default Every).
	Timeout time.Duration
	// Run does the work; runs of one job never overlap.
	Run func(ctx context.Context) error
}

// LeaderOptions configure a Leader; zero fields take the documented defaults.
type LeaderOptions struct {
	Logger  *slog.Logger
	Metrics *Metrics
	// RetryEvery is how often a follower tries to take the lead and how often the
	// leader checks its lock connection (default 10 s).
	RetryEvery time.Duration
	// LockKey is the pg advisory lock key (default: FNV-64 of "cmu-cron").
	LockKey int64
}

// Leader runs cron jobs on exactly one instance at a time. On PostgreSQL the
// leader holds pg_try_advisory_lock(LockKey) on a dedicated connection for as
// long as it leads; if that connection dies the lock is released by the
// database and another instance takes over within RetryEvery. On SQLite (one
// instance by design) the leader is always this process. Add jobs before Run.
type Leader struct {
	db     *DB
	o      LeaderOptions
	log    *slog.Logger
	mu     sync.Mutex
	jobs   []Job
	leader atomic.Bool
}

// NewLeader returns a leader over db (nil db = in-process, always leading).
func NewLeader(db *DB, o LeaderOptions) *Leader {
	if o.RetryEvery <= 0 {
		o.RetryEvery = 10 * time.Second
	}
	if o.LockKey == 0 {
		h := fnv.New64a()
		h.Write([]byte("cmu-cron"))
		o.LockKey = int64(h.Sum64())
	}
	l := &Leader{db: db, o: o, log: o.Logger}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	return l
}

// Add registers a job. It panics on an invalid job (a programming error).
func (l *Leader) Add(j Job) {
	if j.Name == "" || j.Every <= 0 || j.Run == nil {
		panic("server: cron job needs Name, Every > 0 and Run")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.jobs = append(l.jobs, j)
}

// IsLeader reports whether this instance currently runs the jobs.
func (l *Leader) IsLeader() bool { return l.leader.Load() }

// Run campaigns for leadership and runs the jobs while leading, until ctx is
// done; then it releases the lock and returns nil.
func (l *Leader) Run(ctx context.Context) error {
	if l.db == nil || l.db.Dialect != DialectPostgres {
		l.leader.Store(true)
		defer l.leader.Store(false)
		l.runJobs(ctx)
		return nil
	}
	for {
		lost, err := l.leadOnce(ctx)
		if err != nil && ctx.Err() == nil {
			l.log.Warn("cron: leadership attempt failed", "error", err.Error())
		}
		if ctx.Err() != nil {
			return nil
		}
		if lost {
			l.log.Warn("cron: lost the leader lock")
		}
		select {
		case <-time.After(l.o.RetryEvery):
		case <-ctx.Done():
			return nil
		}
	}
}

// leadOnce tries the lock; when it gets it, it runs the jobs until ctx is done
// or the lock connection fails (lost = true).
func (l *Leader) leadOnce(ctx context.Context) (lost bool, err error) {
	conn, err := l.db.SQL.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("cron: connection: %w", err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, l.o.LockKey).Scan(&got); err != nil {
		discard(conn)
		return false, fmt.Errorf("cron: try lock: %w", err)
	}
	if !got {
		return false, conn.Close()
	}
	l.log.Info("cron: this instance is the leader")
	l.leader.Store(true)
	jctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.runJobs(jctx)
	}()
	t := time.NewTicker(l.o.RetryEvery)
	for !lost && ctx.Err() == nil {
		select {
		case <-t.C:
			// Not derived from ctx: cancelling a query mid-flight breaks the
			// connection, and this one must live to unlock cleanly.
			pctx, pcancel := context.WithTimeout(context.WithoutCancel(ctx), l.o.RetryEvery)
			if err := conn.PingContext(pctx); err != nil && ctx.Err() == nil {
				lost = true
			}
			pcancel()
		case <-ctx.Done():
		}
	}
	t.Stop()
	cancel()
	<-done
	l.leader.Store(false)
	uctx, ucancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer ucancel()
	if _, err := conn.ExecContext(uctx, `SELECT pg_advisory_unlock($1)`, l.o.LockKey); err != nil {
		discard(conn) // closing the session releases the lock
		return lost, nil
	}
	return lost, conn.Close()
}

// discard closes a connection instead of returning it to the pool, so that a
// session-level lock cannot outlive it.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}

func (l *Leader) runJobs(ctx context.Context) {
	l.mu.Lock()
	jobs := append([]Job(nil), l.jobs...)
	l.mu.Unlock()
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() {
			t := time.NewTicker(j.Every)
			defer t.Stop()
			for {
				l.runOne(ctx, j)
				select {
				case <-t.C:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	wg.Wait()
}

func (l *Leader) runOne(ctx context.Context, j Job) {
	if ctx.Err() != nil {
		return
	}
	timeout := j.Timeout
	if timeout <= 0 {
		timeout = j.Every
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	err := func() (err error) {
		defer func() {
			if v := recover(); v != nil {
				err = fmt.Errorf("panic: %v", v)
			}
		}()
		return j.Run(rctx)
	}()
	switch {
	case err == nil:
		l.o.Metrics.ObserveCronRun(j.Name, "ok")
		l.log.Debug("cron: job done", "job", j.Name, "duration", time.Since(start))
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		l.o.Metrics.ObserveCronRun(j.Name, "canceled")
	default:
		l.o.Metrics.ObserveCronRun(j.Name, "error")
		l.log.Error("cron: job failed", "job", j.Name, "error", err.Error())
	}
}
