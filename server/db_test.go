package server

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/cmu-mx/cmu/server/internal/servertest"
)

// postgresDSN returns CMU_TEST_POSTGRES_DSN pointed at a fresh schema dropped
// at cleanup, or skips.
func postgresDSN(t *testing.T) string { return servertest.PostgresDSN(t, "server_test_") }

func openTestPostgres(t *testing.T) *DB {
	t.Helper()
	db, err := OpenDB(t.Context(), postgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func columns(t *testing.T, db *DB, table string) []string {
	t.Helper()
	q := `SELECT name FROM pragma_table_info(?) ORDER BY cid`
	if db.Dialect == DialectPostgres {
		q = `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`
	}
	rows, err := db.SQL.QueryContext(t.Context(), db.rebind(q), table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	return cols
}

func testMigrations(t *testing.T, db *DB) {
	ctx := t.Context()
	tables := []string{"idempotency_keys", "opportunity_service_order", "gnv_unmatched_consumption", "webhook_inbox"}
	up := func() {
		t.Helper()
		rs, err := db.Migrate(ctx, MigrateUp, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 4 {
			t.Errorf("applied %d migrations, want 4", len(rs))
		}
		for _, tb := range tables {
			if len(columns(t, db, tb)) == 0 {
				t.Errorf("table %s missing after up", tb)
			}
		}
		if v, _ := db.MigrationVersion(ctx); v != 4 {
			t.Errorf("version %d", v)
		}
		if p, err := db.MigrationsPending(ctx); err != nil || p {
			t.Errorf("pending %v %v", p, err)
		}
	}
	up()
	want := []string{"id", "opportunity_id", "service_order_id", "metadata", "facturado", "invoice_result_head_id", "url_soles", "url_dolares", "last_checked_at", "created_at", "updated_at"}
	if got := columns(t, db, "opportunity_service_order"); !slices.Equal(got, want) {
		t.Errorf("opportunity_service_order columns %v, want %v", got, want)
	}
	// The tables work: a service-order row, a 17-char limit, a unique transaction id.
	if _, err := db.SQL.ExecContext(ctx, db.rebind(`INSERT INTO opportunity_service_order (opportunity_id, service_order_id, metadata) VALUES (?, ?, ?)`), "12345678901234567", 101, `{"numero_os":"OS-101"}`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL.ExecContext(ctx, db.rebind(`INSERT INTO opportunity_service_order (opportunity_id, service_order_id) VALUES (?, ?)`), "123456789012345678", 1); err == nil {
		t.Error("18-character opportunity_id accepted")
	}
	ins := db.rebind(`INSERT INTO gnv_unmatched_consumption (transaction_id, plates, station, litres, amount, occurred_at, received_at) VALUES (?, ?, ?, ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`)
	if _, err := db.SQL.ExecContext(ctx, ins, "tx-1", "ABC-123", "st-1", "41.250", "61.88"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL.ExecContext(ctx, ins, "tx-1", "ABC-123", "st-1", "1", "1"); err == nil {
		t.Error("duplicate transaction_id accepted")
	}
	var amount string
	if err := db.SQL.QueryRowContext(ctx, `SELECT amount FROM gnv_unmatched_consumption`).Scan(&amount); err != nil || amount != "61.88" {
		t.Errorf("amount %q %v", amount, err)
	}

	// Down one step removes the inbox only.
	if rs, err := db.Migrate(ctx, MigrateDown, nil); err != nil || len(rs) != 1 || rs[0].Version != 4 {
		t.Fatalf("down: %v %v", rs, err)
	}
	if len(columns(t, db, "webhook_inbox")) != 0 || len(columns(t, db, "idempotency_keys")) == 0 {
		t.Error("down did not remove exactly the inbox")
	}
	// Reset removes everything, and down on an empty database is a no-op.
	if _, err := db.Migrate(ctx, MigrateReset, nil); err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if len(columns(t, db, tb)) != 0 {
			t.Errorf("table %s left after reset", tb)
		}
	}
	if rs, err := db.Migrate(ctx, MigrateDown, nil); err != nil || len(rs) != 0 {
		t.Errorf("down on empty: %v %v", rs, err)
	}
	up()
}

func TestMigrationsSQLite(t *testing.T) {
	db, err := OpenDB(t.Context(), "file:"+filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	if err := db.SQL.QueryRowContext(t.Context(), "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode %q %v", mode, err)
	}
	var busy int
	if err := db.SQL.QueryRowContext(t.Context(), "PRAGMA busy_timeout").Scan(&busy); err != nil || busy != 5000 {
		t.Errorf("busy_timeout %d %v", busy, err)
	}
	testMigrations(t, db)
}

func TestMigrationsPostgres(t *testing.T) {
	testMigrations(t, openTestPostgres(t))
}

func TestDialectOf(t *testing.T) {
	for in, want := range map[string]Dialect{"postgres://x/y": DialectPostgres, "postgresql://x": DialectPostgres, "file:cmu.db": DialectSQLite, "sqlite:data/x.db": DialectSQLite, "data/cmu.db": DialectSQLite, "mysql://x": "", "": ""} {
		got, err := dialectOf(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
}

func TestRebind(t *testing.T) {
	pg, lite := &DB{Dialect: DialectPostgres}, &DB{Dialect: DialectSQLite}
	q := `UPDATE t SET a = ?, b = ? WHERE id = ?`
	if got := pg.Rebind(q); got != `UPDATE t SET a = $1, b = $2 WHERE id = $3` {
		t.Errorf("postgres: %s", got)
	}
	if got := lite.Rebind(q); got != q {
		t.Errorf("sqlite: %s", got)
	}
}
