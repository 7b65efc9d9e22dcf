package webhooks_test

import (
	"context"
	"path/filepath"
	"testing"

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
