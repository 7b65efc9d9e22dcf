-- +goose Up
CREATE TABLE idempotency_keys (
	scope           TEXT    NOT NULL,
	idem_key        TEXT    NOT NULL,
	request_hash    TEXT    NOT NULL,
	state           TEXT    NOT NULL CHECK (state IN ('in_flight', 'done')),
	response_status INTEGER NOT NULL DEFAULT 0,
	content_type    TEXT    NOT NULL DEFAULT '',
	response_body   BYTEA,
	created_at      BIGINT  NOT NULL,
	expires_at      BIGINT  NOT NULL,
	PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
