package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/config"
	"github.com/kithcrm/kith/internal/customer"
	"github.com/kithcrm/kith/internal/i18n"
	"github.com/kithcrm/kith/internal/importer"
)

func TestProgressText(t *testing.T) {
	a := &app{cfg: config.Config{Lang: i18n.EN}}
	zh := &app{cfg: config.Config{Lang: i18n.ZhCN}}
	for _, c := range []struct {
		a       *app
		rows    int
		elapsed time.Duration
		want    string
	}{
		{a, 16384, 200 * time.Millisecond, "o.csv: 16384 rows read"},
		{a, 300000, 2 * time.Second, "o.csv: 300000 rows read, 150000 rows/s"},
		{zh, 300000, 2 * time.Second, "o.csv：已读 300000 行，每秒 150000 行"},
	} {
		if got := c.a.progressText("o.csv", c.rows, c.elapsed); got != c.want {
			t.Errorf("%d rows in %v: %q, want %q", c.rows, c.elapsed, got, c.want)
		}
	}
}

// The import help lists every field each kind reads, so it cannot fall
// behind the aliases table.
func TestImportHelpListsEveryField(t *testing.T) {
	cmd := (&app{env: &Env{}}).importCmd()
	// Each kind's fields are looked for in its own paragraph, from its
	// name to the next kind's.
	_, help, _ := strings.Cut(cmd.Long, "Kinds and their fields:")
	for i, k := range importer.Kinds {
		_, section, found := strings.Cut(help, "\n  "+string(k)+" ")
		if i+1 < len(importer.Kinds) {
			section, _, _ = strings.Cut(section, "\n  "+string(importer.Kinds[i+1])+" ")
		}
		if !found {
			t.Errorf("import --help has no paragraph for %s", k)
			continue
		}
		words := strings.FieldsFunc(section, func(r rune) bool { return strings.ContainsRune(" \n,|()", r) })
		for _, f := range importer.FieldNames(k) {
			if !slices.Contains(words, f) {
				t.Errorf("import --help does not name the %s field %s", k, f)
			}
		}
	}
}

// The time an import prints includes the work after its last file (a first
// load's indexes, the report snapshot): for one file in its own line, for
// several in the total.
func TestSummaryTimeIncludesFinishing(t *testing.T) {
	sum := func(rows int) *importer.Summary {
		return &importer.Summary{File: "o.csv", Kind: importer.Orders, Read: rows, Created: rows}
	}
	for _, c := range []struct {
		name    string
		sums    []*importer.Summary
		elapsed []time.Duration
		finish  time.Duration
		want    []string
	}{
		{"one file", []*importer.Summary{sum(300000)}, []time.Duration{2 * time.Second}, time.Second,
			[]string{"  3.00s, 100000 rows/s"}},
		{"two files", []*importer.Summary{sum(100000), sum(200000)}, []time.Duration{time.Second, time.Second}, time.Second,
			[]string{"  1.00s, 100000 rows/s", "  1.00s, 200000 rows/s", "  3.00s, 100000 rows/s"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out strings.Builder
			a := &app{cfg: config.Config{Lang: i18n.EN, Format: "table"}, env: &Env{Stdout: &out}}
			if err := a.printSummaries(c.sums, c.elapsed, c.finish); err != nil {
				t.Fatal(err)
			}
			var times []string
			for _, l := range strings.Split(out.String(), "\n") {
				if strings.HasSuffix(l, "rows/s") {
					times = append(times, l)
				}
			}
			if strings.Join(times, "|") != strings.Join(c.want, "|") {
				t.Errorf("times %q, want %q\n%s", times, c.want, out.String())
			}
		})
	}
}

// An import whose last order is over 90 days old says how to see the
// reports as of then; one with recent orders, or none, says nothing of it.
func TestOldOrdersHint(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	sum := func(from, to string) *importer.Summary {
		s := &importer.Summary{File: "o.csv", Kind: importer.Orders, Read: 1, Created: 1}
		if to != "" {
			s.OrdersFrom, s.OrdersTo = day(from), day(to)
		}
		return s
	}
	const hint = "The last order imported is from 1998-06-30, over 90 days ago: reports count up to today unless told; to see the shop as it was then: kith report overview --as-of 1998-06-30"
	for _, c := range []struct {
		name string
		sums []*importer.Summary
		want string
	}{
		{"an old history", []*importer.Summary{sum("1997-01-01", "1998-06-30")}, hint},
		{"old files, the last one's date", []*importer.Summary{sum("1997-01-01", "1997-12-31"), sum("1998-01-01", "1998-06-30"), sum("", "")}, hint},
		{"recent orders", []*importer.Summary{sum("1997-01-01", "1998-06-30"), sum("2026-01-01", "2026-10-01")}, ""},
		{"no orders kept", []*importer.Summary{sum("", "")}, ""},
		// Imported with --tz UTC: the evening of the 29th there is the
		// 30th in the reports' zone.
		{"the reports' zone", []*importer.Summary{{File: "o.csv", Read: 1, OrdersFrom: day("1997-01-01"), OrdersTo: day("1998-06-29").Add(20 * time.Hour)}}, hint},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out strings.Builder
			a := &app{cfg: config.Config{Lang: i18n.EN, Format: "table", TimeZone: "Asia/Shanghai"}, env: &Env{Stdout: &out, Now: func() time.Time { return now }}}
			elapsed := make([]time.Duration, len(c.sums))
			if err := a.printSummaries(c.sums, elapsed, 0); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(out.String(), "The last order imported"); got != (c.want != "") || c.want != "" && !strings.Contains(out.String(), c.want) {
				t.Errorf("printed\n%s\nwant the hint %q", out.String(), c.want)
			}
		})
	}
}

// A referrer (or a customer referred) is named by id and name, without a
// stray space when one is missing, and by kith's id when both are.
func TestRefName(t *testing.T) {
	for _, c := range []struct {
		ref  customer.Ref
		want string
	}{
		{customer.Ref{ID: 3, ExternalID: "M1", Name: "张三"}, "M1 张三"},
		{customer.Ref{ID: 3, Name: "李女士"}, "李女士"},
		{customer.Ref{ID: 3, ExternalID: "M1"}, "M1"},
		{customer.Ref{ID: 3}, "#3"},
	} {
		if got := refName(c.ref); got != c.want {
			t.Errorf("refName(%+v) = %q, want %q", c.ref, got, c.want)
		}
	}
}

// What a killed import left in the temporary folder goes at the next
// import that unpacks; a folder still young (an import running) and
// anything not kith's stay.
func TestSweepUnpacked(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	for name, age := range map[string]time.Duration{
		unpackPrefix + "123": 25 * time.Hour, unpackPrefix + "456": 2 * time.Hour, "other-789": 48 * time.Hour,
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Join(p, "unpacked-1"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "unpacked-1", "orders.csv"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	sweepUnpacked(dir, now)
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if want := []string{unpackPrefix + "456", "other-789"}; !slices.Equal(left, want) {
		t.Errorf("left %q, want %q", left, want)
	}
}
