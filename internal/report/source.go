// Package report loads what the analytics need from storage through its own
// Source interface and calls the pure analytics packages with an explicit
// as-of date. The same code serves the CLI now and the API later.
package report

import (
	"context"
	"time"
)

// Purchases are paid orders in columns, ordered by customer then time: one
// ordered scan of the covering index (customer_id, ordered_at, amount).
type Purchases struct {
	Customer []int64
	At       []int64 // Unix seconds
	Amount   []int64 // minor units
	Currency string  // the currency of the latest order
}

// ScoreRow is one customer's stored score.
type ScoreRow struct {
	CustomerID                int64
	PAlive, ExpectedPurchases float64
	PurchasesLo, PurchasesHi  float64 // 0 when no interval was drawn
	ProbNoPurchase            float64
	ExpectedSpend, CLV        int64 // minor units
	CLVLo, CLVHi              int64
	HasInterval               bool
}

// ScoreSet is a scoring run.
type ScoreSet struct {
	AsOf        time.Time // the as-of date (a calendar date)
	Model       string
	HorizonDays int
	Currency    string
	Rows        []ScoreRow
}

// CustomerName is how a customer is shown in a list.
type CustomerName struct {
	ID         int64
	ExternalID string
	Name       string
}

// Source is what reports need from storage.
type Source interface {
	Purchases(ctx context.Context, until time.Time) (*Purchases, error)
	SaveScores(ctx context.Context, set *ScoreSet) error
	CustomerNames(ctx context.Context, ids []int64) (map[int64]CustomerName, error)
}

// SpendRows are spend records in columns; Day is the calendar date as days
// since 1970-01-01.
type SpendRows struct {
	Day     []int32
	Channel []string
	Kind    []string
	Amount  []int64
}

// SpendSource is what the retention reports need beyond purchases.
type SpendSource interface {
	Purchases(ctx context.Context, until time.Time) (*Purchases, error)
	SpendUntil(ctx context.Context, until time.Time) (*SpendRows, error)
}

// AcquisitionSource adds what the CAC and driver reports need.
type AcquisitionSource interface {
	SpendSource
	CustomerChannels(ctx context.Context) (map[int64]string, error)
	Visitors(ctx context.Context, from, to time.Time) (int64, error)
}

// ScoreItem is a stored score with the customer's name, for score lists.
type ScoreItem struct {
	CustomerName
	ScoreRow
	AsOf     time.Time
	Model    string
	Currency string
}
