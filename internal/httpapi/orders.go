package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kithcrm/kith/internal/account"
	"github.com/kithcrm/kith/internal/money"
	"github.com/kithcrm/kith/internal/order"
	"github.com/kithcrm/kith/internal/report"
)

func (a *API) listOrders(w http.ResponseWriter, r *http.Request) {
	s := r.URL.Query().Get("customer")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		a.fail(w, r, invalid("customer", "customer must be a customer id"))
		return
	}
	limit, offset, page, err := paging(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.CanSee(r.Context(), user(r), id); err != nil {
		a.fail(w, r, err)
		return
	}
	orders, total, err := a.b.CustomerOrders(r.Context(), id, limit, offset)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]map[string]any, 0, len(orders))
	for _, o := range orders {
		out = append(out, report.OrderJSON(o))
	}
	writeJSON(w, http.StatusOK, map[string]any{"orders": out, "total": total, "page": page, "per_page": limit})
}

type lineInput struct {
	SKU       string  `json:"sku"`
	Name      string  `json:"name"`
	Category  string  `json:"category"`
	Quantity  float64 `json:"quantity"`
	UnitPrice string  `json:"unit_price"`
}

type orderInput struct {
	ExternalID string      `json:"external_id"`
	CustomerID int64       `json:"customer_id"`
	OrderedAt  string      `json:"ordered_at"`
	Amount     string      `json:"amount"`
	Currency   string      `json:"currency"`
	Channel    string      `json:"channel"`
	Status     string      `json:"status"`
	Lines      []lineInput `json:"lines"`
}

// order validates the input: amounts are decimal strings in major units
// (as the API returns them), times RFC 3339 or a date in the shop's zone.
func (in *orderInput) order(loc *time.Location, now time.Time) (*order.Order, error) {
	var fields []error
	o := &order.Order{ExternalID: strings.TrimSpace(in.ExternalID), CustomerID: in.CustomerID,
		Currency: strings.ToUpper(strings.TrimSpace(in.Currency)), Channel: strings.TrimSpace(in.Channel), Status: order.Status(in.Status)}
	if o.Currency == "" {
		o.Currency = money.DefaultCurrency
	}
	if in.CustomerID <= 0 {
		fields = append(fields, invalid("customer_id", "customer_id is required"))
	}
	switch o.Status {
	case "":
		o.Status = order.Paid
	case order.Paid, order.Refunded, order.Cancelled:
	default:
		fields = append(fields, invalid("status", "status must be paid, refunded or cancelled"))
	}
	var err error
	switch {
	case in.OrderedAt == "":
		o.OrderedAt = now
	default:
		if o.OrderedAt, err = time.Parse(time.RFC3339, in.OrderedAt); err != nil {
			if o.OrderedAt, err = time.ParseInLocation("2006-01-02", in.OrderedAt, loc); err != nil {
				fields = append(fields, invalid("ordered_at", "ordered_at must be RFC 3339 (2026-03-01T10:00:00+08:00) or YYYY-MM-DD"))
			}
		}
	}
	for i, l := range in.Lines {
		p, err := money.Parse(l.UnitPrice, o.Currency)
		if err != nil || l.Quantity == 0 || strings.TrimSpace(l.SKU) == "" {
			fields = append(fields, invalid(fmt.Sprintf("lines[%d]", i), "a line needs a sku, a non-zero quantity and a unit_price"))
			continue
		}
		o.Lines = append(o.Lines, order.Line{SKU: strings.TrimSpace(l.SKU), Name: l.Name, Category: l.Category,
			Quantity: l.Quantity, UnitPrice: p.Minor, Amount: int64(float64(p.Minor)*l.Quantity + 0.5)})
	}
	if in.Amount != "" {
		m, err := money.Parse(in.Amount, o.Currency)
		if err != nil {
			fields = append(fields, invalid("amount", "amount "+strconv.Quote(in.Amount)+" is not an amount"))
		}
		o.Amount = m.Minor
	} else if len(o.Lines) > 0 {
		for _, l := range o.Lines {
			o.Amount += l.Amount
		}
	} else {
		fields = append(fields, invalid("amount", "amount is required (or lines to sum)"))
	}
	if len(fields) > 0 {
		return nil, errors.Join(fields...)
	}
	if o.ExternalID == "" {
		// The API's own order ids: unique without a round trip.
		secret, err := account.NewSecret()
		if err != nil {
			return nil, err
		}
		o.ExternalID = "api-" + secret[:16]
	}
	return o, nil
}

func (a *API) createOrder(w http.ResponseWriter, r *http.Request) {
	var in orderInput
	if err := decode(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	o, err := in.order(a.cfg.Location, a.cfg.Now())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.CanSee(r.Context(), user(r), o.CustomerID); err != nil {
		a.fail(w, r, err)
		return
	}
	if o.ID, err = a.b.CreateOrder(r.Context(), o); err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/orders?customer="+strconv.FormatInt(o.CustomerID, 10))
	writeJSON(w, http.StatusCreated, map[string]any{"id": o.ID, "external_id": o.ExternalID, "customer_id": o.CustomerID,
		"ordered_at": report.JSONTime(o.OrderedAt), "amount": report.JSONDecimal(o.Amount, o.Currency), "currency": o.Currency,
		"channel": o.Channel, "status": o.Status, "lines": len(o.Lines)})
}
