package pareto

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

func TestCompute(t *testing.T) {
	tests := []struct {
		name   string
		rev    []int64
		top20  float64
		gini   float64
		lorenz map[int]float64 // percent of customers -> share of revenue
	}{
		// Ten customers, one brings 91 of 100: the top 20% (2 customers) 92%;
		// Gini = Σ|xi-xj| / (2 n² mean) = (9 x 2 x 90) / (2 x 100 x 10) = 0.81.
		{"concentrated", []int64{91, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 0.92, 0.81, map[int]float64{50: 0.05, 90: 0.09}},
		{"equal", []int64{5, 5, 5, 5}, 0.25, 0, map[int]float64{50: 0.5, 25: 0.25}},
		{"one customer", []int64{7}, 1, 0, map[int]float64{100: 1, 0: 0}},
		{"no revenue", []int64{0, 0}, 0, 0, map[int]float64{100: 0}},
		{"refund counts as zero", []int64{-5, 10}, 1, 0.5, map[int]float64{50: 0}},
	}
	for _, tt := range tests {
		r := Compute(tt.rev)
		if got := r.Top[3].Share; math.Abs(got-tt.top20) > 1e-12 || r.Top[3].Fraction != 0.2 {
			t.Errorf("%s: top 20%% share %v, want %v", tt.name, got, tt.top20)
		}
		if math.Abs(r.Gini-tt.gini) > 1e-12 {
			t.Errorf("%s: Gini %v, want %v", tt.name, r.Gini, tt.gini)
		}
		for pct, want := range tt.lorenz {
			if got := r.Lorenz[pct].Revenue; math.Abs(got-want) > 1e-12 {
				t.Errorf("%s: Lorenz at %d%% = %v, want %v", tt.name, pct, got, want)
			}
		}
	}
}

// TestProperties: shares grow with the fraction, the Lorenz curve rises from
// 0 to 1 and lies under the diagonal, Gini is in [0, 1).
func TestProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rev := rapid.SliceOfN(rapid.Int64Range(0, 1e9), 1, 500).Draw(t, "revenue")
		r := Compute(rev)
		for i := 1; i < len(r.Top); i++ {
			if r.Top[i].Share < r.Top[i-1].Share-1e-12 {
				t.Fatalf("top shares not monotone: %+v", r.Top)
			}
		}
		for i, p := range r.Lorenz {
			if i > 0 && p.Revenue < r.Lorenz[i-1].Revenue-1e-12 {
				t.Fatalf("Lorenz not monotone at %v", p)
			}
			if p.Revenue > p.Customers+1e-9 {
				t.Fatalf("Lorenz above the diagonal at %v", p)
			}
		}
		if r.Revenue > 0 && math.Abs(r.Lorenz[100].Revenue-1) > 1e-12 {
			t.Fatalf("Lorenz ends at %v", r.Lorenz[100])
		}
		if r.Gini < -1e-12 || r.Gini >= 1 {
			t.Fatalf("Gini %v", r.Gini)
		}
	})
}
