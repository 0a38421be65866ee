package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/importer"
	"github.com/kithcrm/kith/internal/report"
	"github.com/kithcrm/kith/internal/store"
	"github.com/kithcrm/kith/internal/store/storetest"
)

func TestPurchasesAndScores(t *testing.T) {
	const csv = "订单号,客户编号,下单时间,金额,状态\n" +
		"A1,C2,2024-01-02 10:00,20,\nA2,C1,2024-01-01 09:00,10,\nA3,C1,2024-01-05 09:00,15,\n" +
		"A4,C1,2024-01-06 09:00,99,已退款\nA5,C1,2024-03-01 09:00,7,\n"
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			importFile(t, s, importer.Orders, writeFile(t, "o.csv", csv))
			ctx := context.Background()
			until := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
			p, err := s.Purchases(ctx, until)
			if err != nil {
				t.Fatal(err)
			}
			// Paid orders up to February, by customer id then time: C1's two
			// January orders (its refund and March left out) and C2's one.
			byCustomer := map[int64][]int64{}
			for i := range p.At {
				if i > 0 && (p.Customer[i] < p.Customer[i-1] || (p.Customer[i] == p.Customer[i-1] && p.At[i] < p.At[i-1])) {
					t.Fatalf("purchases not ordered by customer then time: %+v", p)
				}
				byCustomer[p.Customer[i]] = append(byCustomer[p.Customer[i]], p.Amount[i])
			}
			names, err := s.CustomerNames(ctx, []int64{p.Customer[0], p.Customer[2]})
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]int64{}
			for id, n := range names {
				ids[n.ExternalID] = id
			}
			c1, c2 := byCustomer[ids["C1"]], byCustomer[ids["C2"]]
			if len(p.At) != 3 || len(c1) != 2 || c1[0] != 1000 || c1[1] != 1500 || len(c2) != 1 || c2[0] != 2000 || p.Currency != "CNY" {
				t.Fatalf("purchases = %+v (C1 %v, C2 %v)", p, c1, c2)
			}
			for i := range p.At {
				if p.Customer[i] == ids["C1"] {
					if got := time.Unix(p.At[i], 0).UTC(); !got.Equal(time.Date(2024, 1, 1, 1, 0, 0, 0, time.UTC)) {
						t.Errorf("C1's first purchase at %v, want 2024-01-01 01:00 UTC", got)
					}
					break
				}
			}
			asOf := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
			set := &report.ScoreSet{AsOf: asOf, Model: "bgnbd", HorizonDays: 365, Currency: "CNY", Rows: []report.ScoreRow{
				{CustomerID: ids["C1"], PAlive: 0.8, ExpectedPurchases: 2.5, ProbNoPurchase: 0.1, ExpectedSpend: 1200, CLV: 3000, CLVLo: 2000, CLVHi: 4000, HasInterval: true},
				{CustomerID: ids["C2"], PAlive: 1, ExpectedPurchases: 0.4, ProbNoPurchase: 0.7, ExpectedSpend: 900, CLV: 360},
			}}
			for i := 0; i < 2; i++ { // saving twice replaces, it does not duplicate
				if err := s.SaveScores(ctx, set); err != nil {
					t.Fatal(err)
				}
			}
			v, err := s.CustomerView(ctx, "C1", 5)
			if err != nil {
				t.Fatal(err)
			}
			sc := v.Score
			if sc == nil || sc.PAlive != 0.8 || sc.CLV != 3000 || sc.CLVLo == nil || *sc.CLVHi != 4000 || sc.AsOf.Format("2006-01-02") != "2024-02-01" {
				t.Fatalf("C1 score = %+v", sc)
			}
			v2, _ := s.CustomerView(ctx, "C2", 5)
			if v2.Score == nil || v2.Score.CLVLo != nil {
				t.Errorf("C2 score = %+v, want no interval", v2.Score)
			}
			if len(names) != 2 || names[ids["C1"]].ExternalID != "C1" {
				t.Errorf("names = %v", names)
			}
		})
	}
}

func TestSpendUntil(t *testing.T) {
	const csv = "月份,渠道,类型,金额\n2024-01,抖音,营销,100\n2024-02-15,微信,返现,20.5\n2024-03,抖音,销售,7\n"
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			importFile(t, s, importer.Spend, writeFile(t, "spend.csv", csv))
			sp, err := s.SpendUntil(context.Background(), time.Date(2024, 2, 15, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			jan := int32(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix() / 86400)
			if len(sp.Day) != 2 || sp.Day[0] != jan || sp.Kind[1] != "cashback" || sp.Amount[1] != 2050 || sp.Channel[0] != "抖音" {
				t.Errorf("spend = %+v", sp)
			}
		})
	}
}

// TestSnapshotFollowsChanges: purchases read after an import that changed
// orders see the change (the snapshot is rebuilt), and a re-import that
// changes nothing keeps it.
func TestSnapshotFollowsChanges(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			ctx := context.Background()
			far := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
			path := writeFile(t, "o.csv", "订单号,客户编号,下单时间,金额\nA1,C1,2024-01-01,10\nA2,C2,2024-01-02,20\n")
			importFile(t, s, importer.Orders, path)
			p1, err := s.Purchases(ctx, far)
			if err != nil || len(p1.At) != 2 {
				t.Fatalf("first read %+v %v", p1, err)
			}
			// A refund and a new order.
			os.WriteFile(path, []byte("订单号,客户编号,下单时间,金额,状态\nA1,C1,2024-01-01,10,已退款\nA2,C2,2024-01-02,20,\nA3,C2,2024-01-03,5,\n"), 0o644)
			importFile(t, s, importer.Orders, path)
			p2, err := s.Purchases(ctx, far)
			if err != nil || len(p2.At) != 2 || p2.Amount[0]+p2.Amount[1] != 2500 {
				t.Fatalf("after changes: %+v %v (want A2 and A3 only)", p2, err)
			}
			p3, _ := s.Purchases(ctx, time.Date(2024, 1, 2, 12, 0, 0, 0, time.UTC))
			if len(p3.At) != 1 {
				t.Errorf("cut at until: %+v", p3)
			}
			// A customers import that changes a channel is seen too.
			importFile(t, s, importer.Customers, writeFile(t, "c.csv", "客户编号,渠道\nC1,抖音\nC2,微信\n"))
			ch, err := s.CustomerChannels(ctx)
			if err != nil || len(ch) != 2 {
				t.Fatalf("channels %v %v", ch, err)
			}
			importFile(t, s, importer.Customers, writeFile(t, "c.csv", "客户编号,渠道\nC1,小红书\nC2,微信\n"))
			ch, _ = s.CustomerChannels(ctx)
			found := false
			for _, c := range ch {
				found = found || c == "小红书"
			}
			if !found {
				t.Errorf("channel change not seen: %v", ch)
			}
		})
	}
}

// TestPurchasesAcrossRanges: a shop of tens of thousands of customers is
// read in several customer-id ranges at once (sqlitePurchases); the paid
// orders come back whole, in customer then time order, wherever the ranges
// cut. The first customers have the longest histories, as in a real shop,
// so the ranges hold unequal numbers of orders.
func TestPurchasesAcrossRanges(t *testing.T) {
	const customers = 45000 // past 4 ranges of 10,000 ids
	s := storetest.Open(t, "sqlite")
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 7))
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	type purchase struct{ customer, at, amount int64 }
	var want []purchase
	var rows []any // [customer, time, amount, status] for json_each
	for c := int64(1); c <= customers; c++ {
		at := start.Add(time.Duration(rng.IntN(1000)) * time.Hour)
		for k := rng.IntN(int(4 - 3*c/customers)); k >= 0; k-- {
			status, amount := "paid", 100+rng.Int64N(10000)
			if rng.IntN(5) == 0 {
				status = []string{"refunded", "cancelled"}[rng.IntN(2)]
			} else {
				want = append(want, purchase{c, at.Unix(), amount})
			}
			rows = append(rows, []any{c, at.Format("2006-01-02T15:04:05Z"), amount, status})
			at = at.Add(time.Duration(1+rng.IntN(2000)) * time.Hour)
		}
	}
	data, err := json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ` + fmt.Sprint(customers) + `)
INSERT INTO customers (id, external_id, created_at, updated_at) SELECT i, 'C' || i, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z' FROM n`,
		`INSERT INTO orders (external_id, customer_id, ordered_at, amount, currency, status)
SELECT 'A' || key, value ->> 0, value ->> 1, value ->> 2, 'CNY', value ->> 3 FROM json_each(?)`,
	} {
		if _, err := store.WriteDB(s).ExecContext(ctx, q, data); err != nil {
			t.Fatal(err)
		}
	}
	p, err := s.Purchases(ctx, start.AddDate(100, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	got := make([]purchase, len(p.At))
	for i := range p.At {
		got[i] = purchase{p.Customer[i], p.At[i], p.Amount[i]}
	}
	if i := firstDiff(got, want); i < max(len(got), len(want)) {
		t.Fatalf("%d purchases back, want %d; they differ from the %dth on", len(got), len(want), i+1)
	}
}

// firstDiff is the index of the first element two slices do not share.
func firstDiff[T comparable](a, b []T) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
