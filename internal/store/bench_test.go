package store_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kithcrm/kith/internal/store"
	"github.com/kithcrm/kith/internal/store/storetest"
)

// benchRows is a benchmark's row count: KITH_BENCH_ROWS rounded up to a
// multiple of 20,000 (the largest batch below) when set, def otherwise (the
// recorded figures). make test runs every benchmark once on a few rows, so
// one that no longer runs fails there.
func benchRows(def int) int {
	if n, err := strconv.Atoi(os.Getenv("KITH_BENCH_ROWS")); err == nil && n > 0 {
		return (n + 19999) / 20000 * 20000
	}
	return def
}

// BenchmarkRawInsert is the driver's own ceiling: prepared INSERTs in
// transactions of 5000, into a plain table and into the real orders table
// (with its unique key, covering index and foreign key). The import is
// judged against these.
func BenchmarkRawInsert(b *testing.B) {
	rows := benchRows(200000)
	for _, target := range []string{"plain", "orders"} {
		b.Run(target, func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				b.StopTimer()
				s := storetest.Open(b, "sqlite")
				db := store.WriteDB(s)
				if _, err := db.ExecContext(ctx, `CREATE TABLE plain (id INTEGER PRIMARY KEY, external_id TEXT, customer_id INTEGER, ordered_at TEXT, amount INTEGER)`); err != nil {
					b.Fatal(err)
				}
				if _, err := db.ExecContext(ctx, `INSERT INTO customers (id, external_id, created_at, updated_at) VALUES (1, 'C1', '', '')`); err != nil {
					b.Fatal(err)
				}
				q := `INSERT INTO plain (external_id, customer_id, ordered_at, amount) VALUES ($1, $2, $3, $4)`
				if target == "orders" {
					q = `INSERT INTO orders (external_id, customer_id, ordered_at, amount, currency, channel, status, row_hash, import_run, src_line)
                         VALUES ($1, $2, $3, $4, 'CNY', '', 'paid', 0, 0, 0)`
				}
				b.StartTimer()
				for start := 0; start < rows; start += 5000 {
					tx, err := db.BeginTx(ctx, nil)
					if err != nil {
						b.Fatal(err)
					}
					st, err := tx.PrepareContext(ctx, q)
					if err != nil {
						b.Fatal(err)
					}
					for i := start; i < start+5000; i++ {
						if _, err := st.ExecContext(ctx, fmt.Sprintf("D%08d", i), 1, "2024-01-01T00:00:00Z", i); err != nil {
							b.Fatal(err)
						}
					}
					st.Close()
					if err := tx.Commit(); err != nil {
						b.Fatal(err)
					}
				}
				closeUntimed(b, s)
			}
			reportRows(b, rows)
		})
	}
}

// BenchmarkFirstLoadCeiling is the ceiling of a first load on SQLite: 1M
// orders in one transaction by 100-row statements, arguments built in the
// loop, into the orders table as migrated, into it without its covering
// index (built after, as the import's first load does), and into a copy
// with no constraints or indexes at all. "as-loaded" writes what the
// import's first load writes, the way it writes it: the customers too (one
// for four orders, created in the same transaction, 100 a statement), with
// foreign keys off, CHECK constraints ignored and the covering index built
// after. That is the raw prepared-insert rate an end-to-end import of the
// same rows is measured against. "as-loaded-driver" runs the same
// statements on the driver's connection, as the first load does, without
// database/sql's conversion of each call's arguments.
func BenchmarkFirstLoadCeiling(b *testing.B) {
	rows := benchRows(1000000)
	const chunk = 100
	bare := `CREATE TABLE bare (id INTEGER PRIMARY KEY, external_id TEXT NOT NULL, customer_id INTEGER NOT NULL,
    ordered_at TEXT NOT NULL, amount INTEGER NOT NULL, currency TEXT NOT NULL, channel TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'paid', row_hash INTEGER NOT NULL DEFAULT 0, import_run INTEGER NOT NULL DEFAULT 0,
    src_line INTEGER NOT NULL DEFAULT 0)`
	dropIndex := `DROP INDEX orders_customer_time`
	addIndex := `CREATE INDEX orders_customer_time ON orders (customer_id, ordered_at, amount, status)`
	for _, tc := range []struct {
		name, table, before, after string
		loaded                     bool // as the import's first load writes
		driver                     bool // statements on the driver's connection
		journal                    bool // through a rollback journal, as a load alone does
	}{
		{"orders", "orders", "", "", false, false, false},
		{"orders-index-after", "orders", dropIndex, addIndex, false, false, false},
		{"bare", "bare", bare, "", false, false, false},
		{"as-loaded", "orders", dropIndex, addIndex, true, false, false},
		{"as-loaded-driver", "orders", dropIndex, addIndex, true, true, false},
		{"as-loaded-journal", "orders", dropIndex, addIndex, true, true, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				b.StopTimer()
				s := storetest.Open(b, "sqlite")
				db := store.WriteDB(s) // one connection: the pragmas hold for the transaction
				if tc.loaded {
					for _, p := range []string{`PRAGMA foreign_keys = OFF`, `PRAGMA ignore_check_constraints = ON`} {
						if _, err := db.ExecContext(ctx, p); err != nil {
							b.Fatal(err)
						}
					}
				}
				for start := 0; start < rows/4 && !tc.loaded; start += 1000 {
					var q strings.Builder
					q.WriteString(`INSERT INTO customers (external_id, created_at, updated_at) VALUES `)
					for j := start; j < start+1000; j++ {
						if j > start {
							q.WriteString(", ")
						}
						fmt.Fprintf(&q, "('C%07d', '', '')", j)
					}
					if _, err := db.ExecContext(ctx, q.String()); err != nil {
						b.Fatal(err)
					}
				}
				conn, err := db.Conn(ctx)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if tc.journal {
					setJournal(ctx, b, conn, "delete")
				}
				tx, err := conn.BeginTx(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				if tc.before != "" {
					if _, err := tx.ExecContext(ctx, tc.before); err != nil {
						b.Fatal(err)
					}
				}
				on := conn // the statements' connection, when they go to the driver
				if !tc.driver {
					on = nil
				}
				if tc.loaded {
					loadCustomers(ctx, b, tx, on, rows/4, chunk)
				}
				q := `INSERT INTO ` + tc.table + ` (external_id, customer_id, ordered_at, amount, currency, channel, status, row_hash, import_run, src_line) VALUES ` +
					strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", chunk), ", ")
				exec, done := prepareBench(ctx, b, tx, on, q)
				args := make([]any, 0, 10*chunk)
				at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
				for start := 0; start < rows; start += chunk {
					args = args[:0]
					for i := start; i < start+chunk; i++ {
						args = append(args, fmt.Sprintf("D%09d", i), int64(i/4+1), at.Add(time.Duration(i)*time.Minute).Format(time.RFC3339),
							int64(i%9999), "CNY", "web", "paid", int64(i)*7919, int64(1), int64(i))
					}
					exec(args)
				}
				done()
				if tc.after != "" {
					if _, err := tx.ExecContext(ctx, tc.after); err != nil {
						b.Fatal(err)
					}
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
				if tc.journal {
					setJournal(ctx, b, conn, "wal")
				}
				b.StopTimer()
				conn.Close()
				b.StartTimer()
				closeUntimed(b, s)
			}
			reportRows(b, rows)
		})
	}
}

// setJournal sets conn's journal mode, as a first load does
// (firstLoad.rollbackJournal).
func setJournal(ctx context.Context, b *testing.B, conn *sql.Conn, mode string) {
	var got string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode = "+mode).Scan(&got); err != nil || got != mode {
		b.Fatalf("journal mode %s: %q %v", mode, got, err)
	}
}

// loadCustomers creates n customers in tx, chunk a statement, with the
// columns a first load gives the customers its order rows create; on the
// driver's connection when conn is not nil.
func loadCustomers(ctx context.Context, b *testing.B, tx *sql.Tx, conn *sql.Conn, n, chunk int) {
	q := `INSERT INTO customers (external_id, name, phone, email, channel, created_at, updated_at, import_run, src_line) VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?), ", chunk), ", ")
	exec, done := prepareBench(ctx, b, tx, conn, q)
	defer done()
	args := make([]any, 0, 9*chunk)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)
	for start := 0; start < n; start += chunk {
		args = args[:0]
		for j := start; j < start+chunk; j++ {
			args = append(args, fmt.Sprintf("C%07d", j), "", nil, nil, "web", now, now, int64(1), int64(j*4))
		}
		exec(args)
	}
}

// prepareBench prepares q in tx, or with conn set on conn's driver
// connection (in the transaction conn holds), and returns its exec and
// its close.
func prepareBench(ctx context.Context, b *testing.B, tx *sql.Tx, conn *sql.Conn, q string) (exec func([]any), done func()) {
	if conn == nil {
		st, err := tx.PrepareContext(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		return func(args []any) {
			if _, err := st.ExecContext(ctx, args...); err != nil {
				b.Fatal(err)
			}
		}, func() { st.Close() }
	}
	var st driver.Stmt
	raw := func(f func(dc any) error) {
		if err := conn.Raw(f); err != nil {
			b.Fatal(err)
		}
	}
	raw(func(dc any) (err error) {
		st, err = dc.(driver.ConnPrepareContext).PrepareContext(ctx, q)
		return err
	})
	var named []driver.NamedValue
	return func(args []any) {
			raw(func(any) error {
				named = named[:0]
				for i, a := range args {
					named = append(named, driver.NamedValue{Ordinal: i + 1, Value: a})
				}
				_, err := st.(driver.StmtExecContext).ExecContext(ctx, named)
				return err
			})
		}, func() {
			raw(func(any) error { return st.Close() })
		}
}

// closeUntimed closes an iteration's store outside the timed part.
func closeUntimed(b *testing.B, s *store.Store) {
	b.StopTimer()
	s.Close()
	b.StartTimer()
}

// reportRows reports the rate of rows per iteration.
func reportRows(b *testing.B, rows int) {
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkCopyCeiling is PostgreSQL's ceiling for a first load: 1M rows
// by pgx CopyFrom (binary COPY, 20,000 a statement as the import's
// batches) in one transaction, into three bigint columns (the shape of a
// bare COPY figure), into a copy of orders with no constraints or indexes,
// into orders with only its unique key (as a first load holds it), and
// "as-loaded": what the import's first load writes, the way it writes
// it (the customers first, one for four orders, by the same unnest
// insert; orders with their unique key, the covering index and foreign
// key dropped and put back after).
func BenchmarkCopyCeiling(b *testing.B) {
	if !slices.Contains(storetest.Engines(b), "postgres") {
		return // Engines said why
	}
	rows := benchRows(1000000)
	const batch = 20000
	cols := []string{"external_id", "customer_id", "ordered_at", "amount", "currency", "channel", "status", "row_hash", "import_run", "src_line"}
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	orderRow := func(i int) []any {
		return []any{fmt.Sprintf("D%09d", i), int64(i/4 + 1), at.Add(time.Duration(i) * time.Minute), int64(i % 9999),
			"CNY", "web", "paid", int64(i) * 7919, int64(1), int64(i)}
	}
	for _, tc := range []struct {
		name, table string
		columns     []string
		row         func(i int) []any
		before      []string
		after       []string
		customers   bool
	}{
		{name: "ints", table: "ints", columns: []string{"a", "b", "c"},
			row:    func(i int) []any { return []any{int64(i), int64(i / 4), int64(i % 9999)} },
			before: []string{`CREATE TABLE ints (a bigint, b bigint, c bigint)`}},
		{name: "bare", table: "bare", columns: cols, row: orderRow,
			before: []string{`CREATE TABLE bare (LIKE orders INCLUDING DEFAULTS INCLUDING IDENTITY)`}},
		{name: "unique-only", table: "orders", columns: cols, row: orderRow, before: store.PGFirstLoadBegin},
		{name: "as-loaded", table: "orders", columns: cols, row: orderRow, customers: true,
			before: store.PGFirstLoadBegin, after: store.PGFirstLoadEnd},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				b.StopTimer()
				dsn := storetest.DSN(b, "postgres")
				s, err := store.Open(ctx, dsn, store.Options{Migrate: true})
				if err != nil {
					b.Fatal(err)
				}
				s.Close()
				conn, err := pgx.Connect(ctx, dsn)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				tx, err := conn.Begin(ctx)
				if err != nil {
					b.Fatal(err)
				}
				for _, q := range tc.before {
					if _, err := tx.Exec(ctx, q); err != nil {
						b.Fatal(q, err)
					}
				}
				for start := 0; start < rows; start += batch {
					if tc.customers {
						copyCustomers(ctx, b, tx, start/4, batch/4)
					}
					src := pgx.CopyFromSlice(batch, func(i int) ([]any, error) { return tc.row(start + i), nil })
					if _, err := tx.CopyFrom(ctx, pgx.Identifier{tc.table}, tc.columns, src); err != nil {
						b.Fatal(err)
					}
				}
				for _, q := range tc.after {
					if _, err := tx.Exec(ctx, q); err != nil {
						b.Fatal(q, err)
					}
				}
				if err := tx.Commit(ctx); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				conn.Close(ctx)
				b.StartTimer()
			}
			reportRows(b, rows)
		})
	}
}

// copyCustomers creates n customers from the first'th on, by the insert a
// PostgreSQL first load creates its order rows' customers with.
func copyCustomers(ctx context.Context, b *testing.B, tx pgx.Tx, first, n int) {
	ext, name, phone, email, channel := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	city, region := make([]string, n), make([]string, n) // a file without place columns
	made, line := make([]time.Time, n), make([]int64, n)
	for i := range n {
		ext[i], channel[i] = fmt.Sprintf("C%07d", first+i), "web"
		made[i], line[i] = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), int64(4*(first+i))
	}
	got, err := tx.Query(ctx, store.PGInsertCustomers, ext, name, phone, email, channel, made, time.Now().UTC(), int64(1), line, city, region)
	if err != nil {
		b.Fatal(err)
	}
	got.Close()
	if err := got.Err(); err != nil {
		b.Fatal(err)
	}
}
