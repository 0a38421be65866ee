package web

import (
	"errors"
	"math"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/kithcrm/kith/internal/analytics/kpi"
	"github.com/kithcrm/kith/internal/analytics/rfm"
	"github.com/kithcrm/kith/internal/httpapi"
	"github.com/kithcrm/kith/internal/i18n"
	"github.com/kithcrm/kith/internal/money"
	"github.com/kithcrm/kith/internal/report"
)

// card is one headline figure with its change against the previous period.
type card struct {
	Key    string // i18n key of the label
	Value  string
	Change string // "+12.5%", "" when not comparable
	Up     bool
	Good   bool // the change is good news (churn going down is good)
}

func change(now, before float64, ok bool, higherIsBetter bool) (string, bool, bool) {
	if !ok || before == 0 || math.IsNaN(now) || math.IsNaN(before) {
		return "", false, false
	}
	d := (now - before) / math.Abs(before)
	s := strconv.FormatFloat(100*d, 'f', 1, 64) + "%"
	if d >= 0 {
		s = "+" + s
	}
	up := d > 0
	return s, up, up == higherIsBetter && d != 0
}

func ratioCard(l i18n.Lang, key string, now, before kpi.Ratio, format func(kpi.Ratio) string, higherIsBetter bool) card {
	c := card{Key: key, Value: format(now)}
	c.Change, c.Up, c.Good = change(now.Value, before.Value, now.Valid && before.Valid, higherIsBetter)
	return c
}

func intCard(key string, now, before int, higherIsBetter bool) card {
	c := card{Key: key, Value: groupDigits(strconv.Itoa(now))}
	c.Change, c.Up, c.Good = change(float64(now), float64(before), true, higherIsBetter)
	return c
}

// query reads the report parameters. Without as_of the pages show the shop
// as of today, or as of its last purchase when the data stops earlier (an
// imported history, the demo): an empty current period helps nobody.
func (u *UI) query(w http.ResponseWriter, r *http.Request) (httpapi.ReportQuery, bool) {
	now := u.now()
	if r.URL.Query().Get("as_of") == "" {
		last, err := u.api.Reports.LastPurchase(r.Context())
		if err != nil {
			u.fail(w, r, err)
			return httpapi.ReportQuery{}, false
		}
		if !last.IsZero() && last.Before(now) {
			now = last
		}
	}
	rq, err := httpapi.ParseReportQuery(r, u.loc, now)
	if err != nil {
		u.fail(w, r, err)
		return rq, false
	}
	return rq, true
}

type dashboardData struct {
	Overview *report.Overview
	Cards    []card
	Period   string
	Query    httpapi.ReportQuery
}

func (u *UI) dashboard(w http.ResponseWriter, r *http.Request) {
	rq, ok := u.query(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	ov, err := u.api.Reports.Overview(ctx, rq.Options)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	tr, err := u.api.Reports.Trend(ctx, rq.Options, rq.TrendFrom())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	cac, err := u.api.Reports.CAC(ctx, rq.Options, rq.TrendFrom())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p := u.newPage(r, "dashboard", "web.dashboard")
	l, cur := p.Lang, ov.Currency
	c, prev := ov.Current, ov.Previous
	pctOf := func(x kpi.Ratio) string { return pct(l, x) }
	mon := func(x kpi.Ratio) string { return ratioMoney(l, x, cur) }
	m := func(v int64) kpi.Ratio { return kpi.Ratio{Value: float64(v), Valid: true} }
	d := &dashboardData{Overview: ov, Period: c.Label, Query: rq}
	d.Cards = []card{
		intCard("report.active", c.Active, prev.Active, true),
		intCard("report.new", c.New, prev.New, true),
		intCard("report.returning", c.Returning, prev.Returning, true),
		ratioCard(l, "report.revenue", m(c.Revenue), m(prev.Revenue), mon, true),
		ratioCard(l, "report.retention_rate", c.RetentionRate, prev.RetentionRate, pctOf, true),
		ratioCard(l, "report.churn_rate", c.ChurnRate, prev.ChurnRate, pctOf, false),
		ratioCard(l, "report.repurchase_rate", c.RepurchaseRate, prev.RepurchaseRate, pctOf, true),
		ratioCard(l, "report.aov", c.AOV, prev.AOV, mon, true),
		ratioCard(l, "report.cac", c.CAC, prev.CAC, mon, false),
		ratioCard(l, "report.retention_cost", c.RetentionCostPerRetained, prev.RetentionCostPerRetained, mon, false),
	}
	ltv := card{Key: "report.ltv_cac", Value: num(l, ov.LTVToCAC, 2)}
	d.Cards = append(d.Cards, ltv)

	// Chart series, in the page's language.
	var labels []string
	var newC, retC, won, lost, net []int
	var revenue, cacS, retCost []any
	retByLabel := map[string]kpi.Ratio{}
	for _, p := range cac.Retention {
		retByLabel[p.Label] = p.RetentionCostPerRetained
	}
	major := func(x kpi.Ratio) any {
		if !x.Valid {
			return nil
		}
		return math.Round(x.Value) / math.Pow10(money.Exponent(cur))
	}
	for _, row := range tr.Rows {
		labels = append(labels, row.Label)
		newC, retC = append(newC, row.New), append(retC, row.Returning)
		won, lost, net = append(won, row.Won), append(lost, -row.Lost), append(net, row.Net)
		revenue = append(revenue, major(m(row.Revenue)))
		cacS = append(cacS, major(row.CAC))
		retCost = append(retCost, major(retByLabel[row.Label]))
	}
	t := func(k string) string { return i18n.T(l, k) }
	charts := map[string]any{
		"currency": money.Symbol(cur),
		"trend": map[string]any{"labels": labels, "series": []map[string]any{
			{"name": t("report.new"), "type": "bar", "stack": "buyers", "data": newC},
			{"name": t("report.returning"), "type": "bar", "stack": "buyers", "data": retC},
			{"name": t("report.revenue"), "type": "line", "yAxisIndex": 1, "data": revenue},
		}},
		"funnel": map[string]any{"labels": labels, "series": []map[string]any{
			{"name": t("report.won"), "type": "bar", "stack": "flow", "data": won},
			{"name": t("report.lost"), "type": "bar", "stack": "flow", "data": lost},
			{"name": t("report.net"), "type": "line", "data": net},
		}},
		"split": map[string]any{"data": []map[string]any{
			{"name": t("report.revenue_new"), "value": major(m(c.RevenueNew))},
			{"name": t("report.revenue_returning"), "value": major(m(c.RevenueReturning))},
		}},
		"costs": map[string]any{"labels": labels, "series": []map[string]any{
			{"name": t("report.cac"), "type": "line", "data": cacS},
			{"name": t("report.retention_cost"), "type": "line", "data": retCost},
		}},
	}
	if err := p.charts(charts); err != nil {
		u.fail(w, r, err)
		return
	}
	p.Data = d
	u.render(w, r, http.StatusOK, "dashboard", p)
}

func (u *UI) cohorts(w http.ResponseWriter, r *http.Request) {
	rq, ok := u.query(w, r)
	if !ok {
		return
	}
	m, err := u.api.Reports.Cohorts(r.Context(), rq.Options)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p := u.newPage(r, "cohorts", "web.cohorts")
	// The heat map shows the last 24 cohorts: older ones fit a table, not
	// a screen.
	cohorts := m.Cohorts
	if len(cohorts) > 24 {
		cohorts = cohorts[len(cohorts)-24:]
	}
	width := 0
	var ys []string
	var cells [][3]any
	for i, c := range cohorts {
		ys = append(ys, c.Label+" ("+strconv.Itoa(c.Size)+")")
		width = max(width, len(c.Retention))
		for k, v := range c.Retention {
			cells = append(cells, [3]any{k, i, math.Round(1000*v) / 10})
		}
	}
	xs := make([]string, width)
	for k := range xs {
		xs[k] = "+" + strconv.Itoa(k)
	}
	if err := p.charts(map[string]any{"cohorts": map[string]any{"x": xs, "y": ys, "cells": cells}}); err != nil {
		u.fail(w, r, err)
		return
	}
	p.Data = struct {
		Matrix  *report.CohortMatrix
		Cohorts []kpi.Cohort
		Width   int
		Query   httpapi.ReportQuery
	}{m, cohorts, width, rq}
	u.render(w, r, http.StatusOK, "cohorts", p)
}

type segmentRow struct {
	rfm.SegmentSummary
	Name string
}

func (u *UI) segments(w http.ResponseWriter, r *http.Request) {
	rq, ok := u.query(w, r)
	if !ok {
		return
	}
	res, err := u.api.Reports.RFM(r.Context(), rq.Options, time.Time{}, "")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p := u.newPage(r, "segments", "web.segments")
	classes, err := u.api.Reports.Classes(r.Context(), rq.Options)
	if errors.Is(err, report.ErrNoOrders) {
		// An empty shop (or a date before its first order): say so, as the
		// dashboard does, instead of an error page.
		p.Data = struct {
			Empty bool
			Day   time.Time
			AsOf  string
		}{true, rq.Options.AsOf, rq.Options.AsOf.Format("2006-01-02")}
		u.render(w, r, http.StatusOK, "segments", p)
		return
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	var rows []segmentRow
	var bars []map[string]any
	for _, s := range res.Segments {
		name := i18n.T(p.Lang, "segment."+string(s.Segment))
		rows = append(rows, segmentRow{s, name})
		bars = append(bars, map[string]any{"name": name, "value": s.Customers, "segment": s.Segment,
			"revenue_share": math.Round(1000*s.RevenueShare) / 10})
	}
	if err := p.charts(map[string]any{"segments": bars, "as_of": rq.Options.AsOf.Format("2006-01-02")}); err != nil {
		u.fail(w, r, err)
		return
	}
	byClass := map[report.Class]report.ClassRow{}
	for _, c := range classes.Rows {
		byClass[c.Class] = c
	}
	p.Data = struct {
		Empty    bool
		Segments []segmentRow
		Classes  *report.ClassReport
		Grid     [2][2]report.ClassRow
		AsOf     string
	}{false, rows, classes, [2][2]report.ClassRow{{byClass[report.WinThem], byClass[report.Core]}, {byClass[report.WatchFor], byClass[report.Grow]}},
		rq.Options.AsOf.Format("2006-01-02")}
	u.render(w, r, http.StatusOK, "segments", p)
}

func (u *UI) pareto(w http.ResponseWriter, r *http.Request) {
	rq, ok := u.query(w, r)
	if !ok {
		return
	}
	res, err := u.api.Reports.Pareto(r.Context(), rq.Options)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p := u.newPage(r, "pareto", "web.pareto")
	var pts [][2]float64
	for _, pt := range res.Lorenz {
		pts = append(pts, [2]float64{math.Round(1000*pt.Customers) / 10, math.Round(1000*pt.Revenue) / 10})
	}
	// The 80/20 reading: the share of revenue from the top x% of
	// customers, so the curve bows up.
	var top [][2]float64
	for i := len(pts) - 1; i >= 0; i-- {
		top = append(top, [2]float64{math.Round(10*(100-pts[i][0])) / 10, math.Round(10*(100-pts[i][1])) / 10})
	}
	if err := p.charts(map[string]any{"pareto": map[string]any{"points": top,
		"name": i18n.T(p.Lang, "web.revenue_from_top"), "even": i18n.T(p.Lang, "web.even_line")}}); err != nil {
		u.fail(w, r, err)
		return
	}
	p.Data = struct {
		*report.Pareto
		AsOf string
	}{res, formatDate(p.Lang, rq.Options.AsOf)}
	u.render(w, r, http.StatusOK, "pareto", p)
}

// channelRow sums the CAC report over its range per channel.
type channelRow struct {
	Channel   string
	Spend     int64
	New       int
	CAC       kpi.Ratio
	LTV       kpi.Ratio // mean historic LTV of the channel's new customers
	LTVToCAC  kpi.Ratio
	ltvWeight float64
}

func (u *UI) channels(w http.ResponseWriter, r *http.Request) {
	rq, ok := u.query(w, r)
	if !ok {
		return
	}
	res, err := u.api.Reports.CAC(r.Context(), rq.Options, rq.CACFrom())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p := u.newPage(r, "channels", "web.channels")
	byName := map[string]*channelRow{}
	for _, c := range res.Channels {
		row := byName[c.Channel]
		if row == nil {
			row = &channelRow{Channel: c.Channel}
			byName[c.Channel] = row
		}
		row.Spend += c.Spend
		row.New += c.New
		if c.LTV.Valid && c.New > 0 {
			row.ltvWeight += c.LTV.Value * float64(c.New)
		}
	}
	var rows []*channelRow
	for _, row := range byName {
		if row.Channel == "" {
			row.Channel = i18n.T(p.Lang, "report.no_channel")
		}
		if row.New > 0 {
			row.CAC = kpi.Ratio{Value: float64(row.Spend) / float64(row.New), Valid: true}
			row.LTV = kpi.Ratio{Value: row.ltvWeight / float64(row.New), Valid: true}
			if row.CAC.Value > 0 {
				row.LTVToCAC = kpi.Ratio{Value: row.LTV.Value / row.CAC.Value, Valid: true}
			}
		}
		rows = append(rows, row)
	}
	sort.Slice(rows, func(i, j int) bool {
		return rows[i].Spend > rows[j].Spend || rows[i].Spend == rows[j].Spend && rows[i].Channel < rows[j].Channel
	})
	var names []string
	var cacS, ratio []any
	exp := math.Pow10(money.Exponent(res.Currency))
	for _, row := range rows {
		names = append(names, row.Channel)
		if row.CAC.Valid {
			cacS = append(cacS, math.Round(row.CAC.Value)/exp)
		} else {
			cacS = append(cacS, nil)
		}
		if row.LTVToCAC.Valid {
			ratio = append(ratio, math.Round(100*row.LTVToCAC.Value)/100)
		} else {
			ratio = append(ratio, nil)
		}
	}
	if err := p.charts(map[string]any{"channels": map[string]any{"names": names, "cac": cacS, "ltv_cac": ratio,
		"cac_name": i18n.T(p.Lang, "report.cac"), "ratio_name": i18n.T(p.Lang, "report.ltv_cac")}}); err != nil {
		u.fail(w, r, err)
		return
	}
	// The report starts at the period holding CACFrom, so the page names
	// periods, not that day.
	from, to := rq.CACFrom().Format("2006-01-02"), rq.Options.AsOf.Format("2006-01-02")
	if n := len(res.Retention); n > 0 {
		from, to = res.Retention[0].Label, res.Retention[n-1].Label
	}
	p.Data = struct {
		Rows     []*channelRow
		Report   *report.CACReport
		From, To string
	}{rows, res, from, to}
	u.render(w, r, http.StatusOK, "channels", p)
}
