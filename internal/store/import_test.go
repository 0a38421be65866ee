package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/account"
	"github.com/kithcrm/kith/internal/customer"
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
			if v3.Totals.Orders != 0 || v3.Totals.Refunds != 1 || v3.Totals.Refunded != 2000 {
				t.Errorf("C3 totals = %+v, want one refund of 20.00 (written -20)", v3.Totals)
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

// TestCustomerMatchingByBatch: a customers import matches rows to stored
// customers by external id, then phone, then email. SQLite looks a batch's
// keys up at once and skips the row-by-row lookups for rows that name no
// stored customer; the outcome must not depend on the batch size (rows
// that match one written earlier in the same batch included) nor on the
// engine, whose PostgreSQL path looks up every row.
func TestCustomerMatchingByBatch(t *testing.T) {
	const first = "会员号,姓名,手机,邮箱\n" +
		"C1,张三,13800000001,zhang@example.com\n" +
		",李四,13800000002,\n" + // phone only
		",王五,,wang@example.com\n" + // email only
		",张三二,13800000001,\n" + // phone of C1, earlier in the file: a repeat of line 2
		"C2,赵六,13800000002,\n" + // an id of its own and 李四's phone: 李四, who has no id, met again
		",钱七,,zhang@example.com\n" + // C1's email
		"C3,孙八,13800000009,sun@example.com\n"
	const second = "会员号,姓名,手机,邮箱\n" +
		"C3,孙八,13800000009,sun@example.com\n" + // unchanged
		",王五,13800000005,wang@example.com\n" + // by email, gains a phone
		",王五五,13800000005,\n" + // by that new phone, written just before: a repeat
		"C4,周九,13800000001,\n" + // C1's phone, but C1 has an id: a new customer
		",吴十,13800000010,wu@example.com\n" + // new
		"C1,张三丰,13800000001,zhang@example.com\n" + // by id, changed
		"C3,孙八,13800000009,sun@example.com\n" // met again: a repeat of line 2
	type outcome struct {
		sums      []string
		customers []string
	}
	run := func(t *testing.T, engine string, batch int) outcome {
		s := storetest.Open(t, engine)
		var o outcome
		for i, content := range []string{first, second} {
			sum, err := importer.Import(context.Background(), s, importer.Customers, writeFile(t, "c.csv", content), importer.Options{BatchSize: batch})
			if err != nil {
				t.Fatalf("import %d: %v", i+1, err)
			}
			line := fmt.Sprintf("created %d updated %d unchanged %d rejected %d", sum.Created, sum.Updated, sum.Unchanged, sum.Rejected)
			for _, r := range sum.FirstRejects {
				// Not the reason: the importer words a repeat it meets in
				// one batch apart from one the store meets in a later one.
				line += fmt.Sprintf(" | %d %s", r.Line, r.Field)
			}
			o.sums = append(o.sums, line)
		}
		rows, err := store.WriteDB(s).QueryContext(context.Background(), `SELECT COALESCE(external_id, ''), name, COALESCE(phone, ''), COALESCE(email, '') FROM customers ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, name, phone, email string
			if err := rows.Scan(&id, &name, &phone, &email); err != nil {
				t.Fatal(err)
			}
			o.customers = append(o.customers, strings.Join([]string{id, name, phone, email}, " "))
		}
		return o
	}
	want := run(t, "sqlite", 1)
	if len(want.customers) != 6 || want.sums[0] != "created 4 updated 0 unchanged 0 rejected 3 | 5 customer_id | 6 customer_id | 7 customer_id" ||
		want.sums[1] != "created 2 updated 2 unchanged 1 rejected 2 | 4 customer_id | 8 customer_id" {
		t.Errorf("row by row: %q\n%q", want.sums, want.customers)
	}
	for _, engine := range storetest.Engines(t) {
		for _, batch := range []int{1, 3, 1000} {
			if got := run(t, engine, batch); !reflect.DeepEqual(got, want) {
				t.Errorf("%s, batches of %d:\n got %q\n     %q\nwant %q\n     %q", engine, batch, got.sums, got.customers, want.sums, want.customers)
			}
		}
	}
}

// TestReimportSettlesStoredOrders re-imports an export that overlaps the
// stored one, in batches of two: after a batch of unchanged orders the next
// ones are looked up before writing (SQLite; PostgreSQL always does), and
// unchanged, changed, new and repeated orders (of an order met unchanged,
// or written, earlier in the file) must come out as when each batch writes
// first.
func TestReimportSettlesStoredOrders(t *testing.T) {
	const head = "订单号,客户编号,下单时间,实付金额\n"
	stored := head + "A1,C1,2024-01-01,10\nA2,C1,2024-01-02,20\nA3,C2,2024-01-03,30\nA4,C2,2024-01-04,40\nA5,C3,2024-01-05,50\nA6,C3,2024-01-06,60\n"
	again := head +
		"A1,C1,2024-01-01,10\nA2,C1,2024-01-02,20\n" + // unchanged: the next batches settle first
		"A4,C2,2024-01-04,40\nA1,C1,2024-01-01,10\n" + // unchanged; a repeat (line 5)
		"A5,C3,2024-01-05,50\nA3,C2,2024-01-03,33\n" + // unchanged; changed
		"A3,C2,2024-01-03,30\nA7,C4,2024-01-07,70\n" + // a repeat of the changed one (line 8); new
		"A6,C3,2024-01-06,60\nA5,C3,2024-01-05,55\n" + // unchanged; a repeat with other content (line 11)
		"A8,C4,2024-01-08,80\nA2,C1,2024-01-02,20\n" // new; a repeat (line 13)
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			opts := importer.Options{BatchSize: 2}
			if _, err := importer.Import(context.Background(), s, importer.Orders, writeFile(t, "stored.csv", stored), opts); err != nil {
				t.Fatal(err)
			}
			sum, err := importer.Import(context.Background(), s, importer.Orders, writeFile(t, "again.csv", again), opts)
			if err != nil {
				t.Fatal(err)
			}
			lines := rejectedAt(sum)
			if got := counts(sum); got != "2/1/5/4/1" || lines != "5 order_id,8 order_id,11 order_id,13 order_id" {
				t.Errorf("%s, rejects %q; want 2/1/5/4/1 and lines 5, 8, 11 and 13 rejected", got, lines)
			}
			amounts := map[string]int64{}
			rows, err := store.WriteDB(s).Query(`SELECT external_id, amount FROM orders`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var id string
				var a int64
				if err := rows.Scan(&id, &a); err != nil {
					t.Fatal(err)
				}
				amounts[id] = a / 100
			}
			want := map[string]int64{"A1": 10, "A2": 20, "A3": 33, "A4": 40, "A5": 50, "A6": 60, "A7": 70, "A8": 80}
			if !reflect.DeepEqual(amounts, want) {
				t.Errorf("amounts %v, want %v", amounts, want)
			}
			// The same file once more: what it says is stored, and its
			// repeats are repeats again.
			if sum, err = importer.Import(context.Background(), s, importer.Orders, writeFile(t, "again.csv", again), opts); err != nil || counts(sum) != "0/0/8/4/0" {
				t.Errorf("the same file again: %s %v, want 0/0/8/4/0", counts(sum), err)
			}
		})
	}
}

// TestCustomerReferences: referrers and owners are resolved after the
// file (a referrer may come later in it); one that names nobody is left
// unresolved and counted, and resolved by a later import once it names
// somebody; a row that now names nobody loses the old one.
func TestCustomerReferences(t *testing.T) {
	refs := func(t *testing.T, s *store.Store) string {
		rows, err := store.WriteDB(s).Query(`SELECT c.external_id, COALESCE(r.external_id, '-'), COALESCE(u.name, '-')
FROM customers c LEFT JOIN customers r ON r.id = c.referrer_id LEFT JOIN users u ON u.id = c.owner_id ORDER BY c.external_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var c, r, u string
			if err := rows.Scan(&c, &r, &u); err != nil {
				t.Fatal(err)
			}
			out = append(out, c+" "+r+" "+u)
		}
		return strings.Join(out, ", ")
	}
	const file = "会员号,推荐人,负责人\nM1,M3,王经理\nM2,13900000003,李销售\nM3,,\n"
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			ctx := context.Background()
			if _, err := s.CreateUser(ctx, &account.User{Name: "王经理", Email: "wang@shop.cn", Role: account.Rep}, "", false); err != nil {
				t.Fatal(err)
			}
			sum := importFile(t, s, importer.Customers, writeFile(t, "c.csv", file))
			if got, want := refs(t, s), "M1 M3 王经理, M2 - -, M3 - -"; got != want {
				t.Errorf("after the file: %s, want %s", got, want)
			}
			if len(sum.Warnings) != 2 {
				t.Errorf("warnings %v, want M2's referrer and owner counted", sum.Warnings)
			}
			// M3 gets the phone M2's referrer names, and 李销售 becomes a user.
			importFile(t, s, importer.Customers, writeFile(t, "p.csv", "会员号,手机\nM3,13900000003\n"))
			if _, err := s.CreateUser(ctx, &account.User{Name: "李销售", Email: "li@shop.cn", Role: account.Rep}, "", false); err != nil {
				t.Fatal(err)
			}
			sum = importFile(t, s, importer.Customers, writeFile(t, "c.csv", file))
			if got, want := refs(t, s), "M1 M3 王经理, M2 M3 李销售, M3 - -"; got != want || len(sum.Warnings) != 0 {
				t.Errorf("after the phone and the user: %s %v, want %s and no warning", got, sum.Warnings, want)
			}
			// M1 now names a referrer and an owner that are nobody.
			importFile(t, s, importer.Customers, writeFile(t, "m.csv", "会员号,推荐人,负责人\nM1,M9,赵总\n"))
			if got, want := refs(t, s), "M1 - -, M2 M3 李销售, M3 - -"; got != want {
				t.Errorf("after M1 names nobody: %s, want %s", got, want)
			}
		})
	}
}

// TestCustomerImportKeepsWhatARowLeavesOut: a customers file updates the
// fields it has; a column it lacks, or a blank cell, keeps the stored
// value, custom attributes merge key by key and tags are replaced only by
// tags. Before, a second file of member levels by id erased every name,
// phone and city the first file gave, and a row matched by phone alone
// erased the customer's id.
func TestCustomerImportKeepsWhatARowLeavesOut(t *testing.T) {
	files := []string{
		"会员号,姓名,手机,城市,生日,标签,会员等级,备注\nC1,张三,13800000001,上海,农历1990-05-06,VIP;老客,银卡,爱喝茶\n",
		"会员号,会员等级,积分\nC1,金卡,1200\n",
		"会员号,姓名,手机,城市,生日,标签\nC1,,13900000009,,,\n",
		"会员号,标签\nC1,新品试用\n",
		"手机,积分\n13900000009,1500\n", // by phone alone: C1 keeps its id
	}
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			for i, f := range files {
				sum, err := importer.Import(context.Background(), s, importer.Customers, writeFile(t, "c.csv", f), importer.Options{})
				if err != nil || sum.Rejected != 0 {
					t.Fatalf("file %d: %+v %v", i+1, sum, err)
				}
			}
			v, err := s.CustomerView(context.Background(), "C1", 1)
			if err != nil {
				t.Fatal(err)
			}
			c := v.Customer
			got := fmt.Sprintf("%s|%s|%s|%s %v|%v|%v|%s", c.Name, c.Phone, c.City, c.Birthday, c.BirthdayLunar, c.Tags, c.Attrs, c.Notes)
			want := "张三|13900000009|上海|1990-05-06 true|[新品试用]|map[会员等级:金卡 积分:1500]|爱喝茶"
			if got != want {
				t.Errorf("after five files C1 is\n %s\nwant\n %s", got, want)
			}
		})
	}
}

// TestCustomerFilesImportedAgain: a customer that several files made
// (profiles, then points by id, then notes by phone) is unchanged when any
// of them is imported again, as long as it gives nothing new. Before, the
// stored row's hash was the last file's, so every other file's row was
// "updated" and rewritten though nothing changed.
func TestCustomerFilesImportedAgain(t *testing.T) {
	files := map[string]string{
		"profiles": "会员号,姓名,手机,标签,会员等级\nC1,张三,13800000001,VIP;老客,银卡\nC2,李四,13800000002,,<金&卡>\n",
		"points":   "会员号,城市,生日,积分\nC1,上海,农历1990-05-06,1200\nC2,北京,1985-03-02,80\n",
		"notes":    "手机,备注\n13800000001,爱喝茶\n",
		"tags":     "会员号,标签\nC1,老客;VIP;老客\n", // the same set of tags
		"level":    "会员号,会员等级\nC2,<金&卡>\n",
		"moved":    "会员号,城市\nC1,杭州\n",
		"fewer":    "会员号,标签\nC1,VIP\n",
	}
	steps := []struct{ file, want string }{ // created/updated/unchanged/rejected/customers
		{"profiles", "2/0/0/0/0"},
		{"points", "0/2/0/0/0"},
		{"notes", "0/1/0/0/0"},
		{"tags", "0/0/1/0/0"},
		{"profiles", "0/0/2/0/0"},
		{"points", "0/0/2/0/0"},
		{"notes", "0/0/1/0/0"},
		{"level", "0/0/1/0/0"},
		{"moved", "0/1/0/0/0"},
		{"fewer", "0/1/0/0/0"},
		{"profiles", "0/1/1/0/0"}, // its tags again
	}
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			for i, st := range steps {
				sum := importFile(t, s, importer.Customers, writeFile(t, st.file+".csv", files[st.file]))
				if got := counts(sum); got != st.want {
					t.Errorf("step %d, %s: %s, want %s", i+1, st.file, got, st.want)
				}
			}
			v, err := s.CustomerView(context.Background(), "C1", 1)
			if err != nil {
				t.Fatal(err)
			}
			c := v.Customer
			got := fmt.Sprintf("%s|%s|%s|%s %v|%v|%v|%s", c.Name, c.Phone, c.City, c.Birthday, c.BirthdayLunar, c.Tags, c.Attrs, c.Notes)
			if want := "张三|13800000001|杭州|1990-05-06 true|[VIP 老客]|map[会员等级:银卡 积分:1200]|爱喝茶"; got != want {
				t.Errorf("C1 is\n %s\nwant\n %s", got, want)
			}
		})
	}
}

// An export imported with --channel and then again without it (or through
// a file without the column) keeps its orders in that channel; a row that
// names another channel moves its order.
func TestOrderChannelKeptWhenTheRowHasNone(t *testing.T) {
	const csv = "订单号,客户编号,下单时间,实付金额\nT1,C1,2024-01-31,10\nT2,C1,2024-02-01,20\n"
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			path := writeFile(t, "orders.csv", csv)
			for i, ch := range []string{"天猫", "", ""} {
				if i == 2 {
					path = writeFile(t, "moved.csv", "订单号,客户编号,下单时间,实付金额,渠道\nT2,C1,2024-02-01,20,京东\n")
				}
				if _, err := importer.Import(context.Background(), s, importer.Orders, path, importer.Options{Channel: ch}); err != nil {
					t.Fatal(err)
				}
			}
			v, err := s.CustomerView(context.Background(), "C1", 10)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, o := range v.Orders {
				got[o.ExternalID] = o.Channel
			}
			if got["T1"] != "天猫" || got["T2"] != "京东" {
				t.Errorf("channels %v, want T1 天猫 kept, T2 moved to 京东", got)
			}
		})
	}
}

// rejectedAt lists an import's first rejects as "line field", joined by commas.
func rejectedAt(sum *importer.Summary) string {
	var lines []string
	for _, r := range sum.FirstRejects {
		lines = append(lines, fmt.Sprintf("%d %s", r.Line, r.Field))
	}
	return strings.Join(lines, ",")
}

// Repeats of an order id in later batches of a file are rejected whether
// the first was new or already stored (unchanged, stamped), on both
// engines' batch-by-batch paths.
func TestOrderRepeatsAcrossBatches(t *testing.T) {
	const head = "订单号,客户编号,下单时间,实付金额\nA1,C1,2024-01-31,10\n"
	// A1 is stored before and met unchanged at line 2: its repeats at lines
	// 5 (the same) and 8 (another amount) are rejected all the same.
	const file = head + "A2,C1,2024-02-01,20\nA3,C2,2024-02-02,30\nA1,C1,2024-01-31,10\nA2,C1,2024-02-01,25\nA4,C2,2024-02-03,40\nA1,C1,2024-01-31,11\n"
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			opts := importer.Options{BatchSize: 2}
			if _, err := importer.Import(context.Background(), s, importer.Orders, writeFile(t, "head.csv", head), opts); err != nil {
				t.Fatal(err)
			}
			sum, err := importer.Import(context.Background(), s, importer.Orders, writeFile(t, "orders.csv", file), opts)
			if err != nil {
				t.Fatal(err)
			}
			lines := rejectedAt(sum)
			if sum.Created != 3 || sum.Unchanged != 1 || sum.Rejected != 3 || lines != "5 order_id,6 order_id,8 order_id" {
				t.Errorf("%+v, rejects %q; want 3 created, A1 unchanged, lines 5, 6 and 8 rejected", sum, lines)
			}
			var amount int64
			if err := store.WriteDB(s).QueryRow(`SELECT amount FROM orders WHERE external_id = 'A1'`).Scan(&amount); err != nil || amount != 1000 {
				t.Errorf("A1's amount after its repeats: %d %v, want 1000 (10.00) as stored", amount, err)
			}
		})
	}
}

// TestNewCustomersKeepTheirOwnTags imports new customers with and without
// tags, some known by phone only, in batches that go in as one insert: each
// customer must get exactly its own row's tags.
func TestNewCustomersKeepTheirOwnTags(t *testing.T) {
	var b strings.Builder
	b.WriteString("客户编号,手机,姓名,标签\n")
	want := map[string]string{}
	for i := 1; i <= 250; i++ {
		id, ref := fmt.Sprintf("C%03d", i), fmt.Sprintf("C%03d", i)
		phone := ""
		if i%7 == 0 { // known by phone only
			id, phone = "", fmt.Sprintf("139%08d", i)
			ref = phone
		}
		var tags []string
		for j := 0; j < i%4; j++ {
			tags = append(tags, fmt.Sprintf("t%d-%d", i, j))
		}
		fmt.Fprintf(&b, "%s,%s,客户%d,%s\n", id, phone, i, strings.Join(tags, "|"))
		want[ref] = strings.Join(tags, ",")
	}
	path := writeFile(t, "customers.csv", b.String())
	ctx := context.Background()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			sum, err := importer.Import(ctx, s, importer.Customers, path, importer.Options{BatchSize: 120})
			if err != nil || sum.Created != 250 {
				t.Fatalf("%+v %v, want 250 created", sum, err)
			}
			for ref, tags := range want {
				v, err := s.CustomerView(ctx, ref, 0)
				if err != nil {
					t.Fatalf("%s: %v", ref, err)
				}
				got := slices.Clone(v.Tags)
				slices.Sort(got)
				if strings.Join(got, ",") != tags {
					t.Errorf("%s has tags %q, want %q", ref, got, tags)
				}
			}
		})
	}
}

// TestCustomerRepeatsAfterUnchanged: customers met unchanged in one batch
// (more of them than one stamp statement takes) and named again in a later
// batch are all rejected as repeats within the file.
func TestCustomerRepeatsAfterUnchanged(t *testing.T) {
	var b strings.Builder
	b.WriteString("客户编号,姓名\n")
	for i := 1; i <= 150; i++ {
		fmt.Fprintf(&b, "C%03d,客户%d\n", i, i)
	}
	once := b.String()
	twice := once + strings.TrimPrefix(once, "客户编号,姓名\n")
	ctx := context.Background()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			opts := importer.Options{BatchSize: 150}
			if _, err := importer.Import(ctx, s, importer.Customers, writeFile(t, "once.csv", once), opts); err != nil {
				t.Fatal(err)
			}
			sum, err := importer.Import(ctx, s, importer.Customers, writeFile(t, "twice.csv", twice), opts)
			if err != nil || sum.Unchanged != 150 || sum.Rejected != 150 {
				t.Errorf("%+v %v, want 150 unchanged and their 150 repeats rejected", sum, err)
			}
		})
	}
}

// A customer's totals count a refund apart from an order cancelled before
// it was paid, which moved no money.
func TestCustomerTotalsRefundsAndCancellations(t *testing.T) {
	const csv = "订单号,客户编号,下单时间,实付金额,订单状态\n" +
		"A1,C1,2024-01-31 10:00,100,已完成\n" +
		"A2,C1,2024-02-01 10:00,30,退款成功\n" +
		"A5,C1,2024-02-04 10:00,-15,\n" + // a refund written negative
		"A3,C1,2024-02-02 10:00,70,已取消\n" +
		"A4,C1,2024-02-03 10:00,20,交易关闭\n"
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			if sum := importFile(t, s, importer.Orders, writeFile(t, "orders.csv", csv)); sum.Created != 5 {
				t.Fatalf("import = %+v, want 5 created", sum)
			}
			v, err := s.CustomerView(context.Background(), "C1", 10)
			if err != nil {
				t.Fatal(err)
			}
			if got := v.Totals; got.Orders != 1 || got.Revenue != 10000 || got.Refunds != 2 || got.Refunded != 4500 || got.Cancelled != 2 {
				t.Errorf("totals = %+v, want 1 paid (100.00), 2 refunds (45.00), 2 cancelled", got)
			}
		})
	}
}

// A customer an order creates takes the city and province the order was
// sent to; a customer already known keeps its own. Both the first load
// and a later import's batches create customers, keyed by phone or by id.
func TestOrdersCreateCustomersWhereTheyLive(t *testing.T) {
	first := "订单号,%s,收货人,省,市,支付时间,用户实付金额(元)\n" +
		"P1,13800138000,李雷,广东省,深圳市,2024-06-18 00:01:10,54.80\n" +
		"P2,13900139000,韩梅梅,浙江省,杭州市,2024-06-18 00:02:10,49.90\n" +
		"P3,13800138000,李雷,北京市,北京市,2024-06-19 00:02:10,9.90\n" // moved: the customer keeps the first
	later := "订单号,%s,收货人,省,市,支付时间,用户实付金额(元)\n" +
		"P4,13700137000,王五,四川省,成都市,2024-06-20 00:01:10,19.90\n" +
		"P5,13900139000,韩梅梅,江苏省,南京市,2024-06-20 00:02:10,29.90\n"
	ctx := context.Background()
	for _, engine := range storetest.Engines(t) {
		for _, key := range []string{"手机", "买家ID"} {
			t.Run(engine+"/"+key, func(t *testing.T) {
				s := storetest.Open(t, engine)
				if sum := importFile(t, s, importer.Orders, writeFile(t, "first.csv", fmt.Sprintf(first, key))); sum.Created != 3 || sum.Customers != 2 {
					t.Fatalf("first import = %+v", sum)
				}
				if sum := importFile(t, s, importer.Orders, writeFile(t, "later.csv", fmt.Sprintf(later, key))); sum.Created != 2 || sum.Customers != 1 {
					t.Fatalf("later import = %+v", sum)
				}
				for _, c := range []struct{ key, region, city string }{
					{"13800138000", "广东省", "深圳市"},
					{"13900139000", "浙江省", "杭州市"},
					{"13700137000", "四川省", "成都市"},
				} {
					v, err := s.CustomerView(ctx, c.key, 5)
					if err != nil || v.Region != c.region || v.City != c.city {
						t.Errorf("%s: %+v %v, want %s %s", c.key, v, err, c.region, c.city)
					}
				}
			})
		}
	}
}

// A customer known before an orders import, with no province or city,
// takes those of its first order row that has them; one with a place keeps
// it, and so does a customer the import created. Customers are found by the
// key each row names (id, phone, email), in a first load and after it.
func TestOrdersGiveKnownCustomersAPlace(t *testing.T) {
	const customers = "客户编号,手机,邮箱,城市,省份\nC1,,,,\nC2,,,上海市,上海市\nC3,,,,\nP1,13600136000,,,\nE1,,m@x.cn,,\n"
	const orders = "订单号,客户编号,手机,邮箱,收货地址,下单时间,实付金额\n" +
		"A1,C1,,,浙江省 杭州市 西湖区 文三路 100号,2024-01-05,10\n" +
		"A2,C1,,,江苏省南京市玄武区,2024-01-06,10\n" + // the first place stays
		"A3,C2,,,广东省深圳市,2024-01-07,10\n" + // has one: kept
		"A4,,13600136000,,四川省成都市,2024-01-08,10\n" +
		"A5,,,m@x.cn,北京市朝阳区,2024-01-09,10\n" +
		"A6,C9,,,湖南省长沙市,2024-01-10,10\n" + // created with it
		"A7,C3,,,,2024-01-11,10\n"
	ctx := context.Background()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			importFile(t, s, importer.Customers, writeFile(t, "c.csv", customers))
			before, err := s.DataVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			path := writeFile(t, "o.csv", orders)
			if sum := importFile(t, s, importer.Orders, path); sum.Created != 7 || sum.Customers != 1 || sum.Placed != 3 {
				t.Fatalf("first load = %+v, want 7 orders, 1 customer created, 3 given a place", sum)
			}
			if sum := importFile(t, s, importer.Orders, path); sum.Unchanged != 7 || sum.Placed != 0 {
				t.Fatalf("the same file again = %+v, want all unchanged, none placed", sum)
			}
			mid, err := s.DataVersion(ctx)
			if err != nil || mid == before {
				t.Fatalf("data version %d -> %d (%v): the load did not move it", before, mid, err)
			}
			// An order stored before, now with an address, places C3 too:
			// the order itself is unchanged.
			again := strings.Replace(orders, "A7,C3,,,,", "A7,C3,,,广西壮族自治区南宁市,", 1)
			if sum := importFile(t, s, importer.Orders, writeFile(t, "o2.csv", again)); sum.Unchanged != 7 || sum.Placed != 1 {
				t.Fatalf("with C3's address = %+v, want all unchanged, 1 placed", sum)
			}
			if v, err := s.DataVersion(ctx); err != nil || v == mid {
				t.Errorf("data version %d -> %d (%v): placing a customer did not move it", mid, v, err)
			}
			for _, c := range []struct{ ref, region, city string }{
				{"C1", "浙江省", "杭州市"},
				{"C2", "上海市", "上海市"},
				{"13600136000", "四川省", "成都市"},
				{"m@x.cn", "北京市", "北京市"},
				{"C9", "湖南省", "长沙市"},
				{"C3", "广西壮族自治区", "南宁市"},
			} {
				v, err := s.CustomerView(ctx, c.ref, 5)
				if err != nil || v.Region != c.region || v.City != c.city {
					t.Errorf("%s: %q %q %v, want %s %s", c.ref, v.Region, v.City, err, c.region, c.city)
				}
			}
		})
	}
}

// A customer merged into another stays merged: the files that named it find
// the customer it was merged into, on a first load and after one, and a
// customers file that lists it again leaves it merged. A customer created
// since with the merged key is that key's own.
func TestMergedCustomersStayMerged(t *testing.T) {
	const customers = "客户编号,姓名,手机\nV001,王五,13800000001\nV087,王五 (旧卡),13900000087\nV002,李四,13700000002\n"
	ctx := context.Background()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			count := func() int {
				t.Helper()
				p, err := s.ListCustomers(ctx, customer.Filter{})
				if err != nil {
					t.Fatal(err)
				}
				return p.Total
			}
			orders := func(ref string) int {
				t.Helper()
				v, err := s.CustomerView(ctx, ref, 10)
				if err != nil {
					t.Fatal(err)
				}
				return v.Totals.Orders
			}
			cpath := writeFile(t, "c.csv", customers)
			importFile(t, s, importer.Customers, cpath)
			survivor, err := s.CustomerView(ctx, "V001", 1)
			if err != nil {
				t.Fatal(err)
			}
			dup, err := s.CustomerView(ctx, "V087", 1)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.MergeCustomers(ctx, survivor.ID, []int64{dup.ID}); err != nil {
				t.Fatal(err)
			}

			// A first load: by the merged external id, and by its phone.
			first := "订单号,客户编号,手机,下单时间,实付金额\nA1,V087,,2024-01-05,10\nA2,V001,,2024-01-06,10\nA3,,13900000087,2024-01-07,10\n"
			if sum := importFile(t, s, importer.Orders, writeFile(t, "o1.csv", first)); sum.Created != 3 || sum.Customers != 0 {
				t.Fatalf("first load = %+v, want 3 orders, no customer created", sum)
			}
			// Orders after it, batch by batch; the first to say where the
			// merged customer lives gives the survivor its place.
			later := "订单号,客户编号,手机,收货地址,下单时间,实付金额\nA4,V087,,浙江省杭州市西湖区,2024-02-05,10\nA5,,13900000087,,2024-02-06,10\nA6,V002,,,2024-02-07,10\n"
			if sum := importFile(t, s, importer.Orders, writeFile(t, "o2.csv", later)); sum.Created != 3 || sum.Customers != 0 || sum.Placed != 1 {
				t.Fatalf("later orders = %+v, want 3 orders, no customer created, V001 placed", sum)
			}
			if v, err := s.CustomerView(ctx, "V001", 1); err != nil || v.City != "杭州市" || v.Region != "浙江省" {
				t.Fatalf("V001's place: %v, %+v", err, v)
			}
			if n := orders("V001"); n != 5 || count() != 2 {
				t.Fatalf("V001 has %d orders among %d customers, want 5 of 2", n, count())
			}

			// The member list again: V087's row is left merged.
			sum := importFile(t, s, importer.Customers, cpath)
			if sum.Created != 0 || sum.Merged != 1 || sum.Unchanged != 3 || count() != 2 {
				t.Fatalf("customers again = %+v, %d customers; want 3 unchanged of which 1 merged, 2 customers", sum, count())
			}
			// Searched for by its key, the list gives the survivor.
			for _, q := range []string{"V087", "13900000087", "139 0000 0087"} {
				if p, err := s.ListCustomers(ctx, customer.Filter{Query: q}); err != nil || len(p.Items) != 1 || p.Items[0].ID != survivor.ID {
					t.Errorf("search %q: %v, %+v; want V001 alone", q, err, p)
				}
			}
			// Asked for by its key, the 360 is the survivor's, saying so,
			// and it lists the keys merged into it.
			for _, ref := range []string{"V087", "13900000087"} {
				if v, err := s.CustomerView(ctx, ref, 1); err != nil || v.ID != survivor.ID || v.MergedKey != ref {
					t.Fatalf("%s: %v, %+v; want V001 (#%d), merged from %s", ref, err, v, survivor.ID, ref)
				}
			}
			if v, err := s.CustomerView(ctx, "V001", 1); err != nil || !slices.Equal(v.Aliases, []string{"V087", "13900000087"}) {
				t.Errorf("V001's aliases: %v, %v", err, v.Aliases)
			}

			// A customer of its own with the merged key takes its orders
			// from then on.
			createCustomer(t, s, customer.Customer{ExternalID: "V087", Name: "another card holder"})
			next := "订单号,客户编号,下单时间,实付金额\nA7,V087,2024-03-05,10\n"
			if sum := importFile(t, s, importer.Orders, writeFile(t, "o3.csv", next)); sum.Created != 1 || orders("V087") != 1 || orders("V001") != 5 {
				t.Fatalf("after V087 exists again = %+v; V087 %d orders, V001 %d", sum, orders("V087"), orders("V001"))
			}
			if v, err := s.CustomerView(ctx, "V087", 1); err != nil || v.MergedKey != "" || v.Name != "another card holder" {
				t.Fatalf("V087 now: %v, %+v", err, v)
			}

			// The files of one load (a first load across files) find it too.
			l := storetest.Open(t, engine)
			importFile(t, l, importer.Customers, cpath)
			a, _ := l.CustomerView(ctx, "V001", 1)
			b, _ := l.CustomerView(ctx, "V087", 1)
			if err := l.MergeCustomers(ctx, a.ID, []int64{b.ID}); err != nil {
				t.Fatal(err)
			}
			load := l.Load()
			for _, f := range []string{writeFile(t, "l1.csv", first), writeFile(t, "l2.csv", later)} {
				if sum, err := importer.Import(ctx, load, importer.Orders, f, importer.Options{BatchSize: 2}); err != nil || sum.Customers != 0 {
					t.Fatalf("load %s: %v, %+v; want no customer created", f, err, sum)
				}
			}
			if err := load.End(ctx); err != nil {
				t.Fatal(err)
			}
			load.Close()
			if v, err := l.CustomerView(ctx, "V001", 10); err != nil || v.Totals.Orders != 5 {
				t.Fatalf("after the load V001: %v, %+v", err, v)
			}
		})
	}
}
