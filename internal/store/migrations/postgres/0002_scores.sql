-- +goose Up
-- Model scores per customer and as-of date (design.md §3). Money in minor units.
CREATE TABLE scores (
    customer_id        BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    as_of              DATE NOT NULL,
    model              TEXT NOT NULL,
    horizon_days       BIGINT NOT NULL,
    p_alive            DOUBLE PRECISION NOT NULL,
    expected_purchases DOUBLE PRECISION NOT NULL,
    purchases_lo       DOUBLE PRECISION,
    purchases_hi       DOUBLE PRECISION,
    prob_no_purchase   DOUBLE PRECISION NOT NULL,
    expected_spend     BIGINT NOT NULL,
    clv                BIGINT NOT NULL,
    clv_lo             BIGINT,
    clv_hi             BIGINT,
    currency           TEXT NOT NULL,
    computed_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (customer_id, as_of)
);
CREATE INDEX scores_as_of ON scores (as_of);
