package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/kithcrm/kith/internal/store"
	"github.com/kithcrm/kith/internal/store/storetest"
)

// BenchmarkRawInsert is the driver's own ceiling: prepared INSERTs in
// transactions of 5000, into a plain table and into the real orders table
// (with its unique key, covering index and foreign key). The import is
// judged against these.
func BenchmarkRawInsert(b *testing.B) {
	const rows = 200000
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
				b.StopTimer()
				s.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
