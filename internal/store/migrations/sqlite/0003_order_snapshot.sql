-- +goose Up
-- A columnar snapshot of the paid orders (customer, time, amount) that the
-- analytics read at memory speed; rebuilt when meta.orders_version, bumped
-- by every batch that changes orders, has moved past it.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO meta (key, value) VALUES ('orders_version', 1);

CREATE TABLE order_snapshot (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL,
    orders   INTEGER NOT NULL,
    data     BLOB NOT NULL,
    built_at TEXT NOT NULL
);
