package app_test

import (
	"encoding/json"
	"path/filepath"
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
	if code, _, _ := kith(t, nil, "report", "overview", "--db", db, "--period", "fortnight"); code != 2 {
		t.Errorf("bad period exited %d, want 2", code)
	}
}
