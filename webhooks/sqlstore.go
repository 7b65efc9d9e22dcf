package webhooks

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Dialect is the SQL flavour of an [SQLStore].
type Dialect int

// The supported dialects.
const (
	// SQLite is modernc.org/sqlite (driver name "sqlite").
	SQLite Dialect = iota + 1
	// Postgres is PostgreSQL through pgx's database/sql driver (name "pgx").
	Postgres
)

// String returns "sqlite" or "postgres".
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	}
	return "Dialect(" + strconv.Itoa(int(d)) + ")"
}

// SQLStore is the inbox on database/sql, for SQLite or PostgreSQL. It is safe for
// concurrent use. Create it with [OpenSQLite], [NewSQLite] or [NewPostgres], then
// call [SQLStore.Migrate] (or run [SQLiteSchema] / [PostgresSchema] from the
// server's migrations).
type SQLStore struct {
	db      *sql.DB
	dialect Dialect
	owned   bool // Close closes db

	mu     sync.Mutex
	insert *sql.Stmt // SQLite: prepared once (pgx caches statements itself)
}

var _ TxStore = (*SQLStore)(nil)

// SQLiteDSN returns the modernc.org/sqlite data source name the inbox expects for
// the database file at path:
//
//   - journal_mode=WAL, so that readers do not block the writer;
//   - synchronous=FULL: every commit is fsynced before the intake acknowledges, so
//     an acknowledged delivery survives a process kill and a power loss (NORMAL
//     would survive only a process kill). Group commit ([Batcher]) pays one fsync
//     for many deliveries;
//   - busy_timeout=5000 ms and _txlock=immediate, so that a transaction takes the
//     write lock when it begins and waits for another process instead of failing
//     with SQLITE_BUSY halfway;
//   - foreign_keys=ON for the server's other tables.
//
// The path is escaped, so it may contain any character.
func SQLiteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Set("_txlock", "immediate")
	// A URI filename: '?', '#' and '%' in the path must be escaped.
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// OpenSQLite opens (creating when missing) the SQLite database at path with
// [SQLiteDSN] and a single connection — SQLite has one writer at a time, and one
// connection makes every transaction wait its turn in Go instead of in SQLite's
// busy handler — and returns a store that closes the database on Close. It does
// not create the table: call Migrate.
//
// Because there is one connection, a [TxHandlerFunc] must use only the
// transaction it is given, never the *sql.DB, or it waits for itself.
func OpenSQLite(ctx context.Context, path string) (*SQLStore, error) {
	db, err := sql.Open("sqlite", SQLiteDSN(path))
	if err != nil {
		return nil, fmt.Errorf("webhooks: open sqlite %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("webhooks: open sqlite %s: %w", path, err)
	}
	s := NewSQLite(db)
	s.owned = true
	return s, nil
}

// NewSQLite returns a store on an SQLite database the caller opened (and closes).
// Open it with [SQLiteDSN] and db.SetMaxOpenConns(1), as [OpenSQLite] does.
func NewSQLite(db *sql.DB) *SQLStore { return &SQLStore{db: db, dialect: SQLite} }

// NewPostgres returns a store on a PostgreSQL database opened by the caller with
// the pgx driver (sql.Open("pgx", dsn)); the table lives in the connection's
// search_path. Several processes may share the table: claims use FOR UPDATE SKIP
// LOCKED. Raise db.SetMaxIdleConns to the expected concurrency (the default of 2
// makes concurrent deliveries reconnect), as [OpenPostgres] does.
func NewPostgres(db *sql.DB) *SQLStore { return &SQLStore{db: db, dialect: Postgres} }

// DB returns the store's database, for a server that keeps other tables in it.
func (s *SQLStore) DB() *sql.DB { return s.db }

// Dialect returns the store's SQL dialect.
func (s *SQLStore) Dialect() Dialect { return s.dialect }

// Close closes the database when the store opened it (OpenSQLite); otherwise it
// does nothing and the caller closes its own *sql.DB.
func (s *SQLStore) Close() error {
	s.mu.Lock()
	if s.insert != nil {
		s.insert.Close()
		s.insert = nil
	}
	s.mu.Unlock()
	if s.owned {
		return s.db.Close()
	}
	return nil
}

// migrateLockID is the PostgreSQL advisory lock that serializes Migrate across
// instances starting together ("CMUWHINB" in ASCII).
const migrateLockID = 0x434d555748494e42

// Migrate creates the inbox table and indexes when missing, in one
// transaction. On PostgreSQL it holds an advisory lock meanwhile, so that
// several instances starting at once do not race on CREATE TABLE.
func (s *SQLStore) Migrate(ctx context.Context) (err error) {
	ddl := SQLiteSchema
	if s.dialect == Postgres {
		ddl = PostgresSchema
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("webhooks: migrate %s: %w", s.dialect, err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if s.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrateLockID)); err != nil {
			return fmt.Errorf("webhooks: migrate %s: lock: %w", s.dialect, err)
		}
	}
	for stmt := range strings.SplitSeq(ddl, ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("webhooks: migrate %s: %w", s.dialect, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("webhooks: migrate %s: commit: %w", s.dialect, err)
	}
	return nil
}

// q rewrites ? placeholders as $n for PostgreSQL. Queries in this file never
// contain a literal question mark.
func (s *SQLStore) q(query string) string {
	if s.dialect != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// insertSQL inserts one delivery (SQLite).
const insertSQL = `INSERT INTO webhook_inbox
	(provider, event_id, event_type, occurred_at, received_at, headers, body, state, attempts, due_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)
	ON CONFLICT (provider, event_id) DO NOTHING
	RETURNING id`

// Insert implements [Inserter]: all deliveries in one transaction (SQLite) or
// one statement (PostgreSQL).
func (s *SQLStore) Insert(ctx context.Context, ds []Delivery) (res []InsertResult, err error) {
	if len(ds) == 0 {
		return nil, nil
	}
	for i, d := range ds {
		if d.Provider == "" || d.EventID == "" {
			return nil, fmt.Errorf("webhooks: insert: delivery %d has no provider or event id", i)
		}
	}
	if s.dialect == Postgres {
		return s.insertPostgres(ctx, ds)
	}
	// Prepared before BeginTx: with one connection, preparing inside the
	// transaction would wait for itself.
	prepared, err := s.insertStmt(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("webhooks: insert: begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	stmt := tx.StmtContext(ctx, prepared)
	defer stmt.Close()
	res = make([]InsertResult, len(ds))
	for i, d := range ds {
		hdr, err := json.Marshal(d.Header)
		if err != nil {
			return nil, fmt.Errorf("webhooks: insert: headers: %w", err)
		}
		body := d.Body
		if body == nil {
			body = []byte{}
		}
		recv := micros(d.ReceivedAt)
		var id int64
		err = stmt.QueryRowContext(ctx, d.Provider, d.EventID, d.Type, micros(d.OccurredAt),
			recv, string(hdr), body, recv, recv).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			res[i] = InsertResult{Duplicate: true}
		case err != nil:
			return nil, fmt.Errorf("webhooks: insert %s/%s: %w", d.Provider, d.EventID, err)
		default:
			res[i] = InsertResult{ID: id}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("webhooks: insert: commit: %w", err)
	}
	return res, nil
}

// insertPostgresSQL inserts a whole batch in one statement (one round trip,
// atomic without an explicit transaction) from parallel arrays.
const insertPostgresSQL = `INSERT INTO webhook_inbox
	(provider, event_id, event_type, occurred_at, received_at, headers, body, state, attempts, due_at, updated_at)
	SELECT p, e, t, o, r, h, b, 'pending', 0, r, r
	FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::bytea[])
		AS x(p, e, t, o, r, h, b)
	ON CONFLICT (provider, event_id) DO NOTHING
	RETURNING id, provider, event_id`

func (s *SQLStore) insertPostgres(ctx context.Context, ds []Delivery) ([]InsertResult, error) {
	n := len(ds)
	provider, event, typ, hdrs := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	occurred, received := make([]int64, n), make([]int64, n)
	bodies := make([][]byte, n)
	for i, d := range ds {
		hdr, err := json.Marshal(d.Header)
		if err != nil {
			return nil, fmt.Errorf("webhooks: insert: headers: %w", err)
		}
		provider[i], event[i], typ[i], hdrs[i] = d.Provider, d.EventID, d.Type, string(hdr)
		occurred[i], received[i] = micros(d.OccurredAt), micros(d.ReceivedAt)
		bodies[i] = d.Body
		if bodies[i] == nil {
			bodies[i] = []byte{}
		}
	}
	rows, err := s.db.QueryContext(ctx, insertPostgresSQL, provider, event, typ, occurred, received, hdrs, bodies)
	if err != nil {
		return nil, fmt.Errorf("webhooks: insert: %w", err)
	}
	defer rows.Close()
	type key struct{ provider, event string }
	inserted := make(map[key]int64, n)
	for rows.Next() {
		var id int64
		var k key
		if err := rows.Scan(&id, &k.provider, &k.event); err != nil {
			return nil, fmt.Errorf("webhooks: insert: %w", err)
		}
		inserted[k] = id
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("webhooks: insert: %w", err)
	}
	// The first occurrence of a key in ds gets the new id; later copies in
	// the same batch, and keys already stored, are duplicates.
	res := make([]InsertResult, n)
	for i, d := range ds {
		k := key{d.Provider, d.EventID}
		if id, ok := inserted[k]; ok {
			res[i] = InsertResult{ID: id}
			delete(inserted, k)
		} else {
			res[i] = InsertResult{Duplicate: true}
		}
	}
	return res, nil
}

// insertStmt prepares the insert once per store (SQLite: saves a parse per
// transaction).
func (s *SQLStore) insertStmt(ctx context.Context) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.insert == nil {
		st, err := s.db.PrepareContext(ctx, insertSQL)
		if err != nil {
			return nil, fmt.Errorf("webhooks: insert: prepare: %w", err)
		}
		s.insert = st
	}
	return s.insert, nil
}

const columns = `id, provider, event_id, event_type, occurred_at, received_at, headers, body,
	state, attempts, due_at, lease_token, last_error, updated_at`

// Claim implements [Store].
func (s *SQLStore) Claim(ctx context.Context, req ClaimRequest) ([]Delivery, error) {
	if req.LeaseToken == "" || req.Limit < 1 || req.Lease <= 0 {
		return nil, errors.New("webhooks: claim: lease token, positive lease and limit are required")
	}
	now := micros(req.Now)
	args := []any{req.LeaseToken, micros(req.Now.Add(req.Lease)), now, now}
	var where strings.Builder
	where.WriteString(`state IN ('pending', 'processing') AND due_at <= ?`)
	if len(req.Providers) > 0 {
		where.WriteString(` AND provider IN (`)
		for i, p := range req.Providers {
			if i > 0 {
				where.WriteString(", ")
			}
			where.WriteString("?")
			args = append(args, p)
		}
		where.WriteString(")")
	}
	args = append(args, req.Limit)
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	query := `UPDATE webhook_inbox
	SET state = 'processing', attempts = attempts + 1, lease_token = ?, due_at = ?, updated_at = ?
	WHERE id IN (SELECT id FROM webhook_inbox WHERE ` + where.String() + `
		ORDER BY due_at, id LIMIT ?` + lock + `)
	RETURNING ` + columns
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("webhooks: claim: %w", err)
	}
	ds, err := scanDeliveries(rows)
	if err != nil {
		return nil, fmt.Errorf("webhooks: claim: %w", err)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].ID < ds[j].ID })
	return ds, nil
}

const completeSQL = `UPDATE webhook_inbox SET state = 'done', lease_token = '', updated_at = ?
	WHERE id = ? AND state = 'processing' AND lease_token = ?`

// Complete implements [Store].
func (s *SQLStore) Complete(ctx context.Context, id int64, leaseToken string, now time.Time) error {
	r, err := s.db.ExecContext(ctx, s.q(completeSQL), micros(now), id, leaseToken)
	if err != nil {
		return fmt.Errorf("webhooks: complete %d: %w", id, err)
	}
	return leaseResult(r, id, "complete")
}

// CompleteTx implements [TxStore]: the done mark is written first, so that the
// row stays locked (PostgreSQL) or the database stays locked (SQLite) while fn
// runs, and fn never runs for a claim that lost its lease.
func (s *SQLStore) CompleteTx(ctx context.Context, id int64, leaseToken string, now time.Time, fn func(tx *sql.Tx) error) (err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("webhooks: complete %d: begin: %w", id, err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	r, err := tx.ExecContext(ctx, s.q(completeSQL), micros(now), id, leaseToken)
	if err != nil {
		return fmt.Errorf("webhooks: complete %d: %w", id, err)
	}
	if err := leaseResult(r, id, "complete"); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("webhooks: complete %d: commit: %w", id, err)
	}
	return nil
}

// Fail implements [Store].
func (s *SQLStore) Fail(ctx context.Context, id int64, leaseToken string, f Failure) error {
	state, due := StatePending, micros(f.RetryAt)
	if f.Dead {
		state, due = StateDead, 0
	}
	r, err := s.db.ExecContext(ctx, s.q(`UPDATE webhook_inbox
		SET state = ?, due_at = ?, last_error = ?, lease_token = '', updated_at = ?
		WHERE id = ? AND state = 'processing' AND lease_token = ?`),
		string(state), due, f.Err, micros(f.Now), id, leaseToken)
	if err != nil {
		return fmt.Errorf("webhooks: fail %d: %w", id, err)
	}
	return leaseResult(r, id, "fail")
}

func leaseResult(r sql.Result, id int64, op string) error {
	n, err := r.RowsAffected()
	if err != nil {
		return fmt.Errorf("webhooks: %s %d: %w", op, id, err)
	}
	if n == 0 {
		return fmt.Errorf("webhooks: %s %d: %w", op, id, ErrLeaseLost)
	}
	return nil
}

// Replay implements [Store].
func (s *SQLStore) Replay(ctx context.Context, id int64, now time.Time) error {
	t := micros(now)
	r, err := s.db.ExecContext(ctx, s.q(`UPDATE webhook_inbox
		SET state = 'pending', attempts = 0, due_at = ?, lease_token = '', updated_at = ?
		WHERE id = ? AND state = 'dead'`), t, t, id)
	if err != nil {
		return fmt.Errorf("webhooks: replay %d: %w", id, err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return fmt.Errorf("webhooks: replay %d: %w", id, err)
	}
	if n == 1 {
		return nil
	}
	if _, err := s.Get(ctx, id); err != nil {
		return fmt.Errorf("webhooks: replay: %w", err)
	}
	return fmt.Errorf("webhooks: replay %d: %w", id, ErrNotDead)
}

// Get implements [Store].
func (s *SQLStore) Get(ctx context.Context, id int64) (Delivery, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+columns+` FROM webhook_inbox WHERE id = ?`), id)
	if err != nil {
		return Delivery{}, fmt.Errorf("webhooks: get %d: %w", id, err)
	}
	ds, err := scanDeliveries(rows)
	if err != nil {
		return Delivery{}, fmt.Errorf("webhooks: get %d: %w", id, err)
	}
	if len(ds) == 0 {
		return Delivery{}, fmt.Errorf("webhooks: get %d: %w", id, ErrNotFound)
	}
	return ds[0], nil
}

// List implements [Store].
func (s *SQLStore) List(ctx context.Context, opts ListOptions) ([]Delivery, error) {
	query := `SELECT ` + columns + ` FROM webhook_inbox WHERE id > ?`
	args := []any{opts.AfterID}
	if opts.State != "" {
		query += ` AND state = ?`
		args = append(args, string(opts.State))
	}
	if opts.Provider != "" {
		query += ` AND provider = ?`
		args = append(args, opts.Provider)
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = 100
	}
	query += ` ORDER BY id LIMIT ?`
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("webhooks: list: %w", err)
	}
	ds, err := scanDeliveries(rows)
	if err != nil {
		return nil, fmt.Errorf("webhooks: list: %w", err)
	}
	return ds, nil
}

// Counts implements [Store].
func (s *SQLStore) Counts(ctx context.Context) ([]Count, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT provider, state, COUNT(*) FROM webhook_inbox
		GROUP BY provider, state ORDER BY provider, state`)
	if err != nil {
		return nil, fmt.Errorf("webhooks: counts: %w", err)
	}
	defer rows.Close()
	var cs []Count
	for rows.Next() {
		var c Count
		var st string
		if err := rows.Scan(&c.Provider, &st, &c.N); err != nil {
			return nil, fmt.Errorf("webhooks: counts: %w", err)
		}
		c.State = State(st)
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("webhooks: counts: %w", err)
	}
	return cs, nil
}

// Purge deletes done deliveries last updated before the given time and returns
// how many it deleted. A purged delivery no longer deduplicates a late
// redelivery, so keep done deliveries longer than the providers' retry windows
// (days, not hours).
func (s *SQLStore) Purge(ctx context.Context, before time.Time) (int64, error) {
	r, err := s.db.ExecContext(ctx, s.q(`DELETE FROM webhook_inbox WHERE state = 'done' AND updated_at < ?`), micros(before))
	if err != nil {
		return 0, fmt.Errorf("webhooks: purge: %w", err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("webhooks: purge: %w", err)
	}
	return n, nil
}

func scanDeliveries(rows *sql.Rows) ([]Delivery, error) {
	defer rows.Close()
	var ds []Delivery
	for rows.Next() {
		var (
			d                                Delivery
			occurred, received, due, updated int64
			hdr, state                       string
		)
		if err := rows.Scan(&d.ID, &d.Provider, &d.EventID, &d.Type, &occurred, &received, &hdr, &d.Body,
			&state, &d.Attempts, &due, &d.LeaseToken, &d.LastError, &updated); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(hdr), &d.Header); err != nil {
			return nil, fmt.Errorf("delivery %d headers: %w", d.ID, err)
		}
		if d.Header == nil {
			d.Header = http.Header{}
		}
		if d.Body == nil {
			d.Body = []byte{}
		}
		d.OccurredAt, d.ReceivedAt, d.DueAt, d.UpdatedAt = fromMicros(occurred), fromMicros(received), fromMicros(due), fromMicros(updated)
		d.State = State(state)
		ds = append(ds, d)
	}
	return ds, rows.Err()
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}
