package store_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/analytics/kpi"
	"github.com/kithcrm/kith/internal/demo"
	"github.com/kithcrm/kith/internal/importer"
	"github.com/kithcrm/kith/internal/report"
	"github.com/kithcrm/kith/internal/store"
	"github.com/kithcrm/kith/internal/store/storetest"
)

// TestReportsSameOnBothEngines loads one demo shop into every engine and
// requires identical report results.
func TestReportsSameOnBothEngines(t *testing.T) {
	engines := storetest.Engines(t)
	dir := t.TempDir()
	names := []string{"customers.csv", "lines.csv", "spend.csv", "traffic.csv"}
	files := make([]*os.File, len(names))
	for i, n := range names {
		files[i], _ = os.Create(filepath.Join(dir, n))
	}
	end := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
	if _, err := demo.Generate(demo.Config{Customers: 300, Seed: 4, End: end, Lines: true, Location: time.UTC},
		demo.Files{Customers: files[0], Orders: files[1], Spend: files[2], Traffic: files[3]}); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		f.Close()
	}
	results := map[string]string{}
	for _, engine := range engines {
		s := storetest.Open(t, engine)
		for i, k := range []importer.Kind{importer.Customers, importer.Lines, importer.Spend, importer.Traffic} {
			if _, err := importer.Import(context.Background(), s, k, filepath.Join(dir, names[i]), importer.Options{Location: time.UTC}); err != nil {
				t.Fatal(err)
			}
		}
		results[engine] = reportsJSON(t, s, end)
	}
	if len(engines) == 2 && results["sqlite"] != results["postgres"] {
		t.Errorf("reports differ between engines:\nsqlite   %.600s\npostgres %.600s", results["sqlite"], results["postgres"])
	}
}

func reportsJSON(t *testing.T, s *store.Store, asOf time.Time) string {
	ctx := context.Background()
	o := report.Options{AsOf: asOf, Period: kpi.Month, Location: time.UTC}
	ov, err := report.RetentionOverview(ctx, s, o)
	if err != nil {
		t.Fatal(err)
	}
	co, err := report.CohortReport(ctx, s, o)
	if err != nil {
		t.Fatal(err)
	}
	cac, err := report.CAC(ctx, s, o, asOf.AddDate(0, -3, 0))
	if err != nil {
		t.Fatal(err)
	}
	dr, err := report.Drivers(ctx, s, o, false)
	if err != nil {
		t.Fatal(err)
	}
	if !dr.Defined || dr.VisitorsNow == 0 || len(cac.Channels) == 0 {
		t.Errorf("drivers %+v, %d channel rows", dr, len(cac.Channels))
	}
	b, err := json.Marshal([]any{ov, co, cac, dr})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
