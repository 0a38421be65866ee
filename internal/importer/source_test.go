package importer

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/customer"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

func write(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func records(t *testing.T, s Source) [][]string {
	t.Helper()
	var out [][]string
	for {
		rec, err := s.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec.Err != nil {
			t.Fatalf("line %d: %v", rec.Line, rec.Err)
		}
		out = append(out, append([]string(nil), rec.Cells...))
	}
}

func TestOpenSourceEncodings(t *testing.T) {
	const text = "客户编号;姓名;城市\nC1;张三;上海\n"
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(text)
	gb18030, _ := simplifiedchinese.GB18030.NewEncoder().String(text + "C2;𠀀;北京\n")
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(strings.ReplaceAll(text, ";", "\t"))
	tests := []struct {
		name, data, desc string
	}{
		{"utf8", text, "CSV, UTF-8, semicolon-separated"},
		{"utf8 bom", "\ufeff" + text, "CSV, UTF-8 with BOM, semicolon-separated"},
		{"gbk", gbk, "CSV, GB18030, semicolon-separated"},
		{"gb18030 four-byte", gb18030, "CSV, GB18030, semicolon-separated"},
		{"utf16 excel unicode text", utf16, "CSV, UTF-16LE, tab-separated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := OpenSource(write(t, "in.csv", []byte(tt.data)), SourceOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.Describe().String() != tt.desc {
				t.Errorf("Describe = %q, want %q", s.Describe().String(), tt.desc)
			}
			if h := strings.Join(s.Header(), "|"); h != "客户编号|姓名|城市" {
				t.Errorf("header = %q", h)
			}
			if rows := records(t, s); rows[0][1] != "张三" {
				t.Errorf("rows = %q", rows)
			}
		})
	}
}

// TestEncodingSampleCut: a UTF-8 or GB18030 file whose detection sample ends
// inside a character is still recognised (found by the 5M-row benchmark).
func TestEncodingSampleCut(t *testing.T) {
	for cut := 0; cut < 4; cut++ {
		line := "订单号,渠道\n"
		body := strings.Repeat("x", sampleBytes-len(line)-6-cut) + "渠道渠道\n" // the cut falls inside the third character
		s, err := OpenSource(write(t, "u.csv", []byte(line+body)), SourceOptions{})
		if err != nil {
			t.Fatalf("utf-8 cut %d: %v", cut, err)
		}
		if !strings.Contains(s.Describe().String(), "UTF-8") {
			t.Errorf("utf-8 cut %d detected as %s", cut, s.Describe().String())
		}
		s.Close()
		gb, _ := simplifiedchinese.GB18030.NewEncoder().String("订单号,渠道\n" + strings.Repeat("x", sampleBytes-11-cut) + "渠道𠀀\n")
		s, err = OpenSource(write(t, "g.csv", []byte(gb)), SourceOptions{})
		if err != nil {
			t.Fatalf("gb18030 cut %d: %v", cut, err)
		}
		if !strings.Contains(s.Describe().String(), "GB18030") {
			t.Errorf("gb18030 cut %d detected as %s", cut, s.Describe().String())
		}
		s.Close()
	}
}

// TestOpenSourceLineEnds: rows end in LF, CRLF, or a bare CR (Excel for
// Mac's "CSV (Macintosh)"), and each is read as its lines, with their
// numbers; a line break inside a quoted cell stays in the cell.
func TestOpenSourceLineEnds(t *testing.T) {
	tests := []struct {
		name, data string
		want       []string // line: cells
	}{
		{"lf", "订单号,备注\nA1,x\nA2,\"a\nb\"\nA3,y\n", []string{"2: A1|x", "3: A2|a\nb", "5: A3|y"}},
		{"crlf", "订单号,备注\r\nA1,x\r\nA2,\"a\r\nb\"\r\nA3,y\r\n", []string{"2: A1|x", "3: A2|a\r\nb", "5: A3|y"}},
		{"bare cr", "订单号,备注\rA1,x\rA2,\"a\nb\"\rA3,y\r", []string{"2: A1|x", "3: A2|a\nb", "5: A3|y"}},
		{"bare cr, no end", "订单号,备注\rA1,x\rA2,y", []string{"2: A1|x", "3: A2|y"}},
		{"bare cr, gbk", gbkString(t, "订单号,备注\rA1,张三\r"), []string{"2: A1|张三"}},
		// A CR inside a cell of a file whose lines end in LF is the cell's.
		{"lf, cr in a cell", "订单号,备注\nA1,\"a\rb\"\n", []string{"2: A1|a\rb"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := OpenSource(write(t, "in.csv", []byte(tt.data)), SourceOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if h := strings.Join(s.Header(), "|"); h != "订单号|备注" {
				t.Errorf("header = %q", h)
			}
			var got []string
			for {
				rec, err := s.Next()
				if err == io.EOF {
					break
				}
				if err != nil || rec.Err != nil {
					t.Fatalf("line %d: %v %v", rec.Line, err, rec.Err)
				}
				got = append(got, fmt.Sprintf("%d: %s", rec.Line, strings.Join(rec.Cells, "|")))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("rows = %q, want %q", got, tt.want)
			}
		})
	}
}

func gbkString(t *testing.T, s string) string {
	t.Helper()
	out, err := simplifiedchinese.GBK.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOpenSourceBadFiles(t *testing.T) {
	tests := []struct {
		name, file string
		data       []byte
		wantErr    string
	}{
		{"empty", "e.csv", nil, "file is empty: no header row"},
		{"only blank lines", "e.csv", []byte("\n\r\n"), "file is empty"},
		{"latin1 is not utf8 nor gb18030", "l.csv", []byte("name,city\nJos\xe9,M\xfcnchen\n"), "unknown text encoding: byte 0xE9 at offset 13"},
		{"binary", "b.csv", []byte("PK\x01\x02\x00\x00junk"), "not a text file"},
		{"xlsx that is text", "orders.xlsx", []byte("order_id,amount\n1,2\n"), "not an XLSX spreadsheet"},
		{"zip that is no workbook", "orders.xlsx", []byte("PK\x03\x04garbage that is not a zip"), "not a readable XLSX spreadsheet"},
		{"damaged xls", "orders.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, "not a readable .xls workbook (Excel 97-2003)"},
		// Archives: zip and gzip are unpacked by the commands that import
		// (Unpack); the others are named, with what to do.
		{"gzip", "orders.csv.gz", []byte{0x1f, 0x8b, 8, 0}, "an archive (zip or gzip): import it with kith import or the web import, which unpack it"},
		{"rar", "orders.rar", []byte("Rar!\x1a\x07\x01\x00rest"), "a RAR archive: kith unpacks zip and gzip only"},
		{"7z", "orders.7z", []byte("7z\xbc\xaf\x27\x1c\x00\x04"), "a 7z archive: kith unpacks zip and gzip only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := write(t, tt.file, tt.data)
			s, err := OpenSource(p, SourceOptions{})
			if err == nil {
				s.Close()
				t.Fatalf("OpenSource succeeded, want error %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), p) {
				t.Errorf("error = %q, want it to name the file and say %q", err, tt.wantErr)
			}
		})
	}
	// No file there, or a folder: said so, not "file is empty".
	dir := t.TempDir()
	for p, want := range map[string]string{filepath.Join(dir, "none.csv"): "none.csv: no such file", dir: ": a folder, not a file"} {
		if _, err := OpenSource(p, SourceOptions{}); err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("OpenSource(%s) = %v, want %q", p, err, want)
		}
	}
	if _, err := OpenSource(write(t, "e.csv", nil), SourceOptions{}); !errors.Is(err, ErrNoHeader) {
		t.Errorf("empty file error %v is not ErrNoHeader", err)
	}
}

func TestOpenSourceXLSX(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "订单")
	f.NewSheet("备注")
	rows := [][]any{{"订单号", "客户编号", "下单时间", "实付金额"}, {"A1", "C1", 45322.5, 12.5}, {}, {"A2", "C2", "2024-02-01", "¥8"}}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		f.SetSheetRow("订单", cell, &r)
	}
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 22}) // m/d/yy h:mm: the display form must not leak into the value
	f.SetCellStyle("订单", "C2", "C2", style)
	p := filepath.Join(t.TempDir(), "orders.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	s, err := OpenSource(p, SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Describe().String() != `XLSX, sheet "订单"` {
		t.Errorf("Describe = %q", s.Describe().String())
	}
	got := records(t, s)
	if len(got) != 2 || got[0][2] != "45322.5" || got[1][3] != "¥8" {
		t.Errorf("rows = %q (the empty row is skipped, the date stays a serial)", got)
	}
	if _, err := OpenSource(p, SourceOptions{Sheet: "nope"}); err == nil || !strings.Contains(err.Error(), "订单, 备注") {
		t.Errorf("unknown sheet error = %v, want the sheet list", err)
	}
}

func TestMatchHeader(t *testing.T) {
	m, err := MatchHeader(Orders, []string{"订单编号", " Customer ID ", "付款时间", "实付金额(元)", "会员等级", "手机号码"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"order_id": 0, "customer_id": 1, "ordered_at": 2, "amount": 3, "phone": 5}
	for f, i := range want {
		if m.Index[f] != i {
			t.Errorf("%s -> column %d, want %d (%v)", f, m.Index[f], i, m.Index)
		}
	}
	if len(m.Ignored) != 1 || m.Ignored[0].Name != "会员等级" {
		t.Errorf("ignored = %v", m.Ignored)
	}
	blank, err := MatchHeader(Orders, []string{"订单号", "客户编号", "下单时间", "实付金额", "", " "}, nil)
	if err != nil || strings.Contains(blank.Describe().String(), `""`) || !strings.HasSuffix(blank.Describe().String(), `"实付金额" -> amount`) {
		t.Errorf("blank columns described: %q %v", blank.Describe().String(), err)
	}

	// Xiaohongshu's order export: what the buyer paid (买家实付), not the
	// goods' total before discounts, which is taken only when alone; the
	// after-sales column is read as such.
	xhs, err := MatchHeader(Orders, []string{"订单号", "订单状态", "下单时间", "商品总价", "买家实付", "用户ID", "收件人手机", "售后状态"}, nil)
	if err != nil || xhs.Index["amount"] != 4 || xhs.Index["refund_status"] != 7 || xhs.Index["status"] != 1 {
		t.Errorf("xiaohongshu export: %v %v", xhs, err)
	}
	// WeCom's customer export: the noted phone keys the customer, how the
	// contact was added is the channel, its two kinds of tag are tags (the
	// second kept as an attribute).
	wecom, err := MatchHeader(Customers, []string{"客户名称", "备注名", "添加人", "添加时间", "添加渠道", "企业标签", "个人标签", "性别", "备注手机号", "备注企业", "描述"}, nil)
	if err != nil || wecom.Index["phone"] != 8 || wecom.Index["channel"] != 4 || wecom.Index["tags"] != 5 || wecom.Index["owner"] != 2 ||
		wecom.Index["created_at"] != 3 || wecom.Index["company"] != 9 || wecom.Index["notes"] != 10 || len(wecom.Attrs) != 2 {
		t.Errorf("WeCom export: %v attrs %v %v", wecom.Index, wecom.Attrs, err)
	}
	// A member list's shopping guide, and WeCom's 添加人, own the customer.
	for _, h := range []string{"专属导购", "归属员工", "添加人"} {
		if m, err := MatchHeader(Customers, []string{"客户姓名", "手机号", h}, nil); err != nil || m.Index["owner"] != 2 {
			t.Errorf("%s: %v %v, want the owner", h, m, err)
		}
	}
	goods, err := MatchHeader(Orders, []string{"订单号", "下单时间", "商品总价", "用户ID"}, nil)
	if err != nil || goods.Index["amount"] != 2 {
		t.Errorf("goods total alone: %v %v", goods, err)
	}

	// Kingdee's sales outbound document, a row per item: the customer by
	// its code, what was paid tax included (价税合计) before the net 金额.
	kd, err := MatchHeader(Lines, []string{"单据编号", "日期", "客户编码", "客户", "物料编码", "物料名称", "实发数量", "单价", "金额", "价税合计"}, nil)
	if err != nil || kd.Index["order_id"] != 0 || kd.Index["customer_id"] != 2 || kd.Index["name"] != 3 || kd.Index["sku"] != 4 ||
		kd.Index["product_name"] != 5 || kd.Index["quantity"] != 6 || kd.Index["line_amount"] != 9 {
		t.Errorf("kingdee export: %v %v", kd, err)
	}

	// A till's line-item export: the receipt's serial number is the order,
	// the transaction time its time, as in an orders file.
	pos, err := MatchHeader(Lines, []string{"流水号", "会员号", "交易时间", "商品名称", "数量", "单价", "状态"}, nil)
	if err != nil || pos.Index["order_id"] != 0 || pos.Index["ordered_at"] != 2 || !pos.Has("status") {
		t.Errorf("till export: %v %v", pos, err)
	}

	// Tills' and restaurant systems' bills (银豹, 客如云, 二维火): the
	// receipt is the order, the member or the customer's phone the
	// customer, when it was settled the time, what was taken the amount.
	// What was taken (实收) before what was billed (应收); the time the
	// bill was opened (下单时间) before when it was settled.
	for _, tc := range []struct {
		header []string
		want   map[string]int
	}{
		{[]string{"销售单号", "会员号", "销售时间", "应收金额", "实收金额", "收银员"}, map[string]int{"order_id": 0, "customer_id": 1, "ordered_at": 2, "amount": 4}},
		{[]string{"订单号", "会员卡号", "下单时间", "结账时间", "应收", "实收"}, map[string]int{"order_id": 0, "customer_id": 1, "ordered_at": 2, "amount": 5}},
		{[]string{"流水号", "会员卡", "消费时间", "消费金额"}, map[string]int{"order_id": 0, "customer_id": 1, "ordered_at": 2, "amount": 3}},
		{[]string{"小票号", "顾客手机号", "结账时间", "顾客实付", "顾客姓名"}, map[string]int{"order_id": 0, "phone": 1, "ordered_at": 2, "amount": 3, "name": 4}},
		{[]string{"账单号", "会员电话", "买单时间", "结账金额"}, map[string]int{"order_id": 0, "phone": 1, "ordered_at": 2, "amount": 3}},
		// Cross-border marketplaces: Shopee, Lazada, Amazon, TikTok Shop.
		{[]string{"Order ID", "Username (Buyer)", "Order Creation Date", "Total Amount", "Order Status"}, map[string]int{"order_id": 0, "customer_id": 1, "ordered_at": 2, "amount": 3, "status": 4}},
		{[]string{"Order Number", "Customer Email", "Created at", "Paid Price", "Status"}, map[string]int{"order_id": 0, "email": 1, "ordered_at": 2, "amount": 3, "status": 4}},
		{[]string{"amazon-order-id", "buyer-email", "purchase-date", "order-status", "order total"}, map[string]int{"order_id": 0, "email": 1, "ordered_at": 2, "status": 3, "amount": 4}},
		{[]string{"Order ID", "Buyer Username", "Created Time", "Paid Time", "Order Amount"}, map[string]int{"order_id": 0, "customer_id": 1, "ordered_at": 3, "amount": 4}},
		// Takeaway platforms (美团, 饿了么): what the shop took before what it billed.
		{[]string{"订单编号", "下单时间", "顾客电话", "商户应收", "商家实收"}, map[string]int{"order_id": 0, "ordered_at": 1, "phone": 2, "amount": 4}},
		// JD's POP order export: paid when the payment was confirmed.
		{[]string{"订单号", "下单时间", "应付金额", "下单帐号", "付款确认时间"}, map[string]int{"order_id": 0, "amount": 2, "customer_id": 3, "ordered_at": 4}},
		// A group buy in a WeChat group (快团团): the buyer by nickname and phone.
		{[]string{"跟团号", "下单人", "手机号", "支付时间", "订单金额"}, map[string]int{"name": 1, "phone": 2, "ordered_at": 3, "amount": 4}},
	} {
		m, err := MatchHeader(Orders, tc.header, nil)
		if err != nil {
			t.Errorf("%v: %v", tc.header, err)
			continue
		}
		for f, i := range tc.want {
			if got, ok := m.Index[f]; !ok || got != i {
				t.Errorf("%v: %s -> column %d (%v), want %d", tc.header, f, got, ok, i)
			}
		}
	}

	// Shopify's customer export: the default address's parts.
	shop, err := MatchHeader(Customers, []string{"First Name", "Last Name", "Email", "Default Address Company", "Default Address City",
		"Default Address Province Code", "Phone", "Total Spent", "Tags"}, nil)
	if err != nil || shop.Index["company"] != 3 || shop.Index["city"] != 4 || shop.Index["region"] != 5 || shop.Index["phone"] != 6 || shop.Index["tags"] != 8 {
		t.Errorf("shopify customers: %v %v", shop.Index, err)
	}

	c, err := MatchHeader(Customers, []string{"会员号", "姓名", "会员等级", "积分"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Attrs) != 2 || c.Attrs[0].Name != "会员等级" {
		t.Errorf("customer attrs = %v, want the unknown columns", c.Attrs)
	}

	// Several columns for one field: the preferred alias wins, not the
	// column further left (JD bills 订单金额, the buyer pays 应付金额; a gift's
	// recipient is not the buyer), and --map wins over both.
	jd, err := MatchHeader(Orders, []string{"订单号", "订单金额", "应付金额", "下单帐号", "下单时间", "收货人手机号", "买家手机号"}, nil)
	if err != nil || jd.Index["amount"] != 2 || jd.Index["customer_id"] != 3 || jd.Index["phone"] != 6 {
		t.Errorf("JD-like export: %v %v", jd.Index, err)
	}

	// 有赞 joins two names with a slash; 拼多多 puts the unit after the name.
	yzo, err := MatchHeader(Orders, []string{"订单号", "订单创建时间", "订单实付金额", "收货人/提货人", "收货人手机号/提货人手机号", "备注/留言"}, nil)
	if err != nil || yzo.Index["phone"] != 4 || yzo.Index["name"] != 3 || len(yzo.Ignored) != 1 {
		t.Errorf("有赞 export: %v %v %v", yzo.Index, yzo.Ignored, err)
	}
	// A company template names each column in both languages; a part
	// that names nothing does not make the other a field.
	bi, err := MatchHeader(Customers, []string{"客户编号 Customer ID", "姓名\nName", "Mobile 手机", "邮箱：Email", "Top10客户", "生日 Birthday (农历)"}, nil)
	if err != nil {
		t.Fatalf("bilingual header: %v", err)
	}
	if bi.Index["customer_id"] != 0 || bi.Index["name"] != 1 || bi.Index["phone"] != 2 || bi.Index["email"] != 3 ||
		bi.Index["birthday"] != 5 || len(bi.Attrs) != 1 || bi.Attrs[0].Name != "Top10客户" {
		t.Errorf("bilingual header: %v %v %v", bi.Index, bi.Attrs, err)
	}
	bio, err := MatchHeader(Orders, []string{"订单号 Order No.", "下单时间 Order Time", "金额 Amount（元）", "客户 Customer ID", "手机"}, nil)
	if err != nil {
		t.Fatalf("bilingual orders header: %v", err)
	}
	if bio.Index["order_id"] != 0 || bio.Index["ordered_at"] != 1 || bio.Index["amount"] != 2 || bio.Has("customer_id") || bio.Has("name") {
		t.Errorf("bilingual orders header: %v %v", bio.Index, err)
	}
	pdd, err := MatchHeader(Orders, []string{"订单号", "商品总价(元)", "用户实付金额(元)", "商品数量(件)", "支付时间", "手机"}, nil)
	if err != nil || pdd.Index["amount"] != 2 || pdd.Index["ordered_at"] != 4 {
		t.Errorf("拼多多 export: %v %v", pdd.Index, err)
	}

	// A till keeps the date and the time of day apart: both are read. Two
	// full times (created, paid) are not such a pair, and --map decides.
	for _, c := range []struct {
		header     []string
		overrides  map[string]string
		date, time int // -1: none
	}{
		{[]string{"流水号", "会员号", "交易时间", "交易日期", "金额"}, nil, 3, 2},
		{[]string{"invoice", "customer", "order date", "order time", "total"}, nil, 2, 3},
		{[]string{"订单号", "会员号", "订单创建时间", "买家付款时间", "实付金额"}, nil, 3, -1}, // the paid time, the created one standing in
		{[]string{"流水号", "会员号", "交易日期", "交易时间", "金额"}, map[string]string{"ordered_at": "交易时间"}, 3, -1},
		{[]string{"流水号", "会员号", "交易日期", "时刻", "金额"}, nil, 2, 3},
	} {
		m, err := MatchHeader(Orders, c.header, c.overrides)
		got, has := m.Index["ordered_time"]
		if err != nil || m.Index["ordered_at"] != c.date || (c.time < 0) == has || has && got != c.time {
			t.Errorf("%v %v: %v %v, want date %d, time %d", c.header, c.overrides, m.Index, err, c.date, c.time)
		}
	}
	// The recipient's phone stands in where the buyer's is blank.
	if len(jd.Ignored) != 1 || jd.Ignored[0].Name != "订单金额" || !slices.Equal(jd.Fallback["phone"], []int{5}) {
		t.Errorf("JD-like export ignores %v, falls back to %v; want 订单金额 passed over, 收货人手机号 for a blank phone", jd.Ignored, jd.Fallback)
	}
	jdMap, err := MatchHeader(Orders, []string{"订单号", "订单金额", "应付金额", "下单帐号", "下单时间"}, map[string]string{"amount": "订单金额"})
	if err != nil || jdMap.Index["amount"] != 1 {
		t.Errorf("--map amount=订单金额: %v %v", jdMap.Index, err)
	}
	// A JD line-item export.
	jdl, err := MatchHeader(Lines, []string{"订单号", "商品ID", "商品名称", "订购数量", "京东价", "下单时间", "下单帐号"}, nil)
	if err != nil || jdl.Index["sku"] != 1 || jdl.Index["quantity"] != 3 || jdl.Index["unit_price"] != 4 || jdl.Index["customer_id"] != 6 {
		t.Errorf("JD line items: %v %v", jdl.Index, err)
	}
	// A customer column that lost its field to another (a landline beside
	// the mobile) is kept as an attribute, not dropped.
	two, err := MatchHeader(Customers, []string{"会员号", "电话", "手机"}, nil)
	if err != nil || two.Index["phone"] != 2 || len(two.Attrs) != 1 || two.Attrs[0].Name != "电话" || len(two.Ignored) != 0 {
		t.Errorf("two phones: %v attrs %v ignored %v (%v)", two.Index, two.Attrs, two.Ignored, err)
	}
	// A Douyin (抖店) export read as line items: a row per sub-order.
	dy, err := MatchHeader(Lines, []string{"主订单编号", "子订单编号", "选购商品", "商品数量", "商品单价", "订单提交时间", "收件人手机"}, nil)
	if err != nil || dy.Index["order_id"] != 0 || dy.Index["product_name"] != 2 || dy.Index["quantity"] != 3 || dy.Index["unit_price"] != 4 || dy.Index["ordered_at"] != 5 || dy.Index["phone"] != 6 {
		t.Errorf("Douyin line items: %v %v", dy.Index, err)
	}
	// Ad and shop dashboards: 巨量引擎's spend, 生意参谋's traffic.
	ad, err := MatchHeader(Spend, []string{"日期", "消耗(元)", "展示数", "点击数"}, nil)
	if err != nil || ad.Index["amount"] != 1 {
		t.Errorf("ad spend export: %v %v", ad, err)
	}
	for _, c := range []struct {
		kind   Kind
		header []string
	}{
		{Spend, []string{"日期", "推广渠道", "消耗(元)"}},
		{Spend, []string{"日期", "投放平台", "花费"}},
		{Spend, []string{"date", "Platform", "cost"}},
		{Traffic, []string{"日期", "流量来源", "访客数"}},
		{Traffic, []string{"date", "utm_medium", "sessions"}},
	} {
		if m, err := MatchHeader(c.kind, c.header, nil); err != nil || m.Index["channel"] != 1 {
			t.Errorf("%s %v: channel not found: %v %v", c.kind, c.header, m, err)
		}
	}
	sy, err := MatchHeader(Traffic, []string{"统计日期", "店铺访客数", "支付买家数"}, nil)
	if err != nil || sy.Index["date"] != 0 || sy.Index["visitors"] != 1 || sy.Index["conversions"] != 2 {
		t.Errorf("shop traffic export: %v %v", sy, err)
	}
	// A WeCom contacts export: when the contact was added is when they
	// became a customer.
	wc, err := MatchHeader(Customers, []string{"姓名", "手机号", "地区", "添加时间", "来源"}, nil)
	if err != nil || wc.Index["created_at"] != 3 || wc.Index["region"] != 2 || wc.Index["channel"] != 4 {
		t.Errorf("WeCom export: %v %v", wc.Index, err)
	}
	// A member export (Youzan): the date someone became a customer is theirs.
	yz, err := MatchHeader(Customers, []string{"客户姓名", "手机号", "成为客户时间", "累计消费金额"}, nil)
	if err != nil || yz.Index["created_at"] != 2 || yz.Index["name"] != 0 || len(yz.Attrs) != 1 {
		t.Errorf("member export: %v %v attrs %v", yz.Index, err, yz.Attrs)
	}

	o, err := MatchHeader(Orders, []string{"单号", "客户编号", "日期", "实收", "金额"}, map[string]string{"amount": "实收"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Index["amount"] != 3 {
		t.Errorf("--map amount=实收 gave column %d", o.Index["amount"])
	}

	_, err = MatchHeader(Orders, []string{"订单号", "客户编号", "金额"}, nil)
	var mf *MissingFieldError
	if !errors.As(err, &mf) || mf.Fields[0] != "ordered_at" {
		t.Fatalf("missing date column error = %v", err)
	}
	for _, want := range []string{"missing required column ordered_at", "下单时间", "order date", "--map ordered_at=HEADER", "订单号, 客户编号, 金额"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, err := MatchHeader(Orders, []string{"a"}, map[string]string{"amount": "b"}); err == nil || !strings.Contains(err.Error(), `no column "b"`) {
		t.Errorf("--map to a missing column: %v", err)
	}
	if _, err := MatchHeader(Orders, []string{"a"}, map[string]string{"nosuch": "a"}); err == nil || !strings.Contains(err.Error(), "no field nosuch") {
		t.Errorf("--map of an unknown field: %v", err)
	}
}

// FuzzMatchHeader: any header either maps or says what is missing; a field
// never takes two columns and a column never feeds two fields.
func FuzzMatchHeader(f *testing.F) {
	f.Add("订单号\x00客户编号\x00下单时间\x00金额")
	f.Add("order id\x00\x00Date\x00date\x00amount")
	f.Add("订单号\x00客户编号\x00下单时间(UTC+8)\x00实付金额（单位：分）\x00支付时间(北京时间)")
	f.Add("order_id\x00customer_id\x00Created at (in UTC)\x00Total (USD)\x00amount_cents")
	f.Fuzz(func(t *testing.T, joined string) {
		header := strings.Split(joined, "\x00")
		for _, k := range Kinds {
			m, err := MatchHeader(k, header, nil)
			if err != nil {
				var mf *MissingFieldError
				if !errors.As(err, &mf) {
					t.Fatalf("%s: unexpected error type %T: %v", k, err, err)
				}
				continue
			}
			cols := map[int]string{}
			for f, i := range m.Index {
				if i < 0 || i >= len(header) {
					t.Fatalf("%s: field %s -> column %d out of range", k, f, i)
				}
				if prev, dup := cols[i]; dup {
					t.Fatalf("%s: column %d feeds %s and %s", k, i, prev, f)
				}
				cols[i] = f
			}
			further := 0 // a field's further columns (Mapping.Fallback), read where its own is blank
			for _, is := range m.Fallback {
				further += len(is)
			}
			if k == Customers {
				further = 0 // kept as attributes too
			}
			if len(cols)+further+len(m.Attrs)+len(m.Ignored) != len(header) {
				t.Fatalf("%s: %d columns accounted for, header has %d", k, len(cols)+further+len(m.Attrs)+len(m.Ignored), len(header))
			}
			// What a header says of its values is said of a column a field took.
			for f, sh := range m.Shift {
				if _, ok := m.Index[f]; !ok || sh < -2 || sh > 8 || sh == 0 {
					t.Fatalf("%s: shift %d for %s", k, sh, f)
				}
			}
			for i := range m.Zones {
				if cols[i] == "" && !slices.ContainsFunc([]string{"ordered_at", "created_at", "date"}, func(f string) bool { return slices.Contains(m.Fallback[f], i) }) {
					t.Fatalf("%s: a zone for column %d, which no time field reads", k, i)
				}
			}
		}
	})
}

// FuzzParseOrderRow: a row either parses into a consistent order or names
// the field at fault; it never panics.
func FuzzParseOrderRow(f *testing.F) {
	f.Add("A1", "C1", "2024-01-31 10:00", "¥1,234.50", "已付款", "", "")
	f.Add("", "", "45322.5", "-3", "refunded", "0", "138****8000")
	f.Add("x", "y", "31/01/2024", "(12)", "??", "12", "'13800138000")
	f.Add(`="3391234567890123456"`, "3.39E+18", "2024-01-31", "99", "卖家已发货，等待买家确认", "99.00", "+86 138")
	f.Add("A2", "", "2024-01-31", "45", "已完成", "", "17531103964_6603")
	f.Add("A3", "", "2024-01-31", "45", "已完成", "", "0")
	m, _ := MatchHeader(Orders, []string{"订单号", "客户编号", "下单时间", "金额", "状态", "退款金额", "手机"}, nil)
	f.Fuzz(func(t *testing.T, id, cust, date, amount, status, refund, phone string) {
		p := &rowParser{m: m, loc: nil, currency: "CNY", cells: []string{id, cust, date, amount, status, refund, phone}}
		o, cerr := p.parseOrder()
		if cerr != nil {
			if cerr.field == "" || cerr.reason == nil || cerr.reason.Error() == "" {
				t.Fatalf("error without field or reason: %+v", cerr)
			}
			return
		}
		if o.OrderedAt.IsZero() || o.Customer.String() == "" || o.Currency != "CNY" {
			t.Fatalf("accepted an incomplete order: %+v", o)
		}
		if o.Amount < 0 && o.Status == "paid" {
			t.Fatalf("negative paid order: %+v", o)
		}
		if customer.MaskedPhone(o.Customer.Phone) || o.Customer.Phone != "" && customer.ShortPhone(o.Customer.Phone) ||
			shortened(o.ExternalID, 11) || shortened(o.Customer.ExternalID, 11) {
			t.Fatalf("kept a masked, privacy or too-short phone, or a shortened id: %+v", o)
		}
	})
}

// No header spelling may belong to two fields of one kind: the first field
// would take it silently and the second could never match it.
func TestAliasesUnique(t *testing.T) {
	for _, k := range Kinds {
		owner := map[string]string{}
		for _, f := range kindFields[k] {
			for _, a := range append([]string{f.name}, f.aliases...) {
				n := normHeader(a)
				if o, dup := owner[n]; dup && o != f.name {
					t.Errorf("%s: header %q is an alias of both %s and %s", k, a, o, f.name)
				}
				owner[n] = f.name
			}
		}
	}
}

// A customer row is kept with a key that tells customers apart, or
// refused naming a field: never a masked, privacy or too-short phone as
// the key, a negative company size or a birthday that is not a date.
func FuzzParseCustomerRow(f *testing.F) {
	f.Add("M1", "张三", "+86 138-0013-8000", "a@b.com", "1990-05-03", "100-499人")
	f.Add("", "李四", "手机尾号8000", "", "农历四月初八", "大型企业")
	f.Add("", "", "17531103964_6603", "mailto:x@y.cn", "90年5月3日", "-5")
	f.Add("", "王五", "0", "", "05-03", "1万人以上")
	m, _ := MatchHeader(Customers, []string{"会员号", "姓名", "手机", "邮箱", "生日", "企业规模"}, nil)
	f.Fuzz(func(t *testing.T, id, name, phone, email, birthday, size string) {
		p := &rowParser{m: m, currency: "CNY", cells: []string{id, name, phone, email, birthday, size}}
		c, cerr := p.parseCustomer()
		if cerr != nil {
			if cerr.field == "" || cerr.reason == nil || cerr.reason.Error() == "" {
				t.Fatalf("error without field or reason: %+v", cerr)
			}
			return
		}
		if c.Key().String() == "" {
			t.Fatalf("kept a customer with no key: %+v", c)
		}
		if customer.MaskedPhone(c.Phone) || c.Phone != "" && customer.ShortPhone(c.Phone) {
			t.Fatalf("kept phone %q as a key", c.Phone)
		}
		if c.CompanySize < 0 {
			t.Fatalf("company size %d", c.CompanySize)
		}
		if c.Birthday != "" {
			// A lunar month may have a 30th day that the solar one lacks.
			if _, err := time.Parse("2006-01-02", c.Birthday); err != nil && !(c.BirthdayLunar && len(c.Birthday) == 10) {
				t.Fatalf("birthday %q (lunar %v) is not a date", c.Birthday, c.BirthdayLunar)
			}
		}
	})
}
