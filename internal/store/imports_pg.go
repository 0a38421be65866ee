package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/kithcrm/kith/internal/importer"
	"github.com/kithcrm/kith/internal/order"
)

// PostgreSQL loads a batch with COPY into a session-local staging table and
// then works set-wise: resolve customers, create the missing ones, upsert
// orders, find repeats, replace lines. Per-row statements would be bound by
// round trips; COPY is not.
const (
	pgCreateStage = `CREATE TEMP TABLE IF NOT EXISTS import_orders (
    idx int, line int, external_id text, cust_key text, cust_ext text, cust_phone text, cust_email text,
    cust_name text, cust_channel text, ordered_at timestamptz, amount bigint, currency text, channel text,
    status text, row_hash bigint, customer_id bigint) ON COMMIT DELETE ROWS`
	pgCreateLineStage = `CREATE TEMP TABLE IF NOT EXISTS import_lines (
    order_ext text, line_no int, sku text, name text, category text, quantity double precision,
    unit_price bigint, amount bigint) ON COMMIT DELETE ROWS`
	pgClearStage        = `TRUNCATE import_orders, import_lines`
	pgAnalyzeStage      = `ANALYZE import_orders`
	pgResolveByExternal = `UPDATE import_orders s SET customer_id = c.id FROM customers c
WHERE s.customer_id IS NULL AND s.cust_ext <> '' AND c.external_id = s.cust_ext`
	pgResolveByPhone = `UPDATE import_orders s SET customer_id = (SELECT min(c.id) FROM customers c WHERE c.phone = s.cust_phone)
WHERE s.customer_id IS NULL AND s.cust_ext = '' AND s.cust_phone <> ''`
	pgResolveByEmail = `UPDATE import_orders s SET customer_id = (SELECT min(c.id) FROM customers c WHERE c.email = s.cust_email)
WHERE s.customer_id IS NULL AND s.cust_ext = '' AND s.cust_phone = '' AND s.cust_email <> ''`
	pgCreateCustomers = `INSERT INTO customers (external_id, name, phone, email, channel, created_at, updated_at, import_run, src_line)
SELECT DISTINCT ON (cust_key) NULLIF(cust_ext, ''), cust_name, NULLIF(cust_phone, ''), NULLIF(cust_email, ''),
    cust_channel, ordered_at, $1, $2, line
FROM import_orders WHERE customer_id IS NULL ORDER BY cust_key, line`
	pgUpsertOrders = `INSERT INTO orders (external_id, customer_id, ordered_at, amount, currency, channel, status, row_hash, import_run, src_line)
SELECT external_id, customer_id, ordered_at, amount, currency, channel, status, row_hash, $1, line FROM import_orders ` + orderConflict
	pgRepeats = `SELECT s.idx, o.src_line, o.row_hash = s.row_hash FROM import_orders s JOIN orders o ON o.external_id = s.external_id
WHERE o.import_run = $1 AND o.src_line <> s.line`
	// pgStampUnchanged marks the rows the upsert left alone as seen by this
	// run, so a repeat in a later batch is caught; its count is the unchanged.
	pgStampUnchanged = `UPDATE orders o SET import_run = $1, src_line = s.line FROM import_orders s
WHERE o.external_id = s.external_id AND o.import_run <> $1`
	pgDeleteLines = `DELETE FROM order_lines l USING orders o, import_orders s
WHERE l.order_id = o.id AND o.external_id = s.external_id AND o.import_run = $1 AND o.src_line = s.line`
	pgInsertLines = `INSERT INTO order_lines (order_id, line_no, sku, name, category, quantity, unit_price, amount)
SELECT o.id, l.line_no, l.sku, l.name, l.category, l.quantity, l.unit_price, l.amount
FROM import_lines l JOIN import_orders s ON s.external_id = l.order_ext JOIN orders o ON o.external_id = l.order_ext
WHERE o.import_run = $1 AND o.src_line = s.line`
)

var stageColumns = []string{"idx", "line", "external_id", "cust_key", "cust_ext", "cust_phone", "cust_email", "cust_name",
	"cust_channel", "ordered_at", "amount", "currency", "channel", "status", "row_hash"}

var lineStageColumns = []string{"order_ext", "line_no", "sku", "name", "category", "quantity", "unit_price", "amount"}

// PreferredBatch is the import batch size: COPY amortises its round trips
// over large batches; SQLite's per-statement work does not care.
func (s *Store) PreferredBatch() int {
	if s.pg != nil {
		return 20000
	}
	return 5000
}

func (s *Store) writeOrdersPG(ctx context.Context, st *runState, run int64, rows []importer.Row[order.Order], withLines bool) (importer.BatchResult, error) {
	if st.first == nil {
		return s.writeStagedPG(ctx, st, run, rows, withLines)
	}
	fast, done, err := s.writeFirstLoadPG(ctx, st, run, rows, withLines)
	if done || err != nil {
		return fast, err
	}
	res, err := s.writeStagedPG(ctx, st, run, rows, withLines)
	res.CustomersCreated += fast.CustomersCreated
	return res, err
}

// writeStagedPG copies a batch into the staging table and works from there.
func (s *Store) writeStagedPG(ctx context.Context, st *runState, run int64, rows []importer.Row[order.Order], withLines bool) (importer.BatchResult, error) {
	var res importer.BatchResult
	var tx pgx.Tx
	var err error
	if st.first != nil {
		tx, err = st.first.pg.Begin(ctx) // a savepoint in the load's transaction
	} else {
		tx, err = s.pg.Begin(ctx)
	}
	if err != nil {
		return res, err
	}
	defer tx.Rollback(ctx)
	stage := []string{pgCreateStage, pgCreateLineStage}
	if st.first != nil {
		// ON COMMIT DELETE ROWS empties them only at a commit, and a first
		// load commits once, at its end; and the first load's COPY batches
		// turn sequential scans off, which these joins need.
		stage = append(stage, pgClearStage, pgSeqScan)
	}
	for _, q := range stage {
		if _, err := tx.Exec(ctx, q); err != nil {
			return res, fmt.Errorf("staging table: %w", err)
		}
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"import_orders"}, stageColumns, pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
		r := &rows[i]
		o := &r.V
		return []any{i, r.Line, o.ExternalID, o.Customer.String(), o.Customer.ExternalID, o.Customer.Phone, o.Customer.Email,
			o.CustomerName, o.CustomerChannel, o.OrderedAt.UTC(), o.Amount, o.Currency, o.Channel, string(o.Status), int64(o.Hash())}, nil
	}))
	if err != nil {
		return res, fmt.Errorf("copy orders: %w", err)
	}
	// A temp table has no statistics; without them the planner joins it to
	// orders by scanning all of orders, once per batch.
	if _, err := tx.Exec(ctx, pgAnalyzeStage); err != nil {
		return res, err
	}
	resolve := func() error {
		for _, q := range []string{pgResolveByExternal, pgResolveByPhone, pgResolveByEmail} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("resolve customers: %w", err)
			}
		}
		return nil
	}
	if err := resolve(); err != nil {
		return res, err
	}
	tag, err := tx.Exec(ctx, pgCreateCustomers, s.Now().UTC(), run)
	if err != nil {
		return res, fmt.Errorf("create customers: %w", err)
	}
	if res.CustomersCreated = int(tag.RowsAffected()); res.CustomersCreated > 0 {
		if err := resolve(); err != nil {
			return res, err
		}
	}
	var maxBefore int64
	if err := tx.QueryRow(ctx, maxOrderID).Scan(&maxBefore); err != nil {
		return res, err
	}
	tag, err = tx.Exec(ctx, pgUpsertOrders, run)
	if err != nil {
		return res, fmt.Errorf("upsert orders: %w", err)
	}
	affected := int(tag.RowsAffected())
	var created int
	if err := tx.QueryRow(ctx, countOrdersAfter, maxBefore).Scan(&created); err != nil {
		return res, err
	}
	if affected < len(rows) {
		if err := findRepeatsPG(ctx, tx, run, rows, withLines, &res); err != nil {
			return res, err
		}
		// Mark the rows the upsert left alone as seen by this run, so a
		// repeat in a later batch is caught.
		if _, err := tx.Exec(ctx, pgStampUnchanged, run); err != nil {
			return res, fmt.Errorf("stamp unchanged orders: %w", err)
		}
	}
	if withLines && affected > 0 {
		if _, err := tx.Exec(ctx, pgDeleteLines, run); err != nil {
			return res, fmt.Errorf("delete lines: %w", err)
		}
		var lines [][]any
		for i := range rows {
			o := &rows[i].V
			for j, l := range o.Lines {
				lines = append(lines, []any{o.ExternalID, j + 1, l.SKU, l.Name, l.Category, l.Quantity, l.UnitPrice, l.Amount})
			}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_lines"}, lineStageColumns, pgx.CopyFromRows(lines)); err != nil {
			return res, fmt.Errorf("copy lines: %w", err)
		}
		if _, err := tx.Exec(ctx, pgInsertLines, run); err != nil {
			return res, fmt.Errorf("insert lines: %w", err)
		}
	}
	if affected > 0 { // orders changed: the order snapshot is stale
		if _, err := tx.Exec(ctx, bumpOrdersVersion); err != nil {
			return res, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return res, err
	}
	res.Created, res.Updated = created, affected-created
	res.Unchanged = len(rows) - affected - len(res.Rejects)
	return res, nil
}

// findRepeatsPG reports the batch's orders whose id this run already wrote
// from another line (a repeat within the file).
func findRepeatsPG(ctx context.Context, tx pgx.Tx, run int64, rows []importer.Row[order.Order], withLines bool, res *importer.BatchResult) error {
	reps, err := tx.Query(ctx, pgRepeats, run)
	if err != nil {
		return fmt.Errorf("find repeats: %w", err)
	}
	defer reps.Close()
	for reps.Next() {
		var idx, first int
		var same bool
		if err := reps.Scan(&idx, &first, &same); err != nil {
			return err
		}
		rj := orderDuplicate(&rows[idx].V, same, first, withLines)
		rj.Index = idx
		res.Rejects = append(res.Rejects, rj)
	}
	return reps.Err()
}
