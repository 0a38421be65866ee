package importer_test

import (
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/customer"
	"github.com/kithcrm/kith/internal/demo"
	"github.com/kithcrm/kith/internal/importer"
	"github.com/kithcrm/kith/internal/order"
	"github.com/kithcrm/kith/internal/store/storetest"
	"github.com/xuri/excelize/v2"
)

// benchOrders is the size of the orders file the import benchmarks use:
// KITH_BENCH_ORDERS (about; the generator decides), default 300k. The
// recorded figures in docs/benchmarks.md use 5000000.
func benchOrders() int {
	if n, err := strconv.Atoi(os.Getenv("KITH_BENCH_ORDERS")); err == nil && n > 0 {
		return n
	}
	return 300000
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchFile.path != "" {
		os.RemoveAll(filepath.Dir(benchFile.path))
	}
	os.Exit(code)
}

var benchFile struct {
	sync.Once
	path string
	rows int
	err  error
}

// ordersCSV writes (once per process) a demo orders file of about n rows,
// one row per order, in the shape of a shop's export.
func ordersCSV(b *testing.B) (string, int) {
	benchFile.Do(func() {
		dir, err := os.MkdirTemp("", "kith-bench-")
		if err != nil {
			benchFile.err = err
			return
		}
		benchFile.path = filepath.Join(dir, "orders.csv")
		f, err := os.Create(benchFile.path)
		if err != nil {
			benchFile.err = err
			return
		}
		defer f.Close()
		// About 4.2 orders per customer at intensity 3 over two years.
		st, err := demo.Generate(demo.Config{Customers: benchOrders() * 10 / 42, Seed: 1, Intensity: 3,
			End: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)}, demo.Files{Orders: f})
		benchFile.rows, benchFile.err = st.Orders, err
	})
	if benchFile.err != nil {
		b.Fatal(benchFile.err)
	}
	return benchFile.path, benchFile.rows
}

// BenchmarkImportOrders imports the orders file into an empty database of
// each engine, end to end (read, parse, customers created, orders upserted).
func BenchmarkImportOrders(b *testing.B) {
	path, rows := ordersCSV(b)
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			var peak uint64
			var writing time.Duration // the import alone, the snapshot after it left out
			for b.Loop() {
				b.StopTimer()
				s := storetest.Open(b, engine)
				done := make(chan struct{})
				go func() { // sample the heap to show memory stays flat
					var ms runtime.MemStats
					for {
						select {
						case <-done:
							return
						case <-time.After(100 * time.Millisecond):
							runtime.ReadMemStats(&ms)
							peak = max(peak, ms.HeapInuse)
						}
					}
				}()
				b.StartTimer()
				start := time.Now()
				sum, err := importer.Import(context.Background(), s, importer.Orders, path, importer.Options{})
				writing += time.Since(start)
				if err == nil {
					// As the import command does after its last file: the
					// figures before this change included it in the import.
					err = s.RefreshSnapshot(context.Background())
				}
				b.StopTimer()
				close(done)
				if err != nil || sum.Created != rows {
					b.Fatalf("%+v %v", sum, err)
				}
				s.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			// Against the store's FirstLoadCeiling/as-loaded: the same
			// writes as raw prepared inserts.
			b.ReportMetric(float64(rows)*float64(b.N)/writing.Seconds(), "import-only-rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}

// BenchmarkReimportOrders imports the same file into a database that
// already holds it, as a shop does when its exports overlap: every row is
// unchanged. Only the second import is timed.
func BenchmarkReimportOrders(b *testing.B) {
	path, rows := ordersCSV(b)
	ctx := context.Background()
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				s := storetest.Open(b, engine)
				if _, err := importer.Import(ctx, s, importer.Orders, path, importer.Options{}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				sum, err := importer.Import(ctx, s, importer.Orders, path, importer.Options{})
				b.StopTimer()
				if err != nil || sum.Unchanged != rows {
					b.Fatalf("%+v %v", sum, err)
				}
				s.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkParseOnly is the reading side alone (read, decode, parse,
// dedupe) into a sink that discards: the import's ceiling from the file's
// end.
func BenchmarkParseOnly(b *testing.B) {
	path, rows := ordersCSV(b)
	for b.Loop() {
		sum, err := importer.Import(context.Background(), discard{}, importer.Orders, path, importer.Options{})
		if err != nil || sum.Created != rows {
			b.Fatal(sum, err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkParseXLSX is BenchmarkParseOnly for the same orders as a
// workbook (written by excelize's stream writer: inline strings, amounts as
// numbers), so the two readers can be compared.
func BenchmarkParseXLSX(b *testing.B) {
	path, rows := ordersCSV(b)
	rows = min(rows, maxSheetRows-1) // the header takes a row
	xlsx := filepath.Join(filepath.Dir(path), "orders.xlsx")
	if _, err := os.Stat(xlsx); err != nil {
		writeXLSXCopy(b, path, xlsx)
	}
	for b.Loop() {
		sum, err := importer.Import(context.Background(), discard{}, importer.Orders, xlsx, importer.Options{})
		if err != nil || sum.Created != rows {
			b.Fatal(sum, err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// maxSheetRows is a sheet's last row in Excel (and excelize): a larger
// orders file is cut there.
const maxSheetRows = 1 << 20

// writeXLSXCopy writes the CSV at from as a one-sheet workbook, as many of
// its rows as a sheet holds.
func writeXLSXCopy(b *testing.B, from, to string) {
	in, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	for n := 1; n <= maxSheetRows; n++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		row := make([]any, len(rec))
		for i, c := range rec {
			row[i] = c
			if v, err := strconv.ParseFloat(c, 64); err == nil && n > 1 {
				row[i] = v
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		if err := sw.SetRow(cell, row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.SaveAs(to); err != nil {
		b.Fatal(err)
	}
}

// discard is a sink that stores nothing and counts every order as created.
type discard struct{}

func (discard) BeginImport(context.Context, importer.Kind, string) (int64, error) { return 1, nil }
func (discard) WriteCustomers(context.Context, int64, []importer.Row[customer.Customer]) (importer.BatchResult, error) {
	return importer.BatchResult{}, nil
}
func (discard) WriteOrders(_ context.Context, _ int64, rows []importer.Row[order.Order], _ bool) (importer.BatchResult, error) {
	return importer.BatchResult{Created: len(rows)}, nil
}
func (discard) WriteSpend(context.Context, int64, []importer.Row[order.Spend]) (importer.BatchResult, error) {
	return importer.BatchResult{}, nil
}
func (discard) WriteTraffic(context.Context, int64, []importer.Row[order.Traffic]) (importer.BatchResult, error) {
	return importer.BatchResult{}, nil
}
func (discard) WriteProducts(context.Context, int64, []importer.Row[order.Product]) (importer.BatchResult, error) {
	return importer.BatchResult{}, nil
}
func (discard) FinishImport(context.Context, int64, *importer.Summary) error { return nil }
func (discard) AbortImport(context.Context, int64)                           {}
