package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
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
    cust_name text, cust_channel text, cust_city text, cust_region text, ordered_at timestamptz, amount bigint, currency text, channel text,
    status text, row_hash bigint, customer_id bigint,
    order_id bigint, stored_hash bigint, stored_run bigint, stored_line bigint) ON COMMIT DELETE ROWS`
	pgCreateLineStage = `CREATE TEMP TABLE IF NOT EXISTS import_lines (
    order_ext text, line_no int, sku text, name text, category text, quantity double precision,
    unit_price bigint, amount bigint) ON COMMIT DELETE ROWS`
	pgClearStage = `TRUNCATE import_orders, import_lines`
	// Outside a first load a batch's joins go row by row through the
	// tables' indexes. Left to itself the planner hashes the batch and
	// scans all of orders (or customers) for it: 160 ms a 20,000-row batch
	// against a million orders, and more as the shop grows, against 40 ms
	// through the index. Compiling each statement (JIT) cost more than
	// running it.
	pgIndexJoins        = `SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true), set_config('jit', 'off', true)`
	pgAnalyzeStage      = `ANALYZE import_orders`
	pgResolveByExternal = `UPDATE import_orders s SET customer_id = c.id FROM customers c
WHERE s.customer_id IS NULL AND s.cust_ext <> '' AND c.external_id = s.cust_ext`
	pgResolveByPhone = `UPDATE import_orders s SET customer_id = (SELECT min(c.id) FROM customers c WHERE c.phone = s.cust_phone)
WHERE s.customer_id IS NULL AND s.cust_ext = '' AND s.cust_phone <> ''`
	pgResolveByEmail = `UPDATE import_orders s SET customer_id = (SELECT min(c.id) FROM customers c WHERE c.email = s.cust_email)
WHERE s.customer_id IS NULL AND s.cust_ext = '' AND s.cust_phone = '' AND s.cust_email <> ''`
	// After the three above: a key no customer holds may be one merged
	// into another customer (customer_aliases).
	pgResolveByAlias = `UPDATE import_orders s SET customer_id = a.customer_id FROM customer_aliases a
WHERE s.customer_id IS NULL
    AND a.kind = CASE WHEN s.cust_ext <> '' THEN 'external_id' WHEN s.cust_phone <> '' THEN 'phone' ELSE 'email' END
    AND a.key = CASE WHEN s.cust_ext <> '' THEN s.cust_ext WHEN s.cust_phone <> '' THEN s.cust_phone ELSE s.cust_email END`
	pgCreateCustomers = `INSERT INTO customers (external_id, name, phone, email, channel, city, region, created_at, updated_at, import_run, src_line)
SELECT DISTINCT ON (cust_key) NULLIF(cust_ext, ''), cust_name, NULLIF(cust_phone, ''), NULLIF(cust_email, ''),
    cust_channel, cust_city, cust_region, ordered_at, $1, $2, line
FROM import_orders WHERE customer_id IS NULL ORDER BY cust_key, line`
	pgUpsertOrders = `INSERT INTO orders (external_id, customer_id, ordered_at, amount, currency, channel, status, row_hash, import_run, src_line)
SELECT external_id, customer_id, ordered_at, amount, currency, channel, status, row_hash, $1, line FROM import_orders ` + orderConflict
	// The upsert reports how many of its rows it inserted: ids come from
	// the identity sequence, so the new ones are above the batch's max.
	pgUpsertCounted = `WITH u AS (` + pgUpsertOrders + ` RETURNING id) SELECT count(*), count(*) FILTER (WHERE id > $2) FROM u`
	// In a first load the orders table holds only this run's rows, and a
	// stored order the batch names is a repeat within the file.
	pgRepeats = `SELECT s.idx, o.src_line, o.row_hash = s.row_hash FROM import_orders s JOIN orders o ON o.external_id = s.external_id
WHERE o.import_run = $1 AND o.src_line <> s.line`
	// Otherwise the batch's stored orders are looked up once, before
	// anything is written, and settled from the staging table: a repeat
	// within the file is one this run wrote (import_run) or found unchanged
	// (import_seen) at an earlier line; an unchanged one is noted in
	// import_seen; both leave the staging table, so customers are resolved
	// and orders upserted for new and changed rows only.
	pgFindStored = `UPDATE import_orders s SET order_id = o.id, stored_hash = o.row_hash, stored_run = o.import_run, stored_line = o.src_line
FROM orders o WHERE o.external_id = s.external_id`
	pgStoredRepeats = `SELECT s.idx, COALESCE(v.line, s.stored_line), s.stored_hash = s.row_hash
FROM import_orders s LEFT JOIN import_seen v ON v.order_id = s.order_id
WHERE s.order_id IS NOT NULL AND (s.stored_run = $1 OR v.order_id IS NOT NULL)`
	pgSeeUnchanged = `INSERT INTO import_seen (order_id, line) SELECT s.order_id, s.line FROM import_orders s
WHERE s.stored_hash = s.row_hash AND s.stored_run <> $1 AND NOT EXISTS (SELECT 1 FROM import_seen v WHERE v.order_id = s.order_id)`
	pgDropSettled = `DELETE FROM import_orders s WHERE s.order_id IS NOT NULL
    AND (s.stored_hash = s.row_hash OR s.stored_run = $1 OR EXISTS (SELECT 1 FROM import_seen v WHERE v.order_id = s.order_id))`
	pgCreateSeen  = `CREATE TEMP TABLE import_seen (order_id bigint PRIMARY KEY, line bigint NOT NULL)`
	pgDropSeen    = `DROP TABLE IF EXISTS import_seen`
	pgDeleteLines = `DELETE FROM order_lines l USING orders o, import_orders s
WHERE l.order_id = o.id AND o.external_id = s.external_id AND o.import_run = $1 AND o.src_line = s.line`
	pgInsertLines = `INSERT INTO order_lines (order_id, line_no, sku, name, category, quantity, unit_price, amount)
SELECT o.id, l.line_no, l.sku, l.name, l.category, l.quantity, l.unit_price, l.amount
FROM import_lines l JOIN import_orders s ON s.external_id = l.order_ext JOIN orders o ON o.external_id = l.order_ext
WHERE o.import_run = $1 AND o.src_line = s.line`
)

var stageColumns = []string{"idx", "line", "external_id", "cust_key", "cust_ext", "cust_phone", "cust_email", "cust_name",
	"cust_channel", "cust_city", "cust_region", "ordered_at", "amount", "currency", "channel", "status", "row_hash"}

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
	res.CustomersPlaced += fast.CustomersPlaced
	return res, err
}

// fillPlacesOn runs fillPlaces in a PostgreSQL transaction.
func (s *Store) fillPlacesOn(ctx context.Context, tx pgx.Tx, st *runState, rows []importer.Row[order.Order]) (int, error) {
	return fillPlaces(st, rows, func(q string, args ...any) (int64, error) {
		tag, err := tx.Exec(ctx, q, args...)
		return tag.RowsAffected(), err
	}, s.Now().UTC(), true)
}

// A PostgreSQL customers import notes the customers it finds unchanged in
// import_seen_customers, a temporary table on a connection held for the
// run, instead of stamping them (stampCustomers).
const (
	pgCreateSeenCustomers = `CREATE TEMP TABLE import_seen_customers (customer_id bigint PRIMARY KEY, line bigint NOT NULL)`
	pgDropSeenCustomers   = `DROP TABLE IF EXISTS import_seen_customers`
	pgSeeCustomers        = `INSERT INTO import_seen_customers (customer_id, line) SELECT * FROM unnest($1::bigint[], $2::bigint[])
ON CONFLICT DO NOTHING`
	pgSeenCustomers = `SELECT customer_id, line FROM import_seen_customers WHERE customer_id = ANY($1)`
)

// beginSeenCustomers holds a connection for a customers import, with an
// empty import_seen_customers on it.
func (s *Store) beginSeenCustomers(ctx context.Context) (*sql.Conn, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	for _, q := range []string{pgDropSeenCustomers, pgCreateSeenCustomers} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			conn.Close()
			return nil, fmt.Errorf("unchanged customers table: %w", err)
		}
	}
	return conn, nil
}

// releaseSeenCustomers drops the table and returns the connection to the
// pool, or discards the connection when the table cannot be dropped.
func releaseSeenCustomers(conn *sql.Conn) {
	// Without the caller's context: an interrupted import still cleans up.
	if _, err := conn.ExecContext(context.Background(), pgDropSeenCustomers); err != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	conn.Close()
}

// seenPG is the connection an orders import that is not a first load runs
// on, and its session table of the orders the run found unchanged. Marking
// them in orders itself (import_run, as the rows the run writes are marked)
// made PostgreSQL write a new version of every row and its three index
// entries: re-importing an unchanged export took six times as long as the
// first load (docs/benchmarks.md). A temporary table is not WAL-logged and
// goes with the connection if the process dies.
type seenPG struct {
	conn *pgxpool.Conn
}

func (s *Store) beginSeenPG(ctx context.Context) (*seenPG, error) {
	conn, err := s.pg.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	if err := newSeenTable(ctx, conn); err != nil {
		conn.Release()
		return nil, err
	}
	return &seenPG{conn: conn}, nil
}

// newSeenTable makes an empty import_seen on db's session (a connection,
// or a transaction of a load's), dropping one an earlier run left there.
func newSeenTable(ctx context.Context, db interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}) error {
	for _, q := range []string{pgDropSeen, pgCreateSeen} {
		if _, err := db.Exec(ctx, q); err != nil {
			return fmt.Errorf("unchanged orders table: %w", err)
		}
	}
	return nil
}

// release drops the table and returns the connection to the pool, or
// closes the connection when the table cannot be dropped.
func (sp *seenPG) release() {
	// Without the caller's context: an interrupted import still cleans up.
	ctx := context.Background()
	if _, err := sp.conn.Exec(ctx, pgDropSeen); err != nil {
		_ = sp.conn.Hijack().Close(ctx)
		return
	}
	sp.conn.Release()
}

// writeStagedPG copies a batch into the staging table and works from there.
func (s *Store) writeStagedPG(ctx context.Context, st *runState, run int64, rows []importer.Row[order.Order], withLines bool) (importer.BatchResult, error) {
	var res importer.BatchResult
	var tx pgx.Tx
	var err error
	switch {
	case st.first != nil:
		tx, err = st.loadTx().Begin(ctx) // a savepoint in the load's transaction
	case st.seen != nil:
		tx, err = st.seen.conn.Begin(ctx)
	default:
		return res, fmt.Errorf("import run %d was not begun", run)
	}
	if err != nil {
		return res, err
	}
	defer tx.Rollback(ctx)
	stage := []string{pgCreateStage, pgCreateLineStage}
	if st.first != nil {
		// ON COMMIT DELETE ROWS empties them only at a commit, and a first
		// load commits once, at its end.
		stage = append(stage, pgClearStage)
	}
	if st.fresh {
		// The first load's COPY batches turn sequential scans off, which
		// these joins need.
		stage = append(stage, pgSeqScan)
	} else {
		stage = append(stage, pgIndexJoins)
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
			o.CustomerName, o.CustomerChannel, o.CustomerCity, o.CustomerRegion, o.OrderedAt.UTC(), o.Amount, o.Currency, o.Channel, string(o.Status), int64(o.Hash())}, nil
	}))
	if err != nil {
		return res, fmt.Errorf("copy orders: %w", err)
	}
	if res.CustomersPlaced, err = s.fillPlacesOn(ctx, tx, st, rows); err != nil {
		return res, err
	}
	if st.fresh {
		// A temp table has no statistics; without them the planner joins
		// it to orders by scanning all of orders.
		if _, err := tx.Exec(ctx, pgAnalyzeStage); err != nil {
			return res, err
		}
	} else if err := settleStoredPG(ctx, tx, run, rows, withLines, &res); err != nil {
		return res, err
	}
	resolvers := []string{pgResolveByExternal, pgResolveByPhone, pgResolveByEmail}
	if len(st.aliases) > 0 {
		resolvers = append(resolvers, pgResolveByAlias)
	}
	resolve := func() error {
		for _, q := range resolvers {
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
	var affected, created int
	if err := tx.QueryRow(ctx, pgUpsertCounted, run, maxBefore).Scan(&affected, &created); err != nil {
		return res, fmt.Errorf("upsert orders: %w", err)
	}
	if st.fresh && affected < len(rows) {
		if err := findRepeatsPG(ctx, tx, pgRepeats, run, rows, withLines, &res); err != nil {
			return res, err
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
	switch {
	case affected > 0: // orders changed: the order snapshot is stale
		if _, err := tx.Exec(ctx, bumpOrdersVersion); err != nil {
			return res, err
		}
	case res.CustomersPlaced > 0:
		if _, err := tx.Exec(ctx, bumpDataVersion); err != nil {
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

// settleStoredPG takes the batch's orders that are already stored out of
// the staging table: repeats within the file are rejected, unchanged ones
// noted as seen by the run.
func settleStoredPG(ctx context.Context, tx pgx.Tx, run int64, rows []importer.Row[order.Order], withLines bool, res *importer.BatchResult) error {
	tag, err := tx.Exec(ctx, pgFindStored)
	if err != nil {
		return fmt.Errorf("find stored orders: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return nil
	}
	if err := findRepeatsPG(ctx, tx, pgStoredRepeats, run, rows, withLines, res); err != nil {
		return err
	}
	for _, q := range []string{pgSeeUnchanged, pgDropSettled} {
		if _, err := tx.Exec(ctx, q, run); err != nil {
			return fmt.Errorf("settle stored orders: %w", err)
		}
	}
	return nil
}

// findRepeatsPG reports the batch's orders whose id this run already wrote
// from another line (a repeat within the file).
func findRepeatsPG(ctx context.Context, tx pgx.Tx, query string, run int64, rows []importer.Row[order.Order], withLines bool, res *importer.BatchResult) error {
	reps, err := tx.Query(ctx, query, run)
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
