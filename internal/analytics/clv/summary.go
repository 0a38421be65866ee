// Package clv fits "buy till you die" models (BG/NBD, Pareto/NBD, MBG/NBD)
// and the Gamma-Gamma spend model to purchase histories, and predicts per
// customer: probability alive, expected purchases, probability of no
// purchase, expected spend and lifetime value. It is pure: plain slices in,
// plain values out, the as-of day passed in.
//
// Time is counted in a stated Unit (days or weeks) from summary to
// prediction; horizons are given in days and converted once, so the
// time-unit mistakes of other libraries cannot happen here.
package clv

import (
	"fmt"
	"sort"
)

// Unit is the time unit the models count in.
type Unit string

const (
	Day  Unit = "day"
	Week Unit = "week"
)

// Days is the length of the unit in days.
func (u Unit) Days() float64 {
	if u == Week {
		return 7
	}
	return 1
}

// ParseUnit reads "day" or "week".
func ParseUnit(s string) (Unit, error) {
	switch s {
	case "day", "days", "d":
		return Day, nil
	case "week", "weeks", "w", "":
		return Week, nil
	}
	return "", fmt.Errorf("time unit %q: want day or week", s)
}

// Purchases are paid orders in columns, grouped by customer and in time
// order within a customer. Day is the shop-local calendar day (days since
// 1970-01-01); refunds are left out by the caller.
type Purchases struct {
	Customer []int64
	Day      []int32
	Amount   []float64
}

// Summary is the per-customer input of the models (Fader and Hardie):
// X repeat purchase days after the first, Tx the time of the last purchase
// and T the time of the as-of day, both from the first purchase, in Unit;
// Monetary the mean value of the repeat purchase days (0 when X = 0).
type Summary struct {
	Unit     Unit
	Customer []int64
	X        []float64
	Tx, T    []float64
	Monetary []float64

	g *triples // grouping, computed once for fit and score
}

// grouped returns the summary grouped by (x, t_x, T), computing it once.
func (s *Summary) grouped() triples {
	if s.g == nil || len(s.g.of) != len(s.X) {
		g := group(s.X, s.Tx, s.T)
		s.g = &g
	}
	return *s.g
}

// Len is the number of customers.
func (s *Summary) Len() int { return len(s.Customer) }

// Summarize builds the summary as of asOfDay: purchases after it are
// ignored, customers whose first purchase is after it are left out, and
// purchases on one day count as one purchase (their values summed).
func Summarize(p Purchases, asOfDay int32, unit Unit) Summary {
	s := Summary{Unit: unit}
	n := len(p.Customer)
	ud := unit.Days()
	for i := 0; i < n; {
		j := i
		for j < n && p.Customer[j] == p.Customer[i] {
			j++
		}
		// p[i:j] is one customer's purchases, in time order.
		first := p.Day[i]
		if first <= asOfDay {
			last, x := first, 0
			var repeat, dayValue float64
			curDay := first
			for k := i + 1; k < j && p.Day[k] <= asOfDay; k++ {
				if p.Day[k] != curDay {
					if curDay != first {
						repeat += dayValue
					}
					curDay, dayValue = p.Day[k], 0
					x++
					last = p.Day[k]
				}
				dayValue += p.Amount[k]
			}
			if curDay != first {
				repeat += dayValue
			}
			m := 0.0
			if x > 0 {
				m = repeat / float64(x)
			}
			s.Customer = append(s.Customer, p.Customer[i])
			s.X = append(s.X, float64(x))
			s.Tx = append(s.Tx, float64(last-first)/ud)
			s.T = append(s.T, float64(asOfDay-first)/ud)
			s.Monetary = append(s.Monetary, m)
		}
		i = j
	}
	return s
}

// triples is the summary grouped by unique (x, t_x, T) with counts: the
// likelihoods only depend on those, and many customers share them.
type triples struct {
	x, tx, t, w []float64
	// of maps each customer of the summary to its triple.
	of []int32
}

func group(x, tx, t []float64) triples {
	type key struct{ x, tx, t float64 }
	idx := make(map[key]int32, len(x)/4+16)
	var g triples
	g.of = make([]int32, len(x))
	for i := range x {
		k := key{x[i], tx[i], t[i]}
		j, ok := idx[k]
		if !ok {
			j = int32(len(g.x))
			idx[k] = j
			g.x = append(g.x, x[i])
			g.tx = append(g.tx, tx[i])
			g.t = append(g.t, t[i])
			g.w = append(g.w, 0)
		}
		g.w[j]++
		g.of[i] = j
	}
	return g
}

// byX indexes the distinct values of x, so terms that depend on x alone
// (log-gammas, digammas) are computed once per value, not once per triple.
type byX struct {
	values []float64
	of     []int32 // triple -> index into values
}

func indexX(x []float64) byX {
	seen := map[float64]int32{}
	var b byX
	b.of = make([]int32, len(x))
	vals := append([]float64(nil), x...)
	sort.Float64s(vals)
	for _, v := range vals {
		if _, ok := seen[v]; !ok {
			seen[v] = int32(len(b.values))
			b.values = append(b.values, v)
		}
	}
	for i, v := range x {
		b.of[i] = seen[v]
	}
	return b
}
