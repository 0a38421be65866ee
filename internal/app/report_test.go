package app_test

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestReportCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	if code, _, errOut := kith(t, nil, "demo", "--customers", "400", "--seed", "9", "--end", "2026-06-30", "--db", db); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut := kith(t, nil, "report", "overview", "--db", db, "--as-of", "2026-06-30", "--format", "json")
	if code != 0 {
		t.Fatalf("overview: %d %s", code, errOut)
	}
	var ov map[string]any
	if err := json.Unmarshal([]byte(out), &ov); err != nil {
		t.Fatal(err)
	}
	// The documented keys (docs/reports.md) are all there.
	for _, k := range []string{"customers", "active", "new", "returning", "revenue", "revenue_new", "revenue_returning",
		"repurchase_rate", "repeat_customer_rate", "retention_rate", "churn_rate", "aov", "cac", "retention_cost",
		"ltv_cac", "payback_months", "currency", "churned", "previous", "purchases_per_buyer"} {
		if _, ok := ov[k]; !ok {
			t.Errorf("overview JSON lacks %q", k)
		}
	}
	if ov["period"] != "2026-06" || ov["currency"] != "CNY" {
		t.Errorf("period %v currency %v", ov["period"], ov["currency"])
	}
	if a, n, r := ov["active"].(float64), ov["new"].(float64), ov["returning"].(float64); a != n+r || a == 0 {
		t.Errorf("active %v != new %v + returning %v", a, n, r)
	}
	code, out, _ = kith(t, nil, "report", "overview", "--db", db, "--as-of", "2026-06-30", "--lang", "zh-CN", "--period", "quarter")
	if code != 0 || !strings.Contains(out, "复购率") || !strings.Contains(out, "2026-Q2") {
		t.Errorf("overview zh-CN quarter: %d\n%s", code, out)
	}
	code, out, _ = kith(t, nil, "report", "pareto", "--db", db, "--as-of", "2026-06-30", "--format", "json")
	var p struct {
		Customers int `json:"customers"`
		Top       []struct {
			Fraction float64 `json:"fraction"`
			Share    float64 `json:"share"`
		} `json:"top"`
		Gini   float64      `json:"gini"`
		Lorenz [][2]float64 `json:"lorenz"`
	}
	if err := json.Unmarshal([]byte(out), &p); code != 0 || err != nil || len(p.Top) != 5 || len(p.Lorenz) != 101 || p.Gini <= 0 || p.Customers == 0 {
		t.Errorf("pareto: %d %v %+v", code, err, p)
	}
	code, out, errOut = kith(t, nil, "report", "trend", "--db", db, "--as-of", "2026-06-30", "--from", "2026-01-01", "--format", "json")
	var tr struct {
		Periods []struct {
			Period      string `json:"period"`
			Won         int    `json:"won"`
			Lost        int    `json:"lost"`
			Reactivated int    `json:"reactivated"`
			Net         int    `json:"net"`
			Alive       int    `json:"customers_alive"`
		} `json:"periods"`
	}
	if err := json.Unmarshal([]byte(out), &tr); code != 0 || err != nil || len(tr.Periods) != 6 || tr.Periods[0].Period != "2026-01" {
		t.Fatalf("trend: %d %v %s\n%s", code, err, errOut, out)
	}
	for i, r := range tr.Periods {
		if r.Net != r.Won+r.Reactivated-r.Lost {
			t.Errorf("%s: net %d != won %d + back %d - lost %d", r.Period, r.Net, r.Won, r.Reactivated, r.Lost)
		}
		if i > 0 && r.Alive-tr.Periods[i-1].Alive != r.Net {
			t.Errorf("%s: customers alive moved by %d, net is %d", r.Period, r.Alive-tr.Periods[i-1].Alive, r.Net)
		}
	}
	code, out, _ = kith(t, nil, "report", "cohorts", "--db", db, "--as-of", "2026-06-30", "--format", "json")
	var co struct {
		Cohorts []struct {
			Size      int       `json:"size"`
			Retention []float64 `json:"retention"`
		} `json:"cohorts"`
	}
	if err := json.Unmarshal([]byte(out), &co); code != 0 || err != nil || len(co.Cohorts) < 12 {
		t.Fatalf("cohorts: %d %v", code, err)
	}
	sizes := 0
	for _, c := range co.Cohorts {
		sizes += c.Size
		if c.Retention[0] != 1 {
			t.Errorf("cohort retention starts at %v", c.Retention[0])
		}
	}
	if float64(sizes) != ov["customers"].(float64) {
		t.Errorf("cohort sizes %d != customers %v", sizes, ov["customers"])
	}
	code, out, _ = kith(t, nil, "report", "rfm", "--db", db, "--as-of", "2026-06-30", "--compare", "2026-01-31", "--format", "json")
	var rf struct {
		Segments []struct {
			Segment      string  `json:"segment"`
			Customers    int     `json:"customers"`
			RevenueShare float64 `json:"revenue_share"`
		} `json:"segments"`
		Migration map[string]map[string]int `json:"migration"`
	}
	if err := json.Unmarshal([]byte(out), &rf); code != 0 || err != nil || len(rf.Segments) != 11 || len(rf.Migration) == 0 {
		t.Fatalf("rfm: %d %v %s", code, err, out)
	}
	inSegments := 0
	for _, s := range rf.Segments {
		inSegments += s.Customers
	}
	if float64(inSegments) != ov["customers"].(float64) {
		t.Errorf("segments hold %d customers, the shop has %v", inSegments, ov["customers"])
	}
	code, out, _ = kith(t, nil, "report", "rfm", "--db", db, "--as-of", "2026-06-30", "--customers", "champions", "--format", "json")
	var members struct {
		Customers []struct {
			ExternalID string `json:"external_id"`
			R          int    `json:"r"`
		} `json:"customers"`
	}
	if err := json.Unmarshal([]byte(out), &members); code != 0 || err != nil || len(members.Customers) != rf.Segments[0].Customers ||
		!strings.HasPrefix(members.Customers[0].ExternalID, "C") || members.Customers[0].R < 4 {
		t.Errorf("champions list: %d %v %s", code, err, out)
	}
	code, out, _ = kith(t, nil, "report", "classes", "--db", db, "--as-of", "2026-06-30", "--format", "json")
	var cl struct {
		Classes []struct {
			Customers int `json:"customers"`
		} `json:"classes"`
		Rule map[string]any `json:"rule"`
	}
	if err := json.Unmarshal([]byte(out), &cl); code != 0 || err != nil || len(cl.Classes) != 4 || cl.Rule["alive_source"] == nil {
		t.Fatalf("classes: %d %v %s", code, err, out)
	}
	inClasses := 0
	for _, c := range cl.Classes {
		inClasses += c.Customers
	}
	if float64(inClasses) != ov["customers"].(float64) {
		t.Errorf("classes hold %d customers, the shop has %v", inClasses, ov["customers"])
	}
	code, out, _ = kith(t, nil, "report", "drivers", "--db", db, "--as-of", "2026-06-30", "--format", "json")
	var dr struct {
		Change     string `json:"change"`
		HasTraffic bool   `json:"has_traffic"`
		Defined    bool   `json:"defined"`
		Factors    []struct {
			Factor       string `json:"factor"`
			Contribution string `json:"contribution"`
		} `json:"factors"`
	}
	if err := json.Unmarshal([]byte(out), &dr); code != 0 || err != nil || !dr.HasTraffic || !dr.Defined || len(dr.Factors) != 4 {
		t.Fatalf("drivers: %d %v %s", code, err, out)
	}
	var parts, change float64
	for _, f := range dr.Factors {
		v, _ := strconv.ParseFloat(f.Contribution, 64)
		parts += v
	}
	change, _ = strconv.ParseFloat(dr.Change, 64)
	if math.Abs(parts-change) > 0.02 { // each part is rounded to the fen
		t.Errorf("drivers parts %.2f, change %.2f", parts, change)
	}
	code, out, _ = kith(t, nil, "report", "cac", "--db", db, "--as-of", "2026-06-30", "--format", "json")
	var cac struct {
		Channels []struct {
			Channel string `json:"channel"`
			New     int    `json:"new"`
			CAC     any    `json:"cac"`
		} `json:"channels"`
		Retention []map[string]any `json:"retention"`
	}
	if err := json.Unmarshal([]byte(out), &cac); code != 0 || err != nil || len(cac.Channels) == 0 || len(cac.Retention) != 6 {
		t.Fatalf("cac: %d %v %s", code, err, out)
	}
	for _, c := range cac.Channels {
		if (c.New == 0) != (c.CAC == nil) {
			t.Errorf("channel %s: %d new, CAC %v (undefined exactly when nobody was won)", c.Channel, c.New, c.CAC)
		}
	}
	if code, _, _ := kith(t, nil, "report", "rfm", "--db", db, "--customers", "vip"); code != 2 {
		t.Errorf("unknown segment exited %d, want 2", code)
	}
	if code, _, _ := kith(t, nil, "report", "overview", "--db", db, "--period", "fortnight"); code != 2 {
		t.Errorf("bad period exited %d, want 2", code)
	}
}

// A new shop has no orders yet: the reports say so in the default
// currency, not with an empty one.
func TestReportsOnEmptyDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "empty.db")
	// Reports read: a database that does not exist is a mistyped --db, not
	// an empty shop.
	if code, _, errOut := kith(t, nil, "report", "overview", "--db", db); code != 1 || !strings.Contains(errOut, "empty.db: no such database") {
		t.Errorf("report on a missing database: %d %s", code, errOut)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a report created the database it was pointed at")
	}
	if code, _, errOut := kith(t, nil, "migrate", "--db", db); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}
	for _, r := range []string{"overview", "trend", "cohorts", "cac", "drivers", "rfm", "pareto"} {
		code, out, errOut := kith(t, nil, "report", r, "--db", db, "--format", "json")
		var v struct {
			Currency *string `json:"currency"`
		}
		if err := json.Unmarshal([]byte(out), &v); code != 0 || err != nil || v.Currency == nil || *v.Currency != "CNY" {
			t.Errorf("%s on an empty database: %d %v %s\n%s", r, code, err, errOut, out)
		}
	}
	if code, out, _ := kith(t, nil, "report", "overview", "--db", db); code != 0 || !strings.Contains(out, "(CNY)") {
		t.Errorf("overview heading on an empty database:\n%s", out)
	}
	if code, _, errOut := kith(t, nil, "report", "classes", "--db", db); code == 0 || !strings.Contains(errOut, "no paid orders") {
		t.Errorf("classes on an empty database: %d %s", code, errOut)
	}
}

// CSV is the table as shown, with a BOM for Excel, and parses as CSV: one
// header row, every row as wide as it, the same rows as the JSON.
func TestReportCSV(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	if code, _, errOut := kith(t, nil, "demo", "--customers", "300", "--seed", "4", "--end", "2026-06-30", "--db", db); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut := kith(t, nil, "report", "rfm", "--db", db, "--as-of", "2026-06-30", "--format", "csv", "--lang", "zh-CN")
	if code != 0 || !strings.HasPrefix(out, "\ufeff") {
		t.Fatalf("rfm csv: %d %s\n%q", code, errOut, out[:min(len(out), 40)])
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 12 || rows[0][0] != "分群" || rows[1][0] != "冠军客户" {
		t.Errorf("rfm csv: %d rows, header %q, first %q", len(rows), rows[0], rows[min(1, len(rows)-1)])
	}
}
