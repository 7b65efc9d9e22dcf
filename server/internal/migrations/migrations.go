// Package migrations holds the server's goose migrations, embedded, one
// directory per dialect. The webhook inbox migration reuses the DDL exported by
// the webhooks package as a Go migration.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/cmu-mx/cmu/webhooks"
	"github.com/pressly/goose/v3"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// InboxVersion is the version of the Go migration creating the webhook inbox.
const InboxVersion = 4

// Source returns the SQL migrations of dialect ("sqlite" or "postgres") and the
// Go migrations to add to the goose provider.
func Source(dialect string) (fs.FS, []*goose.Migration, error) {
	var up string
	switch dialect {
	case "sqlite":
		up = webhooks.SQLiteSchema
	case "postgres":
		up = webhooks.PostgresSchema
	default:
		return nil, nil, fmt.Errorf("migrations: unknown dialect %q", dialect)
	}
	sub, err := fs.Sub(files, dialect)
	if err != nil {
		return nil, nil, fmt.Errorf("migrations: %w", err)
	}
	exec := func(q string) *goose.GoFunc {
		return &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, q)
			return err
		}}
	}
	inbox := goose.NewGoMigration(InboxVersion, exec(up), exec(webhooks.DropSchema))
	return sub, []*goose.Migration{inbox}, nil
}
