-- +goose Up
CREATE TABLE opportunity_service_order (
	id                     BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	opportunity_id         VARCHAR(17) NOT NULL CHECK (length(opportunity_id) >= 1),
	service_order_id       BIGINT      NOT NULL,
	metadata               JSON        NOT NULL DEFAULT '{}',
	facturado              BOOLEAN     NOT NULL DEFAULT FALSE,
	invoice_result_head_id BIGINT,
	url_soles              TEXT,
	url_dolares            TEXT,
	last_checked_at        TIMESTAMPTZ,
	created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
	updated_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
	UNIQUE (opportunity_id, service_order_id)
);
CREATE INDEX opportunity_service_order_pending
	ON opportunity_service_order (last_checked_at) WHERE NOT facturado;

-- +goose Down
DROP TABLE opportunity_service_order;
