package report

import (
	"time"

	"github.com/kithcrm/kith/internal/analytics/rfm"
	"github.com/kithcrm/kith/internal/customer"
	"github.com/kithcrm/kith/internal/money"
)

// CustomerJSON is the JSON shape of a customer 360, the same for `kith
// customer show --format json` and GET /api/v1/customers/{id}: seg is the
// customer's RFM score (nil: no purchase, null in the output).
func CustomerJSON(v *customer.View, seg *rfm.Score) map[string]any {
	referred := []any{}
	for i := range v.Referred {
		referred = append(referred, refJSON(&v.Referred[i]))
	}
	orders := []map[string]any{}
	for _, o := range v.Orders {
		orders = append(orders, OrderJSON(o))
	}
	tags := v.Tags
	if tags == nil {
		tags = []string{}
	}
	attrs := v.Attrs
	if attrs == nil {
		attrs = map[string]string{}
	}
	aliases := v.Aliases
	if aliases == nil {
		aliases = []string{}
	}
	t := v.Totals
	out := map[string]any{"id": v.ID, "external_id": v.ExternalID, "name": v.Name, "phone": v.Phone, "email": v.Email,
		"gender": v.Gender, "birthday": v.Birthday, "birthday_lunar": v.BirthdayLunar, "city": v.City, "region": v.Region,
		"company": v.Company, "channel": v.Channel, "owner_id": v.OwnerID, "owner": v.Owner, "tags": tags,
		"attrs": attrs, "notes": v.Notes, "created_at": JSONTime(v.CreatedAt),
		"referrer": refJSON(v.Referrer), "referred": referred, "aliases": aliases, "orders": orders,
		"totals": map[string]any{"orders": t.Orders, "refunds": t.Refunds, "cancelled": t.Cancelled, "revenue": JSONDecimal(t.Revenue, t.Currency),
			"refunded": JSONDecimal(t.Refunded, t.Currency), "aov": JSONDecimal(t.AOV(), t.Currency), "currency": CurrencyOr(t.Currency),
			"first_purchase": JSONTime(t.FirstPurchase), "last_purchase": JSONTime(t.LastPurchase)},
		"score": nil, "segment": nil}
	if s := v.Score; s != nil {
		sc := map[string]any{"as_of": ymd(s.AsOf), "model": s.Model, "horizon_days": s.HorizonDays,
			"p_alive": Round(s.PAlive, 6), "expected_purchases": Round(s.ExpectedPurchases, 6),
			"prob_no_purchase": Round(s.ProbNoPurchase, 6), "expected_spend": JSONDecimal(s.ExpectedSpend, s.Currency),
			"clv": JSONDecimal(s.CLV, s.Currency), "clv_lo": nil, "clv_hi": nil, "currency": CurrencyOr(s.Currency)}
		if s.CLVLo != nil && s.CLVHi != nil {
			sc["clv_lo"], sc["clv_hi"] = JSONDecimal(*s.CLVLo, s.Currency), JSONDecimal(*s.CLVHi, s.Currency)
		}
		out["score"] = sc
	}
	if seg != nil {
		out["segment"] = map[string]any{"segment": seg.Segment, "r": seg.R, "f": seg.F, "m": seg.M}
	}
	return out
}

// OrderJSON is one order of a customer 360 or of an order list.
func OrderJSON(o customer.OrderSummary) map[string]any {
	return map[string]any{"id": o.ID, "external_id": o.ExternalID, "ordered_at": JSONTime(o.OrderedAt),
		"amount": JSONDecimal(o.Amount, o.Currency), "currency": CurrencyOr(o.Currency), "channel": o.Channel,
		"status": o.Status, "lines": o.Lines}
}

func refJSON(r *customer.Ref) any {
	if r == nil {
		return nil
	}
	return map[string]any{"id": r.ID, "external_id": r.ExternalID, "name": r.Name}
}

// CurrencyOr is c, or the default currency for data imported without one.
func CurrencyOr(c string) string {
	if c == "" {
		return money.DefaultCurrency
	}
	return c
}

// JSONDecimal renders minor units as a decimal string in major units.
func JSONDecimal(minor int64, cur string) string {
	return money.Money{Minor: minor, Currency: CurrencyOr(cur)}.Decimal()
}

// JSONTime renders an instant as RFC 3339 in UTC, null when unknown.
func JSONTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}
