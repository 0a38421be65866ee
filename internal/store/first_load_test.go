package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kithcrm/kith/internal/importer"
	"github.com/kithcrm/kith/internal/order"
	"github.com/kithcrm/kith/internal/store"
	"github.com/kithcrm/kith/internal/store/storetest"
)

// firstLoadCSV is an orders file of n orders over n/3 customers, with a
// repeated order id in a later batch (batches of 50) and a customer known
// only by phone.
func firstLoadCSV(n int) string {
	var b strings.Builder
	b.WriteString("订单号,客户编号,手机,下单时间,实付金额\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "D%05d,C%04d,,2024-03-%02d 10:%02d,%d.50\n", i, i/3, i%28+1, i%60, i)
		if i == n/2 {
			b.WriteString("P00001,,13800000001,2024-05-01 09:00,88\n") // phone-only customer
		}
	}
	b.WriteString("D00007,C0002,,2024-03-08 10:07,999\n") // repeat, other content
	return b.String()
}

// orderIndexes lists the orders table's indexes and foreign keys, the part
// of the schema a first load takes down and puts back.
func orderIndexes(t *testing.T, s *store.Store) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'orders'
UNION ALL SELECT 'fk:' || "table" || '.' || "from" FROM pragma_foreign_key_list('orders')`
	if s.Dialect() == "postgres" {
		q = `SELECT indexname FROM pg_indexes WHERE tablename = 'orders'
UNION ALL SELECT 'fk:' || conname FROM pg_constraint WHERE conrelid = 'orders'::regclass AND contype = 'f'`
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
			if sum.Created != 401 || sum.Rejected != 1 || sum.Customers != 135 {
				t.Errorf("first load = %+v, want 401 created, 1 rejected, 135 customers", sum)
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
			if sum2.Created != 400 || sum2.Unchanged != 1 || sum2.Rejected != 1 {
				t.Errorf("stepped import = %+v, want 400 created, 1 unchanged, 1 rejected", sum2)
			}
			a, err := loaded.Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := stepped.Snapshot(ctx); a != b {
				t.Error("a first load and a batch-by-batch import of the same file differ")
			}

			// A first load that fails part-way leaves the table empty, the
			// schema whole and the store usable.
			failed := storetest.Open(t, engine)
			boom := errors.New("disk on fire")
			_, err = importer.Import(ctx, &failingSink{Store: failed, failAt: 3, err: boom}, importer.Orders, path, opts)
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
				var on int
				if err := store.WriteDB(failed).QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&on); err != nil || on != 1 {
					t.Errorf("foreign keys on the writer after a failed load: %d %v, want 1", on, err)
				}
			}
			if sum, err := importer.Import(ctx, failed, importer.Orders, path, opts); err != nil || sum.Created != 401 {
				t.Errorf("import after the failed one = %+v %v", sum, err)
			}
		})
	}
}

// failingSink fails the failAt-th orders batch.
type failingSink struct {
	*store.Store
	failAt, n int
	err       error
}

func (f *failingSink) WriteOrders(ctx context.Context, run int64, rows []importer.Row[order.Order], withLines bool) (importer.BatchResult, error) {
	if f.n++; f.n == f.failAt {
		return importer.BatchResult{}, f.err
	}
	return f.Store.WriteOrders(ctx, run, rows, withLines)
}
