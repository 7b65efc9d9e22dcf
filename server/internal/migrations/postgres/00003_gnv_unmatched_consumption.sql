-- +goose Up
CREATE TABLE gnv_unmatched_consumption (
	id             BIGINT        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	transaction_id TEXT          NOT NULL UNIQUE,
	plates         TEXT          NOT NULL,
	station        TEXT          NOT NULL,
	litres         NUMERIC(12,3) NOT NULL,
	amount         NUMERIC(14,2) NOT NULL,
	occurred_at    TIMESTAMPTZ   NOT NULL,
	received_at    TIMESTAMPTZ   NOT NULL,
	applied_at     TIMESTAMPTZ
);
CREATE INDEX gnv_unmatched_consumption_plates
	ON gnv_unmatched_consumption (plates) WHERE applied_at IS NULL;

-- +goose Down
DROP TABLE gnv_unmatched_consumption;
