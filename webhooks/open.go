package webhooks

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"
)

// OpenPostgres opens a PostgreSQL database with the pgx driver and returns a
// store that closes it on Close. Put search_path in the DSN
// (…?search_path=cmu) to keep the inbox out of the public schema. The pool
// holds up to 16 connections, all kept idle for reuse. It does not create the
// table: call Migrate.
func OpenPostgres(ctx context.Context, dsn string) (*SQLStore, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("webhooks: open postgres: %w", err)
	}
	// database/sql keeps only 2 idle connections by default: under concurrent
	// webhooks it would open and close a PostgreSQL connection per request.
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("webhooks: open postgres: %w", err)
	}
	s := NewPostgres(db)
	s.owned = true
	return s, nil
}
