package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"

	"github.com/cmu-mx/cmu/server/internal/migrations"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Dialect is the SQL dialect of the server database.
type Dialect string

const (
	// DialectSQLite is the embedded default (modernc.org/sqlite, driver "sqlite").
	DialectSQLite Dialect = "sqlite"
	// DialectPostgres is PostgreSQL through pgx (driver "pgx"), for several instances.
	DialectPostgres Dialect = "postgres"
)

// dialectOf selects the dialect from a database URL: postgres:// and
// postgresql:// are PostgreSQL; file:, sqlite: and plain paths are SQLite.
func dialectOf(u string) (Dialect, error) {
	switch {
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return DialectPostgres, nil
	case strings.HasPrefix(u, "file:"), strings.HasPrefix(u, "sqlite:"):
		return DialectSQLite, nil
	case u == "" || strings.Contains(u, "://"):
		return "", errors.New("must be a postgres:// URL or an SQLite file (file:cmu.db)")
	}
	return DialectSQLite, nil
}

// DB is the server's database: idempotency keys, opportunity_service_order,
// gnv_unmatched_consumption and the webhook inbox. Safe for concurrent use.
type DB struct {
	// SQL is the connection pool.
	SQL *sql.DB
	// Dialect is the SQL dialect.
	Dialect Dialect
	// URL is the database URL (needed by LISTEN connections); never log it
	// unredacted.
	URL string
}

// sqliteDSN adds WAL, a 5 s busy timeout, foreign keys and IMMEDIATE write
// transactions to an SQLite URL.
func sqliteDSN(u string) string {
	u = strings.TrimPrefix(u, "sqlite:")
	if !strings.HasPrefix(u, "file:") {
		u = "file:" + u
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return u + sep + q.Encode()
}

// OpenDB opens and pings the database at rawURL (see dialectOf). It does not
// migrate; call Migrate.
func OpenDB(ctx context.Context, rawURL string) (*DB, error) {
	d, err := dialectOf(rawURL)
	if err != nil {
		return nil, fmt.Errorf("server: open database: %w", err)
	}
	var db *sql.DB
	switch d {
	case DialectSQLite:
		db, err = sql.Open("sqlite", sqliteDSN(rawURL))
		if err == nil {
			db.SetMaxOpenConns(8)
		}
	case DialectPostgres:
		db, err = sql.Open("pgx", rawURL)
		if err == nil {
			db.SetMaxOpenConns(20)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("server: open %s database: %w", d, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("server: ping %s database %s: %w", d, RedactURL(rawURL), err)
	}
	return &DB{SQL: db, Dialect: d, URL: rawURL}, nil
}

// Ping checks the database is reachable (the /readyz probe).
func (db *DB) Ping(ctx context.Context) error { return db.SQL.PingContext(ctx) }

// Close closes the pool.
func (db *DB) Close() error { return db.SQL.Close() }

// Rebind turns ? placeholders into $1, $2… when the database is PostgreSQL
// and returns q unchanged on SQLite, so one query text serves both dialects.
// Queries must not contain literal question marks (in strings or operators).
func (db *DB) Rebind(q string) string { return db.rebind(q) }

func (db *DB) rebind(q string) string {
	if db.Dialect != DialectPostgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// MigrateDirection says which way Migrate goes.
type MigrateDirection int

const (
	// MigrateUp applies every pending migration.
	MigrateUp MigrateDirection = iota
	// MigrateDown rolls back the most recent migration.
	MigrateDown
	// MigrateReset rolls back every migration.
	MigrateReset
)

func (db *DB) provider(logger *slog.Logger) (*goose.Provider, error) {
	fsys, gomig, err := migrations.Source(string(db.Dialect))
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true), goose.WithGoMigrations(gomig...)}
	if logger != nil {
		opts = append(opts, goose.WithSlog(logger))
	}
	gd := goose.DialectSQLite3
	if db.Dialect == DialectPostgres {
		gd = goose.DialectPostgres
		// Instances starting together migrate one at a time.
		l, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(l))
	}
	return goose.NewProvider(gd, db.SQL, fsys, opts...)
}

// MigrationResult is one applied or rolled-back migration.
type MigrationResult struct {
	Version   int64
	Source    string
	Direction string
}

// Migrate runs the embedded goose migrations (up, down one, or reset) and
// returns what it applied. logger may be nil.
func (db *DB) Migrate(ctx context.Context, dir MigrateDirection, logger *slog.Logger) ([]MigrationResult, error) {
	p, err := db.provider(logger)
	if err != nil {
		return nil, fmt.Errorf("server: migrations: %w", err)
	}
	var rs []*goose.MigrationResult
	switch dir {
	case MigrateUp:
		rs, err = p.Up(ctx)
	case MigrateDown:
		var r *goose.MigrationResult
		r, err = p.Down(ctx)
		if r != nil {
			rs = append(rs, r)
		}
		if errors.Is(err, goose.ErrNoNextVersion) {
			err = nil
		}
	case MigrateReset:
		rs, err = p.DownTo(ctx, 0)
	default:
		return nil, fmt.Errorf("server: unknown migration direction %d", dir)
	}
	out := make([]MigrationResult, 0, len(rs))
	for _, r := range rs {
		if r == nil || r.Source == nil {
			continue
		}
		out = append(out, MigrationResult{Version: r.Source.Version, Source: r.Source.Path, Direction: r.Direction})
	}
	if err != nil {
		return out, fmt.Errorf("server: migrate %s: %w", db.Dialect, err)
	}
	return out, nil
}

// MigrationVersion returns the database's current migration version (0 = none).
func (db *DB) MigrationVersion(ctx context.Context) (int64, error) {
	p, err := db.provider(nil)
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}

// MigrationsPending reports whether migrations remain to be applied.
func (db *DB) MigrationsPending(ctx context.Context) (bool, error) {
	p, err := db.provider(nil)
	if err != nil {
		return false, err
	}
	return p.HasPending(ctx)
}
