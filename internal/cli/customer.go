package cli

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kithcrm/kith/internal/analytics/clv"
	"github.com/kithcrm/kith/internal/analytics/kpi"
	"github.com/kithcrm/kith/internal/analytics/rfm"
	"github.com/kithcrm/kith/internal/customer"
	"github.com/kithcrm/kith/internal/kith"
	"github.com/kithcrm/kith/internal/money"
	"github.com/kithcrm/kith/internal/report"
	"github.com/spf13/cobra"
)

func (a *app) customerCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "customer",
		Short:   "Look at customers",
		Example: `  kith customer show C000001`,
		Args:    args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErr(kith.Msg("cmd.customer", "customer needs a subcommand: show or merge"))
		},
	}
	var orders int
	show := &cobra.Command{
		Use:   "show ID|PHONE|EMAIL|NAME",
		Short: "Show one customer: profile, custom attributes, orders, totals, referrer",
		Long: `Show finds a customer by external id, phone (any format: +86 138-0013-8000
finds 13800138000; a masked 138****8000 when one phone fits), email, or kith's
own id (#123), and failing those by name when one customer has it (several
are listed, to choose by id). It prints the customer 360.`,
		Example: `  kith customer show C000001
  kith customer show 13800138000 --lang zh-CN
  kith customer show 张三
  kith customer show alice@example.com --format json`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			be, err := a.open(cmd.Context(), OpenExisting)
			if err != nil {
				return err
			}
			defer be.Close()
			v, err := be.CustomerView(cmd.Context(), argv[0], orders)
			if err != nil {
				return err
			}
			if a.cfg.Format == "csv" {
				return write(a.env.Stdout, "csv", a.ordersTable(v), nil)
			}
			// The segment as of today, as the API's 360 gives it.
			zone := a.shopZone()
			rfmNow, err := report.RFM(cmd.Context(), be, report.Options{Location: zone, AsOf: a.env.Now().In(zone), Period: kpi.Month}, time.Time{}, "")
			if err != nil {
				return err
			}
			seg := rfmNow.ScoreOf(v.ID)
			if a.cfg.Format == "json" {
				return write(a.env.Stdout, "json", table{}, report.CustomerJSON(v, seg))
			}
			a.printCustomer(v, seg)
			return nil
		},
	}
	show.Flags().IntVar(&orders, "orders", 20, "how many of the newest orders to list")
	cmd.AddCommand(show, a.mergeCmd())
	return cmd
}

func (a *app) mergeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "merge KEEP DUPLICATE...",
		Short: "Fold duplicate customers into one: orders, tags and referrals move, empty fields fill",
		Long: `Merge folds each DUPLICATE into KEEP: their orders, tags and referrals move
to KEEP, KEEP's empty profile fields and missing custom attributes are filled
from them, KEEP is a customer since the earliest of them, and the duplicates
are deleted. Their external ids, phones and emails that KEEP does not take
over stay as KEEP's aliases: an import that names them later finds KEEP
instead of creating the duplicate again, and kith customer show finds KEEP
by them. Customers are named by external id, phone, email or #id (not by
name, so that the wrong one of two namesakes is not merged away).`,
		Example: `  kith customer merge C000001 C000417
  kith customer merge 13800138000 '#1203' old@example.com`,
		Args: args(cobra.MinimumNArgs(2)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			ctx := cmd.Context()
			be, err := a.open(ctx, OpenExisting)
			if err != nil {
				return err
			}
			defer be.Close()
			views := make([]*customer.View, len(argv))
			for i, ref := range argv {
				v, err := be.CustomerView(ctx, ref, 0)
				if err != nil {
					return err
				}
				if !namedByKey(ref, v) {
					return usageErr(kith.Msg("merge.by_key", "%q names customer #%d %s by name or by a key merged away before: name customers to merge by external id, phone, email or #id", ref, v.ID, v.Name))
				}
				for j := range i {
					if views[j].ID == v.ID {
						return usageErr(kith.Msg("merge.twice", "%q and %q are the same customer (#%d)", argv[j], ref, v.ID))
					}
				}
				views[i] = v
			}
			from := make([]int64, 0, len(views)-1)
			for _, v := range views[1:] {
				from = append(from, v.ID)
			}
			if err := be.MergeCustomers(ctx, views[0].ID, from); err != nil {
				return err
			}
			if err := be.RefreshSnapshot(ctx); err != nil {
				return err
			}
			keep, err := be.CustomerView(ctx, "#"+strconv.FormatInt(views[0].ID, 10), 0)
			if err != nil {
				return err
			}
			if a.cfg.Format == "json" {
				return write(a.env.Stdout, "json", table{}, report.CustomerJSON(keep, nil))
			}
			moved := 0
			for _, v := range views[1:] {
				moved += v.Totals.Orders
				fmt.Fprintln(a.env.Stdout, a.t("merge.done", refName(customer.Ref{ID: v.ID, ExternalID: v.ExternalID, Name: v.Name}), refName(customer.Ref{ID: keep.ID, ExternalID: keep.ExternalID, Name: keep.Name})))
			}
			fmt.Fprintln(a.env.Stdout, a.t("merge.totals", moved, keep.Totals.Orders))
			return nil
		},
	}
}

// namedByKey says whether ref names v by one of v's own keys (external id,
// phone, email, #id), not by name or by a merged customer's key.
func namedByKey(ref string, v *customer.View) bool {
	ref = strings.TrimSpace(ref)
	id := strconv.FormatInt(v.ID, 10)
	switch {
	case v.MergedKey != "":
		return false
	case ref == "#"+id, ref == v.ExternalID:
		return true
	case v.Phone != "" && customer.NormalizePhone(ref) == v.Phone:
		return true
	case v.Email != "" && customer.NormalizeEmail(ref) == v.Email:
		return true
	}
	return ref == id
}

func fmtMoney(minor int64, currency string) string {
	return money.Money{Minor: minor, Currency: report.CurrencyOr(currency)}.String()
}

func (a *app) fmtDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(a.shopZone()).Format("2006-01-02")
}

// shopZone shows times as the shop sees them (KITH_TZ, default
// Asia/Shanghai).
func (a *app) shopZone() *time.Location {
	l, err := time.LoadLocation(a.cfg.TimeZone)
	if err != nil {
		return time.UTC
	}
	return l
}

func (a *app) ordersTable(v *customer.View) table {
	t := table{header: []string{a.t("order.id"), a.t("order.date"), a.t("order.amount"), a.t("order.status"), a.t("order.channel"), a.t("order.lines")}}
	zone := a.shopZone()
	for _, o := range v.Orders {
		amount := fmtMoney(o.Amount, o.Currency)
		if a.cfg.Format == "csv" {
			amount = money.Money{Minor: o.Amount, Currency: o.Currency}.Decimal()
		}
		t.rows = append(t.rows, []string{o.ExternalID, o.OrderedAt.In(zone).Format("2006-01-02 15:04"), amount,
			a.t("status." + o.Status), o.Channel, strconv.Itoa(o.Lines)})
	}
	return t
}

func (a *app) printCustomer(v *customer.View, seg *rfm.Score) {
	w := a.env.Stdout
	none := a.t("customer.none")
	kv := table{header: []string{a.t("customer.profile"), ""}}
	add := func(key, val string) {
		if val != "" {
			kv.rows = append(kv.rows, []string{a.t(key), val})
		}
	}
	if v.MergedKey != "" {
		fmt.Fprintln(w, a.t("customer.merged_into", v.MergedKey))
		fmt.Fprintln(w)
	}
	add("customer.id", v.ExternalID)
	add("customer.kith_id", "#"+strconv.FormatInt(v.ID, 10))
	add("customer.name", v.Name)
	add("customer.phone", v.Phone)
	add("customer.email", v.Email)
	if v.Gender != "" {
		add("customer.gender", a.t("gender."+v.Gender))
	}
	if v.Birthday != "" {
		b := strings.TrimPrefix(v.Birthday, "0000-")
		if v.BirthdayLunar {
			b += " " + a.t("customer.lunar")
		}
		add("customer.birthday", b)
	}
	add("customer.city", v.Location())
	add("customer.company", v.Company)
	add("customer.channel", v.Channel)
	add("customer.tags", strings.Join(v.Tags, ", "))
	add("customer.owner", v.Owner)
	if v.Referrer != nil {
		add("customer.referrer", refName(*v.Referrer))
	}
	if len(v.Referred) > 0 {
		var names []string
		for _, r := range v.Referred {
			names = append(names, refName(r))
		}
		add("customer.referred", strings.Join(names, ", "))
	}
	add("customer.aliases", strings.Join(v.Aliases, ", "))
	add("customer.since", a.fmtDate(v.Since()))
	add("customer.notes", v.Notes)
	printTable(w, kv)
	if len(v.Attrs) > 0 {
		fmt.Fprintln(w)
		keys := make([]string, 0, len(v.Attrs))
		for k := range v.Attrs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		at := table{header: []string{a.t("customer.attrs"), ""}}
		for _, k := range keys {
			at.rows = append(at.rows, []string{k, truncate(v.Attrs[k], 80)})
		}
		printTable(w, at)
	}
	fmt.Fprintln(w)
	t := v.Totals
	tt := table{header: []string{a.t("customer.totals"), ""}}
	tt.rows = append(tt.rows,
		[]string{a.t("customer.orders"), strconv.Itoa(t.Orders)},
		[]string{a.t("customer.revenue"), fmtMoney(t.Revenue, t.Currency)},
		[]string{a.t("customer.aov"), fmtMoney(t.AOV(), t.Currency)})
	if t.Refunds > 0 {
		tt.rows = append(tt.rows, []string{a.t("customer.refunds"), a.t("paren", strconv.Itoa(t.Refunds), fmtMoney(t.Refunded, t.Currency))})
	}
	if t.Cancelled > 0 {
		tt.rows = append(tt.rows, []string{a.t("customer.cancelled"), strconv.Itoa(t.Cancelled)})
	}
	first, last := none, none
	if !t.FirstPurchase.IsZero() {
		first = a.fmtDate(t.FirstPurchase)
		days := int(a.env.Now().Sub(t.LastPurchase).Hours() / 24)
		last = a.t("paren", a.fmtDate(t.LastPurchase), a.t("customer.days_since", days))
	}
	tt.rows = append(tt.rows, []string{a.t("customer.first"), first}, []string{a.t("customer.last"), last})
	if seg != nil {
		tt.rows = append(tt.rows, []string{a.t("customer.segment"), a.t("paren", a.t("segment."+string(seg.Segment)), fmt.Sprintf("R%d F%d M%d", seg.R, seg.F, seg.M))})
	}
	printTable(w, tt)
	if sc := v.Score; sc != nil {
		fmt.Fprintln(w)
		st := table{header: []string{a.t("customer.scores"), ""}}
		clvText := fmtMoney(sc.CLV, sc.Currency)
		if sc.CLVLo != nil {
			clvText = a.t("paren", clvText, fmt.Sprintf("90%%: %s – %s", fmtMoney(*sc.CLVLo, sc.Currency), fmtMoney(*sc.CLVHi, sc.Currency)))
		}
		st.rows = append(st.rows,
			[]string{a.t("customer.p_alive"), fmt.Sprintf("%.1f%%", 100*sc.PAlive)},
			[]string{a.t("customer.exp_purch", sc.HorizonDays), fmt.Sprintf("%.2f", sc.ExpectedPurchases)},
			[]string{a.t("customer.churn", sc.HorizonDays), fmt.Sprintf("%.1f%%", 100*sc.ProbNoPurchase)},
			[]string{a.t("customer.exp_spend"), fmtMoney(sc.ExpectedSpend, sc.Currency)},
			[]string{a.t("customer.clv", sc.HorizonDays), clvText},
			[]string{a.t("customer.scored"), a.t("paren", sc.AsOf.Format("2006-01-02"), clv.ModelName(sc.Model).Title())})
		printTable(w, st)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, a.t("customer.recent"))
	if len(v.Orders) == 0 {
		fmt.Fprintln(w, "  "+none)
		return
	}
	printTable(w, a.ordersTable(v))
}

// refName names a referrer or a customer referred: their id and name, or
// kith's id when they have neither.
func refName(r customer.Ref) string {
	if n := strings.TrimSpace(r.ExternalID + " " + r.Name); n != "" {
		return n
	}
	return "#" + strconv.FormatInt(r.ID, 10)
}
