package httpapi

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/kithcrm/kith/internal/analytics/kpi"
	"github.com/kithcrm/kith/internal/analytics/rfm"
	"github.com/kithcrm/kith/internal/report"
)

// ReportQuery is a report request's parameters: the flags of `kith report`
// as query parameters (as_of, period, churn_window, from, compare, customers).
type ReportQuery struct {
	Options report.Options
	From    time.Time // trend and cac ranges; zero: the report's default
	Compare string    // drivers: previous | yoy; rfm: a date
	Members rfm.Segment
}

func parseDay(field, s string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		return time.Time{}, invalid(field, field+" "+strconv.Quote(s)+": want YYYY-MM-DD")
	}
	return t, nil
}

// ParseReportQuery reads report parameters from r's query string.
func ParseReportQuery(r *http.Request, loc *time.Location, now time.Time) (ReportQuery, error) {
	q := r.URL.Query()
	rq := ReportQuery{Options: report.Options{Location: loc, AsOf: now.In(loc), Period: kpi.Month}}
	var err error
	if s := q.Get("period"); s != "" {
		if rq.Options.Period, err = kpi.ParsePeriod(s); err != nil {
			return rq, invalid("period", err.Error())
		}
	}
	if s := q.Get("as_of"); s != "" {
		if rq.Options.AsOf, err = parseDay("as_of", s, loc); err != nil {
			return rq, err
		}
	}
	if s := q.Get("churn_window"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 3650 {
			return rq, invalid("churn_window", "churn_window must be days between 0 and 3650")
		}
		rq.Options.ChurnWindow = n
	}
	if s := q.Get("from"); s != "" {
		if rq.From, err = parseDay("from", s, loc); err != nil {
			return rq, err
		}
		if rq.From.After(rq.Options.AsOf) {
			return rq, invalid("from", "from is after as_of")
		}
	}
	rq.Compare = q.Get("compare")
	if s := q.Get("customers"); s != "" {
		rq.Members = rfm.Segment(s)
		if !slices.Contains(rfm.Segments, rq.Members) {
			return rq, invalid("customers", "unknown segment "+strconv.Quote(s))
		}
	}
	return rq, nil
}

// report serves one report: parse the parameters, compute (cached), write
// its JSON document. compute returns the document.
func (a *API) report(compute func(r *http.Request, rq ReportQuery) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rq, err := ParseReportQuery(r, a.cfg.Location, a.cfg.Now())
		if err != nil {
			a.fail(w, r, err)
			return
		}
		doc, err := compute(r, rq)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, doc)
	}
}

// TrendFrom is the trend's default range start: a year before as-of.
func (rq ReportQuery) TrendFrom() time.Time {
	if !rq.From.IsZero() {
		return rq.From
	}
	return rq.Options.AsOf.AddDate(-1, 0, 0)
}

// CACFrom is the CAC report's default range start: 5 months before as-of.
func (rq ReportQuery) CACFrom() time.Time {
	if !rq.From.IsZero() {
		return rq.From
	}
	return rq.Options.AsOf.AddDate(0, -5, 0)
}

func (a *API) reportOverview(r *http.Request, rq ReportQuery) (any, error) {
	ov, err := a.Reports.Overview(r.Context(), rq.Options)
	if err != nil {
		return nil, err
	}
	return ov.JSON(), nil
}

func (a *API) reportTrend(r *http.Request, rq ReportQuery) (any, error) {
	tr, err := a.Reports.Trend(r.Context(), rq.Options, rq.TrendFrom())
	if err != nil {
		return nil, err
	}
	return tr.JSON(rq.Options), nil
}

func (a *API) reportCohorts(r *http.Request, rq ReportQuery) (any, error) {
	m, err := a.Reports.Cohorts(r.Context(), rq.Options)
	if err != nil {
		return nil, err
	}
	return m.JSON(rq.Options), nil
}

func (a *API) reportCAC(r *http.Request, rq ReportQuery) (any, error) {
	c, err := a.Reports.CAC(r.Context(), rq.Options, rq.CACFrom())
	if err != nil {
		return nil, err
	}
	return c.JSON(rq.Options), nil
}

func (a *API) reportDrivers(r *http.Request, rq ReportQuery) (any, error) {
	if rq.Compare == "" {
		rq.Compare = "previous"
	}
	if rq.Compare != "previous" && rq.Compare != "yoy" {
		return nil, invalid("compare", "compare must be previous or yoy")
	}
	d, err := a.Reports.Drivers(r.Context(), rq.Options, rq.Compare == "yoy")
	if err != nil {
		return nil, err
	}
	return d.JSON(), nil
}

func (a *API) reportRFM(r *http.Request, rq ReportQuery) (any, error) {
	var since time.Time
	if rq.Compare != "" {
		var err error
		if since, err = parseDay("compare", rq.Compare, a.cfg.Location); err != nil {
			return nil, err
		}
	}
	res, err := a.Reports.RFM(r.Context(), rq.Options, since, rq.Members)
	if err != nil {
		return nil, err
	}
	if rq.Members == "" {
		return res.JSON(), nil
	}
	ms, err := a.Members(r, res, rq.Members)
	if err != nil {
		return nil, err
	}
	return report.MembersJSON(rq.Members, res.AsOf, ms), nil
}

// Members lists a segment's members that the request's user may see.
func (a *API) Members(r *http.Request, res *report.RFMReport, seg rfm.Segment) ([]report.Member, error) {
	var visible func(int64) bool
	if rep := visibleTo(user(r)); rep != 0 {
		ids, err := a.b.VisibleIDs(r.Context(), rep)
		if err != nil {
			return nil, err
		}
		visible = func(id int64) bool { return ids[id] }
	}
	return res.Members(seg, visible), nil
}

func (a *API) reportClasses(r *http.Request, rq ReportQuery) (any, error) {
	c, err := a.Reports.Classes(r.Context(), rq.Options)
	if err != nil {
		return nil, err
	}
	return c.JSON(rq.Options), nil
}

func (a *API) reportPareto(r *http.Request, rq ReportQuery) (any, error) {
	p, err := a.Reports.Pareto(r.Context(), rq.Options)
	if err != nil {
		return nil, err
	}
	return p.JSON(rq.Options), nil
}

// Dashboard assembles the dashboard document.
func (a *API) Dashboard(r *http.Request, rq ReportQuery) (any, error) {
	ctx := r.Context()
	ov, err := a.Reports.Overview(ctx, rq.Options)
	if err != nil {
		return nil, err
	}
	tr, err := a.Reports.Trend(ctx, rq.Options, rq.TrendFrom())
	if err != nil {
		return nil, err
	}
	cac, err := a.Reports.CAC(ctx, rq.Options, rq.CACFrom())
	if err != nil {
		return nil, err
	}
	return map[string]any{"overview": ov.JSON(), "trend": tr.JSON(rq.Options), "cac": cac.JSON(rq.Options)}, nil
}
