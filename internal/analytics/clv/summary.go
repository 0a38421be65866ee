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
	"math"
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
	Amount   []float64 // nil when only the timing matters (Monetary is then 0)
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
	n := len(p.Customer)
	customers := 0
	for i := range p.Customer {
		if i == 0 || p.Customer[i] != p.Customer[i-1] {
			customers++
		}
	}
	s := Summary{Unit: unit, Customer: make([]int64, 0, customers), X: make([]float64, 0, customers),
		Tx: make([]float64, 0, customers), T: make([]float64, 0, customers), Monetary: make([]float64, 0, customers)}
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
				if p.Amount != nil {
					dayValue += p.Amount[k]
				}
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
	if g, ok := groupDays(x, tx, t); ok {
		return g
	}
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

// groupDays is group for the usual case of whole numbers of days in
// either unit (x < 2^20, times < 2^21 days): the triple packs into one
// uint64, which hashes far faster than three floats. ok is false otherwise.
func groupDays(x, tx, t []float64) (triples, bool) {
	var g triples
	idx := make(map[uint64]int32, len(x)/4+16)
	g.of = make([]int32, len(x))
	for _, scale := range []float64{1, 7} {
		clear(idx)
		g = triples{of: g.of}
		ok := true
		for i := range x {
			xi, a, b := x[i], tx[i]*scale, t[i]*scale
			ra, rb := math.Round(a), math.Round(b)
			if xi != math.Trunc(xi) || xi < 0 || xi >= 1<<20 || math.Abs(a-ra) > 1e-6 || math.Abs(b-rb) > 1e-6 ||
				ra < 0 || rb < 0 || rb >= 1<<21 || ra >= 1<<21 {
				ok = false
				break
			}
			k := uint64(xi)<<42 | uint64(ra)<<21 | uint64(rb)
			j, seen := idx[k]
			if !seen {
				j = int32(len(g.x))
				idx[k] = j
				g.x, g.tx, g.t, g.w = append(g.x, xi), append(g.tx, tx[i]), append(g.t, t[i]), append(g.w, 0)
			}
			g.w[j]++
			g.of[i] = j
		}
		if ok {
			return g, true
		}
	}
	return triples{}, false
}

// byX indexes the distinct values of x, so terms that depend on x alone
// (log-gammas, digammas) are computed once per value, not once per triple.
type byX struct {
	values []float64
	of     []int32 // triple -> index into values
}

func indexX(x []float64) byX {
	seen := map[float64]bool{}
	var b byX
	for _, v := range x {
		if !seen[v] {
			seen[v] = true
			b.values = append(b.values, v)
		}
	}
	sort.Float64s(b.values) // ascending, so a value's index is stable
	pos := make(map[float64]int32, len(b.values))
	for i, v := range b.values {
		pos[v] = int32(i)
	}
	b.of = make([]int32, len(x))
	for i, v := range x {
		b.of[i] = pos[v]
	}
	return b
}

// Sample returns every k-th customer of s, k chosen so that at most max
// remain (s itself when it is small enough). Fitting a sample of 100k
// customers gives parameters within their standard errors of the full
// fit at a fraction of the time; callers that only classify (P(alive)
// above a threshold) use it on large shops.
func (s *Summary) Sample(max int) *Summary {
	n := s.Len()
	if max <= 0 || n <= max {
		return s
	}
	k := (n + max - 1) / max
	out := &Summary{Unit: s.Unit}
	for i := 0; i < n; i += k {
		out.Customer = append(out.Customer, s.Customer[i])
		out.X = append(out.X, s.X[i])
		out.Tx = append(out.Tx, s.Tx[i])
		out.T = append(out.T, s.T[i])
		out.Monetary = append(out.Monetary, s.Monetary[i])
	}
	return out
}
