package kpi

import (
	"testing"

	"pgregory.net/rapid"
)

func TestCohorts(t *testing.T) {
	o, _ := fixture()
	cs := Cohorts(o, Month, d("2024-03-31"))
	// Cohorts: 2023-12 (D), 2024-01 (A), 2024-02 (B), 2024-03 (C).
	if len(cs) != 4 || cs[0].Label != "2023-12" || cs[1].Label != "2024-01" {
		t.Fatalf("cohorts %+v", cs)
	}
	a := cs[1] // A: Jan 100, Feb 50, Mar 70+30
	if a.Size != 1 || len(a.Active) != 3 || a.Active[2] != 1 || a.Revenue[2] != 100 || a.LTV[2] != 250 || a.RevenueRetention[1] != 0.5 {
		t.Errorf("2024-01 cohort %+v", a)
	}
	dec := cs[0] // D: Dec 500, nothing Jan/Feb, Mar 60
	if dec.Retention[1] != 0 || dec.Retention[3] != 1 || dec.LTV[3] != 560 {
		t.Errorf("2023-12 cohort %+v", dec)
	}
}

func TestTrend(t *testing.T) {
	o, s := fixture()
	// A 30-day window: D (2023-12-31, next 2024-03-31) churns on 01-31 and
	// comes back in March; A (01-05, next 02-10) churns on 02-05 and comes
	// back in February; B (02-01 only) churns on 03-03.
	rows := Trend(o, s, Month, d("2024-01-01"), d("2024-03-31"), 30)
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	jan, feb, mar := rows[0], rows[1], rows[2]
	if jan.Won != 1 || jan.Lost != 1 || feb.Won != 1 || feb.Lost != 1 || feb.Reactivated != 1 || mar.Won != 1 || mar.Reactivated != 1 || mar.Lost != 1 {
		t.Errorf("jan %+v\nfeb %+v\nmar %+v", jan, feb, mar)
	}
	if mar.Net != mar.Won+mar.Reactivated-mar.Lost {
		t.Errorf("net %d", mar.Net)
	}
}

// Cohort sizes sum to the customers; every cohort's first period has all of
// its customers active.
func TestCohortProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		o := randomOrders(t)
		p := rapid.SampledFrom([]Period{Week, Month, Quarter}).Draw(t, "period")
		asOf := int32(19600)
		cs := Cohorts(o, p, asOf)
		total := 0
		for _, c := range cs {
			total += c.Size
			if c.Active[0] != c.Size || c.Retention[0] != 1 {
				t.Fatalf("cohort %s: %d of %d active in its first period", c.Label, c.Active[0], c.Size)
			}
			for k := 1; k < len(c.LTV); k++ {
				if c.LTV[k] < c.LTV[k-1] {
					t.Fatalf("LTV falls in cohort %s", c.Label)
				}
			}
		}
		if ov := Compute(o, nil, p, asOf, 0); total != ov.Customers {
			t.Fatalf("cohort sizes %d != customers %d", total, ov.Customers)
		}
	})
}
