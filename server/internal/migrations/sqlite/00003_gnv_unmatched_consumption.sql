-- +goose Up
-- litres and amount are decimal text (never REAL): "41.250", "61.88".
CREATE TABLE gnv_unmatched_consumption (
	id             INTEGER   PRIMARY KEY AUTOINCREMENT,
	transaction_id TEXT      NOT NULL UNIQUE,
	plates         TEXT      NOT NULL,
	station        TEXT      NOT NULL,
	litres         TEXT      NOT NULL,
	amount         TEXT      NOT NULL,
	occurred_at    TIMESTAMP NOT NULL,
	received_at    TIMESTAMP NOT NULL,
	applied_at     TIMESTAMP
);
CREATE INDEX gnv_unmatched_consumption_plates
	ON gnv_unmatched_consumption (plates) WHERE applied_at IS NULL;

-- +goose Down
DROP TABLE gnv_unmatched_consumption;
