package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/kithcrm/kith/internal/account"
	"github.com/kithcrm/kith/internal/analytics/rfm"
	"github.com/kithcrm/kith/internal/customer"
	"github.com/kithcrm/kith/internal/kith"
)

type customersData struct {
	Page     *customer.Page
	Filter   customer.Filter
	Segment  string
	Segments []rfm.Segment
	Users    []account.User
	Prev     string // query strings of the neighbouring pages, "" when none
	Next     string
	From, To int
}

func (u *UI) customers(w http.ResponseWriter, r *http.Request) {
	f, err := u.api.CustomerFilter(r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	page, err := u.api.Backend().ListCustomers(r.Context(), f)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	users, err := u.acct.Users(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p := u.newPage(r, "customers", "web.customers")
	d := &customersData{Page: page, Filter: f, Segment: r.URL.Query().Get("segment"), Segments: rfm.Segments, Users: users,
		From: f.Offset + 1, To: f.Offset + len(page.Items)}
	q := r.URL.Query()
	pageNo := f.Offset/f.Limit + 1
	if pageNo > 1 {
		d.Prev = withPage(q, pageNo-1)
	}
	if f.Offset+len(page.Items) < page.Total {
		d.Next = withPage(q, pageNo+1)
	}
	p.Data = d
	// htmx asks for the result rows only (live search as you type).
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Target") == "results" {
		u.render(w, r, http.StatusOK, "customers#rows", p)
		return
	}
	u.render(w, r, http.StatusOK, "customers", p)
}

func withPage(q url.Values, n int) string {
	c := url.Values{}
	for k, v := range q {
		c[k] = v
	}
	c.Set("page", strconv.Itoa(n))
	return c.Encode()
}

func (u *UI) customer(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		u.fail(w, r, kith.FieldMsg("id", "invalid", kith.Msg("customer.bad_id", "%q is not a customer id", r.PathValue("id"))))
		return
	}
	v, seg, err := u.api.View(r.Context(), account.UserFrom(r.Context()), id, 100)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p := u.newPage(r, "customers", "web.customer")
	p.Title = v.Name
	if p.Title == "" {
		p.Title = v.ExternalID
	}
	p.Data = struct {
		V   *customer.View
		Seg *rfm.Score
	}{v, seg}
	u.render(w, r, http.StatusOK, "customer", p)
}
