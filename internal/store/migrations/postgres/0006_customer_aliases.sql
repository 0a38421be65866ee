-- +goose Up
-- The keys of customers merged into others (kith customer merge, the API's
-- merge): an import that names one finds the customer it was merged into
-- instead of creating the duplicate again. kind is external_id, phone or
-- email, as a file names a customer.
CREATE TABLE customer_aliases (
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL,
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    PRIMARY KEY (kind, key)
);
CREATE INDEX customer_aliases_customer ON customer_aliases (customer_id);
