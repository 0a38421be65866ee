package report_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/analytics/clv"
	"github.com/kithcrm/kith/internal/demo"
	"github.com/kithcrm/kith/internal/importer"
	"github.com/kithcrm/kith/internal/report"
	"github.com/kithcrm/kith/internal/store/storetest"
)

// BenchmarkCLVFromStore is issue 4's second target: load the paid orders
// from SQLite (one ordered scan of the covering index), summarise, fit
// BG/NBD and Gamma-Gamma, and score every customer. The database holds a
// demo shop of KITH_BENCH_SHOP customers (default 400k, about 1M orders at
// intensity 0.8; the recorded run used 1M customers).
func BenchmarkCLVFromStore(b *testing.B) {
	n := 400000
	if v, err := strconvAtoi(os.Getenv("KITH_BENCH_SHOP")); err == nil && v > 0 {
		n = v
	}
	dir := b.TempDir()
	path := filepath.Join(dir, "orders.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	end := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	st, err := demo.Generate(demo.Config{Customers: n, Seed: 5, End: end, Intensity: 0.8, Months: 12}, demo.Files{Orders: f})
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	s := storetest.Open(b, "sqlite")
	if _, err := importer.Import(context.Background(), s, importer.Orders, path, importer.Options{Location: time.UTC}); err != nil {
		b.Fatal(err)
	}
	os.Remove(path)
	o := report.CLVOptions{Model: clv.BGNBD, Unit: clv.Week, AsOf: end, Location: time.UTC}
	start := time.Now()
	if _, err := s.Purchases(context.Background(), end); err != nil { // builds the order snapshot
		b.Fatal(err)
	}
	b.Logf("%d customers, %d orders; snapshot rebuilt in %v", n, st.Orders, time.Since(start))
	runtime.GC()
	for b.Loop() {
		fit, err := report.FitCLV(context.Background(), s, o)
		if err != nil {
			b.Fatal(err)
		}
		scores := clv.ScoreAll(fit.Model, fit.Spend, &fit.Summary, clv.ScoreOptions{HorizonDays: 365, MonthlyDiscount: 0.01})
		if len(scores) == 0 {
			b.Fatal("no scores")
		}
	}
	b.ReportMetric(float64(st.Orders), "orders")
}
