package importer

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kithcrm/kith/internal/kith"
	"github.com/kithcrm/kith/internal/money"
)

// Kind is what a file holds.
type Kind string

const (
	Customers Kind = "customers"
	Orders    Kind = "orders"
	Lines     Kind = "lines"
	Spend     Kind = "spend"
	Traffic   Kind = "traffic"
	Products  Kind = "products"
)

// Kinds lists every importable kind.
var Kinds = []Kind{Customers, Orders, Lines, Spend, Traffic, Products}

// field is one column kith understands, with the header spellings it
// accepts, the preferred first (MatchHeader).
type field struct {
	name    string
	aliases []string
}

// Customer identity and profile columns, shared by customer, order and line files.
var (
	fCustomerID = field{"customer_id", []string{"customer_id", "customer", "customer no", "customer number", "client id", "member id", "member no", "buyer id", "客户编号", "客户id", "客户号", "客户代码", "会员号", "会员id", "会员编号", "会员卡号", "买家id", "用户id", "用户编号", "买家会员名", "买家账号", "买家帐号", "下单账号", "下单帐号", "会员账号", "用户名", "用户账号", "客户账号",
		// ERPs' (Kingdee, Yonyou) customer and counterparty codes
		"客户编码", "客户代号", "往来单位编码", "往来单位编号",
		// a till's member
		"会员卡", "会员编码", "顾客编号", "顾客id",
		// Payment bills: WeChat Pay's merchant bill names the payer by
		// openid; a personal WeChat or Alipay bill has only the other
		// party's name, last since anything else identifies better.
		"用户标识", "交易对方",
		// cross-border marketplaces: Shopee's Username (Buyer), TikTok
		// Shop's Buyer Username
		"username", "buyer username", "buyer user name"}}
	fName = field{"name", []string{"name", "customer name", "full name", "buyer", "contact", "姓名", "客户名称", "客户姓名", "名字", "会员姓名", "买家", "买家昵称", "收货人", "联系人", "收货人姓名", "收件人", "收件人姓名", "买家姓名", "联系人姓名", "contact name", "billing name", "shipping name", "客户", "往来单位", "往来单位名称",
		"顾客", "顾客姓名", "会员名称", "会员名",
		// group buys in WeChat groups (快团团, 群接龙) and member lists name
		// people by their WeChat nickname
		"下单人", "下单人姓名", "微信昵称", "昵称", "用户昵称", "会员昵称", "客户昵称"}}
	// A name in two columns, as Western shops and CRMs export it: joined
	// when the file has no whole name (rowParser.name).
	fFirstName = field{"first_name", []string{"first name", "given name", "firstname", "forename", "名"}}
	fLastName  = field{"last_name", []string{"last name", "surname", "family name", "lastname", "姓"}}
	// The buyer's own number before a recipient's (a gift's), a mobile
	// before a landline (Taobao's 联系手机 before its 联系电话, mostly blank).
	fPhone = field{"phone", []string{"phone", "mobile", "tel", "telephone", "phone number", "cell",
		// named the buyer's before a bare 手机, which in Pinduoduo's export is the recipient's, masked
		"买家手机号", "用户购买手机号", "购买手机号", "下单手机号", "下单人手机号", "买家手机", "会员手机号", "会员手机",
		"手机", "手机号", "手机号码", "客户手机", "联系手机", "客户电话", "电话", "联系电话", "联系方式",
		"收货人手机", "收货人手机号", "收货人电话", "收件人手机", "收件人手机号", "收件人电话", "billing phone", "shipping phone",
		// WeCom's customer export: the number the staff member noted
		"备注手机号", "备注手机", "备注电话",
		"buyer phone", "buyer phone number", "customer phone", "customer phone number",
		// tills and restaurant systems
		"顾客手机号", "顾客手机", "顾客电话", "会员电话", "消费者手机号"}}
	fEmail = field{"email", []string{"email", "e-mail", "mail", "email address", "邮箱", "电子邮件", "电子邮箱", "邮件",
		"customer email", "buyer email", "purchaser email", "billing email"}}
	fCurrency = field{"currency", []string{"currency", "币种", "货币"}}
	fChannel  = field{"channel", []string{"channel", "source", "source channel", "utm source", "acquisition channel", "渠道", "来源", "来源渠道", "获客渠道", "渠道来源", "店铺", "平台", "客户来源", "客户渠道", "线索来源", "lead source",
		// ad and traffic dashboards name it by what was bought or where visits came from
		"marketing channel", "traffic source", "platform", "ad platform", "medium", "utm medium",
		"渠道名称", "推广渠道", "投放渠道", "广告渠道", "投放平台", "广告平台", "推广平台", "媒体", "媒体平台", "流量来源", "流量渠道", "访客来源",
		// how a WeCom contact was added (扫描二维码, 搜索手机号)
		"添加渠道", "添加来源", "添加方式"}}
)

// Order columns, shared by order and line-item files.
var (
	// Where an order was sent (Pinduoduo's and Douyin's 省 and 市, Shopify's
	// Billing City) is where a customer the order creates lives; the
	// buyer's billing address before the shipping one.
	fOrderCity = field{"city", []string{"city", "billing city", "shipping city", "城市", "市", "所在城市",
		"收货城市", "收货人城市", "收件人城市", "收货地址城市", "收货市"}}
	fOrderRegion = field{"region", []string{"province", "billing province name", "shipping province name", "billing province", "shipping province", "region",
		"省份", "省", "收货省份", "收货人省份", "收件人省份", "收货地址省份", "收货省"}}
	// A whole address in one cell (Taobao's 收货地址 "浙江省 杭州市 西湖区
	// 文三路 100号", JD's 客户地址): where no province or city column
	// is read, they are read from its start (splitPlace).
	fAddress = field{"address", []string{"address", "shipping address", "billing address", "full address", "mailing address",
		"收货地址", "收货人地址", "收件人地址", "收件地址", "客户地址", "地址", "联系地址", "通讯地址", "邮寄地址", "寄送地址",
		"配送地址", "送货地址", "家庭地址", "家庭住址", "住址", "所在地址", "收货人详细地址", "收件人详细地址", "详细地址"}}
	fOrderID = field{"order_id", []string{"order_id", "order", "order no", "order number", "invoice", "invoice no", "invoiceno", "transaction id",
		"amazon order id",
		"订单号", "订单编号", "订单id", "单号", "交易号", "流水号", "发票号", "主订单编号", "主订单号", "交易单号",
		// Payment bills: the payment's own number (WeChat's 交易单号,
		// Alipay's 交易号 or 交易订单号) before the merchant's, which a
		// transfer lacks; WeChat Pay's merchant bill has the merchant's
		// number before its own.
		"交易订单号", "商户订单号", "商户单号", "商家订单号", "微信订单号", "支付宝交易号",
		// ERP sales documents (Kingdee, Yonyou): the document is the order
		"单据编号", "单据号", "销售单号", "销售订单号", "出库单号",
		// a till's receipt
		"小票号", "小票编号", "小票单号", "账单号", "账单编号", "结账单号", "消费单号", "收银单号", "订单流水号"}}
	// When the paid and the placed time are both there, the paid one is
	// read, the placed one standing in where it is blank (an unpaid
	// order): a purchase happens when it is paid (a pre-sale's deposit on
	// 10月24日, its balance on 双11), and a platform counts its sales so.
	fOrderedAt = field{"ordered_at", []string{"paid at", "paid time", "payment time", "order paid time", "ordered at", "order date", "date", "order time", "invoice date", "invoicedate", "purchase date", "created at",
		// cross-border marketplaces: Shopee's, TikTok Shop's
		"order creation date", "order creation time", "created time", "order created time", "order created at",
		"付款时间", "支付时间", "订单付款时间", "买家付款时间", "支付完成时间", "订单支付时间", "付款确认时间", "成交时间",
		"下单时间", "订单日期", "下单日期", "日期", "时间", "交易时间", "创建时间",
		"订单创建时间", "订单提交时间", "交易创建时间",
		"交易日期", "销售日期", "消费日期", "支付日期", "付款日期", "单据日期", "业务日期", "出库日期",
		// Tills and restaurant systems (银豹, 客如云, 二维火, 美团收银): when the
		// bill was settled, after the time it was opened (下单时间) when a
		// file has both.
		"销售时间", "消费时间", "结账时间", "买单时间", "收银时间", "收款时间", "结算时间", "开单时间", "开单日期", "就餐时间", "结账日期"}}
	// A till's export keeps the time of day in a column of its own beside
	// the date (交易日期, 交易时间): MatchHeader pairs them.
	fOrderedTime = field{"ordered_time", []string{"time of day", "order time of day", "时刻", "交易时刻", "下单时刻"}}
	// Pinduoduo, Douyin and Youzan leave a refunded order's own status at
	// 已收货 and say what became of it in a column of its own (of an item,
	// in a line-item file).
	fRefundStatus = field{"refund_status", []string{"refund status", "return status", "after-sales status", "after sales status", "售后状态", "退款状态", "退货状态", "退货退款状态", "售后处理状态"}}
	fStatus       = field{"status", []string{"status", "order status", "state", "状态", "订单状态", "交易状态", "financial status", "payment status", "当前状态"}}
	// A payment bill's money in or out (WeChat's and Alipay's 收/支): only
	// money received is a sale (rowParser.flow).
	fFlow = field{"flow", []string{"收支", "收支类型", "收付方向", "资金方向", "资金流向", "income expense", "money in out", "in out"}}
)

var kindFields = map[Kind][]field{
	Customers: {
		fCustomerID, fName, fFirstName, fLastName, fPhone, fEmail, fChannel,
		{"gender", []string{"gender", "sex", "性别"}},
		{"birthday", []string{"birthday", "birth date", "date of birth", "dob", "生日", "出生日期", "出生年月日"}},
		{"birthday_lunar", []string{"birthday lunar", "lunar", "lunar birthday", "农历", "是否农历", "农历生日", "生日类型"}},
		// Shopify's and WooCommerce's customer exports name the default
		// or billing address's parts.
		{"city", []string{"city", "town", "城市", "所在城市", "市", "default address city", "billing city", "address city"}},
		{"region", []string{"region", "province", "state", "省份", "省", "地区", "区域", "所在地区",
			"default address province code", "default address province", "billing state", "billing province", "province code"}},
		fAddress,
		{"company", []string{"company", "organization", "organisation", "account", "公司", "单位", "公司名称", "企业", "企业名称", "备注企业", "备注企业名称",
			"default address company", "billing company"}},
		{"company_size", []string{"company size", "employees", "headcount", "公司规模", "员工数", "企业规模", "人数"}},
		{"tags", []string{"tags", "tag", "labels", "标签", "客户标签", "企业标签", "个人标签"}},
		{"referrer", []string{"referrer", "referred by", "referrer id", "推荐人", "推荐人编号", "推荐人id", "介绍人", "邀请人"}},
		// A referrer named by phone is looked up as a phone, written as
		// the customers' phones are.
		{"referrer_phone", []string{"referrer phone", "referrer mobile", "推荐人手机", "推荐人手机号", "推荐人电话", "推荐人联系电话", "介绍人手机", "介绍人电话", "邀请人手机", "邀请人手机号"}},
		{"owner", []string{"owner", "account manager", "sales rep", "rep", "assigned to", "负责人", "客户经理", "销售", "归属销售", "跟进人", "专属顾问",
			// a shop's shopping guide (有赞, 微盟), and the staff member who
			// added the customer on WeCom (企业微信's 添加人)
			"专属导购", "导购", "所属导购", "归属导购", "服务导购", "归属员工", "所属员工", "负责员工", "跟进员工", "添加人"}},
		{"created_at", []string{"created at", "created", "signup date", "sign up date", "registered", "join date", "注册时间", "创建时间", "加入时间", "入会时间", "注册日期", "成为客户时间", "成为会员时间", "入会日期", "开卡时间", "开卡日期", "建档时间", "建档日期", "首次成为客户时间", "添加时间", "添加日期"}},
		{"notes", []string{"notes", "note", "comment", "comments", "remark", "备注", "说明", "描述"}},
	},
	Orders: {
		fOrderID,
		fCustomerID, fName, fFirstName, fLastName, fPhone, fEmail, fChannel, fOrderCity, fOrderRegion, fAddress,
		fOrderedAt, fOrderedTime,
		// In order of preference: what the buyer paid before what was billed.
		{"amount", []string{"amount paid", "实付金额", "买家实际支付金额", "买家实付金额", "订单实付金额", "用户实付金额", "实际支付金额", "实际付款金额", "实付", "实付款",
			"买家实付", "用户实付", "顾客实付", "实付总额", "实收合计", "消费金额", "结账金额", "收款金额",
			"实收金额", "实收款", "实收", "商家实收金额", "商家实收", "商户实收", "应结订单金额", "支付金额", "付款金额", "支付总额", "成交金额", "应付金额", "订单应付金额", "应收金额", "应收", "商户应收", "商家应收",
			"价税合计", "含税金额",
			"total amount", "paid price", "buyer paid", "order amount", "grand total",
			"amount", "total", "order total", "order total amount", "revenue", "value", "sales", "paid", "金额", "订单金额", "销售额", "总金额",
			// The goods' total before discounts, when a file has nothing better.
			"商品总价", "商品总额", "商品金额"}},
		fCurrency,
		fStatus,
		fFlow,
		{"refund_amount", []string{"refund amount", "refunded amount", "refund", "refunded", "amount refunded", "order refund amount", "退款金额", "已退款金额", "退款总额", "退款", "成功退款"}},
		fRefundStatus,
		// A refund's own number: the row is that refund (rowParser.parseOrder).
		{"refund_id", []string{"refund id", "refund number", "商户退款单号", "微信退款单号", "退款单号"}},
	},
	Lines: {
		fOrderID,
		fCustomerID, fName, fFirstName, fLastName, fPhone, fEmail, fChannel, fOrderCity, fOrderRegion, fAddress,
		fOrderedAt, fOrderedTime,
		{"sku", []string{"sku", "product id", "product code", "item id", "item code", "stockcode", "stock code", "商品编码", "商品编号", "货号", "商品id", "产品编码", "物料编码", "条码", "商家编码", "商品商家编码", "sku编码", "规格编码", "外部系统编号", "lineitem sku", "存货编码"}},
		{"product_name", []string{"product name", "product", "item", "item name", "description", "商品名称", "商品", "品名", "产品名称", "宝贝标题", "商品标题", "标题", "选购商品", "lineitem name", "物料名称", "存货名称"}},
		{"category", []string{"category", "product category", "品类", "类目", "分类", "商品分类", "品类名称"}},
		{"quantity", []string{"quantity", "qty", "units", "count", "数量", "购买数量", "件数", "商品数量", "宝贝数量", "宝贝总数量", "订购数量", "lineitem quantity", "实发数量", "销售数量", "出库数量"}},
		{"unit_price", []string{"unit price", "unitprice", "price", "单价", "商品单价", "售价", "价格", "商品价格", "宝贝单价", "京东价", "lineitem price"}},
		// What the buyer pays, tax included (an ERP's 价税合计), before a net 金额.
		{"line_amount", []string{"line amount", "line total", "价税合计", "含税金额", "subtotal", "amount", "小计", "金额", "行金额", "实付金额"}},
		fCurrency,
		fStatus,
		fRefundStatus,
	},
	Spend: {
		{"date", []string{"date", "day", "month", "period", "日期", "月份", "时间", "月", "统计日期", "数据日期", "报表日期"}},
		fChannel,
		{"kind", []string{"kind", "type", "spend type", "category", "类型", "费用类型", "类别", "用途"}},
		{"amount", []string{"amount", "spend", "cost", "金额", "费用", "花费", "支出", "投放金额",
			"消耗", "消费", "总花费", "总费用", "总消耗", "推广费用", "推广花费", "广告费", "广告消耗", "投放消耗", "消耗金额", "花费金额"}},
		fCurrency,
	},
	Traffic: {
		{"date", []string{"date", "day", "日期", "时间", "统计日期", "数据日期", "报表日期"}},
		fChannel,
		{"visitors", []string{"visitors", "visits", "sessions", "uv", "users", "访客数", "访客", "访问人数", "uv数", "店铺访客数", "访问用户数"}},
		{"conversions", []string{"conversions", "buyers", "orders", "converted", "转化数", "成交人数", "下单人数", "支付人数", "买家数", "支付买家数", "成交买家数", "下单买家数", "成交用户数"}},
	},
	Products: {
		{"sku", []string{"sku", "product id", "product code", "item code", "stockcode", "商品编码", "商品编号", "货号", "商品id", "产品编码"}},
		{"product_name", []string{"name", "product name", "product", "description", "商品名称", "名称", "品名", "产品名称"}},
		{"category", []string{"category", "品类", "类目", "分类"}},
		{"consumption_days", []string{"consumption days", "usage days", "consumption cycle", "消耗周期", "使用周期", "消耗天数", "使用天数"}},
		{"service_interval_days", []string{"service interval days", "service interval", "maintenance days", "保养周期", "维护周期", "保养间隔"}},
		{"lifespan_days", []string{"lifespan days", "lifespan", "life days", "寿命", "使用寿命", "寿命天数"}},
	},
}

// required lists, per kind, groups of fields of which at least one must be
// present ("one of customer_id, phone, email").
var required = map[Kind][][]string{
	Customers: {{"customer_id", "phone", "email"}},
	Orders:    {{"customer_id", "phone", "email"}, {"ordered_at"}, {"amount"}},
	Lines:     {{"customer_id", "phone", "email"}, {"ordered_at"}, {"sku", "product_name"}, {"unit_price", "line_amount"}},
	Spend:     {{"date"}, {"amount"}},
	Traffic:   {{"date"}, {"visitors"}},
	Products:  {{"sku"}},
}

// HasField reports whether rows of kind k have field f (a products file has
// no channel, so --channel means nothing for it).
func HasField(k Kind, f string) bool {
	return slices.ContainsFunc(kindFields[k], func(x field) bool { return x.name == f })
}

// FieldNames lists a kind's field names, for --map and help.
func FieldNames(k Kind) []string {
	var names []string
	for _, f := range kindFields[k] {
		names = append(names, f.name)
	}
	return names
}

// normHeader folds a header for matching: lower case, no spaces, underscores,
// dashes, dots, brackets or full-width punctuation, and no unit suffix such as
// "(元)".
func normHeader(s string) string {
	s = withoutUnit(s)
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// withoutUnit is a header without what a bracket at its end adds (a unit,
// 金额(元), 数量【件】) or a money unit after a mark (amount_cents, 金额/分),
// and without a byte-order mark.
func withoutUnit(s string) string {
	s, _ = unitPart(strings.TrimPrefix(strings.TrimSpace(s), "\ufeff"))
	return s
}

// unitPart splits a header into its name and the unit it ends in: what a
// bracket at its end holds (金额(元), 数量【件】), or a money unit after a
// mark (amount_cents, 实付金额/分: moneyUnits). unit is "" when there is
// none.
func unitPart(s string) (head, unit string) {
	for _, pair := range [][2]string{{"(", ")"}, {"（", "）"}, {"[", "]"}, {"【", "】"}} {
		if i := strings.Index(s, pair[0]); i > 0 && strings.HasSuffix(s, pair[1]) {
			s, unit = s[:i], s[i+len(pair[0]):len(s)-len(pair[1])]
		}
	}
	if unit != "" {
		return s, unit
	}
	if i := strings.LastIndexAny(s, "_/-／ "); i > 0 {
		_, size := utf8.DecodeRuneInString(s[i:])
		u := s[i+size:]
		// A letter or two after a space names no unit for sure (Size M,
		// Plan B): k and m count only in brackets.
		if _, known := moneyUnits[strings.ToLower(u)]; known && (len(u) > 2 || u[0] >= utf8.RuneSelf) {
			return strings.TrimSpace(s[:i]), u
		}
	}
	return s, ""
}

// moneyUnits are the units a money column's header may say its numbers
// count, as a power of ten of the currency's major unit: 实付金额(分) is in
// hundredths, as payment systems and databases keep money (9900 is ¥99),
// 预算(万元) in ten thousands.
var moneyUnits = map[string]int{
	"分": -2, "fen": -2, "cents": -2, "cent": -2, "角": -1,
	"元": 0, "yuan": 0, "rmb": 0, "cny": 0, "¥": 0, "￥": 0, "人民币": 0, "人民币元": 0,
	"千元": 3, "千": 3, "thousands": 3, "k": 3, "万元": 4, "万": 4, "百万元": 6, "百万": 6, "millions": 6, "m": 6, "mn": 6,
	"亿元": 8, "亿": 8,
}

// moneyFields are the fields whose header's unit (moneyUnits) scales
// their amounts.
var moneyFields = []string{"amount", "refund_amount", "unit_price", "line_amount"}

// headerUnit is the unit a header ends in (unitPart), without the words
// that may introduce it: 金额（单位：分）, amount (in cents), Created at (in UTC).
func headerUnit(header string) string {
	_, u := unitPart(strings.TrimSpace(header))
	u = strings.TrimSpace(u)
	for _, intro := range []string{"单位:", "单位：", "单位", "unit:", "in "} {
		if len(u) > len(intro) && strings.EqualFold(u[:len(intro)], intro) {
			u = strings.TrimSpace(u[len(intro):])
		}
	}
	return u
}

// headerCurrency is the currency a money column's header names in its
// unit (金额(美元), Price (USD)), "" for none.
func headerCurrency(header string) string { return money.Named(headerUnit(header)) }

// headerZone is the time zone a time column's header names in its unit
// (下单时间(UTC), Created at (GMT+8), 时间（北京时间）, Date (Asia/Shanghai)),
// nil for none. CST is left alone: China's and America's Central.
func headerZone(header string) *time.Location {
	u := headerUnit(header)
	switch up := strings.ToUpper(u); {
	case u == "":
		return nil
	case u == "北京时间" || u == "中国时间" || up == "BEIJING TIME" || up == "CHINA TIME":
		return time.FixedZone("UTC+8", 8*3600)
	case up == "UTC" || up == "GMT" || up == "Z" || up == "UTC TIME":
		return time.UTC
	case strings.HasPrefix(up, "UTC") || strings.HasPrefix(up, "GMT"):
		return offsetZone(up[3:])
	case strings.Contains(u, "/"):
		if loc, err := time.LoadLocation(u); err == nil {
			return loc
		}
	}
	return nil
}

// offsetZone is the zone of an offset as headers write it after UTC or
// GMT: +8, +08, +08:00, -5, +0530; nil when s is none.
func offsetZone(s string) *time.Location {
	if len(s) < 2 || s[0] != '+' && s[0] != '-' {
		return nil
	}
	h, m, _ := strings.Cut(strings.ReplaceAll(s[1:], "：", ":"), ":")
	if m == "" && len(h) == 4 {
		h, m = h[:2], h[2:]
	}
	hours, err := strconv.Atoi(h)
	if err != nil || hours > 14 || len(h) > 2 {
		return nil
	}
	mins := 0
	if m != "" {
		if mins, err = strconv.Atoi(m); err != nil || mins >= 60 || len(m) != 2 {
			return nil
		}
	}
	off := hours*3600 + mins*60
	if s[0] == '-' {
		off = -off
	}
	name := "UTC" + s[:1] + strconv.Itoa(hours)
	if mins != 0 {
		name += fmt.Sprintf(":%02d", mins)
	}
	return time.FixedZone(name, off)
}

// unitShift is the power of ten a money column's header says its numbers
// count (headerUnit, moneyUnits), 0 when it says none.
func unitShift(header string) int { return moneyUnits[strings.ToLower(headerUnit(header))] }

// bilingual finds the field a header names in two languages, as company
// templates write them ("客户编号 Customer ID", "姓名\nName", "Order Date
// 订单日期"): the Chinese part and the other each name it. Both must: one
// part that names a field beside one that names none ("Top10客户") is not
// that field.
func bilingual(cell string, byAlias map[string]alias) (alias, bool) {
	var parts []string
	start, han := 0, false
	cell = withoutUnit(cell)
	for i, r := range cell {
		if h := unicode.Is(unicode.Han, r); i == 0 {
			han = h
		} else if h != han {
			parts, start, han = append(parts, cell[start:i]), i, h
		}
	}
	parts = append(parts, cell[start:])
	var found alias
	n := 0
	for _, part := range parts {
		p := normHeader(part)
		if p == "" {
			continue // a space, a colon, a bracket between the two
		}
		a, ok := byAlias[p]
		if !ok || n > 0 && a.field != found.field {
			return alias{}, false
		}
		if n == 0 || a.rank < found.rank {
			found = a
		}
		n++
	}
	return found, n >= 2
}

// alias is what a header spelling names: a field, and its place in the
// field's list (lower is preferred).
type alias struct {
	field string
	rank  int
}

// pairDateAndClock gives an order's date and its time of day, when a
// till's export has them in two columns that both name the order's time
// (交易日期 and 交易时间, order date and order time), to ordered_at and
// ordered_time: the date alone would be midnight, the time alone no date.
// A column is the date when its header says date and not time, the clock
// when it says time and not date.
func pairDateAndClock(m *Mapping, header []string, overrides map[string]string, lookup func(string) (alias, bool)) {
	if _, ok := overrides["ordered_at"]; ok {
		return
	}
	if _, ok := m.Index["ordered_time"]; ok {
		return
	}
	says := func(h string, words ...string) bool {
		h = strings.ToLower(h)
		for _, w := range words {
			if strings.Contains(h, w) {
				return true
			}
		}
		return false
	}
	date, clock := -1, -1
	for i, cell := range header {
		if a, ok := lookup(cell); !ok || a.field != "ordered_at" {
			continue
		}
		isDate, isTime := says(cell, "日期", "date", "day"), says(cell, "时间", "time")
		switch {
		case isDate && !isTime && date < 0:
			date = i
		case isTime && !isDate && clock < 0:
			clock = i
		}
	}
	if date >= 0 && clock >= 0 {
		m.Index["ordered_at"], m.Index["ordered_time"] = date, clock
	}
}

// accountAndContact reads a business customer's file, as B2B CRMs export
// it: beside a contact person's column (联系人), 客户名称 names the account,
// a company, not the person. The person is then the name and the account
// the company.
func accountAndContact(m *Mapping, header []string, overrides map[string]string) {
	if m.Kind != Customers || m.Has("company") || overrides["name"] != "" || overrides["company"] != "" {
		return
	}
	name, ok := m.Index["name"]
	if !ok || !slices.Contains([]string{"客户名称", "customername", "客户"}, normHeader(header[name])) {
		return
	}
	for i, cell := range header {
		if slices.Contains([]string{"联系人", "联系人姓名", "contact", "contactname"}, normHeader(cell)) {
			m.Index["company"], m.Index["name"] = name, i
			return
		}
	}
}

// shopifyOrders reads Shopify's orders export, which its Financial Status
// or Lineitem columns give away: its Name is the order's number (#1001),
// the buyer's name is Billing Name, and its Subtotal is the order's, on
// the order's first row, not a line's.
func shopifyOrders(m *Mapping, header []string, overrides map[string]string) {
	if m.Kind != Orders && m.Kind != Lines || m.Has("order_id") || overrides["name"] != "" {
		return
	}
	name, ok := m.Index["name"]
	if !ok || normHeader(header[name]) != "name" {
		return
	}
	shopify := false
	for _, cell := range header {
		h := normHeader(cell)
		shopify = shopify || h == "financialstatus" || strings.HasPrefix(h, "lineitem")
	}
	if !shopify {
		return
	}
	m.Index["order_id"] = name
	delete(m.Index, "name")
	for i, cell := range header {
		if normHeader(cell) == "billingname" {
			m.Index["name"] = i
		}
	}
	if i, ok := m.Index["line_amount"]; ok && overrides["line_amount"] == "" && normHeader(header[i]) == "subtotal" {
		delete(m.Index, "line_amount")
	}
}

// Mapping says which column feeds which field.
type Mapping struct {
	Kind  Kind
	Index map[string]int // field -> column
	// Fallback lists, for the order's time and the phone, the file's
	// further columns that name them, in order of preference: a row whose
	// own cell is blank takes the first that is not (Pinduoduo's 支付时间 is
	// blank for an unpaid order, its 订单创建时间 is not; Taobao's 联系手机
	// or 联系电话 may be the one filled in).
	Fallback map[string][]int
	Attrs    []Column // customer columns no field took, kept as custom attributes
	Ignored  []Column // unknown columns of other kinds, or duplicates
	Header   []string
	// Shift is, for a money field whose header names a unit other than
	// the currency's own (实付金额(分), 预算(万元)), the power of ten its
	// numbers are multiplied by (unitShift).
	Shift map[string]int
	// Currency is the currency a money column's header names (金额(美元),
	// Price (USD)): that of rows whose currency cell, if any, is blank.
	Currency string
	// Zones are the time zones time columns' headers name (下单时间(UTC),
	// Created at (GMT+8)), by column: their times without an offset of
	// their own are in it, not in Options.Location.
	Zones map[int]*time.Location
}

// Column is a header cell and its position.
type Column struct {
	Index int
	Name  string
}

// Has reports whether field f has a column.
func (m *Mapping) Has(f string) bool { _, ok := m.Index[f]; return ok }

// columns are the columns of those of fields the file has, in that order.
func (m *Mapping) columns(fields ...string) []int {
	var is []int
	for _, f := range fields {
		if i, ok := m.Index[f]; ok {
			is = append(is, i)
		}
	}
	return is
}

// Attach reports a line-item file that names its orders and nothing else
// of them (no customer, no time), as Taobao's item report beside its order
// report: its lines go to the orders already stored.
func (m *Mapping) Attach() bool {
	return m.Kind == Lines && m.Has("order_id") && !m.Has("ordered_at") &&
		!m.Has("customer_id") && !m.Has("phone") && !m.Has("email")
}

// Describe lists what each column is used for, in column order.
func (m *Mapping) Describe() *kith.Message {
	type use struct {
		col int
		msg *kith.Message
	}
	var uses []use
	for f, i := range m.Index {
		msg := kith.Msg("column.field", "%q -> %s", m.Header[i], f)
		if sh := m.Shift[f]; sh < 0 {
			msg = kith.Msg("column.field_div", "%q -> %s, divided by %d", m.Header[i], f, pow10(-sh))
		} else if sh > 0 {
			msg = kith.Msg("column.field_mul", "%q -> %s, multiplied by %d", m.Header[i], f, pow10(sh))
		}
		if c := headerCurrency(m.Header[i]); c != "" && slices.Contains(moneyFields, f) {
			msg = kith.Msg("column.field_currency", "%v, in %s", msg, c)
		}
		if z := m.Zones[i]; z != nil {
			msg = kith.Msg("column.field_zone", "%v, in %s", msg, z.String())
		}
		uses = append(uses, use{i, msg})
	}
	for f, cols := range m.Fallback {
		for _, i := range cols {
			msg := kith.Msg("column.fallback", "%q -> %s where %q is blank", m.Header[i], f, m.Header[m.Index[f]])
			if z := m.Zones[i]; z != nil {
				msg = kith.Msg("column.field_zone", "%v, in %s", msg, z.String())
			}
			uses = append(uses, use{i, msg})
		}
	}
	for _, c := range m.Attrs {
		uses = append(uses, use{c.Index, kith.Msg("column.attribute", "%q -> custom attribute", c.Name)})
	}
	for _, c := range m.Ignored {
		if strings.TrimSpace(c.Name) == "" {
			continue // the blank columns Excel leaves at the end of a sheet
		}
		uses = append(uses, use{c.Index, kith.Msg("column.ignored", "%q -> ignored", c.Name)})
	}
	sort.Slice(uses, func(i, j int) bool { return uses[i].col < uses[j].col })
	var list *kith.Message
	for i := len(uses) - 1; i >= 0; i-- { // built from the end: each message holds the rest
		if list == nil {
			list = uses[i].msg
			continue
		}
		list = kith.Msg("list.comma", "%v, %v", uses[i].msg, list)
	}
	if list == nil {
		list = kith.Msg("text", "%v", "")
	}
	return list
}

// MissingFieldError names the field no column matched and the headers tried.
type MissingFieldError struct {
	Kind    Kind
	Fields  []string
	Aliases map[string][]string
	Header  []string
	Matched int  // how many columns matched a field of Kind
	Fits    Kind // another kind the header fits better, if any (the wrong kind given)
}

func (e *MissingFieldError) Error() string { return e.message().Error() }

// Unwrap gives the message, for adapters that say it in another language.
func (e *MissingFieldError) Unwrap() error { return e.message() }

func (e *MissingFieldError) message() *kith.Message {
	head := kith.Msg("missing.one", "missing required column %s", e.Fields[0])
	if len(e.Fields) > 1 {
		head = kith.Msg("missing.any", "missing required column: one of %s", strings.Join(e.Fields, ", "))
	}
	var aliases *kith.Message
	for _, f := range e.Fields {
		m := kith.Msg("missing.aliases", "%s is matched by headers %s", f, strings.Join(e.Aliases[f], " / "))
		if aliases != nil {
			m = kith.Msg("list.semicolon", "%v; %v", aliases, m)
		}
		aliases = m
	}
	if e.Fits != "" { // first, before the long list of spellings
		head = kith.Msg("missing.fits", "%v; the header fits %s files: import it as %s", head, e.Fits, e.Fits)
	}
	return kith.Msg("missing", "%v; %v; %v", head, aliases, kith.Msg("missing.header",
		"the file's headers are %s; use --map %s=HEADER to name another column", strings.Join(e.Header, ", "), e.Fields[0]))
}

// MatchHeader maps header cells to fields of kind k. overrides (field ->
// header text, from --map) win over aliases. Among columns matching a
// field, the one whose alias comes first in the field's list takes it, then
// the leftmost.
func MatchHeader(k Kind, header []string, overrides map[string]string) (*Mapping, error) {
	fields, ok := kindFields[k]
	if !ok {
		return nil, kith.Msg("kind.unknown", "unknown import kind %q", k)
	}
	m := &Mapping{Kind: k, Index: map[string]int{}, Fallback: map[string][]int{}, Header: header}
	used := map[int]bool{}
	skip := rejectsColumns(header) // a rejects file's line, field and reason
	for i := range skip {
		used[i] = true
	}
	known := map[string]bool{}
	for _, f := range fields {
		known[f.name] = true
	}
	for f, h := range overrides {
		if !known[f] {
			return nil, kith.Msg("map.field", "--map %s=%s: %s files have no field %s (fields: %s)", f, h, k, f, strings.Join(FieldNames(k), ", "))
		}
		found := false
		for i, cell := range header[skip:] {
			i += skip
			if cell == h || normHeader(cell) == normHeader(h) {
				m.Index[f], used[i], found = i, true, true
				break
			}
		}
		if !found {
			return nil, kith.Msg("map.column", "--map %s=%s: no column %q in the header (%s)", f, h, h, strings.Join(header, ", "))
		}
	}
	byAlias := map[string]alias{}
	for _, f := range fields {
		for r, a := range append([]string{f.name}, f.aliases...) {
			if _, dup := byAlias[normHeader(a)]; !dup {
				byAlias[normHeader(a)] = alias{f.name, r}
			}
		}
	}
	// lookup finds the field a header cell names: as a whole, or by one of
	// the names a slash joins (有赞's 收货人手机号/提货人手机号).
	lookup := func(cell string) (alias, bool) {
		if a, ok := byAlias[normHeader(cell)]; ok {
			return a, true
		}
		for _, part := range strings.FieldsFunc(cell, func(r rune) bool { return r == '/' || r == '／' }) {
			if a, ok := byAlias[normHeader(part)]; ok {
				return a, true
			}
		}
		return bilingual(cell, byAlias)
	}
	// When several columns match a field (JD's 订单金额 and 应付金额, a buyer's
	// and a recipient's phone), the alias listed first wins, then the
	// column further left; --map overrides win over all.
	rank := map[string]int{}
	type candidate struct{ col, rank int }
	// further are the columns that name a field another column won,
	// for a row whose own cell is blank (Mapping.Fallback).
	further := map[string][]candidate{}
	for i, cell := range header {
		if used[i] {
			continue
		}
		a, ok := lookup(cell)
		if _, mapped := overrides[a.field]; !ok || mapped {
			continue
		}
		if a.field == "ordered_at" || a.field == "phone" {
			further[a.field] = append(further[a.field], candidate{i, a.rank})
		}
		if r, has := rank[a.field]; !has || a.rank < r {
			m.Index[a.field], rank[a.field] = i, a.rank
		}
	}
	pairDateAndClock(m, header, overrides, lookup)
	accountAndContact(m, header, overrides)
	shopifyOrders(m, header, overrides)
	if m.Has("name") {
		// Beside a whole name, first and last name columns are what the
		// file says they are (a customer's attributes), not parts of a name.
		for _, f := range []string{"first_name", "last_name"} {
			if overrides[f] == "" {
				delete(m.Index, f)
			}
		}
	}
	taken := map[int]bool{}
	for _, i := range m.Index {
		taken[i] = true
	}
	for f, cs := range further {
		slices.SortStableFunc(cs, func(a, b candidate) int { return a.rank - b.rank })
		for _, c := range cs {
			if !taken[c.col] {
				m.Fallback[f] = append(m.Fallback[f], c.col)
				// A customers file keeps its second phone column as an
				// attribute as well: a landline beside the mobile is not lost.
				taken[c.col] = k != Customers
			}
		}
	}
	for i, cell := range header {
		if taken[i] {
			continue
		}
		col := Column{Index: i, Name: cell}
		// A customer column another won its field from (电话 beside 手机, a
		// second email) is kept too, as an attribute: nothing is lost.
		if k == Customers && strings.TrimSpace(cell) != "" && i >= skip {
			m.Attrs = append(m.Attrs, col)
		} else {
			m.Ignored = append(m.Ignored, col)
		}
	}
	for _, f := range moneyFields {
		if i, ok := m.Index[f]; ok {
			if sh := unitShift(header[i]); sh != 0 {
				if m.Shift == nil {
					m.Shift = map[string]int{}
				}
				m.Shift[f] = sh
			}
			if m.Currency == "" {
				m.Currency = headerCurrency(header[i]) // the amount's first (moneyFields)
			}
		}
	}
	for _, f := range []string{"ordered_at", "created_at", "date"} {
		cols := m.Fallback[f]
		if i, ok := m.Index[f]; ok {
			cols = append([]int{i}, cols...)
		}
		for _, i := range cols {
			if z := headerZone(header[i]); z != nil {
				if m.Zones == nil {
					m.Zones = map[int]*time.Location{}
				}
				m.Zones[i] = z
			}
		}
	}
	for _, group := range required[k] {
		if m.Attach() && (slices.Contains(group, "customer_id") || slices.Contains(group, "ordered_at")) {
			continue // the stored orders have them
		}
		found := false
		for _, f := range group {
			found = found || m.Has(f)
		}
		if !found {
			aliases := map[string][]string{}
			for _, f := range fields {
				for _, g := range group {
					if f.name == g {
						aliases[g] = f.aliases
					}
				}
			}
			return nil, &MissingFieldError{Kind: k, Fields: group, Aliases: aliases, Header: header, Matched: len(m.Index)}
		}
	}
	return m, nil
}

// pow10 is 10 to the n, for n from 0 to 18.
func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}
