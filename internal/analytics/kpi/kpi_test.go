package kpi

import (
	"math"
	"sort"
	"testing"
	"time"

	"pgregory.net/rapid"
)

func d(s string) int32 {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return int32(t.Unix() / 86400)
}

// fixture: computed by hand in the comments of TestOverview.
func fixture() (*Orders, *Spend) {
	type row struct {
		c   int64
		day string
		amt int64
	}
	rows := []row{
		{1, "2024-01-05", 100}, {1, "2024-02-10", 50}, {1, "2024-03-03", 70}, {1, "2024-03-20", 30}, // A
		{2, "2024-02-01", 200},                        // B
		{3, "2024-03-15", 40},                         // C
		{4, "2023-12-31", 500}, {4, "2024-03-31", 60}, // D: on the last day of March
		{5, "2024-04-01", 999}, // E: after the as-of day
	}
	o := &Orders{}
	for _, r := range rows {
		o.Customer = append(o.Customer, r.c)
		o.Day = append(o.Day, d(r.day))
		o.Amount = append(o.Amount, r.amt)
	}
	s := &Spend{Day: []int32{d("2024-03-01"), d("2024-03-31"), d("2024-04-01"), d("2024-02-29")},
		Amount: []int64{300, 100, 7777, 80}, Acquisition: []bool{true, false, true, true}, Channel: []string{"", "", "", ""}}
	return o, s
}

func TestOverview(t *testing.T) {
	o, s := fixture()
	ov := Compute(o, s, Month, d("2024-03-31"), 0)
	c, p := ov.Current, ov.Previous
	checks := []struct {
		name      string
		got, want float64
	}{
		// March: A (2 orders), C (new), D (returning, on the boundary day).
		{"active", float64(c.Active), 3}, {"new", float64(c.New), 1}, {"returning", float64(c.Returning), 2},
		{"orders", float64(c.Orders), 4}, {"revenue", float64(c.Revenue), 200},
		{"revenue_new", float64(c.RevenueNew), 40}, {"revenue_returning", float64(c.RevenueReturning), 160},
		{"repurchase_rate", c.RepurchaseRate.Value, 1.0 / 3},
		// Retention February -> March: A of {A, B}.
		{"retained", float64(c.Retained), 1}, {"retention_rate", c.RetentionRate.Value, 0.5}, {"churn_rate", c.ChurnRate.Value, 0.5},
		{"aov", c.AOV.Value, 50}, {"purchases_per_buyer", c.PurchasesPerBuyer.Value, 4.0 / 3},
		{"cac", c.CAC.Value, 300}, {"retention_cost", c.RetentionCostPerRetained.Value, 100},
		// February: A returning, B new; 80 of acquisition spend on the 29th.
		{"prev active", float64(p.Active), 2}, {"prev new", float64(p.New), 1}, {"prev revenue", float64(p.Revenue), 250}, {"prev cac", p.CAC.Value, 80},
		// Ever, to the as-of day (E is later): A and D bought twice.
		{"customers", float64(ov.Customers), 4}, {"repeat customers", float64(ov.RepeatCustomers), 2}, {"repeat rate", ov.RepeatCustomerRate.Value, 0.5},
	}
	for _, ch := range checks {
		if math.Abs(ch.got-ch.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	if c.Label != "2024-03" || p.Label != "2024-02" || c.End != d("2024-03-31") {
		t.Errorf("labels %s %s end %d", c.Label, p.Label, c.End)
	}
}

func TestUndefinedRatios(t *testing.T) {
	o, s := fixture()
	// June 2024 has no orders and no spend: every rate is undefined, not NaN.
	f := Figures(o, s, Month, Month.Index(d("2024-06-15")), d("2024-06-30"))
	for name, r := range map[string]Ratio{"repurchase": f.RepurchaseRate, "aov": f.AOV, "cac": f.CAC, "retention cost": f.RetentionCostPerRetained} {
		if r.Valid {
			t.Errorf("%s valid in an empty period: %v", name, r.Value)
		}
	}
	// Spend and no new customer: CAC undefined.
	s2 := &Spend{Day: []int32{d("2024-06-01")}, Amount: []int64{500}, Acquisition: []bool{true}, Channel: []string{"x"}}
	if f := Figures(o, s2, Month, Month.Index(d("2024-06-01")), d("2024-06-30")); f.CAC.Valid || f.AcquisitionSpend != 500 {
		t.Errorf("CAC with spend and no new customers = %+v", f.CAC)
	}
	// One customer, one order.
	one := &Orders{Customer: []int64{1}, Day: []int32{d("2024-01-01")}, Amount: []int64{10}}
	ov := Compute(one, nil, Month, d("2024-01-31"), 0)
	if ov.Customers != 1 || ov.Current.New != 1 || ov.RepeatCustomerRate.Value != 0 || ov.Current.RetentionRate.Valid {
		t.Errorf("one-customer overview %+v", ov)
	}
}

func TestPeriods(t *testing.T) {
	tests := []struct {
		p     Period
		day   string
		label string
		start string
	}{
		{Month, "2024-02-29", "2024-02", "2024-02-01"},
		{Quarter, "2024-05-31", "2024-Q2", "2024-04-01"},
		{Week, "2024-01-31", "2024-W05", "2024-01-29"}, // Wednesday; the week starts Monday 29th
		{Week, "2024-01-28", "2024-W04", "2024-01-22"}, // Sunday ends the week
		{Week, "2021-01-01", "2020-W53", "2020-12-28"},
		{Month, "1969-12-31", "1969-12", "1969-12-01"},
	}
	for _, tt := range tests {
		i := tt.p.Index(d(tt.day))
		if got := tt.p.Label(i); got != tt.label {
			t.Errorf("%s %s label %s, want %s", tt.p, tt.day, got, tt.label)
		}
		if got := tt.p.Start(i); got != d(tt.start) {
			t.Errorf("%s %s starts %d, want %s", tt.p, tt.day, got, tt.start)
		}
		if tt.p.Index(tt.p.Start(i+1)) != i+1 || tt.p.Index(tt.p.Start(i+1)-1) != i {
			t.Errorf("%s %s: period boundaries inconsistent", tt.p, tt.day)
		}
	}
}

// randomOrders draws a small shop for property tests.
func randomOrders(t *rapid.T) *Orders {
	n := rapid.IntRange(0, 30).Draw(t, "customers")
	o := &Orders{}
	for c := 0; c < n; c++ {
		k := rapid.IntRange(1, 6).Draw(t, "orders")
		days := make([]int, k)
		for i := range days {
			days[i] = rapid.IntRange(19000, 19500).Draw(t, "day")
		}
		sort.Ints(days)
		for _, dd := range days {
			o.Customer = append(o.Customer, int64(c))
			o.Day = append(o.Day, int32(dd))
			o.Amount = append(o.Amount, int64(rapid.IntRange(0, 10000).Draw(t, "amount")))
		}
	}
	return o
}

func TestOverviewProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		o := randomOrders(t)
		p := rapid.SampledFrom([]Period{Week, Month, Quarter}).Draw(t, "period")
		asOf := int32(rapid.IntRange(19000, 19600).Draw(t, "asOf"))
		ov := Compute(o, nil, p, asOf, 0)
		for _, f := range []PeriodFigures{ov.Current, ov.Previous} {
			if f.New+f.Returning != f.Active {
				t.Fatalf("new %d + returning %d != active %d", f.New, f.Returning, f.Active)
			}
			if f.RevenueNew+f.RevenueReturning != f.Revenue {
				t.Fatalf("revenue split %d + %d != %d", f.RevenueNew, f.RevenueReturning, f.Revenue)
			}
			for _, r := range []Ratio{f.RepurchaseRate, f.RetentionRate, f.ChurnRate} {
				if r.Valid && (r.Value < 0 || r.Value > 1 || math.IsNaN(r.Value)) {
					t.Fatalf("rate out of [0,1]: %v", r.Value)
				}
			}
		}
		c := ov.Current
		if c.PreviousActive != ov.Previous.Active || c.Retained > c.PreviousActive || c.Retained > c.Active {
			t.Fatalf("retained %d, previous active %d / %d, active %d", c.Retained, c.PreviousActive, ov.Previous.Active, c.Active)
		}
	})
}

// TestCivil checks the integer calendar against the time package.
func TestCivil(t *testing.T) {
	for day := int32(-800000); day < 800000; day += 97 {
		y, m, dd := civil(day)
		wy, wm, wd := time.Unix(int64(day)*86400, 0).UTC().Date()
		if y != wy || m != wm || dd != wd {
			t.Fatalf("civil(%d) = %d-%d-%d, want %d-%d-%d", day, y, m, dd, wy, wm, wd)
		}
	}
}
