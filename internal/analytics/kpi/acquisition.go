package kpi

import (
	"math"
	"sort"
)

// ChannelRow is one acquisition channel in one period.
type ChannelRow struct {
	Channel   string
	Period    string
	Spend     int64 // acquisition spend, minor units
	New       int   // customers whose first purchase fell in the period
	CAC       Ratio // Spend / New
	LTV       Ratio // revenue per new customer so far (historic LTV to date)
	LTVToCAC  Ratio
	PaybackMo Ratio // months from acquisition until revenue per customer >= CAC
}

// Acquisition computes CAC per channel and period from the period holding
// from to the one holding asOf. channel maps a customer to the channel that
// brought them (customers without one count as ""); spend rows carry their
// channel.
func Acquisition(o *Orders, s *Spend, channel map[int64]string, p Period, from, asOf int32) []ChannelRow {
	type key struct {
		ch  string
		idx int32
	}
	type acc struct {
		spend   int64
		new     int
		revenue int64
		monthly []int64 // revenue by month since acquisition, summed over the cohort
	}
	rows := map[key]*acc{}
	get := func(k key) *acc {
		if rows[k] == nil {
			rows[k] = &acc{monthly: make([]int64, 25)}
		}
		return rows[k]
	}
	lo, hi := p.Index(from), p.Index(asOf)
	for _, r := range runsUpTo(o, asOf) {
		first := o.Day[r.lo]
		idx := p.Index(first)
		if idx < lo || idx > hi {
			continue
		}
		a := get(key{channel[o.Customer[r.lo]], idx})
		a.new++
		for k := r.lo; k < r.hi; k++ {
			a.revenue += o.Amount[k]
			if m := int(o.Day[k]-first) / 30; m < len(a.monthly) {
				a.monthly[m] += o.Amount[k]
			}
		}
	}
	if s != nil {
		for i, d := range s.Day {
			idx := p.Index(d)
			if s.Acquisition[i] && idx >= lo && idx <= hi && d <= asOf {
				get(key{s.Channel[i], idx}).spend += s.Amount[i]
			}
		}
	}
	var out []ChannelRow
	for k, a := range rows {
		row := ChannelRow{Channel: k.ch, Period: p.Label(k.idx), Spend: a.spend, New: a.new,
			CAC: ratio(float64(a.spend), float64(a.new)), LTV: ratio(float64(a.revenue), float64(a.new))}
		if row.CAC.Valid && row.CAC.Value > 0 && row.LTV.Valid {
			row.LTVToCAC = ratio(row.LTV.Value, row.CAC.Value)
			var cum int64
			for m, v := range a.monthly {
				cum += v
				if float64(cum)/float64(a.new) >= row.CAC.Value {
					row.PaybackMo = Ratio{float64(m + 1), true}
					break
				}
			}
		}
		out = append(out, row)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Period != out[j].Period {
			return out[i].Period < out[j].Period
		}
		return out[i].Channel < out[j].Channel
	})
	return out
}

// Factor is one term of the revenue driver tree and its share of a change.
type Factor struct {
	Name         string
	Before, Now  float64
	Contribution float64 // minor units of revenue change explained (LMDI)
}

// Drivers decomposes revenue = visitors x conversion x AOV x purchases per
// buyer between two periods, attributing the change to each factor by the
// logarithmic mean Divisia index (LMDI-I), whose parts add up to the change
// exactly. Without traffic (visitors 0 in either period) the tree is buyers
// x AOV x purchases per buyer. ok is false when a factor is zero in one
// period (the log decomposition is then undefined; the caller says so).
func Drivers(before, now PeriodFigures, visitorsBefore, visitorsNow int64) (factors []Factor, ok bool) {
	withTraffic := visitorsBefore > 0 && visitorsNow > 0
	vals := func(f PeriodFigures, visitors int64) []float64 {
		aov := ratio(float64(f.Revenue), float64(f.Orders))
		ppb := ratio(float64(f.Orders), float64(f.Active))
		if withTraffic {
			return []float64{float64(visitors), float64(f.Active) / float64(visitors), aov.Value, ppb.Value}
		}
		return []float64{float64(f.Active), aov.Value, ppb.Value}
	}
	names := []string{"buyers", "aov", "purchases_per_buyer"}
	if withTraffic {
		names = []string{"visitors", "conversion", "aov", "purchases_per_buyer"}
	}
	b, n := vals(before, visitorsBefore), vals(now, visitorsNow)
	r0, r1 := float64(before.Revenue), float64(now.Revenue)
	ok = r0 > 0 && r1 > 0
	for i := range b {
		ok = ok && b[i] > 0 && n[i] > 0
	}
	w := logMean(r1, r0)
	for i := range names {
		f := Factor{Name: names[i], Before: b[i], Now: n[i]}
		if ok {
			f.Contribution = w * math.Log(n[i]/b[i])
		}
		factors = append(factors, f)
	}
	return factors, ok
}

// logMean is the logarithmic mean (a-b)/(ln a - ln b), a when a = b.
func logMean(a, b float64) float64 {
	if a == b {
		return a
	}
	return (a - b) / (math.Log(a) - math.Log(b))
}
