// Package order holds orders, their lines and products.
package order

import (
	"math"
	"time"

	"github.com/kithcrm/kith/internal/customer"
)

// Status of an order. Only paid orders count as purchases (design.md §4).
type Status string

const (
	Paid      Status = "paid"
	Refunded  Status = "refunded"
	Cancelled Status = "cancelled"
)

// Valid reports whether s is one of the three statuses the orders table
// allows.
func (s Status) Valid() bool {
	return s == Paid || s == Refunded || s == Cancelled
}

// Order is one purchase (or refund) of one customer.
type Order struct {
	ID         int64
	ExternalID string
	Customer   customer.Key
	// CustomerName etc. create the customer when the key is unknown (the
	// city and region from the order's address); a known customer keeps
	// its own.
	CustomerName    string
	CustomerChannel string
	CustomerCity    string
	CustomerRegion  string
	CustomerID      int64
	OrderedAt       time.Time
	Amount          int64 // minor units; negative for refunds
	Currency        string
	Channel         string
	Status          Status
	Lines           []Line
}

// Line is one product line of an order.
type Line struct {
	SKU       string
	Name      string
	Category  string
	Quantity  float64
	UnitPrice int64 // minor units
	Amount    int64 // minor units: quantity x unit price unless given
}

// Product is a sellable item; the day counts drive replenishment and
// maintenance reminders.
type Product struct {
	SKU                 string
	Name                string
	Category            string
	ConsumptionDays     int
	ServiceIntervalDays int
	LifespanDays        int
}

// Spend is money spent on a channel on a day (acquisition or retention).
type Spend struct {
	Date     time.Time // a date in the shop's zone, stored as a date
	Channel  string
	Kind     string // marketing | sales (acquisition); care | cashback | gifts | retention (retention)
	Amount   int64
	Currency string
}

// SpendKinds lists the kinds; acquisition kinds feed CAC, the rest retention cost.
var SpendKinds = map[string]bool{"marketing": true, "sales": true, "care": true, "cashback": true, "gifts": true, "retention": true}

// IsAcquisition reports whether a spend kind counts toward CAC.
func IsAcquisition(kind string) bool { return kind == "marketing" || kind == "sales" }

// Traffic is visitors (and conversions) of a channel on a day.
type Traffic struct {
	Date        time.Time
	Channel     string
	Visitors    int64
	Conversions int64
}

// Hash fingerprints an order's content, lines included, so an import can
// tell an unchanged row from a changed one without comparing columns. It is
// on the import's hot path, hence FNV-1a by hand instead of fmt.
func (o *Order) Hash() uint64 {
	h := fnv{offset64}
	h.str(o.ExternalID)
	h.str(o.Customer.ExternalID)
	h.str(o.Customer.Phone)
	h.str(o.Customer.Email)
	h.i64(o.OrderedAt.UnixNano())
	h.i64(o.Amount)
	h.str(o.Currency)
	h.str(o.Channel)
	h.str(string(o.Status))
	h.str(o.CustomerName)
	for _, l := range o.Lines {
		h.str(l.SKU)
		h.str(l.Name)
		h.str(l.Category)
		h.i64(int64(math.Float64bits(l.Quantity)))
		h.i64(l.UnitPrice)
		h.i64(l.Amount)
	}
	return h.h
}

const (
	offset64 = 14695981039346656037
	prime64  = 1099511628211
)

type fnv struct{ h uint64 }

func (f *fnv) str(s string) {
	for i := 0; i < len(s); i++ {
		f.h = (f.h ^ uint64(s[i])) * prime64
	}
	f.h = (f.h ^ 0xff) * prime64 // separator: "ab"+"c" differs from "a"+"bc"
}

func (f *fnv) i64(v int64) {
	for i := 0; i < 8; i++ {
		f.h = (f.h ^ uint64(byte(v>>(8*i)))) * prime64
	}
}

// Hash fingerprints a product's content.
func (p *Product) Hash() uint64 {
	h := fnv{offset64}
	h.str(p.SKU)
	h.str(p.Name)
	h.str(p.Category)
	h.i64(int64(p.ConsumptionDays))
	h.i64(int64(p.ServiceIntervalDays))
	h.i64(int64(p.LifespanDays))
	return h.h
}
