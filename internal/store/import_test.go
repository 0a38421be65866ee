package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/importer"
	"github.com/kithcrm/kith/internal/store"
	"github.com/kithcrm/kith/internal/store/storetest"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func importFile(t *testing.T, s *store.Store, k importer.Kind, path string) *importer.Summary {
	t.Helper()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	sum, err := importer.Import(context.Background(), s, k, path, importer.Options{Location: sh, BatchSize: 2})
	if err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
	return sum
}

func TestImportOrdersIdempotent(t *testing.T) {
	const csv = "订单号,客户编号,姓名,下单时间,实付金额,渠道\n" +
		"A1,C1,张三,2024-01-31 10:00,\"¥1,234.50\",抖音\n" +
		"A2,C1,张三,2024/2/1,88,抖音\n" +
		"A3,C2,Li Si,20240203,12.5,微信\n" +
		"A1,C1,张三,2024-01-31 10:00,999,抖音\n" + // same id, other content: rejected
		"A4,C3,王五,not a date,10,微信\n" + // bad date: rejected
		"A5,C3,王五,2024-02-05,-20,微信\n" // refund
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			path := writeFile(t, "orders.csv", csv)
			sum := importFile(t, s, importer.Orders, path)
			want := importer.Summary{Read: 6, Created: 4, Rejected: 2, Customers: 3}
			if sum.Read != want.Read || sum.Created != want.Created || sum.Rejected != want.Rejected || sum.Customers != want.Customers || sum.Updated != 0 {
				t.Fatalf("first import = %+v, want %+v", sum, want)
			}
			rejects, err := os.ReadFile(sum.RejectsPath)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"5,order_id,duplicate order id A1 with different content from line 2", "6,ordered_at,"} {
				if !strings.Contains(string(rejects), want) {
					t.Errorf("rejects file lacks %q:\n%s", want, rejects)
				}
			}
			again := importFile(t, s, importer.Orders, path)
			if again.Created != 0 || again.Updated != 0 || again.Unchanged != 4 || again.Rejected != 2 || again.Customers != 0 {
				t.Fatalf("re-import = %+v, want 4 unchanged, 2 rejected", again)
			}
			v, err := s.CustomerView(context.Background(), "C1", 10)
			if err != nil {
				t.Fatal(err)
			}
			if v.Name != "张三" || v.Totals.Orders != 2 || v.Totals.Revenue != 123450+8800 || v.Channel != "抖音" {
				t.Errorf("C1 = %+v totals %+v", v.Customer, v.Totals)
			}
			if got := v.Totals.FirstPurchase.UTC().Format(time.RFC3339); got != "2024-01-31T02:00:00Z" {
				t.Errorf("first purchase = %s (Asia/Shanghai 10:00 is 02:00 UTC)", got)
			}
			v3, err := s.CustomerView(context.Background(), "C3", 10)
			if err != nil {
				t.Fatal(err)
			}
			if v3.Totals.Orders != 0 || v3.Totals.Refunds != 1 || v3.Totals.Refunded != -2000 {
				t.Errorf("C3 totals = %+v, want one refund of -20.00", v3.Totals)
			}
			// Changing one row updates just that order.
			changed := strings.Replace(csv, "A3,C2,Li Si,20240203,12.5", "A3,C2,Li Si,20240203,13.5", 1)
			if err := os.WriteFile(path, []byte(changed), 0o644); err != nil {
				t.Fatal(err)
			}
			third := importFile(t, s, importer.Orders, path)
			if third.Updated != 1 || third.Unchanged != 3 || third.Created != 0 {
				t.Fatalf("import after change = %+v, want 1 updated, 3 unchanged", third)
			}
		})
	}
}
