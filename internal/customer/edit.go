package customer

import (
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kithcrm/kith/internal/kith"
)

// Filter selects customers for a list. Text is matched literally (LIKE
// wildcards in it are escaped), never spliced into SQL.
type Filter struct {
	Query   string  // substring of name, phone, email or external id
	Tag     string  // has this tag
	OwnerID int64   // owned by this staff user (0: any)
	Visible int64   // a rep's id: only their customers and unassigned ones (0: all)
	IDs     []int64 // restrict to these ids (a segment); nil: no restriction
	Limit   int
	Offset  int
}

// ListItem is one row of a customer list.
type ListItem struct {
	ID           int64
	ExternalID   string
	Name         string
	Phone        string
	Email        string
	City         string
	Channel      string
	OwnerID      int64
	Owner        string
	Tags         []string
	Orders       int
	Revenue      int64
	Currency     string
	LastPurchase time.Time
}

// Page is a page of a customer list and the total matching.
type Page struct {
	Items []ListItem
	Total int
}

// Patch changes some fields of a customer; nil fields stay as they are.
// The JSON names are the API's PATCH body.
type Patch struct {
	Name     *string `json:"name"`
	Phone    *string `json:"phone"`
	Email    *string `json:"email"`
	Gender   *string `json:"gender"`
	Birthday *string `json:"birthday"`
	// BirthdayLunar says whether the birthday is a Chinese lunar date;
	// the store checks the two together (CheckBirthday).
	BirthdayLunar *bool             `json:"birthday_lunar"`
	City          *string           `json:"city"`
	Region        *string           `json:"region"`
	Company       *string           `json:"company"`
	Channel       *string           `json:"channel"`
	Notes         *string           `json:"notes"`
	OwnerID       *int64            `json:"owner_id"` // 0 unassigns
	Tags          *[]string         `json:"tags"`
	Attrs         map[string]string `json:"attrs"` // merged in; "" deletes a key
}

const maxText = 500

// ValidText says whether s can be stored as text on both engines: UTF-8
// without NUL characters (PostgreSQL refuses NUL in text).
func ValidText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

func checkText(field, v string, fields *[]error) {
	if utf8.RuneCountInString(v) > maxText {
		*fields = append(*fields, &kith.FieldError{Field: field, Code: "too_long", Reason: fmt.Sprintf("%s is longer than %d characters", field, maxText)})
	}
	if !ValidText(v) {
		*fields = append(*fields, &kith.FieldError{Field: field, Code: "bad_text", Reason: field + " is not valid UTF-8 text (or holds a NUL character)"})
	}
}

// checkEmail checks v, the address NormalizeEmail read from raw. A form
// gives one address: a second one is refused rather than dropped.
func checkEmail(raw, v string, fields *[]error) {
	if v == "" {
		return
	}
	if a, err := mail.ParseAddress(v); err != nil || a.Name != "" || EmailLeftOut(raw) {
		*fields = append(*fields, &kith.FieldError{Field: "email", Code: "invalid", Reason: fmt.Sprintf("%q is not an email address", strings.TrimSpace(raw))})
	}
}

// BirthdayValid says whether b, a birthday as stored (YYYY-MM-DD, 0000-MM-DD
// when the year is unknown), is a day. A solar one must be in its year's
// calendar (0000-02-29 is: the year is unknown); a lunar one only needs a
// month of at most 30 days, which every lunar month has (农历二月三十 is a
// birthday in the years whose second month is long).
func BirthdayValid(b string, lunar bool) bool {
	if !lunar {
		_, err := time.Parse("2006-01-02", strings.Replace(b, "0000-", "2000-", 1))
		return err == nil
	}
	if len(b) != 10 || b[4] != '-' || b[7] != '-' || strings.Trim(b[:4]+b[5:7]+b[8:], "0123456789") != "" {
		return false
	}
	m, _ := strconv.Atoi(b[5:7])
	d, _ := strconv.Atoi(b[8:])
	return m >= 1 && m <= 12 && d >= 1 && d <= 30
}

func checkBirthday(v string, lunar bool, fields *[]error) {
	if v == "" {
		return
	}
	if !BirthdayValid(v, lunar) {
		kind := "a solar"
		if lunar {
			kind = "a lunar"
		}
		*fields = append(*fields, &kith.FieldError{Field: "birthday", Code: "bad_date",
			Reason: fmt.Sprintf("%q is not %s date: want YYYY-MM-DD (0000-MM-DD when the year is unknown)", v, kind)})
	}
}

// CheckBirthday is the check of a patch's birthday against the flag the
// customer will have: a patch may change either alone, so only the store,
// which holds the other, can make it.
func CheckBirthday(birthday string, lunar bool) error {
	var fields []error
	checkBirthday(birthday, lunar, &fields)
	return errors.Join(fields...)
}

// checkPhone refuses a phone that is not a customer's whole number:
// stored, it would be a number nobody has, or everybody's.
func checkPhone(phone string, fields *[]error) {
	switch {
	case PrivacyPhone(phone):
		*fields = append(*fields, &kith.FieldError{Field: "phone", Code: "masked",
			Reason: fmt.Sprintf("%q is a privacy number a platform lends for one order: give the customer's own number, or none", phone)})
	case MaskedPhone(phone):
		*fields = append(*fields, &kith.FieldError{Field: "phone", Code: "masked",
			Reason: fmt.Sprintf("%q has hidden digits: give the whole number, or none", phone)})
	case NormalizePhone(phone) != "" && ShortPhone(NormalizePhone(phone)):
		*fields = append(*fields, &kith.FieldError{Field: "phone", Code: "short",
			Reason: fmt.Sprintf("%q has too few digits to be a phone number: give the whole number, or none", phone)})
	}
}

// Normalize trims and normalises a new customer's fields and checks them:
// a name, or at least a phone or an email, is required.
func (c *Customer) Normalize() error {
	c.Name, c.ExternalID = strings.TrimSpace(c.Name), strings.TrimSpace(c.ExternalID)
	var fields []error
	checkPhone(c.Phone, &fields)
	rawEmail := c.Email
	c.Phone, c.Email = NormalizePhone(c.Phone), NormalizeEmail(c.Email)
	if c.Name == "" && c.Phone == "" && c.Email == "" {
		fields = append(fields, &kith.FieldError{Field: "name", Code: "required", Reason: "a name, phone or email is required"})
	}
	for _, f := range []struct{ name, v string }{{"external_id", c.ExternalID}, {"name", c.Name}, {"phone", c.Phone},
		{"email", c.Email}, {"city", c.City}, {"channel", c.Channel}, {"notes", c.Notes}} {
		checkText(f.name, f.v, &fields)
	}
	for _, t := range c.Tags {
		checkText("tags", t, &fields)
	}
	for k, v := range c.Attrs {
		checkText("attrs", k, &fields)
		checkText("attrs."+k, v, &fields)
	}
	checkEmail(rawEmail, c.Email, &fields)
	checkBirthday(c.Birthday, c.BirthdayLunar, &fields)
	return errors.Join(fields...)
}

// Normalize checks a patch and normalises phone and email.
func (p *Patch) Normalize() error {
	var fields []error
	for _, f := range []struct {
		name string
		v    *string
	}{{"name", p.Name}, {"phone", p.Phone}, {"email", p.Email}, {"gender", p.Gender}, {"birthday", p.Birthday},
		{"city", p.City}, {"region", p.Region}, {"company", p.Company}, {"channel", p.Channel}, {"notes", p.Notes}} {
		if f.v != nil {
			*f.v = strings.TrimSpace(*f.v)
			checkText(f.name, *f.v, &fields)
		}
	}
	if p.Phone != nil {
		checkPhone(*p.Phone, &fields)
		*p.Phone = NormalizePhone(*p.Phone)
	}
	if p.Email != nil {
		raw := *p.Email
		*p.Email = NormalizeEmail(raw)
		checkEmail(raw, *p.Email, &fields)
	}
	switch {
	case p.Birthday == nil:
	case p.BirthdayLunar != nil:
		checkBirthday(*p.Birthday, *p.BirthdayLunar, &fields)
	case !BirthdayValid(*p.Birthday, true):
		// The stored flag decides which calendar; the store checks the
		// pair. A date of neither kind is refused here already.
		checkBirthday(*p.Birthday, false, &fields)
	}
	if p.Name != nil && *p.Name == "" {
		fields = append(fields, &kith.FieldError{Field: "name", Code: "required", Reason: "name cannot be emptied"})
	}
	if p.Tags != nil {
		for _, t := range *p.Tags {
			checkText("tags", t, &fields)
		}
	}
	for k, v := range p.Attrs {
		checkText("attrs."+k, v, &fields)
	}
	return errors.Join(fields...)
}
