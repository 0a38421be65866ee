-- +goose Up
-- A columnar snapshot of the paid orders (customer, time, amount) that the
-- analytics read at memory speed; rebuilt when meta.orders_version, bumped
-- by every batch that changes orders, has moved past it.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('orders_version', 1);

CREATE TABLE order_snapshot (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL,
    orders   BIGINT NOT NULL,
    data     BYTEA NOT NULL,
    built_at TIMESTAMPTZ NOT NULL
);
