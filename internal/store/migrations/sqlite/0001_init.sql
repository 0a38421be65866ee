-- +goose Up
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL DEFAULT 'rep' CHECK (role IN ('admin', 'manager', 'rep')),
    password_hash TEXT NOT NULL DEFAULT '',
    skills        TEXT NOT NULL DEFAULT '',
    capacity      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

CREATE TABLE import_runs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    file        TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    read_rows   INTEGER NOT NULL DEFAULT 0,
    created     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE customers (
    id             INTEGER PRIMARY KEY,
    external_id    TEXT UNIQUE,
    name           TEXT NOT NULL DEFAULT '',
    phone          TEXT,
    email          TEXT,
    gender         TEXT NOT NULL DEFAULT '',
    birthday       TEXT,
    birthday_lunar INTEGER NOT NULL DEFAULT 0,
    city           TEXT NOT NULL DEFAULT '',
    region         TEXT NOT NULL DEFAULT '',
    company        TEXT NOT NULL DEFAULT '',
    company_size   INTEGER NOT NULL DEFAULT 0,
    channel        TEXT NOT NULL DEFAULT '',
    referrer_id    INTEGER REFERENCES customers (id),
    referrer_ref   TEXT NOT NULL DEFAULT '',
    owner_id       INTEGER REFERENCES users (id),
    owner_ref      TEXT NOT NULL DEFAULT '',
    attrs          TEXT NOT NULL DEFAULT '{}',
    notes          TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    row_hash       INTEGER NOT NULL DEFAULT 0,
    import_run     INTEGER NOT NULL DEFAULT 0,
    src_line       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX customers_phone ON customers (phone) WHERE phone IS NOT NULL;
CREATE INDEX customers_email ON customers (email) WHERE email IS NOT NULL;
CREATE INDEX customers_referrer ON customers (referrer_id) WHERE referrer_id IS NOT NULL;
CREATE INDEX customers_owner ON customers (owner_id) WHERE owner_id IS NOT NULL;

CREATE TABLE customer_tags (
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    PRIMARY KEY (customer_id, tag)
);
CREATE INDEX customer_tags_tag ON customer_tags (tag);

CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    ordered_at  TEXT NOT NULL,
    amount      INTEGER NOT NULL,
    currency    TEXT NOT NULL,
    channel     TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'paid' CHECK (status IN ('paid', 'refunded', 'cancelled')),
    row_hash    INTEGER NOT NULL DEFAULT 0,
    import_run  INTEGER NOT NULL DEFAULT 0,
    src_line    INTEGER NOT NULL DEFAULT 0
);
-- Covering index for the analytics scan (customer_id, ordered_at, amount).
CREATE INDEX orders_customer_time ON orders (customer_id, ordered_at, amount, status);

CREATE TABLE order_lines (
    order_id   INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no    INTEGER NOT NULL,
    sku        TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    category   TEXT NOT NULL DEFAULT '',
    quantity   REAL NOT NULL,
    unit_price INTEGER NOT NULL,
    amount     INTEGER NOT NULL,
    PRIMARY KEY (order_id, line_no)
);
CREATE INDEX order_lines_sku ON order_lines (sku);

CREATE TABLE products (
    sku                   TEXT PRIMARY KEY,
    name                  TEXT NOT NULL DEFAULT '',
    category              TEXT NOT NULL DEFAULT '',
    consumption_days      INTEGER NOT NULL DEFAULT 0,
    service_interval_days INTEGER NOT NULL DEFAULT 0,
    lifespan_days         INTEGER NOT NULL DEFAULT 0,
    row_hash              INTEGER NOT NULL DEFAULT 0,
    import_run            INTEGER NOT NULL DEFAULT 0,
    src_line              INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE spend (
    id         INTEGER PRIMARY KEY,
    day        TEXT NOT NULL,
    channel    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    amount     INTEGER NOT NULL,
    currency   TEXT NOT NULL,
    import_run INTEGER NOT NULL DEFAULT 0,
    UNIQUE (day, channel, kind)
);

CREATE TABLE traffic (
    id          INTEGER PRIMARY KEY,
    day         TEXT NOT NULL,
    channel     TEXT NOT NULL,
    visitors    INTEGER NOT NULL,
    conversions INTEGER NOT NULL DEFAULT 0,
    import_run  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (day, channel)
);
