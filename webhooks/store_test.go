package webhooks_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/webhooks"
	"github.com/cmu-mx/cmu/webhooks/internal/pgtest"
	"github.com/cmu-mx/cmu/webhooks/storetest"
)

func newSQLite(t *testing.T) *webhooks.SQLStore {
	t.Helper()
	s, err := webhooks.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "inbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

func newPostgres(t *testing.T) *webhooks.SQLStore {
	t.Helper()
	dsn := pgtest.DSN(t)
	s, err := webhooks.OpenPostgres(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSQLiteStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) webhooks.Store { return newSQLite(t) })
}

func TestPostgresStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) webhooks.Store { return newPostgres(t) })
}

func TestMigrateConcurrentInstances(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			s, err := webhooks.OpenPostgres(context.Background(), dsn)
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			errs <- s.Migrate(context.Background())
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Migrate: %v", err)
		}
	}
}

func TestMigrateIdempotent(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(*testing.T) *webhooks.SQLStore{"sqlite": newSQLite, "postgres": newPostgres} {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			if err := s.Migrate(t.Context()); err != nil {
				t.Fatalf("second Migrate: %v", err)
			}
		})
	}
}

func TestOpenSQLiteOddPath(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "a dir#1?x=%20")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "inbox.db")
	s, err := webhooks.OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not created at %q: %v", path, err)
	}
	var mode string
	if err := s.DB().QueryRowContext(t.Context(), "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	var sync int
	if err := s.DB().QueryRowContext(t.Context(), "PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
		t.Errorf("synchronous = %d, %v; want 2 (FULL)", sync, err)
	}
}

func TestInsertOne(t *testing.T) {
	t.Parallel()
	s := newSQLite(t)
	d := webhooks.Delivery{Provider: "gnv", EventID: "msg_1", ReceivedAt: testNow, Body: []byte("{}")}
	id, err := webhooks.InsertOne(t.Context(), s, d)
	if err != nil || id == 0 {
		t.Fatalf("InsertOne = %d, %v", id, err)
	}
	if _, err := webhooks.InsertOne(t.Context(), s, d); !errors.Is(err, webhooks.ErrDuplicate) {
		t.Errorf("second InsertOne error = %v, want ErrDuplicate", err)
	}
	if _, err := webhooks.InsertOne(t.Context(), &failingInbox{}, d); err == nil || errors.Is(err, webhooks.ErrDuplicate) {
		t.Errorf("InsertOne on a failing inbox = %v", err)
	}
}

func TestPurgeDeletesOnlyOldDoneDeliveries(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(*testing.T) *webhooks.SQLStore{"sqlite": newSQLite, "postgres": newPostgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			ids := insertN(t, s, "gnv", 3, testNow)
			ds, err := s.Claim(t.Context(), webhooks.ClaimRequest{LeaseToken: "a", Now: testNow, Lease: time.Minute, Limit: 2})
			if err != nil || len(ds) != 2 {
				t.Fatal(ds, err)
			}
			if err := s.Complete(t.Context(), ids[0], "a", testNow); err != nil {
				t.Fatal(err)
			}
			if err := s.Complete(t.Context(), ids[1], "a", testNow.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			n, err := s.Purge(t.Context(), testNow.Add(time.Minute))
			if err != nil || n != 1 {
				t.Fatalf("Purge = %d, %v; want 1", n, err)
			}
			if _, err := s.Get(t.Context(), ids[0]); !errors.Is(err, webhooks.ErrNotFound) {
				t.Errorf("old done delivery still there: %v", err)
			}
			for _, id := range ids[1:] {
				if _, err := s.Get(t.Context(), id); err != nil {
					t.Errorf("delivery %d purged: %v", id, err)
				}
			}
		})
	}
}
