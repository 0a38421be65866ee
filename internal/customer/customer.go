// Package customer holds the customer record and its validation rules.
package customer

import (
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/kithcrm/kith/internal/money"
)

// Customer is one buyer. Refs (referrer, owner) hold what an input file says;
// the store resolves them to ids.
type Customer struct {
	ID            int64
	ExternalID    string
	Name          string
	Phone         string
	Email         string
	Gender        string
	Birthday      string // YYYY-MM-DD; 0000-MM-DD when the year is unknown
	BirthdayLunar bool   // Birthday's month and day are a Chinese lunar date
	City          string
	Region        string
	Company       string
	CompanySize   int
	Tags          []string
	Channel       string
	ReferrerRef   string // external id, phone or email of the referrer
	ReferrerID    int64
	OwnerRef      string // staff user name or email
	OwnerID       int64
	Attrs         map[string]string
	Notes         string
	CreatedAt     time.Time
}

// Key identifies a customer in input files: by external id, else phone,
// else email (design.md §3: dedup in that order).
type Key struct {
	ExternalID string
	Phone      string
	Email      string
}

// String renders the key for messages and caches: "id:C1", "phone:138...".
func (k Key) String() string {
	switch {
	case k.ExternalID != "":
		return "id:" + k.ExternalID
	case k.Phone != "":
		return "phone:" + k.Phone
	case k.Email != "":
		return "email:" + k.Email
	}
	return ""
}

// Key returns the customer's identity key.
func (c *Customer) Key() Key {
	return Key{ExternalID: c.ExternalID, Phone: c.Phone, Email: c.Email}
}

// NormalizePhone keeps digits (and a leading +), and drops China's +86 / 0086
// country code from mobile numbers so "+86 138-0013-8000" = "13800138000".
// A number written as a decimal (13800138000.0, as tools that read the
// column as numbers save it) loses its zero fraction, not gains a digit.
// Of two numbers in one cell (13800138000/13900139000) the first is kept,
// and an extension (转8001, ext. 8001) is left off: their digits run
// together would be no one's number.
func NormalizePhone(s string) string {
	if MaskedPhone(s) {
		return "" // its visible digits are not the number, and are shared by many
	}
	s = trimTel(strings.TrimSpace(money.Narrow(s))) // １３８ and ＋ typed full-width
	if i := strings.IndexAny(s, phoneSeparators); i > 0 {
		s = strings.TrimSpace(s[:i])
	}
	for _, ext := range []string{"转", "分机", "ext", "EXT", "Ext", "#"} {
		if i := strings.Index(s, ext); i > 0 {
			s = strings.TrimSpace(s[:i])
		}
	}
	if whole, frac, ok := strings.Cut(s, "."); ok && whole != "" && strings.Trim(whole, "0123456789") == "" && strings.Trim(frac, "0") == "" {
		s = whole
	}
	var b strings.Builder
	for i, r := range s {
		if r >= '0' && r <= '9' || (r == '+' && i == 0) {
			b.WriteRune(r)
		}
	}
	p := b.String()
	for _, cc := range []string{"+86", "0086", "86"} {
		if strings.HasPrefix(p, cc) && len(p)-len(cc) == 11 && p[len(cc)] == '1' {
			return p[len(cc):]
		}
	}
	return p
}

// trimTel takes the tel: off a number copied from a web page's link.
func trimTel(s string) string {
	if len(s) > 4 && strings.EqualFold(s[:4], "tel:") {
		return strings.TrimSpace(s[4:])
	}
	return s
}

// phoneSeparators part two numbers in one phone cell (after Narrow, which
// makes a full-width ， or ； ASCII).
const phoneSeparators = "/,;|、"

// PhoneLeftOut reports a phone cell that says more than NormalizePhone
// keeps: a second number, an extension, a note such as 微信同号. The
// number's own formatting (+86, dashes, spaces, brackets, a .0 fraction)
// does not count, nor does a masked number, which says nothing.
func PhoneLeftOut(s string) bool {
	s = trimTel(strings.TrimSpace(money.Narrow(s)))
	if s == "" || MaskedPhone(s) {
		return false
	}
	if i := strings.IndexAny(s, phoneSeparators); i >= 0 && strings.Trim(s[i:], phoneSeparators+" ") != "" {
		return true
	}
	for _, r := range s {
		if unicode.IsLetter(r) || r == '#' {
			return true
		}
	}
	return false
}

// PhoneMasks are the characters platforms hide a phone's digits with.
const PhoneMasks = "*＊●"

// MaskedPhone reports a phone cell that shows no customer's whole number:
// digits hidden, as platforms export buyers' phones (138****8000), only
// the last digits (尾号8000), or a privacy number (PrivacyPhone).
func MaskedPhone(s string) bool {
	return strings.ContainsAny(s, PhoneMasks) || strings.Contains(s, "尾号") || PrivacyPhone(s)
}

// PrivacyPhone reports a number a takeaway or delivery platform lends for
// one order so that the rider can call without seeing the customer's own:
// Meituan's 17531103964_6603 (a relay number and the order's extension),
// or one the cell calls 隐私号 or 虚拟号. The relay number is lent to many
// customers and the extension to one order: neither is anyone's.
func PrivacyPhone(s string) bool {
	if strings.Contains(s, "隐私号") || strings.Contains(s, "虚拟号") {
		return true
	}
	s = strings.TrimSpace(s)
	relay, ext, ok := strings.Cut(s, "_")
	return ok && len(relay) == 11 && len(ext) >= 1 && len(ext) <= 6 && strings.Trim(relay+ext, "0123456789") == ""
}

// ShortPhone reports a number, as NormalizePhone gives it, that is no
// one's: fewer than six digits (a tail, 8000, or a placeholder, 0) or all
// zeros. Taken as a key, it would make one customer of everyone it is
// written for.
func ShortPhone(p string) bool {
	p = strings.TrimPrefix(p, "+")
	return len(p) < 6 || strings.Trim(p, "0") == ""
}

// NormalizeEmail reads an address as people and programs write it:
// trimmed and lower-cased; typed in a Chinese input method's full-width
// mode (１２３＠ｑｑ．ｃｏｍ, 123@qq。com: 。 separates a domain's labels as
// the dot does, IDNA says); after mailto:, as a link copied from a web
// page has it; and out of "Name <address>", as mail programs export a
// contact. Of two addresses in one cell (a@x.com; b@x.com) the first is
// kept.
func NormalizeEmail(s string) string {
	s = strings.TrimSpace(money.Narrow(s))
	if s == "" {
		return s
	}
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			s = strings.TrimSpace(s[i+1 : i+j])
		}
	}
	if len(s) > 7 && (s[0] == 'm' || s[0] == 'M') && strings.EqualFold(s[:7], "mailto:") {
		s = strings.TrimSpace(s[7:])
	}
	if i := strings.IndexAny(s, emailSeparators); i > 0 {
		s = s[:i]
	}
	if i := strings.Index(s, "、"); i > 0 {
		s = s[:i]
	}
	if strings.Contains(s, "。") {
		s = strings.ReplaceAll(s, "。", ".")
	}
	// A sentence's full stop after it (li@x.com。) is no part of it.
	return strings.ToLower(strings.TrimRight(s, "."))
}

// emailSeparators part two addresses in one cell (after Narrow, which
// makes a full-width ， or ； ASCII), with 、; an address has none of them.
// ASCII only, so that IndexAny looks them up in a table.
const emailSeparators = ",;/| \t"

// EmailLeftOut reports an email cell that says more than NormalizeEmail
// keeps, a second address, for an import to keep the cell as written.
func EmailLeftOut(s string) bool {
	return strings.Count(money.Narrow(s), "@") > 1
}

// PlausibleEmail reports an address as NormalizeEmail gives it that could
// be one: one @, something on each side, no spaces or brackets.
func PlausibleEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(domain, "@") &&
		!strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune("<>()[]\",;:", r) })
}

// SplitTags splits a tag cell on the separators people type: , ; | / 、
// ， ； ｜ ／, a line break (Excel's Alt+Enter list), and a hashtag's #
// (#VIP #老客户, as WeCom and social tools write tags). A space is no
// separator: "Big Spender" is one tag.
func SplitTags(s string) []string {
	hashtags := strings.HasPrefix(strings.TrimSpace(s), "#")
	parts := strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case ',', ';', '|', '/', '、', '，', '；', '｜', '／', '\n', '\r', '\t':
			return true
		}
		return hashtags && (r == '#' || r == '＃')
	})
	var tags []string
	seen := map[string]bool{}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p != "" && !seen[p] {
			seen[p] = true
			tags = append(tags, p)
		}
	}
	return tags
}

// Hash fingerprints a customer's imported content, to tell unchanged rows
// from changed ones on re-import.
func (c *Customer) Hash() uint64 {
	// The bytes are those of the fmt.Fprintf this replaced (%s fields, %t,
	// %d, %q of the tags, NUL between), so stored hashes still match; fmt
	// was a tenth of a customers import's CPU.
	b := make([]byte, 0, 256)
	for _, f := range [...]string{c.ExternalID, c.Name, c.Phone, c.Email, c.Gender, c.Birthday} {
		b = append(append(b, f...), 0)
	}
	b = append(strconv.AppendBool(b, c.BirthdayLunar), 0)
	for _, f := range [...]string{c.City, c.Region, c.Company} {
		b = append(append(b, f...), 0)
	}
	b = append(strconv.AppendInt(b, int64(c.CompanySize), 10), 0, '[')
	for i, t := range c.Tags {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendQuote(b, t)
	}
	b = append(b, ']', 0)
	for _, f := range [...]string{c.Channel, c.ReferrerRef, c.OwnerRef, c.Notes} {
		b = append(append(b, f...), 0)
	}
	b = strconv.AppendInt(b, c.CreatedAt.UnixNano(), 10)
	keys := make([]string, 0, len(c.Attrs))
	for k := range c.Attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b = append(append(append(append(b, 1), k...), 0), c.Attrs[k]...)
	}
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}

// OrderSummary is one order as the customer 360 lists it.
type OrderSummary struct {
	ID         int64
	ExternalID string
	OrderedAt  time.Time
	Amount     int64
	Currency   string
	Channel    string
	Status     string
	Lines      int
}

// Ref is another customer named on a profile (referrer, referred).
type Ref struct {
	ID         int64
	ExternalID string
	Name       string
}

// View is the customer 360: profile, orders and totals.
type View struct {
	Customer
	Owner    string // staff user name
	Referrer *Ref
	Referred []Ref
	Orders   []OrderSummary // newest first, up to the limit asked
	Totals   Totals
	Score    *Score // the latest model score, if the shop was scored
	// MergedKey is the key asked for when it named a customer merged into
	// this one (an alias), "" otherwise.
	MergedKey string
	// Aliases are the external ids, phones and emails of customers merged
	// into this one, which find it (up to 100).
	Aliases []string
}

// Location is where the customer lives, written as the shop would: the
// province before the city in Chinese, a municipality once ("浙江省
// 杭州市", "北京市"), the city before the region otherwise ("Sydney, New
// South Wales"); either alone when the other is unknown.
func (c Customer) Location() string {
	switch {
	case c.Region == "" || c.Region == c.City:
		return c.City
	case c.City == "":
		return c.Region
	case strings.ContainsFunc(c.Region+c.City, func(r rune) bool { return unicode.Is(unicode.Han, r) }):
		return c.Region + " " + c.City
	}
	return c.City + ", " + c.Region
}

// Since is when the customer became one: the record's creation, or their
// first purchase when that came before it (a member list imported today of
// people who have bought for years).
func (v View) Since() time.Time {
	if fp := v.Totals.FirstPurchase; !fp.IsZero() && fp.Before(v.CreatedAt) {
		return fp
	}
	return v.CreatedAt
}

// Score is a customer's latest prediction (kith clv score).
type Score struct {
	AsOf              time.Time
	Model             string
	HorizonDays       int
	PAlive            float64
	ExpectedPurchases float64
	ProbNoPurchase    float64
	ExpectedSpend     int64 // minor units
	CLV               int64
	CLVLo, CLVHi      *int64
	Currency          string
}

// Totals sums a customer's orders. Only paid orders are purchases.
type Totals struct {
	Orders        int // paid orders
	Refunds       int // refunded orders
	Cancelled     int // orders cancelled before they were paid: no money moved
	Revenue       int64
	Refunded      int64
	Currency      string
	FirstPurchase time.Time
	LastPurchase  time.Time
}

// AOV is the average paid order value in minor units (0 without orders).
func (t Totals) AOV() int64 {
	if t.Orders == 0 {
		return 0
	}
	return t.Revenue / int64(t.Orders)
}
