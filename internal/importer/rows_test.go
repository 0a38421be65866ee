package importer

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/customer"
	"github.com/kithcrm/kith/internal/money"
	"github.com/kithcrm/kith/internal/order"
)

func TestParseBirthday(t *testing.T) {
	for _, c := range []struct {
		in    string
		want  string // "" when refused
		lunar bool
	}{
		{"1990-08-15", "1990-08-15", false},
		{"农历1990-08-15", "1990-08-15", true},
		{"08-15", "0000-08-15", false},
		{"8月15日", "0000-08-15", false},
		{"８月１５日", "0000-08-15", false},
		{"阴历 8月15日", "0000-08-15", true},
		{"八月十五", "0000-08-15", true},
		{"农历八月十五", "0000-08-15", true},
		{"正月初一", "0000-01-01", true},
		{"冬月初八", "0000-11-08", true},
		{"腊月廿三", "0000-12-23", true},
		{"十二月三十日", "0000-12-30", true},
		{"三月初十", "0000-03-10", true},
		{"五月二十", "0000-05-20", true},
		{"二月卅", "0000-02-30", true},
		{"十三月初一", "", false},
		{"三月初十一", "", false},
		{"三月三十一", "", false},
		{"三月四十", "", false},
		{"八月", "", false},
		{"月十五", "", false},
		{"13-01", "", false},
		{"soon", "", false},
		// A day the calendar does not have: a solar one is refused, a
		// lunar one needs only a month of up to 30 days.
		{"1990-02-30", "", false},
		{"1990年2月29日", "", false},
		{"农历1990-02-30", "1990-02-30", true},
		{"农历1990年2月29日", "1990-02-29", true},
		{"农历1990-02-31", "", false},
		{"02-30", "", false},
		{"4月31日", "", false},
		{"2月29日", "0000-02-29", false},
		{"农历 02-30", "0000-02-30", true},
		{"阴历4月31日", "", false},
	} {
		got, lunar, err := parseBirthday(c.in, false, DateAuto)
		if c.want == "" {
			if err == nil {
				t.Errorf("parseBirthday(%q) = %q, want an error", c.in, got)
			}
			continue
		}
		if err != nil || got != c.want || lunar != c.lunar {
			t.Errorf("parseBirthday(%q) = %q lunar %v, %v; want %q lunar %v", c.in, got, lunar, err, c.want, c.lunar)
		}
	}
	// A 是否农历 column marks the date lunar as "农历" in front does.
	for in, want := range map[string]string{"1990-02-30": "1990-02-30", "二月三十": "0000-02-30", "1990-01-31": "", "01-31": "", "1990-02-31": ""} {
		got, lunar, err := parseBirthday(in, true, DateAuto)
		if want == "" && err == nil || want != "" && (got != want || !lunar) {
			t.Errorf("parseBirthday(%q, lunar) = %q lunar %v, %v; want %q", in, got, lunar, err, want)
		}
	}
	// A day the calendar lacks is named as such, not as a wrong format.
	for _, in := range []string{"1990-02-30", "02-30", "农历1990-02-31", "阴历4月31日"} {
		if _, _, err := parseBirthday(in, false, DateAuto); err == nil || !strings.Contains(err.Error(), "no such day") {
			t.Errorf("parseBirthday(%q): %v, want \"no such day\"", in, err)
		}
	}
}

func TestNormGender(t *testing.T) {
	for in, want := range map[string]string{"男": "male", "F": "female", "女士": "female", "未知": "", "保密": "", "": "", "Unknown": "", "非二元": "other",
		"1": "male", "2": "female", "0": "", "男性": "male", "小姐": "female", "Mrs.": "female", "3": "other"} {
		if got := normGender(in); got != want {
			t.Errorf("normGender(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseMonth(t *testing.T) {
	for in, want := range map[string][2]int{
		"2024-1": {2024, 1}, "2024/01": {2024, 1}, "2024.03": {2024, 3}, "2024年1月": {2024, 1}, "2024年12月份": {2024, 12},
		"202404": {2024, 4}, "２０２４年３月": {2024, 3}, " 2024-11 ": {2024, 11},
		"2024-13": {}, "202413": {}, "2024": {}, "2024-05-01": {}, "20240501": {}, "1899-01": {}, "24-01": {}, "2024-": {}, "abcdef": {},
	} {
		y, m, ok := parseMonth(in)
		if ok != (want != [2]int{}) || [2]int{y, m} != want && ok {
			t.Errorf("parseMonth(%q) = %d, %d, %v; want %v", in, y, m, ok, want)
		}
	}
}

func TestDurationsAndCounts(t *testing.T) {
	parser := func(v string) *rowParser {
		return &rowParser{m: &Mapping{Index: map[string]int{"f": 0}}, cells: []string{v}}
	}
	for in, want := range map[string]int64{
		"30": 30, "30天": 30, "30 日": 30, "2周": 14, "3个月": 90, "3月": 90, "2年": 730, "1.5年": 548, "90 days": 90,
		"6 Months": 180, "1 year": 365, "2w": 14, "45.5": 46, "３０天": 30, "": 0,
		"半年": 183, "半个月": 15, "一个月": 30, "两周": 14, "十天": 10, "十二个月": 360, "一年": 365,
	} {
		if got, cerr := parser(in).days("f"); cerr != nil || got != want {
			t.Errorf("days(%q) = %d, %v; want %d", in, got, cerr, want)
		}
	}
	for _, in := range []string{"soon", "天", "30 fortnights", "1e300年", "3个", "半半年", "十十天", "一百天"} {
		if got, cerr := parser(in).days("f"); cerr == nil {
			t.Errorf("days(%q) = %d, want an error", in, got)
		}
	}
	for in, want := range map[string]int64{"1234": 1234, "1,234": 1234, "1234.0": 1234, "1.2万": 12000, "3 万": 30000, "0.5亿": 50000000, "１２": 12} {
		if got, cerr := parser(in).int("f"); cerr != nil || got != want {
			t.Errorf("int(%q) = %d, %v; want %d", in, got, cerr, want)
		}
	}
	for _, in := range []string{"1.5", "1.23456万", "万", "12k", "abc"} {
		if got, cerr := parser(in).int("f"); cerr == nil {
			t.Errorf("int(%q) = %d, want an error", in, got)
		}
	}
}

// FuzzParseBirthday: any text gives an error or a birthday that is a day
// in the calendar it is marked with.
func FuzzParseBirthday(f *testing.F) {
	for _, s := range []string{"1990-08-15", "农历八月十五", "腊月廿三", "８月１５日", "十二月三十日", "初一", "月", "二十月卅", "农历1990-02-30", "02-30"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, flag bool) {
		got, lunar, err := parseBirthday(s, flag, DateAuto)
		if err != nil {
			return
		}
		var y, m, d int
		if n, _ := fmt.Sscanf(got, "%04d-%02d-%02d", &y, &m, &d); n != 3 || len(got) != 10 || !customer.BirthdayValid(got, lunar) || flag && !lunar {
			t.Fatalf("parseBirthday(%q, %v) = %q lunar %v", s, flag, got, lunar)
		}
	})
}

// orderRow parses one orders row under header.
func orderRow(t *testing.T, header, cells []string) (order.Order, *cellErr) {
	t.Helper()
	m, err := MatchHeader(Orders, header, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &rowParser{m: m, loc: time.UTC, currency: "CNY", cells: cells}
	return p.parseOrder()
}

func TestOrderStatuses(t *testing.T) {
	header := []string{"订单号", "客户编号", "下单时间", "实付金额", "订单状态"}
	for _, c := range []struct {
		status string
		want   order.Status
	}{
		{"", order.Paid}, {"交易成功", order.Paid}, {"PAID", order.Paid}, {"partially_refunded", order.Paid},
		{"买家已付款，等待卖家发货", order.Paid}, {"卖家已发货，等待买家确认", order.Paid}, {"已发货，待签收", order.Paid},
		{"已发货，退款成功", order.Refunded}, {"未发货，退款成功", order.Refunded}, {"refunded", order.Refunded},
		{"退款关闭", order.Paid}, {"已签收，售后中", order.Paid}, {"部分退款", order.Paid}, {"交易成功，部分退款成功", order.Paid},
		{"交易关闭", order.Cancelled}, {"交易关闭-超时未付款", order.Cancelled}, {"已取消", order.Cancelled},
		{"等待买家付款", order.Cancelled}, {"待付款", order.Cancelled}, {"pending", order.Cancelled}, {"on-hold", order.Cancelled},
		{"voided", order.Cancelled},
		// JD's: waiting to leave the warehouse, to be received, done;
		// held for cancellation, cancelled, refused at the door.
		{"等待出库", order.Paid}, {"等待确认收货", order.Paid}, {"完成", order.Paid},
		{"锁定", order.Cancelled}, {"(删除)锁定", order.Cancelled}, {"已拒收", order.Cancelled},
		// Paid and waiting on the buyer or the group; not valid; all refunded.
		{"待评价", order.Paid}, {"待自提", order.Paid}, {"已核销", order.Paid}, {"待成团", order.Paid}, {"拼团中", order.Paid},
		{"已审核", order.Paid}, {"unfulfilled", order.Paid}, {"无效", order.Cancelled}, {"挂起", order.Cancelled},
		{"draft", order.Cancelled}, {"全部退款", order.Refunded}, {"已发货，全部退款", order.Refunded},
		// Cross-border marketplaces' states.
		{"To ship", order.Paid}, {"Shipping", order.Paid}, {"Awaiting Shipment", order.Paid}, {"In transit", order.Paid},
		{"Unshipped", order.Paid}, {"Return/Refund", order.Refunded}, {"Cancelled", order.Cancelled}, {"Unpaid", order.Cancelled},
		// API codes: Taobao's, Youzan's, JD's.
		{"TRADE_FINISHED", order.Paid}, {"WAIT_SELLER_SEND_GOODS", order.Paid}, {"WAIT_BUYER_CONFIRM_GOODS", order.Paid},
		{"TRADE_SUCCESS", order.Paid}, {"WAIT_SELLER_STOCK_OUT", order.Paid}, {"FINISHED_L", order.Paid},
		{"TRADE_CLOSED", order.Refunded}, {"TRADE_CLOSED_BY_TAOBAO", order.Cancelled}, {"WAIT_BUYER_PAY", order.Cancelled},
		{"TRADE_CLOSE", order.Cancelled}, {"TRADE_CANCELED", order.Cancelled}, {"LOCKED", order.Cancelled},
	} {
		o, cerr := orderRow(t, header, []string{"A1", "C1", "2024-01-05", "99", c.status})
		if cerr != nil || o.Status != c.want {
			t.Errorf("status %q: %v %v, want %v", c.status, o.Status, cerr, c.want)
		}
	}
	for _, unknown := range []string{"火星", "待审核", "待确认"} { // 待审核: a document not yet approved, a sale or not
		if _, cerr := orderRow(t, header, []string{"A1", "C1", "2024-01-05", "99", unknown}); cerr == nil || cerr.field != "status" || !strings.Contains(cerr.reason.Error(), `"`+unknown+`"`) {
			t.Errorf("unknown status %q: %v", unknown, cerr)
		}
	}
}

// An after-sales column refunds a paid order whose own status stayed at
// received, and leaves it paid when the refund did not happen.
func TestRefundStatusColumn(t *testing.T) {
	header := []string{"订单号", "手机", "支付时间", "用户实付金额(元)", "订单状态", "售后状态"}
	for _, c := range []struct {
		status, after string
		want          order.Status
	}{
		{"已收货", "退款成功", order.Refunded},
		{"已完成", "退款完成", order.Refunded},
		{"已收货", "售后完成", order.Refunded},
		{"已签收", "退货退款成功", order.Refunded},
		{"delivered", "refunded", order.Refunded},
		{"已收货", "无售后或售后取消", order.Paid},
		{"已收货", "退款关闭", order.Paid},
		{"已收货", "售后中", order.Paid},
		{"已收货", "部分退款成功", order.Paid},
		{"已收货", "商家同意退款，等待买家退货", order.Paid},
		{"已收货", "", order.Paid},
		{"已收货", "-", order.Paid},
		{"交易关闭", "退款成功", order.Cancelled}, // never paid: stays no purchase
		{"未发货，退款成功", "退款成功", order.Refunded},
	} {
		o, cerr := orderRow(t, header, []string{"240301-1", "13800138000", "2024-03-01 10:00", "26.90", c.status, c.after})
		if cerr != nil || o.Status != c.want {
			t.Errorf("status %q, after-sales %q: %v %v, want %v", c.status, c.after, o.Status, cerr, c.want)
		}
	}
}

// A refund column nets a partial refund and makes a full one a refund.
func TestRefundColumn(t *testing.T) {
	header := []string{"订单号", "客户编号", "下单时间", "实付金额", "订单状态", "退款金额"}
	for _, c := range []struct {
		amount, status, refund string
		want                   int64
		wantStatus             order.Status
		wantErr                string
	}{
		{"99.00", "交易成功", "0.00", 9900, order.Paid, ""},
		{"99.00", "交易成功", "", 9900, order.Paid, ""},
		{"99.00", "交易成功", "30", 6900, order.Paid, ""},
		{"99.00", "交易成功", "99.00", 9900, order.Refunded, ""},
		{"99.00", "交易关闭", "99.00", 9900, order.Refunded, ""}, // closed after a refund: paid once
		{"99.00", "交易关闭", "", 9900, order.Cancelled, ""},
		{"99.00", "交易关闭", "0.00", 9900, order.Cancelled, ""},
		{"99.00", "交易成功", "-", 9900, order.Paid, ""}, // accounting format's zero
		{"99.00", "交易成功", "¥ -", 9900, order.Paid, ""},
		{"99.00", "交易成功", "--", 9900, order.Paid, ""}, // nothing filled in
		{"99.00", "交易成功", "无", 9900, order.Paid, ""},
		{"99.00", "交易成功", "null", 9900, order.Paid, ""},
		{"99.00", "交易成功", "N/A", 9900, order.Paid, ""},
		{"99.00", "交易成功", "/", 9900, order.Paid, ""},
		{"-", "交易成功", "", 0, order.Paid, ""}, // a zero order (a gift), as the accounting format writes it
		{"￥ -", "交易成功", "", 0, order.Paid, ""},
		{"99.00", "交易成功", "-5", 0, "", "negative"},
		{"99.00", "交易成功", "abc", 0, "", "abc"},
	} {
		o, cerr := orderRow(t, header, []string{"A1", "C1", "2024-01-05", c.amount, c.status, c.refund})
		switch {
		case c.wantErr != "":
			if cerr == nil || cerr.field != "refund_amount" || !strings.Contains(cerr.reason.Error(), c.wantErr) {
				t.Errorf("refund %q: %v, want an error on refund_amount about %q", c.refund, cerr, c.wantErr)
			}
		case cerr != nil || o.Amount != c.want || o.Status != c.wantStatus:
			t.Errorf("amount %s, %s, refund %q: %d %s %v; want %d %s", c.amount, c.status, c.refund, o.Amount, o.Status, cerr, c.want, c.wantStatus)
		}
	}
	// A required amount that says none was filled in is rejected saying so.
	for _, amount := range []string{"null", "无", "--", "N/A"} {
		_, cerr := orderRow(t, header, []string{"A1", "C1", "2024-01-05", amount, "交易成功", ""})
		if cerr == nil || cerr.field != "amount" || !strings.Contains(cerr.reason.Error(), fmt.Sprintf("%q stands for no value", amount)) {
			t.Errorf("amount %q: %v, want rejected as no value", amount, cerr)
		}
	}
}

// Exports keep long numbers as text for Excel; the marks come off.
func TestExcelText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`="3391234567890123456"`, "3391234567890123456"},
		{`=" 0012 "`, "0012"},
		{`'13800138000`, "13800138000"},
		{`'+86 138-0013-8000`, "+86 138-0013-8000"},
		{`'2024-01-05 10:00`, "2024-01-05 10:00"},
		{`'t Hooft`, `'t Hooft`},
		{`=SUM(A1:A3)`, `=SUM(A1:A3)`},
		{`="a"&"b"`, `="a"&"b"`},
		{`'`, `'`},
		{`=""`, ``},
		{"plain", "plain"},
	} {
		if got := excelText(c.in); got != c.want {
			t.Errorf("excelText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMaskedPhoneRow(t *testing.T) {
	_, cerr := orderRow(t, []string{"订单号", "联系手机", "下单时间", "实付金额"}, []string{"A1", "138****8000", "2024-01-05", "99"})
	if cerr == nil || cerr.field != "phone" || !strings.Contains(cerr.reason.Error(), "hidden digits") {
		t.Errorf("masked phone as the only key: %v", cerr)
	}
	// Beside a buyer id the masked number is dropped, not kept as 1388000.
	o, cerr := orderRow(t, []string{"订单号", "买家会员名", "联系手机", "下单时间", "实付金额"}, []string{"A1", "tb_li", "138****8000", "2024-01-05", "99"})
	if cerr != nil || o.Customer.ExternalID != "tb_li" || o.Customer.Phone != "" {
		t.Errorf("masked phone beside a buyer id: %+v %v", o.Customer, cerr)
	}
}

// A phone too short to be anyone's (a tail, a placeholder 0) or a
// privacy number a takeaway platform lent for the order is no key: alone
// it is refused with why (masked-phone-key or not), beside a customer id
// it is dropped from the key.
func TestPhonesNoOnesOwn(t *testing.T) {
	header := []string{"订单号", "顾客电话", "下单时间", "实付金额"}
	for _, c := range []struct{ phone, reason string }{
		{"8000", "too few digits"}, {"0", "too few digits"}, {"00000000000", "too few digits"},
		{"17531103964_6603", "privacy number"}, {"隐私号 17012345678转1234", "privacy number"}, {"手机尾号8000", "hidden digits"},
	} {
		for _, masked := range []bool{false, true} {
			m, err := MatchHeader(Orders, header, nil)
			if err != nil {
				t.Fatal(err)
			}
			p := &rowParser{m: m, loc: time.UTC, currency: "CNY", maskedKey: masked, cells: []string{"A1", c.phone, "2024-01-05", "99"}}
			if _, cerr := p.parseOrder(); cerr == nil || cerr.field != "phone" || !strings.Contains(cerr.reason.Error(), c.reason) ||
				c.reason == "privacy number" && !strings.Contains(cerr.reason.Error(), "user id") {
				t.Errorf("%q masked-key %v: %v, want %q", c.phone, masked, cerr, c.reason)
			}
		}
		m, err := MatchHeader(Customers, []string{"会员号", "手机"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := &rowParser{m: m, loc: time.UTC, currency: "CNY", cells: []string{"M1", c.phone}}
		cu, cerr := p.parseCustomer()
		if cerr != nil || cu.ExternalID != "M1" || cu.Phone != "" {
			t.Errorf("%q beside an id: %+v %v", c.phone, cu, cerr)
		}
		if want := c.reason == "too few digits"; (cu.Attrs["手机"] == c.phone) != want {
			t.Errorf("%q beside an id: attrs %q, kept as written %v", c.phone, cu.Attrs, want)
		}
	}
}

// Ids Excel saved in scientific notation have lost their digits: the row
// is refused with the fix, instead of many orders collapsing into one id.
func TestShortenedIDs(t *testing.T) {
	for _, c := range []struct {
		in     string
		minExp int
		want   bool
	}{
		{"3.39123E+18", 11, true}, {"3.3912345678901197E+18", 11, true}, {"1E+11", 11, true}, {"3.39123e+18", 11, true},
		{"2E5", 11, false}, {"1.38001E+10", 11, false}, {"E+18", 11, false}, {"A1E+18", 11, false}, {"3391234567890123456", 11, false},
		{"1.2.3E+18", 11, false}, {"3.39E+1800", 11, false},
		// A phone: any exponent.
		{"1.38001E+10", 1, true}, {"1.3E+5", 1, true}, {"13800138000", 1, false}, {"138-0013-8000", 1, false},
	} {
		if got := shortened(c.in, c.minExp); got != c.want {
			t.Errorf("shortened(%q, %d) = %v, want %v", c.in, c.minExp, got, c.want)
		}
	}
	header := []string{"订单号", "客户编号", "下单时间", "实付金额"}
	for _, c := range []struct {
		cells []string
		field string
	}{
		{[]string{"3.39123E+18", "C1", "2024-01-05", "9"}, "order_id"},
		{[]string{"A1", "1.23457E+15", "2024-01-05", "9"}, "customer_id"},
		{[]string{"A1", "", "2024-01-05", "9", "1.38001E+10"}, "phone"},
	} {
		_, cerr := orderRow(t, append(header, "手机"), c.cells)
		if cerr == nil || cerr.field != c.field || !strings.Contains(cerr.reason.Error(), "format the column as Text") {
			t.Errorf("%v: %v, want a shortened %s", c.cells, cerr, c.field)
		}
	}
}

func TestTotalsRow(t *testing.T) {
	for _, c := range []struct {
		cells []string
		want  bool
	}{
		{[]string{"合计", "", "42"}, true}, {[]string{"合计：", "", "42"}, true}, {[]string{" 总计 ", ""}, true},
		{[]string{"", "GRAND TOTAL:"}, true}, {[]string{"Subtotal", "3"}, true}, {[]string{"汇总"}, true},
		{[]string{"", "", "合计"}, false}, {[]string{"Sales", "1"}, false}, {[]string{"合计金额", "1"}, false},
		{[]string{"C1", "合计"}, false}, {[]string{"Totally", "1"}, false}, {[]string{"Sum", "Ka Wing"}, false}, {nil, false}, {[]string{"", ""}, false},
		// A total word before a count or a sum.
		{[]string{"总计：2 笔", ""}, true}, {[]string{"合计(元)", "27"}, true}, {[]string{"合计 3笔"}, true}, {[]string{"小计12"}, true},
		{[]string{"Total: 2 orders"}, true}, {[]string{"", "Grand total: 42"}, true},
		{[]string{"Total Wine & More", "13800138000"}, false}, {[]string{"汇总科技", "1"}, false}, {[]string{"Subtotals", "1"}, false},
	} {
		if got := totalsRow(c.cells); got != c.want {
			t.Errorf("totalsRow(%q) = %v, want %v", c.cells, got, c.want)
		}
	}
}

// Line items: a count with its unit is the count; an EAN barcode Excel
// saved in scientific notation is refused like a shortened id.
func TestLineQuantitiesAndSKUs(t *testing.T) {
	m, err := MatchHeader(Lines, []string{"订单号", "客户编号", "下单时间", "商品编码", "数量", "单价"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sku, quantity string
		want          float64
		field         string // the field rejected, if any
	}{
		{"A1", "2", 2, ""}, {"A1", "2件", 2, ""}, {"A1", "1 箱", 1, ""}, {"A1", "3 pcs", 3, ""}, {"A1", "1.5kg", 1.5, ""},
		{"A1", "-1件", -1, ""}, {"A1", "１２个", 12, ""}, {"A1", "1,200 瓶", 1200, ""},
		{"A1", "件", 0, "quantity"}, {"A1", "两件", 0, "quantity"}, {"A1", "x2", 0, "quantity"}, {"A1", "Inf", 0, "quantity"}, {"A1", "2件3", 0, "quantity"},
		{"6901234567890", "1", 1, ""}, {"6.90123E+12", "1", 0, "sku"},
		// A comma that groups no thousands is a decimal comma in a file not
		// said to have them: refused, where dropping it read 1,5 as 15.
		{"A1", "1,5", 0, "quantity"}, {"A1", "1,50 kg", 0, "quantity"}, {"A1", "12,3456", 0, "quantity"}, {"A1", ",5", 0, "quantity"},
		{"A1", "1,234.5", 1234.5, ""}, {"A1", "12,345,678", 12345678, ""},
		// Spaces that group thousands, the no-break ones of French Excel too.
		{"A1", "-", 0, ""}, {"A1", "－", 0, ""}, {"A1", "--", 0, "quantity"}, // Excel's accounting zero
		{"A1", "1 200 瓶", 1200, ""}, {"A1", "12\u00a0345\u202f678", 12345678, ""}, {"A1", "1 5", 0, "quantity"},
	} {
		p := &rowParser{m: m, loc: time.UTC, currency: "CNY", cells: []string{"O1", "C1", "2024-01-05", c.sku, c.quantity, "10"}}
		o, cerr := p.parseLine()
		switch {
		case c.field != "" && (cerr == nil || cerr.field != c.field):
			t.Errorf("%q x %q: %+v %v, want %s rejected", c.sku, c.quantity, o.Lines, cerr, c.field)
		case c.field == "" && (cerr != nil || len(o.Lines) != 1 || o.Lines[0].Quantity != c.want):
			t.Errorf("%q x %q: %+v %v, want quantity %v", c.sku, c.quantity, o.Lines, cerr, c.want)
		}
	}
}

// A decimal-comma file (Options.DecimalComma): 1.234,50 is one thousand two
// hundred and thirty-four and a half, in amounts, prices, quantities and
// counts alike.
func TestDecimalComma(t *testing.T) {
	m, err := MatchHeader(Lines, []string{"Bestellnummer", "Kunde", "Datum", "Artikel", "Menge", "Preis"},
		map[string]string{"order_id": "Bestellnummer", "customer_id": "Kunde", "ordered_at": "Datum", "sku": "Artikel", "quantity": "Menge", "unit_price": "Preis"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		quantity, price string
		qty             float64
		minor           int64
		field           string
		reason          string // in the reject's reason
	}{
		{"1,5", "1.234,50", 1.5, 123450, "", ""},
		{"2", "12,5", 2, 1250, "", ""},
		{"1.000", "€ 9,99", 1000, 999, "", ""},
		{"0,25 kg", "4.000", 0.25, 400000, "", ""},
		// Thousands grouped by a no-break space, as Excel writes them in French.
		{"1", "1\u00a0234,50", 1, 123450, "", ""},
		{"1", "1\u202f234,50 €", 1, 123450, "", ""},
		{"1\u00a0000", "10", 1000, 1000, "", ""},
		{"1.5", "10", 0, 0, "quantity", `"1.5": a point that groups no thousands (a decimal point? import without --decimal-comma)`},
		// Written the other way: the reason quotes the cell as written, and
		// says the flag is the trouble.
		{"1", "1,234.50", 0, 0, "unit_price", `"1,234.50": a point after the decimal comma (numbers written 1,234.50? import without --decimal-comma)`},
		{"1", "12.5", 0, 0, "unit_price", `"12.5": misplaced thousands separator (a decimal point? import without --decimal-comma)`},
		{"1", "12a", 0, 0, "unit_price", `"12a": unexpected character 'a'`},
	} {
		p := &rowParser{m: m, loc: time.UTC, currency: "EUR", decimalComma: true, cells: []string{"O1", "C1", "2024-01-05", "A1", c.quantity, c.price}}
		o, cerr := p.parseLine()
		switch {
		case c.field != "" && (cerr == nil || cerr.field != c.field || !strings.Contains(cerr.reason.Error(), c.reason)):
			t.Errorf("%q x %q: %+v %v, want %s rejected: %s", c.quantity, c.price, o.Lines, cerr, c.field, c.reason)
		case c.field == "" && (cerr != nil || len(o.Lines) != 1 || o.Lines[0].Quantity != c.qty || o.Lines[0].UnitPrice != c.minor):
			t.Errorf("%q x %q: %+v %v, want %v x %d", c.quantity, c.price, o.Lines, cerr, c.qty, c.minor)
		}
	}
}

// A gift's price is zero, whatever word the export writes for it; a word for
// none still leaves the price unknown.
func TestGiftPrices(t *testing.T) {
	m, err := MatchHeader(Lines, []string{"订单号", "客户编号", "下单时间", "商品名称", "数量", "单价"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		price string
		want  int64
		field string // the field rejected, if any
	}{
		{"赠品", 0, ""}, {" 赠送 ", 0, ""}, {"免费", 0, ""}, {"Free", 0, ""}, {"FOC", 0, ""}, {"gift", 0, ""},
		{"12.50", 2500, ""}, {"-", 0, ""},
		{"无", 0, "unit_price"}, {"赠品券", 0, "unit_price"}, {"freebie", 0, "unit_price"},
	} {
		p := &rowParser{m: m, loc: time.UTC, currency: "CNY", cells: []string{"O1", "C1", "2024-01-05", "小样", "2", c.price}}
		o, cerr := p.parseLine()
		switch {
		case c.field != "" && (cerr == nil || cerr.field != c.field):
			t.Errorf("price %q: %+v %v, want %s rejected", c.price, o.Lines, cerr, c.field)
		case c.field == "" && (cerr != nil || len(o.Lines) != 1 || o.Lines[0].Amount != c.want || o.Amount != c.want):
			t.Errorf("price %q: %+v %v, want a line of %d", c.price, o.Lines, cerr, c.want)
		}
	}
	header := []string{"订单号", "客户编号", "下单时间", "实付金额", "订单状态"}
	for _, amount := range []string{"免单", "免费"} {
		o, cerr := orderRow(t, header, []string{"A1", "C1", "2024-01-05", amount, "交易成功"})
		if cerr != nil || o.Amount != 0 || o.Status != order.Paid {
			t.Errorf("amount %q: %+v %v, want a paid order of 0", amount, o, cerr)
		}
	}
}

// Counts as dashboards and hand-kept sheets write them: with 万, and with
// what they count after the number.
func TestWholeNumber(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1234", 1234, true}, {"1234.0", 1234, true}, {"1.2万", 12000, true}, {"3亿", 300000000, true},
		{"100人", 100, true}, {"3单", 3, true}, {"1.2万人次", 12000, true}, {"50 people", 50, true}, {"2 Visitors", 2, true},
		{"1.5人", 0, false}, {"人", 0, false}, {"100-499人", 0, false}, {"两百人", 0, false}, {"100人人", 0, false},
	} {
		got, ok := wholeNumber(c.in)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("wholeNumber(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// Spend kinds as Chinese shops name their costs.
func TestSpendKinds(t *testing.T) {
	m, err := MatchHeader(Spend, []string{"月份", "渠道", "投放金额", "类型"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for kind, want := range map[string]string{"达人": "marketing", "KOL": "marketing", "信息流": "marketing", "佣金": "sales",
		"地推": "sales", "返现": "cashback", "": "marketing", "房租": ""} {
		p := &rowParser{m: m, loc: time.UTC, currency: "CNY", cells: []string{"2024-01", "抖音", "100", kind}}
		s, _, cerr := p.parseSpend()
		if want == "" && (cerr == nil || cerr.field != "kind") || want != "" && (cerr != nil || s.Kind != want) {
			t.Errorf("kind %q: %q %v, want %q", kind, s.Kind, cerr, want)
		}
	}
}

// A company's size as B2B lists export it: bands and bounds are read as
// their number, and kept as written too; a size that cannot be read keeps
// the customer, without a size, the cell kept as written.
func TestCompanySize(t *testing.T) {
	m, err := MatchHeader(Customers, []string{"客户编号", "企业规模"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		in     string
		want   int64
		kept   bool // the cell among the attributes
		unread bool
	}{
		{"", 0, false, false}, {"50", 50, false, false}, {"50人", 50, false, false}, {"1,200", 1200, false, false},
		{"100-499人", 100, true, false}, {"100~499", 100, true, false}, {"100 至 499 人", 100, true, false},
		{"1000人以上", 1000, true, false}, {"1000+", 1000, true, false}, {"20人以下", 20, true, false}, {"<20", 20, true, false},
		{"1万人以上", 10000, true, false}, {"１００－４９９人", 100, true, false},
		{"many", 0, true, true}, {"大型企业", 0, true, true}, {"100-many", 0, true, true}, {"-5", 0, true, true}, {"以上", 0, true, true},
	} {
		p := &rowParser{m: m, loc: time.UTC, currency: "CNY", cells: []string{"B1", c.in}}
		cu, cerr := p.parseCustomer()
		attr, kept := cu.Attrs["企业规模"]
		if cerr != nil || int64(cu.CompanySize) != c.want || kept != c.kept || kept && attr != c.in || (p.unread[cellCompanySize] != nil) != c.unread {
			t.Errorf("%q: size %d, attrs %q, unread %v (%v); want %d, kept %v, unread %v",
				c.in, cu.CompanySize, cu.Attrs, p.unread[cellCompanySize], cerr, c.want, c.kept, c.unread)
		}
	}
}

// A date and its time of day from two columns, as tills export them.
func TestDateAndClockApart(t *testing.T) {
	header := []string{"流水号", "会员号", "交易日期", "交易时间", "金额"}
	for _, c := range []struct {
		date, clock string
		want        string // in UTC; "" for a rejected row
	}{
		{"2024-01-05", "14:30:00", "2024-01-05 14:30"},
		{"2024/1/5", "9:05", "2024-01-05 09:05"},
		{"2024-01-05 00:00:00", "14:30", "2024-01-05 14:30"}, // a date column formatted with a midnight
		{"2024-01-05 08:00", "14:30", "2024-01-05 08:00"},    // a real time wins
		{"2024-01-05", "下午2:30", "2024-01-05 14:30"},
		{"2024-01-05", "2:30 PM", "2024-01-05 14:30"},
		{"2024-01-05", "14时30分", "2024-01-05 14:30"},
		{"2024-01-05", "", "2024-01-05 00:00"},
		{"2024-01-05", "see notes", "2024-01-05 00:00"},     // not a clock: the date alone
		{"45296", "0.6041666666666666", "2024-01-05 14:30"}, // a workbook's serial and day fraction
		{"2024-01-05", "25:99", ""},
		{"", "14:30", ""},
	} {
		o, cerr := orderRow(t, header, []string{"P1", "M1", c.date, c.clock, "10"})
		switch {
		case c.want == "" && cerr == nil:
			t.Errorf("%q + %q: %v, want rejected", c.date, c.clock, o.OrderedAt)
		case c.want != "" && (cerr != nil || o.OrderedAt.UTC().Format("2006-01-02 15:04") != c.want):
			t.Errorf("%q + %q: %v %v, want %s", c.date, c.clock, o.OrderedAt.UTC(), cerr, c.want)
		}
	}
}

func TestSplitEvenly(t *testing.T) {
	for _, c := range []struct {
		total int64
		n     int
		want  []int64
	}{
		{10000, 3, []int64{3334, 3333, 3333}},
		{-100, 3, []int64{-34, -33, -33}},
		{2, 3, []int64{1, 1, 0}},
		{0, 2, []int64{0, 0}},
		{7, 1, []int64{7}},
	} {
		if got := splitEvenly(c.total, c.n); !slices.Equal(got, c.want) {
			t.Errorf("splitEvenly(%d, %d) = %v, want %v", c.total, c.n, got, c.want)
		}
	}
}

// A name in two columns is joined: "Alice Wang", or "王芳" when both parts
// are Chinese; beside a whole name they stay columns of their own.
func TestNameInTwoColumns(t *testing.T) {
	for _, c := range []struct {
		header, cells []string
		want          string
		attrs         int
	}{
		{[]string{"Email", "First Name", "Last Name"}, []string{"a@x.com", "Alice", "Wang"}, "Alice Wang", 0},
		{[]string{"邮箱", "姓", "名"}, []string{"a@x.com", "王", "芳"}, "王芳", 0},
		{[]string{"Email", "First Name (Billing)", "Last Name (Billing)"}, []string{"a@x.com", "Alice", ""}, "Alice", 0},
		{[]string{"Email", "Name", "First Name", "Last Name"}, []string{"a@x.com", "A. Wang", "Alice", "Wang"}, "A. Wang", 2},
	} {
		m, err := MatchHeader(Customers, c.header, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := &rowParser{m: m, loc: time.UTC, currency: "CNY", cells: c.cells}
		got, cerr := p.parseCustomer()
		if cerr != nil || got.Name != c.want || len(m.Attrs) != c.attrs {
			t.Errorf("%v %v: name %q, attributes %v (%v); want %q and %d attributes", c.header, c.cells, got.Name, m.Attrs, cerr, c.want, c.attrs)
		}
	}
	m, err := MatchHeader(Orders, []string{"Order Number", "Order Status", "Order Date", "First Name (Billing)", "Last Name (Billing)", "Email (Billing)", "Order Total Amount", "Order Refund Amount"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &rowParser{m: m, loc: time.UTC, currency: "USD", cells: []string{"1202", "wc-refunded", "2024-03-02 11:00", "Bob", "Li", "bob@example.com", "49.90", "49.90"}}
	o, cerr := p.parseOrder()
	if cerr != nil || o.CustomerName != "Bob Li" || o.Status != order.Refunded || o.Amount != 4990 || o.ExternalID != "1202" {
		t.Errorf("WooCommerce order: %+v %v", o, cerr)
	}
}

// A blank or unset order time gives way to the file's further time
// columns: Pinduoduo leaves an unpaid order's 支付时间 blank.
func TestOrderTimeFallback(t *testing.T) {
	header := []string{"订单号", "买家ID", "订单创建时间", "支付时间", "订单状态", "实付金额"}
	for _, c := range []struct {
		created, paid string
		want          string // in UTC; "" for a rejected row
		reason        string // what a rejected row's reason says
	}{
		{"2024-05-01 10:00:00", "2024-05-01 10:01:00", "2024-05-01 10:01", ""}, // the paid time wins
		{"2024-05-01 10:00:00", "", "2024-05-01 10:00", ""},
		{"2024-05-01 10:00:00", "0000-00-00 00:00:00", "2024-05-01 10:00", ""},
		{"2024-05-01 10:00:00", "1970-01-01 08:00:00", "2024-05-01 10:00", ""}, // a timestamp of 0 in China's zone
		{"2024-05-01 10:00:00", "-", "2024-05-01 10:00", ""},
		{"2024-05-01 10:00:00", "1900-01-01", "2024-05-01 10:00", ""},
		{"", "", "", "is empty"},
		{"0000-00-00 00:00:00", "", "", `"0000-00-00 00:00:00" stands for no date`},
		{"2024-05-01 10:00:00", "yesterday", "", "yesterday"}, // a paid time that does not read is not passed over
	} {
		o, cerr := orderRow(t, header, []string{"A1", "u1", c.created, c.paid, "已取消", "50"})
		switch {
		case c.want == "" && (cerr == nil || cerr.field != "ordered_at" || !strings.Contains(cerr.reason.Error(), c.reason)):
			t.Errorf("%q, %q: %v %v, want rejected for %q", c.created, c.paid, o.OrderedAt, cerr, c.reason)
		case c.want != "" && (cerr != nil || o.OrderedAt.UTC().Format("2006-01-02 15:04") != c.want):
			t.Errorf("%q, %q: %v %v, want %s", c.created, c.paid, o.OrderedAt.UTC(), cerr, c.want)
		}
	}
	m, err := MatchHeader(Orders, header, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Describe().Error(); !strings.Contains(got, `"订单创建时间" -> ordered_at where "支付时间" is blank`) {
		t.Errorf("the mapping says %s", got)
	}
	// Named by --map, the time has no stand-in.
	m, err = MatchHeader(Orders, header, map[string]string{"ordered_at": "支付时间"})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Fallback) != 0 {
		t.Errorf("with --map, fallback %v", m.Fallback)
	}
}

// A customer's date that nobody filled in is left blank, not a reason to
// turn the customer away; nor is a birthday that cannot be read, which is
// kept as written among the attributes.
func TestUnsetCustomerDates(t *testing.T) {
	header := []string{"会员号", "姓名", "生日", "注册时间"}
	m, err := MatchHeader(Customers, header, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		birthday, created string
		want              string // the birthday kept; "bad" for one that cannot be read
		wantCreated       bool
	}{
		{"1990-08-15", "2023-01-02 10:00:00", "1990-08-15", true},
		{"0000-00-00", "0000-00-00 00:00:00", "", false},
		{"未知", "1970-01-01 08:00:00", "", false},
		{"保密", "", "", false},
		{"--", "", "", false},
		{"N/A", "", "", false},
		{"0", "", "", false},
		{"1900-01-01", "1900-01-01 00:00:00", "", false},
		{"1970-01-01", "", "1970-01-01", false}, // a birthday it can be
		{"1990-02-30", "", "bad", false},
		{"不清楚", "", "bad", false},
	} {
		p := &rowParser{m: m, loc: time.UTC, cells: []string{"M1", "王芳", c.birthday, c.created}}
		cu, cerr := p.parseCustomer()
		switch {
		case c.want == "bad":
			if cerr != nil || cu.Birthday != "" || cu.Attrs["生日"] != c.birthday || p.unread[cellBirthday] == nil {
				t.Errorf("birthday %q: %+v %v (%v), want the customer without it and the cell an attribute", c.birthday, cu, cerr, p.unread[cellBirthday])
			}
		case p.unread[cellBirthday] != nil || cu.Attrs["生日"] != "":
			t.Errorf("birthday %q: kept as an attribute (%v), want it read or left blank", c.birthday, p.unread[cellBirthday])
		case cerr != nil || cu.Birthday != c.want || cu.CreatedAt.IsZero() == c.wantCreated:
			t.Errorf("birthday %q, created %q: birthday %q created %v, %v; want %q", c.birthday, c.created, cu.Birthday, cu.CreatedAt, cerr, c.want)
		}
	}
}

// A blank phone cell gives way to the file's next phone column: Taobao's
// report fills 联系手机 or 联系电话. A customers file keeps that column as
// an attribute too, so a landline beside a mobile is not lost.
func TestPhoneFallback(t *testing.T) {
	header := []string{"订单编号", "买家会员名", "联系电话", "联系手机", "订单创建时间", "买家实际支付金额"}
	for _, c := range []struct{ landline, mobile, want string }{
		{"", "'13800138000", "13800138000"},
		{"0571-88888888", "13800138000", "13800138000"}, // a mobile first
		{"13900139000", "", "13900139000"},
		{"", "", ""},
	} {
		o, cerr := orderRow(t, header, []string{"A1", "tb_alice", c.landline, c.mobile, "2024-06-18 00:01:02", "54.80"})
		if cerr != nil || o.Customer.Phone != c.want {
			t.Errorf("%q, %q: phone %q %v, want %q", c.landline, c.mobile, o.Customer.Phone, cerr, c.want)
		}
	}
	// Pinduoduo: the buyer's own number (用户购买手机号) before the
	// recipient's masked 手机; a masked cell gives way to a full one.
	pdd := []string{"订单号", "手机", "支付时间", "用户实付金额(元)", "用户购买手机号"}
	for _, c := range []struct{ recipient, buyer, want string }{
		{"138****8000", "13900139000", "13900139000"},
		{"138****8000", "", ""}, // masked and alone: rejected
		{"13800138000", "139****9000", "13800138000"},
		{"13800138000", "", "13800138000"},
	} {
		o, cerr := orderRow(t, pdd, []string{"240618-1", c.recipient, "2024-06-18 00:01:10", "54.80", c.buyer})
		switch {
		case c.want == "" && (cerr == nil || cerr.code != "masked"):
			t.Errorf("%q, %q: %q %v, want rejected as masked", c.recipient, c.buyer, o.Customer.Phone, cerr)
		case c.want != "" && (cerr != nil || o.Customer.Phone != c.want):
			t.Errorf("%q, %q: phone %q %v, want %q", c.recipient, c.buyer, o.Customer.Phone, cerr, c.want)
		}
	}
	m, err := MatchHeader(Customers, []string{"姓名", "手机", "电话"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		mobile, landline, want string
		attrs                  map[string]string
	}{
		{"13800138000", "0571-88888888", "13800138000", map[string]string{"电话": "0571-88888888"}},
		{"", "13900139000", "13900139000", map[string]string{"电话": "13900139000"}},
	} {
		p := &rowParser{m: m, loc: time.UTC, cells: []string{"王芳", c.mobile, c.landline}}
		cu, cerr := p.parseCustomer()
		if cerr != nil || cu.Phone != c.want || !maps.Equal(cu.Attrs, c.attrs) {
			t.Errorf("%q, %q: phone %q attrs %v %v; want %q, %v", c.mobile, c.landline, cu.Phone, cu.Attrs, cerr, c.want, c.attrs)
		}
	}
}

// A member list's province, city and district in one cell are split into
// the province and the city; the district stays in the cell, kept as an
// attribute. Places that are not Chinese provinces are left whole.
func TestPlaceInOneCell(t *testing.T) {
	for _, c := range []struct {
		header, cells   []string
		region, city    string
		attrs           map[string]string
		orderRegion     string // the same cell in an orders file
		orderCity       string
		orderHasNoPlace bool
	}{
		{[]string{"手机", "所在地区"}, []string{"13800138000", "浙江省 杭州市 西湖区"}, "浙江省", "杭州市", map[string]string{"所在地区": "浙江省 杭州市 西湖区"}, "", "", true},
		{[]string{"手机", "所在地区"}, []string{"13800138000", "浙江省-杭州市"}, "浙江省", "杭州市", nil, "", "", true},
		{[]string{"手机", "所在地区"}, []string{"13800138000", "北京市 北京市 朝阳区"}, "北京市", "北京市", map[string]string{"所在地区": "北京市 北京市 朝阳区"}, "", "", true},
		{[]string{"手机", "所在地区"}, []string{"13800138000", "北京市 朝阳区"}, "北京市", "北京市", map[string]string{"所在地区": "北京市 朝阳区"}, "", "", true},
		{[]string{"手机", "所在地区"}, []string{"13800138000", "上海市 市辖区"}, "上海市", "上海市", nil, "", "", true},
		{[]string{"手机", "所在地区"}, []string{"13800138000", "广西壮族自治区 南宁市"}, "广西壮族自治区", "南宁市", nil, "", "", true},
		{[]string{"手机", "所在地区"}, []string{"13800138000", "浙江省"}, "浙江省", "", nil, "", "", true},
		{[]string{"手机", "省份", "城市"}, []string{"13800138000", "浙江省 杭州市", "宁波市"}, "浙江省 杭州市", "宁波市", nil, "浙江省 杭州市", "宁波市", false}, // a city of its own: nothing split
		{[]string{"phone", "region"}, []string{"13800138000", "New South Wales"}, "New South Wales", "", nil, "New South Wales", "", false},
		{[]string{"phone", "province"}, []string{"13800138000", "Île-de-France"}, "Île-de-France", "", nil, "Île-de-France", "", false},
		{[]string{"手机", "省", "市"}, []string{"13800138000", "广东省", "深圳市"}, "广东省", "深圳市", nil, "广东省", "深圳市", false},
	} {
		m, err := MatchHeader(Customers, c.header, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := &rowParser{m: m, loc: time.UTC, cells: c.cells}
		cu, cerr := p.parseCustomer()
		if cerr != nil || cu.Region != c.region || cu.City != c.city || !maps.Equal(cu.Attrs, c.attrs) {
			t.Errorf("%v: %q %q %v %v; want %q %q %v", c.cells, cu.Region, cu.City, cu.Attrs, cerr, c.region, c.city, c.attrs)
		}
		if c.orderHasNoPlace {
			continue // 所在地区 is no order column
		}
		o, cerr := orderRow(t, append([]string{"订单号", "下单时间", "实付金额"}, c.header...), append([]string{"A1", "2024-01-05", "9.90"}, c.cells...))
		if cerr != nil || o.CustomerRegion != c.orderRegion || o.CustomerCity != c.orderCity {
			t.Errorf("order %v: %q %q %v; want %q %q", c.cells, o.CustomerRegion, o.CustomerCity, cerr, c.orderRegion, c.orderCity)
		}
	}
	o, cerr := orderRow(t, []string{"订单号", "手机", "下单时间", "实付金额", "收货省份"}, []string{"A1", "13800138000", "2024-01-05", "9.90", "浙江省 杭州市 西湖区"})
	if cerr != nil || o.CustomerRegion != "浙江省" || o.CustomerCity != "杭州市" {
		t.Errorf("order: %q %q %v, want 浙江省 杭州市", o.CustomerRegion, o.CustomerCity, cerr)
	}
}

// The province and city at the start of a place or an address, as systems
// write them: apart or run together, full names or short, municipalities
// and autonomous regions, and the names a province's starts like.
func TestSplitPlace(t *testing.T) {
	for _, c := range []struct {
		in, region, city string
		rest, ok         bool
	}{
		{"浙江省 杭州市 西湖区 文三路 100号 (310000)", "浙江省", "杭州市", true, true}, // Taobao's 收货地址
		{"浙江省杭州市西湖区文三路100号", "浙江省", "杭州市", true, true},
		{"浙江杭州市西湖区文三路100号", "浙江", "杭州市", true, true},
		{"浙江 杭州 西湖区", "浙江", "杭州", true, true},
		{"浙江省-杭州市", "浙江省", "杭州市", false, true},
		{"浙江省", "浙江省", "", false, true},
		{"浙江省文三路100号", "浙江省", "", true, true},
		{"浙江省杭州市西湖区文三路100-2号", "浙江省", "杭州市", true, true}, // a dash in the street
		{"浙江省 文三路 100号", "浙江省", "", true, true},          // a street where the city would be
		{"浙江省 西湖区", "浙江省", "", true, true},
		{"北京市朝阳区建国路88号", "北京市", "北京市", true, true},
		{"北京朝阳区三环以内", "北京", "北京", true, true}, // JD's 客户地址
		{"北京 北京市 朝阳区", "北京", "北京", true, true},
		{"上海市市辖区", "上海市", "上海市", false, true},
		{"上海 上海市 浦东新区 张江路", "上海", "上海", true, true},
		{"重庆市 县 巫山县", "重庆市", "重庆市", true, true},
		{"广西壮族自治区南宁市青秀区", "广西壮族自治区", "南宁市", true, true},
		{"内蒙古自治区锡林郭勒盟锡林浩特市", "内蒙古自治区", "锡林郭勒盟", true, true},
		{"湖北省恩施土家族苗族自治州恩施市", "湖北省", "恩施土家族苗族自治州", true, true},
		{"黑龙江省大兴安岭地区加格达奇区", "黑龙江省", "大兴安岭地区", true, true},
		{"新疆维吾尔自治区乌鲁木齐市", "新疆维吾尔自治区", "乌鲁木齐市", false, true},
		{"香港特别行政区九龙油尖旺区", "香港特别行政区", "香港特别行政区", true, true},
		{"吉林省吉林市船营区", "吉林省", "吉林市", true, true},
		{"某某省 某某市", "某某省", "某某市", false, true}, // a province the list does not know, written apart
		{"吉林市船营区", "", "", false, false},       // a city named like its province
		{"海南藏族自治州共和县", "", "", false, false},
		{"河北区金纬路", "", "", false, false}, // a district of Tianjin
		{"江西路 100号", "", "", false, false},
		{"杭州市西湖区", "", "", false, false},
		{"123 Main St", "", "", false, false},
		{"New South Wales", "", "", false, false},
		{"", "", "", false, false},
	} {
		region, city, rest, ok := splitPlace(c.in)
		if region != c.region || city != c.city || rest != c.rest || ok != c.ok {
			t.Errorf("%q: %q %q rest %v ok %v; want %q %q %v %v", c.in, region, city, rest, ok, c.region, c.city, c.rest, c.ok)
		}
	}
}

// Whatever the cell, the province and the city read are what it says, in
// its order.
func FuzzSplitPlace(f *testing.F) {
	for _, s := range []string{"浙江省 杭州市 西湖区", "北京朝阳区", "广西壮族自治区南宁市", "上海市市辖区", "某省 -", "香港特别行政区"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		region, city, rest, ok := splitPlace(s)
		if !ok {
			if region != "" || city != "" || rest {
				t.Fatalf("%q: not a place, yet %q %q %v", s, region, city, rest)
			}
			return
		}
		after, found := strings.CutPrefix(strings.TrimSpace(s), region)
		if region == "" || !found {
			t.Fatalf("%q: region %q is not its start", s, region)
		}
		if city != "" && city != region && !strings.Contains(after, city) {
			t.Fatalf("%q: city %q is not after region %q", s, city, region)
		}
	})
}

// An address in one cell gives an order's buyer, or a customer, a province
// and a city when no column of its own does; a customer keeps the address.
func TestAddressColumn(t *testing.T) {
	const taobao = "浙江省 杭州市 西湖区 文三路 100号 (310000)"
	for _, c := range []struct {
		header, cells []string
		region, city  string
	}{
		{[]string{"收货地址"}, []string{taobao}, "浙江省", "杭州市"},
		{[]string{"客户地址"}, []string{"北京朝阳区三环以内"}, "北京", "北京"},
		{[]string{"收货地址", "收货省份", "收货城市"}, []string{taobao, "浙江", "宁波市"}, "浙江", "宁波市"}, // columns of their own win
		{[]string{"收货地址", "收货城市"}, []string{taobao, "宁波市"}, "", "宁波市"},
		{[]string{"收货地址", "收货省份"}, []string{taobao, "浙江"}, "浙江", "杭州市"}, // the address's city, in the province given
		{[]string{"收货地址", "收货省份"}, []string{taobao, "江苏省"}, "江苏省", ""},  // another province's: not taken
		{[]string{"收货地址", "收货省份"}, []string{"文三路 100号", "浙江省"}, "浙江省", ""},
		{[]string{"Shipping Address"}, []string{"123 Main St"}, "", ""},
	} {
		o, cerr := orderRow(t, append([]string{"订单号", "手机", "下单时间", "实付金额"}, c.header...), append([]string{"A1", "13800138000", "2024-01-05", "9.90"}, c.cells...))
		if cerr != nil || o.CustomerRegion != c.region || o.CustomerCity != c.city {
			t.Errorf("order %v: %q %q %v; want %q %q", c.cells, o.CustomerRegion, o.CustomerCity, cerr, c.region, c.city)
		}
	}
	m, err := MatchHeader(Customers, []string{"手机", "地址"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &rowParser{m: m, loc: time.UTC, cells: []string{"13800138000", "广东省深圳市南山区科技园"}}
	cu, cerr := p.parseCustomer()
	if want := map[string]string{"地址": "广东省深圳市南山区科技园"}; cerr != nil || cu.Region != "广东省" || cu.City != "深圳市" || !maps.Equal(cu.Attrs, want) {
		t.Errorf("customer: %q %q %v %v; want 广东省 深圳市 %v", cu.Region, cu.City, cu.Attrs, cerr, want)
	}
}

// FuzzPlainNumber: a number kept lost its commas and nothing else, and
// each comma it lost stood before three digits and no fourth.
var spaceBetweenDigits = regexp.MustCompile(`([0-9])[ \x{a0}\x{202f}\x{2009}\x{2007}]([0-9])`)

func FuzzPlainNumber(f *testing.F) {
	for _, s := range []string{"1,234", "1,5", "12,345,678.5", "1,234件", ",5", "1.000,25", "１，２３４", "1 234", "1\u00a0234 5", "3 pcs", "0 A000\x8e", "-", "－"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := (&rowParser{}).plainNumber(s)
		if !ok {
			return
		}
		// A space between two digits groups them, as a comma does: it is
		// checked and dropped like one, and other spaces read as plain.
		n := money.Narrow(s)
		for prev := ""; prev != n; {
			prev, n = n, spaceBetweenDigits.ReplaceAllString(n, "$1,$2")
		}
		n = strings.NewReplacer("\u00a0", " ", "\u202f", " ", "\u2009", " ", "\u2007", " ").Replace(n)
		if n == "-" { // Excel's accounting zero
			n = "0"
		}
		if got != strings.ReplaceAll(n, ",", "") {
			t.Fatalf("plainNumber(%q) = %q", s, got)
		}
		for i := 0; i < len(n); i++ {
			if n[i] == ',' && (i == 0 || i+4 > len(n) || !allDigits(n[i+1:i+4]) || i+4 < len(n) && n[i+4] >= '0' && n[i+4] <= '9') {
				t.Fatalf("plainNumber(%q) kept %q: the comma at %d groups no thousands", s, got, i)
			}
		}
	})
}

// A money column whose header names its unit is read in it: payment
// systems keep money in 分 (9900 is ¥99), budgets in 万元; 元 and the
// currency itself change nothing, and other words in brackets are no unit.
func TestMoneyUnitInHeader(t *testing.T) {
	for _, c := range []struct {
		header, cell string
		want         int64 // minor units (fen)
	}{
		{"实付金额(分)", "9900", 9900},
		{"实付金额（分）", "9,900", 9900},
		{"实付金额【单位：分】", "9900", 9900},
		{"实付金额(单位:分)", "9900", 9900},
		{"实付金额/分", "9900", 9900},
		{"total_cents", "9950", 9950},
		{"amount (in cents)", "12345", 12345},
		{"Amount_Cents", "1000.5", 1001}, // half a cent rounds away from zero
		{"实付金额(分)", "-1000.5", -1001},
		{"实付金额(角)", "995", 9950},
		{"实付金额(元)", "99", 9900},
		{"实付金额(CNY)", "99", 9900},
		{"实付金额", "99", 9900},
		{"实付金额(含运费)", "99", 9900},
		{"订单金额(万元)", "1.25", 1250000},
		{"订单金额(千元)", "3", 300000},
		{"Revenue (k)", "1.5", 150000},
		{"Revenue (m)", "2", 200000000},
		{"amount_cents", "250", 250},
	} {
		m, err := MatchHeader(Orders, []string{"订单号", "客户编号", "下单时间", c.header}, nil)
		if err != nil || m.Index["amount"] != 3 {
			t.Errorf("%q: not the amount (%v)", c.header, err)
			continue
		}
		p := &rowParser{m: m, loc: time.UTC, currency: "CNY", cells: []string{"A1", "C1", "2024-01-05", c.cell}}
		o, cerr := p.parseOrder()
		if cerr != nil || o.Amount != c.want {
			t.Errorf("%q %q: amount %d (%v), want %d", c.header, c.cell, o.Amount, cerr, c.want)
		}
	}
	// A letter after a space is no unit: Size M is not Size.
	if withoutUnit("Revenue m") != "Revenue m" || withoutUnit("Plan B") != "Plan B" || withoutUnit("amount_k") != "amount_k" {
		t.Errorf("a letter after a mark read as a unit")
	}
	m, err := MatchHeader(Orders, []string{"订单号", "客户编号", "下单时间", "订单金额(亿)"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &rowParser{m: m, loc: time.UTC, currency: "CNY", cells: []string{"A1", "C1", "2024-01-05", "9e9"}}
	if _, cerr := p.parseOrder(); cerr == nil || cerr.field != "amount" {
		t.Errorf("an amount too large once multiplied: %v", cerr)
	}
	if got := m.Describe().Error(); !strings.Contains(got, `"订单金额(亿)" -> amount, multiplied by 100000000`) {
		t.Errorf("Describe: %s", got)
	}
	// Each money field of a line-item file, and a spend file's amount.
	m, err = MatchHeader(Lines, []string{"订单号", "客户编号", "下单时间", "商品编码", "单价(分)", "数量", "小计(分)"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p = &rowParser{m: m, loc: time.UTC, currency: "CNY", cells: []string{"A1", "C1", "2024-01-05", "S1", "1990", "2", "3980"}}
	if o, cerr := p.parseLine(); cerr != nil || len(o.Lines) != 1 || o.Lines[0].UnitPrice != 1990 || o.Lines[0].Amount != 3980 {
		t.Errorf("line: %+v %v", o, cerr)
	}
	m, err = MatchHeader(Spend, []string{"月份", "渠道", "投放金额(万元)"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p = &rowParser{m: m, loc: time.UTC, currency: "CNY", cells: []string{"2024-01", "抖音", "2.5"}}
	if sp, _, cerr := p.parseSpend(); cerr != nil || sp.Amount != 2500000 {
		t.Errorf("spend: %+v %v", sp, cerr)
	}
}

// A money column's header may name its currency: rows are in it unless
// their currency cell says otherwise; 元 and ¥ name none for certain.
func TestCurrencyInHeader(t *testing.T) {
	for _, c := range []struct {
		header   []string
		cells    []string
		currency string
		amount   int64
	}{
		{[]string{"订单号", "客户编号", "下单时间", "Total (USD)"}, []string{"A1", "C1", "2024-01-05", "12.50"}, "USD", 1250},
		{[]string{"订单号", "客户编号", "下单时间", "Total (USD)"}, []string{"A1", "C1", "2024-01-05", "$3"}, "USD", 300},
		{[]string{"订单号", "客户编号", "下单时间", "金额(美元)"}, []string{"A1", "C1", "2024-01-05", "12"}, "USD", 1200},
		{[]string{"订单号", "客户编号", "下单时间", "金额（单位：美元）"}, []string{"A1", "C1", "2024-01-05", "12"}, "USD", 1200},
		{[]string{"订单号", "客户编号", "下单时间", "订单金额（港币）"}, []string{"A1", "C1", "2024-01-05", "12"}, "HKD", 1200},
		{[]string{"订单号", "客户编号", "下单时间", "Order Total [MYR]"}, []string{"A1", "C1", "2024-01-05", "12"}, "MYR", 1200},
		{[]string{"订单号", "客户编号", "下单时间", "金额(元)"}, []string{"A1", "C1", "2024-01-05", "12"}, "CNY", 1200},
		{[]string{"订单号", "客户编号", "下单时间", "金额(¥)"}, []string{"A1", "C1", "2024-01-05", "12"}, "CNY", 1200},
		{[]string{"订单号", "客户编号", "下单时间", "Total (avg)"}, []string{"A1", "C1", "2024-01-05", "12"}, "CNY", 1200},
		{[]string{"订单号", "客户编号", "下单时间", "Total (USD)", "币种"}, []string{"A1", "C1", "2024-01-05", "12", "EUR"}, "EUR", 1200},
	} {
		m, err := MatchHeader(Orders, c.header, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := &rowParser{m: m, loc: time.UTC, currency: "CNY", cells: c.cells}
		o, cerr := p.parseOrder()
		if cerr != nil || o.Currency != c.currency || o.Amount != c.amount {
			t.Errorf("%q %q: %s %d (%v), want %s %d", c.header, c.cells, o.Currency, o.Amount, cerr, c.currency, c.amount)
		}
	}
	m, err := MatchHeader(Orders, []string{"订单号", "客户编号", "下单时间", "金额(美元)"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Describe().Error(); !strings.Contains(got, `"金额(美元)" -> amount, in USD`) {
		t.Errorf("Describe: %s", got)
	}
}

// A time column's header may name its zone: its times without an offset
// of their own are in it, whatever the import's --tz.
func TestZoneInHeader(t *testing.T) {
	const none = 1 // no zone named (no zone is an odd second east of UTC)
	for _, c := range []struct {
		unit   string
		offset int // seconds east of UTC
	}{
		{"UTC", 0}, {"gmt", 0}, {"UTC+8", 8 * 3600}, {"GMT+08:00", 8 * 3600}, {"UTC-5", -5 * 3600}, {"UTC+0530", 5*3600 + 30*60},
		{"北京时间", 8 * 3600}, {"Asia/Tokyo", 9 * 3600}, {"America/New_York", -5 * 3600}, {"in UTC", 0},
		{"CST", none}, {"UTC+15", none}, {"UTC+8:5", none}, {"含时分", none}, {"Nowhere/City", none}, {"UTC8", none},
	} {
		z := headerZone("下单时间(" + c.unit + ")")
		if c.offset == none {
			if z != nil {
				t.Errorf("%q: zone %v, want none", c.unit, z)
			}
			continue
		}
		if z == nil {
			t.Errorf("%q: no zone, want offset %d", c.unit, c.offset)
			continue
		}
		// In December: New York keeps standard time then.
		if _, off := time.Date(2024, 12, 1, 0, 0, 0, 0, z).Zone(); off != c.offset {
			t.Errorf("%q: offset %d, want %d", c.unit, off, c.offset)
		}
	}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	header := []string{"订单号", "客户编号", "Created at (UTC)", "支付时间(北京时间)", "实付金额"}
	m, err := MatchHeader(Orders, header, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		created, paid string
		want          time.Time
	}{
		{"2024-12-01 20:00", "", time.Date(2024, 12, 1, 20, 0, 0, 0, time.UTC)},                 // the created time, in UTC
		{"2024-12-01 20:00", "2024-12-02 04:05", time.Date(2024, 12, 1, 20, 0, 0, 0, time.UTC)}, // the created time first
		{"2024-12-01T20:00:00+09:00", "", time.Date(2024, 12, 1, 11, 0, 0, 0, time.UTC)},        // its own offset wins
		{"", "2024-12-02 04:05", time.Date(2024, 12, 1, 20, 5, 0, 0, time.UTC)},                 // then the paid time, in Beijing
	} {
		p := &rowParser{m: m, loc: shanghai, currency: "CNY", cells: []string{"A1", "C1", c.created, c.paid, "9"}}
		o, cerr := p.parseOrder()
		if cerr != nil || !o.OrderedAt.Equal(c.want) {
			t.Errorf("%q %q: %v (%v), want %v", c.created, c.paid, o.OrderedAt.UTC(), cerr, c.want)
		}
	}
	if got := m.Describe().Error(); !strings.Contains(got, `"Created at (UTC)" -> ordered_at, in UTC, `) ||
		!strings.Contains(got, `"支付时间(北京时间)" -> ordered_at where "Created at (UTC)" is blank, in UTC+8`) {
		t.Errorf("Describe: %s", got)
	}
}
