package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/kithcrm/kith/internal/customer"
	"github.com/kithcrm/kith/internal/importer"
	"github.com/kithcrm/kith/internal/order"
)

// A first load is an orders or line-item import into an empty orders table:
// a shop's history arriving at once. It runs as one transaction with the covering
// index (and on PostgreSQL the foreign key to customers) dropped at the start
// and rebuilt at the end, because building an index once from all rows is
// several times cheaper than maintaining it row by row, and a foreign key
// check per row is most of the cost of a PostgreSQL insert. The unique index
// on external_id stays, so a repeated order id is still caught as it
// arrives. Customer ids come from rows the same transaction found or
// created, which is why skipping the per-row foreign key check is safe; the
// rebuilt constraint on PostgreSQL checks them all again at the end.
//
// One transaction makes the load all or nothing: readers see the empty table
// until it commits (SQLite's WAL readers keep reading, unless the load has
// the database to itself and set the WAL aside, rollbackJournal; PostgreSQL
// readers of orders wait for the lock), a failure or kill -9 leaves the
// database as it was, and running the import again starts over.
//
// The files of one command or upload share one first load (load.go).
type firstLoad struct {
	conn *sql.Conn // SQLite: the single writer connection, held throughout
	tx   *sql.Tx   // SQLite
	pg   pgx.Tx    // PostgreSQL
	raw  *rawStmts // SQLite: the load's inserts, on conn's driver connection
	// SQLite: the load writes through a rollback journal, not the WAL
	// (rollbackJournal).
	journal bool
}

// rawStmts runs a SQLite first load's multi-row inserts on the driver's
// connection, under database/sql: database/sql converts every call's
// arguments into a new []driver.NamedValue (1,000 of them for a 100-row
// insert of orders), which was 27% of a 1M-row load's allocations and 10%
// of its writer's time. The statements run in the load's transaction,
// which is the connection's, and live as long as the connection is held.
type rawStmts struct {
	conn  *sql.Conn
	stmts map[string]driver.Stmt
	named []driver.NamedValue
}

// exec runs q with args and returns how many rows it changed. An int
// argument goes as int64, as database/sql would convert it; the load's
// other arguments are driver values already.
func (r *rawStmts) exec(ctx context.Context, q string, args []any) (int64, error) {
	var n int64
	err := r.conn.Raw(func(dc any) error {
		st, ok := r.stmts[q]
		if !ok {
			prep, ok := dc.(driver.ConnPrepareContext)
			if !ok {
				return fmt.Errorf("first load: driver connection %T cannot prepare", dc)
			}
			var err error
			if st, err = prep.PrepareContext(ctx, q); err != nil {
				return err
			}
			r.stmts[q] = st
		}
		ex, ok := st.(driver.StmtExecContext)
		if !ok {
			return fmt.Errorf("first load: driver statement %T cannot execute", st)
		}
		r.named = r.named[:0]
		for i, a := range args {
			if v, ok := a.(int); ok {
				a = int64(v)
			}
			r.named = append(r.named, driver.NamedValue{Ordinal: i + 1, Value: a})
		}
		res, err := ex.ExecContext(ctx, r.named)
		clear(r.named) // the batch's strings are not kept alive
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// close finalizes the statements, before the connection goes back.
func (r *rawStmts) close() {
	_ = r.conn.Raw(func(any) error {
		for _, st := range r.stmts {
			st.Close()
		}
		return nil
	})
	clear(r.stmts)
}

const (
	ordersEmpty     = `SELECT NOT EXISTS (SELECT 1 FROM orders)`
	dropOrdersIndex = `DROP INDEX orders_customer_time`
	// IF NOT EXISTS: a SQLite load whose first file was rolled back has
	// its index back, and Open builds one that a killed load left out.
	createOrdersIndex = `CREATE INDEX IF NOT EXISTS orders_customer_time ON orders (customer_id, ordered_at, amount, status)`
	pgLockOrders      = `LOCK TABLE orders IN ACCESS EXCLUSIVE MODE`
	pgDropOrdersFK    = `ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey`
	pgAddOrdersFK     = `ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id)`
	// Line items' foreign key to orders and their sku index go the same way
	// (a PostgreSQL line-item load spent 4.95 s of 9.5 s in COPYing lines,
	// the key's trigger checking each); the lines reference the orders the
	// load itself wrote, and the re-added key checks them all again.
	pgDropLinesFK    = `ALTER TABLE order_lines DROP CONSTRAINT order_lines_order_id_fkey`
	pgAddLinesFK     = `ALTER TABLE order_lines ADD CONSTRAINT order_lines_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE`
	pgDropLinesIndex = `DROP INDEX order_lines_sku`
	pgAddLinesIndex  = `CREATE INDEX order_lines_sku ON order_lines (sku)`
)

// beginFirstLoad starts a first load when the orders table is empty, and
// returns nil (an ordinary batch-by-batch import) when it is not.
func (s *Store) beginFirstLoad(ctx context.Context) (*firstLoad, error) {
	if s.pg != nil {
		return s.beginFirstLoadPG(ctx)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	// The pragmas cannot change inside a transaction, so they are set on
	// the connection before BEGIN and restored when the load ends. The
	// status CHECK costs a quarter of the insert rate (docs/benchmarks.md);
	// WriteOrders checks statuses in Go instead.
	for _, p := range []string{`PRAGMA foreign_keys = OFF`, `PRAGMA ignore_check_constraints = ON`} {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			conn.Close()
			return nil, err
		}
	}
	fl := &firstLoad{conn: conn, raw: &rawStmts{conn: conn, stmts: map[string]driver.Stmt{}}}
	if !s.serving {
		fl.rollbackJournal(ctx)
	}
	if err := fl.begin(ctx); err != nil {
		fl.release()
		return nil, err
	}
	var empty bool
	if err := fl.tx.QueryRowContext(ctx, ordersEmpty).Scan(&empty); err != nil || !empty {
		fl.rollback()
		return nil, err
	}
	if _, err := fl.tx.ExecContext(ctx, dropOrdersIndex); err != nil {
		fl.rollback()
		return nil, fmt.Errorf("first load: %w", err)
	}
	return fl, nil
}

func (s *Store) beginFirstLoadPG(ctx context.Context) (*firstLoad, error) {
	tx, err := s.pg.Begin(ctx)
	if err != nil {
		return nil, err
	}
	fl := &firstLoad{pg: tx}
	// The lock comes first so that two imports cannot both find the table
	// empty; dropping the index and constraint would take it anyway.
	var empty bool
	if _, err := tx.Exec(ctx, pgLockOrders); err != nil {
		fl.rollback()
		return nil, err
	}
	if err := tx.QueryRow(ctx, ordersEmpty).Scan(&empty); err != nil || !empty {
		fl.rollback()
		return nil, err
	}
	for _, q := range []string{dropOrdersIndex, pgDropOrdersFK, pgDropLinesFK, pgDropLinesIndex} {
		if _, err := tx.Exec(ctx, q); err != nil {
			fl.rollback()
			return nil, fmt.Errorf("first load: %w", err)
		}
	}
	return fl, nil
}

// finish rebuilds what begin dropped and commits.
func (fl *firstLoad) finish(ctx context.Context) error {
	if fl.pg != nil {
		// The batches' planner settings would slow the foreign key's check.
		for _, q := range []string{pgDefaultSeqScan, pgDefaultHashJoin, pgDefaultMergeJoin, createOrdersIndex, pgAddOrdersFK, pgAddLinesIndex, pgAddLinesFK} {
			if _, err := fl.pg.Exec(ctx, q); err != nil {
				fl.rollback()
				return fmt.Errorf("first load: %w", err)
			}
		}
		if err := fl.pg.Commit(ctx); err != nil {
			return fmt.Errorf("first load: %w", err)
		}
		return nil
	}
	defer fl.release()
	if err := fl.begin(ctx); err != nil { // a load's files committed one by one
		return fmt.Errorf("first load: %w", err)
	}
	if _, err := fl.tx.ExecContext(ctx, createOrdersIndex); err != nil {
		fl.tx.Rollback()
		return fmt.Errorf("first load: %w", err)
	}
	if err := fl.tx.Commit(); err != nil {
		return fmt.Errorf("first load: %w", err)
	}
	return nil
}

// rollbackJournal moves a SQLite load from the WAL to a rollback journal
// when no other connection, in this process or another, has the database
// open. Into empty tables the load then writes its pages once, straight
// into the database file (pages past the file's end need no journal),
// where the WAL writes each twice: into the log, then back at the
// checkpoint. A 1M-order load's own rate rose 13% (docs/benchmarks.md).
//
// The price: until the load commits, no other process can open the
// database (opening turns the WAL on, which waits for the load; openSQLite
// says so), where with the WAL it could read the shop as it was. Any open
// connection, such as another process's server, keeps the WAL: the switch
// then fails at once (SQLite does not wait for it), and the load goes
// through the WAL as before; a server never asks (Options.Serving). A load
// killed midway leaves a hot journal, which the next open rolls back
// before it turns the WAL on again.
func (fl *firstLoad) rollbackJournal(ctx context.Context) {
	var mode string
	err := fl.conn.QueryRowContext(ctx, `PRAGMA journal_mode = DELETE`).Scan(&mode)
	fl.journal = err == nil && mode == "delete"
}

// begin opens a SQLite load's transaction on its connection, unless one is
// open.
func (fl *firstLoad) begin(ctx context.Context) error {
	if fl.tx != nil {
		return nil
	}
	tx, err := fl.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	fl.tx = tx
	return nil
}

// rollback abandons the load, leaving the database as it was.
func (fl *firstLoad) rollback() {
	if fl.pg != nil {
		// Without cancellation: an interrupted import still rolls back
		// (pgx closes the connection when the context is already done).
		_ = fl.pg.Rollback(context.Background())
		return
	}
	if fl.tx != nil {
		if err := fl.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
			// The connection is in an unknown state: database/sql discards
			// it when Raw returns ErrBadConn.
			_ = fl.conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}
	fl.release()
}

// release restores the writer connection's foreign key and CHECK
// enforcement and returns it to the pool.
func (fl *firstLoad) release() {
	if fl.conn == nil {
		return
	}
	fl.raw.close()
	if fl.journal {
		// Back to the WAL, for readers beside the writer. Should the
		// switch fail, the connection is not reused: the next one the
		// store opens turns the WAL on (openSQLite).
		var mode string
		if err := fl.conn.QueryRowContext(context.Background(), `PRAGMA journal_mode = WAL`).Scan(&mode); err != nil || mode != "wal" {
			_ = fl.conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		fl.journal = false
	}
	for _, p := range []string{`PRAGMA foreign_keys = ON`, `PRAGMA ignore_check_constraints = OFF`} {
		if _, err := fl.conn.ExecContext(context.Background(), p); err != nil {
			// A connection that kept the load's settings must not be reused.
			_ = fl.conn.Raw(func(any) error { return driver.ErrBadConn })
			break
		}
	}
	fl.conn.Close()
	fl.conn = nil
}

// AbortImport ends a run that failed: a first load is rolled back whole,
// and so are the batches of a group not yet committed.
func (s *Store) AbortImport(ctx context.Context, run int64) {
	st := takeRunState(run)
	switch {
	case st.part != nil:
		st.part.rollback()
	case st.first != nil:
		st.first.rollback()
	}
	if st.group != nil {
		st.group.rollback()
	}
	st.releaseSeen()
	if st.first == nil {
		// The batches it committed may have moved orders (orders_moved):
		// no run's end will read them. Best effort, as the rest: an
		// interrupted import's context is done.
		_, _ = s.db.ExecContext(context.WithoutCancel(ctx), forgetRunMoves, run)
	}
}

// importTx runs fn in the run's first-load transaction, or its batch
// group's, or else in a transaction of its own.
func (s *Store) importTx(ctx context.Context, st *runState, fn func(*sql.Tx) error) error {
	switch {
	case st.first != nil && st.first.tx != nil:
		return fn(st.first.tx)
	case st.group != nil:
		return st.group.run(ctx, s.db, fn)
	case st.seenCustomers != nil:
		return txOn(ctx, st.seenCustomers, fn)
	}
	return s.tx(ctx, fn)
}

// A batchGroup commits a SQLite import's batches together, a second's worth
// at a time, when the import is not a first load (the tables hold data).
// A commit per 5,000-row batch wrote every page the batch touched to the
// WAL again, and an order's pages in the covering index are all over it (it
// is keyed by customer): a year of monthly files imported 2.8 times slower
// than the same orders in one file. The second bounds how long other
// writers (the web UI's edits, another import) wait for the write lock. A
// failed batch rolls its group back with it, and the import stops, as a
// failed batch always stopped it; re-running it completes it.
type batchGroup struct {
	tx    *sql.Tx
	began time.Time
}

// groupFor is how long a group keeps adding batches before it commits.
const groupFor = time.Second

func (g *batchGroup) run(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	if g.tx == nil {
		// The transaction outlives this batch's context, which database/sql
		// would roll it back with; AbortImport rolls back a failed import.
		tx, err := db.BeginTx(context.WithoutCancel(ctx), nil)
		if err != nil {
			return err
		}
		g.tx, g.began = tx, time.Now()
	}
	if err := fn(g.tx); err != nil {
		g.rollback()
		return err
	}
	if time.Since(g.began) >= groupFor {
		return g.commit()
	}
	return nil
}

func (g *batchGroup) commit() error {
	if g.tx == nil {
		return nil
	}
	tx := g.tx
	g.tx = nil
	return tx.Commit()
}

func (g *batchGroup) rollback() {
	if g.tx != nil {
		g.tx.Rollback()
		g.tx = nil
	}
}

var _ importer.Sink = (*Store)(nil)

// PostgreSQL first load: orders go straight into the orders table by COPY,
// with customer ids resolved here instead of by joins against a staging
// table.
const (
	pgNoSeqScan        = `SET LOCAL enable_seqscan = off`
	pgSeqScan          = `SET LOCAL enable_seqscan = on`
	pgDefaultSeqScan   = `SET LOCAL enable_seqscan TO DEFAULT`
	pgDefaultHashJoin  = `SET LOCAL enable_hashjoin TO DEFAULT`
	pgDefaultMergeJoin = `SET LOCAL enable_mergejoin TO DEFAULT`
	// pgReserveOrderIDs takes $1 order ids at once and returns the last:
	// one nextval a row was 1.5 s of a 625,000-line load. The load's lock
	// on orders keeps every other insert, and so every other nextval, out.
	pgReserveOrderIDs = `SELECT setval(pg_get_serial_sequence('orders', 'id'), nextval(pg_get_serial_sequence('orders', 'id')) + $1 - 1)`
	// The lookups return (id, external id, phone, email) with only the
	// matched key filled, so that the row's key can be rebuilt from them.
	pgFindCustomersByExt   = `SELECT id, external_id, '', '' FROM customers WHERE external_id = ANY($1)`
	pgFindCustomersByPhone = `SELECT min(id), '', phone, '' FROM customers WHERE phone = ANY($1) GROUP BY phone`
	pgFindCustomersByEmail = `SELECT min(id), '', '', email FROM customers WHERE email = ANY($1) GROUP BY email`
	pgInsertCustomersU     = `INSERT INTO customers (external_id, name, phone, email, channel, created_at, updated_at, import_run, src_line, city, region)
SELECT NULLIF(e, ''), n, NULLIF(p, ''), NULLIF(m, ''), c, t, $7, $8, l, ci, r
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $9::bigint[], $10::text[], $11::text[]) AS u(e, n, p, m, c, t, l, ci, r)
RETURNING id, COALESCE(external_id, ''), CASE WHEN external_id IS NULL THEN COALESCE(phone, '') ELSE '' END,
    CASE WHEN external_id IS NULL AND phone IS NULL THEN COALESCE(email, '') ELSE '' END`
)

var lineColumns = []string{"order_id", "line_no", "sku", "name", "category", "quantity", "unit_price", "amount"}

var orderColumns = []string{"external_id", "customer_id", "ordered_at", "amount", "currency", "channel", "status", "row_hash", "import_run", "src_line"}

// writeFirstLoadPG writes one batch of a PostgreSQL first load. A batch it
// cannot COPY (an order id met in an earlier batch) is left to the staged
// way (done is false); the customers it created for it are counted in res
// all the same.
func (s *Store) writeFirstLoadPG(ctx context.Context, st *runState, run int64, rows []importer.Row[order.Order], withLines bool) (importer.BatchResult, bool, error) {
	var res importer.BatchResult
	tx := st.loadTx()
	// Every statement here is an index lookup or a COPY; the staged way
	// turns sequential scans back on for its joins.
	if _, err := tx.Exec(ctx, pgNoSeqScan); err != nil {
		return res, false, err
	}
	// Customers first, outside the orders' savepoint, so that a failed COPY
	// below does not take back customers the cache already holds.
	created, err := s.createCustomersPG(ctx, tx, st, run, rows)
	if err != nil {
		return res, false, err
	}
	if res.CustomersPlaced, err = s.fillPlacesOn(ctx, tx, st, rows); err != nil {
		return res, false, err
	}
	sp, err := tx.Begin(ctx)
	if err != nil {
		return res, false, err
	}
	defer sp.Rollback(ctx)
	res.CustomersCreated = created
	// Line items need their order's id before the order is written: the
	// ids are taken from the orders' identity sequence first.
	var firstID int64
	if withLines {
		var last int64
		if err := sp.QueryRow(ctx, pgReserveOrderIDs, len(rows)).Scan(&last); err != nil {
			return res, false, fmt.Errorf("reserve order ids: %w", err)
		}
		firstID = last - int64(len(rows)) + 1
	}
	cols := orderColumns
	if withLines {
		cols = append([]string{"id"}, orderColumns...)
	}
	_, err = sp.CopyFrom(ctx, pgx.Identifier{"orders"}, cols, pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
		r := &rows[i]
		o := &r.V
		cid, ok := st.customers[o.Customer.String()]
		if !ok {
			return nil, fmt.Errorf("line %d: customer %s not resolved", r.Line, o.Customer)
		}
		v := []any{o.ExternalID, cid, o.OrderedAt.UTC(), o.Amount, o.Currency, o.Channel, string(o.Status), int64(o.Hash()), run, r.Line}
		if withLines {
			v = append([]any{firstID + int64(i)}, v...)
		}
		return v, nil
	}))
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" { // an order id from an earlier batch
		return res, false, nil
	}
	if err != nil {
		return res, false, fmt.Errorf("copy orders at lines %d-%d: %w", rows[0].Line, rows[len(rows)-1].Line, err)
	}
	if withLines {
		var lines [][]any
		for i := range rows {
			for j, l := range rows[i].V.Lines {
				lines = append(lines, []any{firstID + int64(i), j + 1, l.SKU, l.Name, l.Category, l.Quantity, l.UnitPrice, l.Amount})
			}
		}
		if _, err := sp.CopyFrom(ctx, pgx.Identifier{"order_lines"}, lineColumns, pgx.CopyFromRows(lines)); err != nil {
			return res, false, fmt.Errorf("copy order lines at lines %d-%d: %w", rows[0].Line, rows[len(rows)-1].Line, err)
		}
	}
	if _, err := sp.Exec(ctx, bumpOrdersVersion); err != nil {
		return res, false, err
	}
	if err := sp.Commit(ctx); err != nil {
		return res, false, err
	}
	res.Created = len(rows)
	return res, true, nil
}

// createCustomersPG puts the id of every batch row's customer in the run's
// cache, looking up those it lacks (by external id, else phone, else email:
// the key the row names, as the staged way matches) and creating the ones
// not found.
func (s *Store) createCustomersPG(ctx context.Context, tx pgx.Tx, st *runState, run int64, rows []importer.Row[order.Order]) (int, error) {
	// Room for the whole batch first: clearing later would drop ids of
	// rows already found in the cache.
	if len(st.customers)+len(rows) > maxCachedCustomers {
		clear(st.customers)
		st.seedAliases()
	}
	first := map[string]int{} // key -> first row naming it
	var byExt, byPhone, byEmail []string
	for i := range rows {
		k := rows[i].V.Customer
		key := k.String()
		if _, ok := st.customers[key]; ok {
			continue
		}
		if _, ok := first[key]; ok {
			continue
		}
		first[key] = i
		switch {
		case k.ExternalID != "":
			byExt = append(byExt, k.ExternalID)
		case k.Phone != "":
			byPhone = append(byPhone, k.Phone)
		default:
			byEmail = append(byEmail, k.Email)
		}
	}
	if len(first) == 0 {
		return 0, nil
	}
	put := func(q string, args ...any) (int, error) {
		got, err := tx.Query(ctx, q, args...)
		if err != nil {
			return 0, err
		}
		n := 0
		for got.Next() {
			var id int64
			var k customer.Key
			if err := got.Scan(&id, &k.ExternalID, &k.Phone, &k.Email); err != nil {
				got.Close()
				return 0, err
			}
			key := k.String()
			st.customers[key] = id
			delete(first, key)
			n++
		}
		return n, got.Err()
	}
	for _, look := range []struct {
		q    string
		keys []string
	}{{pgFindCustomersByExt, byExt}, {pgFindCustomersByPhone, byPhone}, {pgFindCustomersByEmail, byEmail}} {
		if len(look.keys) == 0 {
			continue
		}
		if _, err := put(look.q, look.keys); err != nil {
			return 0, fmt.Errorf("find customers: %w", err)
		}
	}
	if len(first) == 0 {
		return 0, nil
	}
	var ext, name, phone, email, channel, city, region []string
	var at []time.Time
	var line []int64
	for i := range rows { // in file order, so ids follow first appearance
		r := &rows[i]
		if j, ok := first[r.V.Customer.String()]; !ok || j != i {
			continue
		}
		o := &r.V
		ext, name, phone, email, channel = append(ext, o.Customer.ExternalID), append(name, o.CustomerName), append(phone, o.Customer.Phone),
			append(email, o.Customer.Email), append(channel, o.CustomerChannel)
		city, region = append(city, o.CustomerCity), append(region, o.CustomerRegion)
		at, line = append(at, o.OrderedAt.UTC()), append(line, int64(r.Line))
	}
	n, err := put(pgInsertCustomersU, ext, name, phone, email, channel, at, s.Now().UTC(), run, line, city, region)
	if err != nil {
		return 0, fmt.Errorf("create customers: %w", err)
	}
	return n, nil
}
