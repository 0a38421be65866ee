package report

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/kithcrm/kith/internal/analytics/clv"
	"github.com/kithcrm/kith/internal/kith"
	"github.com/kithcrm/kith/internal/money"
)

// CLVOptions say what to fit and as of when.
type CLVOptions struct {
	Model    clv.ModelName
	Unit     clv.Unit
	AsOf     time.Time // purchases on the shop-local date of AsOf count
	Location *time.Location
	// NoSpend skips the Gamma-Gamma fit (P(alive) alone needs none).
	NoSpend bool
}

// CLVFit is a fitted transaction model and spend model.
type CLVFit struct {
	AsOf     time.Time
	Currency string
	Summary  clv.Summary
	Model    *clv.Fit
	Spend    *clv.Fit // nil with SpendErr when no repeat buyer has a value
	SpendErr error
	Loaded   int       // paid orders read
	Revenue  []float64 // per summary customer, all paid orders to the as-of date
}

// localDay is a time's calendar day in loc, as days since 1970-01-01.
func localDay(t time.Time, loc *time.Location) int32 {
	y, m, d := t.In(loc).Date()
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// toCLV converts purchases to shop-local days and major units. The zone's
// offset is looked up once per stretch of time it holds (ZoneBounds), not
// once per order.
func toCLV(p *Purchases, loc *time.Location) clv.Purchases {
	unit := math.Pow10(money.Exponent(p.Currency))
	out := clv.Purchases{Customer: p.Customer, Day: make([]int32, len(p.At)), Amount: make([]float64, len(p.At))}
	var lo, hi int64 = 1, 0 // empty range: look up first
	var offset int64
	for i, at := range p.At {
		if at < lo || at >= hi {
			t := time.Unix(at, 0).In(loc)
			_, off := t.Zone()
			offset = int64(off)
			start, end := t.ZoneBounds()
			lo, hi = math.MinInt64, math.MaxInt64
			if !start.IsZero() {
				lo = start.Unix()
			}
			if !end.IsZero() {
				hi = end.Unix()
			}
		}
		out.Day[i] = int32(floorDiv(at+offset, 86400))
		out.Amount[i] = float64(p.Amount[i]) / unit
	}
	return out
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// asOfEnd is the last instant of the as-of date in loc.
func asOfEnd(asOf time.Time, loc *time.Location) time.Time {
	y, m, d := asOf.In(loc).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc).Add(-time.Second)
}

// FitCLV loads purchases up to the as-of date and fits the chosen
// transaction model and the Gamma-Gamma spend model.
func FitCLV(ctx context.Context, src Source, o CLVOptions) (*CLVFit, error) {
	p, err := src.Purchases(ctx, asOfEnd(o.AsOf, o.Location))
	if err != nil {
		return nil, err
	}
	return fitOn(p, o)
}

// ErrNoOrders is the answer of a report that needs purchases before there
// are any (up to its date): an empty shop, not a failure.
var ErrNoOrders = kith.Msg("report.no_paid_orders", "no paid orders")

func noOrders(asOf time.Time) error {
	return kith.Msg("report.no_orders", "%v on or before %s: import orders first", ErrNoOrders, asOf.Format("2006-01-02"))
}

// fitOn fits the models to purchases already loaded.
func fitOn(p *Purchases, o CLVOptions) (*CLVFit, error) {
	if len(p.At) == 0 {
		return nil, noOrders(o.AsOf)
	}
	cp := toCLV(p, o.Location)
	asOf := localDay(o.AsOf, o.Location)
	s := clv.Summarize(cp, asOf, o.Unit)
	f, err := clv.FitModel(o.Model, &s)
	if err != nil {
		return nil, err
	}
	out := &CLVFit{AsOf: o.AsOf, Currency: p.Currency, Summary: s, Model: f, Loaded: len(p.At), Revenue: make([]float64, s.Len())}
	// Summarize keeps customers in purchase order, so one pass lines up.
	k := -1
	for i := range cp.Customer {
		if cp.Day[i] > asOf {
			continue
		}
		for k < 0 || s.Customer[k] != cp.Customer[i] {
			k++
		}
		out.Revenue[k] += cp.Amount[i]
	}
	if !o.NoSpend {
		out.Spend, out.SpendErr = clv.FitSpend(&s)
	}
	return out, nil
}

// Scored is the result of a scoring run.
type Scored struct {
	Fit    *CLVFit
	Set    *ScoreSet
	Top    []Ranked // by CLV
	AtRisk []Ranked // valuable customers who are slipping away
}

// Ranked is a customer in a top list.
type Ranked struct {
	CustomerName
	Score    ScoreRow
	PastRev  float64 // major units
	LastDays int     // days since the last purchase at the as-of date
}

// ScoreCLV fits, scores every customer, stores the scores and returns the
// top customers by CLV and the valuable ones at risk (P(alive) < 0.5, by
// past revenue).
func ScoreCLV(ctx context.Context, src Source, o CLVOptions, so clv.ScoreOptions, list int) (*Scored, error) {
	fit, err := FitCLV(ctx, src, o)
	if err != nil {
		return nil, err
	}
	if fit.Spend == nil {
		return nil, fmt.Errorf("cannot score value: %w", fit.SpendErr)
	}
	s := &fit.Summary
	scores := clv.ScoreAll(fit.Model, fit.Spend, s, so)
	set := &ScoreSet{AsOf: o.AsOf, Model: string(o.Model), HorizonDays: int(so.HorizonDays), Currency: fit.Currency, Rows: make([]ScoreRow, len(scores))}
	scale := math.Pow10(money.Exponent(fit.Currency))
	minor := func(v float64) int64 { return int64(math.Round(v * scale)) }
	for i, sc := range scores {
		for _, v := range []float64{sc.PAlive, sc.ExpectedPurchases, sc.ProbNoPurchase, sc.ExpectedSpend, sc.CLV} {
			if math.IsNaN(v) || math.IsInf(v, 0) { // a model bug: say so rather than store a hole
				return nil, fmt.Errorf("%s gave customer #%d a prediction of %v (parameters %v, x=%g t_x=%g T=%g)",
					o.Model, s.Customer[i], v, fit.Model.Params, s.X[i], s.Tx[i], s.T[i])
			}
		}
		set.Rows[i] = ScoreRow{CustomerID: s.Customer[i], PAlive: sc.PAlive, ExpectedPurchases: sc.ExpectedPurchases,
			PurchasesLo: sc.PurchasesLo, PurchasesHi: sc.PurchasesHi, ProbNoPurchase: sc.ProbNoPurchase,
			ExpectedSpend: minor(sc.ExpectedSpend), CLV: minor(sc.CLV), CLVLo: minor(sc.CLVLo), CLVHi: minor(sc.CLVHi),
			HasInterval: so.Samples > 0 && (sc.CLVHi > 0 || sc.PurchasesHi > 0)}
	}
	if err := src.SaveScores(ctx, set); err != nil {
		return nil, err
	}
	out := &Scored{Fit: fit, Set: set}
	past := func(i int) float64 { return fit.Revenue[i] }
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]].CLV > scores[idx[b]].CLV })
	top := idx[:min(list, len(idx))]
	var risk []int
	for _, i := range idx {
		if scores[i].PAlive < 0.5 && s.X[i] > 0 {
			risk = append(risk, i)
		}
	}
	sort.SliceStable(risk, func(a, b int) bool { return past(risk[a]) > past(risk[b]) })
	risk = risk[:min(list, len(risk))]
	var ids []int64
	for _, i := range append(append([]int{}, top...), risk...) {
		ids = append(ids, s.Customer[i])
	}
	names, err := src.CustomerNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	rank := func(i int) Ranked {
		return Ranked{CustomerName: names[s.Customer[i]], Score: set.Rows[i], PastRev: past(i),
			LastDays: int(math.Round((s.T[i] - s.Tx[i]) * s.Unit.Days()))}
	}
	for _, i := range top {
		out.Top = append(out.Top, rank(i))
	}
	for _, i := range risk {
		out.AtRisk = append(out.AtRisk, rank(i))
	}
	return out, nil
}

// ValidateCLV fits on purchases up to AsOf minus holdoutDays and checks the
// models against the holdout.
func ValidateCLV(ctx context.Context, src Source, o CLVOptions, holdoutDays int) (*clv.Validation, error) {
	if holdoutDays <= 0 {
		return nil, fmt.Errorf("--holdout must be a positive number of days")
	}
	p, err := src.Purchases(ctx, asOfEnd(o.AsOf, o.Location))
	if err != nil {
		return nil, err
	}
	end := localDay(o.AsOf, o.Location)
	return clv.Validate(toCLV(p, o.Location), end-int32(holdoutDays), end, o.Unit)
}
