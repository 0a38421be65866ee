package importer

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kithcrm/kith/internal/customer"
	"github.com/kithcrm/kith/internal/kith"
	"github.com/kithcrm/kith/internal/money"
	"github.com/kithcrm/kith/internal/order"
)

// Row is one typed value read from a file, with the line it came from.
type Row[T any] struct {
	Line int
	V    T
}

// cellErr is a problem with one field of one row.
type cellErr struct {
	field, code string
	reason      *kith.Message
}

func (e *cellErr) Error() string { return e.field + ": " + e.reason.Error() }

func bad(field, code string, reason *kith.Message) *cellErr {
	return &cellErr{field: field, code: code, reason: reason}
}

// Labels name what a message is about. They are messages themselves, so
// they are translated with the message they go in.
var (
	LabelCustomer   = kith.Msg("label.customer", "customer")
	LabelCustomerID = kith.Msg("label.customer_id", "customer id")
	LabelPhone      = kith.Msg("label.phone", "phone")
	LabelOrderID    = kith.Msg("label.order_id", "order id")
	LabelSKU        = kith.Msg("label.sku", "sku")
)

// message is err as a message: the one it is or holds, else its text.
func message(err error) *kith.Message {
	var m *kith.Message
	if errors.As(err, &m) {
		return m
	}
	return kith.Msg("text", "%v", err)
}

// isEmpty is the reason for a required cell left empty.
var isEmpty = kith.Msg("cell.empty", "is empty")

// rowParser reads the fields of one record through a Mapping.
type rowParser struct {
	m        *Mapping
	order    DateOrder
	loc      *time.Location
	currency string
	channel  string // for rows with no channel of their own (Options.Channel)
	cells    []string
	marks    []cellMark // how the row's cells came by their values; nil: plainly
	// date1904: the workbook counts its date serials from 1904, as older
	// Mac Excel did; ParseTime reads them from 1900.
	date1904 bool
	// decimalComma: numbers are written 1.234,50 (Options.DecimalComma).
	decimalComma bool
	// dotThousands: the row had an amount such as 1.234, read as 1.23 but
	// perhaps a thousand written as a decimal-comma file writes it; the
	// import says so once, with its lines (reader.dotted).
	dotThousands bool
	// excelError is the first of the row's cells read that held one of
	// Excel's error values (#N/A), read as blank (excelErrorValue).
	excelError string
	// maskedKey: a masked phone with a name names a customer
	// (Options.MaskedPhoneKey); maskedKeyed counts the rows it did.
	maskedKey   bool
	maskedKeyed int
	// orderPrefix goes before every order id read (Options.OrderPrefix).
	orderPrefix string
	// unread holds, for each of profileCells, why the customer row's cell
	// could not be read: the customer is kept without it (reader.unread).
	unread [len(profileCells)]*kith.Message
}

// profileCells are the customer fields whose cell, when it cannot be
// read, keeps neither the customer out nor the cell: a member list's
// customer matters more than a birthday typed wrong (90年5月3日) or a
// size given in words (大型企业). The cell goes among the attributes.
var profileCells = [...]string{"birthday", "company_size"}

const (
	cellBirthday = iota
	cellCompanySize
)

// excelErrorValue reports one of the error values a spreadsheet shows,
// and saves, for a formula that failed: #N/A from a VLOOKUP that found
// nothing, #VALUE!, #REF!, LibreOffice's Err:502. It is no value: read as
// one, every order whose customer lookup failed would be one customer
// named #N/A, and #N/A a channel in the reports.
func excelErrorValue(s string) bool {
	switch s {
	case "#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!",
		"#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#EXTERNAL!", "#PYTHON!":
		return true
	}
	return len(s) == 7 && strings.HasPrefix(s, "Err:") && allDigits(s[4:])
}

// dotGrouped says whether s looks like a whole number with its thousands
// grouped by dots (1.234, 12.500): digits, a dot, then three digits.
func dotGrouped(s string) bool {
	n := len(s)
	if n < 5 || n > 7 || s[n-4] != '.' || s[0] < '1' || s[0] > '9' {
		return false
	}
	return allDigits(s[:n-4]) && allDigits(s[n-3:])
}

// swapSeparators turns 1.234,50 into 1,234.50: a file written with a
// decimal comma, read as the rest of kith reads numbers.
func swapSeparators(s string) string {
	if strings.IndexByte(s, ',') < 0 && strings.IndexByte(s, '.') < 0 {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		switch c {
		case ',':
			b[i] = '.'
		case '.':
			b[i] = ','
		}
	}
	return string(b)
}

// groupingProblem is plainNumber's refusal of field's cell, said of the
// cell as written.
func (p *rowParser) groupingProblem(f string) *cellErr {
	if p.decimalComma {
		return bad(f, "bad_number", kith.Msg("number.point", "%q: a point that groups no thousands (a decimal point? import without --decimal-comma)", p.get(f)))
	}
	return bad(f, "bad_number", kith.Msg("number.comma", "%q: a comma that groups no thousands (a decimal comma? import with --decimal-comma)", p.get(f)))
}

// groupSpaceChars are the spaces that may group a number's thousands: a
// plain one, and the no-break ones Excel writes in French and other
// locales (1 234).
const groupSpaceChars = " \u00a0\u202f\u2009\u2007"

// spaceGroups turns a space between two digits into a thousands comma, for
// plainNumber to check and drop like one; other spaces ("50 people") stay.
func spaceGroups(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case !strings.ContainsRune(groupSpaceChars, r):
			b.WriteString(s[i : i+w]) // as written, if not UTF-8
		case i > 0 && isDigit(rune(s[i-1])) && i+w < len(s) && isDigit(rune(s[i+w])):
			b.WriteByte(',')
		default:
			b.WriteByte(' ')
		}
		i += w
	}
	return b.String()
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// plainNumber readies a count or quantity cell for strconv: narrowed, its
// separators swapped in a decimal-comma file, thousands commas dropped. ok
// is false for a comma that groups no thousands (1,5 in a file not said to
// use decimal commas), which dropped would read ten times too large.
func (p *rowParser) plainNumber(s string) (string, bool) {
	s = money.Narrow(s)
	if s == "-" {
		return "0", true // zero, as Excel's accounting format shows it
	}
	if p.decimalComma {
		s = swapSeparators(s)
	}
	if strings.ContainsAny(s, groupSpaceChars) {
		s = spaceGroups(s)
	}
	if strings.IndexByte(s, ',') < 0 {
		return s, true
	}
	run := 0 // digits since the last comma, or since the number began
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			run++
		case c == ',':
			if run == 0 || run > 3 || i+4 > len(s) || !allDigits(s[i+1:i+4]) || i+4 < len(s) && s[i+4] >= '0' && s[i+4] <= '9' {
				return s, false
			}
			run = 0
		default:
			run = 0
		}
	}
	return strings.ReplaceAll(s, ",", ""), true
}

// dateCell is field f, a date: in a 1904-system workbook its serial is
// moved onto the 1900 system, 1,462 days on.
func (p *rowParser) dateCell(f string) string {
	i, ok := p.m.Index[f]
	if !ok {
		return ""
	}
	return p.dateAt(i)
}

// dateAt is column i's cell, a date, as dateCell.
func (p *rowParser) dateAt(i int) string {
	s := p.at(i)
	if !p.date1904 {
		return s
	}
	if v := strings.TrimSpace(s); isSerial(v) {
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			return strconv.FormatFloat(n+1462, 'f', -1, 64)
		}
	}
	return s
}

// rowChannel is the row's channel, else the import's.
func (p *rowParser) rowChannel() string {
	if c := p.get("channel"); c != "" {
		return c
	}
	return p.channel
}

func (p *rowParser) get(f string) string {
	i, ok := p.m.Index[f]
	if !ok {
		return ""
	}
	if s := p.at(i); s != "" {
		return s
	}
	for _, i := range p.m.Fallback[f] {
		if s := p.at(i); s != "" {
			return s
		}
	}
	return ""
}

// at is column i's cell, trimmed, as Excel shows it; blank for one of
// Excel's error values, which the row's excelError notes.
func (p *rowParser) at(i int) string {
	if i >= len(p.cells) {
		return ""
	}
	s := excelText(trimCell(p.cells[i]))
	if len(s) > 3 && (s[0] == '#' || s[0] == 'E') && excelErrorValue(s) {
		if p.excelError == "" {
			p.excelError = s
		}
		return ""
	}
	return s
}

// trimCell trims a cell's spaces and the invisible marks text copied from
// web pages and chat apps carries at its ends: a zero-width space (U+200B)
// after an id made it another customer's, and a byte-order mark (U+FEFF)
// starts each file joined after the first. A backtick in front is WeChat
// Pay's merchant bill's, which starts every cell with one so that Excel
// keeps its numbers as text.
func trimCell(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 0 && s[0] == '`' {
		s = strings.TrimSpace(s[1:])
	}
	if n := len(s); n >= 3 && (invisibleAt(s[0], s[1], s[2]) || invisibleAt(s[n-3], s[n-2], s[n-1])) {
		s = strings.TrimFunc(s, func(r rune) bool {
			return unicode.IsSpace(r) || r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' || r == '\ufeff'
		})
	}
	return s
}

// invisibleAt reports the UTF-8 bytes of a mark trimCell takes off: U+200B,
// U+200C, U+200D (E2 80 8B-8D), U+2060 (E2 81 A0), U+FEFF (EF BB BF).
// Looking at three bytes costs a cell nothing; decoding its runes did.
func invisibleAt(b0, b1, b2 byte) bool {
	return b0 == 0xe2 && (b1 == 0x80 && b2 >= 0x8b && b2 <= 0x8d || b1 == 0x81 && b2 == 0xa0) ||
		b0 == 0xef && b1 == 0xbb && b2 == 0xbf
}

// excelErrorIn is the Excel error value in field f's cells, if one holds it.
func (p *rowParser) excelErrorIn(f string) string {
	i, ok := p.m.Index[f]
	if !ok {
		return ""
	}
	for _, i := range append([]int{i}, p.m.Fallback[f]...) {
		if i < len(p.cells) {
			if s := excelText(trimCell(p.cells[i])); excelErrorValue(s) {
				return s
			}
		}
	}
	return ""
}

// name is the row's customer name: its name column, or else its first
// and last names joined, "Alice Wang", or "王芳" when both are Chinese
// (the family name first, no space).
func (p *rowParser) name() string {
	if n := p.get("name"); n != "" || !p.m.Has("first_name") && !p.m.Has("last_name") {
		return n
	}
	first, last := p.get("first_name"), p.get("last_name")
	switch {
	case first == "" || last == "":
		return first + last
	case han(first) && han(last):
		return last + first
	}
	return first + " " + last
}

// han reports text all in Chinese characters.
func han(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return s != ""
}

// chinaMobile reports an 11-digit mainland mobile number, 1[3-9]xxxxxxxxx.
func chinaMobile(s string) bool {
	return len(s) == 11 && allDigits(s) && s[0] == '1' && s[1] >= '3'
}

// reason says why a row was refused for e. An empty cell that is a formula
// the file holds no value for says so: a program wrote the workbook and no
// spreadsheet computed it since.
func (p *rowParser) reason(e *cellErr) *kith.Message {
	if p.excelError != "" {
		if v := p.excelErrorIn(e.field); v != "" {
			return kith.Msg("cell.excel_error", "%s is the spreadsheet's error for a formula that failed, not a value: fix the formula, or copy the column and paste it as values", v)
		}
	}
	if e.code == "required" && p.mark(e.field) == markUncomputed {
		return kith.Msg("cell.uncomputed", "is a formula with no value in the file (a program wrote the workbook and no spreadsheet has computed it): open it in Excel or WPS, save it, and import it again")
	}
	return e.reason
}

// mark says how field f's cell came by its value.
func (p *rowParser) mark(f string) cellMark {
	i, ok := p.m.Index[f]
	if !ok || i >= len(p.marks) {
		return markOwn
	}
	return p.marks[i]
}

// shortened reports a long number as Excel shows and saves it in the
// General format, in scientific notation (3.39123E+18): the digits of an
// id are gone. Excel switches to it past 11 digits, hence E+11 and up; a
// code like 2E5 stays an id. A phone is never written so: any exponent
// (1.38001E+10 from another spreadsheet) is a number cut short.
func shortened(s string, minExp int) bool {
	i := strings.IndexAny(s, "Ee")
	if i <= 0 || i+2 >= len(s) || s[i+1] != '+' || len(s)-i-2 > 3 {
		return false
	}
	mant, exp := s[:i], s[i+2:]
	if digits := strings.Replace(mant, ".", "", 1); digits == "" || strings.Trim(digits, "0123456789") != "" {
		return false
	}
	n, err := strconv.Atoi(exp)
	return err == nil && n >= minExp
}

// id reads an identifier column, refusing one Excel shortened.
func (p *rowParser) id(f string, label *kith.Message) (string, *cellErr) {
	return p.unshortened(f, label, 11)
}

// unshortened reads column f, refusing a number in scientific notation
// with an exponent of minExp or more.
func (p *rowParser) unshortened(f string, label *kith.Message, minExp int) (string, *cellErr) {
	v := p.get(f)
	if shortened(v, minExp) {
		return v, bad(f, "shortened", kith.Msg("id.shortened", "%v %q was shortened by Excel to scientific notation and its digits are lost: "+
			"format the column as Text in Excel before saving, or export the file again from the platform", label, v))
	}
	return v, nil
}

// excelText undoes what exports write to keep Excel from turning a long
// number into 3.39E+18 or dropping its leading zeros: a formula
// ="3391234567890123456", or an apostrophe before a number ('13800138000).
func excelText(s string) string {
	if len(s) < 2 || s[0] != '=' && s[0] != '\'' {
		return s
	}
	if s[0] == '=' {
		if len(s) >= 3 && s[1] == '"' && s[len(s)-1] == '"' && !strings.Contains(s[2:len(s)-1], `"`) {
			return strings.TrimSpace(s[2 : len(s)-1])
		}
		return s
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && !strings.ContainsRune(" +-()./:", rune(c)) {
			return s // an apostrophe in text ('t Hooft) is the text's own
		}
	}
	return s[1:]
}

func (p *rowParser) time(f string, required bool) (time.Time, *cellErr) {
	return p.timeWith(f, required, "")
}

// timeWith reads field f, a time, with the time of day from clock when the
// file keeps it apart. A cell that stands for no time (0000-00-00, 未知,
// 1970-01-01 08:00:00) is blank, and a blank one gives way to the field's
// further columns (Mapping.Fallback): Pinduoduo leaves an unpaid order's
// 支付时间 blank beside its 订单创建时间.
func (p *rowParser) timeWith(f string, required bool, clock string) (time.Time, *cellErr) {
	unset := ""
	own, hasOwn := p.m.Index[f]
	further := p.m.Fallback[f]
	for n := -1; n < len(further); n++ {
		i := own
		if n >= 0 {
			i = further[n]
		} else if !hasOwn {
			continue
		}
		s := p.dateAt(i)
		if s == "" {
			continue
		}
		if unsetDate(s) {
			unset = s
			continue
		}
		if n < 0 && clock != "" {
			s = withClock(s, clock)
		}
		loc := p.loc
		if z := p.m.Zones[i]; z != nil {
			loc = z // 下单时间(UTC)
		}
		t, _, err := ParseTime(s, p.order, loc)
		if err != nil {
			return time.Time{}, bad(f, "bad_date", message(err))
		}
		if placeholderDay(t) {
			unset = s
			continue
		}
		return t, nil
	}
	switch {
	case !required:
		return time.Time{}, nil
	case unset != "":
		return time.Time{}, bad(f, "required", kith.Msg("date.unset", "%q stands for no date", unset))
	}
	return time.Time{}, bad(f, "required", isEmpty)
}

// orderedAt reads the order's time: its ordered_at cell, with the time of
// day from ordered_time when the export keeps it apart (withClock).
func (p *rowParser) orderedAt() (time.Time, *cellErr) {
	return p.timeWith("ordered_at", true, strings.TrimSpace(p.get("ordered_time")))
}

// clockText is a time of day as a till writes it: 14:30, 9:05:07,
// 14:30:00.000, 14时30分, 下午2:30, 2:30 PM.
var clockText = regexp.MustCompile(`^(上午|下午|中午|晚上|凌晨)?\s*\d{1,2}(:\d{2}(:\d{2}(\.\d{1,9})?)?|时\d{1,2}分(\d{1,2}秒)?)\s*((?i)am|pm)?$`)

// withClock joins a date and the time of day kept in a column of its own:
// text to text (2024-01-05 and 14:30; a date cell that Excel formatted with
// a midnight time gives it up), or in a workbook a day serial and a
// fraction of a day. Anything else leaves the date alone.
func withClock(date, clock string) string {
	switch {
	case clock == "":
	case isSerial(date) && isSerial(clock):
		d, err1 := strconv.ParseFloat(date, 64)
		c, err2 := strconv.ParseFloat(clock, 64)
		if err1 == nil && err2 == nil && c < 1 {
			return strconv.FormatFloat(math.Trunc(d)+c, 'f', -1, 64)
		}
	case clockText.MatchString(clock):
		if day, at, ok := strings.Cut(date, " "); ok && strings.Trim(at, "0:.") == "" {
			date = day
		}
		if !strings.Contains(date, ":") {
			return date + " " + clock
		}
	}
	return date
}

func (p *rowParser) currencyOf() (string, *cellErr) {
	c := strings.ToUpper(p.get("currency"))
	switch c {
	case "":
		if p.m.Currency != "" {
			return p.m.Currency, nil // the amount's header names it
		}
		return p.currency, nil
	case "RMB", "人民币", "元":
		return "CNY", nil
	}
	if len(c) != 3 {
		return "", bad("currency", "bad_currency", kith.Msg("currency.bad", "%q is not an ISO 4217 code such as CNY or USD", c))
	}
	return c, nil
}

func (p *rowParser) money(f, currency string, required bool) (int64, bool, *cellErr) {
	s := p.get(f)
	// A lone dash is Excel's accounting format's zero (money.Parse); other
	// dashes, slashes and words for none (无, null, N/A) say nothing was
	// filled in, as blank does: no refund, or a required amount missing.
	if freeWord(s) {
		return 0, true, nil // a gift line's price, a free order: nothing paid
	}
	if s != "-" && noValue(s) {
		switch {
		case required && s != "":
			return 0, false, bad(f, "required", kith.Msg("cell.unset", "%q stands for no value", s))
		case required:
			return 0, false, bad(f, "required", isEmpty)
		}
		return 0, false, nil
	}
	if p.decimalComma {
		s = swapSeparators(money.Narrow(s))
	}
	m, err := money.Parse(s, currency)
	if err != nil {
		return 0, false, bad(f, "bad_amount", p.amountProblem(err, p.get(f)))
	}
	if !p.decimalComma && dotGrouped(s) && money.Exponent(currency) < 3 {
		p.dotThousands = true
	}
	if sh := p.m.Shift[f]; sh != 0 {
		minor, ok := shifted(m.Minor, sh)
		if !ok {
			return 0, false, bad(f, "bad_amount", kith.Msg("amount.too_large", "amount %q: too large", p.get(f)))
		}
		return minor, true, nil
	}
	return m.Minor, true, nil
}

// shifted is minor times 10 to the sh (Mapping.Shift), rounded half away
// from zero when sh is negative (9900.5 分 is ¥99.01); false when it
// overflows.
func shifted(minor int64, sh int) (int64, bool) {
	if sh < 0 {
		d := pow10(-sh)
		q, r := minor/d, minor%d
		if 2*abs64(r) >= d {
			if minor < 0 {
				q--
			} else {
				q++
			}
		}
		return q, true
	}
	m := pow10(sh)
	if minor > math.MaxInt64/m || minor < math.MinInt64/m {
		return 0, false
	}
	return minor * m, true
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// freeWords are what a price or an amount cell says of a gift: a line
// given with an order (赠品), an order not charged (免单). They are zero, not
// a missing amount.
var freeWords = []string{"赠品", "赠送", "免费", "免单", "free", "gift", "free gift", "foc"}

func freeWord(s string) bool {
	if s == "" || s[0] < 0x80 && (s[0] >= '0' && s[0] <= '9' || s[0] == '.') {
		return false // the usual case: a number
	}
	return slices.Contains(freeWords, strings.ToLower(strings.TrimSpace(s)))
}

// amountProblem says in a message why an amount did not parse.
func (p *rowParser) amountProblem(err error, cell string) *kith.Message {
	var e *money.ParseError
	if !errors.As(err, &e) {
		return message(err)
	}
	if p.decimalComma {
		// Said of the cell as written, not as its separators were swapped
		// for the parse; and the hints are the other way round.
		e.Input = cell
		switch {
		case e.Problem == money.ProblemThousands:
			return kith.Msg("amount.comma_thousands", "amount %q: misplaced thousands separator (a decimal point? import without --decimal-comma)", e.Input)
		case e.Problem == money.ProblemChar && e.Char == ',':
			return kith.Msg("amount.point_after_comma", "amount %q: a point after the decimal comma (numbers written 1,234.50? import without --decimal-comma)", e.Input)
		case e.Problem == money.ProblemChar && e.Char == '.':
			e.Char = ','
		}
	}
	switch e.Problem {
	case money.ProblemEmpty:
		return isEmpty
	case money.ProblemCurrency:
		return kith.Msg("amount.currency", "amount %q is in %s, expected %s", e.Input, e.In, e.Want)
	case money.ProblemNoDigits:
		return kith.Msg("amount.no_digits", "amount %q: no digits", e.Input)
	case money.ProblemThousands:
		return kith.Msg("amount.thousands", "amount %q: misplaced thousands separator (a decimal comma? import with --decimal-comma, or write 12.50)", e.Input)
	case money.ProblemChar:
		if e.Char == ',' { // 1.234,50
			return kith.Msg("amount.comma_after_point", "amount %q: a comma after the decimal point (a decimal comma? import with --decimal-comma)", e.Input)
		}
		return kith.Msg("amount.char", "amount %q: unexpected character %q", e.Input, e.Char)
	}
	return kith.Msg("amount.too_large", "amount %q: too large", e.Input)
}

// int reads a whole number: 1234, "1,234", 1234.0, and the 万 (ten
// thousand) and 亿 (hundred million) that Chinese dashboards abbreviate
// counts with (1.2万 = 12000), and what is counted after it (100人, 3单,
// 1.2万人次, 50 people).
func (p *rowParser) int(f string) (int64, *cellErr) {
	s, ok := p.plainNumber(p.get(f))
	if !ok {
		return 0, p.groupingProblem(f)
	}
	if s == "" {
		return 0, nil
	}
	n, ok := wholeNumber(s)
	if !ok {
		return 0, bad(f, "bad_number", kith.Msg("number.whole", "%q is not a whole number", s))
	}
	return n, nil
}

// companySize reads a company's head count as CRMs and B2B lists export
// it: 50, 50人, a band (100-499人, 100~499, 100至499人) or a bound
// (1000人以上, 1000+, 20人以下, <20). A band is read as its lower end and a
// bound as its number, and exact is false for both: the row is not lost
// for want of an exact count.
func (p *rowParser) companySize() (n int64, exact bool, _ *cellErr) {
	raw := strings.ToLower(strings.ReplaceAll(money.Narrow(p.get("company_size")), ",", ""))
	s := strings.TrimSpace(raw)
	if s == "" {
		return 0, true, nil
	}
	t := strings.TrimLeft(s, "<>≤≥ ")
	exact = t == s
	s = t
	for _, bound := range []string{"及以上", "以上", "及以下", "以下", "+"} {
		if t, ok := strings.CutSuffix(s, bound); ok {
			s, exact = strings.TrimSpace(t), false
			break
		}
	}
	for _, sep := range rangeMarks {
		if lo, hi, ok := strings.Cut(s, sep); ok {
			if _, ok := wholeNumber(strings.TrimSpace(hi)); !ok {
				break // not a band: the whole is refused below
			}
			s, exact = strings.TrimSpace(lo), false
			break
		}
	}
	n, ok := wholeNumber(s)
	if !ok || n < 0 {
		return 0, false, bad("company_size", "bad_number", kith.Msg("company.size", "%q is not a company size (50, 50人, 100-499人, 1000人以上)", raw))
	}
	return n, exact, nil
}

// unit is a suffix a number may carry and what it multiplies the number by.
type unit struct {
	mark string
	mult float64
}

// cutUnit strips the first of units that s ends in: the number's text and
// its multiplier (1 without a unit).
func cutUnit(s string, units []unit) (string, float64) {
	for _, u := range units {
		if t, found := strings.CutSuffix(s, u.mark); found {
			return strings.TrimSpace(t), u.mult
		}
	}
	return s, 1
}

// countUnits abbreviate large counts.
var countUnits = []unit{{"万", 1e4}, {"亿", 1e8}}

// countNouns are what a count may name after its number; they do not scale
// it. Longer ones first (人次 before 人).
var countNouns = []unit{
	{"人次", 1}, {"人", 1}, {"次", 1}, {"单", 1}, {"笔", 1}, {"个", 1}, {"位", 1}, {"户", 1}, {"名", 1}, {"家", 1},
	{"people", 1}, {"visitors", 1}, {"orders", 1}, {"persons", 1},
}

func wholeNumber(s string) (int64, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	s, _ = cutUnit(strings.ToLower(s), countNouns)
	s, scale := cutUnit(s, countUnits)
	x, err := strconv.ParseFloat(s, 64)
	x = math.Round(x*scale*1e6) / 1e6 // 1.2 x 1e4 is 11999.999999999998
	if err != nil || x != math.Trunc(x) || math.Abs(x) >= 1e15 {
		return 0, false
	}
	return int64(x), true
}

// dayUnits are the units a duration may end in, in days, tried in order
// ("个月" before "月", "days" before "d").
var dayUnits = []unit{
	{"个月", 30}, {"月", 30}, {"months", 30}, {"month", 30}, {"mo", 30}, {"m", 30},
	{"天", 1}, {"日", 1}, {"days", 1}, {"day", 1}, {"d", 1},
	{"周", 7}, {"星期", 7}, {"weeks", 7}, {"week", 7}, {"w", 7},
	{"年", 365}, {"years", 365}, {"year", 365}, {"y", 365},
}

// days reads a duration in whole days: 30, 30天, 2周, 3个月, 1.5年, "90
// days", "6 months" (a month is 30 days, a year 365).
func (p *rowParser) days(f string) (int64, *cellErr) {
	s := strings.ToLower(strings.TrimSpace(money.Narrow(p.get(f))))
	if s == "" {
		return 0, nil
	}
	s, mult := cutUnit(s, dayUnits)
	x, err := strconv.ParseFloat(s, 64)
	if err != nil { // 半年, 一个月, 两周
		if s == "半" {
			x, err = 0.5, nil
		} else if n := chineseNumber(s); n > 0 {
			x, err = float64(n), nil
		}
	}
	d := math.Round(x * mult)
	if err != nil || math.IsNaN(d) || math.Abs(d) > 1e9 {
		return 0, bad(f, "bad_number", kith.Msg("number.days", "%q is not a number of days (30, 30天, 2周, 3个月, 半年, 1.5年)", p.get(f)))
	}
	return int64(d), nil
}

func (p *rowParser) customerKey() (customer.Key, *cellErr) {
	id, cerr := p.id("customer_id", LabelCustomerID)
	if cerr != nil {
		return customer.Key{}, cerr
	}
	phone, cerr := p.unshortened("phone", LabelPhone, 1) // a phone has no exponent at all
	if cerr != nil {
		return customer.Key{}, cerr
	}
	if customer.MaskedPhone(phone) {
		// Pinduoduo masks the recipient's 手机 beside the buyer's own number.
		for _, i := range p.m.Fallback["phone"] {
			if v := p.at(i); v != "" && !customer.MaskedPhone(v) && !shortened(v, 1) {
				phone = v
				break
			}
		}
	}
	k := customer.Key{ExternalID: id, Phone: customer.NormalizePhone(phone), Email: customer.NormalizeEmail(p.get("email"))}
	short := k.Phone != "" && customer.ShortPhone(k.Phone)
	if short {
		k.Phone = "" // 8000, 0: as a key, one customer of all it is written for
	}
	if k.String() == "" {
		if short {
			return k, bad("phone", "bad_phone", kith.Msg("phone.short", "phone %q has too few digits to be anyone's number, and the row has no customer id or email", phone))
		}
		if customer.PrivacyPhone(phone) {
			return k, bad("phone", "masked", kith.Msg("phone.privacy", "phone %q is a privacy number the platform lends for one order, not the customer's, and the row has no customer id or email: "+
				"import the platform's user id column (--map customer_id=HEADER)", phone))
		}
		if customer.MaskedPhone(phone) && p.maskedKey {
			name := p.name()
			if name == "" {
				return k, bad("phone", "masked", kith.Msg("phone.masked_unnamed", "phone %q has hidden digits and the row has no name to go with them", phone))
			}
			// 张三 138****8000: the same every time the row is read, so a
			// re-import finds the customer again.
			k.ExternalID = name + " " + strings.Join(strings.Fields(phone), "")
			p.maskedKeyed++
			return k, nil
		}
		if customer.MaskedPhone(phone) {
			return k, bad("phone", "masked", kith.Msg("phone.masked", "phone %q has hidden digits, so it cannot tell customers apart, and the row has no customer id or email: "+
				"import the platform's buyer id column (e.g. 买家会员名, --map customer_id=HEADER), or, when the export names no buyer (Douyin's), "+
				"import with --masked-phone-key to tell customers apart by name and the visible digits", phone))
		}
		return k, bad("customer_id", "required", kith.Msg("customer.no_key", "no customer id, phone or email in this row"))
	}
	if k.Email != "" && !customer.PlausibleEmail(k.Email) {
		return k, bad("email", "bad_email", kith.Msg("email.bad", "%q is not an email address", p.get("email")))
	}
	return k, nil
}

// parseCustomer reads a customer row.
func (p *rowParser) parseCustomer() (customer.Customer, *cellErr) {
	key, cerr := p.customerKey()
	if cerr != nil {
		return customer.Customer{}, cerr
	}
	c := customer.Customer{
		ExternalID: key.ExternalID, Phone: key.Phone, Email: key.Email,
		Name: p.name(), Gender: normGender(p.get("gender")), Company: p.get("company"),
		Tags: customer.SplitTags(p.get("tags")), Channel: p.rowChannel(),
		ReferrerRef: p.get("referrer"), OwnerRef: p.get("owner"), Notes: p.get("notes"),
	}
	var whole bool
	if c.Region, c.City, whole = p.place(); whole {
		c.Attrs = p.keepAsWritten(c.Attrs, "region", p.get("region")) // the district with the rest
	}
	if a := p.get("address"); a != "" {
		c.Attrs = p.keepAsWritten(c.Attrs, "address", a) // a customer has no address field
	}
	if c.ReferrerRef == "" {
		c.ReferrerRef = customer.NormalizePhone(p.get("referrer_phone"))
	} else if n := customer.NormalizePhone(c.ReferrerRef); n != c.ReferrerRef && chinaMobile(n) {
		c.ReferrerRef = n // +86 139-0013-9000: a phone, found as the stored ones are written
	}
	p.unread = [len(profileCells)]*kith.Message{}
	if b := p.dateCell("birthday"); b != "" && !unsetDate(b) {
		bd, lunar, err := parseBirthday(b, truthy(p.get("birthday_lunar")), p.order)
		switch {
		case err != nil:
			p.unread[cellBirthday] = message(err)
			c.Attrs = p.keepAsWritten(c.Attrs, "birthday", b)
		case bd != "1900-01-01": // a system's day 1 for a birthday not given (placeholderDay)
			c.Birthday, c.BirthdayLunar = bd, lunar
		}
	}
	switch n, exact, cerr := p.companySize(); {
	case cerr != nil:
		p.unread[cellCompanySize] = cerr.reason
		c.Attrs = p.keepAsWritten(c.Attrs, "company_size", p.get("company_size"))
	case !exact:
		// A band keeps its lower end as the size; the band itself is
		// more than that and is kept as written.
		c.CompanySize = int(n)
		c.Attrs = p.keepAsWritten(c.Attrs, "company_size", p.get("company_size"))
	default:
		c.CompanySize = int(n)
	}
	var cerr2 *cellErr
	if c.CreatedAt, cerr2 = p.time("created_at", false); cerr2 != nil {
		return c, cerr2
	}
	if phone := p.get("phone"); (customer.PhoneLeftOut(phone) || key.Phone == "" && customer.NormalizePhone(phone) != "") && p.at(p.m.Index["phone"]) != "" {
		// The number is the first one in the cell; what else it says (a
		// second number, an extension) is kept, as is a number too short
		// to be one (customerKey).
		c.Attrs = p.keepAsWritten(c.Attrs, "phone", phone)
	}
	if email := p.get("email"); customer.EmailLeftOut(email) {
		c.Attrs = p.keepAsWritten(c.Attrs, "email", email) // the second address
	}
	if len(p.m.Attrs) > 0 {
		if c.Attrs == nil {
			c.Attrs = map[string]string{}
		}
		for _, col := range p.m.Attrs {
			if col.Index < len(p.cells) {
				switch v := trimCell(p.cells[col.Index]); {
				case excelErrorValue(v):
					p.excelError = cmp.Or(p.excelError, v) // read as blank, as at does
				case v != "":
					c.Attrs[strings.TrimSpace(col.Name)] = v
				}
			}
		}
	}
	return c, nil
}

// keepAsWritten keeps v, field f's cell, among attrs under its column's
// header (the field's name when the header is blank): what a field reads
// of a cell is less than the cell says.
func (p *rowParser) keepAsWritten(attrs map[string]string, f, v string) map[string]string {
	if attrs == nil {
		attrs = map[string]string{}
	}
	attrs[attrName(p.m, f)] = v
	return attrs
}

func normGender(s string) string {
	switch strings.ToLower(s) {
	// 1/2/0 is the platforms' code (WeChat, Taobao, Youzan member exports).
	case "m", "male", "man", "mr", "mr.", "1", "男", "男性", "先生":
		return "male"
	case "f", "female", "woman", "mrs", "mrs.", "ms", "ms.", "miss", "2", "女", "女性", "女士", "小姐":
		return "female"
	case "", "0", "未知", "保密", "未设置", "unknown", "n/a", "-":
		return ""
	}
	return "other"
}

func truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "y", "是", "农历", "lunar", "阴历":
		return true
	}
	return false
}

// parseBirthday reads a birthday with or without a year; lunar (a 是否农历
// column), or "农历" or "阴历" in front, marks a lunar date, and so does a
// month and day in Chinese numerals (八月十五, 正月初一, 腊月廿三), which is
// how lunar dates are written. Without a year it is stored as 0000-MM-DD.
func parseBirthday(s string, lunar bool, order DateOrder) (string, bool, error) {
	s = strings.TrimSpace(money.Narrow(s))
	for _, mark := range []string{"农历", "阴历", "lunar"} {
		if strings.HasPrefix(strings.ToLower(s), mark) {
			lunar, s = true, strings.TrimSpace(s[len(mark):])
		}
	}
	var b string
	t, _, err := ParseTime(s, order, time.UTC)
	var msg *kith.Message
	switch {
	case err == nil:
		b = t.Format("2006-01-02")
	case errors.As(err, &msg) && msg.Key == "date.no_such_day":
		// Not a solar day, but a lunar month has 30 days in some years:
		// 农历1990-02-30 is a birthday.
		y, m, d, err := parseDate(s, order)
		if err != nil {
			return "", false, kith.Msg("birthday.no_such_day", "birthday %q: no such day", s)
		}
		b = fmt.Sprintf("%04d-%02d-%02d", y, m, d)
	default:
		if m, d, ok := chineseMonthDay(s); ok {
			b, lunar = fmt.Sprintf("0000-%02d-%02d", m, d), true
			break
		}
		r := strings.NewReplacer("月", "-", "日", "", "号", "", "/", "-", ".", "-").Replace(s)
		ms, ds, ok := strings.Cut(r, "-")
		m, err1 := strconv.Atoi(ms)
		d, err2 := strconv.Atoi(strings.TrimSpace(ds))
		if !ok || err1 != nil || err2 != nil || m < 1 || m > 12 || d < 1 || d > 31 {
			return "", false, kith.Msg("birthday.bad", "birthday %q: want a date, or month and day such as 08-15, 8月15日 or 农历八月十五", s)
		}
		b = fmt.Sprintf("0000-%02d-%02d", m, d)
	}
	if !customer.BirthdayValid(b, lunar) { // 02-30 solar; a 31st lunar
		if lunar {
			return "", false, kith.Msg("birthday.no_such_lunar_day", "birthday %q: no such day (a lunar month has at most 30 days)", s)
		}
		return "", false, kith.Msg("birthday.no_such_day", "birthday %q: no such day", s)
	}
	return b, lunar, nil
}

// chineseMonthDay reads a month and day written in Chinese numerals, as
// lunar dates are: 八月十五, 正月初一, 冬月初八, 腊月廿三, 十二月三十日.
func chineseMonthDay(s string) (month, day int, ok bool) {
	ms, ds, found := strings.Cut(strings.TrimSuffix(strings.TrimSuffix(s, "日"), "号"), "月")
	if !found {
		return 0, 0, false
	}
	switch ms {
	case "正":
		month = 1
	case "冬":
		month = 11
	case "腊":
		month = 12
	default:
		month = chineseNumber(ms)
	}
	day = chineseNumber(strings.TrimPrefix(ds, "初"))
	if month < 1 || month > 12 || day < 1 || day > 30 || (strings.HasPrefix(ds, "初") && day > 10) {
		return 0, 0, false
	}
	return month, day, true
}

// chineseNumber reads 1 to 99 in Chinese numerals (五, 两, 十, 十五, 二十,
// 廿三, 三十, 九十九); 0 when s is not one.
func chineseNumber(s string) int {
	s = strings.NewReplacer("廿", "二十", "卅", "三十", "两", "二").Replace(s)
	// digit is the value of one numeral 一..九, 0 for anything else.
	digit := func(t string) int {
		if i := strings.Index("一二三四五六七八九", t); i >= 0 && utf8.RuneCountInString(t) == 1 {
			return i/len("一") + 1
		}
		return 0
	}
	tens, units, found := strings.Cut(s, "十")
	if !found {
		return digit(s)
	}
	n := 10
	if tens != "" {
		d := digit(tens)
		if d == 0 {
			return 0
		}
		n = 10 * d
	}
	if units != "" {
		d := digit(units)
		if d == 0 {
			return 0
		}
		n += d
	}
	return n
}

var statusWords = map[string]order.Status{
	"": order.Paid, "paid": order.Paid, "complete": order.Paid, "completed": order.Paid, "success": order.Paid,
	"shipped": order.Paid, "delivered": order.Paid, "fulfilled": order.Paid, "processing": order.Paid, "authorized": order.Paid,
	"partially refunded": order.Paid, "partially paid": order.Paid,
	"已付款": order.Paid, "已支付": order.Paid, "交易成功": order.Paid,
	"已完成": order.Paid, "已发货": order.Paid, "待发货": order.Paid, "已签收": order.Paid, "待收货": order.Paid, "成功": order.Paid,
	"refunded": order.Refunded, "refund": order.Refunded, "returned": order.Refunded, "已退款": order.Refunded,
	"退款": order.Refunded, "退款成功": order.Refunded, "退货": order.Refunded, "已退货": order.Refunded, "售后完成": order.Refunded,
	"cancelled": order.Cancelled, "canceled": order.Cancelled, "void": order.Cancelled, "voided": order.Cancelled, "closed": order.Cancelled,
	"failed": order.Cancelled, "declined": order.Cancelled, "expired": order.Cancelled,
	"已取消": order.Cancelled, "取消": order.Cancelled, "交易关闭": order.Cancelled, "已关闭": order.Cancelled,
	// Not paid (yet): no purchase, as a cancelled order. A later import of
	// the same order, paid, updates it.
	"pending": order.Cancelled, "unpaid": order.Cancelled, "awaiting payment": order.Cancelled, "pending payment": order.Cancelled,
	"on hold": order.Cancelled, "未付款": order.Cancelled, "待付款": order.Cancelled, "待支付": order.Cancelled, "未支付": order.Cancelled,
	"等待买家付款": order.Cancelled, "等待付款": order.Cancelled,
	"unfulfilled": order.Paid, "draft": order.Cancelled,
	// Shop-floor states of a paid order: awaiting a review (待评价), pick-up
	// (待自提) or redemption of a voucher (待核销), a group buy not yet
	// full (Pinduoduo's 待成团, 拼团中: paid; a failed group is refunded, and
	// a later import says so). An unknown state stays an error, not a guess.
	"待评价": order.Paid, "已评价": order.Paid, "待自提": order.Paid, "已自提": order.Paid, "待核销": order.Paid, "已核销": order.Paid,
	"待成团": order.Paid, "拼团中": order.Paid, "拼团成功": order.Paid, "已送达": order.Paid, "已审核": order.Paid,
	"无效": order.Cancelled, "挂起": order.Cancelled, "暂停": order.Cancelled,
	// The platforms' API codes, as ERPs and order tools export them
	// (TRADE_FINISHED, read with spaces): Taobao's and Youzan's, and JD's.
	// Taobao's TRADE_CLOSED is an order closed after its refund;
	// TRADE_CLOSED_BY_TAOBAO and Youzan's TRADE_CLOSE one closed unpaid.
	"wait seller send goods": order.Paid, "seller consigned part": order.Paid, "wait buyer confirm goods": order.Paid,
	"trade buyer signed": order.Paid, "trade finished": order.Paid, "trade success": order.Paid, "paid forbid consign": order.Paid,
	"wait confirm": order.Paid, "wait seller stock out": order.Paid, "wait goods receive confirm": order.Paid, "finished l": order.Paid,
	"trade closed": order.Refunded, "wait buyer pay": order.Cancelled, "trade no create pay": order.Cancelled, "trade closed by taobao": order.Cancelled,
	"trade close": order.Cancelled, "pay pending": order.Cancelled, "wait pre auth confirm": order.Cancelled,
	"trade canceled": order.Cancelled, "locked": order.Cancelled,
	// Payment bills: WeChat Pay's merchant bill (SUCCESS, REFUND, REVOKED:
	// a payment reversed before it settled, NOTPAY ...) and a personal
	// WeChat bill's 当前状态 of money received (已收钱, 已存入零钱); SUCCESS
	// is above.
	"revoked": order.Cancelled, "notpay": order.Cancelled, "userpaying": order.Cancelled, "payerror": order.Cancelled,
	// Cross-border marketplaces (Shopee, Lazada, TikTok Shop, Amazon).
	"to ship": order.Paid, "ready to ship": order.Paid, "shipping": order.Paid, "to receive": order.Paid,
	"awaiting shipment": order.Paid, "awaiting collection": order.Paid, "in transit": order.Paid, "unshipped": order.Paid,
	"partially shipped": order.Paid, "return/refund": order.Refunded, "return refund": order.Refunded,
	"已收钱": order.Paid, "已收款": order.Paid, "已存入零钱": order.Paid, "已到账": order.Paid, "已入账": order.Paid,
}

// statusPhrases classify the longer statuses platforms export ("卖家已发货，
// 等待买家确认", "已发货，退款成功", "交易关闭-超时未付款"), in this order:
// a refund or a closed order wins over the shipping state beside it, and a
// refund that was refused or is still open leaves the order paid.
var statusPhrases = []struct {
	words  []string
	status order.Status
}{
	// No refund (yet), or part of the order refunded: the purchase stands.
	{[]string{"退款关闭", "售后关闭", "退款失败", "拒绝退款", "退款中", "售后中", "部分退款"}, order.Paid},
	{[]string{"退款成功", "已退款", "退货成功", "已退货", "全额退款", "全部退款", "退款完成", "退货完成"}, order.Refunded},
	// JD's 锁定 and (删除)锁定: an order held for its cancellation, or
	// cancelled; 拒收: refused at the door (cash on delivery).
	{[]string{"关闭", "取消", "作废", "失效", "未付款", "待付款", "待支付", "未支付", "等待买家付款", "等待付款", "锁定", "删除", "拒收"}, order.Cancelled},
	{[]string{"成功", "完成", "已付款", "已支付", "发货", "签收", "收货", "出库", "备货", "配送"}, order.Paid},
}

// refundDone reports an after-sales status (售后状态, 退款状态) that says
// the order was refunded in full: 退款成功, 售后完成, refunded. One that
// says the refund was refused, closed, is still open or was partial, or
// that there was none (无售后或售后取消), leaves the order as its status
// says, and so does one kith cannot read: a purchase is not taken back
// on a guess.
func refundDone(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return false
	}
	if st, ok := statusWords[statusSeparators.Replace(s)]; ok {
		return st == order.Refunded
	}
	for _, ph := range statusPhrases[:2] { // the refund phrases: kept, then refunded
		for _, w := range ph.words {
			if strings.Contains(s, w) {
				return ph.status == order.Refunded
			}
		}
	}
	return false
}

// refundInStatus is the amount a status names as refunded, in brackets
// after the word: 已退款(￥5.00), 已退款（¥5）.
func refundInStatus(s, currency string) (int64, bool) {
	i := strings.Index(s, "退款")
	if i < 0 {
		return 0, false
	}
	rest := strings.TrimSpace(s[i+len("退款"):])
	open := strings.IndexAny(rest, "(（")
	if open != 0 {
		return 0, false
	}
	_, size := utf8.DecodeRuneInString(rest)
	rest = rest[size:]
	end := strings.IndexAny(rest, ")）")
	if end < 0 {
		return 0, false
	}
	m, err := money.Parse(strings.TrimSpace(rest[:end]), currency)
	if err != nil || m.Minor <= 0 {
		return 0, false
	}
	return m.Minor, true
}

// Flows of a payment bill's 收/支 column: money received is a sale; money
// paid out, and what is neither (Alipay's 不计收支, WeChat's "/" for a
// withdrawal to the bank), is the account's own business (reader.notSale).
var (
	flowIn  = []string{"收入", "收款", "收", "入账", "进账", "已收入", "income", "in", "credit", "received"}
	flowOut = []string{"支出", "付款", "支", "出账", "已支出", "expense", "out", "debit", "paid out", "不计收支", "中性交易", "其他", "/", "-", ""}
)

// notSale reports a payment bill's row whose 收/支 cell (column col) says
// money paid out or moved, or nothing: read as rowParser.at reads it, so a
// workbook's row that ends before the column, or an Excel error value
// there, is blank.
func notSale(cells []string, col int) bool {
	v := ""
	if col < len(cells) {
		if v = excelText(trimCell(cells[col])); excelErrorValue(v) {
			v = ""
		}
	}
	return slices.Contains(flowOut, strings.ToLower(v))
}

// flow checks the row's money in or out: a value kith does not know is an
// error rather than a guess either way. The rows of money paid out or
// moved never come here (notSale passes them over).
func (p *rowParser) flow() *cellErr {
	if !p.m.Has("flow") || slices.Contains(flowIn, strings.ToLower(p.get("flow"))) {
		return nil
	}
	return bad("flow", "bad_flow", kith.Msg("flow.unknown", "收/支 %q is neither money received (收入, income) nor paid out (支出, 不计收支, expense)", p.get("flow")))
}

// statusSeparators read "partially_refunded" and "on-hold" as the words
// statusWords spells with spaces.
var statusSeparators = strings.NewReplacer("_", " ", "-", " ")

func (p *rowParser) status() (order.Status, *cellErr) {
	raw := p.get("status")
	s := strings.TrimPrefix(strings.ToLower(raw), "wc-") // WooCommerce's wc-completed, wc-on-hold
	if st, ok := statusWords[s]; ok {
		return st, nil
	}
	if st, ok := statusWords[statusSeparators.Replace(s)]; ok {
		return st, nil
	}
	for _, ph := range statusPhrases {
		for _, w := range ph.words {
			if strings.Contains(s, w) {
				return ph.status, nil
			}
		}
	}
	return "", bad("status", "bad_status", kith.Msg("status.unknown", "unknown order status %q (paid: 已付款/交易成功/paid…, refunded: 已退款/refunded…, cancelled: 已取消/交易关闭/未付款/cancelled…)", raw))
}

// orderHead reads what order and line rows share: id, customer, time,
// channel and currency.
func (p *rowParser) orderHead() (order.Order, *cellErr) {
	if p.m.Attach() {
		// Lines of stored orders: the order gives the rest (attachLines).
		oid, cerr := p.id("order_id", LabelOrderID)
		if cerr == nil && oid == "" {
			cerr = bad("order_id", "required", isEmpty)
		}
		o := order.Order{ExternalID: p.orderPrefix + oid}
		if cerr == nil {
			o.Currency, cerr = p.currencyOf()
		}
		return o, cerr
	}
	key, cerr := p.customerKey()
	if cerr != nil {
		return order.Order{}, cerr
	}
	oid, cerr := p.id("order_id", LabelOrderID)
	if cerr != nil {
		return order.Order{}, cerr
	}
	if oid != "" {
		oid = p.orderPrefix + oid // JD-1001 beside a till's 1001 (Options.OrderPrefix)
	}
	ch := p.rowChannel()
	o := order.Order{ExternalID: oid, Customer: key, CustomerName: p.name(), Channel: ch, CustomerChannel: ch}
	o.CustomerRegion, o.CustomerCity, _ = p.place()
	if o.OrderedAt, cerr = p.orderedAt(); cerr != nil {
		return o, cerr
	}
	o.Currency, cerr = p.currencyOf()
	return o, cerr
}

// parseOrder reads an order row (one row per order).
func (p *rowParser) parseOrder() (order.Order, *cellErr) {
	o, cerr := p.orderHead()
	if cerr != nil {
		return o, cerr
	}
	if o.Amount, _, cerr = p.money("amount", o.Currency, true); cerr != nil {
		return o, cerr
	}
	if o.Status, cerr = p.status(); cerr != nil {
		return o, cerr
	}
	if o.Amount < 0 && o.Status == order.Paid {
		o.Status = order.Refunded
	}
	if o.Status == order.Paid && refundDone(p.get("refund_status")) {
		o.Status = order.Refunded
	}
	// A refund column (退款金额) nets a partial refund out of the order and
	// makes a full one a refunded order, not a purchase.
	refund, _, cerr := p.money("refund_amount", o.Currency, false)
	if cerr == nil && refund == 0 && o.Status == order.Refunded && !p.m.Has("refund_amount") {
		// A personal WeChat bill writes a partial refund into the state:
		// 已退款(￥5.00) of a ¥12.00 payment.
		if r, ok := refundInStatus(p.get("status"), o.Currency); ok {
			o.Status, refund = order.Paid, r
		}
	}
	if cerr == nil {
		cerr = p.flow()
	}
	if rid := p.get("refund_id"); cerr == nil && refund >= 0 && rid != "0" && !noValue(rid) {
		// WeChat Pay's bill lists a refund as a row of its own under the
		// order's number: it is a refund of its own, as a C-invoice is
		// (order/refund number, the refunded amount), and the payment's
		// row stays the purchase.
		if refund > 0 {
			o.Amount = refund
		}
		o.ExternalID, o.Status = strings.TrimPrefix(o.ExternalID+"/"+rid, "/"), order.Refunded
		return o, nil
	}
	switch {
	case cerr != nil:
		return o, cerr
	case refund < 0:
		return o, bad("refund_amount", "bad_amount", kith.Msg("refund.negative", "refund %q is negative: write refunds as positive amounts", p.get("refund_amount")))
	case refund > 0 && (o.Status == order.Cancelled || o.Status == order.Paid && refund >= o.Amount):
		o.Status = order.Refunded // Taobao's 交易关闭 with its 退款金额: paid, then refunded
	case refund > 0 && o.Status == order.Paid:
		o.Amount -= refund
	}
	return o, nil
}

// parseLine reads one line-item row into an order holding that one line.
func (p *rowParser) parseLine() (order.Order, *cellErr) {
	o, cerr := p.orderHead()
	if cerr != nil {
		return o, cerr
	}
	sku, cerr := p.id("sku", LabelSKU) // an EAN barcode in a General column
	if cerr != nil {
		return o, cerr
	}
	l := order.Line{SKU: sku, Name: p.get("product_name"), Category: p.get("category"), Quantity: 1}
	if l.SKU == "" {
		l.SKU = l.Name
	}
	if l.SKU == "" {
		return o, bad("sku", "required", kith.Msg("line.no_sku", "no SKU or product name in this row"))
	}
	q, ok := p.plainNumber(p.get("quantity"))
	if !ok {
		return o, p.groupingProblem("quantity")
	}
	if q != "" {
		// A unit after the number, as Chinese exports write counts (2件,
		// 1箱, 3 pcs, 1.5kg): the number is the quantity.
		n := strings.TrimRightFunc(q, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsSpace(r) })
		x, err := strconv.ParseFloat(n, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1e9 {
			return o, bad("quantity", "bad_number", kith.Msg("line.quantity", "%q is not a quantity", q))
		}
		l.Quantity = x
	}
	var hasPrice, hasAmount bool
	if l.UnitPrice, hasPrice, cerr = p.money("unit_price", o.Currency, false); cerr != nil {
		return o, cerr
	}
	if l.Amount, hasAmount, cerr = p.money("line_amount", o.Currency, false); cerr != nil {
		return o, cerr
	}
	if hasAmount && p.mark("line_amount") != markOwn {
		// Merged down over the order's rows, the amount is the order's:
		// each line's is its price times its quantity, or, with no price,
		// the order's amount is its first line's.
		switch {
		case hasPrice:
			hasAmount = false
		case p.mark("line_amount") == markFilled:
			l.Amount = 0
		}
	}
	switch {
	case hasAmount:
		// A line amount is what was paid; keep its sign in step with quantity.
		if l.Quantity < 0 && l.Amount > 0 {
			l.Amount = -l.Amount
		}
	case hasPrice:
		l.Amount = int64(math.Round(l.Quantity * float64(l.UnitPrice)))
	default:
		return o, bad("unit_price", "required", kith.Msg("line.no_price", "no unit price or line amount in this row"))
	}
	if !hasPrice && l.Quantity != 0 {
		l.UnitPrice = int64(math.Round(float64(l.Amount) / l.Quantity))
	}
	if o.Status, cerr = p.status(); cerr != nil {
		return o, cerr
	}
	// Negative quantities and cancelled invoices (Cxxxx, as in the UCI Online
	// Retail exports) are refunds.
	if o.Status == order.Paid && (l.Quantity < 0 || isCancelledInvoice(o.ExternalID)) {
		o.Status = order.Refunded
	}
	o.Lines = []order.Line{l}
	o.Amount = l.Amount
	return o, nil
}

func isCancelledInvoice(id string) bool {
	return len(id) > 1 && (id[0] == 'C' || id[0] == 'c') && allDigits(id[1:])
}

var spendKinds = map[string]string{
	"": "marketing", "marketing": "marketing", "ads": "marketing", "advertising": "marketing", "营销": "marketing",
	"市场": "marketing", "广告": "marketing", "投放": "marketing", "推广": "marketing", "获客": "marketing",
	// How Chinese shops name their paid channels: influencers, feeds, search
	// bidding, live streams.
	"达人": "marketing", "kol": "marketing", "种草": "marketing", "投流": "marketing", "信息流": "marketing",
	"直播": "marketing", "竞价": "marketing", "sem": "marketing", "品牌": "marketing", "活动": "marketing",
	"sales": "sales", "销售": "sales", "地推": "sales", "佣金": "sales", "提成": "sales",
	"care": "care", "service": "care", "关怀": "care", "客服": "care", "维护": "care", "回访": "care",
	"cashback": "cashback", "返现": "cashback", "返利": "cashback",
	"gifts": "gifts", "gift": "gifts", "礼品": "gifts", "赠品": "gifts",
	"retention": "retention", "留存": "retention", "老客": "retention", "复购": "retention", "会员": "retention",
}

// parseSpend reads a spend row, and how many days it covers from its date
// (a range, 2024-03-01 ~ 2024-03-07). A month ("2024-01", "2024年1月") means
// its first day.
func (p *rowParser) parseSpend() (order.Spend, int, *cellErr) {
	s := order.Spend{Channel: p.rowChannel()}
	d, days, cerr := p.dateSpan("date")
	if cerr != nil {
		return s, 0, cerr
	}
	s.Date = d
	kind, ok := spendKinds[strings.ToLower(p.get("kind"))]
	if !ok {
		return s, 0, bad("kind", "bad_kind", kith.Msg("spend.kind", "unknown spend kind %q (acquisition: marketing, sales; retention: care, cashback, gifts, retention)", p.get("kind")))
	}
	s.Kind = kind
	if s.Currency, cerr = p.currencyOf(); cerr != nil {
		return s, 0, cerr
	}
	if s.Amount, _, cerr = p.money("amount", s.Currency, true); cerr != nil {
		return s, 0, cerr
	}
	return s, days, nil
}

// maxSpanDays bounds a range of days in one spend or traffic row.
const maxSpanDays = 366

// dateSpan reads a date, or a range of days as ad and shop dashboards
// export a week or a month (2024-03-01 ~ 2024-03-07, 2024-03-01至2024-03-31,
// 2024/03/25-2024/04/07): its first day and how many days it covers.
func (p *rowParser) dateSpan(f string) (time.Time, int, *cellErr) {
	d, cerr := p.date(f)
	if cerr == nil {
		return d, 1, nil
	}
	from, to, ok := p.splitRange(p.dateCell(f))
	if !ok {
		return d, 0, cerr
	}
	days := int(to.Sub(from).Hours()/24) + 1
	if days < 1 || days > maxSpanDays {
		return from, 0, bad(f, "bad_date", kith.Msg("date.span", "%q: a range of days runs forward, for a year at most", p.dateCell(f)))
	}
	return from, days, nil
}

// rangeMarks join the two ends of a range: of days (2024-03-01 ~
// 2024-03-07), or of a company's head count (100-499人). The hyphen is last:
// it is inside a date too.
var rangeMarks = []string{"~", "～", "至", "到", "—", "–", "-"}

// splitRange reads two whole dates joined by one of the rangeMarks.
func (p *rowParser) splitRange(s string) (from, to time.Time, ok bool) {
	day := func(s string) (time.Time, bool) {
		s = strings.TrimSpace(s)
		if _, _, isMonth := parseMonth(s); isMonth || s == "" {
			return time.Time{}, false
		}
		return p.calendarDay(s)
	}
	for _, sep := range rangeMarks {
		for at := 0; ; {
			i := strings.Index(s[at:], sep)
			if i < 0 {
				break
			}
			i += at
			if a, ok := day(s[:i]); ok {
				if b, ok := day(s[i+len(sep):]); ok {
					return a, b, true
				}
			}
			at = i + len(sep)
		}
	}
	return time.Time{}, time.Time{}, false
}

// splitEvenly shares total out over n days, the remainder a unit a day
// from the first, so the parts add up to it.
func splitEvenly(total int64, n int) []int64 {
	q, rem := total/int64(n), total%int64(n) // rem has total's sign
	parts := make([]int64, n)
	for i := range parts {
		parts[i] = q
		switch {
		case int64(i) < rem:
			parts[i]++
		case int64(i) < -rem:
			parts[i]--
		}
	}
	return parts
}

// spreadSpend makes a row of each day of a spend row covering days.
func spreadSpend(s order.Spend, days int) []order.Spend {
	if days <= 1 {
		return []order.Spend{s}
	}
	out := make([]order.Spend, days)
	for i, a := range splitEvenly(s.Amount, days) {
		out[i] = s
		out[i].Date, out[i].Amount = s.Date.AddDate(0, 0, i), a
	}
	return out
}

// spreadTraffic makes a row of each day of a traffic row covering days.
func spreadTraffic(t order.Traffic, days int) []order.Traffic {
	if days <= 1 {
		return []order.Traffic{t}
	}
	out := make([]order.Traffic, days)
	visitors, conversions := splitEvenly(t.Visitors, days), splitEvenly(t.Conversions, days)
	for i := range out {
		out[i] = t
		out[i].Date, out[i].Visitors, out[i].Conversions = t.Date.AddDate(0, 0, i), visitors[i], conversions[i]
	}
	return out
}

// date reads a calendar date, accepting a bare month as its first day.
func (p *rowParser) date(f string) (time.Time, *cellErr) {
	s := p.dateCell(f)
	if s == "" {
		return time.Time{}, bad(f, "required", isEmpty)
	}
	if y, mo, ok := parseMonth(s); ok {
		return time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, time.UTC), nil
	}
	if d, ok := p.calendarDay(s); ok {
		return d, nil
	}
	return time.Time{}, bad(f, "bad_date", kith.Msg("date.or_month", "%q is not a date or month (2024-01-31, 2024-01, 2024年1月, 202401)", s))
}

// calendarDay reads s as a day (a time's date), at midnight UTC.
func (p *rowParser) calendarDay(s string) (time.Time, bool) {
	t, _, err := ParseTime(s, p.order, time.UTC)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), err == nil
}

// parseMonth reads a month alone: 2024-1, 2024/01, 2024.03, 2024年1月,
// 2024年1月份, 202401.
func parseMonth(s string) (year, month int, ok bool) {
	s = strings.TrimSpace(money.Narrow(s))
	if len(s) == 6 && !strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
		s = s[:4] + "-" + s[4:]
	}
	m := strings.NewReplacer("年", "-", "月份", "", "月", "", "/", "-", ".", "-").Replace(s)
	ys, ms, found := strings.Cut(m, "-")
	if !found || len(ys) != 4 || len(ms) == 0 || len(ms) > 2 {
		return 0, 0, false
	}
	y, err1 := strconv.Atoi(ys)
	mo, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || mo < 1 || mo > 12 || y <= 1900 {
		return 0, 0, false
	}
	return y, mo, true
}

// parseTraffic reads a traffic row, and how many days it covers.
func (p *rowParser) parseTraffic() (order.Traffic, int, *cellErr) {
	t := order.Traffic{Channel: p.rowChannel()}
	var cerr *cellErr
	var days int
	if t.Date, days, cerr = p.dateSpan("date"); cerr != nil {
		return t, 0, cerr
	}
	if p.get("visitors") == "" {
		return t, 0, bad("visitors", "required", isEmpty)
	}
	if t.Visitors, cerr = p.int("visitors"); cerr != nil {
		return t, 0, cerr
	}
	if t.Conversions, cerr = p.int("conversions"); cerr != nil {
		return t, 0, cerr
	}
	if t.Visitors < 0 || t.Conversions < 0 {
		return t, 0, bad("visitors", "bad_number", kith.Msg("traffic.negative", "counts cannot be negative"))
	}
	// A conversion rate over 100% would carry into the revenue split; it is
	// nearly always two columns mapped the wrong way round.
	if t.Conversions > t.Visitors {
		return t, 0, bad("conversions", "bad_number", kith.Msg("traffic.conversions", "%d conversions are more than the %d visitors (columns swapped?)", t.Conversions, t.Visitors))
	}
	return t, days, nil
}

func (p *rowParser) parseProduct() (order.Product, *cellErr) {
	sku, cerr := p.id("sku", LabelSKU)
	if cerr != nil {
		return order.Product{}, cerr
	}
	pr := order.Product{SKU: sku, Name: p.get("product_name"), Category: p.get("category")}
	if pr.SKU == "" {
		return pr, bad("sku", "required", isEmpty)
	}
	for _, f := range []struct {
		name string
		dst  *int
	}{{"consumption_days", &pr.ConsumptionDays}, {"service_interval_days", &pr.ServiceIntervalDays}, {"lifespan_days", &pr.LifespanDays}} {
		n, cerr := p.days(f.name)
		if cerr != nil {
			return pr, cerr
		}
		if n < 0 || n > 36500 {
			return pr, bad(f.name, "bad_number", kith.Msg("days.range", "%d days is out of range", n))
		}
		*f.dst = int(n)
	}
	return pr, nil
}

// derivedOrderKey identifies an order in a file without order ids: the hash
// of customer, time and amount, plus the occurrence of that triple in the
// file, so two identical purchases stay two orders and a re-run finds the
// same keys.
func derivedOrderKey(triple uint64, occurrence int) string {
	return fmt.Sprintf("~%016x-%d", triple, occurrence)
}

// tripleHash hashes the (customer, time, amount) triple of an order.
func tripleHash(k customer.Key, at time.Time, amount int64) uint64 {
	h := fnv.New64a()
	h.Write([]byte(k.String()))
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(at.UnixNano()))
	binary.LittleEndian.PutUint64(b[8:], uint64(amount))
	h.Write(b[:])
	return h.Sum64()
}

// place is the row's province and city. A member list may give both, and
// the district, in one cell (Youzan's 所在地区: "浙江省 杭州市 西湖区",
// "浙江省-杭州市", "浙江省杭州市西湖区"), and an order export the whole
// address in one (Taobao's 收货地址): when the row has no city of its own,
// the province and city are read from the cell's start (splitPlace).
// whole reports that the region cell said more than the two (a district),
// for the caller to keep it as written.
func (p *rowParser) place() (region, city string, whole bool) {
	region, city = p.get("region"), p.get("city")
	if city != "" {
		return region, city, false
	}
	if region != "" {
		if r, c, rest, ok := splitPlace(region); ok && (c != "" || rest) {
			return r, c, rest
		}
	}
	if a := p.get("address"); a != "" {
		// The province column alone, and the address says the city: taken
		// when the address is in that province.
		r, c, _, _ := splitPlace(a)
		switch {
		case region == "":
			return r, c, false
		case c != "" && sameProvince(region, r):
			return region, c, false
		}
	}
	return region, city, false
}

// sameProvince reports two names of one province ("浙江" and "浙江省").
func sameProvince(a, b string) bool {
	short := func(s string) string {
		for _, names := range provinces {
			if s == names[0] {
				return names[1]
			}
		}
		return s
	}
	return short(a) == short(b)
}

// provinces are China's province-level divisions, as addresses begin with
// them: the full name, then the short one it is also written as.
var provinces = [][2]string{
	{"北京市", "北京"}, {"天津市", "天津"}, {"上海市", "上海"}, {"重庆市", "重庆"},
	{"河北省", "河北"}, {"山西省", "山西"}, {"辽宁省", "辽宁"}, {"吉林省", "吉林"}, {"黑龙江省", "黑龙江"},
	{"江苏省", "江苏"}, {"浙江省", "浙江"}, {"安徽省", "安徽"}, {"福建省", "福建"}, {"江西省", "江西"},
	{"山东省", "山东"}, {"河南省", "河南"}, {"湖北省", "湖北"}, {"湖南省", "湖南"}, {"广东省", "广东"},
	{"海南省", "海南"}, {"四川省", "四川"}, {"贵州省", "贵州"}, {"云南省", "云南"}, {"陕西省", "陕西"},
	{"甘肃省", "甘肃"}, {"青海省", "青海"}, {"台湾省", "台湾"},
	{"内蒙古自治区", "内蒙古"}, {"广西壮族自治区", "广西"}, {"西藏自治区", "西藏"},
	{"宁夏回族自治区", "宁夏"}, {"新疆维吾尔自治区", "新疆"},
	{"香港特别行政区", "香港"}, {"澳门特别行政区", "澳门"},
}

// cityDivisions are the province-level divisions that are a city of their
// own: the four municipalities and the two special administrative regions.
var cityDivisions = []string{"北京", "天津", "上海", "重庆", "香港", "澳门"}

// citySuffixes end the name of a prefecture-level division: 杭州市,
// 恩施土家族苗族自治州, 大兴安岭地区, 锡林郭勒盟.
var citySuffixes = []string{"市", "自治州", "地区", "盟"}

// placeSeparators part a place's names where a system writes them apart.
const placeSeparators = " 　/-,，"

// splitPlace reads a province and its city from the start of a place or an
// address, as written: "浙江省 杭州市 西湖区", "浙江杭州市西湖区文三路 100
// 号", "广西壮族自治区南宁市", "北京市朝阳区" (a municipality is its own
// city). ok is false when s does not begin with a Chinese province; rest
// reports that more follows the city (a district, a street).
func splitPlace(s string) (region, city string, rest, ok bool) {
	s = strings.TrimSpace(s)
	var tail string
	short := false
	for _, names := range provinces {
		for k, name := range names {
			if t, found := strings.CutPrefix(s, name); found && len(name) > len(region) {
				region, tail, short = name, t, k == 1
			}
		}
	}
	switch {
	case region == "":
		// A province the list does not know, written apart ("某某省 某市").
		i := strings.IndexAny(s, placeSeparators)
		if i < 0 || !province(s[:i]) {
			return "", "", false, false
		}
		region, tail = s[:i], s[i:]
	case short && strings.HasPrefix(tail, "藏族"):
		return "", "", false, false // 海南藏族自治州, a prefecture of Qinghai
	case short && !slices.Contains(cityDivisions, region) && strings.HasPrefix(tail, "市"):
		return "", "", false, false // 吉林市: a city of the province's name
	case short && strings.IndexAny(tail, "区县路街") == 0:
		return "", "", false, false // 河北区, 江西路: a district or a street
	}
	tail = strings.TrimLeft(tail, placeSeparators)
	if slices.ContainsFunc(cityDivisions, func(c string) bool { return strings.HasPrefix(region, c) }) {
		// The city may follow as its own name, or as 市辖区 or 县 (how the
		// national code table lists a municipality's districts).
		name := strings.TrimSuffix(region, "市")
		for _, again := range []string{name + "市", name, "市辖区", "县"} {
			if t, found := strings.CutPrefix(tail, again); found {
				tail = strings.TrimLeft(t, placeSeparators)
				break
			}
		}
		return region, region, tail != "", true
	}
	if tail == "" {
		return region, "", false, true
	}
	// The city is the next name: up to its ending (杭州市西湖区...), or, in
	// names written apart, the whole of the next one (浙江 杭州 西湖区)
	// unless that is a district or a street.
	next := tail
	if i := strings.IndexAny(tail, placeSeparators); i >= 0 {
		next = tail[:i]
	}
	end := -1
	for _, suffix := range citySuffixes {
		if i := strings.Index(next, suffix); i > 0 && (end < 0 || i+len(suffix) < end) {
			end = i + len(suffix)
		}
	}
	switch {
	case end > 0 && utf8.RuneCountInString(next[:end]) <= 12:
	case end < 0 && next != tail && utf8.RuneCountInString(next) <= 8 && !endsLikeStreet(next):
		end = len(next)
	default:
		return region, "", true, true // no city named where one would be
	}
	return region, tail[:end], strings.TrimLeft(tail[end:], placeSeparators) != "", true
}

// endsLikeStreet reports a place name that is a district, a town or a
// street rather than a city (西湖区, 文三路, 100号).
func endsLikeStreet(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune("区县旗镇乡村路街道巷弄号楼", r) || unicode.IsDigit(r)
}

// province reports a name that ends as a province's does, for one the
// provinces list does not know (splitPlace has looked for those already).
func province(s string) bool {
	for _, suffix := range []string{"省", "自治区", "特别行政区"} {
		if strings.HasSuffix(s, suffix) {
			return true
		}
	}
	return false
}
