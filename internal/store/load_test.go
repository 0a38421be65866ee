package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kithcrm/kith/internal/importer"
	"github.com/kithcrm/kith/internal/store"
	"github.com/kithcrm/kith/internal/store/storetest"
)

// counts is an import's summary as created/updated/unchanged/rejected/customers.
func counts(sum *importer.Summary) string {
	return fmt.Sprintf("%d/%d/%d/%d/%d", sum.Created, sum.Updated, sum.Unchanged, sum.Rejected, sum.Customers)
}

// TestLoadOfSeveralFiles imports overlapping files (a shop's exports, a
// month or so each) into an empty shop as one load, which makes them one
// first load, and file by file: each file's counts, the data and the schema
// must end the same. A file that fails in the load takes back only its own
// rows, and a load closed without End leaves nothing.
func TestLoadOfSeveralFiles(t *testing.T) {
	lines := strings.SplitAfter(firstLoadCSV(400), "\n")
	head, body := lines[0], lines[1:len(lines)-1]
	file := func(name string, rows []string) string {
		return writeFile(t, name, head+strings.Join(rows, ""))
	}
	middle := slices.Clone(body[100:300])
	middle[40] = strings.Replace(middle[40], ".50\n", ".75\n", 1) // an order changed since the first file
	middle = append(middle, middle[10])                           // a repeat within the file
	files := []string{file("a.csv", body[:150]), file("b.csv", middle), file("c.csv", body[250:])}
	var bad strings.Builder
	bad.WriteString(head)
	for i := 1; i <= 120; i++ {
		fmt.Fprintf(&bad, "F%04d,X%03d,,2024-06-01 10:00,%d\n", i, i%40, i)
	}
	failing := writeFile(t, "f.csv", bad.String())
	opts := importer.Options{BatchSize: 50}
	ctx := context.Background()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			stepped := storetest.Open(t, engine)
			schema := orderIndexes(t, stepped)
			var want []string
			for _, f := range files {
				sum, err := importer.Import(ctx, stepped, importer.Orders, f, opts)
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, counts(sum))
			}
			if want[1] != "149/1/50/1/51" {
				t.Fatalf("the middle file file by file: %s, want 149 created, 1 updated, 50 unchanged, 1 rejected, 51 customers", want[1])
			}

			loaded := storetest.Open(t, engine)
			load := loaded.Load()
			var got []string
			for i, f := range files {
				sum, err := importer.Import(ctx, load, importer.Orders, f, opts)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, counts(sum))
				if i == 1 { // a file that fails after its first batch
					boom := errors.New("disk on fire")
					if _, err := importer.Import(ctx, &failingSink{Sink: load, failAt: 2, err: boom}, importer.Orders, failing, opts); !errors.Is(err, boom) {
						t.Fatalf("failing file: %v", err)
					}
				}
			}
			if err := load.End(ctx); err != nil {
				t.Fatal(err)
			}
			load.Close()
			if !slices.Equal(got, want) {
				t.Errorf("counts (created/updated/unchanged/rejected/customers) in one load %v, file by file %v", got, want)
			}
			if !sameData(t, stepped, loaded) {
				t.Error("one load of the files and the files one by one end differently (the failed file left rows?)")
			}
			if got := orderIndexes(t, loaded); !slices.Equal(got, schema) {
				t.Errorf("after the load the orders table has %v, want %v", got, schema)
			}
			if err := store.CheckIntegrity(ctx, loaded); err != nil {
				t.Error(err)
			}
			if engine == "sqlite" {
				writerEnforces(t, loaded)
			}

			// Closed without End, as when the command is interrupted after
			// two files: PostgreSQL takes both back, SQLite keeps them (each
			// committed on its own); the schema is whole either way, and
			// running the command again ends as file by file.
			closed := storetest.Open(t, engine)
			load = closed.Load()
			for _, f := range files[:2] {
				if _, err := importer.Import(ctx, load, importer.Orders, f, opts); err != nil {
					t.Fatal(err)
				}
			}
			load.Close()
			kept := map[string]int64{"sqlite": 150 + 149, "postgres": 0}[engine]
			if c, err := closed.Counts(ctx); err != nil || c.Orders != kept {
				t.Errorf("after a load closed without End: %+v %v, want %d orders", c, err, kept)
			}
			if got := orderIndexes(t, closed); !slices.Equal(got, schema) {
				t.Errorf("after a load closed without End the orders table has %v, want %v", got, schema)
			}
			load = closed.Load()
			for _, f := range files {
				if _, err := importer.Import(ctx, load, importer.Orders, f, opts); err != nil {
					t.Fatal(err)
				}
			}
			if err := load.End(ctx); err != nil {
				t.Fatal(err)
			}
			if !sameData(t, stepped, closed) {
				t.Error("the command run again after an interrupted one ends otherwise than file by file")
			}
		})
	}
}

// TestLoadTakesOneKind: once a load has begun a first load, an import of
// another kind through it is refused (its writes would wait for the load's
// locks), and the load still ends whole.
func TestLoadTakesOneKind(t *testing.T) {
	ctx := context.Background()
	orders := writeFile(t, "orders.csv", "订单号,客户编号,下单时间,实付金额\nA1,C1,2024-01-31,10\n")
	customers := writeFile(t, "customers.csv", "客户编号,姓名\nC2,王芳\n")
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			load := s.Load()
			defer load.Close()
			if _, err := importer.Import(ctx, load, importer.Orders, orders, importer.Options{}); err != nil {
				t.Fatal(err)
			}
			if _, err := importer.Import(ctx, load, importer.Customers, customers, importer.Options{}); err == nil || !strings.Contains(err.Error(), "in a load of orders") {
				t.Errorf("customers in a load of orders: %v, want it refused", err)
			}
			if err := load.End(ctx); err != nil {
				t.Fatal(err)
			}
			if c, err := s.Counts(ctx); err != nil || c.Orders != 1 || c.Customers != 1 {
				t.Errorf("after the load: %+v %v, want the order and its customer only", c, err)
			}
		})
	}
}
