package report

import (
	"context"
	"time"

	"github.com/kithcrm/kith/internal/analytics/kpi"
	"github.com/kithcrm/kith/internal/analytics/pareto"
)

// Options set a retention report's as-of date, period and zone.
type Options struct {
	AsOf        time.Time
	Period      kpi.Period
	Location    *time.Location
	ChurnWindow int // days; 0 = 2x the median gap, at least 90
}

// orders loads paid orders to the end of the as-of date as kpi columns.
func orders(ctx context.Context, src SpendSource, o Options) (*kpi.Orders, string, error) {
	ord, p, err := ordersAndPurchases(ctx, src, o)
	if err != nil {
		return nil, "", err
	}
	return ord, CurrencyOr(p.Currency), nil // a shop without orders reports in the default
}

// ordersAndSpend loads the paid orders and the spend up to the as-of date.
func ordersAndSpend(ctx context.Context, src SpendSource, o Options) (*kpi.Orders, *kpi.Spend, string, error) {
	ord, cur, err := orders(ctx, src, o)
	if err != nil {
		return nil, nil, "", err
	}
	sp, err := src.SpendUntil(ctx, asOfEnd(o.AsOf, o.Location))
	if err != nil {
		return nil, nil, "", err
	}
	return ord, kpiSpend(sp), cur, nil
}

// ordersAndPurchases is orders, also returning the purchases it read.
func ordersAndPurchases(ctx context.Context, src SpendSource, o Options) (*kpi.Orders, *Purchases, error) {
	p, err := src.Purchases(ctx, asOfEnd(o.AsOf, o.Location))
	if err != nil {
		return nil, nil, err
	}
	c := toCLV(p, o.Location)
	return &kpi.Orders{Customer: p.Customer, Day: c.Day, Amount: p.Amount}, p, nil
}

// Overview is the headline report.
type Overview struct {
	kpi.Overview
	Currency string
}

// RetentionOverview computes the overview as of o.AsOf.
func RetentionOverview(ctx context.Context, src SpendSource, o Options) (*Overview, error) {
	ord, s, cur, err := ordersAndSpend(ctx, src, o)
	if err != nil {
		return nil, err
	}
	ov := kpi.Compute(ord, s, o.Period, localDay(o.AsOf, o.Location), o.ChurnWindow)
	return &Overview{Overview: ov, Currency: cur}, nil
}

// Pareto is the revenue concentration report.
type Pareto struct {
	pareto.Result
	Currency string
}

// RevenueConcentration measures revenue per customer up to the as-of date.
func RevenueConcentration(ctx context.Context, src SpendSource, o Options) (*Pareto, error) {
	ord, cur, err := orders(ctx, src, o)
	if err != nil {
		return nil, err
	}
	var rev []int64
	for i := range ord.Customer {
		if i == 0 || ord.Customer[i] != ord.Customer[i-1] {
			rev = append(rev, 0)
		}
		rev[len(rev)-1] += ord.Amount[i]
	}
	return &Pareto{Result: pareto.Compute(rev), Currency: cur}, nil
}

// CohortMatrix is the cohort report.
type CohortMatrix struct {
	Cohorts  []kpi.Cohort
	Currency string
}

// CohortReport builds the first-purchase cohorts up to the as-of date.
func CohortReport(ctx context.Context, src SpendSource, o Options) (*CohortMatrix, error) {
	ord, cur, err := orders(ctx, src, o)
	if err != nil {
		return nil, err
	}
	return &CohortMatrix{Cohorts: kpi.Cohorts(ord, o.Period, localDay(o.AsOf, o.Location)), Currency: cur}, nil
}

// TrendReport is the trend and funnel report.
type TrendReport struct {
	Rows        []kpi.TrendRow
	ChurnWindow int
	Currency    string
}

// Trend computes the figures of every period from from to o.AsOf.
func Trend(ctx context.Context, src SpendSource, o Options, from time.Time) (*TrendReport, error) {
	ord, s, cur, err := ordersAndSpend(ctx, src, o)
	if err != nil {
		return nil, err
	}
	to := localDay(o.AsOf, o.Location)
	w := o.ChurnWindow
	if w <= 0 {
		w = kpi.ChurnWindow(ord, to)
	}
	return &TrendReport{Rows: kpi.Trend(ord, s, o.Period, localDay(from, o.Location), to, w), ChurnWindow: w, Currency: cur}, nil
}
