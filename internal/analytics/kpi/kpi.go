// Package kpi computes kith's retention figures (design.md §4) from plain
// columns: who bought when and for how much, acquisition and retention
// spend, all as of an explicit day. It is pure: no clock, no database.
package kpi

import (
	"fmt"
	"math"
	"time"
)

// Period is the calendar grain of a report.
type Period string

const (
	Week    Period = "week"
	Month   Period = "month"
	Quarter Period = "quarter"
)

// ParsePeriod reads a --period value.
func ParsePeriod(s string) (Period, error) {
	switch Period(s) {
	case Week, Month, Quarter:
		return Period(s), nil
	case "":
		return Month, nil
	}
	return "", fmt.Errorf("period %q: want week, month or quarter", s)
}

// Index numbers the period holding a shop-local day (days since
// 1970-01-01): weeks start on Monday.
func (p Period) Index(day int32) int32 {
	switch p {
	case Week:
		return int32(math.Floor(float64(day+3) / 7)) // 1970-01-01 was a Thursday
	case Quarter:
		y, m, _ := civil(day)
		return int32(y*4 + (int(m)-1)/3)
	}
	y, m, _ := civil(day)
	return int32(y*12 + int(m) - 1)
}

// Start is the first day of period index i.
func (p Period) Start(i int32) int32 {
	switch p {
	case Week:
		return i*7 - 3
	case Quarter:
		return dayOf(int(i)/4, time.Month(int(i)%4*3+1), 1)
	}
	return dayOf(int(i)/12, time.Month(int(i)%12+1), 1)
}

// Label names period index i: 2024-W05, 2024-01, 2024-Q1.
func (p Period) Label(i int32) string {
	switch p {
	case Week:
		y, w := time.Unix(int64(p.Start(i))*86400, 0).UTC().ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	case Quarter:
		return fmt.Sprintf("%d-Q%d", i/4, i%4+1)
	}
	return fmt.Sprintf("%d-%02d", i/12, i%12+1)
}

// civil is the calendar date of a day number (days since 1970-01-01), by
// integer arithmetic (Howard Hinnant's days-to-civil): it runs once per
// order, where time.Unix(...).Date() would dominate.
func civil(day int32) (int, time.Month, int) {
	z := int64(day) + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return int(y), time.Month(m), int(d)
}

func dayOf(y int, m time.Month, d int) int32 {
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// Orders are paid orders in columns, grouped by customer and in time order
// within a customer. Day is the shop-local day; Amount is in minor units.
type Orders struct {
	Customer []int64
	Day      []int32
	Amount   []int64
	Channel  []string // optional: each order's customer's acquisition channel
}

// Spend is money spent per day: acquisition (marketing and sales) or
// retention (care, cashback, gifts...).
type Spend struct {
	Day         []int32
	Channel     []string
	Amount      []int64
	Acquisition []bool
}

// customerRun is one customer's orders: o.Customer[lo:hi].
type customerRun struct{ lo, hi int }

func runs(o *Orders) []customerRun {
	return runsUpTo(o, math.MaxInt32)
}

// runsUpTo is runs cut at asOf: each customer's orders are in time order,
// so later orders are a suffix to leave out, and customers who first bought
// after asOf are left out, with no copy of the columns.
func runsUpTo(o *Orders, asOf int32) []customerRun {
	var rs []customerRun
	for i := 0; i < len(o.Customer); {
		j, hi := i, i
		for j < len(o.Customer) && o.Customer[j] == o.Customer[i] {
			if o.Day[j] <= asOf {
				hi = j + 1
			}
			j++
		}
		if hi > i {
			rs = append(rs, customerRun{i, hi})
		}
		i = j
	}
	return rs
}

// Ratio is a share or a rate that may be undefined (0/0): Valid is false
// then, and it is shown as such, never as NaN or Inf.
type Ratio struct {
	Value float64
	Valid bool
}

func ratio(num, den float64) Ratio {
	if den == 0 {
		return Ratio{}
	}
	return Ratio{num / den, true}
}

// PeriodFigures are the counts and sums of one period.
type PeriodFigures struct {
	Index                    int32
	Label                    string
	Start, End               int32 // first and last day counted (End may be the as-of day)
	Active, New, Returning   int
	Orders                   int
	Revenue                  int64
	RevenueNew               int64
	RevenueReturning         int64
	Repeaters                int // customers with two orders or more in the period
	Retained                 int // active in the previous period and in this one
	PreviousActive           int
	AcquisitionSpend         int64
	RetentionSpend           int64
	RepurchaseRate           Ratio // Repeaters / Active
	RetentionRate            Ratio // Retained / PreviousActive
	ChurnRate                Ratio // 1 - RetentionRate
	AOV                      Ratio // Revenue / Orders, minor units
	PurchasesPerBuyer        Ratio // Orders / Active
	CAC                      Ratio // AcquisitionSpend / New, minor units
	RetentionCostPerRetained Ratio // RetentionSpend / Retained, minor units
}

// Figures computes the figures of period index idx, counting days up to
// asOf. It needs the whole history (for "new" and "retained").
func Figures(o *Orders, s *Spend, p Period, idx, asOf int32) PeriodFigures {
	return FiguresRange(o, s, p, idx, idx, asOf)[0]
}

// FiguresRange computes Figures for every period from index first to last,
// counting days up to asOf, in one walk over the orders instead of one per
// period.
func FiguresRange(o *Orders, s *Spend, p Period, first, last, asOf int32) []PeriodFigures {
	return figuresRange(o, runs(o), s, p, first, last, asOf)
}

func figuresRange(o *Orders, rs []customerRun, s *Spend, p Period, first, last, asOf int32) []PeriodFigures {
	if last < first {
		return nil
	}
	n := int(last - first + 1)
	fs := make([]PeriodFigures, n)
	// bounds[j] is the first day of period first-1+j; slot 0 is the period
	// before the first (for "retained"), slots 1..n the periods asked.
	bounds := make([]int32, n+2)
	for j := range bounds {
		bounds[j] = p.Start(first - 1 + int32(j))
	}
	for j := range fs {
		idx := first + int32(j)
		fs[j] = PeriodFigures{Index: idx, Label: p.Label(idx), Start: bounds[j+1], End: min(bounds[j+2]-1, asOf)}
	}
	in := make([]int, n+1)
	rev := make([]int64, n+1)
	for _, r := range rs {
		lo, hi := -1, -1 // slots touched by this customer
		j := 0
		for k := r.lo; k < r.hi; k++ {
			d := o.Day[k]
			if d > asOf {
				break
			}
			if d < bounds[0] {
				continue
			}
			for j <= n && d >= bounds[j+1] {
				j++
			}
			if j > n {
				break // after the last period
			}
			in[j]++
			rev[j] += o.Amount[k]
			if lo < 0 {
				lo = j
			}
			hi = j
		}
		if lo < 0 {
			continue
		}
		firstDay := o.Day[r.lo]
		for j := max(lo, 1); j <= min(hi+1, n); j++ {
			tallyPeriod(&fs[j-1], in[j], rev[j], in[j-1], firstDay)
		}
		for j := lo; j <= hi; j++ {
			in[j], rev[j] = 0, 0
		}
	}
	for j := range fs {
		addSpend(&fs[j], s)
		fs[j].finish()
	}
	return fs
}

// Overview is the headline of a shop as of a day.
type Overview struct {
	AsOf               int32
	Period             Period
	Customers          int   // bought at least once up to asOf
	RepeatCustomers    int   // bought twice or more up to asOf
	RepeatCustomerRate Ratio // RepeatCustomers / Customers
	ChurnWindowDays    int
	Churned            int // no purchase within the churn window before asOf
	Current, Previous  PeriodFigures
	// HistoricLTV12 is the mean revenue per customer in the 12 months from
	// the first purchase, over customers acquired at least 12 months ago.
	HistoricLTV12 Ratio
	LTVToCAC      Ratio
	// PaybackMonths is the first month k after acquisition in which the mean
	// cumulative revenue per customer reaches the current CAC.
	PaybackMonths Ratio
}

// MinChurnWindow is the shortest churn window (design.md §4: 2x the median
// inter-purchase gap, at least 90 days).
const MinChurnWindow = 90

// ChurnWindow is 2x the median gap between a customer's consecutive
// purchase days, at least MinChurnWindow days.
func ChurnWindow(o *Orders, asOf int32) int {
	return max(MinChurnWindow, 2*MedianGap(o, asOf))
}

// MedianGap is the median number of days between a customer's consecutive
// purchase days, over all customers (0 when nobody bought twice).
func MedianGap(o *Orders, asOf int32) int {
	return medianGap(o, runsUpTo(o, asOf))
}

// medianGap counts gaps in a histogram (they are whole days) instead of
// sorting millions of them.
func medianGap(o *Orders, rs []customerRun) int {
	var hist []int
	n := 0
	for _, r := range rs {
		for k := r.lo + 1; k < r.hi; k++ {
			if g := int(o.Day[k] - o.Day[k-1]); g > 0 {
				hist = tally(hist, g)
				n++
			}
		}
	}
	return medianOf(hist, n)
}

// medianOf is the median of n values counted in a histogram.
func medianOf(hist []int, n int) int {
	if n == 0 {
		return 0
	}
	seen := 0
	for g, c := range hist {
		if seen += c; seen > n/2 {
			return g
		}
	}
	return len(hist) - 1
}

// parallelOrders is the size from which the overview walk uses two cores
// (a variable so a test can compare both ways).
var parallelOrders = 200_000

// overviewWalk is what one walk over customers' orders gathers for the
// overview: both periods' counts, the purchase gaps (for the churn
// window), recency, the 12-month LTV and revenue by month since
// acquisition for payback, kept as rev[months observed][month] so the
// customers observed long enough for each month can be summed afterwards.
type overviewWalk struct {
	cur, prev   PeriodFigures
	hist        []int // purchase gaps in days
	recency     []int // customers whose last purchase is r days before asOf
	rev         [25][25]int64
	observedFor [25]int
	ltvSum      int64
	ltvN        int
	customers   int
	repeat      int
}

// walk gathers the orders o[lo:hi] (whole customers). Customer runs are
// found in the same walk, and orders after asOf (a suffix of each run) are
// skipped.
func (w *overviewWalk) walk(o *Orders, lo, end int, asOf, prevPrevStart int32) {
	cur, prev := &w.cur, &w.prev
	hist, recency := w.hist, w.recency
	cutoff := asOf - 365
	cust, day, amount := o.Customer, o.Day, o.Amount
	for lo < end {
		id, first := cust[lo], day[lo]
		hi := lo + 1
		for hi < end && cust[hi] == id {
			hi++
		}
		if first > asOf {
			lo = hi
			continue
		}
		observed := min(int(asOf-first)/30, 24)
		w.observedFor[observed]++
		var inCur, inPrev, inPrevPrev int
		var revCur, revPrev int64
		n := 0
		prevDay := first
		row := &w.rev[observed]
		ltvEnd := first + 365
		if first > cutoff {
			ltvEnd = first // not observed for a year: no 12-month LTV
		}
		for k := lo; k < hi; k++ {
			d, amt := day[k], amount[k]
			if d > asOf {
				break
			}
			n++
			// Most orders are older than the three periods: one compare.
			if d >= prevPrevStart {
				switch {
				case d >= cur.Start:
					inCur++
					revCur += amt
				case d >= prev.Start:
					inPrev++
					revPrev += amt
				default:
					inPrevPrev++
				}
			}
			if g := int(d - prevDay); g > 0 {
				hist = tally(hist, g)
			}
			prevDay = d
			if d < ltvEnd {
				w.ltvSum += amt
			}
			// Unsigned: d >= first, and unsigned division by a constant
			// is a plain multiply.
			if m := int(uint32(d-first)/30) + 1; m <= observed {
				row[m] += amt
			}
		}
		if first <= cutoff {
			w.ltvN++
		}
		recency = tally(recency, int(asOf-prevDay))
		w.customers++
		if n >= 2 {
			w.repeat++
		}
		tallyPeriod(cur, inCur, revCur, inPrev, first)
		tallyPeriod(prev, inPrev, revPrev, inPrevPrev, first)
		lo = hi
	}
	w.hist, w.recency = hist, recency
}

// add sums another walk's gatherings into w.
func (w *overviewWalk) add(x *overviewWalk) {
	w.cur.addCounts(&x.cur)
	w.prev.addCounts(&x.prev)
	w.hist = addHist(w.hist, x.hist)
	w.recency = addHist(w.recency, x.recency)
	for i := range w.rev {
		for j := range w.rev[i] {
			w.rev[i][j] += x.rev[i][j]
		}
		w.observedFor[i] += x.observedFor[i]
	}
	w.ltvSum += x.ltvSum
	w.ltvN += x.ltvN
	w.customers += x.customers
	w.repeat += x.repeat
}

// tally counts one i in the histogram h, growing it as needed.
func tally(h []int, i int) []int {
	if i >= len(h) {
		h = append(h, make([]int, i+1-len(h))...)
	}
	h[i]++
	return h
}

func addHist(a, b []int) []int {
	if len(b) > len(a) {
		a = append(a, make([]int, len(b)-len(a))...)
	}
	for i, c := range b {
		a[i] += c
	}
	return a
}

// addCounts sums the customer and order counts of another walk's period.
func (f *PeriodFigures) addCounts(g *PeriodFigures) {
	f.Active += g.Active
	f.New += g.New
	f.Returning += g.Returning
	f.Orders += g.Orders
	f.Revenue += g.Revenue
	f.RevenueNew += g.RevenueNew
	f.RevenueReturning += g.RevenueReturning
	f.Repeaters += g.Repeaters
	f.Retained += g.Retained
	f.PreviousActive += g.PreviousActive
}

// Compute builds the overview as of asOf for the period holding it and the
// one before. Orders after asOf are ignored.
func Compute(o *Orders, s *Spend, p Period, asOf int32, window int) Overview {
	ov := Overview{AsOf: asOf, Period: p, ChurnWindowDays: window}
	idx := p.Index(asOf)
	cur := PeriodFigures{Index: idx, Label: p.Label(idx), Start: p.Start(idx), End: min(p.Start(idx+1)-1, asOf)}
	prev := PeriodFigures{Index: idx - 1, Label: p.Label(idx - 1), Start: p.Start(idx - 1), End: min(p.Start(idx)-1, asOf)}
	prevPrevStart := p.Start(idx - 2)
	// The walk is split at a customer boundary near the middle and the two
	// halves run on their own cores (every figure it gathers is a sum), when
	// the shop is large enough for that to pay.
	w := overviewWalk{cur: cur, prev: prev}
	cust := o.Customer
	if mid := len(cust) / 2; len(cust) >= parallelOrders {
		for mid < len(cust) && cust[mid] == cust[mid-1] {
			mid++
		}
		w2 := overviewWalk{cur: cur, prev: prev}
		done := make(chan struct{})
		go func() {
			w2.walk(o, mid, len(cust), asOf, prevPrevStart)
			close(done)
		}()
		w.walk(o, 0, mid, asOf, prevPrevStart)
		<-done
		w.add(&w2)
	} else {
		w.walk(o, 0, len(cust), asOf, prevPrevStart)
	}
	cur, prev = w.cur, w.prev
	hist, recency, rev, observedFor := w.hist, w.recency, w.rev, w.observedFor
	ltvSum, ltvN := w.ltvSum, w.ltvN
	ov.Customers, ov.RepeatCustomers = w.customers, w.repeat
	for _, f := range []*PeriodFigures{&cur, &prev} {
		addSpend(f, s)
		f.finish()
	}
	ov.Current, ov.Previous = cur, prev
	if ov.ChurnWindowDays <= 0 {
		gaps := 0
		for _, c := range hist {
			gaps += c
		}
		ov.ChurnWindowDays = max(MinChurnWindow, 2*medianOf(hist, gaps))
	}
	for r := ov.ChurnWindowDays + 1; r < len(recency); r++ {
		ov.Churned += recency[r]
	}
	ov.RepeatCustomerRate = ratio(float64(ov.RepeatCustomers), float64(ov.Customers))
	ov.HistoricLTV12 = ratio(float64(ltvSum), float64(ltvN))
	if ov.Current.CAC.Valid && ov.HistoricLTV12.Valid {
		ov.LTVToCAC = ratio(ov.HistoricLTV12.Value, ov.Current.CAC.Value)
	}
	if ov.Current.CAC.Valid {
		// Mean revenue through month m of the customers observed for at
		// least m months.
		for m := 1; m <= 24; m++ {
			var sum int64
			n := 0
			for obs := m; obs <= 24; obs++ {
				n += observedFor[obs]
				for j := 1; j <= m; j++ {
					sum += rev[obs][j]
				}
			}
			if n > 0 && float64(sum)/float64(n) >= ov.Current.CAC.Value {
				ov.PaybackMonths = Ratio{float64(m), true}
				break
			}
		}
	}
	return ov
}

// tallyPeriod adds one customer's orders in a period (in of them, worth
// rev; inBefore in the period before) to its figures.
func tallyPeriod(f *PeriodFigures, in int, rev int64, inBefore int, first int32) {
	if inBefore > 0 {
		f.PreviousActive++
	}
	if in == 0 {
		return
	}
	f.Active++
	f.Orders += in
	f.Revenue += rev
	if in >= 2 {
		f.Repeaters++
	}
	if first >= f.Start {
		f.New++
		f.RevenueNew += rev
	} else {
		f.Returning++
		f.RevenueReturning += rev
	}
	if inBefore > 0 {
		f.Retained++
	}
}

func addSpend(f *PeriodFigures, s *Spend) {
	if s == nil {
		return
	}
	for i, d := range s.Day {
		if d >= f.Start && d <= f.End {
			if s.Acquisition[i] {
				f.AcquisitionSpend += s.Amount[i]
			} else {
				f.RetentionSpend += s.Amount[i]
			}
		}
	}
}

// finish derives the rates from the counts.
func (f *PeriodFigures) finish() {
	f.RepurchaseRate = ratio(float64(f.Repeaters), float64(f.Active))
	f.RetentionRate = ratio(float64(f.Retained), float64(f.PreviousActive))
	if f.RetentionRate.Valid {
		f.ChurnRate = Ratio{1 - f.RetentionRate.Value, true}
	}
	f.AOV = ratio(float64(f.Revenue), float64(f.Orders))
	f.PurchasesPerBuyer = ratio(float64(f.Orders), float64(f.Active))
	f.CAC = ratio(float64(f.AcquisitionSpend), float64(f.New))
	f.RetentionCostPerRetained = ratio(float64(f.RetentionSpend), float64(f.Retained))
}
