// Package pareto measures how concentrated revenue is among customers: the
// share of the top 1/5/10/20/50%, the Lorenz curve and the Gini coefficient.
// It is pure: a slice of per-customer revenue in, plain values out.
package pareto

import (
	"math"
	"sort"
)

// TopShare is the share of revenue from the top Fraction of customers.
type TopShare struct {
	Fraction  float64
	Customers int
	Share     float64
}

// Point is a point of the Lorenz curve: the bottom Customers share of
// customers (by revenue) brings Revenue share of revenue.
type Point struct {
	Customers float64
	Revenue   float64
}

// Result is the concentration of revenue.
type Result struct {
	Customers int
	Revenue   int64
	Top       []TopShare
	Lorenz    []Point // 0..1 in 1% steps of customers, plus the end points
	Gini      float64 // 0 = everyone equal, 1 = one customer has everything
}

// Fractions are the top shares reported.
var Fractions = []float64{0.01, 0.05, 0.10, 0.20, 0.50}

// Compute measures revenue (minor units per customer; negative values count
// as zero). With no revenue at all the shares are zero and Gini is zero.
func Compute(revenue []int64) Result {
	v := make([]int64, len(revenue))
	var total int64
	for i, r := range revenue {
		v[i] = max(r, 0)
		total += v[i]
	}
	sort.Slice(v, func(i, j int) bool { return v[i] < v[j] }) // ascending
	n := len(v)
	res := Result{Customers: n, Revenue: total}
	for _, f := range Fractions {
		k := int(math.Ceil(f * float64(n)))
		var top int64
		for i := n - k; i < n; i++ {
			top += v[i]
		}
		res.Top = append(res.Top, TopShare{Fraction: f, Customers: k, Share: share(top, total)})
	}
	// Lorenz curve at every percent of customers, interpolated linearly
	// inside a customer.
	cum := make([]int64, n+1)
	for i, x := range v {
		cum[i+1] = cum[i] + x
	}
	for pct := 0; pct <= 100; pct++ {
		pos := float64(pct) / 100 * float64(n)
		i := int(pos)
		var c float64
		if i >= n {
			c = float64(total)
		} else {
			c = float64(cum[i]) + (pos-float64(i))*float64(v[i])
		}
		res.Lorenz = append(res.Lorenz, Point{float64(pct) / 100, ratio(c, float64(total))})
	}
	// Gini = (2 Σ i x_i) / (n Σ x) - (n + 1) / n, i = 1..n ascending.
	if total > 0 && n > 0 {
		var s float64
		for i, x := range v {
			s += float64(i+1) * float64(x)
		}
		res.Gini = 2*s/(float64(n)*float64(total)) - float64(n+1)/float64(n)
	}
	return res
}

func share(part, total int64) float64 { return ratio(float64(part), float64(total)) }

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
