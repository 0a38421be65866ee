// Package money represents amounts as integer minor units with an ISO 4217
// currency, and parses the many ways shops write them ("¥1,234.50", "￥ 12").
package money

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// DefaultCurrency is what kith assumes when an input names none.
const DefaultCurrency = "CNY"

// Money is an amount in minor units (fen for CNY) of Currency.
type Money struct {
	Minor    int64
	Currency string
}

// Exponent is the number of minor-unit digits of a currency.
func Exponent(currency string) int {
	switch currency {
	case "JPY", "KRW", "VND", "CLP", "ISK":
		return 0
	case "BHD", "KWD", "OMR", "JOD", "TND":
		return 3
	}
	return 2
}

// symbols maps currency marks found in cells to ISO codes.
var symbols = []struct{ mark, code string }{
	{"CNY", "CNY"}, {"RMB", "CNY"}, {"USD", "USD"}, {"EUR", "EUR"}, {"GBP", "GBP"},
	{"HKD", "HKD"}, {"JPY", "JPY"}, {"US$", "USD"}, {"HK$", "HKD"},
	// The Chinese names before 元, which ends most of them.
	{"人民币", "CNY"}, {"美元", "USD"}, {"港币", "HKD"}, {"港元", "HKD"}, {"欧元", "EUR"}, {"日元", "JPY"}, {"英镑", "GBP"},
	{"¥", ""}, {"￥", ""}, {"元", "CNY"}, {"$", "USD"}, {"€", "EUR"}, {"£", "GBP"},
	// A receipt's 元整 ("yuan exactly"), and the spoken 块 that a shop's
	// own spreadsheet is written in.
	{"元整", "CNY"}, {"块钱", "CNY"}, {"块", "CNY"},
}

// headerCodes are the ISO codes a column's header may name its currency
// by, beside the marks of symbols: a cross-border seller's Price (MYR).
var headerCodes = []string{"CNY", "USD", "EUR", "GBP", "HKD", "JPY", "TWD", "MOP", "SGD", "MYR", "THB", "IDR", "PHP", "VND",
	"KRW", "INR", "AUD", "NZD", "CAD", "CHF", "SEK", "NOK", "DKK", "AED", "SAR", "BRL", "MXN", "RUB"}

// Named is the currency a column's header names in brackets (金额(美元),
// Price (USD), 售价(HK$)), "" when it names none for certain: 元 ends
// every Chinese currency's name and ¥ is the yen's mark too.
func Named(mark string) string {
	m := strings.ToUpper(strings.TrimSpace(mark))
	if m == "元" || m == "¥" || m == "￥" {
		return ""
	}
	for _, sym := range symbols {
		if strings.ToUpper(sym.mark) == m {
			return sym.code
		}
	}
	if slices.Contains(headerCodes, m) {
		return m
	}
	return ""
}

// Problem says what is wrong with an amount's text, for callers that
// explain it in their own words (the import's rejects, in Chinese).
type Problem int

const (
	ProblemEmpty     Problem = iota + 1
	ProblemNoDigits          // nothing left once the sign and currency are off
	ProblemThousands         // 12,50 or 1,23,456: a decimal comma, or a typo
	ProblemChar              // a character that is not part of an amount
	ProblemTooLarge          // over 15 integer digits
	ProblemCurrency          // a currency mark other than the expected currency
)

// ParseError is why Parse refused its input.
type ParseError struct {
	Input   string
	Problem Problem
	Char    rune   // ProblemChar: the character
	In      string // ProblemCurrency: the currency the text names
	Want    string // ProblemCurrency: the currency expected
}

func (e *ParseError) Error() string {
	switch e.Problem {
	case ProblemEmpty:
		return "empty amount"
	case ProblemCurrency:
		return fmt.Sprintf("amount %q is in %s, expected %s", e.Input, e.In, e.Want)
	case ProblemNoDigits:
		return fmt.Sprintf("amount %q: no digits", e.Input)
	case ProblemThousands:
		return fmt.Sprintf("amount %q: misplaced thousands separator (decimal comma? write 12.50)", e.Input)
	case ProblemChar:
		return fmt.Sprintf("amount %q: unexpected character %q", e.Input, e.Char)
	}
	return fmt.Sprintf("amount %q: too large", e.Input)
}

// Narrow turns full-width digits, letters and punctuation ("１２３．５０",
// "２０２４－０３－０１", typed with a Chinese input method in full-width
// mode) and the ideographic space into their ASCII forms; other text is
// returned as is, without allocating.
func Narrow(s string) string {
	// Full-width forms are U+FF01-U+FF5E, EF BC xx and EF BD xx in UTF-8:
	// one byte search skips the rest (this runs on every imported amount).
	if strings.IndexByte(s, 0xef) < 0 && !strings.Contains(s, "\u3000") {
		return s
	}
	return width.Narrow.String(s)
}

// groupSpaces are the spaces that group thousands where a space does
// (1 234,50): Excel in French and other locales writes a no-break space
// (U+00A0) or a narrow one (U+202F), and typesetting a thin one; read as
// a plain space.
var groupSpaces = strings.NewReplacer("\u00a0", " ", "\u202f", " ", "\u2009", " ", "\u2007", " ")

// Parse reads an amount such as "1234.5", "1,234.50", "¥1,234.50", "￥ 12",
// "-3.20", "3.20-", "(3.20)", "12元", "￥12元" or "人民币1.2万元". A currency mark,
// before the number, after it or both, must agree with currency (¥ is
// taken as currency, since it stands for both CNY and JPY). More decimals
// than the currency has are rounded half away from zero.
func Parse(s, currency string) (Money, error) {
	if currency == "" {
		currency = DefaultCurrency
	}
	if minor, ok := plainAmount(s, Exponent(currency)); ok {
		return Money{Minor: minor, Currency: currency}, nil
	}
	return parseMarked(s, currency)
}

// plainAmount reads the cell most exports write, digits with at most exp
// decimals (149.00, 88), without the marks, signs and groupings the full
// parse looks for: those checks were a third of an order row's parsing.
// ok is false for anything else, which parseMarked reads.
func plainAmount(s string, exp int) (int64, bool) {
	intPart, frac, dot := strings.Cut(s, ".")
	if intPart == "" || len(intPart) > 15 || len(frac) > exp || dot && exp == 0 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(intPart); i++ {
		c := intPart[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	for i := 0; i < exp; i++ {
		n *= 10
		if i < len(frac) {
			c := frac[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n += int64(c - '0')
		}
	}
	return n, true
}

// parseMarked is Parse for any cell: marks, signs, brackets, groupings.
func parseMarked(s, currency string) (Money, error) {
	t := strings.TrimSpace(groupSpaces.Replace(Narrow(s)))
	if t == "" {
		return Money{}, &ParseError{Input: s, Problem: ProblemEmpty}
	}
	if accountingZero(t) {
		return Money{Currency: currency}, nil
	}
	neg, signed := false, false // signed: a sign or brackets came before the number
	if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") {
		neg, signed, t = true, true, strings.TrimSpace(t[1:len(t)-1])
	}
	if strings.HasPrefix(t, "-") || strings.HasPrefix(t, "−") {
		neg, signed = !neg, true
		t = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(t, "-"), "−"))
	} else if strings.HasPrefix(t, "+") {
		signed, t = true, strings.TrimSpace(t[1:])
	}
	// One mark before the number and one after it at most: ￥12元 and
	// 人民币12元 are how receipts and spreadsheets often write a sum.
	for _, before := range []bool{true, false} {
		for _, sym := range symbols {
			var found bool
			if before && strings.HasPrefix(t, sym.mark) {
				t, found = t[len(sym.mark):], true
			} else if !before && strings.HasSuffix(t, sym.mark) {
				t, found = t[:len(t)-len(sym.mark)], true
			}
			if found {
				if sym.code != "" && sym.code != currency {
					return Money{}, &ParseError{Input: s, Problem: ProblemCurrency, In: sym.code, Want: currency}
				}
				t = strings.TrimSpace(t)
				if strings.HasPrefix(t, "-") && !neg {
					neg, signed, t = true, true, strings.TrimSpace(t[1:])
				}
				break
			}
		}
	}
	// SAP and the ERP exports modelled on it put the minus after the
	// number: "1,234.50-". One sign only: "-12-" stays an error.
	for _, minus := range []string{"-", "−"} {
		if n, ok := strings.CutSuffix(t, minus); ok && n != "" && !signed {
			neg, t = true, strings.TrimSpace(n)
			break
		}
	}
	// 万 (ten thousand) and 亿 (a hundred million) scale the number before
	// them, as spend and sales reports write large sums: 1.2万, 3亿元.
	scale := 0
	for _, u := range []struct {
		suffix string
		digits int
	}{{"万", 4}, {"亿", 8}} {
		if n, ok := strings.CutSuffix(t, u.suffix); ok && n != "" {
			t, scale = strings.TrimSpace(n), u.digits
			break
		}
	}
	if intPart, _, _ := strings.Cut(t, "."); scale > 0 && len(intPart)+scale > 15 {
		return Money{}, &ParseError{Input: s, Problem: ProblemTooLarge}
	}
	minor, err := parseDecimal(t, Exponent(currency)+scale)
	if err != nil {
		err.Input = s
		return Money{}, err
	}
	if neg {
		minor = -minor
	}
	return Money{Minor: minor, Currency: currency}, nil
}

// accountingZero reports a zero as Excel's accounting format shows it, and
// a CSV saved from that sheet keeps it: a dash, after the currency's mark
// or alone ("¥ -", " -  ").
func accountingZero(t string) bool {
	for _, sym := range symbols {
		if rest, ok := strings.CutPrefix(t, sym.mark); ok {
			t = strings.TrimSpace(rest)
			break
		}
	}
	return t == "-"
}

// parseDecimal turns "1,234.567" into minor units with exp decimals.
func parseDecimal(t string, exp int) (int64, *ParseError) {
	if t == "" {
		return 0, &ParseError{Problem: ProblemNoDigits}
	}
	intPart, frac, _ := strings.Cut(t, ".")
	if strings.ContainsAny(intPart, ", ") {
		groups := strings.FieldsFunc(intPart, func(r rune) bool { return r == ',' || r == ' ' })
		if len(groups) < 2 || len(groups[0]) > 3 || len(groups[0]) == 0 {
			return 0, &ParseError{Problem: ProblemThousands}
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, &ParseError{Problem: ProblemThousands}
			}
		}
		intPart = strings.Join(groups, "")
	}
	if intPart == "" {
		intPart = "0"
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				r, _ := utf8.DecodeRuneInString(part[i:])
				return 0, &ParseError{Problem: ProblemChar, Char: r}
			}
		}
	}
	if len(intPart) > 15 {
		return 0, &ParseError{Problem: ProblemTooLarge}
	}
	n, _ := strconv.ParseInt(intPart, 10, 64)
	for i := 0; i < exp; i++ {
		n *= 10
	}
	var f int64
	for i := 0; i < exp; i++ {
		f *= 10
		if i < len(frac) {
			f += int64(frac[i] - '0')
		}
	}
	n += f
	if len(frac) > exp && frac[exp] >= '5' {
		n++ // half away from zero; the sign is applied by the caller
	}
	return n, nil
}

// Decimal formats m in major units without grouping or symbol: "-1234.50".
// It is the form JSON and CSV outputs use.
func (m Money) Decimal() string {
	return FormatMinor(m.Minor, Exponent(m.Currency))
}

// FormatMinor renders minor units with exp decimals.
func FormatMinor(minor int64, exp int) string {
	sign := ""
	u := uint64(minor)
	if minor < 0 {
		sign, u = "-", uint64(-minor)
	}
	if exp == 0 {
		return sign + strconv.FormatUint(u, 10)
	}
	div := uint64(1)
	for i := 0; i < exp; i++ {
		div *= 10
	}
	return fmt.Sprintf("%s%d.%0*d", sign, u/div, exp, u%div)
}

// String formats m for people: "¥1,234.50", "US$12.00", "-¥3.20".
func (m Money) String() string {
	d := m.Decimal()
	sign := ""
	if strings.HasPrefix(d, "-") {
		sign, d = "-", d[1:]
	}
	intPart, frac, _ := strings.Cut(d, ".")
	if frac != "" {
		frac = "." + frac
	}
	return sign + Symbol(m.Currency) + GroupDigits(intPart) + frac
}

// GroupDigits puts a comma between thousands of an unsigned digit string:
// "1234567" -> "1,234,567".
func GroupDigits(digits string) string {
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Symbol is the mark shown before an amount in a currency.
func Symbol(currency string) string {
	switch currency {
	case "CNY", "":
		return "¥"
	case "USD":
		return "US$"
	case "EUR":
		return "€"
	case "GBP":
		return "£"
	case "HKD":
		return "HK$"
	case "JPY":
		return "JP¥"
	}
	return currency + " "
}
