package kpi

// Cohort is the customers whose first purchase fell in one period, followed
// period by period (k = 0 is the first period) up to the as-of day.
type Cohort struct {
	Index int32
	Label string
	Size  int
	// Per period since the first: customers with a purchase, their revenue.
	Active  []int
	Revenue []int64
	// Retention[k] = Active[k] / Size; RevenueRetention[k] = Revenue[k] /
	// Revenue[0]; LTV[k] = cumulative revenue per customer through period k
	// (historic LTV).
	Retention        []float64
	RevenueRetention []float64
	LTV              []float64
}

// Cohorts builds the cohort matrix of first-purchase periods up to asOf.
func Cohorts(o *Orders, p Period, asOf int32) []Cohort {
	last := p.Index(asOf)
	byIndex := map[int32]*Cohort{}
	var order []int32
	for _, r := range runsUpTo(o, asOf) {
		c0 := p.Index(o.Day[r.lo])
		c := byIndex[c0]
		if c == nil {
			n := int(last-c0) + 1
			c = &Cohort{Index: c0, Label: p.Label(c0), Active: make([]int, n), Revenue: make([]int64, n)}
			byIndex[c0] = c
			order = append(order, c0)
		}
		c.Size++
		prev := int32(-1)
		for k := r.lo; k < r.hi; k++ {
			i := p.Index(o.Day[k]) - c0
			c.Revenue[i] += o.Amount[k]
			if i != prev {
				c.Active[i]++
				prev = i
			}
		}
	}
	sortInt32(order)
	out := make([]Cohort, 0, len(order))
	for _, i := range order {
		c := byIndex[i]
		n := len(c.Active)
		c.Retention, c.RevenueRetention, c.LTV = make([]float64, n), make([]float64, n), make([]float64, n)
		var cum int64
		for k := 0; k < n; k++ {
			c.Retention[k] = float64(c.Active[k]) / float64(c.Size)
			if c.Revenue[0] > 0 {
				c.RevenueRetention[k] = float64(c.Revenue[k]) / float64(c.Revenue[0])
			}
			cum += c.Revenue[k]
			c.LTV[k] = float64(cum) / float64(c.Size)
		}
		out = append(out, *c)
	}
	return out
}

func sortInt32(v []int32) {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j] < v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
}

// TrendRow is one period of the trend: the overview's main figures and the
// funnel (won, lost, net).
type TrendRow struct {
	PeriodFigures
	Won         int // new customers
	Lost        int // customers who entered silent churn in the period
	Reactivated int // customers who bought again after having churned
	Net         int // Won + Reactivated - Lost
	Customers   int // customers not churned at the end of the period
}

// Trend computes the figures of each period from the one holding from to
// the one holding to (orders after to are ignored). A customer enters churn
// churnWindow days after a purchase with no purchase in between.
func Trend(o *Orders, s *Spend, p Period, from, to int32, churnWindow int) []TrendRow {
	rs := runsUpTo(o, to)
	w := int32(churnWindow)
	first, last := p.Index(from), p.Index(to)
	rows := make([]TrendRow, 0, last-first+1)
	for _, f := range figuresRange(o, rs, s, p, first, last, to) {
		rows = append(rows, TrendRow{PeriodFigures: f})
	}
	// The row of a day: periods are consecutive from first.
	at := func(day int32) *TrendRow {
		if day > to {
			return nil
		}
		if j := int(p.Index(day) - first); j >= 0 && j < len(rows) {
			return &rows[j]
		}
		return nil
	}
	for _, r := range rs {
		for k := r.lo; k < r.hi; k++ {
			d := o.Day[k]
			if k == r.lo {
				if row := at(d); row != nil {
					row.Won++
				}
			} else if d-o.Day[k-1] > w {
				if row := at(d); row != nil {
					row.Reactivated++
				}
			}
			// Churn entry: w days after this purchase, unless another comes first.
			if k+1 == r.hi || o.Day[k+1]-d > w {
				if row := at(d + w + 1); row != nil {
					row.Lost++
				}
			}
		}
	}
	// Customers alive at the end of each period (bought within w days):
	// one walk per customer over its orders and the period ends.
	for _, r := range rs {
		k := r.lo
		for j := range rows {
			end := rows[j].End
			for k < r.hi && o.Day[k] <= end {
				k++
			}
			if k > r.lo && end-o.Day[k-1] <= w {
				rows[j].Customers++
			}
		}
	}
	for j := range rows {
		rows[j].Net = rows[j].Won + rows[j].Reactivated - rows[j].Lost
	}
	return rows
}
