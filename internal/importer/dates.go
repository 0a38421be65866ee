package importer

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kithcrm/kith/internal/kith"
	"github.com/kithcrm/kith/internal/money"
)

// DateOrder says how to read dates written as a/b/yyyy.
type DateOrder string

const (
	DateAuto DateOrder = ""    // yyyy first always; a/b/yyyy only when unambiguous
	DateDMY  DateOrder = "dmy" // 31/01/2024
	DateMDY  DateOrder = "mdy" // 01/31/2024
)

// ParseDateOrder validates a --date-order value.
func ParseDateOrder(s string) (DateOrder, error) {
	switch strings.ToLower(s) {
	case "", "auto", "ymd":
		return DateAuto, nil
	case "dmy":
		return DateDMY, nil
	case "mdy":
		return DateMDY, nil
	}
	return "", kith.Msg("date_order", "date order %q: want auto, dmy or mdy", s)
}

// excelEpoch is day 0 of Excel's 1900 date system (with its 1900 leap-year bug
// folded in: serial 60 does not exist in reality, serials after it are right).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// ParseTime reads the date and time forms shops export: 2024-01-31,
// 2024/1/31, 20240131, 2024年1月31日, 31/01/2024 (with DateDMY), Excel serial
// numbers (45322 or 45322.5), each with an optional time (13:05, 13:05:09,
// 1:05 PM, 13时05分), and RFC 3339 with an offset. Times without an offset are
// in loc. hasTime reports whether the text carried a time of day.
func ParseTime(s string, order DateOrder, loc *time.Location) (t time.Time, hasTime bool, err error) {
	if loc == nil {
		loc = time.UTC
	}
	if t, hasTime, ok := isoTime(s, loc); ok {
		return t, hasTime, nil
	}
	return parseAnyTime(s, order, loc)
}

// isoTime reads the form most exports write, 2024-01-31 10:00:00 (or
// without seconds, or the date alone), digit by digit: the general parse
// below was a third of an order row's parsing. ok is false for anything
// else, and for a day or time out of range, which the general parse
// reports.
func isoTime(s string, loc *time.Location) (t time.Time, hasTime, ok bool) {
	if len(s) != 10 && len(s) != 16 && len(s) != 19 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false, false
	}
	num := func(i int) int {
		a, b := s[i], s[i+1]
		if a < '0' || a > '9' || b < '0' || b > '9' {
			return -1
		}
		return int(a-'0')*10 + int(b-'0')
	}
	c, y := num(0), num(2)
	mo, d := num(5), num(8)
	hh, mm, ss := 0, 0, 0
	if len(s) > 10 {
		if s[10] != ' ' || s[13] != ':' {
			return time.Time{}, false, false
		}
		hh, mm = num(11), num(14)
		if len(s) == 19 {
			if s[16] != ':' {
				return time.Time{}, false, false
			}
			ss = num(17)
		}
	}
	year := c*100 + y
	if c < 0 || y < 0 || year < 1900 || year > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
		hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59 {
		return time.Time{}, false, false
	}
	t = time.Date(year, time.Month(mo), d, hh, mm, ss, 0, loc)
	if t.Day() != d {
		return time.Time{}, false, false // 2024-02-30: no such day
	}
	return t, len(s) > 10, true
}

// parseAnyTime is ParseTime for every form it reads.
func parseAnyTime(s string, order DateOrder, loc *time.Location) (t time.Time, hasTime bool, err error) {
	s = strings.TrimSpace(money.Narrow(s))
	if s == "" {
		return time.Time{}, false, kith.Msg("date.empty", "empty date")
	}
	if strings.ContainsAny(s, "Tt") && len(s) >= 20 {
		if t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(s)); err == nil {
			return t, true, nil
		}
	}
	if isSerial(s) {
		f, err := strconv.ParseFloat(s, 64)
		if err == nil && f >= minSerial && f < maxSerial {
			days := int(f)
			secs := int((f-float64(days))*86400 + 0.5)
			d := excelEpoch.AddDate(0, 0, days)
			return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, secs, 0, loc), secs != 0, nil
		}
	}
	if t, ok := unixTime(s); ok {
		return t, true, nil
	}
	if (len(s) == 12 || len(s) == 14) && allDigits(s) {
		s = s[:8] + " " + s[8:] // 20240131103000: parseClock reads a clock in digits
	}
	plain := plainDate(s) // the usual 2024-01-31 10:00:00: none of the rarer forms below
	if !plain {
		s = cutWeekday(s)
		if iso, ok := englishDate(s); ok {
			s = iso
		}
	}
	datePart, timePart := splitDateTime(s)
	zoneName := ""
	if !plain || strings.IndexByte(timePart, '-') >= 0 {
		if rest, zone, ok := cutOffset(timePart); ok {
			timePart, loc = rest, zone
		} else if rest, name, ok := cutZoneName(timePart); ok {
			timePart, zoneName = rest, name
		}
	}
	y, m, d, err := parseDate(datePart, order)
	if err != nil {
		return time.Time{}, false, kith.Msg("date.bad", "date %q: %v", s, err)
	}
	var hh, mm, ss, nsec int
	if timePart != "" {
		hh, mm, ss, nsec, err = parseClock(timePart)
		if err != nil {
			return time.Time{}, false, kith.Msg("time.bad", "time %q: %v", s, err)
		}
	}
	t = time.Date(y, time.Month(m), d, hh, mm, ss, nsec, loc)
	if t.Day() != d || int(t.Month()) != m {
		return time.Time{}, false, kith.Msg("date.no_such_day", "date %q: no such day", s)
	}
	if name, _ := t.Zone(); zoneName != "" && name != zoneName {
		// CST is China's in Java's dates from a Chinese server, and also
		// America's Central: the shop's zone (--tz) says which is meant.
		return time.Time{}, false, kith.Msg("time.zone", "time %q: zone %s is not the shop's time zone's (%s, --tz): give --tz the zone the file's times are in", s, zoneName, loc)
	}
	return t, timePart != "", nil
}

// cutZoneName takes a time zone's abbreviation off the end of a time:
// 10:00:00 CST, as Java writes a date. It says nothing of the offset by
// itself (CST is China's and America's Central), so the time is read in
// the shop's zone and must have that abbreviation there.
func cutZoneName(t string) (string, string, bool) {
	i := strings.LastIndexByte(t, ' ')
	if i < 0 {
		return t, "", false
	}
	name := t[i+1:]
	if len(name) < 3 || len(name) > 5 || strings.ContainsFunc(name, func(r rune) bool { return r < 'A' || r > 'Z' }) {
		return t, "", false
	}
	return strings.TrimSpace(t[:i]), name, true
}

// plainDate reports text made of digits and - / : . and spaces only.
func plainDate(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '-', c == '/', c == ':', c == '.', c == ' ':
		default:
			return false
		}
	}
	return true
}

// unixTime reads seconds (10 digits) or milliseconds (13 digits) since
// 1970, as systems that export their database's timestamps write them,
// from 2001-09-09 to 2286: an instant, whatever the shop's time zone.
func unixTime(s string) (time.Time, bool) {
	if (len(s) != 10 && len(s) != 13) || !allDigits(s) {
		return time.Time{}, false
	}
	n, _ := strconv.ParseInt(s, 10, 64)
	if len(s) == 13 {
		return time.UnixMilli(n).UTC(), true
	}
	return time.Unix(n, 0).UTC(), true
}

// weekdays are the day names a long date ends with: 2024年1月31日 星期三.
var weekdays = func() []string {
	var out []string
	for _, p := range []string{"星期", "礼拜", "周"} {
		for _, d := range []string{"一", "二", "三", "四", "五", "六", "日", "天"} {
			out = append(out, p+d)
		}
	}
	return append(out, "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
		"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
}()

// cutWeekday drops a day name from the date's text, with the comma or
// brackets around it: Wed, 31 Jan 2024; 2024年1月31日（星期三）10:00.
func cutWeekday(s string) string {
	if !strings.ContainsAny(s, "星礼周MTWFS") {
		return s
	}
	for _, w := range weekdays {
		if i := strings.Index(s, w); i >= 0 {
			before, after := strings.TrimRight(s[:i], " (（"), strings.TrimLeft(s[i+len(w):], " ,，)）")
			return strings.TrimSpace(before + " " + after)
		}
	}
	return s
}

var monthNames = map[string]int{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
	"sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12, "january": 1, "february": 2, "march": 3, "april": 4,
	"june": 6, "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12}

// englishDate rewrites a date with an English month name as ISO, the rest
// (a time) kept: 31-Jan-2024, 31 Jan 2024, Jan 31 2024, January 31, 2024,
// 2024-Jan-31 (Excel's dd-mmm-yyyy and mmm d, yyyy formats as text). The
// name says which number is the month, so no day/month order is needed.
func englishDate(s string) (string, bool) {
	if !strings.ContainsAny(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		return "", false
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '-' || r == '/' || r == '.' })
	if len(fields) < 3 {
		return "", false
	}
	month, at := 0, -1
	for i, f := range fields[:3] {
		if m, ok := monthNames[strings.ToLower(f)]; ok {
			month, at = m, i
		}
	}
	if at < 0 {
		return "", false
	}
	if at == 0 && len(fields) >= 4 && strings.Contains(fields[2], ":") && len(fields[len(fields)-1]) == 4 && allDigits(fields[len(fields)-1]) {
		// Java's and C's way, the year last: Mar 01 10:00:00 CST 2024
		// (Fri first, cut before).
		last := fields[len(fields)-1]
		rest := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s[strings.Index(s, fields[1])+len(fields[1]):]), last))
		if len(fields[1]) > 2 || !allDigits(fields[1]) || !strings.Contains(rest, ":") {
			return "", false
		}
		return last + "-" + strconv.Itoa(month) + "-" + fields[1] + " " + rest, true
	}
	var nums []string
	for i, f := range fields[:3] {
		if i != at {
			if !allDigits(f) {
				return "", false
			}
			nums = append(nums, f)
		}
	}
	year, day := nums[1], nums[0] // 31 Jan 2024, Jan 31 2024
	if len(nums[0]) == 4 {
		year, day = nums[0], nums[1] // 2024-Jan-31
	}
	if len(year) != 4 || len(day) > 2 {
		return "", false
	}
	// The time is what follows the third field in the text.
	rest := s
	for _, f := range fields[:3] {
		rest = rest[strings.Index(rest, f)+len(f):]
	}
	iso := year + "-" + strconv.Itoa(month) + "-" + day
	if rest = strings.TrimLeft(rest, " ,"); rest != "" {
		iso += " " + rest
	}
	return iso, true
}

// cutOffset takes a UTC offset or zone off the end of a time: 10:00:00
// +0800 (Shopify's export), 10:00:00+08:00, 10:00 UTC, 10:00 GMT+8. The
// time is then in that zone, not the shop's.
func cutOffset(t string) (string, *time.Location, bool) {
	// An offset and then its zone's name, as Go and date(1) write a time
	// (14:30:00 +0800 CST): the offset says which zone; the name is a label.
	if r, _, ok := cutZoneName(t); ok {
		if r, loc, ok := cutOffset(r); ok {
			return r, loc, true
		}
	}
	rest, secs, found := t, 0, false
	if i := strings.LastIndexAny(t, "+-"); i > 0 {
		off := strings.ReplaceAll(t[i+1:], ":", "")
		if allDigits(off) && len(off) != 3 && len(off) <= 4 {
			hh, _ := strconv.Atoi(off[:min(2, len(off))])
			mm := 0
			if len(off) == 4 {
				mm, _ = strconv.Atoi(off[2:])
			}
			if hh <= 14 && mm <= 59 {
				rest, secs, found = t[:i], (hh*60+mm)*60, true
				if t[i] == '-' {
					secs = -secs
				}
			}
		}
	}
	rest = strings.TrimSpace(rest)
	for _, z := range []string{"UTC", "GMT", "Z", "z"} {
		if r, ok := strings.CutSuffix(rest, z); ok && r != "" {
			rest, found = strings.TrimSpace(r), true
			break
		}
	}
	if !found {
		return t, nil, false
	}
	return rest, time.FixedZone("", secs), true
}

// Excel serials are read as dates from 1927-05-18 (10000) to 2099-12-31:
// smaller numbers are years or months ("2024", "2024.03" would be 1905),
// larger ones are yyyymm or typos, not the dates of a shop.
const (
	minSerial = 10000
	maxSerial = 73051
)

// isSerial reports whether s looks like an Excel serial: 1-7 digits and an
// optional fraction. Eight digits are yyyymmdd instead.
func isSerial(s string) bool {
	intPart, frac, _ := strings.Cut(s, ".")
	if len(intPart) == 0 || len(intPart) > 7 {
		return false
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false
			}
		}
	}
	return true
}

func splitDateTime(s string) (string, string) {
	if i := strings.IndexAny(s, " T"); i > 0 {
		return s[:i], strings.TrimSpace(s[i+1:])
	}
	if i := strings.Index(s, "日"); i > 0 && i+len("日") < len(s) {
		return s[:i+len("日")], strings.TrimSpace(s[i+len("日"):])
	}
	return s, ""
}

func parseDate(s string, order DateOrder) (y, m, d int, err error) {
	if len(s) == 8 && allDigits(s) {
		y, _ = strconv.Atoi(s[:4])
		m, _ = strconv.Atoi(s[4:6])
		d, _ = strconv.Atoi(s[6:])
		return y, m, d, checkYMD(y, m, d)
	}
	if strings.Contains(s, "年") {
		s = dateMarks.Replace(s)
	}
	var buf [4]string // the Seq forms fill it without allocating: this runs per row
	parts := buf[:0]
	for p := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == '-' || r == '/' || r == '.' }) {
		if len(parts) == len(buf) {
			break
		}
		parts = append(parts, p)
	}
	if len(parts) != 3 {
		return 0, 0, 0, kith.Msg("date.parts", "want year, month and day")
	}
	n := [3]int{}
	for i, p := range parts {
		if !allDigits(p) || len(p) > 4 {
			return 0, 0, 0, kith.Msg("number.not", "%q is not a number", p)
		}
		n[i], _ = strconv.Atoi(p)
	}
	switch {
	case len(parts[0]) == 4:
		y, m, d = n[0], n[1], n[2]
	case len(parts[2]) == 4:
		y = n[2]
		switch order {
		case DateDMY:
			d, m = n[0], n[1]
		case DateMDY:
			m, d = n[0], n[1]
		default:
			switch {
			case n[0] > 12 && n[1] <= 12:
				d, m = n[0], n[1]
			case n[1] > 12 && n[0] <= 12:
				m, d = n[0], n[1]
			default:
				return 0, 0, 0, kith.Msg("date.ambiguous", "ambiguous day/month order: pass --date-order dmy or mdy")
			}
		}
	default:
		return 0, 0, 0, kith.Msg("date.year", "want a four-digit year")
	}
	return y, m, d, checkYMD(y, m, d)
}

func checkYMD(y, m, d int) error {
	if y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31 {
		return kith.Msg("range", "out of range")
	}
	return nil
}

// Replacers are built once: building one per call showed in import profiles.
var (
	clockMarks = strings.NewReplacer("时", ":", "分", ":", "秒", "")
	dateMarks  = strings.NewReplacer("年", "-", "月", "-", "日", "", "号", "")
)

// dayParts are the words before a clock that say which half of the day
// it is in: 下午3点, 晚上8:30; noon: 中午12点 is 12:00, 中午1点 13:00.
var dayParts = []struct {
	word     string
	pm, noon bool
}{
	{"下午", true, false}, {"晚上", true, false}, {"傍晚", true, false}, {"夜里", true, false},
	{"上午", false, false}, {"早上", false, false}, {"早晨", false, false}, {"凌晨", false, false},
	{"中午", false, true},
}

func parseClock(s string) (hh, mm, ss, nsec int, err error) {
	// A Chinese hour: 3点, 3点半, 15点30分, 15时; the hour alone is on
	// the hour.
	hourMark, half := false, false
	if strings.Contains(s, "点") {
		hourMark = true
		if t, ok := strings.CutSuffix(s, "点半"); ok {
			s, half = t+"点", true
		}
		s = strings.Replace(strings.TrimSuffix(s, "钟"), "点", ":", 1)
	}
	if strings.ContainsAny(s, "时分秒") {
		hourMark = hourMark || strings.Contains(s, "时")
		s = clockMarks.Replace(s)
	}
	s = strings.TrimSuffix(strings.TrimSuffix(s, "Z"), "z")
	pm, am, noon := false, false, false
	upper := strings.ToUpper(s)
	if strings.HasSuffix(upper, "PM") || strings.HasSuffix(upper, "AM") {
		pm = strings.HasSuffix(upper, "PM")
		am = !pm
		s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(upper, "PM"), "AM"))
	}
	for _, dp := range dayParts {
		if t, ok := strings.CutPrefix(s, dp.word); ok {
			s, pm, am, noon = strings.TrimSpace(t), dp.pm, !dp.pm && !dp.noon, dp.noon
			break
		}
	}
	if len(s) == 4 || len(s) == 6 {
		// A clock in digits after a date and a space, as some tills
		// write it: 20240131 103000.
		if allDigits(s) {
			c := s[:2] + ":" + s[2:4]
			if len(s) == 6 {
				c += ":" + s[4:]
			}
			s = c
		}
	}
	if hourMark && !strings.Contains(strings.TrimSuffix(s, ":"), ":") {
		if half {
			s = strings.TrimSuffix(s, ":") + ":30"
		} else {
			s = strings.TrimSuffix(s, ":") + ":00"
		}
	}
	var buf [4]string
	parts := buf[:0]
	for p := range strings.SplitSeq(strings.TrimSuffix(s, ":"), ":") {
		if len(parts) == len(buf) {
			break
		}
		parts = append(parts, p)
	}
	if len(parts) < 2 || len(parts) > 3 {
		return 0, 0, 0, 0, kith.Msg("time.parts", "want hh:mm or hh:mm:ss")
	}
	vals := [3]int{}
	for i, p := range parts {
		if i == 2 {
			sec, frac, _ := strings.Cut(p, ".")
			p = sec
			if frac != "" {
				if !allDigits(frac) || len(frac) > 9 {
					return 0, 0, 0, 0, kith.Msg("time.fraction", "bad fraction of a second")
				}
				f, _ := strconv.Atoi((frac + "000000000")[:9])
				nsec = f
			}
		}
		if !allDigits(p) || len(p) > 2 || p == "" {
			return 0, 0, 0, 0, kith.Msg("number.not", "%q is not a number", p)
		}
		vals[i], _ = strconv.Atoi(p)
	}
	hh, mm, ss = vals[0], vals[1], vals[2]
	if pm && hh < 12 || noon && hh < 11 {
		hh += 12
	}
	if am && hh == 12 {
		hh = 0
	}
	if hh > 23 || mm > 59 || ss > 60 {
		return 0, 0, 0, 0, kith.Msg("range", "out of range")
	}
	return hh, mm, ss, nsec, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// unsetWords are what a cell says when nobody filled it in.
var unsetWords = []string{"-", "--", "—", "/", "无", "暂无", "未知", "不详", "保密", "未设置", "未填写", "空",
	"n/a", "na", "null", "none", "nil", "unknown"}

// noValue reports a cell left blank, or one that says nothing was filled
// in: a word for none, or dashes and slashes only (--, —, /).
func noValue(s string) bool {
	s = strings.TrimSpace(s)
	return strings.Trim(s, "-—/ ") == "" || slices.Contains(unsetWords, strings.ToLower(s))
}

// unsetDate reports a date cell that stands for no date: a word for
// unknown (未知, 保密, -, N/A), or zeros, as a database writes a date
// never set (MySQL's 0000-00-00 00:00:00, a serial 0).
func unsetDate(s string) bool {
	if s != "" && s[0] >= '1' && s[0] <= '9' {
		return false // the usual case: a date
	}
	s = strings.TrimSpace(money.Narrow(s))
	if noValue(s) {
		return s != ""
	}
	return strings.Trim(s, "0-/:. ") == ""
}

// placeholderDay reports the days systems put where they have no date: the
// Unix epoch (a timestamp of 0, written 1970-01-01 08:00:00 in China's
// zone) and SQL Server's and Excel's day 1, 1900-01-01. No order was placed
// and no account made on either.
func placeholderDay(t time.Time) bool {
	u := t.Unix()
	if u >= 86400 {
		return false // the usual case, without working out the day
	}
	if u > -86400 {
		return true
	}
	y, m, d := t.Date()
	return y == 1900 && m == time.January && d == 1
}
