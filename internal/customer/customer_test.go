package customer

import (
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/kith"
	"pgregory.net/rapid"
)

func TestNormalizePhone(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"+86 138-0013-8000", "13800138000"},
		{"0086 13800138000", "13800138000"},
		{"１３８００１３８０００", "13800138000"},
		{"＋44 20 7946 0958", "+442079460958"}, // a full-width plus keeps the country code's mark
		{"021-6123 4567", "02161234567"},
		{"13800138000.0", "13800138000"}, // saved by a tool that read the column as numbers
		{"8613800138000.00", "13800138000"},
		{"138.0013.8000", "13800138000"}, // dots as separators stay separators
		{"13800138000/13900139000", "13800138000"},
		{"13800138000，13900139000", "13800138000"}, // a full-width comma
		{"13800138000、13900139000", "13800138000"},
		{"021-6123-4567转8001", "02161234567"},
		{"+1 415 555 0100 ext. 12", "+14155550100"},
		{"13800138000 (微信同号)", "13800138000"},
		{"138****8000", ""}, // a masked number identifies nobody
		{"138＊＊＊＊8000", ""},
		{"手机尾号8000", ""},         // the tail only
		{"17531103964_6603", ""}, // Meituan's privacy number: a relay lent to many, and an order's extension
		{"隐私号 17531103964转6603", ""},
		{"17531103964_", "17531103964"},       // no extension: an ordinary number with a stray mark
		{"tel:+8613800138000", "13800138000"}, // a web page's link
		{"TEL: 021-6123 4567", "02161234567"},
		{"", ""},
	} {
		if got := NormalizePhone(c.in); got != c.want {
			t.Errorf("NormalizePhone(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A masked phone typed or posted is refused with the field named, not
// stored as a number nobody has.
func TestMaskedPhoneRefused(t *testing.T) {
	c := Customer{Name: "李四", Phone: "139****9000"}
	err := c.Normalize()
	var fe *kith.FieldError
	if !errors.As(err, &fe) || fe.Field != "phone" || fe.Code != "masked" || !strings.Contains(err.Error(), "139****9000") {
		t.Errorf("create: %v", err)
	}
	ph := "139****9000"
	if err := (&Patch{Phone: &ph}).Normalize(); !errors.As(err, &fe) || fe.Field != "phone" {
		t.Errorf("patch: %v", err)
	}
}

// fmtHash is Customer.Hash as it was written with fmt, whose bytes the
// stored row hashes were made from.
func fmtHash(c *Customer) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%t\x00%s\x00%s\x00%s\x00%d\x00%q\x00%s\x00%s\x00%s\x00%s\x00%d",
		c.ExternalID, c.Name, c.Phone, c.Email, c.Gender, c.Birthday, c.BirthdayLunar, c.City, c.Region, c.Company,
		c.CompanySize, c.Tags, c.Channel, c.ReferrerRef, c.OwnerRef, c.Notes, c.CreatedAt.UnixNano())
	keys := make([]string, 0, len(c.Attrs))
	for k := range c.Attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "\x01%s\x00%s", k, c.Attrs[k])
	}
	return h.Sum64()
}

// TestHashAsStored: Hash gives what the fmt form gave for any customer, so
// customers imported before it changed are still found unchanged.
func TestHashAsStored(t *testing.T) {
	text := rapid.StringOf(rapid.SampledFrom([]rune("ab张三 \"\\\x00\x01\n\t\u2028é😀")))
	rapid.Check(t, func(t *rapid.T) {
		c := &Customer{
			ExternalID: text.Draw(t, "id"), Name: text.Draw(t, "name"), Phone: text.Draw(t, "phone"),
			Email: text.Draw(t, "email"), Gender: text.Draw(t, "gender"), Birthday: text.Draw(t, "birthday"),
			BirthdayLunar: rapid.Bool().Draw(t, "lunar"), City: text.Draw(t, "city"), Region: text.Draw(t, "region"),
			Company: text.Draw(t, "company"), CompanySize: rapid.IntRange(-5, 1<<40).Draw(t, "size"),
			Tags: rapid.SliceOf(text).Draw(t, "tags"), Channel: text.Draw(t, "channel"),
			ReferrerRef: text.Draw(t, "referrer"), OwnerRef: text.Draw(t, "owner"), Notes: text.Draw(t, "notes"),
			Attrs: rapid.MapOf(text, text).Draw(t, "attrs"),
		}
		if rapid.Bool().Draw(t, "created") {
			c.CreatedAt = time.Unix(rapid.Int64Range(-1<<40, 1<<40).Draw(t, "at"), 0)
		}
		if got, want := c.Hash(), fmtHash(c); got != want {
			t.Fatalf("Hash %x, the fmt form %x", got, want)
		}
	})
}

// Numbers that are no customer's own: lent for an order, or too short or
// too plain to tell anyone apart.
func TestPrivacyAndShortPhones(t *testing.T) {
	for _, c := range []struct {
		in             string
		privacy, short bool
	}{
		{"17531103964_6603", true, false}, {" 17531103964_66 ", true, false}, {"隐私号 17531103964", true, false},
		{"虚拟号：17012345678转1234", true, false}, {"13800138000", false, false}, {"1753110396_6603", false, false},
		{"17531103964_6603a", false, false}, {"17531103964_1234567", false, false},
		{"8000", false, true}, {"0", false, true}, {"00000000000", false, true}, {"+12345", false, true},
		{"021-6123", false, false}, {"123456", false, false}, {"+442079460958", false, false},
	} {
		short := NormalizePhone(c.in) != "" && ShortPhone(NormalizePhone(c.in))
		if got := PrivacyPhone(c.in); got != c.privacy || short != c.short {
			t.Errorf("%q: privacy %v, short %v; want %v, %v", c.in, got, short, c.privacy, c.short)
		}
	}
	for _, ph := range []string{"17531103964_6603", "8000"} {
		var fe *kith.FieldError
		if err := (&Customer{Name: "王", Phone: ph}).Normalize(); !errors.As(err, &fe) || fe.Field != "phone" || !strings.Contains(err.Error(), ph) {
			t.Errorf("create with %q: %v", ph, err)
		}
	}
}

func TestPhoneLeftOut(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"13800138000/13900139000", true},
		{"13800138000，13900139000", true},
		{"13800138000、13900139000", true},
		{"021-6123-4567转8001", true},
		{"+1 415 555 0100 ext. 12", true},
		{"021-61234567#8001", true},
		{"13800138000 (微信同号)", true},
		{"+86 138-0013-8000", false},
		{"(021) 6123 4567", false},
		{"13800138000.0", false},
		{"１３８００１３８０００", false},
		{"13800138000/", false}, // a separator with nothing after it
		{"tel:+8613800138000", false},
		{"tel:13800138000 微信同号", true},
		{"138****8000", false},
		{"", false},
	} {
		if got := PhoneLeftOut(c.in); got != c.want {
			t.Errorf("PhoneLeftOut(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

// Addresses as people and programs write them: the address is what a
// customer is found by, so each of these is the same customer's.
func TestNormalizeEmail(t *testing.T) {
	for _, c := range []struct {
		in, want  string
		leftOut   bool // a second address the import keeps as written
		plausible bool
	}{
		{"Li.Na@Example.COM ", "li.na@example.com", false, true},
		{"mailto:li@x.com", "li@x.com", false, true},
		{"MAILTO: li@x.com", "li@x.com", false, true},
		{"李娜 <li@x.com>", "li@x.com", false, true},
		{`"Li, Na" <Li@X.com>`, "li@x.com", false, true},
		{"１２３４５＠ｑｑ．ｃｏｍ", "12345@qq.com", false, true}, // typed full-width
		{"12345@qq。com", "12345@qq.com", false, true},
		{"li@x.com。", "li@x.com", false, true},
		{"li@x.com; na@y.com", "li@x.com", true, true},
		{"li@x.com，na@y.com", "li@x.com", true, true},
		{"li@x.com / na@y.com", "li@x.com", true, true},
		{"li@x.com;", "li@x.com", false, true},
		{"e@intranet", "e@intranet", false, true},
		{"li at x.com", "li", false, false},
		{"li@", "li@", false, false},
		{"@x.com", "@x.com", false, false},
		{"li@x@y.com", "li@x@y.com", true, false},
		{"13800138000", "13800138000", false, false},
		{"", "", false, false},
	} {
		got := NormalizeEmail(c.in)
		if got != c.want || EmailLeftOut(c.in) != c.leftOut || PlausibleEmail(got) != c.plausible {
			t.Errorf("NormalizeEmail(%q) = %q, left out %v, plausible %v; want %q, %v, %v",
				c.in, got, EmailLeftOut(c.in), PlausibleEmail(got), c.want, c.leftOut, c.plausible)
		}
	}
}

// A form's email: written as a mail program or a web page gives it, it is
// stored as the address; a second address, or none, is refused by the
// field, quoting what was typed.
func TestEditEmail(t *testing.T) {
	for _, c := range []struct{ in, want, refused string }{
		{"李娜 <Li@X.com>", "li@x.com", ""},
		{"mailto:li@x.com", "li@x.com", ""},
		{"li@x.com; na@y.com", "", `"li@x.com; na@y.com" is not an email address`},
		{"not an email", "", `"not an email" is not an email address`},
	} {
		in := c.in
		created := Customer{Name: "李娜", Email: in}
		errCreate := created.Normalize()
		p := Patch{Email: &in}
		errPatch := p.Normalize()
		for _, r := range []struct {
			what, got string
			err       error
		}{{"create", created.Email, errCreate}, {"patch", *p.Email, errPatch}} {
			var fe *kith.FieldError
			switch {
			case c.refused == "" && (r.err != nil || r.got != c.want):
				t.Errorf("%s %q: %q %v, want %q", r.what, c.in, r.got, r.err, c.want)
			case c.refused != "" && (!errors.As(r.err, &fe) || fe.Field != "email" || fe.Reason != c.refused):
				t.Errorf("%s %q: %v, want the email refused: %s", r.what, c.in, r.err, c.refused)
			}
		}
	}
}

// A customer became one at their record's creation or their first
// purchase, whichever came first.
func TestSince(t *testing.T) {
	created := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		first, want time.Time
	}{
		{time.Time{}, created}, // no purchase yet
		{created.AddDate(-2, 0, 0), created.AddDate(-2, 0, 0)},
		{created.AddDate(0, 0, 3), created},
	} {
		v := View{Customer: Customer{CreatedAt: created}, Totals: Totals{FirstPurchase: c.first}}
		if got := v.Since(); !got.Equal(c.want) {
			t.Errorf("created %v, first purchase %v: since %v, want %v", created, c.first, got, c.want)
		}
	}
}

// A customer's place reads as the shop writes it: province then city in
// Chinese, a municipality once, city then region otherwise.
func TestLocation(t *testing.T) {
	for _, c := range []struct{ city, region, want string }{
		{"杭州市", "浙江省", "浙江省 杭州市"},
		{"北京市", "北京市", "北京市"},
		{"", "浙江省", "浙江省"},
		{"杭州", "", "杭州"},
		{"Sydney", "New South Wales", "Sydney, New South Wales"},
		{"", "", ""},
	} {
		if got := (Customer{City: c.city, Region: c.region}).Location(); got != c.want {
			t.Errorf("city %q, region %q: %q, want %q", c.city, c.region, got, c.want)
		}
	}
}

func TestBirthdayValid(t *testing.T) {
	for _, c := range []struct {
		b            string
		solar, lunar bool
	}{
		{"1990-08-15", true, true},
		{"0000-08-15", true, true},
		{"0000-02-29", true, true}, // the year unknown: it may be a leap one
		{"1991-02-29", false, true},
		{"1992-02-29", true, true},
		{"1990-02-30", false, true}, // a long second lunar month
		{"0000-01-31", true, false}, // no lunar month has 31 days
		{"0000-04-31", false, false},
		{"0000-13-01", false, false},
		{"0000-00-10", false, false},
		{"0000-05-00", false, false},
		{"90-08-15", false, false},
		{"1990-8-15", false, false},
		{"-001-08-15", false, false},
		{"+001-08-15", false, false},
		{"1990-08-15x", false, false},
		{"", false, false},
	} {
		if got := BirthdayValid(c.b, false); got != c.solar {
			t.Errorf("BirthdayValid(%q, solar) = %v, want %v", c.b, got, c.solar)
		}
		if got := BirthdayValid(c.b, true); got != c.lunar {
			t.Errorf("BirthdayValid(%q, lunar) = %v, want %v", c.b, got, c.lunar)
		}
	}
}

func TestSplitTags(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"VIP,宝妈", []string{"VIP", "宝妈"}},
		{"VIP、宝妈；老客户｜高端", []string{"VIP", "宝妈", "老客户", "高端"}},
		{"VIP/老客户", []string{"VIP", "老客户"}},
		{"VIP\n老客户\r\n", []string{"VIP", "老客户"}},
		{"#VIP #老客户 ＃高端", []string{"VIP", "老客户", "高端"}},
		{"C#开发者,VIP", []string{"C#开发者", "VIP"}}, // a # inside a tag is no hashtag
		{"Big Spender, VIP, VIP", []string{"Big Spender", "VIP"}},
		{" , ;", nil},
	} {
		if got := SplitTags(c.in); !slices.Equal(got, c.want) {
			t.Errorf("SplitTags(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
