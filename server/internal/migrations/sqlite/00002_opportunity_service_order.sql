-- +goose Up
CREATE TABLE opportunity_service_order (
	id                     INTEGER     PRIMARY KEY AUTOINCREMENT,
	opportunity_id         VARCHAR(17) NOT NULL CHECK (length(opportunity_id) BETWEEN 1 AND 17),
	service_order_id       INTEGER     NOT NULL,
	metadata               JSON        NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
	facturado              BOOLEAN     NOT NULL DEFAULT 0,
	invoice_result_head_id INTEGER,
	url_soles              TEXT,
	url_dolares            TEXT,
	last_checked_at        TIMESTAMP,
	created_at             TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP,
	updated_at             TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP,
	UNIQUE (opportunity_id, service_order_id)
);
CREATE INDEX opportunity_service_order_pending
	ON opportunity_service_order (last_checked_at) WHERE facturado = 0;

-- +goose Down
DROP TABLE opportunity_service_order;
