package store_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/customer"
	"github.com/kithcrm/kith/internal/kith"
	"github.com/kithcrm/kith/internal/order"
	"github.com/kithcrm/kith/internal/store"
	"github.com/kithcrm/kith/internal/store/storetest"
)

func ptr[T any](v T) *T { return &v }

// createCustomer normalises and stores c, as the API's create does.
func createCustomer(t *testing.T, st *store.Store, c customer.Customer) int64 {
	t.Helper()
	if err := c.Normalize(); err != nil {
		t.Fatal(err)
	}
	id, err := st.CreateCustomer(context.Background(), &c)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestCustomerEdits(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, engine)
			rep, err := st.UpsertStaff(ctx, "Rep One", "rep1@shop.cn", "rep", "", 0)
			if err != nil {
				t.Fatal(err)
			}
			other, _ := st.UpsertStaff(ctx, "Rep Two", "rep2@shop.cn", "rep", "", 0)
			mk := func(c customer.Customer) int64 { return createCustomer(t, st, c) }
			v0, _ := st.DataVersion(ctx)
			a := mk(customer.Customer{ExternalID: "A1", Name: "王小明", Phone: "+86 138-0013-8000", Tags: []string{"vip"}, OwnerID: rep})
			b := mk(customer.Customer{Name: "Wang 100%_off", Email: "W@X.cn", OwnerID: other})
			c := mk(customer.Customer{Name: "Zhao", Phone: "13900000000", Channel: "wechat"})
			if v1, _ := st.DataVersion(ctx); v1 <= v0 {
				t.Fatalf("data version did not move on create: %d -> %d", v0, v1)
			}
			// A duplicate phone is refused with the existing id.
			dup := customer.Customer{Name: "again", Phone: "13800138000"}
			_, err = st.CreateCustomer(ctx, &dup)
			var de *store.DuplicateError
			if !errors.As(err, &de) || de.ID != a || !errors.Is(err, kith.ErrConflict) {
				t.Fatalf("duplicate: %v", err)
			}

			list := func(f customer.Filter) []int64 {
				t.Helper()
				p, err := st.ListCustomers(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				var ids []int64
				for _, it := range p.Items {
					ids = append(ids, it.ID)
				}
				if p.Total < len(ids) {
					t.Fatalf("total %d < %d items", p.Total, len(ids))
				}
				return ids
			}
			for _, tc := range []struct {
				name string
				f    customer.Filter
				want []int64
			}{
				{"all", customer.Filter{}, []int64{a, b, c}},
				{"name", customer.Filter{Query: "小明"}, []int64{a}},
				{"case-insensitive", customer.Filter{Query: "wang"}, []int64{b}},
				{"phone typed with country code", customer.Filter{Query: "+86 13800"}, []int64{a}},
				{"email", customer.Filter{Query: "w@x"}, []int64{b}},
				{"percent is literal", customer.Filter{Query: "100%_"}, []int64{b}},
				{"bare percent is literal", customer.Filter{Query: "%"}, []int64{b}},
				{"underscore is literal", customer.Filter{Query: "0_o"}, nil},
				{"phone masked as platforms export it", customer.Filter{Query: "138****8000"}, []int64{a}},
				{"masked phone, other digits", customer.Filter{Query: "139****8000"}, nil},
				{"masked phone, a mask per digit", customer.Filter{Query: "138***8000"}, nil},
				{"sql metacharacters", customer.Filter{Query: "' OR 1=1 --"}, nil},
				{"tag", customer.Filter{Tag: "vip"}, []int64{a}},
				{"tag injection", customer.Filter{Tag: "vip' OR '1'='1"}, nil},
				{"owner", customer.Filter{OwnerID: other}, []int64{b}},
				{"rep sees own and unassigned", customer.Filter{Visible: rep}, []int64{a, c}},
				{"ids", customer.Filter{IDs: []int64{c, a}}, []int64{a, c}},
				{"empty ids", customer.Filter{IDs: []int64{}}, nil},
				{"paging", customer.Filter{Limit: 1, Offset: 1}, []int64{b}},
			} {
				if got := list(tc.f); !equalIDs(got, tc.want) {
					t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
				}
			}

			// Orders.
			at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
			o := order.Order{ExternalID: "W-1", CustomerID: c, OrderedAt: at, Amount: 12_000, Currency: "CNY", Status: order.Paid,
				Lines: []order.Line{{SKU: "TEA", Quantity: 2, UnitPrice: 6000, Amount: 12_000}}}
			if _, err := st.CreateOrder(ctx, &o); err != nil {
				t.Fatal(err)
			}
			if _, err := st.CreateOrder(ctx, &o); !errors.Is(err, kith.ErrConflict) {
				t.Fatalf("second order with one id: %v", err)
			}
			o2 := o
			o2.ExternalID, o2.CustomerID, o2.Amount = "W-2", b, 5000
			if _, err := st.CreateOrder(ctx, &o2); err != nil {
				t.Fatal(err)
			}
			bad := o
			bad.ExternalID, bad.CustomerID = "W-3", 99999
			if _, err := st.CreateOrder(ctx, &bad); !errors.Is(err, kith.ErrInvalid) {
				t.Fatalf("order of unknown customer: %v", err)
			}
			p, _ := st.ListCustomers(ctx, customer.Filter{IDs: []int64{c}})
			if it := p.Items[0]; it.Orders != 1 || it.Revenue != 12_000 || !it.LastPurchase.Equal(at) {
				t.Fatalf("list totals %+v", it)
			}

			// Patch.
			if err := st.UpdateCustomer(ctx, b, &customer.Patch{City: ptr("杭州"), Tags: &[]string{"b2b", "vip"},
				OwnerID: ptr(int64(0)), Attrs: map[string]string{"size": "L"}}); err != nil {
				t.Fatal(err)
			}
			if got := list(customer.Filter{Tag: "vip"}); !equalIDs(got, []int64{a, b}) {
				t.Fatalf("after tag patch: %v", got)
			}
			if got := list(customer.Filter{Visible: rep}); !equalIDs(got, []int64{a, b, c}) {
				t.Fatalf("after unassigning b: %v", got)
			}
			if err := st.UpdateCustomer(ctx, b, &customer.Patch{Phone: ptr("13800138000")}); !errors.Is(err, kith.ErrConflict) {
				t.Fatalf("taking another customer's phone: %v", err)
			}
			if err := st.UpdateCustomer(ctx, 99999, &customer.Patch{City: ptr("x")}); !errors.Is(err, kith.ErrNotFound) {
				t.Fatalf("patching an unknown customer: %v", err)
			}

			// Merge b and c into a: orders and tags move, empty fields fill.
			if err := st.MergeCustomers(ctx, a, []int64{b, c}); err != nil {
				t.Fatal(err)
			}
			if got := list(customer.Filter{}); !equalIDs(got, []int64{a}) {
				t.Fatalf("after merge: %v", got)
			}
			v, err := st.CustomerView(ctx, "#"+itoa(a), 10)
			if err != nil {
				t.Fatal(err)
			}
			if v.Totals.Orders != 2 || v.Email != "w@x.cn" || v.City != "杭州" || v.Channel != "wechat" || v.Name != "王小明" {
				t.Fatalf("merged customer %+v totals %+v", v.Customer, v.Totals)
			}
			if !equalStrings(v.Tags, []string{"b2b", "vip"}) {
				t.Fatalf("merged tags %v", v.Tags)
			}
			if err := st.MergeCustomers(ctx, a, []int64{a}); !errors.Is(err, kith.ErrInvalid) {
				t.Fatalf("merge into itself: %v", err)
			}
			orders, total, err := st.CustomerOrders(ctx, a, 1, 0)
			if err != nil || total != 2 || len(orders) != 1 || orders[0].ExternalID != "W-2" && orders[0].ExternalID != "W-1" {
				t.Fatalf("orders page: %v %d %+v", err, total, orders)
			}
		})
	}
}

func equalIDs(a, b []int64) bool { return slices.Equal(a, b) }

func equalStrings(a, b []string) bool { return slices.Equal(a, b) }

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// A customer not found says which keys were tried: "#12" is only ever a kith
// id, and a ref that is not a number cannot be one.
func TestCustomerViewNotFound(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			st := storetest.Open(t, engine)
			for _, c := range []struct{ ref, tried string }{
				{"#999", "(tried kith id)"},
				{"999", "(tried external id, phone, email, name and kith id)"},
				{"C999", "(tried external id, phone, email and name)"},
				{"nobody@example.com", "(tried external id, phone, email and name)"},
			} {
				_, err := st.CustomerView(context.Background(), c.ref, 10)
				if !errors.Is(err, kith.ErrNotFound) || !strings.HasSuffix(err.Error(), c.tried) {
					t.Errorf("%s: %v, want not found %s", c.ref, err, c.tried)
				}
			}
		})
	}
}

// A phone copied masked from a platform's order page finds its customer
// when only one phone fits, and lists who fits when several do.
func TestCustomerViewByMaskedPhone(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, engine)
			for _, c := range []customer.Customer{{ExternalID: "A", Name: "甲", Phone: "13800138000"},
				{ExternalID: "B", Name: "乙", Phone: "13811118000"}, {ExternalID: "C", Name: "丙", Phone: "13900139000"}} {
				if err := c.Normalize(); err != nil {
					t.Fatal(err)
				}
				if _, err := st.CreateCustomer(ctx, &c); err != nil {
					t.Fatal(err)
				}
			}
			if v, err := st.CustomerView(ctx, "139****9000", 5); err != nil || v.ExternalID != "C" {
				t.Errorf("one fits: %+v %v", v, err)
			}
			if _, err := st.CustomerView(ctx, "138****8000", 5); !errors.Is(err, kith.ErrConflict) ||
				!strings.Contains(err.Error(), "A 甲") || !strings.Contains(err.Error(), "B 乙") {
				t.Errorf("two fit: %v", err)
			}
			if _, err := st.CustomerView(ctx, "137****0000", 5); !errors.Is(err, kith.ErrNotFound) {
				t.Errorf("none fits: %v", err)
			}
		})
	}
}

// A name finds its customer when no key matches and one customer has it;
// several are listed to choose from by id.
func TestCustomerViewByName(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, engine)
			for _, c := range []customer.Customer{{ExternalID: "A", Name: "张三"}, {ExternalID: "B", Name: "李四"},
				{ExternalID: "C", Name: "李四"}, {ExternalID: "D", Name: "Hannah Li"}, {ExternalID: "张三丰", Name: "E"}} {
				if err := c.Normalize(); err != nil {
					t.Fatal(err)
				}
				if _, err := st.CreateCustomer(ctx, &c); err != nil {
					t.Fatal(err)
				}
			}
			for _, c := range []struct{ ref, want string }{
				{"张三", "A"}, {" 张三 ", "A"}, {"hannah li", "D"},
				{"张三丰", "张三丰"}, // an external id wins over a name
			} {
				if v, err := st.CustomerView(ctx, c.ref, 5); err != nil || v.ExternalID != c.want {
					t.Errorf("%q: %+v %v, want %s", c.ref, v, err, c.want)
				}
			}
			if _, err := st.CustomerView(ctx, "李四", 5); !errors.Is(err, kith.ErrConflict) ||
				!strings.Contains(err.Error(), "B 李四, #3 C 李四") {
				t.Errorf("two called 李四: %v", err)
			}
			if _, err := st.CustomerView(ctx, "王五", 5); !errors.Is(err, kith.ErrNotFound) {
				t.Errorf("nobody called 王五: %v", err)
			}
		})
	}
}

// A lunar birthday is checked as one (a lunar month has up to 30 days), a
// patch is checked against the flag the customer will have, and a merge
// that fills a birthday brings its calendar along.
func TestBirthdayCalendars(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, engine)
			mk := func(c customer.Customer) (int64, error) {
				if err := c.Normalize(); err != nil {
					return 0, err
				}
				return st.CreateCustomer(ctx, &c)
			}
			birthday := func(id int64) (string, bool) {
				t.Helper()
				v, err := st.CustomerView(ctx, "#"+itoa(id), 1)
				if err != nil {
					t.Fatal(err)
				}
				return v.Birthday, v.BirthdayLunar
			}
			a, err := mk(customer.Customer{Name: "甲", Birthday: "0000-02-30", BirthdayLunar: true})
			if err != nil {
				t.Fatalf("lunar 02-30: %v", err)
			}
			if _, err := mk(customer.Customer{Name: "乙", Birthday: "0000-02-30"}); !isFieldError(err, "birthday") {
				t.Fatalf("solar 02-30 created: %v", err)
			}
			for _, tc := range []struct {
				name      string
				p         customer.Patch
				ok        bool
				want      string
				wantLunar bool
			}{
				{"the flag alone, to a calendar without the day", customer.Patch{BirthdayLunar: ptr(false)}, false, "0000-02-30", true},
				{"a 31st under the stored lunar flag", customer.Patch{Birthday: ptr("1990-04-31")}, false, "0000-02-30", true},
				{"a lunar 29th of February", customer.Patch{Birthday: ptr("1990-02-29")}, true, "1990-02-29", true},
				{"both, to a leap day", customer.Patch{Birthday: ptr("1992-02-29"), BirthdayLunar: ptr(false)}, true, "1992-02-29", false},
				{"a 31st, solar now", customer.Patch{Birthday: ptr("1992-01-31")}, true, "1992-01-31", false},
				{"back to lunar with the date", customer.Patch{Birthday: ptr("0000-08-15"), BirthdayLunar: ptr(true)}, true, "0000-08-15", true},
				{"cleared", customer.Patch{Birthday: ptr("")}, true, "", false},
			} {
				p := tc.p
				err := p.Normalize()
				if err == nil {
					err = st.UpdateCustomer(ctx, a, &p)
				}
				if tc.ok != (err == nil) || !tc.ok && !isFieldError(err, "birthday") {
					t.Errorf("%s: %v", tc.name, err)
				}
				if b, l := birthday(a); b != tc.want || l != tc.wantLunar {
					t.Errorf("%s: birthday %q lunar %v, want %q lunar %v", tc.name, b, l, tc.want, tc.wantLunar)
				}
			}

			into, _ := mk(customer.Customer{Name: "丙"})
			from, err := mk(customer.Customer{Name: "丙 (dup)", Birthday: "0000-08-15", BirthdayLunar: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := st.MergeCustomers(ctx, into, []int64{from}); err != nil {
				t.Fatal(err)
			}
			if b, l := birthday(into); b != "0000-08-15" || !l {
				t.Errorf("merged birthday %q lunar %v, want the duplicate's lunar 0000-08-15", b, l)
			}
		})
	}
}

func isFieldError(err error, field string) bool {
	var fe *kith.FieldError
	return errors.As(err, &fe) && fe.Field == field
}

// A merge keeps what only a duplicate knew: the custom attributes the
// survivor lacks, a company size, and the earlier "customer since".
func TestMergeKeepsWhatOnlyADuplicateHad(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, engine)
			mk := func(at time.Time, c customer.Customer) int64 {
				st.Now = func() time.Time { return at }
				return createCustomer(t, st, c)
			}
			early, late := time.Date(2024, 1, 5, 9, 0, 0, 0, time.UTC), time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
			from := mk(early, customer.Customer{Name: "王五 (旧卡)", CompanySize: 50, Attrs: map[string]string{"等级": "银卡", "积分": "120"}})
			other := mk(early.Add(time.Hour), customer.Customer{Name: "王五 (微信)", Attrs: map[string]string{"微信": "wang5"}})
			into := mk(late, customer.Customer{Name: "王五", Attrs: map[string]string{"等级": "金卡"}})
			if err := st.MergeCustomers(ctx, into, []int64{from, other}); err != nil {
				t.Fatal(err)
			}
			v, err := st.CustomerView(ctx, "#"+itoa(into), 1)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"等级": "金卡", "积分": "120", "微信": "wang5"}
			if !maps.Equal(v.Attrs, want) {
				t.Errorf("attrs %v, want %v", v.Attrs, want)
			}
			if v.CompanySize != 50 {
				t.Errorf("company size %d, want the duplicate's 50", v.CompanySize)
			}
			if !v.CreatedAt.Equal(early) {
				t.Errorf("customer since %v, want the earliest, %v", v.CreatedAt, early)
			}
		})
	}
}
