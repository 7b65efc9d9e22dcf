// Package pgtest gives each test its own PostgreSQL schema, named from
// CMU_TEST_POSTGRES_DSN, and drops it when the test ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
)

// EnvDSN names the environment variable holding the test server's DSN.
const EnvDSN = "CMU_TEST_POSTGRES_DSN"

// DSN creates a fresh schema and returns a DSN whose search_path is that schema.
// It skips the test when CMU_TEST_POSTGRES_DSN is unset, and drops the schema
// (with everything in it) when the test ends; close your connections in an
// earlier-registered Cleanup or before the test returns.
func DSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvDSN)
	if base == "" {
		t.Skip("PostgreSQL tests skipped: set " + EnvDSN + " (for example postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "webhooks_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("pgtest: open: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("pgtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("pgtest: parse %s: %v", EnvDSN, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
