package cli

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kithcrm/kith/internal/analytics/clv"
	"github.com/kithcrm/kith/internal/kith"
	"github.com/kithcrm/kith/internal/money"
	"github.com/kithcrm/kith/internal/report"
	"github.com/spf13/cobra"
)

// clvFlags are shared by the clv subcommands.
type clvFlags struct {
	model, unit, asOf string
}

func (f *clvFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.model, "model", "bgnbd", "transaction model: bgnbd, pnbd (Pareto/NBD) or mbgnbd")
	cmd.Flags().StringVar(&f.unit, "unit", "week", "time unit of the model: week or day")
	cmd.Flags().StringVar(&f.asOf, "as-of", "", "fit on purchases up to this date, YYYY-MM-DD (default today)")
}

func (a *app) clvOptions(f *clvFlags) (report.CLVOptions, error) {
	var o report.CLVOptions
	var err error
	if o.Model, err = clv.ParseModel(f.model); err != nil {
		return o, usageErr(kith.Msg("flag.model", "--model %q: want bgnbd, pnbd or mbgnbd", f.model))
	}
	if o.Unit, err = clv.ParseUnit(f.unit); err != nil {
		return o, usageErr(kith.Msg("flag.unit", "--unit %q: want day or week", f.unit))
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
	return o, nil
}

// maxHorizonDays bounds --horizon at ten years: scoring evaluates every
// month of it for every draw of the parameters, and past ten years a
// discounted CLV hardly moves while the run time grows with the square.
const maxHorizonDays = 3653

// parseHorizon reads 365d, 52w, 12m, 1y or a bare number of days.
func parseHorizon(in string) (float64, error) {
	s := strings.TrimSpace(strings.ToLower(in))
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "d"):
		s = strings.TrimSuffix(s, "d")
	case strings.HasSuffix(s, "w"):
		s, mult = strings.TrimSuffix(s, "w"), 7
	case strings.HasSuffix(s, "m"):
		s, mult = strings.TrimSuffix(s, "m"), 365.25/12
	case strings.HasSuffix(s, "y"):
		s, mult = strings.TrimSuffix(s, "y"), 365.25
	}
	v, err := strconv.ParseFloat(s, 64)
	days := math.Round(v * mult)
	if err != nil || days < 1 || days > maxHorizonDays {
		return 0, kith.Msg("flag.horizon", "horizon %q: want e.g. 365d, 52w, 12m or 1y, from a day to ten years", in)
	}
	return days, nil
}

func (a *app) clvCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "clv",
		Short: "Predict who stays and what they are worth (BG/NBD, Pareto/NBD, MBG/NBD, Gamma-Gamma)",
		Long: `clv fits "buy till you die" models to the paid orders: how often each customer
buys while active, and how likely they are to have stopped. From them kith
predicts, per customer, the probability of being alive, expected purchases,
the chance of no purchase (churn), expected spend and lifetime value.`,
		Example: `  kith clv fit --format json
  kith clv score --horizon 365d --discount 0.01
  kith clv validate --holdout 180`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErr(kith.Msg("cmd.clv", "clv needs a subcommand: fit, score or validate"))
		},
	}
	cmd.AddCommand(a.clvFitCmd(), a.clvScoreCmd(), a.clvValidateCmd())
	return cmd
}

func (a *app) clvFitCmd() *cobra.Command {
	var f clvFlags
	cmd := &cobra.Command{
		Use:   "fit",
		Short: "Fit a transaction model and the spend model, and show the parameters",
		Long: `fit estimates the model by maximum likelihood and reports the parameters
(named as in the papers), their standard errors, the log-likelihood, and
whether the optimiser converged (judged by the gradient norm).`,
		Example: `  kith clv fit
  kith clv fit --model pnbd --unit day --as-of 2025-12-31 --format json`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := a.clvOptions(&f)
			if err != nil {
				return err
			}
			be, err := a.open(cmd.Context(), OpenExisting)
			if err != nil {
				return err
			}
			defer be.Close()
			fit, err := report.FitCLV(cmd.Context(), be, o)
			if err != nil {
				return err
			}
			return a.printFit(fit)
		},
	}
	f.add(cmd)
	return cmd
}

func named(names []string, v []float64) map[string]float64 {
	if v == nil {
		return nil
	}
	m := map[string]float64{}
	for i, n := range names {
		m[n] = round(v[i], 6)
	}
	return m
}

func round(v float64, digits int) float64 { return report.Round(v, digits) }

var spendNames = []string{"p", "q", "v"}

func fitJSON(fit *report.CLVFit) map[string]any {
	m := fit.Model
	out := map[string]any{
		"model": m.Model, "unit": m.Unit, "customers": m.Customers, "orders": fit.Loaded,
		"as_of": fit.AsOf.Format("2006-01-02"), "currency": fit.Currency,
		"params": named(m.Model.ParamNames(), m.Params), "std_errors": named(m.Model.ParamNames(), m.StdErrors),
		"log_likelihood": round(m.LogLik, 4), "converged": m.Converged, "iterations": m.Iterations,
		"gradient_norm": m.GradNorm, "warnings": append([]string{}, m.Warnings...),
	}
	if fit.Spend != nil {
		out["spend_params"] = named(spendNames, fit.Spend.Params)
		out["spend_std_errors"] = named(spendNames, fit.Spend.StdErrors)
		out["spend_log_likelihood"] = round(fit.Spend.LogLik, 4)
		out["spend_customers"] = fit.Spend.Customers
		out["warnings"] = append(out["warnings"].([]string), fit.Spend.Warnings...)
	} else {
		out["spend_params"] = nil
		out["warnings"] = append(out["warnings"].([]string), fit.SpendErr.Error())
	}
	return out
}

func (a *app) printFit(fit *report.CLVFit) error {
	m := fit.Model
	t := table{header: []string{a.t("clv.param"), a.t("clv.value"), a.t("clv.stderr")}}
	add := func(names []string, f *report.CLVFit, v, se []float64) {
		for i, n := range names {
			s := ""
			if se != nil {
				s = strconv.FormatFloat(se[i], 'f', 4, 64)
			}
			t.rows = append(t.rows, []string{n, strconv.FormatFloat(v[i], 'f', 4, 64), s})
		}
	}
	add(m.Model.ParamNames(), fit, m.Params, m.StdErrors)
	if fit.Spend != nil {
		add(spendNames, fit, fit.Spend.Params, fit.Spend.StdErrors)
	}
	if a.cfg.Format != "table" {
		return write(a.env.Stdout, a.cfg.Format, t, fitJSON(fit))
	}
	w := a.env.Stdout
	fmt.Fprintln(w, a.t("clv.fit_head", m.Model.Title(), m.Unit, m.Customers, fit.Loaded, fit.AsOf.Format("2006-01-02")))
	printTable(w, t)
	fmt.Fprintln(w, a.t("clv.fit_ll", m.LogLik, m.Converged, m.Iterations, m.GradNorm))
	if fit.Spend != nil {
		fmt.Fprintln(w, a.t("clv.spend_ll", fit.Spend.LogLik, fit.Spend.Customers))
	}
	for _, warn := range m.Warnings {
		fmt.Fprintln(w, a.t("import.warning", warn))
	}
	if fit.Spend != nil {
		for _, warn := range fit.Spend.Warnings {
			fmt.Fprintln(w, a.t("import.warning", warn))
		}
	} else {
		fmt.Fprintln(w, a.t("import.warning", fit.SpendErr))
	}
	return nil
}

func (a *app) clvScoreCmd() *cobra.Command {
	var (
		f        clvFlags
		horizonS string
		discount float64
		margin   float64
		samples  int
		list     int
		seed     uint64
	)
	cmd := &cobra.Command{
		Use:   "score",
		Short: "Score every customer (P(alive), expected purchases, churn risk, CLV) and store the scores",
		Long: `score fits the models, predicts for every customer over the horizon and stores
the scores (shown by kith customer show). CLV is the expected spend per
purchase times the expected purchases of each month of the horizon,
discounted monthly and multiplied by the margin (1 = revenue). The 90%
intervals come from drawing the parameters from their sampling distribution.`,
		Example: `  kith clv score
  kith clv score --horizon 2y --discount 0.008 --margin 0.35 --top 20
  kith clv score --model pnbd --samples 0 --format json`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := a.clvOptions(&f)
			if err != nil {
				return err
			}
			horizon, err := parseHorizon(horizonS)
			if err != nil {
				return usageErr(err)
			}
			if discount < 0 || discount >= 1 || margin <= 0 || margin > 1 {
				return usageErr(kith.Msg("flag.discount", "--discount wants [0, 1) per month and --margin (0, 1]"))
			}
			be, err := a.open(cmd.Context(), OpenExisting)
			if err != nil {
				return err
			}
			defer be.Close()
			so := clv.ScoreOptions{HorizonDays: horizon, MonthlyDiscount: discount, Margin: margin, Samples: samples, Seed: seed}
			res, err := report.ScoreCLV(cmd.Context(), be, o, so, list)
			if err != nil {
				return err
			}
			return a.printScored(res, so)
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&horizonS, "horizon", "365d", "prediction horizon: 365d, 52w, 12m, 1y (at most 10y)")
	cmd.Flags().Float64Var(&discount, "discount", 0.01, "discount rate per month")
	cmd.Flags().Float64Var(&margin, "margin", 1, "gross margin share of revenue (1: CLV in revenue)")
	cmd.Flags().IntVar(&samples, "samples", 100, "parameter draws for the 90% intervals (0: no intervals; costs time on large shops)")
	cmd.Flags().IntVar(&list, "top", 10, "how many top and at-risk customers to list")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the parameter draws")
	return cmd
}

func (a *app) printScored(res *report.Scored, so clv.ScoreOptions) error {
	cur := res.Set.Currency
	mon := func(minor int64) string { return fmtMoney(minor, cur) }
	dec := func(minor int64) string { return money.Money{Minor: minor, Currency: cur}.Decimal() }
	var total, alive, risk float64
	var clvTotal int64
	for _, r := range res.Set.Rows {
		total += r.ExpectedPurchases
		alive += r.PAlive
		clvTotal += r.CLV
		if r.PAlive < 0.5 {
			risk++
		}
	}
	n := float64(max(len(res.Set.Rows), 1))
	rankRows := func(rs []report.Ranked, money func(int64) string) [][]string {
		var rows [][]string
		for _, r := range rs {
			interval := ""
			if r.Score.HasInterval {
				interval = money(r.Score.CLVLo) + " – " + money(r.Score.CLVHi)
			}
			rows = append(rows, []string{r.ExternalID, truncate(r.Name, 16), strconv.FormatFloat(r.Score.PAlive, 'f', 3, 64),
				strconv.FormatFloat(r.Score.ExpectedPurchases, 'f', 2, 64), money(r.Score.CLV), interval,
				strconv.Itoa(r.LastDays)})
		}
		return rows
	}
	header := []string{a.t("customer.id"), a.t("customer.name"), "P(alive)", a.t("clv.expected"), "CLV", a.t("clv.interval"), a.t("clv.days_since")}
	if a.cfg.Format != "table" {
		type item struct {
			ExternalID        string  `json:"external_id"`
			Name              string  `json:"name"`
			PAlive            float64 `json:"p_alive"`
			ExpectedPurchases float64 `json:"expected_purchases"`
			ProbNoPurchase    float64 `json:"prob_no_purchase"`
			CLV               string  `json:"clv"`
			CLVLo             *string `json:"clv_lo"`
			CLVHi             *string `json:"clv_hi"`
			DaysSinceLast     int     `json:"days_since_last"`
		}
		conv := func(rs []report.Ranked) []item {
			out := []item{}
			for _, r := range rs {
				it := item{r.ExternalID, r.Name, round(r.Score.PAlive, 6), round(r.Score.ExpectedPurchases, 6), round(r.Score.ProbNoPurchase, 6), dec(r.Score.CLV), nil, nil, r.LastDays}
				if r.Score.HasInterval {
					lo, hi := dec(r.Score.CLVLo), dec(r.Score.CLVHi)
					it.CLVLo, it.CLVHi = &lo, &hi
				}
				out = append(out, it)
			}
			return out
		}
		v := map[string]any{"fit": fitJSON(res.Fit), "as_of": res.Set.AsOf.Format("2006-01-02"), "horizon_days": so.HorizonDays,
			"discount": so.MonthlyDiscount, "margin": so.Margin, "customers": len(res.Set.Rows), "currency": cur,
			"expected_purchases": round(total, 4), "clv_total": dec(clvTotal), "mean_p_alive": round(alive/n, 6),
			"at_risk_share": round(risk/n, 6), "top": conv(res.Top), "at_risk": conv(res.AtRisk)}
		return write(a.env.Stdout, a.cfg.Format, table{header: header, rows: rankRows(res.Top, dec)}, v)
	}
	w := a.env.Stdout
	fmt.Fprintln(w, a.t("clv.scored", len(res.Set.Rows), clv.ModelName(res.Set.Model).Title(), res.Set.AsOf.Format("2006-01-02"), so.HorizonDays))
	fmt.Fprintln(w, a.t("clv.totals", total, mon(clvTotal), 100*alive/n, 100*risk/n))
	fmt.Fprintln(w)
	fmt.Fprintln(w, a.t("clv.top"))
	printTable(w, table{header: header, rows: rankRows(res.Top, mon)})
	fmt.Fprintln(w)
	fmt.Fprintln(w, a.t("clv.at_risk"))
	if len(res.AtRisk) == 0 {
		fmt.Fprintln(w, "  "+a.t("customer.none"))
	} else {
		printTable(w, table{header: header, rows: rankRows(res.AtRisk, mon)})
	}
	return nil
}

func (a *app) clvValidateCmd() *cobra.Command {
	var (
		f       clvFlags
		holdout int
		weekly  bool
	)
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Fit on a calibration period, predict the holdout, and compare with what happened",
		Long: `validate holds out the last --holdout days before --as-of, fits BG/NBD,
Pareto/NBD and MBG/NBD on the rest, and compares their predictions with the
repeat purchases customers really made in the holdout: by calibration
frequency (0..6, 7+), week by week, and as mean absolute error per customer.
Use it to see whether to trust the model on your shop.`,
		Example: `  kith clv validate --holdout 180
  kith clv validate --holdout 273 --as-of 1998-06-30 --weekly --format json`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := a.clvOptions(&f)
			if err != nil {
				return err
			}
			be, err := a.open(cmd.Context(), OpenExisting)
			if err != nil {
				return err
			}
			defer be.Close()
			v, err := report.ValidateCLV(cmd.Context(), be, o, holdout)
			if err != nil {
				return err
			}
			return a.printValidation(v, weekly)
		},
	}
	f.add(cmd)
	cmd.Flags().IntVar(&holdout, "holdout", 180, "days before --as-of to hold out")
	cmd.Flags().BoolVar(&weekly, "weekly", false, "also list cumulative repeat purchases week by week")
	return cmd
}

func (a *app) printValidation(v *clv.Validation, weekly bool) error {
	f4 := func(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }
	freq := table{header: []string{a.t("clv.freq"), a.t("clv.customers"), a.t("clv.actual")}}
	for _, m := range v.Models {
		freq.header = append(freq.header, m.Fit.Model.Title())
	}
	for _, b := range v.ByFrequency {
		label := strconv.Itoa(b.X)
		if b.X == 7 {
			label = "7+"
		}
		row := []string{label, strconv.Itoa(b.Customers), f4(b.Actual)}
		for _, p := range b.Predicted {
			row = append(row, f4(p))
		}
		freq.rows = append(freq.rows, row)
	}
	models := table{header: []string{a.t("clv.model"), "LL", a.t("clv.predicted_total"), a.t("clv.actual_total"), "MAE", a.t("clv.freq_error"), a.t("clv.converged")}}
	for _, m := range v.Models {
		models.rows = append(models.rows, []string{m.Fit.Model.Title(), strconv.FormatFloat(m.Fit.LogLik, 'f', 2, 64),
			strconv.FormatFloat(m.Predicted, 'f', 1, 64), strconv.FormatFloat(v.ActualPurchases, 'f', 0, 64), f4(m.MAE), f4(m.MeanAbsByFreqErr),
			strconv.FormatBool(m.Fit.Converged)})
	}
	if a.cfg.Format != "table" {
		type mj struct {
			Model          string             `json:"model"`
			Params         map[string]float64 `json:"params"`
			LogLikelihood  float64            `json:"log_likelihood"`
			Predicted      float64            `json:"predicted_purchases"`
			MAE            float64            `json:"mae"`
			FrequencyError float64            `json:"frequency_error"`
			Converged      bool               `json:"converged"`
		}
		var ms []mj
		for _, m := range v.Models {
			ms = append(ms, mj{string(m.Fit.Model), named(m.Fit.Model.ParamNames(), m.Fit.Params), round(m.Fit.LogLik, 4), round(m.Predicted, 4), round(m.MAE, 6), round(m.MeanAbsByFreqErr, 6), m.Fit.Converged})
		}
		type fj struct {
			X         string             `json:"x"`
			Customers int                `json:"customers"`
			Actual    float64            `json:"actual"`
			Predicted map[string]float64 `json:"predicted"`
		}
		var fs []fj
		for _, b := range v.ByFrequency {
			p := map[string]float64{}
			for i, m := range v.Models {
				p[string(m.Fit.Model)] = round(b.Predicted[i], 6)
			}
			fs = append(fs, fj{freq.rows[b.X][0], b.Customers, round(b.Actual, 6), p})
		}
		type wj struct {
			Week                int                `json:"week"`
			Actual              float64            `json:"actual"`
			ActualCumulative    float64            `json:"actual_cumulative"`
			Predicted           map[string]float64 `json:"predicted"`
			PredictedCumulative map[string]float64 `json:"predicted_cumulative"`
		}
		var ws []wj
		for _, w := range v.Weekly {
			p, pc := map[string]float64{}, map[string]float64{}
			for i, m := range v.Models {
				p[string(m.Fit.Model)], pc[string(m.Fit.Model)] = round(w.Predicted[i], 4), round(w.PredictedCumulative[i], 4)
			}
			ws = append(ws, wj{w.Week, w.Actual, w.ActualCumulative, p, pc})
		}
		out := map[string]any{"unit": v.Unit, "holdout_days": v.HoldoutDays, "customers": v.Customers,
			"actual_purchases": v.ActualPurchases, "models": ms, "by_frequency": fs, "weekly": ws, "best": v.Best().Fit.Model}
		return write(a.env.Stdout, a.cfg.Format, freq, out)
	}
	w := a.env.Stdout
	fmt.Fprintln(w, a.t("clv.validate_head", v.Customers, dayString(v.CalibrationEnd), v.HoldoutDays, dayString(v.End)))
	fmt.Fprintln(w)
	fmt.Fprintln(w, a.t("clv.by_freq"))
	printTable(w, freq)
	fmt.Fprintln(w)
	printTable(w, models)
	if weekly {
		fmt.Fprintln(w)
		wt := table{header: []string{a.t("clv.week"), a.t("clv.actual"), a.t("clv.actual_cum")}}
		for _, m := range v.Models {
			wt.header = append(wt.header, m.Fit.Model.Title()+" "+a.t("clv.cum"))
		}
		for _, r := range v.Weekly {
			row := []string{strconv.Itoa(r.Week), strconv.FormatFloat(r.Actual, 'f', 0, 64), strconv.FormatFloat(r.ActualCumulative, 'f', 0, 64)}
			for _, p := range r.PredictedCumulative {
				row = append(row, strconv.FormatFloat(p, 'f', 1, 64))
			}
			wt.rows = append(wt.rows, row)
		}
		printTable(w, wt)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, a.t("clv.best", v.Best().Fit.Model.Title()))
	return nil
}
