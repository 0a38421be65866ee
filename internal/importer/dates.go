package importer

import (
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
	s = strings.TrimSpace(money.Narrow(s))
	if s == "" {
		return time.Time{}, false, kith.Msg("date.empty", "empty date")
	}
	if loc == nil {
		loc = time.UTC
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
	datePart, timePart := splitDateTime(s)
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
	return t, timePart != "", nil
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

func parseClock(s string) (hh, mm, ss, nsec int, err error) {
	if strings.ContainsAny(s, "时分秒") {
		s = clockMarks.Replace(s)
	}
	s = strings.TrimSuffix(strings.TrimSuffix(s, "Z"), "z")
	pm, am := false, false
	upper := strings.ToUpper(s)
	if strings.HasSuffix(upper, "PM") || strings.HasSuffix(upper, "AM") || strings.HasPrefix(s, "下午") || strings.HasPrefix(s, "上午") {
		pm = strings.HasSuffix(upper, "PM") || strings.HasPrefix(s, "下午")
		am = !pm
		s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(upper, "下午"), "上午"), "PM"), "AM"))
		s = strings.TrimPrefix(strings.TrimPrefix(s, "下午"), "上午")
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
	if pm && hh < 12 {
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
