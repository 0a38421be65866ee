-- +goose Up
-- Model scores per customer and as-of date (design.md §3). Money in minor units.
CREATE TABLE scores (
    customer_id        INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    as_of              TEXT NOT NULL,
    model              TEXT NOT NULL,
    horizon_days       INTEGER NOT NULL,
    p_alive            REAL NOT NULL,
    expected_purchases REAL NOT NULL,
    purchases_lo       REAL,
    purchases_hi       REAL,
    prob_no_purchase   REAL NOT NULL,
    expected_spend     INTEGER NOT NULL,
    clv                INTEGER NOT NULL,
    clv_lo             INTEGER,
    clv_hi             INTEGER,
    currency           TEXT NOT NULL,
    computed_at        TEXT NOT NULL,
    PRIMARY KEY (customer_id, as_of)
);
CREATE INDEX scores_as_of ON scores (as_of);
