package importer_test

import (
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/importer"
	"github.com/kithcrm/kith/internal/kith"
	"github.com/kithcrm/kith/internal/store"
	"github.com/kithcrm/kith/internal/store/storetest"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func file(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func run(t *testing.T, s *store.Store, k importer.Kind, path string, opts importer.Options) (*importer.Summary, error) {
	t.Helper()
	if opts.Location == nil {
		opts.Location = shanghai
	}
	return importer.Import(context.Background(), s, k, path, opts)
}

// readRejects returns the rejects file as rows (header first).
func readRejects(t *testing.T, sum *importer.Summary) [][]string {
	t.Helper()
	if sum.RejectsPath == "" {
		t.Fatal("no rejects file")
	}
	data, err := os.ReadFile(sum.RejectsPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "\ufeff") {
		t.Error("rejects file lacks the UTF-8 BOM Excel needs for Chinese")
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff")))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

const ordersHeader = "订单号,客户编号,下单时间,实付金额\n"

// TestBadInput covers the bad inputs of the import contract: each either
// stops the file with an error that names it (nothing imported), or rejects
// the bad rows to the rejects file and keeps every good row.
func TestBadInput(t *testing.T) {
	huge := strings.Repeat("x", 10<<20)
	tests := []struct {
		name        string
		file        string
		content     string
		wantErr     string // the file is refused whole
		wantCreated int
		// wantRejects maps a line number to the field and a piece of the reason.
		wantRejects map[string][2]string
	}{
		{name: "wrong encoding", file: "o.csv", content: ordersHeader + "A1,C1,2024-01-01,1\nA2,Jos\xe9,2024-01-01,1\n" + strings.Repeat("A3,C\xe9\xe9,2024-01-01,1\n", 1),
			wantErr: "unknown text encoding"},
		{name: "invalid bytes after the detection sample", file: "o.csv",
			content:     ordersHeader + strings.Repeat("A0,C1,2024-01-01,1\n", 1) + "#" + strings.Repeat(" ", 70<<10) + "\n" + "A2,C\xe9,2024-01-02,1\nA3,C3,2024-01-03,1\n",
			wantCreated: 2, wantRejects: map[string][2]string{"3": {"", "row has 1 cells"}, "4": {"", "not valid text in this file's encoding"}}},
		{name: "missing required column", file: "o.csv", content: "订单号,客户编号,金额\nA1,C1,1\n",
			wantErr: "missing required column ordered_at; ordered_at is matched by headers paid at / paid time / payment time"},
		{name: "empty file", file: "o.csv", content: "", wantErr: "file is empty: no header row"},
		{name: "header only", file: "o.csv", content: ordersHeader},
		{name: "ragged rows", file: "o.csv", content: ordersHeader + "A1,C1,2024-01-01,1\nA2,C1,2024-01-02\nA3,C1,2024-01-03,1,extra\nA4,C1,2024-01-04,1,\n",
			wantCreated: 2, wantRejects: map[string][2]string{"3": {"", "row has 3 cells, the header has 4"}, "4": {"", "row has 5 cells"}}},
		{name: "quote left open", file: "o.csv", content: ordersHeader + "A1,C1,2024-01-01,1\nA2,\"C1,2024-01-02,1\nA3,C1,2024-01-03,1\n",
			wantCreated: 2, wantRejects: map[string][2]string{"3": {"", "quote opened here is never closed"}}},
		{name: "10 MB cell", file: "o.csv", content: ordersHeader + "A1,C1,2024-01-01,1\nA2,\"" + huge + "\",2024-01-02,1\nA3,C1,2024-01-03,1\n",
			wantCreated: 2, wantRejects: map[string][2]string{"3": {"客户编号", "10485760 bytes, over the limit"}}},
		{name: "NUL inside a cell after the detection sample", file: "o.csv",
			content:     ordersHeader + "A1,C1,2024-01-01,1\n" + "#" + strings.Repeat(" ", 70<<10) + "\n" + "A2,C\x002,2024-01-02,1\nA3,C3,2024-01-03,1\n",
			wantCreated: 2, wantRejects: map[string][2]string{"3": {"", "row has 1 cells"}, "4": {"客户编号", "holds a NUL character"}}},
		{name: "dates and amounts that do not parse", file: "o.csv", content: ordersHeader + "A1,C1,2024-13-01,1\nA2,C1,01/02/2024,1\nA3,C1,2024-01-03,12,5\nA4,C1,2024-01-03,abc\nA5,C1,2024-01-05,9.99\n",
			wantCreated: 1, wantRejects: map[string][2]string{"2": {"ordered_at", "out of range"}, "3": {"ordered_at", "ambiguous day/month order: pass --date-order"},
				"4": {"", "row has 5 cells"}, "5": {"amount", `amount "abc"`}}},
		{name: "duplicate order ids with different content", file: "o.csv", content: ordersHeader + "A1,C1,2024-01-01,1\nA1,C1,2024-01-01,2\nA1,C1,2024-01-01,1\n",
			wantCreated: 1, wantRejects: map[string][2]string{"3": {"order_id", "duplicate order id A1 with different content from line 2 (kept the first)"},
				"4": {"order_id", "duplicate order id A1: same content as line 2"}}},
		{name: "xlsx that is not a spreadsheet", file: "o.xlsx", content: ordersHeader + "A1,C1,2024-01-01,1\n", wantErr: "not an XLSX spreadsheet"},
		{name: "missing customer", file: "o.csv", content: ordersHeader + "A1,,2024-01-01,1\n", wantRejects: map[string][2]string{"2": {"customer_id", "no customer id, phone or email"}}},
		{name: "emails that are none", file: "o.csv", content: "订单号,邮箱,下单时间,实付金额\nA1,li at x.com,2024-01-01,1\nA2,li@,2024-01-01,1\nA3,mailto:Li@X.com,2024-01-01,1\n",
			wantCreated: 1, wantRejects: map[string][2]string{"2": {"email", `"li at x.com" is not an email address`}, "3": {"email", `"li@" is not an email address`}}},
	}
	for _, engine := range storetest.Engines(t) {
		for _, tt := range tests {
			t.Run(engine+"/"+tt.name, func(t *testing.T) {
				s := storetest.Open(t, engine)
				path := file(t, tt.file, tt.content)
				sum, err := run(t, s, importer.Orders, path, importer.Options{BatchSize: 2})
				counts, cerr := s.Counts(context.Background())
				if cerr != nil {
					t.Fatal(cerr)
				}
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path) {
						t.Fatalf("error = %v, want one naming %s and saying %q", err, path, tt.wantErr)
					}
					if counts.Orders != 0 || counts.Customers != 0 {
						t.Fatalf("a refused file imported %+v", counts)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if sum.Created != tt.wantCreated || int(counts.Orders) != tt.wantCreated || sum.Rejected != len(tt.wantRejects) {
					t.Fatalf("summary %+v, orders in db %d; want %d created, %d rejected", sum, counts.Orders, tt.wantCreated, len(tt.wantRejects))
				}
				if sum.Read != sum.Created+sum.Updated+sum.Unchanged+sum.Rejected {
					t.Errorf("read %d != created+updated+unchanged+rejected in %+v", sum.Read, sum)
				}
				if len(tt.wantRejects) == 0 {
					if sum.RejectsPath != "" {
						t.Errorf("rejects file %s written with no rejects", sum.RejectsPath)
					}
					return
				}
				rows := readRejects(t, sum)
				if strings.Join(rows[0][:3], ",") != "line,field,reason" {
					t.Errorf("rejects header = %q", rows[0])
				}
				if len(rows)-1 != len(tt.wantRejects) {
					t.Fatalf("rejects file has %d rows, want %d: %q", len(rows)-1, len(tt.wantRejects), rows)
				}
				for _, r := range rows[1:] {
					want, ok := tt.wantRejects[r[0]]
					if !ok {
						t.Errorf("unexpected reject at line %s: %q", r[0], r[:3])
						continue
					}
					if r[1] != want[0] || !strings.Contains(r[2], want[1]) {
						t.Errorf("line %s rejected as (%q, %q), want (%q, ~%q)", r[0], r[1], r[2], want[0], want[1])
					}
					if len(r) < 4 {
						t.Errorf("line %s: the original cells are missing from the rejects file", r[0])
					}
				}
				// Re-running gives the same rejects and changes nothing.
				again, err := run(t, s, importer.Orders, path, importer.Options{BatchSize: 2})
				if err != nil {
					t.Fatal(err)
				}
				if again.Created != 0 || again.Updated != 0 || again.Unchanged != tt.wantCreated || again.Rejected != len(tt.wantRejects) {
					t.Errorf("re-run = %+v", again)
				}
			})
		}
	}
}

func TestImportKinds(t *testing.T) {
	customers := "会员号,姓名,手机,邮箱,性别,生日,城市,标签,推荐人,负责人,会员等级,积分\n" +
		"M1,张三,+86 138-0013-8000,ZS@Example.com,男,农历1990-08-15,上海,VIP、宝妈,M2,rep@shop.cn,金卡,1200\n" +
		// Two numbers and two addresses: the seconds kept as written.
		"M2,Alice Wang,13900139000/13600136000,\"Alice <Alice@Example.com>; alice@work.cn\",female,08-15,北京,,,,,\n" +
		"M3,王五,13700137000,,女,1988年2月30日,广州,,,,,\n" // no such day: kept without it
	lines := "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n" +
		"536365,85123A,WHITE HANGING HEART,6,12/1/2010 8:26,2.55,M1,United Kingdom\n" +
		"536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,M1,United Kingdom\n" +
		"536366,22633,HAND WARMER,6,12/1/2010 8:28,1.85,M2,United Kingdom\n" +
		"C536379,D,Discount,-1,12/1/2010 9:41,27.50,M2,United Kingdom\n" +
		"536365,84406B,CREAM CUPID HEARTS,８,12/1/2010 8:26,2.75,M1,United Kingdom\n" // same order, not adjacent; a full-width 8
	spend := "月份,渠道,类型,金额\n2024-01,抖音,营销,\"¥1,000\"\n2024-01,抖音,营销,500\n2024-01,抖音,销售,200\n2024年2月,微信,返现,50\n2024-02,微信,???,1\n"
	traffic := "日期,渠道,访客数,下单人数\n2024-01-01,抖音,1000,20\n2024-01-01,抖音,500,5\n2024-01-02,抖音,-3,1\n2024-01-03,抖音,20,400\n"
	products := "商品编码,商品名称,品类,消耗周期\nSK-1,精华,护肤,45\nSK-2,面膜,护肤,30\nSK-1,精华,护肤,40\n"
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			if _, err := s.UpsertStaff(context.Background(), "Rep", "rep@shop.cn", "rep", "", 10); err != nil {
				t.Fatal(err)
			}
			steps := []struct {
				kind                      importer.Kind
				content                   string
				opts                      importer.Options
				created, rejected, unchgd int
			}{
				{importer.Customers, customers, importer.Options{}, 3, 0, 0},
				{importer.Lines, lines, importer.Options{DateOrder: importer.DateMDY, Currency: "GBP", Location: time.UTC}, 3, 0, 0},
				{importer.Spend, spend, importer.Options{}, 3, 1, 0},
				{importer.Traffic, traffic, importer.Options{}, 1, 2, 0},
				{importer.Products, products, importer.Options{}, 2, 1, 0},
			}
			for _, st := range steps {
				path := file(t, string(st.kind)+".csv", st.content)
				sum, err := run(t, s, st.kind, path, st.opts)
				if err != nil {
					t.Fatalf("%s: %v", st.kind, err)
				}
				if sum.Created != st.created || sum.Rejected != st.rejected {
					t.Errorf("%s: %+v, want %d created, %d rejected", st.kind, sum, st.created, st.rejected)
				}
				again, err := run(t, s, st.kind, path, st.opts)
				if err != nil {
					t.Fatal(err)
				}
				if again.Created != 0 || again.Updated != 0 || again.Rejected != st.rejected {
					t.Errorf("%s re-run: %+v, want nothing changed", st.kind, again)
				}
			}
			ctx := context.Background()
			v, err := s.CustomerView(ctx, "13800138000", 10)
			if err != nil {
				t.Fatal(err)
			}
			if v.ExternalID != "M1" || v.Email != "zs@example.com" || !v.BirthdayLunar || v.Birthday != "1990-08-15" ||
				v.Attrs["会员等级"] != "金卡" || v.Attrs["积分"] != "1200" || strings.Join(v.Tags, "|") != "VIP|宝妈" || v.Owner != "Rep" {
				t.Errorf("M1 = %+v", v.Customer)
			}
			// M1's referrer M2 comes later in the file and is still found.
			if v.Referrer == nil || v.Referrer.ExternalID != "M2" {
				t.Errorf("M1 referrer = %+v, want M2", v.Referrer)
			}
			if len(v.Orders) != 1 || v.Orders[0].Lines != 3 || v.Totals.Revenue != 6*255+6*339+8*275 || v.Orders[0].Currency != "GBP" {
				t.Errorf("M1 orders %+v totals %+v: want one order of 3 lines", v.Orders, v.Totals)
			}
			v2, err := s.CustomerView(ctx, "M2", 10)
			if err != nil {
				t.Fatal(err)
			}
			if v2.Birthday != "0000-08-15" || len(v2.Referred) != 1 || v2.Referred[0].ExternalID != "M1" {
				t.Errorf("M2 = %+v", v2.Customer)
			}
			if v2.Phone != "13900139000" || v2.Attrs["手机"] != "13900139000/13600136000" {
				t.Errorf("M2 phone %q, attrs %v: want the first number, and the cell as written", v2.Phone, v2.Attrs)
			}
			if v2.Email != "alice@example.com" || v2.Attrs["邮箱"] != "Alice <Alice@Example.com>; alice@work.cn" {
				t.Errorf("M2 email %q, attrs %v: want the first address, and the cell as written", v2.Email, v2.Attrs)
			}
			if _, ok := v.Attrs["邮箱"]; ok {
				t.Errorf("M1 attrs %v: an email cell with one address is not kept again", v.Attrs)
			}
			if _, ok := v.Attrs["手机"]; ok {
				t.Errorf("M1 attrs %v: a phone cell with one number is not kept again", v.Attrs)
			}
			v3, err := s.CustomerView(ctx, "M3", 10)
			if err != nil || v3.Birthday != "" || v3.Attrs["生日"] != "1988年2月30日" {
				t.Errorf("M3 = %+v %v: want no birthday, and the cell among the attributes", v3.Customer, err)
			}
			if v2.Totals.Refunds != 1 || v2.Totals.Refunded != 2750 || v2.Totals.Orders != 1 {
				t.Errorf("M2 totals = %+v: the C-invoice is a refund", v2.Totals)
			}
			counts, err := s.Counts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if counts.Spend != 3 || counts.Traffic != 1 || counts.Products != 2 || counts.Lines != 5 {
				t.Errorf("counts = %+v", counts)
			}
		})
	}
}

func TestImportWithoutOrderIDs(t *testing.T) {
	// Two identical purchases stay two orders; a re-run finds the same keys.
	content := "手机,下单时间,金额\n13800138000,2024-01-01 10:00,10\n13800138000,2024-01-01 10:00,10\n13900139000,2024-01-02,5\n"
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			path := file(t, "o.csv", content)
			sum, err := run(t, s, importer.Orders, path, importer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Created != 3 || sum.Customers != 2 {
				t.Fatalf("first run %+v: want 3 orders, 2 customers", sum)
			}
			again, err := run(t, s, importer.Orders, path, importer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if again.Unchanged != 3 || again.Created != 0 {
				t.Fatalf("re-run %+v: want 3 unchanged", again)
			}
			v, err := s.CustomerView(context.Background(), "+86 13800138000", 10)
			if err != nil {
				t.Fatal(err)
			}
			if v.Totals.Orders != 2 || v.Totals.Revenue != 2000 {
				t.Errorf("totals %+v: want both identical orders", v.Totals)
			}
		})
	}
}

// writeXLSX puts rows on f's first sheet from row first down and saves it.
func writeXLSX(t *testing.T, f *excelize.File, first int, rows [][]any) string {
	t.Helper()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, first+i)
		f.SetSheetRow("Sheet1", cell, &r)
	}
	p := filepath.Join(t.TempDir(), "orders.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportXLSX(t *testing.T) {
	p := writeXLSX(t, excelize.NewFile(), 1, [][]any{{"订单号", "客户编号", "下单时间", "实付金额"},
		{"A1", "C1", 45322.5, 12.5}, {"A2", "C2", "2024-02-01", "not money"}})
	s := storetest.Open(t, "sqlite")
	sum, err := run(t, s, importer.Orders, p, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != 1 || sum.Rejected != 1 {
		t.Fatalf("%+v", sum)
	}
	v, err := s.CustomerView(context.Background(), "C1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Orders[0].OrderedAt.In(shanghai).Format("2006-01-02 15:04"); got != "2024-01-31 12:00" {
		t.Errorf("serial 45322.5 imported as %s, want 2024-01-31 12:00", got)
	}
	if rj := readRejects(t, sum); rj[1][0] != "3" || rj[1][1] != "amount" {
		t.Errorf("rejects %q", rj)
	}
}

// A workbook in the 1904 date system (older Mac Excel) counts serials
// 1,462 days later: its dates import as the same days, birthdays too.
func TestImportXLSXDate1904(t *testing.T) {
	f := excelize.NewFile()
	on := true
	if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &on}); err != nil {
		t.Fatal(err)
	}
	p := writeXLSX(t, f, 1, [][]any{{"订单号", "客户编号", "下单时间", "实付金额"}, {"A1", "C1", 45322.5 - 1462, 12.5}})
	s := storetest.Open(t, "sqlite")
	if sum, err := run(t, s, importer.Orders, p, importer.Options{}); err != nil || sum.Created != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	v, err := s.CustomerView(context.Background(), "C1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Orders[0].OrderedAt.In(shanghai).Format("2006-01-02 15:04"); got != "2024-01-31 12:00" {
		t.Errorf("1904 serial %v imported as %s, want 2024-01-31 12:00", 45322.5-1462, got)
	}
	g := excelize.NewFile()
	g.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &on})
	q := writeXLSX(t, g, 1, [][]any{{"会员号", "姓名", "生日"}, {"C9", "王五", 33000 - 1462}})
	if sum, err := run(t, s, importer.Customers, q, importer.Options{}); err != nil || sum.Created != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	if c, err := s.CustomerView(context.Background(), "C9", 1); err != nil || c.Customer.Birthday != "1990-05-07" {
		t.Errorf("birthday from a 1904 serial: %+v %v, want 1990-05-07", c, err)
	}
}

// TestTitleRows: exports that open with a report title, the export time or
// a filter above the header still import, with rejects at their real line
// numbers; a file whose header is nowhere near the top is still refused with
// the first row's error.
func TestTitleRows(t *testing.T) {
	body := "A1,C1,2024-01-05,12.50\nA2,C2,2024-01-06,x\n"
	tests := []struct {
		name, content, wantErr string
		headerLine             int // 0: the file's first line
	}{
		{name: "no title", content: ordersHeader + body},
		{name: "one-cell title", content: "订单导出报表（2024年1月）\n" + ordersHeader + body, headerLine: 2},
		{name: "title and export time, blank line", content: "订单导出报表\n导出时间：2024-02-01 10:00\n\n" + ordersHeader + body, headerLine: 4},
		{name: "title padded by Excel", content: "订单导出报表,,,\n,,,\n" + ordersHeader + body, headerLine: 3},
		{name: "english title with spaces, semicolons", content: "Order export January 2024\n" +
			strings.ReplaceAll(ordersHeader+body, ",", ";"), headerLine: 2},
		{name: "filter row with two cells", content: "店铺,旗舰店\n" + ordersHeader + body, headerLine: 2},
		// A payment bill's title block: 22 lines above Alipay's header.
		{name: "a bill's title block", content: strings.Repeat("说明\n", 30) + ordersHeader + body, headerLine: 31},
		{name: "too many title rows", content: strings.Repeat("说明\n", 31) + ordersHeader + body,
			wantErr: "missing required column"},
		{name: "no header at all", content: "说明\n" + body, wantErr: "missing required column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storetest.Open(t, "sqlite")
			path := file(t, "o.csv", tt.content)
			var described string
			sum, err := run(t, s, importer.Orders, path, importer.Options{Mapped: func(d *kith.Message, _ *importer.Mapping) { described = d.String() }})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sum.Created != 1 || sum.Rejected != 1 || sum.Read != 2 {
				t.Fatalf("summary %+v, want 2 read, 1 created, 1 rejected", sum)
			}
			line := max(tt.headerLine, 1)
			if got := strings.Contains(described, "header on line"); got != (tt.headerLine > 0) ||
				tt.headerLine > 0 && !strings.HasSuffix(described, fmt.Sprintf("header on line %d", tt.headerLine)) {
				t.Errorf("described as %q, want the header's line %d named", described, tt.headerLine)
			}
			rj := readRejects(t, sum)
			if want := fmt.Sprint(line + 2); rj[1][0] != want || rj[1][1] != "amount" || strings.Join(rj[0][3:], ",") != strings.TrimSpace(ordersHeader) {
				t.Errorf("rejects %q, want the amount of line %s under the real header", rj, want)
			}
		})
	}
}

// An XLSX report with a merged title cell above the header.
func TestTitleRowsXLSX(t *testing.T) {
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "会员订单明细")
	f.MergeCell("Sheet1", "A1", "D1")
	p := writeXLSX(t, f, 3, [][]any{{"订单号", "客户编号", "下单时间", "实付金额"}, {"A1", "C1", 45322.5, 12.5}})
	s := storetest.Open(t, "sqlite")
	sum, err := run(t, s, importer.Orders, p, importer.Options{})
	if err != nil || sum.Created != 1 || sum.Rejected != 0 || !strings.HasSuffix(sum.Format.String(), "header on line 3") {
		t.Fatalf("%+v %v", sum, err)
	}
}

// TestPlatformExports: order exports as Taobao and Pinduoduo write them
// import without --map: their headers, their statuses, their refund column,
// ids kept as text for Excel, and masked phones.
func TestPlatformExports(t *testing.T) {
	taobao := "订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间,订单付款时间 ,收货人姓名,联系手机,宝贝总数量,退款金额\n" +
		`="3391234567890123456",tb_zhang,99.00,交易成功,2024-01-05 10:00:01,2024-01-05 10:01:02,张三,'13800138000,1,0.00` + "\n" +
		`="3391234567890123457",tb_zhang,199.00,交易关闭,2024-01-06 10:00:01,,张三,'13800138000,1,0.00` + "\n" +
		`="3391234567890123458",tb_li,59.90,卖家已发货，等待买家确认,2024-01-07 10:00:01,2024-01-07 10:02:00,李四,138****9000,2,0.00` + "\n" +
		`="3391234567890123459",tb_li,88.00,交易成功,2024-01-08 10:00:01,2024-01-08 10:02:00,李四,138****9000,1,88.00` + "\n" +
		`="3391234567890123460",tb_li,100.00,交易成功,2024-01-09 10:00:01,2024-01-09 10:02:00,李四,138****9000,1,30.00` + "\n"
	pdd := "订单号,订单状态,商家实收金额(元),成交时间,收货人,手机\n" +
		"240105-123456789012345,已签收,25.80,2024-01-05 10:00:01,王五,13700137000\n" +
		"240106-123456789012346,\"已发货，退款成功\",12.00,2024-01-06 10:00:01,王五,13700137000\n" +
		"240107-123456789012347,待发货,9.90,2024-01-07 10:00:01,赵六,137****0001\n"
	for _, c := range []struct {
		name, content string
		mapped        []string
		created       int
		rejectedLines []string
		customer      string
		wantRevenue   int64 // paid revenue of customer, minor units
		wantOrders    int
	}{
		{"taobao", taobao, []string{`"订单编号" -> order_id`, `"买家会员名" -> customer_id`, `"买家实际支付金额" -> amount`, `"订单状态" -> status`,
			`"订单创建时间" -> ordered_at`, `"收货人姓名" -> name`, `"联系手机" -> phone`, `"退款金额" -> refund_amount`},
			5, nil, "tb_li", 5990 + 7000, 3},
		{"pinduoduo", pdd, []string{`"订单号" -> order_id`, `"商家实收金额(元)" -> amount`, `"成交时间" -> ordered_at`, `"手机" -> phone`},
			2, []string{"4"}, "13700137000", 2580, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := storetest.Open(t, "sqlite")
			var mapped string
			sum, err := run(t, s, importer.Orders, file(t, c.name+".csv", c.content), importer.Options{
				Mapped: func(_ *kith.Message, m *importer.Mapping) { mapped = m.Describe().String() }})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range c.mapped {
				if !strings.Contains(mapped, m) {
					t.Errorf("mapping %s lacks %s", mapped, m)
				}
			}
			if sum.Created != c.created || sum.Rejected != len(c.rejectedLines) {
				t.Fatalf("summary %+v", sum)
			}
			if len(c.rejectedLines) > 0 {
				rj := readRejects(t, sum)
				if rj[1][0] != c.rejectedLines[0] || rj[1][1] != "phone" || !strings.Contains(rj[1][2], "hidden digits") {
					t.Errorf("rejects %q", rj)
				}
			}
			v, err := s.CustomerView(context.Background(), c.customer, 10)
			if err != nil {
				t.Fatal(err)
			}
			var paid int64
			for _, o := range v.Orders {
				if o.Status == "paid" {
					paid += o.Amount
				}
				if strings.ContainsAny(o.ExternalID, `="'`) {
					t.Errorf("order id %q keeps Excel's text marks", o.ExternalID)
				}
			}
			if paid != c.wantRevenue || len(v.Orders) != c.wantOrders || v.Phone != "" && strings.Contains(v.Phone, "*") {
				t.Errorf("%s: %d orders, paid %d, phone %q; want %d orders, paid %d", c.customer, len(v.Orders), paid, v.Phone, c.wantOrders, c.wantRevenue)
			}
		})
	}
}

// Options.Channel (--channel) fills the channel of rows without one; a
// row's own channel wins.
func TestDefaultChannel(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	content := "订单号,客户编号,下单时间,实付金额,渠道\nA1,C1,2024-01-05,9,\nA2,C2,2024-01-06,9,抖音\n"
	sum, err := run(t, s, importer.Orders, file(t, "o.csv", content), importer.Options{Channel: " 淘宝 "})
	if err != nil || sum.Created != 2 {
		t.Fatalf("%+v %v", sum, err)
	}
	for id, want := range map[string]string{"C1": "淘宝", "C2": "抖音"} {
		v, err := s.CustomerView(context.Background(), id, 1)
		if err != nil || v.Channel != want || v.Orders[0].Channel != want {
			t.Errorf("%s: customer channel %q, order channel %q, want %q (%v)", id, v.Channel, v.Orders[0].Channel, want, err)
		}
	}
}

// Spend or traffic with no channel counts for the whole shop: the import
// says so, unless the rows were given one.
func TestNoChannelWarning(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	for _, c := range []struct {
		kind    importer.Kind
		content string
		channel string
		warn    bool
	}{
		{importer.Spend, "日期,消耗(元)\n2024-03-01,100\n", "", true},
		{importer.Spend, "日期,消耗(元)\n2024-03-02,100\n", "直通车", false},
		{importer.Spend, "日期,推广渠道,消耗(元)\n2024-03-03,直通车,100\n", "", false},
		{importer.Spend, "日期,消耗(元)\n2024-03-04,oops\n", "", false}, // nothing counted
		{importer.Traffic, "日期,访客数\n2024-03-01,100\n", "", true},
		{importer.Traffic, "日期,流量来源,访客数\n2024-03-01,搜索,100\n", "", false},
		{importer.Orders, "订单号,客户编号,下单时间,金额\nA1,C1,2024-03-01,9\n", "", false},
	} {
		sum, err := run(t, s, c.kind, file(t, "f.csv", c.content), importer.Options{Channel: c.channel})
		if err != nil {
			t.Fatal(err)
		}
		warned := slices.ContainsFunc(sum.Warnings, func(w *kith.Message) bool { return strings.Contains(w.String(), "no channel column") })
		if warned != c.warn {
			t.Errorf("%s %q (--channel %q): warnings %v, want the no-channel one: %v", c.kind, c.content, c.channel, sum.Warnings, c.warn)
		}
	}
}

// The totals row that reports end with is passed over with a warning, not
// rejected (exit 3 on every such export) nor imported.
// checkWarnings fails t unless sum warned with a message holding want (no
// warning at all when want is "") and rejected that many rows.
func checkWarnings(t *testing.T, sum *importer.Summary, want string, rejected int) {
	t.Helper()
	warned := ""
	for _, w := range sum.Warnings {
		warned += w.Error() + "\n"
	}
	if want == "" && warned != "" || want != "" && !strings.Contains(warned, want) || sum.Rejected != rejected {
		t.Errorf("warnings %q, %d rejected; want %q, %d", warned, sum.Rejected, want, rejected)
	}
}

func TestTotalsRows(t *testing.T) {
	for _, c := range []struct {
		name, tail string
		want       string // the warning
		rejected   int
	}{
		{"合计", "合计,,,42.50\n", "line 4 is a totals row", 0},
		{"Total: in the second column", ",Total:,,42.50\n", "line 4 is a totals row", 0},
		{"subtotals", "小计,,,12.50\nA3,C3,2024-01-07,1\n总计：,,,43.50\n", "2 totals rows (合计/Total, lines 4, 6)", 0},
		{"a customer named Total is a record", "A3,Total,2024-01-07,1\n", "", 0},
		{"a word in the third column is not", ",,合计,42.50\n", "", 1},
		{"a total word before its count", "总计：2 笔,,,42.50\n", "line 4 is a totals row", 0},
		// A sum left without its label: no order, customer or time, and
		// numbers only.
		{"a sum without its label", ",,,\"¥42.50\"\n", "line 4 has numbers only", 0},
		{"sums without labels", ",,,42.50\n,,,42.50\n", "2 rows (lines 4, 5) have numbers only", 0},
		{"no order but a word is a reject", ",,,42.50 含运费\n", "", 1},
		{"a customer but no order id is a reject", ",C3,,42.50\n", "", 1},
		// WeChat Pay's merchant bill: the totals' names on a row, their
		// values below, every cell behind a backtick.
		{"a totals block: names, then values", "总交易单数,应结订单总金额,退款总金额\n`2,`42.50,`0.00\n", "2 totals rows (合计/Total, lines 4, 5)", 0},
		{"numbers below no names are a reject", "`2,`42.50,`0.00\n", "", 1},
		{"names with a digit are no totals", "总交易单数,2024年总金额,,\n", "", 1},
		{"a line of dashes between parts is no record", "------------------------------------,,,\n", "", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := storetest.Open(t, "sqlite")
			sum, err := run(t, s, importer.Orders, file(t, "o.csv", ordersHeader+"A1,C1,2024-01-05,12.50\nA2,C2,2024-01-06,30\n"+c.tail), importer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkWarnings(t, sum, c.want, c.rejected)
			if sum.Read != sum.Created+sum.Updated+sum.Unchanged+sum.Rejected {
				t.Errorf("read %d != created+updated+unchanged+rejected in %+v", sum.Read, sum)
			}
		})
	}
	// Subtotals after every group make one warning, not one each.
	s := storetest.Open(t, "sqlite")
	sum, err := run(t, s, importer.Orders, file(t, "o.csv", ordersHeader+"A1,C1,2024-01-05,12.50\n"+strings.Repeat("小计,,,1\n", 5)), importer.Options{})
	if err != nil || len(sum.Warnings) != 1 || !strings.Contains(sum.Warnings[0].Error(), "lines 3, 4, 5 and 2 more") {
		t.Errorf("five totals rows: %q %v", sum.Warnings, err)
	}
}

// TestHeaderAgain: files joined into one have the header again among their
// rows. The same header is passed over; the same columns in another order
// are too, and the rows below it are read in that order, until a header
// in the first order comes again.
func TestHeaderAgain(t *testing.T) {
	const moved = "客户编号,实付金额,订单号,下单时间\n"
	for _, c := range []struct {
		name, body string
		want       string // the warning
		rejected   int
		orders     string // C2's and C3's orders: id amount
	}{
		{"the same header", ordersHeader + "A2,C2,2024-01-06,30\n", "line 3 is the header again", 0, "A2 3000"},
		{"with spaces and cells left blank after it", " 订单号 ,客户编号,下单时间,实付金额,,\nA2,C2,2024-01-06,30\n", "line 3 is the header again", 0, "A2 3000"},
		{"its columns in another order", moved + "C2,30,A2,2024-01-06\nC3,7,A3,2024-01-07\n",
			"line 3 is the header with its columns in another order", 0, "A2 3000|A3 700"},
		{"and back", moved + "C2,30,A2,2024-01-06\n" + ordersHeader + "A3,C3,2024-01-07,7\n",
			"line 3 is the header with its columns in another order", 0, "A2 3000|A3 700"},
		{"twice", ordersHeader + "A2,C2,2024-01-06,30\n" + ordersHeader + "A3,C3,2024-01-07,7\n", "2 rows (lines 3, 5) are the header again", 0, "A2 3000|A3 700"},
		// A file joined after the first begins with its byte-order mark.
		{"after a byte-order mark", "\ufeff" + ordersHeader + "A2,C2,2024-01-06,30\n", "line 3 is the header again", 0, "A2 3000"},
		// Not a header: a column missing, or a name twice.
		{"a column missing", "订单号,客户编号,下单时间\nA2,C2,2024-01-06,30\n", "", 1, "A2 3000"},
		{"a name twice", "订单号,客户编号,订单号,实付金额\nA2,C2,2024-01-06,30\n", "", 1, "A2 3000"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := storetest.Open(t, "sqlite")
			sum, err := run(t, s, importer.Orders, file(t, "o.csv", ordersHeader+"A1,C1,2024-01-05,12.50\n"+c.body), importer.Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkWarnings(t, sum, c.want, c.rejected)
			var got []string
			for _, key := range []string{"C2", "C3"} {
				v, err := s.CustomerView(context.Background(), key, 10)
				if errors.Is(err, kith.ErrNotFound) {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range v.Orders {
					got = append(got, fmt.Sprintf("%s %d", o.ExternalID, o.Amount))
				}
			}
			if strings.Join(got, "|") != c.orders {
				t.Errorf("orders %q, want %q", got, c.orders)
			}
		})
	}
	// A member list joined the same way.
	s := storetest.Open(t, "sqlite")
	sum, err := run(t, s, importer.Customers, file(t, "c.csv", "客户编号,姓名\nC1,张三\n姓名,客户编号\n李四,C2\n"), importer.Options{})
	if err != nil || sum.Created != 2 || sum.Rejected != 0 {
		t.Fatalf("%+v %v", sum, err)
	}
	if v, err := s.CustomerView(context.Background(), "C2", 1); err != nil || v.Customer.Name != "李四" {
		t.Errorf("C2 = %+v %v, want 李四", v.Customer, err)
	}
}

// TestExcelErrorValues: a cell holding a spreadsheet's error value (#N/A
// from a VLOOKUP that found nothing) is no value. Where a value is needed
// the row is rejected saying so; elsewhere it is read as blank, with a
// warning: not a customer named #N/A, nor a channel #N/A in the reports,
// nor one customer #N/A that every failed lookup's orders would join.
func TestExcelErrorValues(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	ctx := context.Background()
	sum, err := run(t, s, importer.Orders, file(t, "o.csv", "订单号,客户编号,姓名,渠道,下单时间,实付金额,城市\n"+
		"A1,C1,#N/A,#N/A,2024-01-05,12,#REF!\n"+
		"A2,C2,张三,抖音,2024-01-05,#VALUE!,上海\n"+
		"A3,#N/A,李四,抖音,2024-01-05,3,上海\n"+
		"A4,#N/A,王五,抖音,2024-01-05,4,上海\n"+
		"A5,C5,赵六,抖音,Err:502,5,上海\n"+
		"A6,C6,#NAME?,抖音,2024-01-05,6,上海\n"), importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != 2 || sum.Rejected != 4 || len(sum.Warnings) != 1 || !strings.Contains(sum.Warnings[0].Error(), "2 rows (lines 2, 7) have cells with a spreadsheet's error value") {
		t.Fatalf("%+v %q, want A1 and A6 kept with a warning, the rest rejected", sum, sum.Warnings)
	}
	want := map[string]string{"3": "amount: #VALUE!", "4": "customer_id: #N/A", "5": "customer_id: #N/A", "6": "ordered_at: Err:502"}
	for _, rj := range readRejects(t, sum)[1:] { // line, field, reason, cells
		if w := want[rj[0]]; w == "" || rj[1]+": "+strings.Fields(rj[2])[0] != w || !strings.Contains(rj[2], "a formula that failed") {
			t.Errorf("line %s rejected: %s %s, want %q", rj[0], rj[1], rj[2], w)
		}
	}
	v, err := s.CustomerView(ctx, "C1", 10)
	if err != nil {
		t.Fatal(err)
	}
	if v.Name != "" || v.Channel != "" || v.City != "" || len(v.Orders) != 1 || v.Orders[0].Channel != "" {
		t.Errorf("C1 = %+v, orders %+v: want no name, channel or city", v.Customer, v.Orders)
	}
	// A member list's own columns: an error value is no attribute either.
	sum, err = run(t, s, importer.Customers, file(t, "c.csv", "客户编号,姓名,会员等级\nC1,张三,#N/A\n"), importer.Options{})
	if err != nil || sum.Updated != 1 || len(sum.Warnings) != 1 || !strings.Contains(sum.Warnings[0].Error(), "line 2 has a cell with a spreadsheet's error value") {
		t.Fatalf("%+v %q %v", sum, sum.Warnings, err)
	}
	if v, err := s.CustomerView(ctx, "C1", 1); err != nil || v.Name != "张三" || len(v.Attrs) != 0 {
		t.Errorf("C1 = %+v %v, want no attributes", v.Customer, err)
	}
}

// TestInvisibleMarks: an id copied from a web page or a chat app may carry
// a zero-width space or a byte-order mark; it is the same id without them.
func TestInvisibleMarks(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	sum, err := run(t, s, importer.Orders, file(t, "o.csv", ordersHeader+
		"A1,C1,2024-01-05,12\n"+
		"A2,C1\u200b,2024-01-06,13\n"+
		"\u200bA3,\ufeffC1 ,2024-01-07,14\n"+
		"A4,C\u200b1,2024-01-08,15\n"), importer.Options{}) // inside an id it stays
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != 4 || sum.Customers != 2 {
		t.Fatalf("%+v, want 4 orders and 2 customers", sum)
	}
	v, err := s.CustomerView(context.Background(), "C1", 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range v.Orders {
		ids = append(ids, o.ExternalID)
	}
	if slices.Sort(ids); strings.Join(ids, " ") != "A1 A2 A3" {
		t.Errorf("C1's orders %q, want A1 A2 A3", ids)
	}
}

// A workbook whose first sheet is a cover or notes sheet: without --sheet
// the data sheet is found; with --sheet, or when no sheet has a header, the
// first sheet's error stands.
// A LibreOffice workbook whose first sheet is a note imports from the
// sheet after it: dates from serials, amounts as written, a formula's value.
func TestLibreOfficeWorkbook(t *testing.T) {
	data, err := os.ReadFile("testdata/libreoffice.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "orders.xlsx")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s := storetest.Open(t, "sqlite")
	sum, err := run(t, s, importer.Orders, p, importer.Options{})
	if err != nil || sum.Created != 3 || sum.Rejected != 0 || len(sum.Warnings) != 1 {
		t.Fatalf("%+v %v, want 3 orders and a warning that 2月 was not read", sum, err)
	}
	v, err := s.CustomerView(context.Background(), "C1", 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range v.Orders {
		got = append(got, fmt.Sprintf("%s %d", o.OrderedAt.In(shanghai).Format("2006-01-02 15:04"), o.Amount))
	}
	if want := []string{"2024-01-31 12:30 1250", "2024-01-20 00:00 123450"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("C1's orders %q, want %q", got, want)
	}
}

func TestDataOnALaterSheet(t *testing.T) {
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "说明：本表为 2024 年 1 月订单")
	f.NewSheet("汇总")
	f.SetSheetRow("汇总", "A1", &[]any{"月份", "销售额"})
	f.SetSheetRow("汇总", "A2", &[]any{"2024-01", 12.5})
	f.NewSheet("订单明细")
	for i, r := range [][]any{{"订单号", "客户编号", "下单时间", "实付金额"}, {"A1", "C1", 45322.5, 12.5}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetSheetRow("订单明细", cell, &r)
	}
	p := writeXLSX(t, f, 1, nil)
	s := storetest.Open(t, "sqlite")
	sum, err := run(t, s, importer.Orders, p, importer.Options{})
	if err != nil || sum.Created != 1 || !strings.Contains(sum.Format.String(), `sheet "订单明细"`) {
		t.Fatalf("%+v %v", sum, err)
	}
	if _, err := run(t, s, importer.Orders, p, importer.Options{Sheet: "汇总"}); err == nil || !strings.Contains(err.Error(), "missing required column") || !strings.Contains(err.Error(), p) {
		t.Errorf("--sheet 汇总: %v", err)
	}
	if _, err := run(t, s, importer.Products, p, importer.Options{}); err == nil || !strings.Contains(err.Error(), "说明") {
		t.Errorf("no sheet with a products header: %v, want the first sheet's error", err)
	}
	// An empty first sheet, as a new workbook has.
	g := excelize.NewFile()
	g.NewSheet("Data")
	for i, r := range [][]any{{"订单号", "客户编号", "下单时间", "实付金额"}, {"B1", "C1", 45322.5, 12.5}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		g.SetSheetRow("Data", cell, &r)
	}
	q := filepath.Join(t.TempDir(), "empty-first.xlsx")
	if err := g.SaveAs(q); err != nil {
		t.Fatal(err)
	}
	if sum, err := run(t, s, importer.Orders, q, importer.Options{}); err != nil || sum.Created != 1 || !strings.Contains(sum.Format.String(), `sheet "Data"`) {
		t.Errorf("empty first sheet: %+v %v", sum, err)
	}
}

// A file with a title above its header still reports its progress in bytes.
func TestTitleRowsProgress(t *testing.T) {
	var b strings.Builder
	b.WriteString("订单导出报表\n" + ordersHeader)
	for i := range 20000 {
		fmt.Fprintf(&b, "A%d,C%d,2024-01-05,1\n", i, i%50)
	}
	s := storetest.Open(t, "sqlite")
	var done, total int64
	_, err := run(t, s, importer.Orders, file(t, "o.csv", b.String()), importer.Options{Progress: func(_ int, d, tot int64) { done, total = d, tot }})
	if err != nil || total != int64(b.Len()) || done == 0 {
		t.Errorf("progress %d of %d bytes (file %d): %v", done, total, b.Len(), err)
	}
}

// A rejects file imported again as it is: its own line, field and reason
// columns are not read as data, and its rejects file does not repeat them.
func TestRejectsFileImportedAgain(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	path := file(t, "o.csv", "订单号,客户编号,下单时间,金额\nA1,C1,2024-01-01,10\nA2,C1,never,12\n")
	if sum, err := run(t, s, importer.Orders, path, importer.Options{}); err != nil || sum.Rejected != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	again := filepath.Join(t.TempDir(), "again.csv")
	data, _ := os.ReadFile(importer.DefaultRejectsPath(path))
	os.WriteFile(again, data, 0o644)
	var described string
	sum, err := run(t, s, importer.Orders, again, importer.Options{Mapped: func(_ *kith.Message, m *importer.Mapping) { described = m.Describe().String() }})
	if err != nil || sum.Read != 1 || sum.Rejected != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	if !strings.Contains(described, `"reason" -> ignored`) {
		t.Errorf("columns: %s", described)
	}
	data, _ = os.ReadFile(importer.DefaultRejectsPath(again))
	lines := strings.Split(strings.TrimPrefix(string(data), "\ufeff"), "\n")
	if lines[0] != "line,field,reason,订单号,客户编号,下单时间,金额" || !strings.HasPrefix(lines[1], "2,ordered_at,") || !strings.HasSuffix(lines[1], ",A2,C1,never,12") {
		t.Errorf("rejects of a rejects file:\n%s", data)
	}
}

// A file's own unambiguous dates decide how it writes a/b/yyyy: an export
// with 31/01/2024 in it writes 03/04/2024 day first too. Without a hint,
// with hints both ways, or with --date-order given, nothing is guessed.
func TestDateOrderFromTheFile(t *testing.T) {
	const head = "订单号,客户编号,下单时间,金额\n"
	for _, c := range []struct {
		name, rows string
		opts       importer.Options
		created    int
		format     string // in Summary.Format ("" = no date order said)
		who, first string // a customer and the day of their first order
	}{
		{"day first", "A1,C1,03/04/2024 10:00,1\nA2,C1,05/06/2024,1\nA3,C2,31/01/2024,1\n", importer.Options{}, 3,
			"dates read day first, as line 4 writes them", "C1", "2024-04-03"},
		{"month first", "A1,C1,03/04/2024,1\nA2,C2,01/31/2024,1\n", importer.Options{}, 2,
			"dates read month first, as line 3 writes them", "C1", "2024-03-04"},
		{"no hint", "A1,C1,03/04/2024,1\nA2,C2,2024-01-31,1\n", importer.Options{}, 1, "", "C2", "2024-01-31"},
		{"hints both ways", "A1,C1,03/04/2024,1\nA2,C2,31/01/2024,1\nA3,C3,01/31/2024,1\n", importer.Options{}, 2, "", "C2", "2024-01-31"},
		{"the flag wins", "A1,C1,03/04/2024,1\nA2,C2,31/01/2024,1\n", importer.Options{DateOrder: importer.DateMDY}, 1, "", "C1", "2024-03-04"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := storetest.Open(t, "sqlite")
			sum, err := run(t, s, importer.Orders, file(t, "o.csv", head+c.rows), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Created != c.created || strings.Contains(sum.Format.String(), "dates read") != (c.format != "") ||
				!strings.Contains(sum.Format.String(), c.format) {
				t.Errorf("%+v, format %q; want %d created, %q", sum, sum.Format, c.created, c.format)
			}
			v, err := s.CustomerView(context.Background(), c.who, 10)
			if err != nil || len(v.Orders) == 0 || v.Orders[len(v.Orders)-1].OrderedAt.In(shanghai).Format("2006-01-02") != c.first {
				t.Errorf("first order: %+v %v, want %s", v, err, c.first)
			}
		})
	}
}

// A file given the wrong kind is told which kind its header fits.
func TestWrongKindHint(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	for _, c := range []struct {
		kind          importer.Kind
		content, fits string
	}{
		{importer.Orders, "客户编号,姓名,手机\nC1,张三,13800138000\n", "customers"},
		{importer.Orders, "订单号,客户编号,下单时间,商品编码,数量,单价\nA1,C1,2024-01-01,SKU1,2,10\n", "lines"},
		{importer.Lines, "订单号,客户编号,下单时间,实付金额\nA1,C1,2024-01-01,10\n", "orders"},
		{importer.Traffic, "月份,渠道,费用类型,金额\n2024-01,抖音,营销,100\n", "spend"},
		{importer.Customers, "a,b\n1,2\n", ""},
		// An orders file without its date is still an orders file, though its
		// customer column alone fits customers.
		{importer.Orders, "订单号,客户编号,金额\nA1,C1,10\n", ""},
	} {
		_, err := run(t, s, c.kind, file(t, "f.csv", c.content), importer.Options{})
		hint := "; the header fits " + c.fits + " files: import it as " + c.fits + ";"
		if err == nil || !importer.NoHeader(err) || strings.Contains(err.Error(), "the header fits") != (c.fits != "") ||
			c.fits != "" && !strings.Contains(err.Error(), hint) {
			t.Errorf("%s given %q: %v; want the hint %q", c.kind, c.content, err, hint)
		}
	}
}

// TestImportHTMLExport imports an HTML table saved as .xls in GBK, with a
// title row, a row whose last cells were left out, a bad date and a totals
// row: the rows land as from the same CSV, the bad one is rejected with
// its row number.
func TestImportHTMLExport(t *testing.T) {
	doc := `<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>
<table border="1">
<tr><td colspan="5">订单导出 2024-01</td></tr>
<tr><th>订单号</th><th>客户编号</th><th>下单时间</th><th>实付金额</th><th>备注</th></tr>
<tr><td>A1</td><td>C1</td><td>2024-01-31 10:00:00</td><td>￥1,234.50</td><td>加急</td></tr>
<tr><td>A2</td><td>C2</td><td>2024-02-01</td><td>20</td></tr>
<tr><td>A3</td><td>C1</td><td>not a date</td><td>5</td><td></td></tr>
<tr><td>合计</td><td></td><td></td><td>1259.50</td><td></td></tr>
</table></body></html>`
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(doc)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "订单.xls")
	if err := os.WriteFile(path, []byte(gbk), 0o644); err != nil {
		t.Fatal(err)
	}
	s := storetest.Open(t, "sqlite")
	sum, err := run(t, s, importer.Orders, path, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != 2 || sum.Rejected != 1 || len(sum.FirstRejects) != 1 || sum.FirstRejects[0].Line != 5 || sum.FirstRejects[0].Field != "ordered_at" {
		t.Errorf("summary %+v, want 2 created and row 5's ordered_at rejected", sum)
	}
	if got := sum.Format.String(); !strings.Contains(got, "HTML") || !strings.Contains(got, "GB18030") {
		t.Errorf("format %q, want an HTML table in GB18030", got)
	}
	v, err := s.CustomerView(context.Background(), "C1", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Orders) != 1 || v.Orders[0].Amount != 123450 || v.Orders[0].OrderedAt.In(shanghai).Format("2006-01-02 15:04") != "2024-01-31 10:00" {
		t.Errorf("C1's orders %+v, want A1: 1234.50 on 2024-01-31 10:00", v.Orders)
	}
	if rj := readRejects(t, sum); len(rj) != 2 || rj[1][0] != "5" || rj[1][3] != "A3" {
		t.Errorf("rejects %q, want row 5 (A3) with its cells", rj)
	}
}

// TestImportXML2003 imports orders from an Excel 2003 XML file named .xls
// (dates as DateTime, amounts as Number, rows ending before the last
// column, as Excel writes an empty last cell), from its second worksheet.
func TestImportXML2003(t *testing.T) {
	doc := `<?xml version="1.0"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
<Worksheet ss:Name="说明"><Table><Row><Cell><Data ss:Type="String">导出说明</Data></Cell></Row></Table></Worksheet>
<Worksheet ss:Name="订单"><Table>
<Row><Cell><Data ss:Type="String">订单号</Data></Cell><Cell><Data ss:Type="String">客户编号</Data></Cell><Cell><Data ss:Type="String">下单时间</Data></Cell><Cell><Data ss:Type="String">实付金额</Data></Cell><Cell><Data ss:Type="String">备注</Data></Cell></Row>
<Row><Cell><Data ss:Type="String">A1</Data></Cell><Cell><Data ss:Type="String">C1</Data></Cell><Cell><Data ss:Type="DateTime">2024-01-31T10:00:00.000</Data></Cell><Cell><Data ss:Type="Number">1234.5</Data></Cell></Row>
<Row><Cell><Data ss:Type="String">A2</Data></Cell><Cell><Data ss:Type="String">C2</Data></Cell><Cell><Data ss:Type="String">soon</Data></Cell><Cell><Data ss:Type="Number">20</Data></Cell></Row>
</Table></Worksheet>
<Worksheet ss:Name="2月"><Table><Row><Cell><Data ss:Type="String">订单号</Data></Cell><Cell><Data ss:Type="String">客户编号</Data></Cell><Cell><Data ss:Type="String">下单时间</Data></Cell><Cell><Data ss:Type="String">实付金额</Data></Cell></Row></Table></Worksheet>
</Workbook>`
	path := file(t, "orders.xls", doc)
	s := storetest.Open(t, "sqlite")
	sum, err := run(t, s, importer.Orders, path, importer.Options{Sheet: "订单"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != 1 || sum.Rejected != 1 || sum.FirstRejects[0].Line != 3 {
		t.Errorf("%+v, want A1 created and row 3 rejected", sum)
	}
	v, err := s.CustomerView(context.Background(), "C1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Orders[0].OrderedAt.In(shanghai).Format("2006-01-02 15:04"); got != "2024-01-31 10:00" || v.Orders[0].Amount != 123450 {
		t.Errorf("A1 imported at %s for %d, want 2024-01-31 10:00 for 123450", got, v.Orders[0].Amount)
	}
	// Its worksheets are listed as a workbook's (for --all-sheets), and
	// without --sheet the first one with a header is read, with a warning
	// that names the other one.
	if got := strings.Join(importer.Sheets(path), ","); got != "说明,订单,2月" {
		t.Errorf("Sheets = %q, want 说明,订单,2月", got)
	}
	sum, err = run(t, storetest.Open(t, "sqlite"), importer.Orders, path, importer.Options{})
	if err != nil || sum.Created != 1 || !strings.Contains(sum.Format.String(), `"订单"`) {
		t.Fatalf("without --sheet: %+v %v, want worksheet 订单 read", sum, err)
	}
	if len(sum.Warnings) != 1 || !strings.Contains(sum.Warnings[0].String(), "2月") {
		t.Errorf("warnings %v, want one naming 2月", sum.Warnings)
	}
}

// TestImportXLS imports the legacy workbooks make.pl wrote: the orders on
// the second sheet under a title row, found without --sheet, their dates
// and money as Excel stores them; and a workbook counting from 1904.
func TestImportXLS(t *testing.T) {
	copyOf := func(name string) string {
		b, err := os.ReadFile(filepath.Join("testdata", "xls", name))
		if err != nil {
			t.Fatal(err)
		}
		return file(t, name, string(b))
	}
	s := storetest.Open(t, "sqlite")
	sum, err := run(t, s, importer.Orders, copyOf("orders.xls"), importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Read != 600 || sum.Created != 600 || sum.Rejected != 0 || !strings.Contains(sum.Format.String(), `Excel 97-2003 workbook, sheet "订单"`) {
		t.Errorf("%+v (%s), want 600 orders created from sheet 订单", sum, sum.Format)
	}
	for _, c := range []struct{ customer, order, at string }{
		{"C0007", "XL00007", "2024-08-08 07:07 875"},     // 7 x 1.25
		{"C0010", "XL00310", "2024-11-03 22:10 3100000"}, // 100 x 310
	} {
		v, err := s.CustomerView(context.Background(), c.customer, 10)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for _, o := range v.Orders {
			if o.ExternalID == c.order {
				got = fmt.Sprintf("%s %d", o.OrderedAt.In(shanghai).Format("2006-01-02 15:04"), o.Amount)
			}
		}
		if got != c.at {
			t.Errorf("%s: %q, want %q", c.order, got, c.at)
		}
	}
	s = storetest.Open(t, "sqlite")
	if _, err := run(t, s, importer.Orders, copyOf("dates1904.xls"), importer.Options{}); err != nil {
		t.Fatal(err)
	}
	v, err := s.CustomerView(context.Background(), "C1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Orders[0].OrderedAt.In(shanghai).Format("2006-01-02 15:04"); got != "2024-03-15 09:30" || v.Orders[0].Amount != 9950 {
		t.Errorf("M1 at %s for %d, want 2024-03-15 09:30 for 9950", got, v.Orders[0].Amount)
	}
}

// A hidden sheet (a template, a lookup table, last year's copy) is not
// what the shop sees: the search for a header takes the shown sheets first,
// and a hidden sheet read (named, or the only one with the header) says so.
func TestHiddenSheets(t *testing.T) {
	header := []any{"订单号", "客户编号", "下单时间", "实付金额"}
	// Excel 2003 XML: each worksheet's hidden flag comes after its rows.
	xmlBook := func(hiddenFirst bool) string {
		row := func(cells ...string) string {
			var b strings.Builder
			b.WriteString("<Row>")
			for _, c := range cells {
				b.WriteString(`<Cell><Data ss:Type="String">` + c + `</Data></Cell>`)
			}
			return b.String() + "</Row>"
		}
		head := row("订单号", "客户编号", "下单时间", "实付金额")
		options := ""
		if hiddenFirst {
			options = `<WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel"><Visible>SheetHidden</Visible></WorksheetOptions>`
		}
		return file(t, "orders.xml", `<?xml version="1.0"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
<Worksheet ss:Name="模板"><Table>`+head+row("示例1", "示例客户", "2024-01-01", "1")+`</Table>`+options+`</Worksheet>
<Worksheet ss:Name="1月"><Table>`+head+row("A1", "C1", "2024-01-05", "12.5")+row("A2", "C2", "2024-01-06", "20")+`</Table></Worksheet>
</Workbook>`)
	}
	book := func(hiddenFirst bool) string {
		f := excelize.NewFile()
		f.SetSheetName("Sheet1", "模板")
		f.SetSheetRow("模板", "A1", &header)
		f.SetSheetRow("模板", "A2", &[]any{"示例1", "示例客户", "2024-01-01", 1})
		f.NewSheet("1月")
		f.SetSheetRow("1月", "A1", &header)
		f.SetSheetRow("1月", "A2", &[]any{"A1", "C1", "2024-01-05", 12.5})
		f.SetSheetRow("1月", "A3", &[]any{"A2", "C2", "2024-01-06", 20})
		if hiddenFirst {
			f.SetActiveSheet(1) // Excel will not hide the active sheet
			if err := f.SetSheetVisible("模板", false); err != nil {
				t.Fatal(err)
			}
		}
		p := filepath.Join(t.TempDir(), "orders.xlsx")
		if err := f.SaveAs(p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	warning := func(sum *importer.Summary, start string) string {
		for _, w := range sum.Warnings {
			if strings.HasPrefix(w.String(), start) {
				return w.String()
			}
		}
		return ""
	}
	hiddenWarning := func(sum *importer.Summary) string { return warning(sum, "sheet ") }
	for _, c := range []struct {
		name        string
		hiddenFirst bool
		sheet       string
		wantSheet   string
		wantCreated int
		wantHidden  bool
		unread      string // the warning naming the other sheet with the header
	}{
		{"shown template first", false, "", "模板", 1, false, "sheets 1月 also have a header"},
		{"hidden template first", true, "", "1月", 2, false, "hidden sheets 模板 also have a header"},
		{"hidden sheet named", true, "模板", "模板", 1, true, ""},
		{"shown sheet named", true, "1月", "1月", 2, false, ""},
	} {
		for format, book := range map[string]func(bool) string{"xlsx": book, "xml2003": xmlBook} {
			t.Run(c.name+" "+format, func(t *testing.T) {
				s := storetest.Open(t, "sqlite")
				sum, err := run(t, s, importer.Orders, book(c.hiddenFirst), importer.Options{Sheet: c.sheet})
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(sum.Format.String(), fmt.Sprintf("sheet %q", c.wantSheet)) || sum.Created != c.wantCreated {
					t.Errorf("read %s, created %d; want sheet %s, %d", sum.Format, sum.Created, c.wantSheet, c.wantCreated)
				}
				if w := hiddenWarning(sum); (w != "") != c.wantHidden || c.wantHidden && !strings.Contains(w, c.wantSheet) {
					t.Errorf("hidden-sheet warning %q, want one: %v", w, c.wantHidden)
				}
				unread := warning(sum, "sheets ") + warning(sum, "hidden sheets ")
				if c.unread == "" && unread != "" || !strings.HasPrefix(unread, c.unread) {
					t.Errorf("unread-sheets warning %q, want %q", unread, c.unread)
				}
			})
		}
	}
	// A workbook whose only sheet with the header is hidden is still read.
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "说明")
	f.NewSheet("数据")
	f.SetSheetRow("数据", "A1", &header)
	f.SetSheetRow("数据", "A2", &[]any{"B1", "C1", "2024-01-05", 12.5})
	if err := f.SetSheetVisible("数据", false); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "only-hidden.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	sum, err := run(t, storetest.Open(t, "sqlite"), importer.Orders, p, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != 1 || !strings.Contains(hiddenWarning(sum), "数据") {
		t.Errorf("only a hidden sheet has the header: %+v, warnings %v", sum, sum.Warnings)
	}
}

// A chart sheet (a dashboard kept first) has no rows: without --sheet the
// data is searched for past it, and named it says it is not a worksheet.
func TestChartSheetFirst(t *testing.T) {
	f := excelize.NewFile()
	chart := &excelize.Chart{Type: excelize.Col, Series: []excelize.ChartSeries{{Name: "Data!$D$1", Categories: "Data!$A$2:$A$3", Values: "Data!$D$2:$D$3"}}}
	if err := f.AddChartSheet("图表", chart); err != nil {
		t.Fatal(err)
	}
	f.NewSheet("Data")
	if err := f.DeleteSheet("Sheet1"); err != nil {
		t.Fatal(err)
	}
	for i, r := range [][]any{{"订单号", "客户编号", "下单时间", "实付金额"}, {"A1", "C1", "2024-01-05", 12.5}, {"A2", "C2", "2024-01-06", 20}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetSheetRow("Data", cell, &r)
	}
	p := filepath.Join(t.TempDir(), "dashboard.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	if got := importer.Sheets(p); len(got) != 2 || got[0] != "图表" {
		t.Fatalf("sheets %q, want the chart sheet first", got)
	}
	s := storetest.Open(t, "sqlite")
	sum, err := run(t, s, importer.Orders, p, importer.Options{})
	if err != nil || sum.Created != 2 || !strings.Contains(sum.Format.String(), `sheet "Data"`) {
		t.Fatalf("%+v %v, want 2 orders from Data", sum, err)
	}
	_, err = run(t, s, importer.Orders, p, importer.Options{Sheet: "图表"})
	if err == nil || !strings.Contains(err.Error(), "not a worksheet") || !importer.NoHeader(err) {
		t.Errorf("the chart sheet named: %v, want not a worksheet (a sheet without a header)", err)
	}
}

// Merged cells, as an order export or a ledger kept by hand has them: an
// order's number, buyer and time merged down over its items' rows, a day's
// date over its orders. Read as Excel shows them, the rows below the first
// have their order: as line items each is a line of it; as orders the rows
// repeating an order are passed over, and those with an amount of their
// own (its items) are rejected with the way to import them.
func TestMergedCells(t *testing.T) {
	f := excelize.NewFile()
	book := writeXLSX(t, f, 1, [][]any{
		{"订单号", "客户编号", "下单时间", "商品名称", "数量", "单价", "实付金额"},
		{"A1", "C1", "2024-03-01 10:00", "纸巾", 2, 10, 50},
		{nil, nil, nil, "洗衣液", 1, 30, nil},
		{"A2", "C2", "2024-03-02 11:00", "纸巾", 1, 10, 10},
		{"A3", "C3", "2024-03-03 12:00", "纸巾", 2, 10, 20},
		{nil, nil, nil, "牙膏", 1, 15, 15},
	})
	for _, r := range []string{"A2:A3", "B2:B3", "C2:C3", "G2:G3", "A5:A6", "B5:B6", "C5:C6"} {
		from, to, _ := strings.Cut(r, ":")
		if err := f.MergeCell("Sheet1", from, to); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	html := file(t, "orders.xls", `<table><tr><th>订单号</th><th>客户编号</th><th>下单时间</th><th>商品名称</th><th>数量</th><th>单价</th><th>实付金额</th></tr>
<tr><td rowspan=2>A1</td><td rowspan=2>C1</td><td rowspan=2>2024-03-01 10:00</td><td>纸巾</td><td>2</td><td>10</td><td rowspan=2>50</td></tr>
<tr><td>洗衣液</td><td>1</td><td>30</td></tr>
<tr><td>A2</td><td>C2</td><td>2024-03-02 11:00</td><td>纸巾</td><td>1</td><td>10</td><td>10</td></tr>
<tr><td rowspan=2>A3</td><td rowspan=2>C3</td><td rowspan=2>2024-03-03 12:00</td><td>纸巾</td><td>2</td><td>10</td><td>20</td></tr>
<tr><td>牙膏</td><td>1</td><td>15</td><td>15</td></tr></table>`)
	for _, path := range []string{book, html} {
		t.Run(filepath.Ext(path)+" as line items", func(t *testing.T) {
			s := storetest.Open(t, "sqlite")
			sum, err := run(t, s, importer.Lines, path, importer.Options{})
			if err != nil || sum.Created != 3 || sum.Rejected != 0 {
				t.Fatalf("%+v %v", sum, err)
			}
			for id, want := range map[string][2]int64{"C1": {2, 5000}, "C2": {1, 1000}, "C3": {2, 3500}} {
				v, err := s.CustomerView(context.Background(), id, 5)
				if err != nil || len(v.Orders) != 1 || v.Orders[0].Lines != int(want[0]) || v.Orders[0].Amount != want[1] {
					t.Errorf("%s: %+v %v, want one order of %d lines, %d", id, v, err, want[0], want[1])
				}
			}
		})
		t.Run(filepath.Ext(path)+" as orders", func(t *testing.T) {
			s := storetest.Open(t, "sqlite")
			sum, err := run(t, s, importer.Orders, path, importer.Options{})
			if err != nil || sum.Created != 3 || sum.Rejected != 1 || len(sum.FirstRejects) != 1 {
				t.Fatalf("%+v %v", sum, err)
			}
			if rj := sum.FirstRejects[0]; rj.Line != 6 || rj.Field != "order_id" || !strings.Contains(rj.Reason.String(), "kith import lines") {
				t.Errorf("reject %+v, want line 6, an item of order A3", rj)
			}
			if len(sum.Warnings) != 1 || !strings.Contains(sum.Warnings[0].String(), "line 3 repeats the order or customer above it") {
				t.Errorf("warnings %v, want line 3 passed over", sum.Warnings)
			}
			v, err := s.CustomerView(context.Background(), "C1", 5)
			if err != nil || len(v.Orders) != 1 || v.Orders[0].Amount != 5000 {
				t.Errorf("C1: %+v %v, want A1 once, 50", v, err)
			}
		})
	}

	// No unit price: the order's amount, merged over its items, is its
	// first line's.
	noPrice := file(t, "noprice.xls", `<table><tr><th>订单号</th><th>客户编号</th><th>下单时间</th><th>商品名称</th><th>实付金额</th></tr>
<tr><td rowspan=2>A1</td><td rowspan=2>C1</td><td rowspan=2>2024-03-01 10:00</td><td>纸巾</td><td rowspan=2>50</td></tr>
<tr><td>洗衣液</td></tr></table>`)
	np := storetest.Open(t, "sqlite")
	if sum, err := run(t, np, importer.Lines, noPrice, importer.Options{}); err != nil || sum.Created != 1 || sum.Rejected != 0 {
		t.Fatalf("no price: %+v %v", sum, err)
	}
	if v, err := np.CustomerView(context.Background(), "C1", 5); err != nil || len(v.Orders) != 1 || v.Orders[0].Lines != 2 || v.Orders[0].Amount != 5000 {
		t.Errorf("no price: %+v %v, want one order of 2 lines, 50", v, err)
	}

	// A header in two rows: groups merged across, and the columns without
	// a group merged down over both; the second row is the header.
	hb := excelize.NewFile()
	twoRows := writeXLSX(t, hb, 1, [][]any{
		{"订单号", "下单时间", "买家", nil, "商品", nil, nil},
		{nil, nil, "会员号", "手机", "商品名称", "数量", "单价"},
		{"T1", "2024-03-01", "C7", "13800138000", "纸巾", 2, 10},
	})
	for _, r := range [][2]string{{"A1", "A2"}, {"B1", "B2"}, {"C1", "D1"}, {"E1", "G1"}} {
		if err := hb.MergeCell("Sheet1", r[0], r[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := hb.Save(); err != nil {
		t.Fatal(err)
	}
	if sum, err := run(t, np, importer.Lines, twoRows, importer.Options{}); err != nil || sum.Created != 1 || sum.Rejected != 0 {
		t.Errorf("a header in two rows: %+v %v", sum, err)
	}

	// An area reaching past the header's last column is no ragged row.
	wide := file(t, "wide.xls", `<table><tr><th>订单号</th><th>客户编号</th><th>下单时间</th><th>金额</th></tr>
<tr><td>W1</td><td>C9</td><td>2024-03-01</td><td colspan=2>10</td></tr></table>`)
	if sum, err := run(t, np, importer.Orders, wide, importer.Options{}); err != nil || sum.Created != 1 || sum.Rejected != 0 {
		t.Errorf("an area past the last column: %+v %v", sum, err)
	}

	// A ledger: the day merged over its orders, the rep over their customers.
	g := excelize.NewFile()
	ledger := writeXLSX(t, g, 1, [][]any{
		{"日期", "订单号", "客户编号", "金额"},
		{"2024-03-01", "L1", "C1", 10},
		{nil, "L2", "C2", 20},
		{nil, "L3", "C1", 30},
	})
	if err := g.MergeCell("Sheet1", "A2", "A4"); err != nil {
		t.Fatal(err)
	}
	if err := g.Save(); err != nil {
		t.Fatal(err)
	}
	s := storetest.Open(t, "sqlite")
	sum, err := run(t, s, importer.Orders, ledger, importer.Options{})
	if err != nil || sum.Created != 3 || sum.Rejected != 0 || len(sum.Warnings) != 0 {
		t.Fatalf("ledger: %+v %v", sum, err)
	}
	v, err := s.CustomerView(context.Background(), "C1", 5)
	if err != nil || len(v.Orders) != 2 || v.Orders[0].OrderedAt.In(shanghai).Day() != 1 || v.Orders[1].OrderedAt.In(shanghai).Day() != 1 {
		t.Errorf("C1: %+v %v, want two orders of March 1", v, err)
	}
	h := excelize.NewFile()
	people := writeXLSX(t, h, 1, [][]any{
		{"渠道", "会员号", "姓名", "购买记录", "邮箱"},
		{"抖音", "M1", "张三", "纸巾", nil}, // no email, not merged: still the same customer below
		{nil, nil, nil, "洗衣液", nil},
		{nil, "M2", "李四", "纸巾", nil},
	})
	for _, r := range [][2]string{{"A2", "A4"}, {"B2", "B3"}, {"C2", "C3"}} {
		if err := h.MergeCell("Sheet1", r[0], r[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.Save(); err != nil {
		t.Fatal(err)
	}
	sum, err = run(t, s, importer.Customers, people, importer.Options{})
	if err != nil || sum.Rejected != 0 || len(sum.Warnings) != 1 || !strings.Contains(sum.Warnings[0].String(), "line 3 repeats") {
		t.Fatalf("customers: %+v %v", sum, err)
	}
	for _, id := range []string{"M1", "M2"} {
		if v, err := s.CustomerView(context.Background(), id, 1); err != nil || v.Channel != "抖音" {
			t.Errorf("%s: %+v %v, want the channel merged over both", id, v, err)
		}
	}
}

// A B2B CRM's customers export: the account (客户名称) beside its contact
// person (联系人), where the lead came from (客户来源), and a referrer
// named by phone, written otherwise than the phones stored.
func TestBusinessCustomers(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	content := "客户名称,联系人,手机号码,客户来源,推荐人手机\n" +
		"某某科技有限公司,王经理,13800138000,展会,+86 139-0013-9000\n" +
		"个人客户,李女士,13900139000,转介绍,\n" +
		"个人客户,赵先生,13700137000,转介绍,\n"
	sum, err := run(t, s, importer.Customers, file(t, "crm.csv", content), importer.Options{})
	if err != nil || sum.Created != 3 || sum.Rejected != 0 || len(sum.Warnings) != 0 {
		t.Fatalf("%+v %v", sum, err)
	}
	v, err := s.CustomerView(context.Background(), "13800138000", 1)
	if err != nil || v.Name != "王经理" || v.Company != "某某科技有限公司" || v.Channel != "展会" || v.Referrer == nil || v.Referrer.Name != "李女士" {
		t.Errorf("%+v (referrer %+v) %v: want 王经理 of 某某科技有限公司, from 展会, referred by 李女士", v.Customer, v.Referrer, err)
	}
	// A referrer column holding a phone written with a country code and
	// dashes finds the customer of that phone.
	again := "会员号,姓名,手机,推荐人\nM9,钱七,13600136000,+86 137-0013-7000\nM10,孙八,13500135000,M9\n"
	if sum, err := run(t, s, importer.Customers, file(t, "ref.csv", again), importer.Options{}); err != nil || sum.Created != 2 || len(sum.Warnings) != 0 {
		t.Fatalf("%+v %v", sum, err)
	}
	for id, want := range map[string]string{"M9": "赵先生", "M10": "钱七"} {
		if v, err := s.CustomerView(context.Background(), id, 1); err != nil || v.Referrer == nil || v.Referrer.Name != want {
			t.Errorf("%s: referrer %+v %v, want %s", id, v.Referrer, err, want)
		}
	}
	// Without a contact column, 客户名称 is the customer's own name.
	m, err := importer.MatchHeader(importer.Customers, []string{"客户名称", "手机"}, nil)
	if err != nil || m.Index["name"] != 0 || m.Has("company") {
		t.Errorf("客户名称 alone: %v %v", m, err)
	}
}

// A workbook written by a program with formulas no spreadsheet has
// computed: the reject says why the amount is empty, and what to do.
func TestUncomputedAmount(t *testing.T) {
	f := excelize.NewFile()
	path := writeXLSX(t, f, 1, [][]any{{"订单号", "客户编号", "下单时间", "数量", "单价", "金额"}, {"A1", "C1", "2024-03-01", 2, 10, nil}})
	if err := f.SetCellFormula("Sheet1", "F2", "D2*E2"); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	sum, err := run(t, storetest.Open(t, "sqlite"), importer.Orders, path, importer.Options{})
	if err != nil || sum.Rejected != 1 || len(sum.FirstRejects) != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	if rj := sum.FirstRejects[0]; rj.Field != "amount" || !strings.Contains(rj.Reason.String(), "a formula with no value in the file") {
		t.Errorf("reject %+v, want the amount's formula named", rj)
	}
}

// An orders import of a file with a row per item: the repeats are rejected,
// and the summary says what the file is and how to import it.
func TestItemsImportedAsOrders(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	for _, c := range []struct {
		content string
		warn    bool
	}{
		{"订单号,客户编号,下单时间,商品名称,金额\nA1,C1,2024-03-01,纸巾,20\nA1,C1,2024-03-01,洗衣液,30\n", true},
		{"订单号,客户编号,下单时间,金额\nB1,C1,2024-03-01,20\nB1,C1,2024-03-01,30\n", false},            // no items: a plain repeat
		{"订单号,客户编号,下单时间,商品名称,金额\nD1,C1,2024-03-01,纸巾,20\nD1,C1,2024-03-01,纸巾,20\n", false}, // the same row twice
	} {
		sum, err := run(t, s, importer.Orders, file(t, "o.csv", c.content), importer.Options{})
		if err != nil || sum.Rejected != 1 {
			t.Fatalf("%+v %v", sum, err)
		}
		warned := slices.ContainsFunc(sum.Warnings, func(w *kith.Message) bool { return strings.Contains(w.String(), "kith import lines") })
		if warned != c.warn {
			t.Errorf("%q: warnings %v, want the line-item hint: %v", c.content, sum.Warnings, c.warn)
		}
	}
}

// Taobao exports an order report and an item report apart; the items name
// only their order. Imported after the orders, the items become the
// orders' lines; the orders keep what was paid.
func TestItemsOfStoredOrders(t *testing.T) {
	orders := "订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间\n" +
		"T1,tb_alice,55.00,交易成功,2024-03-01 10:00:00\n" +
		"T2,tb_bob,10.00,交易成功,2024-03-02 11:00:00\n"
	items := "订单编号,标题,价格,购买数量,商家编码,订单状态\n" +
		"T1,纸巾 10包,10.00,2,ZJ-10,交易成功\n" +
		"T1,洗衣液,30.00,1,XYY-1,交易成功\n" +
		"T2,纸巾 10包,10.00,1,ZJ-10,交易成功\n" +
		"T9,牙膏,8.00,1,YG-1,交易成功\n"
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			if sum, err := run(t, s, importer.Orders, file(t, "orders.csv", orders), importer.Options{}); err != nil || sum.Created != 2 {
				t.Fatalf("orders: %+v %v", sum, err)
			}
			path := file(t, "items.csv", items)
			sum, err := run(t, s, importer.Lines, path, importer.Options{})
			if err != nil || sum.Updated != 2 || sum.Created != 0 || sum.Rejected != 1 || sum.Customers != 0 {
				t.Fatalf("items: %+v %v", sum, err)
			}
			if rj := sum.FirstRejects[0]; rj.Line != 5 || rj.Field != "order_id" || !strings.Contains(rj.Reason.String(), "import the orders file first") {
				t.Errorf("reject %+v, want line 5: order T9 unknown", rj)
			}
			v, err := s.CustomerView(context.Background(), "tb_alice", 5)
			if err != nil || len(v.Orders) != 1 || v.Orders[0].Lines != 2 || v.Orders[0].Amount != 5500 || v.Orders[0].OrderedAt.In(shanghai).Hour() != 10 {
				t.Errorf("tb_alice: %+v %v, want T1 with 2 lines, still 55.00 at 10:00", v, err)
			}
			again, err := run(t, s, importer.Lines, path, importer.Options{})
			if err != nil || again.Unchanged != 2 || again.Updated != 0 || again.Rejected != 1 {
				t.Errorf("items again: %+v %v, want the 2 orders unchanged", again, err)
			}
		})
	}
}

// A dashboard's week or month of spend or traffic in one row is shared out
// over its days, so that months and channels add up whatever the export's
// grouping; the parts sum to the row's figures.
func TestSpendAndTrafficOverDays(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	spend := "日期,渠道,消耗\n" +
		"2024-03-01 ~ 2024-03-03,巨量,100.00\n" + // 33.34 + 33.33 + 33.33
		"2024/03/30-2024/04/01,直通车,30\n" + // across a month's end
		"2024-03-01至2024-03-31,千川,3100\n" +
		"2024-03-05 ~ 2024-03-01,巨量,10\n" + // backwards
		"2024-03 ~ 2024-04,巨量,10\n" // months, not days
	path := file(t, "spend.csv", spend)
	sum, err := run(t, s, importer.Spend, path, importer.Options{})
	if err != nil || sum.Created != 3+3+31 || sum.Rejected != 2 {
		t.Fatalf("%+v %v", sum, err)
	}
	rows, err := s.SpendUntil(context.Background(), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for i, d := range rows.Day {
		got[rows.Channel[i]+" "+time.Unix(int64(d)*86400, 0).UTC().Format("01-02")] += rows.Amount[i]
	}
	for k, want := range map[string]int64{"巨量 03-01": 3334, "巨量 03-02": 3333, "巨量 03-03": 3333, "直通车 03-31": 1000, "直通车 04-01": 1000, "千川 03-31": 10000} {
		if got[k] != want {
			t.Errorf("%s = %d, want %d", k, got[k], want)
		}
	}
	if again, err := run(t, s, importer.Spend, path, importer.Options{}); err != nil || again.Created != 0 || again.Unchanged != 37 {
		t.Errorf("again: %+v %v", again, err)
	}
	traffic := file(t, "traffic.csv", "统计日期,访客数,支付买家数\n2024-03-01 ~ 2024-03-03,10,2\n")
	if sum, err := run(t, s, importer.Traffic, traffic, importer.Options{}); err != nil || sum.Created != 3 || sum.Rejected != 0 {
		t.Errorf("traffic: %+v %v", sum, err)
	}
	if n, err := s.Visitors(context.Background(), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)); err != nil || n != 4 {
		t.Errorf("visitors on March 1: %d %v, want 4 of the 10", n, err)
	}
}

// Shopify's orders export writes an order's buyer, status, time and total
// on its first row and its further items below with the Name alone; an
// ERP's line-item export may do the same without being Shopify's. As
// orders, the further rows are passed over with a warning; as line items,
// they are lines of the order above.
func TestOrderColumnsOnFirstRowOnly(t *testing.T) {
	shopify := "Name,Email,Financial Status,Paid at,Currency,Subtotal,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Refunded Amount,Id\n" +
		"#1001,alice@example.com,paid,2024-03-01 10:00:05 +0800,USD,69.70,74.70,2024-03-01 10:00:00 +0800,2,Tissue,29.90,ZJ-10,Alice Wang,0.00,5123456789\n" +
		"#1001,alice@example.com,,,,,,2024-03-01 10:00:00 +0800,1,Toothbrush,9.90,YS-1,,,\n" +
		"#1002,bob@example.com,refunded,2024-03-02 11:00:10 +0800,USD,49.90,49.90,2024-03-02 11:00:00 +0800,1,Detergent,49.90,XYY-2,Bob Li,49.90,5123456790\n" +
		"#1003,alice@example.com,partially_refunded,2024-03-05 10:00:05 +0800,USD,100.00,100.00,2024-03-05 10:00:00 +0800,1,Serum,100.00,SK-1,Alice Wang,30.00,5123456791\n" +
		"#1003,alice@example.com,,,,,,2024-03-05 10:00:00 +0800,1,Mask,0.00,MK-1,,,\n" +
		"#1003,alice@example.com,,,,,,2024-03-05 10:00:00 +0800,1,Sample,0.00,SP-1,,,\n"
	erp := "单据编号,客户编号,单据日期,商品名称,数量,单价\n" +
		"XS-001,C1,2024-03-01,纸巾,2,10.00\n" +
		"XS-001,,,洗衣液,1,30.00\n" +
		"XS-002,C2,2024-03-02,纸巾,1,10.00\n" +
		"XS-003,,,牙膏,1,8.00\n" // a new order that gives no customer or date: not filled from XS-002
	// An order not paid yet has its creation time only, on its first row.
	pending := "Name,Email,Financial Status,Paid at,Created at,Lineitem quantity,Lineitem name,Lineitem price\n" +
		"#2001,carol@example.com,pending,,2024-04-01 09:00:00 +0800,1,Tissue,29.90\n" +
		"#2001,carol@example.com,,,,2,Toothbrush,9.90\n"
	ctx := context.Background()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			path := file(t, "orders_export.csv", shopify)
			sum, err := run(t, s, importer.Orders, path, importer.Options{Currency: "USD"})
			if err != nil || sum.Created != 3 || sum.Rejected != 0 || sum.Customers != 2 {
				t.Fatalf("as orders: %+v %v", sum, err)
			}
			if len(sum.Warnings) != 1 || !strings.Contains(sum.Warnings[0].String(), "3 rows (lines 3, 6, 7) are further items") {
				t.Errorf("as orders: warnings %v, want one naming lines 3, 6 and 7", sum.Warnings)
			}
			v, err := s.CustomerView(ctx, "alice@example.com", 5)
			if err != nil || v.Name != "Alice Wang" || len(v.Orders) != 2 || v.Orders[0].ExternalID != "#1003" || v.Orders[0].Amount != 7000 || v.Orders[1].Amount != 7470 {
				t.Fatalf("alice: %+v %v; want Alice Wang's #1003 at 70.00 (30.00 refunded) and #1001 at 74.70", v, err)
			}
			bob, err := s.CustomerView(ctx, "bob@example.com", 5)
			if err != nil || len(bob.Orders) != 1 || bob.Orders[0].Status != "refunded" {
				t.Errorf("bob: %+v %v, want #1002 refunded", bob, err)
			}
			if again, err := run(t, s, importer.Orders, path, importer.Options{Currency: "USD"}); err != nil || again.Unchanged != 3 || again.Created+again.Updated != 0 {
				t.Errorf("as orders again: %+v %v", again, err)
			}

			s2 := storetest.Open(t, engine)
			sum, err = run(t, s2, importer.Lines, path, importer.Options{Currency: "USD"})
			if err != nil || sum.Created != 3 || sum.Rejected != 0 {
				t.Fatalf("as lines: %+v %v", sum, err)
			}
			v, err = s2.CustomerView(ctx, "alice@example.com", 5)
			if err != nil || len(v.Orders) != 2 || v.Orders[0].Lines != 3 || v.Orders[1].Lines != 2 || v.Orders[1].Amount != 2*2990+990 {
				t.Errorf("alice's lines: %+v %v; want #1003 of 3 lines and #1001 of 2 at 69.70 (not the Subtotal as a line)", v.Orders, err)
			}

			s3 := storetest.Open(t, engine)
			sum, err = run(t, s3, importer.Lines, file(t, "erp.csv", erp), importer.Options{})
			if err != nil || sum.Created != 2 || sum.Rejected != 1 || sum.FirstRejects[0].Line != 5 {
				t.Fatalf("erp: %+v %v; want XS-001 and XS-002, and line 5 rejected", sum, err)
			}
			c1, err := s3.CustomerView(ctx, "C1", 5)
			if err != nil || len(c1.Orders) != 1 || c1.Orders[0].Lines != 2 || c1.Orders[0].Amount != 5000 {
				t.Errorf("C1: %+v %v, want XS-001 of 2 lines at 50.00", c1.Orders, err)
			}

			sum, err = run(t, s3, importer.Lines, file(t, "pending.csv", pending), importer.Options{Currency: "USD"})
			if err != nil || sum.Created != 1 || sum.Rejected != 0 {
				t.Fatalf("pending: %+v %v; want #2001 of two lines, at its creation time", sum, err)
			}
			carol, err := s3.CustomerView(ctx, "carol@example.com", 5)
			if err != nil || len(carol.Orders) != 1 || carol.Orders[0].Lines != 2 || !carol.Orders[0].OrderedAt.Equal(time.Date(2024, 4, 1, 1, 0, 0, 0, time.UTC)) {
				t.Errorf("carol: %+v %v, want #2001 of 2 lines at 2024-04-01 01:00 UTC", carol.Orders, err)
			}
		})
	}
}

// A line-item export's after-sales column refunds an item, not its whole
// order: the item stays a line, its amount out of the order's; an order
// whose every item was refunded is a refund.
func TestLineRefundStatus(t *testing.T) {
	lines := "子订单编号,主订单编号,用户ID,下单时间,商品名称,商品数量,商品单价,订单状态,售后状态\n" +
		"S1,M1,U1,2024-03-01 10:00,纸巾,2,10.00,已完成,退款成功\n" +
		"S2,M1,U1,2024-03-01 10:00,洗衣液,1,30.00,已完成,无售后\n" +
		"S3,M2,U1,2024-03-02 10:00,牙膏,1,8.00,已完成,退款成功\n" +
		"S4,M3,U1,2024-03-03 10:00,面膜,1,5.00,已完成,售后中\n"
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			sum, err := run(t, s, importer.Lines, file(t, "lines.csv", lines), importer.Options{})
			if err != nil || sum.Created != 3 || sum.Rejected != 0 {
				t.Fatalf("%+v %v", sum, err)
			}
			v, err := s.CustomerView(context.Background(), "U1", 5)
			if err != nil || len(v.Orders) != 3 {
				t.Fatalf("%+v %v", v, err)
			}
			want := map[string]struct {
				status string
				amount int64
				lines  int
			}{"M1": {"paid", 3000, 2}, "M2": {"refunded", 800, 1}, "M3": {"paid", 500, 1}}
			for _, o := range v.Orders {
				if w := want[o.ExternalID]; o.Status != w.status || o.Amount != w.amount || o.Lines != w.lines {
					t.Errorf("%s: %s %d, %d lines; want %s %d, %d lines", o.ExternalID, o.Status, o.Amount, o.Lines, w.status, w.amount, w.lines)
				}
			}
		})
	}
}

// A European export: semicolons, decimal commas, day-first dates. With
// DecimalComma the amounts are read as written; without it they are
// rejected (never read a hundred times too large).
func TestDecimalCommaFile(t *testing.T) {
	const csv = "Order;Customer;Date;Total\nW1;C1;31.01.2024;1.234,50\nW2;C2;01.02.2024;12,5\nW3;C1;02.02.2024;99\n"
	for _, comma := range []bool{false, true} {
		s := storetest.Open(t, "sqlite")
		opts := importer.Options{DecimalComma: comma, DateOrder: importer.DateDMY, Currency: "EUR",
			Map: map[string]string{"order_id": "Order", "customer_id": "Customer", "ordered_at": "Date", "amount": "Total"}}
		sum, err := run(t, s, importer.Orders, file(t, "eu.csv", csv), opts)
		if err != nil {
			t.Fatal(err)
		}
		if !comma {
			// 99 reads alike either way; the others name the flag.
			if sum.Created != 1 || sum.Rejected != 2 || len(sum.FirstRejects) != 2 {
				t.Errorf("without the flag: %+v", sum)
			}
			for _, rj := range sum.FirstRejects {
				if !strings.Contains(rj.Reason.Error(), "--decimal-comma") {
					t.Errorf("line %d: %v, want the flag named", rj.Line, rj.Reason)
				}
			}
			continue
		}
		if sum.Created != 3 || sum.Rejected != 0 {
			t.Fatalf("with the flag: %+v", sum)
		}
		v, err := s.CustomerView(context.Background(), "C1", 5)
		if err != nil || v.Totals.Revenue != 123450+9900 {
			t.Errorf("C1: %v, revenue %d, want 1333.50", err, v.Totals.Revenue)
		}
	}
}

// An amount such as 1.234 is read as 1.23, and the import says so, with
// the lines: in a file that writes thousands with dots it is a thousand.
func TestDotGroupedAmountsWarned(t *testing.T) {
	for _, c := range []struct {
		name, rows, want string
	}{
		{"one", "A1,C1,2024-01-05,1.234\nA2,C2,2024-01-06,149.00\n", "line 2 has an amount such as 1.234"},
		{"some", "A1,C1,2024-01-05,1.234\nA2,C2,2024-01-06,12.500\nA3,C3,2024-01-07,0.125\n", "2 rows (lines 2, 3) have amounts such as 1.234"},
		{"none", "A1,C1,2024-01-05,0.125\nA2,C2,2024-01-06,1234.567\nA3,C3,2024-01-07,1.5\n", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := storetest.Open(t, "sqlite")
			sum, err := run(t, s, importer.Orders, file(t, "o.csv", ordersHeader+c.rows), importer.Options{})
			if err != nil || sum.Rejected != 0 {
				t.Fatalf("%v, %+v", err, sum)
			}
			warned := ""
			for _, w := range sum.Warnings {
				warned += w.Error() + "\n"
			}
			if c.want == "" && warned != "" || c.want != "" && (!strings.Contains(warned, c.want) || !strings.Contains(warned, "--decimal-comma")) {
				t.Errorf("warnings %q, want %q", warned, c.want)
			}
		})
	}
}

// TestOrderSpan: the summary says from when to when the orders kept run,
// and names those dated after the import, which are kept as dated.
func TestOrderSpan(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, shanghai)
	for _, c := range []struct {
		name       string
		kind       importer.Kind
		body       string
		now        time.Time
		from, to   string // "" = no order kept
		want       string // the warning
		kept, rejd int
	}{
		{name: "in the past", body: ordersHeader + "A1,C1,2024-03-05,1\nA2,C1,2023-11-30 23:59,1\nA3,C2,2025-01-01,1\n", now: now,
			from: "2023-11-30", to: "2025-01-01", kept: 3},
		{name: "a rejected row is not in the span", body: ordersHeader + "A1,C1,2024-03-05,1\nA2,C1,2019-01-01,abc\n", now: now,
			from: "2024-03-05", to: "2024-03-05", kept: 1, rejd: 1},
		{name: "tomorrow is not yet the future", body: ordersHeader + "A1,C1,2026-12-08 09:00,1\n", now: now,
			from: "2026-12-08", to: "2026-12-08", kept: 1},
		{name: "one in the future", body: ordersHeader + "A1,C1,2024-03-05,1\nA2,C1,2062-03-05,1\n", now: now,
			from: "2024-03-05", to: "2062-03-05", want: "line 3 has an order dated 2062-03-05, after the day of the import", kept: 2},
		{name: "some in the future", body: ordersHeader + "A1,C1,2027-01-02,1\nA2,C1,2024-03-05,1\nA3,C2,2031-05-01,1\n", now: now,
			from: "2024-03-05", to: "2031-05-01", want: "2 orders (lines 2, 4) are dated after the day of the import, the last 2031-05-01", kept: 3},
		{name: "more in the future", body: ordersHeader + "A1,C1,2027-01-02,1\nA2,C1,2027-01-03,1\nA3,C1,2027-01-04,1\nA4,C1,2027-01-05,1\n", now: now,
			from: "2027-01-02", to: "2027-01-05", want: "4 orders (lines 2, 3, 4 and 1 more) are dated after", kept: 4},
		{name: "not checked without the time of the import", body: ordersHeader + "A1,C1,2062-03-05,1\n",
			from: "2062-03-05", to: "2062-03-05", kept: 1},
		{name: "nothing kept", body: ordersHeader + "A1,C1,2024-13-05,1\n", now: now, rejd: 1},
		{name: "line items make the orders", kind: importer.Lines, now: now,
			body: "订单号,客户编号,下单时间,商品编码,数量,单价\nL1,C1,2024-02-01 10:00,S1,1,10\nL1,C1,2024-02-01 10:00,S2,2,5\nL2,C2,2030-02-01,S1,1,10\n",
			from: "2024-02-01", to: "2030-02-01", want: "line 4 has an order dated 2030-02-01", kept: 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := storetest.Open(t, "sqlite")
			kind := cmp.Or(c.kind, importer.Orders)
			sum, err := run(t, s, kind, file(t, "o.csv", c.body), importer.Options{Now: c.now})
			if err != nil {
				t.Fatal(err)
			}
			checkWarnings(t, sum, c.want, c.rejd)
			if sum.Created != c.kept {
				t.Errorf("created %d, want %d", sum.Created, c.kept)
			}
			if c.from == "" {
				if !sum.OrdersFrom.IsZero() || !sum.OrdersTo.IsZero() {
					t.Errorf("span %v to %v with no order kept", sum.OrdersFrom, sum.OrdersTo)
				}
				return
			}
			if got := sum.OrdersFrom.Format(time.DateOnly); got != c.from || sum.OrdersFrom.Location() != shanghai {
				t.Errorf("orders from %v, want %s in the import's time zone", sum.OrdersFrom, c.from)
			}
			if got := sum.OrdersTo.Format(time.DateOnly); got != c.to {
				t.Errorf("orders to %v, want %s", sum.OrdersTo, c.to)
			}
		})
	}
}

// TestOrderSpanLeavesOutStoreRejects: a row the store refuses (lines of an
// order far from its first ones) is not in the span either.
func TestOrderSpanLeavesOutStoreRejects(t *testing.T) {
	var b strings.Builder
	b.WriteString("订单号,客户编号,下单时间,商品编码,数量,单价\nL1,C1,2020-01-01,S1,1,10\n")
	for i := range 20001 { // past the window in which an order's lines are gathered
		fmt.Fprintf(&b, "X%d,C%d,2024-01-01,S1,1,10\n", i, i%50)
	}
	b.WriteString("L1,C1,2019-01-01,S2,1,10\n")
	s := storetest.Open(t, "sqlite")
	sum, err := run(t, s, importer.Lines, file(t, "lines.csv", b.String()), importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows := readRejects(t, sum)
	if sum.Rejected != 1 || rows[1][0] != "20004" || !strings.Contains(rows[1][2], "far from its earlier lines") {
		t.Fatalf("%d rejected: %q; want line 20004's lines far from the order's", sum.Rejected, rows[1:])
	}
	if got := sum.OrdersFrom.Format(time.DateOnly) + " " + sum.OrdersTo.Format(time.DateOnly); got != "2020-01-01 2024-01-01" {
		t.Errorf("orders span %s, want 2020-01-01 2024-01-01", got)
	}
}

func TestAddCountsJoinsSpans(t *testing.T) {
	at := func(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, shanghai) }
	var total importer.Summary
	for _, s := range []importer.Summary{
		{Read: 1, OrdersFrom: at(2022), OrdersTo: at(2023)},
		{Read: 1}, // a file that kept no order
		{Read: 1, OrdersFrom: at(2020), OrdersTo: at(2021)},
		{Read: 1, OrdersFrom: at(2024), OrdersTo: at(2025)},
	} {
		total.AddCounts(&s)
	}
	if !total.OrdersFrom.Equal(at(2020)) || !total.OrdersTo.Equal(at(2025)) || total.Read != 4 {
		t.Errorf("total %d read, %v to %v; want 4, 2020 to 2025", total.Read, total.OrdersFrom, total.OrdersTo)
	}
}

// TestPaymentBills: a shop without a platform has its sales in its payment
// bills. A personal WeChat bill (a title block of 17 lines, 收/支, the
// state of money received, a partial refund written into the state) and
// an Alipay one (GBK, 22 lines above the header) keep the money received
// and pass over what was paid out or moved; WeChat Pay's merchant bill
// (every cell behind a backtick, a totals block at the end) reads as its
// orders, a payment reversed before it settled (REVOKED) cancelled.
func TestPaymentBills(t *testing.T) {
	type bought struct {
		orders int
		paid   int64 // minor units
	}
	for _, c := range []struct {
		file      string
		mapped    []string
		created   int
		warning   string
		customers map[string]bought
	}{
		{"wechat-personal.csv", []string{`header on line 18`, `"交易对方" -> customer_id`, `"收/支" -> flow`, `"金额(元)" -> amount`, `"当前状态" -> status`, `"交易单号" -> order_id`},
			4, "2 rows (lines 21, 22) are money paid out or moved (收/支: 支出, 不计收支), not sales: passed over",
			map[string]bought{"李女士": {2, 23800}, "张先生": {1, 8800}, "王先生": {1, 700}}},
		// WeChat mails its bill as a workbook too: the same rows in a sheet.
		{"wechat-personal.xlsx", []string{`header on line 18`, `"收/支" -> flow`, `"交易单号" -> order_id`},
			4, "2 rows (lines 21, 22) are money paid out or moved",
			map[string]bought{"李女士": {2, 23800}, "王先生": {1, 700}}},
		{"alipay-personal.csv", []string{`GB18030`, `header on line 23`, `"交易对方" -> customer_id`, `"交易订单号" -> order_id`, `"交易状态" -> status`},
			2, "2 rows (lines 26, 27) are money paid out or moved",
			map[string]bought{"赵女士": {1, 20000}, "钱先生": {1, 10000}}},
		// Its refunds are rows of their own under the order's number: each
		// a refund record (SHOP1001/R1001), the payment staying a purchase.
		// Alipay's older bill: cells padded with spaces, a refund column,
		// and a footer of counts and sums under a line of dashes.
		{"alipay-personal-2019.csv", []string{`header on line 5`, `"交易号" -> order_id`, `"付款时间" -> ordered_at`, `"成功退款（元）" -> refund_amount`,
			`"交易创建时间" -> ordered_at where "付款时间" is blank`},
			2, "6 totals rows (合计/Total, lines 10, 11, 12 and 3 more) are sums, not records: passed over",
			map[string]bought{"赵女士": {1, 20000}, "钱先生": {1, 7000}}},
		{"wechat-pay-merchant.csv", []string{`"商户订单号" -> order_id`, `"用户标识" -> customer_id`, `"应结订单金额" -> amount`, `"交易状态" -> status`,
			`"商户退款单号" -> refund_id`, `"退款金额" -> refund_amount`},
			5, "2 totals rows (合计/Total, lines 7, 8) are sums, not records: passed over",
			map[string]bought{"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o": {4, 18600}, "oAbC8uMuAJO_M2pxb1Q9zNjWeS7p": {1, 0}}},
	} {
		t.Run(c.file, func(t *testing.T) {
			s := storetest.Open(t, "sqlite")
			var mapped string
			opts := importer.Options{
				Mapped: func(src *kith.Message, m *importer.Mapping) {
					// Alipay's older bill pads its headers: "交易号    ".
					mapped = regexp.MustCompile(`\s+"( ->| is blank)`).ReplaceAllString(src.String()+" "+m.Describe().String(), `"$1`)
				},
				RejectsPath: filepath.Join(t.TempDir(), "rejects.csv"),
			}
			path := filepath.Join("testdata", "bills", c.file)
			if filepath.Ext(c.file) == ".xlsx" {
				path = csvAsXLSX(t, strings.TrimSuffix(path, ".xlsx")+".csv")
			}
			sum, err := run(t, s, importer.Orders, path, opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range c.mapped {
				if !strings.Contains(mapped, m) {
					t.Errorf("mapping %s lacks %s", mapped, m)
				}
			}
			if sum.Created != c.created || sum.Rejected != 0 || sum.Read != c.created {
				t.Errorf("summary %+v", sum)
			}
			checkWarnings(t, sum, c.warning, 0)
			for id, want := range c.customers {
				v, err := s.CustomerView(context.Background(), id, 10)
				if err != nil {
					t.Fatalf("%s: %v", id, err)
				}
				var got bought
				for _, o := range v.Orders {
					got.orders++
					if o.Status == "paid" {
						got.paid += o.Amount
					}
					if o.ExternalID == "SHOP1002/R1002" && (o.Status != "refunded" || o.Amount != 2000) {
						t.Errorf("the partial refund of SHOP1002: %+v", o)
					}
					if strings.ContainsAny(o.ExternalID, "`\t") {
						t.Errorf("order id %q keeps the bill's marks", o.ExternalID)
					}
				}
				if got != want {
					t.Errorf("%s: %+v, want %+v", id, got, want)
				}
			}
			// The same bill again changes nothing.
			again, err := run(t, s, importer.Orders, path, opts)
			if err != nil || again.Unchanged != c.created || again.Created+again.Updated != 0 {
				t.Errorf("again: %+v %v", again, err)
			}
		})
	}
}

// csvAsXLSX writes a UTF-8 CSV's rows to a workbook's first sheet, each
// cell as text.
func csvAsXLSX(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff")))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	rows := make([][]any, len(recs))
	for i, rec := range recs {
		for _, c := range rec {
			rows[i] = append(rows[i], c)
		}
	}
	return writeXLSX(t, excelize.NewFile(), 1, rows)
}

// A bill's 收/支 that says neither money in nor out is rejected, not
// guessed; a refund in the state without an amount refunds the payment.
func TestPaymentFlowAndRefundState(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	content := "交易单号,交易对方,交易时间,金额,收/支,当前状态\n" +
		"W1,甲,2024-01-05,12.00,收入,已退款(￥5.00)\n" +
		"W2,甲,2024-01-06,12.00,收入,已退款（¥12）\n" +
		"W3,甲,2024-01-07,12.00,收入,已全额退款\n" +
		"W4,甲,2024-01-08,12.00,借方,支付成功\n" +
		"W5,甲,2024-01-09,12.00,Income,SUCCESS\n"
	sum, err := run(t, s, importer.Orders, file(t, "bill.csv", content), importer.Options{})
	if err != nil || sum.Created != 4 || sum.Rejected != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	if rj := readRejects(t, sum); rj[1][0] != "5" || rj[1][1] != "flow" || !strings.Contains(rj[1][2], `收/支 "借方" is neither money received`) {
		t.Errorf("rejects %q", rj)
	}
	v, err := s.CustomerView(context.Background(), "甲", 10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range v.Orders {
		got[o.ExternalID] = fmt.Sprintf("%s %d", o.Status, o.Amount)
	}
	want := map[string]string{"W1": "paid 700", "W2": "refunded 1200", "W3": "refunded 1200", "W5": "paid 1200"}
	if !maps.Equal(got, want) {
		t.Errorf("orders %v, want %v", got, want)
	}
}

// A birthday that cannot be read keeps neither the customer out nor the
// cell: the customer is imported without it (one already stored keeps
// its own), the cell kept as an attribute, and one warning names the lines.
func TestBirthdaysUnread(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	ctx := context.Background()
	first := "会员号,姓名,生日\nM0,甲,1990-05-03\n"
	if sum, err := run(t, s, importer.Customers, file(t, "c0.csv", first), importer.Options{}); err != nil || sum.Created != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	content := "会员号,姓名,生日\nM1,乙,90年5月3日\nM2,丙,1990年05月\nM3,丁,1990-02-30\nM4,戊,1990-05-03\nM5,己,不详细\nM0,甲,05/03/90\n"
	sum, err := run(t, s, importer.Customers, file(t, "c.csv", content), importer.Options{})
	if err != nil || sum.Created != 5 || sum.Rejected != 0 || sum.Updated != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	checkWarnings(t, sum, `5 rows (lines 2, 3, 4 and 2 more) have birthdays that cannot be read (line 2: birthday "90年5月3日": `, 0)
	checkWarnings(t, sum, `the customers were imported without them, each cell kept as the attribute "生日"`, 0)
	for id, want := range map[string][2]string{"M1": {"", "90年5月3日"}, "M4": {"1990-05-03", ""}, "M0": {"1990-05-03", "05/03/90"}} {
		v, err := s.CustomerView(ctx, id, 1)
		if err != nil || v.Birthday != want[0] || v.Attrs["生日"] != want[1] {
			t.Errorf("%s: birthday %q, attribute %q (%v); want %q, %q", id, v.Birthday, v.Attrs["生日"], err, want[0], want[1])
		}
	}
	one, err := run(t, s, importer.Customers, file(t, "c1.csv", "会员号,出生日期\nM9,1990-13-01\n"), importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkWarnings(t, one, `line 2: birthday "1990-13-01": `, 0)
	checkWarnings(t, one, `the customer was imported without a birthday, the cell kept as the attribute "出生日期"`, 0)
}

// A company size that cannot be read keeps the customer too, the cell
// kept as an attribute and the lines named; a band is read as its lower
// end and kept as written.
func TestCompanySizesUnread(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	ctx := context.Background()
	content := "客户编号,公司,企业规模\nB1,甲公司,大型企业\nB2,乙公司,100-499人\nB3,丙公司,50\nB4,丁公司,不详\n"
	sum, err := run(t, s, importer.Customers, file(t, "b.csv", content), importer.Options{})
	if err != nil || sum.Created != 4 || sum.Rejected != 0 {
		t.Fatalf("%+v %v", sum, err)
	}
	checkWarnings(t, sum, `2 rows (lines 2, 5) have company sizes that cannot be read (line 2: "大型企业" is not a company size`, 0)
	checkWarnings(t, sum, `the customers were imported without them, each cell kept as the attribute "企业规模"`, 0)
	for id, want := range map[string]struct {
		size int
		attr string
	}{"B1": {0, "大型企业"}, "B2": {100, "100-499人"}, "B3": {50, ""}, "B4": {0, "不详"}} {
		v, err := s.CustomerView(ctx, id, 1)
		if err != nil || v.CompanySize != want.size || v.Attrs["企业规模"] != want.attr {
			t.Errorf("%s: size %d, attribute %q (%v); want %d, %q", id, v.CompanySize, v.Attrs["企业规模"], err, want.size, want.attr)
		}
	}
	again, err := run(t, s, importer.Customers, file(t, "b.csv", content), importer.Options{})
	if err != nil || again.Unchanged != 4 {
		t.Errorf("again: %+v %v", again, err)
	}
}

// An export that hides every buyer (Douyin's: a masked phone and the
// recipient's name) is rejected with the way out; with MaskedPhoneKey its
// customers are told apart by name and the visible digits, the same on
// every import.
func TestMaskedPhoneKey(t *testing.T) {
	content := "主订单编号,收件人,收件人手机号,订单提交时间,订单应付金额\n" +
		"4900001,张三,138****8000,2026-11-01 10:00:00,99.00\n" +
		"4900002,张三,138 **** 8000,2026-11-05 10:00:00,59.00\n" +
		"4900003,李四,138****8000,2026-11-06 10:00:00,19.90\n" +
		"4900004,,139****1234,2026-11-06 11:00:00,9.90\n" +
		"4900005,王五,13700137000,2026-11-07 10:00:00,5.00\n"
	s := storetest.Open(t, "sqlite")
	path := file(t, "douyin.csv", content)
	sum, err := run(t, s, importer.Orders, path, importer.Options{})
	if err != nil || sum.Created != 1 || sum.Rejected != 4 {
		t.Fatalf("without the key: %+v %v", sum, err)
	}
	if rj := readRejects(t, sum); !strings.Contains(rj[1][2], "--masked-phone-key to tell customers apart by name and the visible digits") {
		t.Errorf("the reject does not say the way out: %q", rj[1])
	}
	for range 2 { // the second time, nothing changes
		sum, err = run(t, s, importer.Orders, path, importer.Options{MaskedPhoneKey: true})
		if err != nil || sum.Created+sum.Unchanged != 4 || sum.Rejected != 1 {
			t.Fatalf("with the key: %+v %v", sum, err)
		}
		checkWarnings(t, sum, "3 rows name their customer by name and a masked phone's visible digits (--masked-phone-key)", 1)
		if rj := readRejects(t, sum); rj[1][0] != "5" || !strings.Contains(rj[1][2], "no name to go with them") {
			t.Errorf("a masked phone without a name: %q", rj[1])
		}
	}
	if sum.Unchanged != 4 {
		t.Errorf("again: %+v", sum)
	}
	ctx := context.Background()
	for id, want := range map[string]int{"张三 138****8000": 2, "李四 138****8000": 1, "13700137000": 1} {
		v, err := s.CustomerView(ctx, id, 10)
		if err != nil || len(v.Orders) != want || strings.Contains(v.Phone, "*") {
			t.Errorf("%s: %v orders, phone %q (%v); want %d", id, len(v.Orders), v.Phone, err, want)
		}
	}
}

// A row with a refund number is that refund, keyed by order and refund; a
// 0 or blank refund number is none.
func TestRefundRows(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	content := "订单号,客户编号,下单时间,实付金额,退款单号,交易状态\n" +
		"A1,C1,2024-01-05,100,0,SUCCESS\n" +
		"A1,C1,2024-01-09,100,RF1,REFUND\n" +
		"A2,C1,2024-01-06,50,,SUCCESS\n" +
		",C1,2024-01-10,30,RF2,REFUND\n"
	sum, err := run(t, s, importer.Orders, file(t, "o.csv", content), importer.Options{})
	if err != nil || sum.Created != 4 || sum.Rejected != 0 {
		t.Fatalf("%+v %v", sum, err)
	}
	v, err := s.CustomerView(context.Background(), "C1", 10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, o := range v.Orders {
		got[o.ExternalID] = fmt.Sprintf("%s %d %s", o.Status, o.Amount, o.OrderedAt.In(shanghai).Format(time.DateOnly))
	}
	want := map[string]string{"A1": "paid 10000 2024-01-05", "A1/RF1": "refunded 10000 2024-01-09", "A2": "paid 5000 2024-01-06", "RF2": "refunded 3000 2024-01-10"}
	if !maps.Equal(got, want) {
		t.Errorf("orders %v, want %v", got, want)
	}
}

// A workbook's row ends at its last filled cell: a blank 收/支 in the
// last column is blank, as in a CSV, and so is an Excel error value
// there; neither row is a sale.
func TestFlowBlankAtRowEnd(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	p := writeXLSX(t, excelize.NewFile(), 1, [][]any{{"交易单号", "交易对方", "交易时间", "金额", "收/支"},
		{"W1", "甲", "2024-01-05", "12.00", "收入"}, {"W2", "甲", "2024-01-06", "8.00"}, {"W3", "甲", "2024-01-07", "5.00", "#N/A"}})
	sum, err := run(t, s, importer.Orders, p, importer.Options{})
	if err != nil || sum.Created != 1 || sum.Read != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	checkWarnings(t, sum, "2 rows (lines 3, 4) are money paid out or moved", 0)
}

// A rejects file that cannot be written beside the input (a read-only
// folder; here a folder of that name, which root cannot write either)
// goes to the working folder, with a warning: the import does not stop at
// its first reject.
func TestRejectsFolderNotWritable(t *testing.T) {
	s := storetest.Open(t, "sqlite")
	in := file(t, "o.csv", "订单号,客户编号,下单时间,金额\nA1,C1,2024-01-01,10\nA2,C2,2024-01-01,x\nA3,C3,2024-01-02,5\n")
	blocked := importer.DefaultRejectsPath(in)
	if err := os.Mkdir(blocked, 0o755); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	t.Chdir(work)
	sum, err := run(t, s, importer.Orders, in, importer.Options{})
	if err != nil || sum.Created != 2 || sum.Rejected != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	if sum.RejectsPath != "o.rejects.csv" {
		t.Errorf("rejects at %q, want o.rejects.csv in the working folder", sum.RejectsPath)
	}
	if rj := readRejects(t, sum); len(rj) != 2 || rj[1][0] != "3" || rj[1][1] != "amount" {
		t.Errorf("rejects %q", rj)
	}
	checkWarnings(t, sum, "the rejects file could not be written at "+blocked, 1)
	checkWarnings(t, sum, "the rejected rows are in o.rejects.csv", 1)
	// Named, it is written where named.
	named := filepath.Join(work, "named.csv")
	again, err := run(t, s, importer.Orders, in, importer.Options{RejectsPath: named})
	if err != nil || again.RejectsPath != named {
		t.Errorf("named rejects file: %+v %v", again, err)
	}
}

// Customers an import creates with the phone or email of another customer
// are named, with the merge to run: one person under two ids is two new
// customers in every report until merged. Customers already stored, or
// merged, are not named again.
func TestSharedKeysNamed(t *testing.T) {
	// Few customers created among many stored are probed for one by one,
	// many are found by grouping every key: both ways give the same.
	for _, c := range []struct {
		name string
		pad  int // customers stored besides
	}{{"grouped", 0}, {"probed", 40}} {
		for _, engine := range storetest.Engines(t) {
			t.Run(c.name+"/"+engine, func(t *testing.T) {
				testSharedKeys(t, engine, c.pad)
			})
		}
	}
}

func testSharedKeys(t *testing.T, engine string, pad int) {
	s := storetest.Open(t, engine)
	first := "会员号,姓名,手机,邮箱\nM1,张三,13800138000,\nM2,李四,,li@example.com\nM3,王五,13900139000,\n"
	for i := range pad {
		first += fmt.Sprintf("P%03d,某,1510000%04d,\n", i, i)
	}
	if sum, err := run(t, s, importer.Customers, file(t, "c.csv", first), importer.Options{}); err != nil || sum.Created != 3+pad {
		t.Fatalf("%+v %v", sum, err)
	}
	one := "会员号,姓名,手机\nV1,张三,+86 138-0013-8000\nV2,赵六,13700137000\n"
	sum, err := run(t, s, importer.Customers, file(t, "v.csv", one), importer.Options{})
	if err != nil || sum.Created != 2 {
		t.Fatalf("%+v %v", sum, err)
	}
	checkWarnings(t, sum, "customer V1, created by this import, has the phone or email of customer M1: the same person under two ids? kith customer merge M1 V1", 0)
	orders := "订单号,买家会员名,手机,邮箱,下单时间,实付金额\nT1,tb_wang,13900139000,,2024-01-05,10\nT2,tb_li,,LI@example.com,2024-01-06,20\nT3,tb_new,13600136000,,2024-01-07,30\n"
	sum, err = run(t, s, importer.Orders, file(t, "o.csv", orders), importer.Options{})
	if err != nil || sum.Created != 3 {
		t.Fatalf("%+v %v", sum, err)
	}
	checkWarnings(t, sum, "2 customers created by this import have the phone or email of another customer (tb_wang / M3, tb_li / M2)", 0)
	checkWarnings(t, sum, "e.g. kith customer merge M3 tb_wang", 0)
	again, err := run(t, s, importer.Orders, file(t, "o.csv", orders), importer.Options{})
	if err != nil || again.Unchanged != 3 {
		t.Fatalf("%+v %v", again, err)
	}
	checkWarnings(t, again, "", 0)

	// In the files of one load (a first load across files), whose
	// transaction holds the tables until it ends.
	l := storetest.Open(t, engine)
	if _, err := run(t, l, importer.Customers, file(t, "c.csv", first), importer.Options{}); err != nil {
		t.Fatal(err)
	}
	load := l.Load()
	for i, content := range []string{"订单号,买家会员名,手机,下单时间,实付金额\nL1,tb_a,13500135000,2024-01-05,10\n", orders} {
		sum, err := importer.Import(context.Background(), load, importer.Orders, file(t, "l.csv", content), importer.Options{Location: shanghai})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"", "2 customers created by this import have the phone or email of another customer"}[i]; want != "" {
			checkWarnings(t, sum, want, 0)
		} else {
			checkWarnings(t, sum, "", 0)
		}
	}
	if err := load.End(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// An order number met again for another customer in a later file takes
// the stored order's place and is named, with the way out (--order-prefix,
// which keeps the two apart); a merge moving orders is not named, and a
// run forgets what it named.
func TestMovedOrdersNamed(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			ctx := context.Background()
			till := "单号,会员号,日期,金额\n1001,C1,2024-01-05,10\n1002,C2,2024-01-05,20\n"
			if sum, err := run(t, s, importer.Orders, file(t, "d1.csv", till), importer.Options{}); err != nil || sum.Created != 2 {
				t.Fatalf("%+v %v", sum, err)
			}
			// The next day's till restarts at 1001; 1002 is a correction of
			// its status only, for the same customer.
			next := "单号,会员号,日期,金额,状态\n1001,C3,2024-01-06,30,已付款\n1002,C2,2024-01-05,20,已退款\n"
			sum, err := run(t, s, importer.Orders, file(t, "d2.csv", next), importer.Options{})
			if err != nil || sum.Updated != 2 {
				t.Fatalf("%+v %v", sum, err)
			}
			checkWarnings(t, sum, "order 1001 of this file has the number of a stored order of another customer and took its place (1001: C1 -> C3)", 0)
			again, err := run(t, s, importer.Orders, file(t, "d2.csv", next), importer.Options{})
			if err != nil || again.Unchanged != 2 {
				t.Fatalf("%+v %v", again, err)
			}
			checkWarnings(t, again, "", 0)
			// The way out: the first day again, the second kept apart.
			if _, err := run(t, s, importer.Orders, file(t, "d1.csv", till), importer.Options{}); err != nil {
				t.Fatal(err)
			}
			apart, err := run(t, s, importer.Orders, file(t, "d2.csv", next), importer.Options{OrderPrefix: "D2-"})
			if err != nil || apart.Created != 2 {
				t.Fatalf("%+v %v", apart, err)
			}
			checkWarnings(t, apart, "", 0)
			for id, want := range map[string]int{"C1": 1, "C2": 2, "C3": 1} {
				if v, err := s.CustomerView(ctx, id, 10); err != nil || v.Totals.Orders+v.Totals.Refunds != want {
					t.Errorf("%s: %+v %v, want %d orders", id, v.Totals, err, want)
				}
			}
			// A merge moves orders without a run: nothing to name after it.
			c1, _ := s.CustomerView(ctx, "C1", 1)
			c3, _ := s.CustomerView(ctx, "C3", 1)
			if err := s.MergeCustomers(ctx, c1.ID, []int64{c3.ID}); err != nil {
				t.Fatal(err)
			}
			later, err := run(t, s, importer.Orders, file(t, "d3.csv", "单号,会员号,日期,金额\n2001,C2,2024-01-07,5\n"), importer.Options{})
			if err != nil || later.Created != 1 {
				t.Fatalf("%+v %v", later, err)
			}
			checkWarnings(t, later, "", 0)
		})
	}
}
