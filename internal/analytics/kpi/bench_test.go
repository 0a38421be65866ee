package kpi

import (
	"math/rand/v2"
	"testing"
)

// synthetic makes n customers with k orders each over two years.
func synthetic(n, k int) *Orders {
	rng := rand.New(rand.NewPCG(1, 2))
	o := &Orders{Customer: make([]int64, 0, n*k), Day: make([]int32, 0, n*k), Amount: make([]int64, 0, n*k)}
	base := d("2024-07-01")
	for c := 0; c < n; c++ {
		day := base + int32(rng.IntN(365))
		for j := 0; j < k; j++ {
			o.Customer = append(o.Customer, int64(c))
			o.Day = append(o.Day, day)
			o.Amount = append(o.Amount, int64(1000+rng.IntN(50000)))
			day += int32(1 + rng.IntN(60))
		}
	}
	return o
}

// BenchmarkPass compares the overview's per-customer pass with a plain
// loop over the same columns (issue 3: at most 2x), 500k customers x 10
// orders.
func BenchmarkPass(b *testing.B) {
	o := synthetic(500000, 10)
	asOf := d("2026-06-30")
	b.Run("plain-loop", func(b *testing.B) {
		for b.Loop() {
			var customers, active int
			var revenue int64
			for i := range o.Customer {
				if i == 0 || o.Customer[i] != o.Customer[i-1] {
					customers++
				}
				if o.Day[i] > asOf-30 && o.Day[i] <= asOf {
					active++
					revenue += o.Amount[i]
				}
			}
			if customers == 0 || revenue < 0 {
				b.Fatal("empty")
			}
		}
	})
	b.Run("overview", func(b *testing.B) {
		for b.Loop() {
			Compute(o, nil, Month, asOf, 0)
		}
	})
	b.Run("cohorts", func(b *testing.B) {
		for b.Loop() {
			Cohorts(o, Month, asOf)
		}
	})
}

// TestFiguresRangeMatchesOverview: the one-walk range gives each period's
// figures exactly as the overview's own walk does for the period holding
// the as-of day and the one before (two independent computations).
func TestFiguresRangeMatchesOverview(t *testing.T) {
	o := synthetic(3000, 6)
	s := &Spend{Day: []int32{d("2025-01-10"), d("2025-03-05")}, Channel: []string{"a", "b"}, Amount: []int64{50000, 7000}, Acquisition: []bool{true, false}}
	for _, p := range []Period{Week, Month, Quarter} {
		for _, asOf := range []int32{d("2024-09-30"), d("2025-03-17"), d("2025-09-17")} {
			idx := p.Index(asOf)
			first := p.Index(d("2024-06-01"))
			got := FiguresRange(o, s, p, first, idx, asOf)
			if len(got) != int(idx-first+1) {
				t.Fatalf("%s: %d periods", p, len(got))
			}
			ov := Compute(o, s, p, asOf, 0)
			if cur := got[len(got)-1]; cur != ov.Current {
				t.Errorf("%s as of %d, current:\n got %+v\nwant %+v", p, asOf, cur, ov.Current)
			}
			if prev := got[len(got)-2]; prev != ov.Previous {
				t.Errorf("%s as of %d, previous:\n got %+v\nwant %+v", p, asOf, prev, ov.Previous)
			}
			if ov.Current.Active == 0 && ov.Previous.Active == 0 {
				t.Errorf("%s as of %d: no activity, the comparison proves nothing", p, asOf)
			}
			if one := Figures(o, s, p, idx, asOf); one != ov.Current {
				t.Errorf("%s as of %d: Figures differs from the overview", p, asOf)
			}
		}
	}
}

// TestOverviewSplitWalk: the overview computed in two halves on two cores
// equals the one-walk overview.
func TestOverviewSplitWalk(t *testing.T) {
	o := synthetic(40000, 7)
	s := &Spend{Day: []int32{d("2025-03-10"), d("2025-03-05")}, Channel: []string{"a", "b"}, Amount: []int64{5_000_000, 70000}, Acquisition: []bool{true, false}}
	defer func(n int) { parallelOrders = n }(parallelOrders)
	for i, asOf := range []int32{d("2025-03-17"), d("2026-06-30")} {
		parallelOrders = len(o.Customer) + 1
		serial := Compute(o, s, Month, asOf, 0)
		parallelOrders = 1000
		split := Compute(o, s, Month, asOf, 0)
		if serial != split {
			t.Errorf("as of %d:\nserial %+v\n split %+v", asOf, serial, split)
		}
		if serial.Customers == 0 || i == 0 && (serial.Current.Active == 0 || !serial.Current.CAC.Valid) {
			t.Errorf("degenerate data: %+v", serial)
		}
	}
}
