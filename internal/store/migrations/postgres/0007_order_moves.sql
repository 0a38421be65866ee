-- +goose Up
-- An import that updates a stored order to another customer notes it here
-- (the order, the run, the customer it had): the run's end names such
-- orders, which are mostly another order under the same number (a till
-- that numbers each day anew, two platforms numbering alike), then forgets
-- them. A merge moves orders without a new run and is not noted.
CREATE TABLE order_moves (
    run           BIGINT NOT NULL,
    order_id      BIGINT NOT NULL,
    from_customer BIGINT NOT NULL
);
CREATE INDEX order_moves_run ON order_moves (run);
-- +goose StatementBegin
CREATE FUNCTION note_order_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO order_moves (run, order_id, from_customer) VALUES (NEW.import_run, NEW.id, OLD.customer_id);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER orders_moved AFTER UPDATE OF customer_id ON orders FOR EACH ROW
WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id AND OLD.import_run IS DISTINCT FROM NEW.import_run)
EXECUTE FUNCTION note_order_move();
