package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/kithcrm/kith/internal/account"
	"github.com/kithcrm/kith/internal/analytics/rfm"
	"github.com/kithcrm/kith/internal/customer"
	"github.com/kithcrm/kith/internal/report"
)

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func listItemJSON(it customer.ListItem) map[string]any {
	return map[string]any{"id": it.ID, "external_id": it.ExternalID, "name": it.Name, "phone": it.Phone, "email": it.Email,
		"city": it.City, "channel": it.Channel, "owner_id": it.OwnerID, "owner": it.Owner, "tags": nonNil(it.Tags),
		"orders": it.Orders, "revenue": report.JSONDecimal(it.Revenue, it.Currency), "currency": report.CurrencyOr(it.Currency),
		"last_purchase": report.JSONTime(it.LastPurchase)}
}

// CustomerFilter reads the list filters from the query string (q, tag,
// owner, segment) and applies the user's visibility.
func (a *API) CustomerFilter(r *http.Request) (customer.Filter, error) {
	q := r.URL.Query()
	f := customer.Filter{Query: q.Get("q"), Tag: q.Get("tag"), Visible: visibleTo(user(r))}
	for _, p := range []struct{ name, v string }{{"q", f.Query}, {"tag", f.Tag}} {
		if !customer.ValidText(p.v) {
			return f, invalid(p.name, p.name+" is not valid UTF-8 text")
		}
	}
	if s := q.Get("owner"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id < 0 {
			return f, invalid("owner", "owner must be a staff user id")
		}
		f.OwnerID = id
	}
	var err error
	if f.Limit, f.Offset, _, err = paging(r); err != nil {
		return f, err
	}
	// as_of dates the segment filter.
	rq, err := ParseReportQuery(r, a.cfg.Location, a.cfg.Now())
	if err != nil {
		return f, err
	}
	if seg := q.Get("segment"); seg != "" {
		if !slices.Contains(rfm.Segments, rfm.Segment(seg)) {
			return f, invalid("segment", "unknown segment "+strconv.Quote(seg))
		}
		res, err := a.Reports.RFM(r.Context(), rq.Options, time.Time{}, "")
		if err != nil {
			return f, err
		}
		f.IDs = []int64{}
		for _, s := range res.Scores {
			if string(s.Segment) == seg {
				f.IDs = append(f.IDs, s.ID)
			}
		}
	}
	return f, nil
}

func (a *API) listCustomers(w http.ResponseWriter, r *http.Request) {
	f, err := a.CustomerFilter(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	page, err := a.b.ListCustomers(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items := make([]map[string]any, 0, len(page.Items))
	for _, it := range page.Items {
		items = append(items, listItemJSON(it))
	}
	writeJSON(w, http.StatusOK, map[string]any{"customers": items, "total": page.Total,
		"page": f.Offset/f.Limit + 1, "per_page": f.Limit})
}

// Segment returns a customer's RFM score as of now, if they have bought.
func (a *API) Segment(ctx context.Context, id int64) (*rfm.Score, error) {
	o := report.Options{Location: a.cfg.Location, AsOf: a.cfg.Now().In(a.cfg.Location), Period: "month"}
	res, err := a.Reports.RFM(ctx, o, time.Time{}, "")
	if err != nil {
		return nil, err
	}
	return res.ScoreOf(id), nil
}

// View loads a customer's 360 for u, checking that u may see it.
func (a *API) View(ctx context.Context, u *account.User, id int64, orders int) (*customer.View, *rfm.Score, error) {
	v, err := a.b.CustomerView(ctx, "#"+strconv.FormatInt(id, 10), orders)
	if err != nil {
		return nil, nil, err
	}
	if !u.MaySee(v.OwnerID) {
		return nil, nil, &forbidden{id}
	}
	seg, err := a.Segment(ctx, id)
	return v, seg, err
}

func (a *API) getCustomer(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v, seg, err := a.View(r.Context(), user(r), id, 50)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, report.CustomerJSON(v, seg))
}

// customerInput is the body of a create; every field optional but one of
// name, phone, email.
type customerInput struct {
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
	OwnerID       *int64            `json:"owner_id"`
	Tags          []string          `json:"tags"`
	Attrs         map[string]string `json:"attrs"`
	Notes         string            `json:"notes"`
}

func (a *API) createCustomer(w http.ResponseWriter, r *http.Request) {
	var in customerInput
	if err := decode(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	id, err := a.CreateCustomer(r.Context(), user(r), in.customer())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v, seg, err := a.View(r.Context(), user(r), id, 50)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/customers/"+strconv.FormatInt(id, 10))
	writeJSON(w, http.StatusCreated, report.CustomerJSON(v, seg))
}

func (in *customerInput) customer() *customer.Customer {
	c := &customer.Customer{ExternalID: in.ExternalID, Name: in.Name, Phone: in.Phone, Email: in.Email, Gender: in.Gender,
		Birthday: in.Birthday, BirthdayLunar: in.BirthdayLunar, City: in.City, Region: in.Region, Company: in.Company,
		Channel: in.Channel, Tags: in.Tags, Attrs: in.Attrs, Notes: in.Notes, OwnerID: -1}
	if in.OwnerID != nil {
		c.OwnerID = *in.OwnerID
	}
	return c
}

// CreateCustomer validates and stores a new customer. A rep's new customers
// are theirs; managers may assign anyone (OwnerID -1: unassigned).
func (a *API) CreateCustomer(ctx context.Context, u *account.User, c *customer.Customer) (int64, error) {
	switch {
	case !u.SeesAll():
		c.OwnerID = u.ID
	case c.OwnerID < 0:
		c.OwnerID = 0
	}
	if err := c.Normalize(); err != nil {
		return 0, err
	}
	return a.b.CreateCustomer(ctx, c)
}

func (a *API) updateCustomer(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p := &customer.Patch{}
	if err := decode(r, p); err != nil {
		a.fail(w, r, err)
		return
	}
	u := user(r)
	if err := a.CanSee(r.Context(), u, id); err != nil {
		a.fail(w, r, err)
		return
	}
	if p.OwnerID != nil && !u.SeesAll() && *p.OwnerID != u.ID {
		a.fail(w, r, &forbidden{id})
		return
	}
	if err := p.Normalize(); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.b.UpdateCustomer(r.Context(), id, p); err != nil {
		a.fail(w, r, err)
		return
	}
	a.getCustomer(w, r)
}

type mergeInput struct {
	From []int64 `json:"from"`
}

func (a *API) mergeCustomers(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in mergeInput
	if err := decode(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if len(in.From) == 0 || len(in.From) > 100 {
		a.fail(w, r, invalid("from", "from lists 1 to 100 customer ids to merge into this one"))
		return
	}
	u := user(r)
	for _, c := range append([]int64{id}, in.From...) {
		if err := a.CanSee(r.Context(), u, c); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	if err := a.b.MergeCustomers(r.Context(), id, in.From); err != nil {
		a.fail(w, r, err)
		return
	}
	a.getCustomer(w, r)
}

func (a *API) me(w http.ResponseWriter, r *http.Request) {
	u := user(r)
	writeJSON(w, http.StatusOK, map[string]any{"id": u.ID, "name": u.Name, "email": u.Email, "role": u.Role})
}

func (a *API) listScores(w http.ResponseWriter, r *http.Request) {
	limit, offset, page, err := paging(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	items, total, err := a.b.ListScores(r.Context(), visibleTo(user(r)), limit, offset)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, it := range items {
		s := map[string]any{"customer_id": it.ID, "external_id": it.ExternalID, "name": it.Name,
			"as_of": it.AsOf.Format("2006-01-02"), "model": it.Model, "p_alive": report.Round(it.PAlive, 6),
			"expected_purchases": report.Round(it.ExpectedPurchases, 6), "prob_no_purchase": report.Round(it.ProbNoPurchase, 6),
			"expected_spend": report.JSONDecimal(it.ExpectedSpend, it.Currency), "clv": report.JSONDecimal(it.CLV, it.Currency),
			"clv_lo": nil, "clv_hi": nil, "currency": report.CurrencyOr(it.Currency)}
		if it.HasInterval {
			s["clv_lo"], s["clv_hi"] = report.JSONDecimal(it.CLVLo, it.Currency), report.JSONDecimal(it.CLVHi, it.Currency)
		}
		out = append(out, s)
	}
	writeJSON(w, http.StatusOK, map[string]any{"scores": out, "total": total, "page": page, "per_page": limit})
}
