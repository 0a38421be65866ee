package report_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/analytics/kpi"
	"github.com/kithcrm/kith/internal/demo"
	"github.com/kithcrm/kith/internal/importer"
	"github.com/kithcrm/kith/internal/report"
	"github.com/kithcrm/kith/internal/store/storetest"
)

// BenchmarkReports runs every report end to end from SQLite on a demo shop
// of KITH_BENCH_SHOP customers (default 50k; the size is 500k with
// about 10 orders each), and the pure per-customer pass against
// a plain loop over the same columns.
func BenchmarkReports(b *testing.B) {
	n := 50000
	if v, err := strconvAtoi(os.Getenv("KITH_BENCH_SHOP")); err == nil && v > 0 {
		n = v
	}
	dir := b.TempDir()
	names := []string{"customers.csv", "orders.csv", "spend.csv", "traffic.csv"}
	files := make([]*os.File, len(names))
	for i, name := range names {
		files[i], _ = os.Create(filepath.Join(dir, name))
	}
	end := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	st, err := demo.Generate(demo.Config{Customers: n, Seed: 8, End: end, Intensity: 3, Dropout: 0.08, Location: time.UTC},
		demo.Files{Customers: files[0], Orders: files[1], Spend: files[2], Traffic: files[3]})
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range files {
		f.Close()
	}
	s := storetest.Open(b, "sqlite")
	for i, k := range []importer.Kind{importer.Customers, importer.Orders, importer.Spend, importer.Traffic} {
		if _, err := importer.Import(context.Background(), s, k, filepath.Join(dir, names[i]), importer.Options{Location: time.UTC}); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	o := report.Options{AsOf: end, Period: kpi.Month, Location: time.UTC}
	// The first read after an import rebuilds the order snapshot from a
	// full scan; time it on its own, then every report reads the snapshot.
	start := time.Now()
	p, err := s.Purchases(ctx, end.Add(24*time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d customers, %d orders; snapshot rebuilt in %v", n, st.Orders, time.Since(start))
	days := make([]int32, len(p.At))
	for i, at := range p.At {
		days[i] = int32(at / 86400)
	}
	ord := &kpi.Orders{Customer: p.Customer, Day: days, Amount: p.Amount}
	asOf := int32(end.Unix() / 86400)
	b.Run("plain-loop", func(b *testing.B) {
		for b.Loop() {
			// The floor: one pass over the columns, counting customers,
			// orders and revenue in a window.
			var customers, active int
			var revenue int64
			for i := range ord.Customer {
				if i == 0 || ord.Customer[i] != ord.Customer[i-1] {
					customers++
				}
				if ord.Day[i] > asOf-30 && ord.Day[i] <= asOf {
					active++
					revenue += ord.Amount[i]
				}
			}
			if customers == 0 || revenue < 0 {
				b.Fatal("empty")
			}
		}
	})
	b.Run("overview-pure", func(b *testing.B) {
		for b.Loop() {
			kpi.Compute(ord, nil, kpi.Month, asOf, 0)
		}
	})
	runtime.GC()
	reports := map[string]func() error{
		"load-purchases": func() error { _, err := s.Purchases(ctx, end); return err },
		"overview":       func() error { _, err := report.RetentionOverview(ctx, s, o); return err },
		"trend":          func() error { _, err := report.Trend(ctx, s, o, end.AddDate(-1, 0, 0)); return err },
		"cohorts":        func() error { _, err := report.CohortReport(ctx, s, o); return err },
		"cac":            func() error { _, err := report.CAC(ctx, s, o, end.AddDate(0, -5, 0)); return err },
		"drivers":        func() error { _, err := report.Drivers(ctx, s, o, false); return err },
		"rfm":            func() error { _, err := report.RFM(ctx, s, o, end.AddDate(0, -3, 0), ""); return err },
		"classes":        func() error { _, err := report.ValueTenure(ctx, s, o); return err },
		"pareto":         func() error { _, err := report.RevenueConcentration(ctx, s, o); return err },
	}
	for _, name := range []string{"load-purchases", "overview", "trend", "cohorts", "cac", "drivers", "rfm", "classes", "pareto"} {
		b.Run(name, func(b *testing.B) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				if err := reports[name](); err != nil {
					b.Fatal(err)
				}
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(st.Orders), "alloc-B/order")
		})
	}
}
