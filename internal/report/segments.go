package report

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/kithcrm/kith/internal/analytics/clv"
	"github.com/kithcrm/kith/internal/analytics/kpi"
	"github.com/kithcrm/kith/internal/analytics/rfm"
)

// rfmCustomers summarises paid orders to the as-of day per customer.
func rfmCustomers(ord *kpi.Orders, asOf int32) []rfm.Customer {
	var cs []rfm.Customer
	for i := range ord.Customer {
		if ord.Day[i] > asOf {
			continue
		}
		if len(cs) == 0 || cs[len(cs)-1].ID != ord.Customer[i] {
			cs = append(cs, rfm.Customer{ID: ord.Customer[i], FirstDay: ord.Day[i]})
		}
		c := &cs[len(cs)-1]
		c.Orders++
		c.Revenue += ord.Amount[i]
		c.LastDay = ord.Day[i]
	}
	for i := range cs {
		cs[i].Recency = asOf - cs[i].LastDay
	}
	return cs
}

// RFMReport is the segment report, with migration from an earlier date.
type RFMReport struct {
	AsOf, CompareTo time.Time
	Customers       []rfm.Customer
	Scores          []rfm.Score
	Segments        []rfm.SegmentSummary
	Migration       map[rfm.Segment]map[rfm.Segment]int // nil without a comparison date
	Names           map[int64]CustomerName              // members of the listed segment
	Currency        string
}

// ScoreOf returns customer id's score, nil when they have no purchase up
// to the report's date.
func (r *RFMReport) ScoreOf(id int64) *rfm.Score {
	i := sort.Search(len(r.Scores), func(i int) bool { return r.Scores[i].ID >= id })
	if i < len(r.Scores) && r.Scores[i].ID == id {
		return &r.Scores[i]
	}
	return nil
}

// RFM scores customers as of o.AsOf and, when compareTo is not zero,
// counts how they moved between segments since then. list names a segment
// whose members to look up.
func RFM(ctx context.Context, src interface {
	SpendSource
	CustomerNames(ctx context.Context, ids []int64) (map[int64]CustomerName, error)
}, o Options, compareTo time.Time, list rfm.Segment) (*RFMReport, error) {
	ord, cur, err := orders(ctx, src, o)
	if err != nil {
		return nil, err
	}
	asOf := localDay(o.AsOf, o.Location)
	cs := rfmCustomers(ord, asOf)
	r := &RFMReport{AsOf: o.AsOf, CompareTo: compareTo, Customers: cs, Scores: rfm.ScoreAll(cs), Currency: cur}
	r.Segments = rfm.Summarize(cs, r.Scores)
	if !compareTo.IsZero() {
		before := rfmCustomers(ord, localDay(compareTo, o.Location))
		r.Migration = rfm.Migration(rfm.ScoreAll(before), r.Scores)
	}
	if list != "" {
		var ids []int64
		for _, s := range r.Scores {
			if s.Segment == list {
				ids = append(ids, s.ID)
			}
		}
		if r.Names, err = src.CustomerNames(ctx, ids); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Class is one of the seed's four value x tenure classes.
type Class string

const (
	Core     Class = "core"       // high value, long-term: keep them close
	WinThem  Class = "win"        // high value, temporary: win them for good
	Grow     Class = "grow"       // low value, long-term: grow their basket
	WatchFor Class = "watch_cost" // low value, temporary: watch what they cost
)

// Classes lists the classes in report order.
var Classes = []Class{Core, WinThem, Grow, WatchFor}

// ClassRow is a class's size and revenue.
type ClassRow struct {
	Class        Class
	Customers    int
	Revenue      int64
	RevenueShare float64
}

// ClassReport is the 2x2 and the rule that made it.
type ClassReport struct {
	Rows        []ClassRow
	HighValue   int64   // revenue threshold of the top 20%, minor units
	MedianGap   int     // days between purchases, the shop's median
	AliveSource string  // "bgnbd" when P(alive) came from a fit, else "recency"
	AliveCut    float64 // P(alive) threshold (0.5)
	ChurnWindow int     // days, the recency rule's window when no fit
	// FitCustomers is how many customers the BG/NBD fit used (a sample of
	// fitSample on large shops); 0 without a fit.
	FitCustomers int
	Currency     string
}

// fitSample caps the customers the classes report fits BG/NBD on.
const fitSample = 100_000

// ValueTenure splits customers into the four classes: high value = top 20%
// by revenue; long-term = bought on two days or more, P(alive) >= 0.5 (from
// a BG/NBD fit; without one, bought within the churn window) and a tenure of
// at least the shop's median gap between purchases.
func ValueTenure(ctx context.Context, src SpendSource, o Options) (*ClassReport, error) {
	ord, purchases, err := ordersAndPurchases(ctx, src, o)
	if err != nil {
		return nil, err
	}
	cur := purchases.Currency
	asOf := localDay(o.AsOf, o.Location)
	cs := rfmCustomers(ord, asOf)
	if len(cs) == 0 {
		return nil, noOrders(o.AsOf)
	}
	revs := make([]int64, len(cs))
	for i, c := range cs {
		revs[i] = c.Revenue
	}
	sort.Slice(revs, func(i, j int) bool { return revs[i] > revs[j] })
	k := (len(revs) + 4) / 5
	gap := kpi.MedianGap(ord, asOf)
	rep := &ClassReport{HighValue: revs[k-1], AliveCut: 0.5, Currency: cur, MedianGap: gap,
		ChurnWindow: max(kpi.MinChurnWindow, 2*gap)} // as kpi.ChurnWindow, without a second pass
	// P(alive) from a BG/NBD fit when the data allows one. The summary has
	// the same customers in the same order as cs (both from the orders up to
	// the as-of day), so alive[i] belongs to cs[i].
	// The summary reads the shop-local days already computed for the
	// orders, without amounts: P(alive) needs only the timing.
	var alive []float64
	s := clv.Summarize(clv.Purchases{Customer: ord.Customer, Day: ord.Day}, asOf, clv.Week)
	// A large shop's parameters come from a sample of 100k customers: the
	// classification is the same to well under 1% (TestSampleFitClassifies)
	// at a fraction of the fit's time.
	sample := s.Sample(fitSample)
	if fit, err := clv.FitModel(clv.BGNBD, sample); err == nil && fit.Converged && s.Len() == len(cs) {
		rep.AliveSource, rep.FitCustomers = "bgnbd", sample.Len()
		alive = make([]float64, len(cs))
		for i := range cs {
			if s.Customer[i] != cs[i].ID {
				return nil, fmt.Errorf("classes: customer order differs between summary and orders")
			}
			alive[i] = fit.PAlive(s.X[i], s.Tx[i], s.T[i])
		}
	} else {
		rep.AliveSource = "recency"
	}
	byClass := map[Class]*ClassRow{}
	var total int64
	for i, c := range cs {
		high := c.Revenue >= rep.HighValue && c.Revenue > 0
		var isAlive bool
		if rep.AliveSource == "bgnbd" {
			isAlive = alive[i] >= rep.AliveCut
		} else {
			isAlive = int(c.Recency) <= rep.ChurnWindow
		}
		long := c.Orders >= 2 && c.LastDay > c.FirstDay && isAlive && int(c.LastDay-c.FirstDay) >= rep.MedianGap
		cl := map[[2]bool]Class{{true, true}: Core, {true, false}: WinThem, {false, true}: Grow, {false, false}: WatchFor}[[2]bool{high, long}]
		row := byClass[cl]
		if row == nil {
			row = &ClassRow{Class: cl}
			byClass[cl] = row
		}
		row.Customers++
		row.Revenue += c.Revenue
		total += c.Revenue
	}
	for _, cl := range Classes {
		row := byClass[cl]
		if row == nil {
			row = &ClassRow{Class: cl}
		}
		if total > 0 {
			row.RevenueShare = float64(row.Revenue) / float64(total)
		}
		rep.Rows = append(rep.Rows, *row)
	}
	return rep, nil
}
