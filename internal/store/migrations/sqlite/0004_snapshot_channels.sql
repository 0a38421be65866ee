-- +goose Up
-- Customers' acquisition channels join the order snapshot (the CAC report
-- reads one per customer); meta.orders_version now also moves when
-- customers change.
ALTER TABLE order_snapshot ADD COLUMN channels BLOB;
