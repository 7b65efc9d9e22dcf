package webhooks

// SQLiteSchema is the inbox DDL for SQLite. It is idempotent (IF NOT EXISTS);
// [SQLStore.Migrate] runs it, and the server's migrations may embed it as is.
// Times are unix microseconds (UTC); 0 means "unset".
const SQLiteSchema = `
CREATE TABLE IF NOT EXISTS webhook_inbox (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	provider    TEXT    NOT NULL,
	event_id    TEXT    NOT NULL,
	event_type  TEXT    NOT NULL DEFAULT '',
	occurred_at INTEGER NOT NULL DEFAULT 0,
	received_at INTEGER NOT NULL,
	headers     TEXT    NOT NULL DEFAULT '{}',
	body        BLOB    NOT NULL,
	state       TEXT    NOT NULL DEFAULT 'pending'
	            CHECK (state IN ('pending', 'processing', 'done', 'dead')),
	attempts    INTEGER NOT NULL DEFAULT 0,
	due_at      INTEGER NOT NULL,
	lease_token TEXT    NOT NULL DEFAULT '',
	last_error  TEXT    NOT NULL DEFAULT '',
	updated_at  INTEGER NOT NULL,
	UNIQUE (provider, event_id)
);
CREATE INDEX IF NOT EXISTS webhook_inbox_due
	ON webhook_inbox (due_at, id) WHERE state IN ('pending', 'processing');
CREATE INDEX IF NOT EXISTS webhook_inbox_dead
	ON webhook_inbox (id) WHERE state = 'dead';
`

// PostgresSchema is the inbox DDL for PostgreSQL, in the connection's current
// schema (search_path). It is idempotent like [SQLiteSchema] and has the same
// columns and meaning.
const PostgresSchema = `
CREATE TABLE IF NOT EXISTS webhook_inbox (
	id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	provider    TEXT    NOT NULL,
	event_id    TEXT    NOT NULL,
	event_type  TEXT    NOT NULL DEFAULT '',
	occurred_at BIGINT  NOT NULL DEFAULT 0,
	received_at BIGINT  NOT NULL,
	headers     TEXT    NOT NULL DEFAULT '{}',
	body        BYTEA   NOT NULL,
	state       TEXT    NOT NULL DEFAULT 'pending'
	            CHECK (state IN ('pending', 'processing', 'done', 'dead')),
	attempts    INTEGER NOT NULL DEFAULT 0,
	due_at      BIGINT  NOT NULL,
	lease_token TEXT    NOT NULL DEFAULT '',
	last_error  TEXT    NOT NULL DEFAULT '',
	updated_at  BIGINT  NOT NULL,
	UNIQUE (provider, event_id)
);
CREATE INDEX IF NOT EXISTS webhook_inbox_due
	ON webhook_inbox (due_at, id) WHERE state IN ('pending', 'processing');
CREATE INDEX IF NOT EXISTS webhook_inbox_dead
	ON webhook_inbox (id) WHERE state = 'dead';
`

// DropSchema removes the inbox table (and its indexes) in either dialect; it is
// the "down" step of a migration that ran SQLiteSchema or PostgresSchema.
const DropSchema = `DROP TABLE IF EXISTS webhook_inbox;`
