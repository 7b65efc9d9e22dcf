package webhooks

import (
	"context"
	"database/sql"
	"fmt"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"
)

// OpenPostgres opens a PostgreSQL database with the pgx driver and returns a
// store that closes it on Close. Put search_path in the DSN
// (…?search_path=cmu) to keep the inbox out of the public schema. It does not
// create the table: call Migrate.
func OpenPostgres(ctx context.Context, dsn string) (*SQLStore, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("webhooks: open postgres: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("webhooks: open postgres: %w", err)
	}
	s := NewPostgres(db)
	s.owned = true
	return s, nil
}
