// Package demo generates a realistic, deterministic shop: customers with
// Chinese (and some English) profiles, two years of orders from a
// buy-till-you-die process with seasonality, products with consumption
// cycles, referrals, acquisition spend and traffic. It writes the CSV files a
// shop would export, in Chinese headers, so `kith demo` goes through the same
// import as real data; tests and benchmarks use it at any size.
package demo

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/kithcrm/kith/internal/money"
)

// Config sets the shop's size and period.
type Config struct {
	Customers int
	Seed      uint64
	End       time.Time // last day with orders
	Months    int       // length of history; 0 = 24
	// Lines writes one row per order line (with products); otherwise one row
	// per order, the shape of the large import benchmark.
	Lines bool
	// Intensity multiplies every customer's purchase rate (1 = a typical
	// retail shop, about 4 orders per customer over two years).
	Intensity float64
	// Dropout multiplies every customer's chance of silently leaving after
	// a purchase (1 = typical; lower keeps customers buying longer, which
	// is how the benchmarks reach ~10 orders per customer).
	Dropout  float64
	Location *time.Location
}

// Files receives the generated CSVs; nil writers are skipped.
type Files struct {
	Customers, Orders, Products, Spend, Traffic io.Writer
}

// Stats summarises what was generated.
type Stats struct {
	Customers, Orders, Lines int
	Revenue                  int64 // paid orders, minor units
	Repeaters                int   // customers with two orders or more
	Top20Share               float64
	First, Last              time.Time
}

// Staff is a generated staff user.
type Staff struct {
	Name, Email, Role, Skills string
	Capacity                  int
}

// Password signs in every demo staff user (a demo, not a secret).
const Password = "kith-demo"

// StaffUsers are the demo shop's team; customers' owners refer to them.
var StaffUsers = []Staff{
	{"王店长", "owner@demo.kith", "admin", "", 0},
	{"李经理", "manager@demo.kith", "manager", "complaint,refund", 20},
	{"张小雨", "rep1@demo.kith", "rep", "product,delivery", 30},
	{"陈大伟", "rep2@demo.kith", "rep", "delivery,refund", 30},
	{"Emily Zhou", "rep3@demo.kith", "rep", "product,membership", 25},
}

type channel struct {
	name      string
	weight    float64 // share of new customers
	cac       float64 // acquisition cost per new customer, CNY
	online    bool
	loyalty   float64 // multiplies the purchase rate
	conv      float64 // visitor -> buyer conversion
	salesCost float64 // share of acquisition spend that is sales (not marketing)
}

var channels = []channel{
	{"抖音", 0.24, 95, true, 0.85, 0.018, 0.1},
	{"微信", 0.20, 60, true, 1.15, 0.035, 0.2},
	{"小红书", 0.14, 110, true, 1.0, 0.022, 0.05},
	{"天猫", 0.18, 80, true, 0.95, 0.028, 0.0},
	{"线下门店", 0.10, 140, false, 1.2, 0, 0.7},
	{"老客推荐", 0.09, 30, false, 1.4, 0, 0},
	{"百度", 0.05, 150, true, 0.8, 0.012, 0.0},
}

type product struct {
	sku, name, category string
	price               int64 // fen
	consumption         int   // days
	service, lifespan   int
}

var products = []product{
	{"SK-001", "玻尿酸保湿精华 30ml", "护肤", 19900, 45, 0, 0},
	{"SK-002", "氨基酸洁面乳", "护肤", 8900, 60, 0, 0},
	{"SK-003", "防晒霜 SPF50", "护肤", 12800, 50, 0, 0},
	{"SK-004", "面膜 10 片装", "护肤", 9900, 30, 0, 0},
	{"TE-001", "明前龙井 250g", "茶叶", 36800, 40, 0, 0},
	{"TE-002", "云南普洱饼 357g", "茶叶", 22800, 60, 0, 0},
	{"TE-003", "福鼎白茶 200g", "茶叶", 26800, 50, 0, 0},
	{"CF-001", "意式拼配咖啡豆 1kg", "咖啡", 16800, 30, 0, 0},
	{"CF-002", "挂耳咖啡 20 包", "咖啡", 7900, 20, 0, 0},
	{"BB-001", "婴儿纸尿裤 L 码 60 片", "母婴", 14900, 20, 0, 0},
	{"BB-002", "婴幼儿奶粉 3 段 800g", "母婴", 26800, 25, 0, 0},
	{"AP-001", "净水器 RO 反渗透", "家电", 199900, 0, 180, 1825},
	{"AP-002", "净水器滤芯套装", "家电", 39900, 180, 0, 0},
	{"AP-003", "扫地机器人", "家电", 259900, 0, 90, 1460},
	{"AP-004", "空气净化器", "家电", 169900, 0, 120, 1825},
	{"CL-001", "纯棉圆领 T 恤", "服装", 9900, 0, 0, 0},
	{"CL-002", "羊毛针织开衫", "服装", 39900, 0, 0, 0},
	{"CL-003", "轻量羽绒服", "服装", 69900, 0, 0, 0},
	{"GF-001", "节日礼盒（茶 + 杯）", "礼品", 49900, 0, 0, 0},
	{"GF-002", "会员年卡", "会员", 29900, 0, 0, 0},
}

// popularity weights products: consumables sell often, appliances rarely.
var popularity = func() []float64 {
	w := make([]float64, len(products))
	for i, p := range products {
		switch {
		case p.consumption > 0 && p.price < 30000:
			w[i] = 10
		case p.lifespan > 0:
			w[i] = 1
		default:
			w[i] = 4
		}
	}
	return w
}()

var (
	surnames    = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹"}
	givenChars  = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玲", "文", "辉", "婷", "雪", "晨", "宇", "欣", "怡", "浩", "子", "涵", "梓", "轩", "雨", "佳"}
	firstNames  = []string{"Emily", "James", "Olivia", "Daniel", "Sophia", "Lucas", "Grace", "Ethan", "Chloe", "Ryan", "Hannah", "Kevin"}
	lastNames   = []string{"Wang", "Smith", "Chen", "Brown", "Li", "Taylor", "Zhang", "Miller", "Liu", "Wilson"}
	cities      = []struct{ city, region string }{{"上海", "上海"}, {"北京", "北京"}, {"广州", "广东"}, {"深圳", "广东"}, {"杭州", "浙江"}, {"成都", "四川"}, {"南京", "江苏"}, {"武汉", "湖北"}, {"西安", "陕西"}, {"重庆", "重庆"}, {"苏州", "江苏"}, {"长沙", "湖南"}, {"厦门", "福建"}, {"青岛", "山东"}, {"昆明", "云南"}}
	cityWeights = []float64{14, 12, 9, 9, 8, 7, 6, 6, 5, 5, 5, 4, 4, 3, 3}
	tagPool     = []string{"VIP", "学生", "宝妈", "企业客户", "夜猫子", "价格敏感", "礼品需求", "茶友"}
	levels      = []string{"普通", "银卡", "金卡", "钻石"}
)

// springFestival is Chinese New Year's Day, for the demand dip around it.
var springFestival = map[int]time.Month{}
var springDay = map[int]int{}

func init() {
	for _, d := range []string{"2020-01-25", "2021-02-12", "2022-02-01", "2023-01-22", "2024-02-10", "2025-01-29", "2026-02-17", "2027-02-06", "2028-01-26", "2029-02-13", "2030-02-03"} {
		t, _ := time.Parse("2006-01-02", d)
		springFestival[t.Year()] = t.Month()
		springDay[t.Year()] = t.Day()
	}
}

// season is the demand multiplier of a day: 618, Double 11, Double 12, the
// New Year shopping before Spring Festival and the quiet week of it.
func season(t time.Time) float64 {
	m, d := t.Month(), t.Day()
	switch {
	case m == time.November && d == 11:
		return 5
	case m == time.November && d <= 12:
		return 2.2
	case m == time.June && d == 18:
		return 3
	case m == time.June && d <= 20:
		return 1.7
	case m == time.December && d == 12:
		return 1.8
	}
	if sm, ok := springFestival[t.Year()]; ok {
		sf := time.Date(t.Year(), sm, springDay[t.Year()], 0, 0, 0, 0, t.Location())
		days := t.Sub(sf).Hours() / 24
		switch {
		case days >= -21 && days < -3:
			return 1.5
		case days >= -3 && days < 7:
			return 0.35
		}
	}
	return 1
}

const maxSeason = 5

type gen struct {
	cfg   Config
	rng   *rand.Rand
	start time.Time
	days  int
}

// gamma draws from Gamma(shape, scale) (Marsaglia and Tsang).
func (g *gen) gamma(shape, scale float64) float64 {
	if shape < 1 {
		return g.gamma(shape+1, scale) * math.Pow(g.rng.Float64(), 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := g.rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := g.rng.Float64()
		if math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v * scale
		}
	}
}

func (g *gen) beta(a, b float64) float64 {
	x := g.gamma(a, 1)
	return x / (x + g.gamma(b, 1))
}

func (g *gen) pick(weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := g.rng.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// day returns the day index's date at a time of day weighted to evenings.
func (g *gen) at(day int) time.Time {
	hours := []float64{0.3, 0.1, 0.05, 0.02, 0.02, 0.05, 0.2, 0.5, 1, 1.5, 2, 2, 2.5, 2, 1.8, 1.8, 1.8, 2, 2.2, 2.8, 3.5, 4, 3.5, 1.5}
	h := g.pick(hours)
	return g.start.AddDate(0, 0, day).Add(time.Duration(h)*time.Hour + time.Duration(g.rng.IntN(3600))*time.Second)
}

type cust struct {
	arrival  int // day index of the first purchase
	ch       int
	lambda   float64 // purchases per day while alive
	drop     float64 // chance of dropping out after each purchase
	favorite int     // favourite product category index into products
}

// Generate writes the shop's files and returns what it made.
func Generate(cfg Config, f Files) (Stats, error) {
	if cfg.Customers <= 0 {
		return Stats{}, fmt.Errorf("demo: customers must be positive, got %d", cfg.Customers)
	}
	if cfg.Months <= 0 {
		cfg.Months = 24
	}
	if cfg.Intensity <= 0 {
		cfg.Intensity = 1
	}
	if cfg.Dropout <= 0 {
		cfg.Dropout = 1
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	end := time.Date(cfg.End.Year(), cfg.End.Month(), cfg.End.Day(), 0, 0, 0, 0, cfg.Location)
	g := &gen{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))}
	g.start = end.AddDate(0, -cfg.Months, 1)
	g.days = int(end.Sub(g.start).Hours()/24+0.5) + 1

	// Arrivals grow over time and follow the seasons.
	custs := make([]cust, cfg.Customers)
	chWeights := make([]float64, len(channels))
	for i, c := range channels {
		chWeights[i] = c.weight
	}
	for i := range custs {
		for {
			d := g.rng.IntN(g.days)
			growth := 0.6 + 0.8*float64(d)/float64(g.days)
			if g.rng.Float64()*maxSeason*1.4 < growth*season(g.start.AddDate(0, 0, d)) {
				custs[i].arrival = d
				break
			}
		}
	}
	sort.Slice(custs, func(i, j int) bool { return custs[i].arrival < custs[j].arrival })
	for i := range custs {
		c := &custs[i]
		c.ch = g.pick(chWeights)
		// BG/NBD: rate ~ Gamma(r, 1/alpha) per day, dropout ~ Beta(a, b).
		c.lambda = g.gamma(0.8, 1.0/55) * channels[c.ch].loyalty * cfg.Intensity
		c.drop = min(1, g.beta(1.5, 5)/channels[c.ch].loyalty*cfg.Dropout)
		c.favorite = g.pick(popularity)
	}

	st := Stats{Customers: cfg.Customers}
	var w struct{ cust, ord, prod, spend, traffic *csv.Writer }
	open := func(dst io.Writer, header ...string) *csv.Writer {
		if dst == nil {
			return nil
		}
		cw := csv.NewWriter(dst)
		cw.Write(header)
		return cw
	}
	w.cust = open(f.Customers, "客户编号", "姓名", "手机", "邮箱", "性别", "生日", "是否农历", "城市", "省份", "渠道", "标签", "负责人", "推荐人", "注册时间", "会员等级", "备注")
	if cfg.Lines {
		w.ord = open(f.Orders, "订单号", "客户编号", "下单时间", "商品编码", "商品名称", "品类", "数量", "单价", "订单状态", "渠道")
	} else {
		w.ord = open(f.Orders, "订单号", "客户编号", "下单时间", "实付金额", "订单状态", "渠道")
	}
	newByMonthChannel := map[[2]int]int{}
	buyersByDayChannel := map[[2]int]int{}
	orderSeq := 0
	custRevenue := make([]int64, len(custs))
	for i := range custs {
		c := &custs[i]
		id := fmt.Sprintf("C%06d", i+1)
		arrival := g.start.AddDate(0, 0, c.arrival)
		mi := monthIndex(g.start, arrival)
		newByMonthChannel[[2]int{mi, c.ch}]++
		if w.cust != nil {
			g.writeCustomer(w.cust, i, id, c, arrival)
		}
		// Purchases: the first on arrival, then a thinned Poisson process at
		// the customer's rate times the season, until a dropout.
		day := c.arrival
		for n := 0; ; n++ {
			if n > 0 {
				if g.rng.Float64() < c.drop {
					break
				}
				found := false
				for !found {
					gap := g.rng.ExpFloat64() / (c.lambda * maxSeason)
					if gap >= float64(g.days) { // also catches +Inf for a zero rate
						day = g.days
						break
					}
					day += int(math.Ceil(gap))
					if day >= g.days {
						break
					}
					found = g.rng.Float64()*maxSeason < season(g.start.AddDate(0, 0, day))
				}
				if !found {
					break
				}
			}
			orderSeq++
			at := g.at(day)
			amount, lines := g.writeOrder(w.ord, fmt.Sprintf("D%08d", orderSeq), id, c, at)
			st.Orders++
			st.Lines += lines
			if amount > 0 {
				st.Revenue += amount
			}
			if st.First.IsZero() || at.Before(st.First) {
				st.First = at
			}
			if at.After(st.Last) {
				st.Last = at
			}
			buyersByDayChannel[[2]int{day, c.ch}]++
			custRevenue[i] += max(amount, 0)
			if n == 1 {
				st.Repeaters++
			}
		}
	}
	st.Top20Share = topShare(custRevenue, 0.2)
	if w.prod = open(f.Products, "商品编码", "商品名称", "品类", "消耗周期", "保养周期", "寿命"); w.prod != nil {
		for _, p := range products {
			w.prod.Write([]string{p.sku, p.name, p.category, itoa(p.consumption), itoa(p.service), itoa(p.lifespan)})
		}
	}
	if w.spend = open(f.Spend, "月份", "渠道", "类型", "金额"); w.spend != nil {
		g.writeSpend(w.spend, newByMonthChannel)
	}
	if w.traffic = open(f.Traffic, "日期", "渠道", "访客数", "下单人数"); w.traffic != nil {
		for d := 0; d < g.days; d++ {
			for ci, ch := range channels {
				if !ch.online {
					continue
				}
				buyers := buyersByDayChannel[[2]int{d, ci}]
				visitors := int(float64(buyers)/ch.conv*(0.8+0.4*g.rng.Float64())) + g.rng.IntN(20)
				w.traffic.Write([]string{g.start.AddDate(0, 0, d).Format("2006-01-02"), ch.name, itoa(visitors), itoa(buyers)})
			}
		}
	}
	for _, cw := range []*csv.Writer{w.cust, w.ord, w.prod, w.spend, w.traffic} {
		if cw != nil {
			cw.Flush()
			if err := cw.Error(); err != nil {
				return st, fmt.Errorf("demo: write: %w", err)
			}
		}
	}
	return st, nil
}

func itoa(n int) string { return strconv.Itoa(n) }

func monthIndex(start, t time.Time) int {
	return (t.Year()-start.Year())*12 + int(t.Month()) - int(start.Month())
}

func (g *gen) writeCustomer(w *csv.Writer, i int, id string, c *cust, arrival time.Time) {
	r := g.rng
	var name, email, gender string
	if r.Float64() < 0.9 {
		name = surnames[r.IntN(len(surnames))] + givenChars[r.IntN(len(givenChars))]
		if r.Float64() < 0.6 {
			name += givenChars[r.IntN(len(givenChars))]
		}
		gender = []string{"男", "女", "女"}[r.IntN(3)]
	} else {
		first := firstNames[r.IntN(len(firstNames))]
		name = first + " " + lastNames[r.IntN(len(lastNames))]
		gender = []string{"male", "female"}[r.IntN(2)]
	}
	// Phones are unique: a bijection of i onto 8 digits behind a prefix.
	phone := fmt.Sprintf("1%d%d%08d", 3+r.IntN(7), r.IntN(10), (uint64(i)*2654435761+uint64(g.cfg.Seed))%100000000)
	if r.Float64() < 0.4 {
		email = fmt.Sprintf("user%d@example.com", i+1)
	}
	birthday, lunar := "", ""
	if r.Float64() < 0.8 {
		y := arrival.Year() - 18 - r.IntN(45)
		birthday = time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(365)).Format("2006-01-02")
		if r.Float64() < 0.25 {
			lunar = "是"
			if birthday[8:] > "29" {
				birthday = birthday[:8] + "29"
			}
		}
	}
	cc := cities[g.pick(cityWeights)]
	var tags []string
	for _, t := range tagPool {
		if r.Float64() < 0.08 {
			tags = append(tags, t)
		}
	}
	owner := ""
	if r.Float64() < 0.6 {
		owner = StaffUsers[2+r.IntN(3)].Email
	}
	referrer := ""
	if channels[c.ch].name == "老客推荐" && i > 0 {
		referrer = fmt.Sprintf("C%06d", 1+r.IntN(i))
	}
	level := levels[min(3, int(g.gamma(1, 0.7)))]
	note := ""
	if r.Float64() < 0.05 {
		note = "偏好周末配送"
	}
	w.Write([]string{id, name, phone, email, gender, birthday, lunar, cc.city, cc.region, channels[c.ch].name,
		joinTags(tags), owner, referrer, arrival.Format("2006-01-02"), level, note})
}

func joinTags(tags []string) string {
	s := ""
	for i, t := range tags {
		if i > 0 {
			s += ","
		}
		s += t
	}
	return s
}

// writeOrder writes one order (its lines, or one row) and returns its amount.
func (g *gen) writeOrder(w *csv.Writer, oid, cid string, c *cust, at time.Time) (int64, int) {
	r := g.rng
	status := "已付款"
	if r.Float64() < 0.03 {
		status = "已退款"
	}
	n := 1 + g.pick([]float64{6, 3, 1})
	var total int64
	ts := at.Format("2006-01-02 15:04:05")
	ch := channels[c.ch].name
	if ch == "老客推荐" {
		ch = "微信"
	}
	type line struct {
		p   product
		qty int
	}
	lines := make([]line, 0, n)
	for k := 0; k < n; k++ {
		p := products[c.favorite]
		if k > 0 || r.Float64() < 0.35 {
			p = products[g.pick(popularity)]
		}
		qty := 1 + g.pick([]float64{8, 2, 1})
		lines = append(lines, line{p, qty})
		total += p.price * int64(qty)
	}
	if w == nil {
		return total, n
	}
	if g.cfg.Lines {
		for _, l := range lines {
			w.Write([]string{oid, cid, ts, l.p.sku, l.p.name, l.p.category, itoa(l.qty), money.FormatMinor(l.p.price, 2), status, ch})
		}
	} else {
		w.Write([]string{oid, cid, ts, money.FormatMinor(total, 2), status, ch})
	}
	if status != "已付款" {
		return 0, n
	}
	return total, n
}

// writeSpend writes monthly acquisition spend per channel (new customers x
// the channel's CAC, with noise; part of it sales cost) and retention spend.
func (g *gen) writeSpend(w *csv.Writer, newCustomers map[[2]int]int) {
	months := g.cfg.Months
	for m := 0; m <= months; m++ {
		month := time.Date(g.start.Year(), g.start.Month()+time.Month(m), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
		var total float64
		for ci, ch := range channels {
			n := newCustomers[[2]int{m, ci}]
			spend := float64(n) * ch.cac * (0.85 + 0.3*g.rng.Float64())
			if n == 0 && ch.online {
				spend = ch.cac * 5 // spend that won nobody still counts
			}
			total += spend
			sales := spend * ch.salesCost
			if spend-sales > 0 {
				w.Write([]string{month, ch.name, "营销", fmt.Sprintf("%.2f", spend-sales)})
			}
			if sales > 0 {
				w.Write([]string{month, ch.name, "销售", fmt.Sprintf("%.2f", sales)})
			}
		}
		w.Write([]string{month, "", "关怀", fmt.Sprintf("%.2f", total*0.12)})
		w.Write([]string{month, "", "返现", fmt.Sprintf("%.2f", total*0.08)})
		w.Write([]string{month, "", "礼品", fmt.Sprintf("%.2f", total*0.04)})
	}
}

// topShare is the share of revenue from the top fraction of customers.
func topShare(revenue []int64, fraction float64) float64 {
	sorted := append([]int64(nil), revenue...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] > sorted[j] })
	var top, total int64
	k := int(math.Ceil(fraction * float64(len(sorted))))
	for i, r := range sorted {
		total += r
		if i < k {
			top += r
		}
	}
	if total == 0 {
		return 0
	}
	return float64(top) / float64(total)
}
