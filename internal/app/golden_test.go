package app_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// TestReportGolden pins every report's JSON on a small seeded demo shop:
// a change in any figure shows as a diff to review (go test -run
// ReportGolden -update rewrites them after a deliberate change).
func TestReportGolden(t *testing.T) {
	db := filepath.Join(t.TempDir(), "golden.db")
	if code, _, errOut := kith(t, nil, "demo", "--customers", "250", "--seed", "11", "--end", "2026-06-30", "--db", db); code != 0 {
		t.Fatal(errOut)
	}
	for _, args := range [][]string{
		{"overview"}, {"overview", "--period", "quarter"}, {"overview", "--period", "week"},
		{"trend", "--from", "2026-01-01"}, {"cohorts", "--period", "quarter"}, {"cac", "--from", "2026-04-01"},
		{"drivers"}, {"drivers", "--compare", "yoy"}, {"rfm", "--compare", "2026-03-31"}, {"classes"}, {"pareto"},
	} {
		name := args[0]
		for _, a := range args[1:] {
			if a[0] != '-' {
				name += "_" + a
			}
		}
		t.Run(name, func(t *testing.T) {
			cmd := append([]string{"report"}, args...)
			cmd = append(cmd, "--db", db, "--as-of", "2026-06-30", "--format", "json")
			code, out, errOut := kith(t, map[string]string{"KITH_TZ": "Asia/Shanghai"}, cmd...)
			if code != 0 {
				t.Fatalf("%v: %d %s", cmd, code, errOut)
			}
			path := filepath.Join("testdata", "reports", name+".golden.json")
			if *update {
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(want, []byte(out)) {
				t.Errorf("%s differs from %s:\n%.1500s", name, path, out)
			}
		})
	}
}
