package cli

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kithcrm/kith/internal/customer"
	"github.com/kithcrm/kith/internal/money"
	"github.com/spf13/cobra"
)

func (a *app) customerCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "customer",
		Short:   "Look at customers",
		Example: `  kith customer show C000001`,
		Args:    args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErr(fmt.Errorf("customer needs a subcommand: show"))
		},
	}
	var orders int
	show := &cobra.Command{
		Use:   "show ID|PHONE|EMAIL",
		Short: "Show one customer: profile, custom attributes, orders, totals, referrer",
		Long: `Show finds a customer by external id, phone (any format: +86 138-0013-8000
finds 13800138000), email, or kith's own id (#123), and prints the customer 360.`,
		Example: `  kith customer show C000001
  kith customer show 13800138000 --lang zh-CN
  kith customer show alice@example.com --format json`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			be, err := a.open(cmd.Context(), OpenNormal)
			if err != nil {
				return err
			}
			defer be.Close()
			v, err := be.CustomerView(cmd.Context(), argv[0], orders)
			if err != nil {
				return err
			}
			switch a.cfg.Format {
			case "json":
				return write(a.env.Stdout, "json", table{}, customerJSON(v))
			case "csv":
				return write(a.env.Stdout, "csv", a.ordersTable(v), nil)
			}
			a.printCustomer(v)
			return nil
		},
	}
	show.Flags().IntVar(&orders, "orders", 20, "how many of the newest orders to list")
	cmd.AddCommand(show)
	return cmd
}

func fmtMoney(minor int64, currency string) string {
	if currency == "" {
		currency = money.DefaultCurrency
	}
	return money.Money{Minor: minor, Currency: currency}.String()
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

func (a *app) printCustomer(v *customer.View) {
	w := a.env.Stdout
	none := a.t("customer.none")
	kv := table{header: []string{a.t("customer.profile"), ""}}
	add := func(key, val string) {
		if val != "" {
			kv.rows = append(kv.rows, []string{a.t(key), val})
		}
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
	add("customer.city", strings.TrimSpace(v.Region+" "+v.City))
	add("customer.company", v.Company)
	add("customer.channel", v.Channel)
	add("customer.tags", strings.Join(v.Tags, ", "))
	add("customer.owner", v.Owner)
	if v.Referrer != nil {
		add("customer.referrer", fmt.Sprintf("%s %s", v.Referrer.ExternalID, v.Referrer.Name))
	}
	if len(v.Referred) > 0 {
		var names []string
		for _, r := range v.Referred {
			names = append(names, strings.TrimSpace(r.ExternalID+" "+r.Name))
		}
		add("customer.referred", strings.Join(names, ", "))
	}
	add("customer.since", a.fmtDate(v.CreatedAt))
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
		tt.rows = append(tt.rows, []string{a.t("customer.refunds"), fmt.Sprintf("%d (%s)", t.Refunds, fmtMoney(t.Refunded, t.Currency))})
	}
	first, last := none, none
	if !t.FirstPurchase.IsZero() {
		first = a.fmtDate(t.FirstPurchase)
		days := int(a.env.Now().Sub(t.LastPurchase).Hours() / 24)
		last = a.fmtDate(t.LastPurchase) + "  (" + a.t("customer.days_since", days) + ")"
	}
	tt.rows = append(tt.rows, []string{a.t("customer.first"), first}, []string{a.t("customer.last"), last})
	printTable(w, tt)
	if sc := v.Score; sc != nil {
		fmt.Fprintln(w)
		st := table{header: []string{a.t("customer.scores"), ""}}
		clvText := fmtMoney(sc.CLV, sc.Currency)
		if sc.CLVLo != nil {
			clvText += fmt.Sprintf("  (90%%: %s – %s)", fmtMoney(*sc.CLVLo, sc.Currency), fmtMoney(*sc.CLVHi, sc.Currency))
		}
		st.rows = append(st.rows,
			[]string{a.t("customer.p_alive"), fmt.Sprintf("%.1f%%", 100*sc.PAlive)},
			[]string{a.t("customer.exp_purch", sc.HorizonDays), fmt.Sprintf("%.2f", sc.ExpectedPurchases)},
			[]string{a.t("customer.churn", sc.HorizonDays), fmt.Sprintf("%.1f%%", 100*sc.ProbNoPurchase)},
			[]string{a.t("customer.exp_spend"), fmtMoney(sc.ExpectedSpend, sc.Currency)},
			[]string{a.t("customer.clv", sc.HorizonDays), clvText},
			[]string{a.t("customer.scored"), sc.AsOf.Format("2006-01-02") + " (" + sc.Model + ")"})
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

// customerJSON is the stable JSON shape of a customer 360.
func customerJSON(v *customer.View) any {
	type ref struct {
		ID         int64  `json:"id"`
		ExternalID string `json:"external_id"`
		Name       string `json:"name"`
	}
	type ord struct {
		ExternalID string    `json:"external_id"`
		OrderedAt  time.Time `json:"ordered_at"`
		Amount     string    `json:"amount"`
		Currency   string    `json:"currency"`
		Channel    string    `json:"channel"`
		Status     string    `json:"status"`
		Lines      int       `json:"lines"`
	}
	out := struct {
		ID            int64             `json:"id"`
		ExternalID    string            `json:"external_id"`
		Name          string            `json:"name"`
		Phone         string            `json:"phone"`
		Email         string            `json:"email"`
		Gender        string            `json:"gender"`
		Birthday      string            `json:"birthday"`
		BirthdayLunar bool              `json:"birthday_lunar"`
		City          string            `json:"city"`
		Region        string            `json:"region"`
		Company       string            `json:"company"`
		Channel       string            `json:"channel"`
		Tags          []string          `json:"tags"`
		Owner         string            `json:"owner"`
		Attrs         map[string]string `json:"attributes"`
		Notes         string            `json:"notes"`
		CreatedAt     time.Time         `json:"created_at"`
		Referrer      *ref              `json:"referrer"`
		Referred      []ref             `json:"referred"`
		Orders        []ord             `json:"orders"`
		Score         any               `json:"score"`
		Totals        struct {
			Orders        int        `json:"orders"`
			Refunds       int        `json:"refunds"`
			Revenue       string     `json:"revenue"`
			Refunded      string     `json:"refunded"`
			AOV           string     `json:"aov"`
			Currency      string     `json:"currency"`
			FirstPurchase *time.Time `json:"first_purchase"`
			LastPurchase  *time.Time `json:"last_purchase"`
		} `json:"totals"`
	}{ID: v.ID, ExternalID: v.ExternalID, Name: v.Name, Phone: v.Phone, Email: v.Email, Gender: v.Gender,
		Birthday: v.Birthday, BirthdayLunar: v.BirthdayLunar, City: v.City, Region: v.Region, Company: v.Company,
		Channel: v.Channel, Tags: v.Tags, Owner: v.Owner, Attrs: v.Attrs, Notes: v.Notes, CreatedAt: v.CreatedAt,
		Referred: []ref{}, Orders: []ord{}}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if v.Referrer != nil {
		out.Referrer = &ref{v.Referrer.ID, v.Referrer.ExternalID, v.Referrer.Name}
	}
	for _, r := range v.Referred {
		out.Referred = append(out.Referred, ref{r.ID, r.ExternalID, r.Name})
	}
	cur := v.Totals.Currency
	if cur == "" {
		cur = money.DefaultCurrency
	}
	for _, o := range v.Orders {
		out.Orders = append(out.Orders, ord{o.ExternalID, o.OrderedAt, money.Money{Minor: o.Amount, Currency: o.Currency}.Decimal(),
			o.Currency, o.Channel, o.Status, o.Lines})
	}
	t := v.Totals
	out.Totals.Orders, out.Totals.Refunds, out.Totals.Currency = t.Orders, t.Refunds, cur
	out.Totals.Revenue = money.Money{Minor: t.Revenue, Currency: cur}.Decimal()
	out.Totals.Refunded = money.Money{Minor: t.Refunded, Currency: cur}.Decimal()
	out.Totals.AOV = money.Money{Minor: t.AOV(), Currency: cur}.Decimal()
	if !t.FirstPurchase.IsZero() {
		out.Totals.FirstPurchase, out.Totals.LastPurchase = &t.FirstPurchase, &t.LastPurchase
	}
	if sc := v.Score; sc != nil {
		dec := func(m int64) string { return money.Money{Minor: m, Currency: sc.Currency}.Decimal() }
		js := map[string]any{"as_of": sc.AsOf.Format("2006-01-02"), "model": sc.Model, "horizon_days": sc.HorizonDays,
			"p_alive": sc.PAlive, "expected_purchases": sc.ExpectedPurchases, "prob_no_purchase": sc.ProbNoPurchase,
			"expected_spend": dec(sc.ExpectedSpend), "clv": dec(sc.CLV), "currency": sc.Currency, "clv_lo": nil, "clv_hi": nil}
		if sc.CLVLo != nil {
			js["clv_lo"], js["clv_hi"] = dec(*sc.CLVLo), dec(*sc.CLVHi)
		}
		out.Score = js
	}
	return out
}
