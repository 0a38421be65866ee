package report

import (
	"math"
	"time"

	"github.com/kithcrm/kith/internal/analytics/kpi"
	"github.com/kithcrm/kith/internal/analytics/rfm"
	"github.com/kithcrm/kith/internal/money"
)

// The JSON shapes of the reports, shared by `kith report --format json` and
// the HTTP API so both speak the same stable snake_case keys
// (docs/reports.md). Money is a decimal string in major units beside
// "currency"; an undefined ratio is null, never NaN or Inf.

// Round rounds v to digits decimals (JSON output stays readable and stable).
func Round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

func roundAll(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = Round(x, 6)
	}
	return out
}

// JSONRatio renders a ratio, null when undefined.
func JSONRatio(r kpi.Ratio, digits int) any {
	if !r.Valid {
		return nil
	}
	return Round(r.Value, digits)
}

// JSONMoney renders a money ratio (minor units) as a decimal, null when undefined.
func JSONMoney(r kpi.Ratio, cur string) any {
	if !r.Valid {
		return nil
	}
	return money.Money{Minor: int64(r.Value + 0.5), Currency: cur}.Decimal()
}

// DayString formats days since 1970-01-01 as YYYY-MM-DD.
func DayString(d int32) string {
	return time.Unix(int64(d)*86400, 0).UTC().Format("2006-01-02")
}

func ymd(t time.Time) string { return t.Format("2006-01-02") }

func periodJSON(p kpi.PeriodFigures, cur string) map[string]any {
	return map[string]any{
		"period": p.Label, "from": DayString(p.Start), "to": DayString(p.End),
		"active": p.Active, "new": p.New, "returning": p.Returning, "orders": p.Orders,
		"revenue": JSONDecimal(p.Revenue, cur), "revenue_new": JSONDecimal(p.RevenueNew, cur), "revenue_returning": JSONDecimal(p.RevenueReturning, cur),
		"repurchase_rate": JSONRatio(p.RepurchaseRate, 6), "retention_rate": JSONRatio(p.RetentionRate, 6),
		"churn_rate": JSONRatio(p.ChurnRate, 6), "retained": p.Retained,
		"aov": JSONMoney(p.AOV, cur), "purchases_per_buyer": JSONRatio(p.PurchasesPerBuyer, 6),
		"acquisition_spend": JSONDecimal(p.AcquisitionSpend, cur), "retention_spend": JSONDecimal(p.RetentionSpend, cur),
		"cac": JSONMoney(p.CAC, cur), "retention_cost": JSONMoney(p.RetentionCostPerRetained, cur),
	}
}

// JSON is the overview's document.
func (ov *Overview) JSON() map[string]any {
	cur := ov.Currency
	out := periodJSON(ov.Current, cur)
	out["as_of"] = DayString(ov.AsOf)
	out["period_kind"] = string(ov.Period)
	out["currency"] = cur
	out["customers"] = ov.Customers
	out["repeat_customers"] = ov.RepeatCustomers
	out["repeat_customer_rate"] = JSONRatio(ov.RepeatCustomerRate, 6)
	out["churn_window_days"] = ov.ChurnWindowDays
	out["churned"] = ov.Churned
	out["ltv_12m"] = JSONMoney(ov.HistoricLTV12, cur)
	out["ltv_cac"] = JSONRatio(ov.LTVToCAC, 4)
	out["payback_months"] = JSONRatio(ov.PaybackMonths, 0)
	out["previous"] = periodJSON(ov.Previous, cur)
	return out
}

// JSON is the Pareto document.
func (p *Pareto) JSON(o Options) map[string]any {
	top := []map[string]any{}
	for _, s := range p.Top {
		top = append(top, map[string]any{"fraction": s.Fraction, "customers": s.Customers, "share": Round(s.Share, 6)})
	}
	lorenz := [][2]float64{}
	for _, pt := range p.Lorenz {
		lorenz = append(lorenz, [2]float64{pt.Customers, Round(pt.Revenue, 6)})
	}
	return map[string]any{"as_of": ymd(o.AsOf), "customers": p.Customers, "revenue": JSONDecimal(p.Revenue, p.Currency),
		"currency": p.Currency, "top": top, "gini": Round(p.Gini, 6), "lorenz": lorenz}
}

// JSON is the cohort document.
func (m *CohortMatrix) JSON(o Options) map[string]any {
	js := []map[string]any{}
	for _, c := range m.Cohorts {
		ltv := make([]string, len(c.LTV))
		for k := range c.LTV {
			ltv[k] = JSONDecimal(int64(c.LTV[k]+0.5), m.Currency)
		}
		revs := make([]string, len(c.Revenue))
		for k, r := range c.Revenue {
			revs[k] = JSONDecimal(r, m.Currency)
		}
		js = append(js, map[string]any{"cohort": c.Label, "size": c.Size, "active": c.Active, "revenue": revs,
			"retention": roundAll(c.Retention), "revenue_retention": roundAll(c.RevenueRetention), "ltv": ltv})
	}
	return map[string]any{"as_of": ymd(o.AsOf), "period": string(o.Period), "currency": m.Currency, "cohorts": js}
}

// JSON is the trend document.
func (tr *TrendReport) JSON(o Options) map[string]any {
	cur := tr.Currency
	js := []map[string]any{}
	for _, r := range tr.Rows {
		js = append(js, map[string]any{"period": r.Label, "active": r.Active, "new": r.New, "returning": r.Returning,
			"revenue": JSONDecimal(r.Revenue, cur), "retention_rate": JSONRatio(r.RetentionRate, 6),
			"repurchase_rate": JSONRatio(r.RepurchaseRate, 6), "aov": JSONMoney(r.AOV, cur), "cac": JSONMoney(r.CAC, cur),
			"won": r.Won, "lost": r.Lost, "reactivated": r.Reactivated, "net": r.Net, "customers_alive": r.Customers})
	}
	return map[string]any{"as_of": ymd(o.AsOf), "period": string(o.Period),
		"churn_window_days": tr.ChurnWindow, "currency": cur, "periods": js}
}

// JSON is the RFM segment document.
func (r *RFMReport) JSON() map[string]any {
	js := []map[string]any{}
	for _, s := range r.Segments {
		js = append(js, map[string]any{"segment": s.Segment, "customers": s.Customers, "share": Round(s.Share, 6),
			"revenue": JSONDecimal(s.Revenue, r.Currency), "revenue_share": Round(s.RevenueShare, 6)})
	}
	out := map[string]any{"as_of": ymd(r.AsOf), "currency": r.Currency, "segments": js}
	if r.Migration != nil {
		out["compare_to"] = ymd(r.CompareTo)
		out["migration"] = r.Migration
	}
	return out
}

// Member is one customer of an RFM segment.
type Member struct {
	CustomerName
	R, F, M  int
	Recency  int32 // days since the last purchase
	Orders   int
	Revenue  int64
	Currency string
}

// Members lists a segment's customers (the segment RFM was asked to list),
// keeping those visible says yes to (nil: all).
func (r *RFMReport) Members(seg rfm.Segment, visible func(id int64) bool) []Member {
	var out []Member
	for i, s := range r.Scores {
		if s.Segment != seg || (visible != nil && !visible(s.ID)) {
			continue
		}
		c := r.Customers[i]
		out = append(out, Member{CustomerName: r.Names[s.ID], R: s.R, F: s.F, M: s.M, Recency: c.Recency,
			Orders: c.Orders, Revenue: c.Revenue, Currency: r.Currency})
	}
	return out
}

// MembersJSON is the document of a segment's members.
func MembersJSON(seg rfm.Segment, asOf time.Time, ms []Member) map[string]any {
	js := []map[string]any{}
	for _, m := range ms {
		js = append(js, map[string]any{"id": m.ID, "external_id": m.ExternalID, "name": m.Name, "r": m.R, "f": m.F, "m": m.M,
			"recency_days": m.Recency, "orders": m.Orders, "revenue": JSONDecimal(m.Revenue, m.Currency)})
	}
	return map[string]any{"segment": seg, "as_of": ymd(asOf), "customers": js}
}

// JSON is the value x tenure document.
func (r *ClassReport) JSON(o Options) map[string]any {
	js := []map[string]any{}
	for _, row := range r.Rows {
		js = append(js, map[string]any{"class": row.Class, "customers": row.Customers,
			"revenue": JSONDecimal(row.Revenue, r.Currency), "revenue_share": Round(row.RevenueShare, 6)})
	}
	rule := map[string]any{"high_value_revenue": JSONDecimal(r.HighValue, r.Currency), "top_share": 0.2,
		"alive_source": r.AliveSource, "p_alive_min": r.AliveCut, "median_gap_days": r.MedianGap, "churn_window_days": r.ChurnWindow, "fit_customers": r.FitCustomers}
	return map[string]any{"as_of": ymd(o.AsOf), "currency": r.Currency, "classes": js, "rule": rule}
}

// JSON is the CAC document.
func (r *CACReport) JSON(o Options) map[string]any {
	cur := r.Currency
	js := []map[string]any{}
	for _, c := range r.Channels {
		js = append(js, map[string]any{"period": c.Period, "channel": c.Channel, "spend": JSONDecimal(c.Spend, cur),
			"new": c.New, "cac": JSONMoney(c.CAC, cur), "ltv": JSONMoney(c.LTV, cur), "ltv_cac": JSONRatio(c.LTVToCAC, 4), "payback_months": JSONRatio(c.PaybackMo, 0)})
	}
	rj := []map[string]any{}
	for _, p := range r.Retention {
		rj = append(rj, map[string]any{"period": p.Label, "retention_spend": JSONDecimal(p.RetentionSpend, cur),
			"retained": p.Retained, "retention_cost": JSONMoney(p.RetentionCostPerRetained, cur)})
	}
	return map[string]any{"as_of": ymd(o.AsOf), "period": string(o.Period), "currency": cur, "channels": js, "retention": rj}
}

// JSON is the revenue drivers document.
func (r *DriverReport) JSON() map[string]any {
	cur := r.Currency
	js := []map[string]any{}
	for _, fc := range r.Factors {
		var cj any
		if r.Defined {
			cj = JSONDecimal(int64(math.Round(fc.Contribution)), cur)
		}
		js = append(js, map[string]any{"factor": fc.Name, "before": Round(fc.Before, 6), "now": Round(fc.Now, 6), "contribution": cj})
	}
	change := r.Now.Revenue - r.Before.Revenue
	return map[string]any{"before": r.Before.Label, "now": r.Now.Label, "currency": cur,
		"revenue_before": JSONDecimal(r.Before.Revenue, cur), "revenue_now": JSONDecimal(r.Now.Revenue, cur),
		"change": JSONDecimal(change, cur), "factors": js, "defined": r.Defined, "has_traffic": len(r.Factors) == 4}
}
