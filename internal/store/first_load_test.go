package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/customer"
	"github.com/kithcrm/kith/internal/importer"
	"github.com/kithcrm/kith/internal/order"
	"github.com/kithcrm/kith/internal/store"
	"github.com/kithcrm/kith/internal/store/storetest"
)

// firstLoadCSV is an orders file of n orders over n/3 customers, with
// repeated order ids in later batches (batches of 50) and two customers
// known only by phone (their batches go the staged way on PostgreSQL).
func firstLoadCSV(n int) string {
	var b strings.Builder
	b.WriteString("订单号,客户编号,手机,下单时间,实付金额\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "D%05d,C%04d,,2024-03-%02d 10:%02d,%d.50\n", i, i/3, i%28+1, i%60, i)
		switch i {
		case n / 2: // a phone-only customer, and a repeat in the same batch
			b.WriteString("P00001,,13800000001,2024-05-01 09:00,88\n")
			b.WriteString("D00001,C0000,,2024-03-02 10:01,1.50\n")
		case n/2 + 60: // another batch with a phone-only customer
			b.WriteString("P00002,,13800000002,2024-05-02 09:00,66\n")
		}
	}
	b.WriteString("D00007,C0002,,2024-03-08 10:07,999\n") // repeat, other content
	return b.String()
}

// orderIndexes lists the orders and order lines tables' indexes and
// foreign keys, the part of the schema a first load takes down and puts
// back.
func orderIndexes(t *testing.T, s *store.Store) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name IN ('orders', 'order_lines')
UNION ALL SELECT 'fk:orders.' || "from" FROM pragma_foreign_key_list('orders')
UNION ALL SELECT 'fk:order_lines.' || "from" FROM pragma_foreign_key_list('order_lines')`
	if s.Dialect() == "postgres" {
		q = `SELECT indexname::text FROM pg_indexes WHERE tablename IN ('orders', 'order_lines')
UNION ALL SELECT 'fk:' || conname || ':' || pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid IN ('orders'::regclass, 'order_lines'::regclass) AND contype = 'f'`
	}
	rows, err := store.WriteDB(s).QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// TestFirstLoad checks that an import into an empty orders table (one
// transaction, covering index and foreign key rebuilt at the end) leaves the
// same data and schema as the batch-by-batch path, and that a failed one
// leaves nothing behind.
func TestFirstLoad(t *testing.T) {
	csv := firstLoadCSV(400)
	head := csv[:strings.Index(csv, "\nD00002")+1] // the header and the first order
	ctx := context.Background()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			path := writeFile(t, "orders.csv", csv)
			opts := importer.Options{BatchSize: 50}

			loaded := storetest.Open(t, engine)
			schema := orderIndexes(t, loaded)
			sum, err := importer.Import(ctx, loaded, importer.Orders, path, opts)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Created != 402 || sum.Rejected != 2 || sum.Customers != 136 {
				t.Errorf("first load = %+v, want 402 created, 2 rejected, 136 customers", sum)
			}
			if got := orderIndexes(t, loaded); !slices.Equal(got, schema) {
				t.Errorf("after a first load the orders table has %v, want %v", got, schema)
			}
			if err := store.CheckIntegrity(ctx, loaded); err != nil {
				t.Error(err)
			}

			// The same file into a shop that already has one of its orders
			// goes batch by batch and must end the same.
			stepped := storetest.Open(t, engine)
			if _, err := importer.Import(ctx, stepped, importer.Orders, writeFile(t, "head.csv", head), opts); err != nil {
				t.Fatal(err)
			}
			sum2, err := importer.Import(ctx, stepped, importer.Orders, path, opts)
			if err != nil {
				t.Fatal(err)
			}
			if sum2.Created != 401 || sum2.Unchanged != 1 || sum2.Rejected != 2 {
				t.Errorf("stepped import = %+v, want 401 created, 1 unchanged, 2 rejected", sum2)
			}
			if !sameData(t, loaded, stepped) {
				t.Error("a first load and a batch-by-batch import of the same file differ")
			}

			// A first load that fails part-way leaves the table empty, the
			// schema whole and the store usable.
			failed := storetest.Open(t, engine)
			boom := errors.New("disk on fire")
			_, err = importer.Import(ctx, &failingSink{Sink: failed, failAt: 3, err: boom}, importer.Orders, path, opts)
			if !errors.Is(err, boom) {
				t.Fatalf("failed import: %v", err)
			}
			if c, err := failed.Counts(ctx); err != nil || c.Orders != 0 || c.Customers != 0 {
				t.Errorf("after a failed first load: %+v %v, want no orders and no customers", c, err)
			}
			if got := orderIndexes(t, failed); !slices.Equal(got, schema) {
				t.Errorf("after a failed first load the orders table has %v, want %v", got, schema)
			}
			if engine == "sqlite" {
				writerEnforces(t, failed)
				writerEnforces(t, loaded)
			}
			if sum, err := importer.Import(ctx, failed, importer.Orders, path, opts); err != nil || sum.Created != 402 {
				t.Errorf("import after the failed one = %+v %v", sum, err)
			}
		})
	}
}

// TestAppendingImportFails: an import into tables that hold data commits
// its batches in groups (SQLite) or one by one (PostgreSQL). One that fails
// part-way keeps what it committed, no half of a batch, and running it
// again ends as one clean run does.
func TestAppendingImportFails(t *testing.T) {
	csv := firstLoadCSV(400)
	head := csv[:strings.Index(csv, "\nD00002")+1]
	ctx := context.Background()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			path := writeFile(t, "orders.csv", csv)
			opts := importer.Options{BatchSize: 50}
			clean := storetest.Open(t, engine)
			failed := storetest.Open(t, engine)
			for _, s := range []*store.Store{clean, failed} {
				if _, err := importer.Import(ctx, s, importer.Orders, writeFile(t, "head.csv", head), opts); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := importer.Import(ctx, clean, importer.Orders, path, opts); err != nil {
				t.Fatal(err)
			}
			boom := errors.New("disk on fire")
			if _, err := importer.Import(ctx, &failingSink{Sink: failed, failAt: 4, err: boom}, importer.Orders, path, opts); !errors.Is(err, boom) {
				t.Fatalf("failed import: %v", err)
			}
			c, err := failed.Counts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// SQLite's group of the three batches before the failure is
			// rolled back with it (they took far less than a second);
			// PostgreSQL committed each.
			want := map[string]int64{"sqlite": 1, "postgres": 1 + 3*50 - 1}[engine]
			if c.Orders != want {
				t.Errorf("after the failed import %d orders, want %d", c.Orders, want)
			}
			if err := store.CheckIntegrity(ctx, failed); err != nil {
				t.Error(err)
			}
			if engine == "sqlite" {
				writerEnforces(t, failed)
			}
			sum, err := importer.Import(ctx, failed, importer.Orders, path, opts)
			if err != nil || sum.Created+sum.Unchanged != 402 {
				t.Fatalf("import after the failed one = %+v %v", sum, err)
			}
			if !sameData(t, clean, failed) {
				t.Error("a failed import run again differs from a clean one")
			}
		})
	}
}

// writerEnforces checks that the SQLite writer connection is back to
// enforcing foreign keys and CHECK constraints after a first load.
func writerEnforces(t *testing.T, s *store.Store) {
	t.Helper()
	var fk, ignore int
	err := store.WriteDB(s).QueryRowContext(context.Background(), `SELECT foreign_keys, ignore_check_constraints
FROM pragma_foreign_keys, pragma_ignore_check_constraints`).Scan(&fk, &ignore)
	if err != nil || fk != 1 || ignore != 0 {
		t.Errorf("writer after a first load: foreign_keys %d, ignore_check_constraints %d, %v; want 1, 0", fk, ignore, err)
	}
}

// TestOrderStatusChecked writes an order whose status the orders table does
// not allow, into an empty table (a first load, which SQLite runs without
// CHECK constraints) and into one that has orders: both refuse it.
func TestOrderStatusChecked(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	row := func(id string, st order.Status) []importer.Row[order.Order] {
		return []importer.Row[order.Order]{{Line: 2, V: order.Order{ExternalID: id, Customer: customer.Key{ExternalID: "C1"},
			OrderedAt: at, Amount: 100, Currency: "CNY", Status: st}}}
	}
	for _, engine := range storetest.Engines(t) {
		for _, first := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/first=%v", engine, first), func(t *testing.T) {
				s := storetest.Open(t, engine)
				if !first {
					write(t, s, row("O0", order.Paid))
				}
				run, err := s.BeginImport(ctx, importer.Orders, "x.csv")
				if err != nil {
					t.Fatal(err)
				}
				_, err = s.WriteOrders(ctx, run, row("O1", "shipped"), false)
				s.AbortImport(ctx, run)
				if err == nil || !strings.Contains(err.Error(), "status") {
					t.Errorf("an order with status shipped: %v, want an error about the status", err)
				}
				if c, err := s.Counts(ctx); err != nil || c.Orders != map[bool]int64{true: 0, false: 1}[first] {
					t.Errorf("orders after the refused write: %+v %v", c, err)
				}
			})
		}
	}
}

// write imports rows as one whole run.
func write(t *testing.T, s *store.Store, rows []importer.Row[order.Order]) {
	t.Helper()
	ctx := context.Background()
	run, err := s.BeginImport(ctx, importer.Orders, "seed.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WriteOrders(ctx, run, rows, false); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishImport(ctx, run, &importer.Summary{}); err != nil {
		t.Fatal(err)
	}
}

// sameData reports whether two stores hold the same data (Snapshot).
func sameData(t *testing.T, a, b *store.Store) bool {
	t.Helper()
	x, err := a.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	y, err := b.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return x == y
}

// failingSink fails the failAt-th orders batch written through it: a
// store, or a load.
type failingSink struct {
	importer.Sink
	failAt, n int
	err       error
}

func (f *failingSink) WriteOrders(ctx context.Context, run int64, rows []importer.Row[order.Order], withLines bool) (importer.BatchResult, error) {
	if f.n++; f.n == f.failAt {
		return importer.BatchResult{}, f.err
	}
	return f.Sink.WriteOrders(ctx, run, rows, withLines)
}

// orderLines returns each order's lines as "sku x qty" strings.
func orderLines(t *testing.T, s *store.Store) map[string][]string {
	t.Helper()
	rows, err := store.WriteDB(s).QueryContext(context.Background(), `SELECT o.external_id, l.sku, l.quantity
FROM order_lines l JOIN orders o ON o.id = l.order_id ORDER BY o.external_id, l.line_no`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var ext, sku string
		var q float64
		if err := rows.Scan(&ext, &sku, &q); err != nil {
			t.Fatal(err)
		}
		out[ext] = append(out[ext], fmt.Sprintf("%s x%g", sku, q))
	}
	return out
}

// TestImportLinesReplace re-imports a line-item file: unchanged orders keep
// their lines, a changed order gets exactly its new lines, and a first load
// and a batch-by-batch import of the same file end the same.
func TestImportLinesReplace(t *testing.T) {
	const head = "订单号,客户编号,下单时间,商品编码,数量,单价\n"
	v1 := head +
		"L1,C1,2024-03-01 10:00,TEA,2,10\n" +
		"L1,C1,2024-03-01 10:00,CUP,1,30\n" +
		"L2,C2,2024-03-02 11:00,TEA,1,10\n" +
		"L3,C1,2024-03-05 09:00,POT,1,120\n"
	v2 := head + // L1 loses its cup and buys more tea; L2 and L3 as before
		"L1,C1,2024-03-01 10:00,TEA,5,10\n" +
		"L2,C2,2024-03-02 11:00,TEA,1,10\n" +
		"L3,C1,2024-03-05 09:00,POT,1,120\n"
	ctx := context.Background()
	opts := importer.Options{BatchSize: 2}
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			f1, f2 := writeFile(t, "v1.csv", v1), writeFile(t, "v2.csv", v2)
			if sum, err := importer.Import(ctx, s, importer.Lines, f1, opts); err != nil || sum.Created != 3 {
				t.Fatalf("first import = %+v, %v", sum, err)
			}
			want := map[string][]string{"L1": {"TEA x2", "CUP x1"}, "L2": {"TEA x1"}, "L3": {"POT x1"}}
			if got := orderLines(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("lines after the first import = %v, want %v", got, want)
			}
			if sum, err := importer.Import(ctx, s, importer.Lines, f1, opts); err != nil || sum.Unchanged != 3 {
				t.Fatalf("re-import = %+v, %v", sum, err)
			}
			if got := orderLines(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("lines after an unchanged re-import = %v, want %v", got, want)
			}
			sum, err := importer.Import(ctx, s, importer.Lines, f2, opts)
			if err != nil || sum.Updated != 1 || sum.Unchanged != 2 {
				t.Fatalf("changed import = %+v, %v; want 1 updated, 2 unchanged", sum, err)
			}
			want["L1"] = []string{"TEA x5"}
			if got := orderLines(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("lines after the changed import = %v, want %v", got, want)
			}

			// v2 into an empty shop (a first load) equals v1 then v2.
			fresh := storetest.Open(t, engine)
			if _, err := importer.Import(ctx, fresh, importer.Lines, f2, opts); err != nil {
				t.Fatal(err)
			}
			a, _ := s.Snapshot(ctx)
			if b, _ := fresh.Snapshot(ctx); a != b {
				t.Errorf("v1 then v2 differs from v2 alone: lines %v vs %v", orderLines(t, s), orderLines(t, fresh))
			}
		})
	}
}

// A SQLite first load that has the database to itself writes through a
// rollback journal and turns the WAL back on when it is done; one that
// another connection shares keeps the WAL. Both load the same. Opening
// the database while such a load holds it says why it cannot.
func TestFirstLoadJournal(t *testing.T) {
	ctx := context.Background()
	path := writeFile(t, "orders.csv", firstLoadCSV(400))
	journal := func(db string) string { // what a new connection finds in the file
		t.Helper()
		h, err := sql.Open("sqlite", "file:"+db)
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		var mode string
		if err := h.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		return mode
	}
	var loaded []*store.Store
	for _, shared := range []bool{false, true} {
		db := storetest.DSN(t, "sqlite")
		s, err := store.Open(ctx, db, store.Options{Migrate: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if shared { // another process's reader, open throughout
			other, err := sql.Open("sqlite", "file:"+db)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { other.Close() })
			if err := other.PingContext(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if journal, err := store.FirstLoadJournal(ctx, s); err != nil || journal == shared {
			t.Errorf("shared %v: the load took a rollback journal: %v %v, want %v", shared, journal, err, !shared)
		}
		start := time.Now()
		sum, err := importer.Import(ctx, s, importer.Orders, path, importer.Options{BatchSize: 50})
		if err != nil || sum.Created != 402 {
			t.Fatalf("shared %v: %+v %v", shared, sum, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("shared %v: the load took %v: it waited for the other connection", shared, d)
		}
		if mode := journal(db); mode != "wal" {
			t.Errorf("shared %v: after the load the database's journal is %s, want wal", shared, mode)
		}
		loaded = append(loaded, s)
	}
	if !sameData(t, loaded[0], loaded[1]) {
		t.Error("a load through a rollback journal and one through the WAL differ")
	}
	// A server's store keeps the WAL, even alone: its readers come and go.
	served, err := store.Open(ctx, storetest.DSN(t, "sqlite"), store.Options{Serving: true})
	if err != nil {
		t.Fatal(err)
	}
	defer served.Close()
	if journal, err := store.FirstLoadJournal(ctx, served); err != nil || journal {
		t.Errorf("a server's first load took a rollback journal: %v %v", journal, err)
	}

	// A load holding the database in a rollback journal, as another
	// process's: opening it fails, saying what holds it.
	db := storetest.DSN(t, "sqlite")
	s, err := store.Open(ctx, db, store.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	h, err := sql.Open("sqlite", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	h.SetMaxOpenConns(1)
	for _, q := range []string{`PRAGMA journal_mode = DELETE`, `BEGIN IMMEDIATE`, `DELETE FROM customers`} {
		if _, err := h.ExecContext(ctx, q); err != nil {
			t.Fatal(q, err)
		}
	}
	defer h.ExecContext(ctx, `ROLLBACK`)
	if _, err := store.Open(ctx, db, store.Options{}); err == nil || !strings.Contains(err.Error(), "another kith import is loading orders into it") {
		t.Errorf("opening during a load: %v, want it to say a load holds the database", err)
	}
}

// An order a run moved to another customer is noted for the run's end
// (order_moves); a run that fails forgets it, as no end will read it.
func TestAbortedRunForgetsMovedOrders(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	row := func(cust string) []importer.Row[order.Order] {
		return []importer.Row[order.Order]{{Line: 2, V: order.Order{ExternalID: "O1", Customer: customer.Key{ExternalID: cust},
			OrderedAt: at, Amount: 100, Currency: "CNY", Status: order.Paid}}}
	}
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			write(t, s, row("C1"))
			moves := func() int {
				t.Helper()
				var n int
				if err := store.WriteDB(s).QueryRowContext(ctx, `SELECT count(*) FROM order_moves`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			run, err := s.BeginImport(ctx, importer.Orders, "x.csv")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.WriteOrders(ctx, run, row("C2"), false); err != nil {
				t.Fatal(err)
			}
			if engine == "postgres" { // SQLite's batch group holds the one writer connection until it ends
				if n := moves(); n != 1 {
					t.Errorf("moves noted: %d, want 1", n)
				}
			}
			s.AbortImport(ctx, run)
			if n := moves(); n != 0 {
				t.Errorf("moves after the aborted run: %d, want 0", n)
			}
		})
	}
}

// A run killed after it moved an order (its batches committed, its end
// never reached) leaves the move noted; the file's next run, which finds
// the order unchanged, names it. The killed run's committed state is
// made here with SQL (a run begun, the order moved by it, the trigger
// noting it), as a process killed for real leaves it
// (TestImportSurvivesKill9 kills one).
func TestKilledRunsMovesNamedByTheNext(t *testing.T) {
	ctx := context.Background()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			dir := t.TempDir()
			first := filepath.Join(dir, "d1.csv")
			os.WriteFile(first, []byte("单号,会员号,日期,金额\n1001,C1,2024-01-05,10\n2001,C3,2024-01-05,10\n"), 0o644)
			next := filepath.Join(dir, "d2.csv")
			os.WriteFile(next, []byte("单号,会员号,日期,金额\n1001,C3,2024-01-05,10\n"), 0o644)
			if _, err := importer.Import(ctx, s, importer.Orders, first, importer.Options{}); err != nil {
				t.Fatal(err)
			}
			db := store.WriteDB(s)
			var killed int64
			if err := db.QueryRowContext(ctx, `INSERT INTO import_runs (kind, file, started_at) VALUES ('orders', $1, '2024-01-06T00:00:00Z') RETURNING id`, next).Scan(&killed); err != nil {
				t.Fatal(err)
			}
			// The killed run's one batch, committed: 1001 moved to C3, as its
			// row says. The next run finds 1001 already C3's: the trigger
			// notes nothing more.
			if _, err := db.ExecContext(ctx, `UPDATE orders SET customer_id = (SELECT id FROM customers WHERE external_id = 'C3'), import_run = $1
WHERE external_id = '1001'`, killed); err != nil {
				t.Fatal(err)
			}
			sum, err := importer.Import(ctx, s, importer.Orders, next, importer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			warned := ""
			for _, w := range sum.Warnings {
				warned += w.Error()
			}
			if !strings.Contains(warned, "(1001: C1 -> C3)") {
				t.Errorf("the next run (%+v) warned %q; want the killed run's move of 1001", sum, warned)
			}
			var left int
			if err := db.QueryRowContext(ctx, `SELECT count(*) FROM order_moves`).Scan(&left); err != nil || left != 0 {
				t.Errorf("moves left: %d %v", left, err)
			}
		})
	}
}
