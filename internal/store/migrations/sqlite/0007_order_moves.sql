-- +goose Up
-- An import that updates a stored order to another customer notes it here
-- (the order, the run, the customer it had): the run's end names such
-- orders, which are mostly another order under the same number (a till
-- that numbers each day anew, two platforms numbering alike), then forgets
-- them. A merge moves orders without a new run and is not noted.
CREATE TABLE order_moves (
    run           INTEGER NOT NULL,
    order_id      INTEGER NOT NULL,
    from_customer INTEGER NOT NULL
);
CREATE INDEX order_moves_run ON order_moves (run);
-- +goose StatementBegin
CREATE TRIGGER orders_moved AFTER UPDATE OF customer_id ON orders
WHEN old.customer_id IS NOT new.customer_id AND old.import_run IS NOT new.import_run
BEGIN
    INSERT INTO order_moves (run, order_id, from_customer) VALUES (new.import_run, new.id, old.customer_id);
END;
-- +goose StatementEnd
