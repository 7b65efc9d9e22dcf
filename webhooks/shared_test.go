package webhooks_test

import (
	"context"
	"database/sql"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/webhooks"
)

// TestProcessorsShareOneInbox runs two processors — two server instances — on
// one inbox: each delivery is applied once, and both instances do work.
func TestProcessorsShareOneInbox(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(*testing.T) *webhooks.SQLStore{"sqlite": newSQLite, "postgres": newPostgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			store := open(t)
			insertSQL := `INSERT INTO applied (event_id, instance) VALUES (?, ?)`
			if store.Dialect() == webhooks.Postgres {
				insertSQL = `INSERT INTO applied (event_id, instance) VALUES ($1, $2)`
			}
			if _, err := store.DB().ExecContext(t.Context(), `CREATE TABLE applied (event_id TEXT NOT NULL, instance INTEGER NOT NULL)`); err != nil {
				t.Fatal(err)
			}
			const n = 150
			insertN(t, store, "gnv", n, testNow)
			var total atomic.Int64
			for instance := range 2 {
				p, err := webhooks.NewProcessor(webhooks.ProcessorConfig{
					Store:   store,
					Workers: 2,
					TxHandlers: map[string]webhooks.TxHandlerFunc{"gnv": func(ctx context.Context, tx *sql.Tx, d webhooks.Delivery) error {
						time.Sleep(time.Millisecond) // keep both instances busy
						_, err := tx.ExecContext(ctx, insertSQL, d.EventID, instance)
						total.Add(1)
						return err
					}},
					PollInterval: 5 * time.Millisecond,
				})
				if err != nil {
					t.Fatal(err)
				}
				run(t, p)
			}
			waitFor(t, "all applied", func() bool { return total.Load() >= n })
			var rows, distinct, instances int
			waitFor(t, "all committed", func() bool {
				err := store.DB().QueryRowContext(t.Context(),
					`SELECT COUNT(*), COUNT(DISTINCT event_id), COUNT(DISTINCT instance) FROM applied`).Scan(&rows, &distinct, &instances)
				return err == nil && rows >= n
			})
			if rows != n || distinct != n {
				t.Errorf("%d rows for %d distinct events, want %d applied once each", rows, distinct, n)
			}
			if instances != 2 {
				t.Errorf("only %d instance did the work", instances)
			}
		})
	}
}
