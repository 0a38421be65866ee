package cli

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/kithcrm/kith/internal/analytics/kpi"
	"github.com/kithcrm/kith/internal/analytics/rfm"
	"github.com/kithcrm/kith/internal/kith"
	"github.com/kithcrm/kith/internal/money"
	"github.com/kithcrm/kith/internal/report"
	"github.com/spf13/cobra"
)

// reportFlags are shared by the report subcommands.
type reportFlags struct {
	asOf, period string
	churnWindow  int
}

func (f *reportFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.asOf, "as-of", "", "compute as of this date, YYYY-MM-DD (default today)")
	cmd.Flags().StringVar(&f.period, "period", "month", "calendar period: week (from Monday), month or quarter")
}

// dayFlag reads a YYYY-MM-DD flag as the start of that day in loc.
func dayFlag(name, s string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return t, usageErr(kith.Msg("flag.day", "--%s %q: want YYYY-MM-DD", name, s))
	}
	return t, nil
}

func (a *app) reportOptions(f *reportFlags) (report.Options, error) {
	var o report.Options
	var err error
	if o.Period, err = kpi.ParsePeriod(f.period); err != nil {
		return o, usageErr(kith.Msg("flag.period", "--period %q: want week, month or quarter", f.period))
	}
	if o.Location, err = time.LoadLocation(a.cfg.TimeZone); err != nil {
		return o, err
	}
	o.AsOf = a.env.Now().In(o.Location)
	if f.asOf != "" {
		if o.AsOf, err = dayFlag("as-of", f.asOf, o.Location); err != nil {
			return o, err
		}
	}
	o.ChurnWindow = f.churnWindow
	return o, nil
}

func (a *app) reportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Retention reports: overview, trend, cohorts, cac, drivers, rfm, classes, pareto",
		Long: `report computes kith's retention figures from the imported orders and spend,
as of a date, exactly as defined in docs/reports.md.`,
		Example: `  kith report overview --period month
  kith report pareto --format json`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErr(kith.Msg("cmd.report", "report needs a subcommand: overview, trend, cohorts, cac, drivers, rfm, classes or pareto"))
		},
	}
	cmd.AddCommand(a.overviewCmd(), a.trendCmd(), a.cohortsCmd(), a.cacCmd(), a.driversCmd(), a.rfmCmd(), a.classesCmd(), a.paretoCmd())
	return cmd
}

func (a *app) overviewCmd() *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "overview",
		Short: "Are we keeping our customers? New vs returning, retention, churn, CAC and LTV for a period",
		Long: `overview shows the period holding --as-of (counted up to that day) and the
one before. Figures (docs/reports.md has the exact definitions):
  active                customers with a purchase in the period
  new                   active customers whose first purchase is in the period
  returning             active customers who first bought before the period
  revenue               paid revenue, and its split from new and returning customers
  repurchase rate       customers with 2+ orders in the period / active (复购率)
  retention rate        customers active in the previous period and this one / active in the previous one
  churn rate            1 - retention rate
  average order value   revenue / orders
  purchases per buyer   orders / active
  CAC                   acquisition spend (marketing + sales) / new customers
  retention cost        retention spend / retained customers
  customers             customers with a purchase up to --as-of
  repeat-customer rate  customers with 2+ orders ever / customers
  churned               customers with no purchase within the churn window (2x median gap, >= 90 days)
  historic LTV          mean revenue per customer in the 12 months after their first purchase
  LTV:CAC               historic LTV / CAC
  payback months        months until revenue per customer reaches CAC`,
		Example: `  kith report overview
  kith report overview --as-of 2025-12-31 --period quarter --lang zh-CN
  kith report overview --format json`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := a.reportOptions(&f)
			if err != nil {
				return err
			}
			be, err := a.open(cmd.Context(), OpenExisting)
			if err != nil {
				return err
			}
			defer be.Close()
			ov, err := report.RetentionOverview(cmd.Context(), be, o)
			if err != nil {
				return err
			}
			return a.printOverview(ov)
		},
	}
	f.add(cmd)
	cmd.Flags().IntVar(&f.churnWindow, "churn-window", 0, "days without a purchase after which a customer counts as churned (default: 2x the median gap, at least 90)")
	return cmd
}

func (a *app) printOverview(ov *report.Overview) error {
	cur := ov.Currency
	c, p := ov.Current, ov.Previous
	out := ov.JSON()

	pct := func(r kpi.Ratio) string {
		if !r.Valid {
			return a.t("report.undefined")
		}
		return strconv.FormatFloat(100*r.Value, 'f', 1, 64) + "%"
	}
	mon := func(r kpi.Ratio) string {
		if !r.Valid {
			return a.t("report.undefined")
		}
		return fmtMoney(int64(r.Value+0.5), cur)
	}
	num := func(r kpi.Ratio, d int) string {
		if !r.Valid {
			return a.t("report.undefined")
		}
		return strconv.FormatFloat(r.Value, 'f', d, 64)
	}
	itoa := strconv.Itoa
	t := table{header: []string{a.t("report.figure"), c.Label, p.Label}}
	row := func(key, cv, pv string) { t.rows = append(t.rows, []string{a.t(key), cv, pv}) }
	row("report.active", itoa(c.Active), itoa(p.Active))
	row("report.new", itoa(c.New), itoa(p.New))
	row("report.returning", itoa(c.Returning), itoa(p.Returning))
	row("report.revenue", fmtMoney(c.Revenue, cur), fmtMoney(p.Revenue, cur))
	row("report.revenue_new", fmtMoney(c.RevenueNew, cur), fmtMoney(p.RevenueNew, cur))
	row("report.revenue_returning", fmtMoney(c.RevenueReturning, cur), fmtMoney(p.RevenueReturning, cur))
	row("report.repurchase_rate", pct(c.RepurchaseRate), pct(p.RepurchaseRate))
	row("report.retention_rate", pct(c.RetentionRate), pct(p.RetentionRate))
	row("report.churn_rate", pct(c.ChurnRate), pct(p.ChurnRate))
	row("report.aov", mon(c.AOV), mon(p.AOV))
	row("report.ppb", num(c.PurchasesPerBuyer, 2), num(p.PurchasesPerBuyer, 2))
	row("report.cac", mon(c.CAC), mon(p.CAC))
	row("report.retention_cost", mon(c.RetentionCostPerRetained), mon(p.RetentionCostPerRetained))
	if a.cfg.Format != "table" {
		return write(a.env.Stdout, a.cfg.Format, t, out)
	}
	w := a.env.Stdout
	fmt.Fprintln(w, a.t("report.overview_head", dayString(ov.AsOf), report.CurrencyOr(cur)))
	printTable(w, t)
	fmt.Fprintln(w)
	st := table{header: []string{a.t("report.shop"), ""}}
	st.rows = append(st.rows,
		[]string{a.t("report.customers"), itoa(ov.Customers)},
		[]string{a.t("report.repeat_rate"), pct(ov.RepeatCustomerRate)},
		[]string{a.t("report.churned", ov.ChurnWindowDays), itoa(ov.Churned)},
		[]string{a.t("report.ltv12"), mon(ov.HistoricLTV12)},
		[]string{a.t("report.ltv_cac"), num(ov.LTVToCAC, 2)},
		[]string{a.t("report.payback"), num(ov.PaybackMonths, 0)})
	printTable(w, st)
	return nil
}

func dayString(d int32) string { return report.DayString(d) }

func (a *app) paretoCmd() *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "pareto",
		Short: "Who brings the revenue? Share of the top 1/5/10/20/50% of customers, Lorenz curve, Gini",
		Long: `pareto sorts customers by paid revenue up to --as-of and shows the share of
revenue from the top 1, 5, 10, 20 and 50% of them, the Lorenz curve (share of
revenue from the bottom x% of customers) and the Gini coefficient (0: every
customer spends the same; near 1: one customer brings everything).`,
		Example: `  kith report pareto
  kith report pareto --format json | jq .top`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := a.reportOptions(&f)
			if err != nil {
				return err
			}
			be, err := a.open(cmd.Context(), OpenExisting)
			if err != nil {
				return err
			}
			defer be.Close()
			p, err := report.RevenueConcentration(cmd.Context(), be, o)
			if err != nil {
				return err
			}
			t := table{header: []string{a.t("report.top"), a.t("report.customers"), a.t("report.revenue_share")}}
			for _, s := range p.Top {
				t.rows = append(t.rows, []string{strconv.FormatFloat(100*s.Fraction, 'f', 0, 64) + "%", strconv.Itoa(s.Customers),
					strconv.FormatFloat(100*s.Share, 'f', 1, 64) + "%"})
			}
			if a.cfg.Format != "table" {
				return write(a.env.Stdout, a.cfg.Format, t, p.JSON(o))
			}
			w := a.env.Stdout
			fmt.Fprintln(w, a.t("report.pareto_head", p.Customers, fmtMoney(p.Revenue, p.Currency), o.AsOf.Format("2006-01-02")))
			printTable(w, t)
			fmt.Fprintln(w, a.t("report.gini", p.Gini))
			return nil
		},
	}
	f.add(cmd)
	return cmd
}

func (a *app) cohortsCmd() *cobra.Command {
	var f reportFlags
	var metric string
	cmd := &cobra.Command{
		Use:   "cohorts",
		Short: "First-purchase cohorts by period since: customer retention, revenue retention, cumulative LTV",
		Long: `cohorts groups customers by the period of their first purchase and shows, for
each following period, the share still buying (--metric customers), revenue
as a share of the first period's (--metric revenue), or cumulative revenue
per customer, the historic LTV (--metric ltv).`,
		Example: `  kith report cohorts
  kith report cohorts --metric ltv --period quarter
  kith report cohorts --format json`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if metric != "customers" && metric != "revenue" && metric != "ltv" {
				return usageErr(kith.Msg("flag.metric", "--metric %q: want customers, revenue or ltv", metric))
			}
			o, err := a.reportOptions(&f)
			if err != nil {
				return err
			}
			be, err := a.open(cmd.Context(), OpenExisting)
			if err != nil {
				return err
			}
			defer be.Close()
			m, err := report.CohortReport(cmd.Context(), be, o)
			if err != nil {
				return err
			}
			width := 0
			for _, c := range m.Cohorts {
				width = max(width, len(c.Active))
			}
			t := table{header: []string{a.t("report.cohort"), a.t("report.size")}}
			for k := 0; k < width; k++ {
				t.header = append(t.header, "+"+strconv.Itoa(k))
			}
			for _, c := range m.Cohorts {
				row := []string{c.Label, strconv.Itoa(c.Size)}
				for k := range c.Active {
					switch metric {
					case "customers":
						row = append(row, strconv.FormatFloat(100*c.Retention[k], 'f', 1, 64)+"%")
					case "revenue":
						row = append(row, strconv.FormatFloat(100*c.RevenueRetention[k], 'f', 1, 64)+"%")
					default:
						row = append(row, fmtMoney(int64(c.LTV[k]+0.5), m.Currency))
					}
				}
				t.rows = append(t.rows, row)
			}
			if a.cfg.Format != "table" {
				return write(a.env.Stdout, a.cfg.Format, t, m.JSON(o))
			}
			printTable(a.env.Stdout, t)
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&metric, "metric", "customers", "cells: customers (retention), revenue (revenue retention) or ltv (cumulative revenue per customer)")
	return cmd
}

func (a *app) trendCmd() *cobra.Command {
	var f reportFlags
	var fromS string
	cmd := &cobra.Command{
		Use:   "trend",
		Short: "The figures period by period, with the funnel: customers won, lost, net",
		Long: `trend shows, for each period from --from to --as-of: active, new and returning
customers, revenue, retention, and the funnel: customers won (first
purchase), lost (entered silent churn: no purchase for the churn window),
reactivated (bought again after churning) and the net change. "Lose 100, win
100" shows here as a flat line of customers with a rising bill for winning
them.`,
		Example: `  kith report trend --from 2025-01-01
  kith report trend --period quarter --from 2024-01-01 --format csv`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := a.reportOptions(&f)
			if err != nil {
				return err
			}
			from := o.AsOf.AddDate(-1, 0, 0)
			if fromS != "" {
				if from, err = dayFlag("from", fromS, o.Location); err != nil {
					return err
				}
			}
			if from.After(o.AsOf) {
				return usageErr(kith.Msg("flag.from_after", "--from %s is after --as-of %s", from.Format("2006-01-02"), o.AsOf.Format("2006-01-02")))
			}
			be, err := a.open(cmd.Context(), OpenExisting)
			if err != nil {
				return err
			}
			defer be.Close()
			tr, err := report.Trend(cmd.Context(), be, o, from)
			if err != nil {
				return err
			}
			cur := tr.Currency
			t := table{header: []string{a.t("report.period"), a.t("report.active"), a.t("report.new"), a.t("report.returning"),
				a.t("report.revenue"), a.t("report.retention_rate"), a.t("report.won"), a.t("report.lost"), a.t("report.reactivated"),
				a.t("report.net"), a.t("report.alive")}}
			for _, r := range tr.Rows {
				ret := a.t("report.undefined")
				if r.RetentionRate.Valid {
					ret = strconv.FormatFloat(100*r.RetentionRate.Value, 'f', 1, 64) + "%"
				}
				rev := fmtMoney(r.Revenue, cur)
				if a.cfg.Format == "csv" {
					rev = money.Money{Minor: r.Revenue, Currency: cur}.Decimal()
				}
				t.rows = append(t.rows, []string{r.Label, strconv.Itoa(r.Active), strconv.Itoa(r.New), strconv.Itoa(r.Returning),
					rev, ret, strconv.Itoa(r.Won), strconv.Itoa(r.Lost), strconv.Itoa(r.Reactivated), strconv.Itoa(r.Net), strconv.Itoa(r.Customers)})
			}
			if a.cfg.Format == "json" {
				return write(a.env.Stdout, "json", t, tr.JSON(o))
			}
			if a.cfg.Format == "table" {
				fmt.Fprintln(a.env.Stdout, a.t("report.trend_head", tr.ChurnWindow))
			}
			return write(a.env.Stdout, a.cfg.Format, t, nil)
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&fromS, "from", "", "first date of the range, YYYY-MM-DD (default a year before --as-of)")
	cmd.Flags().IntVar(&f.churnWindow, "churn-window", 0, "days without a purchase after which a customer is lost (default: 2x the median gap, at least 90)")
	return cmd
}

func (a *app) rfmCmd() *cobra.Command {
	var f reportFlags
	var compare, members string
	cmd := &cobra.Command{
		Use:   "rfm",
		Short: "RFM scores and segments (Champions ... Lost), their sizes and revenue, and who moved",
		Long: `rfm scores every customer 1-5 on recency (days since the last purchase),
frequency (purchases) and monetary value (revenue) by quintiles, with equal
values kept in one score, and names the segment from R and FM = (F+M)/2
rounded up, by the table in docs/reports.md. --compare DATE shows how
customers moved between segments since that date; --customers SEGMENT lists
a segment's members.`,
		Example: `  kith report rfm
  kith report rfm --compare 2026-06-30
  kith report rfm --customers at_risk --format csv`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := a.reportOptions(&f)
			if err != nil {
				return err
			}
			var since time.Time
			if compare != "" {
				if since, err = dayFlag("compare", compare, o.Location); err != nil {
					return err
				}
			}
			seg := rfm.Segment(members)
			if members != "" && !slices.Contains(rfm.Segments, seg) {
				return usageErr(kith.Msg("flag.customers", "--customers %q: want one of %v", members, rfm.Segments))
			}
			be, err := a.open(cmd.Context(), OpenExisting)
			if err != nil {
				return err
			}
			defer be.Close()
			r, err := report.RFM(cmd.Context(), be, o, since, seg)
			if err != nil {
				return err
			}
			if members != "" {
				return a.printMembers(r, seg)
			}
			t := table{header: []string{a.t("report.segment"), a.t("report.customers"), a.t("report.customer_share"), a.t("report.revenue"), a.t("report.revenue_share")}}
			for _, s := range r.Segments {
				t.rows = append(t.rows, []string{a.t("segment." + string(s.Segment)), strconv.Itoa(s.Customers),
					strconv.FormatFloat(100*s.Share, 'f', 1, 64) + "%", fmtMoney(s.Revenue, r.Currency), strconv.FormatFloat(100*s.RevenueShare, 'f', 1, 64) + "%"})
			}
			if a.cfg.Format != "table" {
				return write(a.env.Stdout, a.cfg.Format, t, r.JSON())
			}
			w := a.env.Stdout
			fmt.Fprintln(w, a.t("report.rfm_head", len(r.Customers), o.AsOf.Format("2006-01-02")))
			printTable(w, t)
			if r.Migration != nil {
				fmt.Fprintln(w)
				fmt.Fprintln(w, a.t("report.migration", since.Format("2006-01-02")))
				mt := table{header: []string{a.t("report.from"), a.t("report.to"), a.t("report.customers")}}
				for _, from := range rfm.Segments {
					for _, to := range rfm.Segments {
						if n := r.Migration[from][to]; n > 0 && from != to {
							mt.rows = append(mt.rows, []string{a.t("segment." + string(from)), a.t("segment." + string(to)), strconv.Itoa(n)})
						}
					}
				}
				printTable(w, mt)
			}
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&compare, "compare", "", "also score as of this earlier date and show who moved between segments")
	cmd.Flags().StringVar(&members, "customers", "", "list the members of this segment (e.g. at_risk, champions)")
	return cmd
}

func (a *app) printMembers(r *report.RFMReport, seg rfm.Segment) error {
	t := table{header: []string{a.t("customer.id"), a.t("customer.name"), "R", "F", "M", a.t("clv.days_since"), a.t("report.orders"), a.t("report.revenue")}}
	ms := r.Members(seg, nil)
	for _, m := range ms {
		rev := fmtMoney(m.Revenue, r.Currency)
		if a.cfg.Format == "csv" {
			rev = money.Money{Minor: m.Revenue, Currency: r.Currency}.Decimal()
		}
		t.rows = append(t.rows, []string{m.ExternalID, m.Name, strconv.Itoa(m.R), strconv.Itoa(m.F), strconv.Itoa(m.M),
			strconv.Itoa(int(m.Recency)), strconv.Itoa(m.Orders), rev})
	}
	return write(a.env.Stdout, a.cfg.Format, t, report.MembersJSON(seg, r.AsOf, ms))
}

func (a *app) classesCmd() *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "classes",
		Short: "High/low value x long-term/temporary: the four customer classes and what to do with each",
		Long: `classes splits customers in four: high value (top 20% by revenue) or not, and
long-term (bought on two days or more, probably still active: P(alive) >= 0.5
from a BG/NBD fit, or a purchase within the churn window when the shop is too
small to fit, and a tenure of at least the shop's median gap between
purchases) or temporary. The rule used is printed with the figures.`,
		Example: `  kith report classes
  kith report classes --as-of 2025-12-31 --format json`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := a.reportOptions(&f)
			if err != nil {
				return err
			}
			be, err := a.open(cmd.Context(), OpenExisting)
			if err != nil {
				return err
			}
			defer be.Close()
			r, err := report.ValueTenure(cmd.Context(), be, o)
			if err != nil {
				return err
			}
			t := table{header: []string{a.t("report.class"), a.t("report.customers"), a.t("report.revenue"), a.t("report.revenue_share"), a.t("report.action")}}
			for _, row := range r.Rows {
				t.rows = append(t.rows, []string{a.t("class." + string(row.Class)), strconv.Itoa(row.Customers), fmtMoney(row.Revenue, r.Currency),
					strconv.FormatFloat(100*row.RevenueShare, 'f', 1, 64) + "%", a.t("class." + string(row.Class) + ".action")})
			}
			if a.cfg.Format != "table" {
				return write(a.env.Stdout, a.cfg.Format, t, r.JSON(o))
			}
			printTable(a.env.Stdout, t)
			alive := a.t("report.rule_alive_fit")
			if r.AliveSource != "bgnbd" {
				alive = a.t("report.rule_alive_recency", r.ChurnWindow)
			}
			fmt.Fprintln(a.env.Stdout, a.t("report.rule", fmtMoney(r.HighValue, r.Currency), alive, r.MedianGap))
			return nil
		},
	}
	f.add(cmd)
	return cmd
}

func (a *app) cacCmd() *cobra.Command {
	var f reportFlags
	var fromS string
	cmd := &cobra.Command{
		Use:   "cac",
		Short: "What a new customer costs and is worth, by channel and period; what keeping one costs",
		Long: `cac shows, per acquisition channel (the customer's source channel) and period:
acquisition spend (marketing + sales), new customers, CAC = spend / new
customers (undefined when nobody was won), their revenue per customer so far
(historic LTV), LTV:CAC and payback months; then per period the retention
spend and the retention cost per retained customer.`,
		Example: `  kith report cac --from 2026-01-01
  kith report cac --period quarter --format csv`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := a.reportOptions(&f)
			if err != nil {
				return err
			}
			from := o.AsOf.AddDate(0, -5, 0)
			if fromS != "" {
				if from, err = dayFlag("from", fromS, o.Location); err != nil {
					return err
				}
			}
			be, err := a.open(cmd.Context(), OpenExisting)
			if err != nil {
				return err
			}
			defer be.Close()
			r, err := report.CAC(cmd.Context(), be, o, from)
			if err != nil {
				return err
			}
			cur := r.Currency
			mon := func(x kpi.Ratio) string {
				if !x.Valid {
					return a.t("report.undefined")
				}
				if a.cfg.Format == "csv" {
					return money.Money{Minor: int64(x.Value + 0.5), Currency: cur}.Decimal()
				}
				return fmtMoney(int64(x.Value+0.5), cur)
			}
			num := func(x kpi.Ratio, d int) string {
				if !x.Valid {
					return a.t("report.undefined")
				}
				return strconv.FormatFloat(x.Value, 'f', d, 64)
			}
			t := table{header: []string{a.t("report.period"), a.t("customer.channel"), a.t("report.acq_spend"), a.t("report.new"), a.t("report.cac"), a.t("report.ltv_so_far"), a.t("report.ltv_cac"), a.t("report.payback")}}
			for _, c := range r.Channels {
				name := c.Channel
				if name == "" {
					name = a.t("report.no_channel")
				}
				t.rows = append(t.rows, []string{c.Period, name, mon(kpi.Ratio{Value: float64(c.Spend), Valid: true}), strconv.Itoa(c.New), mon(c.CAC), mon(c.LTV), num(c.LTVToCAC, 2), num(c.PaybackMo, 0)})
			}
			rt := table{header: []string{a.t("report.period"), a.t("report.ret_spend"), a.t("report.retained"), a.t("report.retention_cost")}}
			for _, p := range r.Retention {
				rt.rows = append(rt.rows, []string{p.Label, mon(kpi.Ratio{Value: float64(p.RetentionSpend), Valid: true}), strconv.Itoa(p.Retained), mon(p.RetentionCostPerRetained)})
			}
			switch a.cfg.Format {
			case "json":
				return write(a.env.Stdout, "json", t, r.JSON(o))
			case "csv":
				return write(a.env.Stdout, "csv", t, nil)
			}
			printTable(a.env.Stdout, t)
			fmt.Fprintln(a.env.Stdout)
			printTable(a.env.Stdout, rt)
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&fromS, "from", "", "first date of the range, YYYY-MM-DD (default 5 months before --as-of)")
	return cmd
}

func (a *app) driversCmd() *cobra.Command {
	var f reportFlags
	var compare string
	cmd := &cobra.Command{
		Use:   "drivers",
		Short: "Why revenue moved: visitors x conversion x order value x purchases per buyer, change split by factor",
		Long: `drivers writes revenue as visitors x conversion x average order value x
purchases per buyer for the period holding --as-of and the one it is compared
with (--compare previous or yoy), and splits the change among the factors by
the logarithmic mean Divisia index, so the parts add up to the change
exactly. Without traffic data it uses buyers x order value x purchases per
buyer and says that visitors are missing.`,
		Example: `  kith report drivers
  kith report drivers --compare yoy --period quarter`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if compare != "previous" && compare != "yoy" {
				return usageErr(kith.Msg("flag.compare", "--compare %q: want previous or yoy", compare))
			}
			o, err := a.reportOptions(&f)
			if err != nil {
				return err
			}
			be, err := a.open(cmd.Context(), OpenExisting)
			if err != nil {
				return err
			}
			defer be.Close()
			r, err := report.Drivers(cmd.Context(), be, o, compare == "yoy")
			if err != nil {
				return err
			}
			cur := r.Currency
			t := table{header: []string{a.t("report.factor"), r.Before.Label, r.Now.Label, a.t("report.contribution")}}
			for _, fc := range r.Factors {
				fmtV := func(v float64) string {
					switch fc.Name {
					case "aov":
						return fmtMoney(int64(v+0.5), cur)
					case "conversion":
						return strconv.FormatFloat(100*v, 'f', 2, 64) + "%"
					case "purchases_per_buyer":
						return strconv.FormatFloat(v, 'f', 3, 64)
					}
					return strconv.FormatFloat(v, 'f', 0, 64)
				}
				contrib := a.t("report.undefined")
				if r.Defined {
					contrib = fmtMoney(int64(math.Round(fc.Contribution)), cur)
				}
				t.rows = append(t.rows, []string{a.t("driver." + fc.Name), fmtV(fc.Before), fmtV(fc.Now), contrib})
			}
			change := r.Now.Revenue - r.Before.Revenue
			t.rows = append(t.rows, []string{a.t("report.revenue"), fmtMoney(r.Before.Revenue, cur), fmtMoney(r.Now.Revenue, cur), fmtMoney(change, cur)})
			if a.cfg.Format != "table" {
				return write(a.env.Stdout, a.cfg.Format, t, r.JSON())
			}
			printTable(a.env.Stdout, t)
			if len(r.Factors) == 3 {
				fmt.Fprintln(a.env.Stdout, a.t("report.no_traffic"))
			}
			if !r.Defined {
				fmt.Fprintln(a.env.Stdout, a.t("report.drivers_undefined"))
			}
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&compare, "compare", "previous", "compare with the previous period or the same one a year before (yoy)")
	return cmd
}
