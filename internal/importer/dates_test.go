package importer

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	tests := []struct {
		in      string
		order   DateOrder
		want    string // RFC 3339 in UTC
		hasTime bool
		wantErr bool
	}{
		{"2024-01-31", DateAuto, "2024-01-30T16:00:00Z", false, false},
		{"2024/1/31", DateAuto, "2024-01-30T16:00:00Z", false, false},
		{"20240131", DateAuto, "2024-01-30T16:00:00Z", false, false},
		{"2024年1月31日", DateAuto, "2024-01-30T16:00:00Z", false, false},
		{"２０２４－０１－３１", DateAuto, "2024-01-30T16:00:00Z", false, false},
		{"２０２４年１月３１日　１３：０５", DateAuto, "2024-01-31T05:05:00Z", true, false},
		{"2024年1月31日 13:05", DateAuto, "2024-01-31T05:05:00Z", true, false},
		{"2024年1月31日13时05分", DateAuto, "2024-01-31T05:05:00Z", true, false},
		{"31/01/2024", DateDMY, "2024-01-30T16:00:00Z", false, false},
		{"01/31/2024", DateMDY, "2024-01-30T16:00:00Z", false, false},
		{"31/01/2024", DateAuto, "2024-01-30T16:00:00Z", false, false},
		{"12/1/2010 8:26", DateMDY, "2010-12-01T00:26:00Z", true, false},
		{"12/1/2010 8:26 PM", DateMDY, "2010-12-01T12:26:00Z", true, false},
		{"2024-01-31 23:59:59", DateAuto, "2024-01-31T15:59:59Z", true, false},
		{"2024-01-31T23:59:59+08:00", DateAuto, "2024-01-31T15:59:59Z", true, false},
		{"2024-01-31T15:59:59Z", DateAuto, "2024-01-31T15:59:59Z", true, false},
		{"2024-01-31 08:00:00.250", DateAuto, "2024-01-31T00:00:00.25Z", true, false},
		{"45322", DateAuto, "2024-01-30T16:00:00Z", false, false},
		{"45322.5", DateAuto, "2024-01-31T04:00:00Z", true, false},
		{"01/02/2024", DateAuto, "", false, true},
		{"2024-02-30", DateAuto, "", false, true},
		{"2024-13-01", DateAuto, "", false, true},
		{"yesterday", DateAuto, "", false, true},
		{"", DateAuto, "", false, true},
		{"2024-01-31 25:00", DateAuto, "", false, true},
		{"1/2/24", DateDMY, "", false, true},
	}
	for _, tt := range tests {
		got, hasTime, err := ParseTime(tt.in, tt.order, sh)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseTime(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if tt.wantErr {
			continue
		}
		if s := got.UTC().Format(time.RFC3339Nano); s != tt.want || hasTime != tt.hasTime {
			t.Errorf("ParseTime(%q) = %s hasTime=%v, want %s hasTime=%v", tt.in, s, hasTime, tt.want, tt.hasTime)
		}
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2024-01-31", "2024年1月31日 13:05", "45322.5", "31/01/2024", "20240131"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, _, err := ParseTime(s, DateAuto, time.UTC)
		if err == nil && (got.Year() < 1899 || got.Year() > 10000) {
			t.Fatalf("ParseTime(%q) = %v out of range", s, got)
		}
	})
}

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
	} {
		got, lunar, err := parseBirthday(c.in, DateAuto)
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
}

func TestNormGender(t *testing.T) {
	for in, want := range map[string]string{"男": "male", "F": "female", "女士": "female", "未知": "", "保密": "", "": "", "Unknown": "", "非二元": "other"} {
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

// TestSerialRange: only numbers that are a shop's dates read as Excel
// serials; a year or a yyyymm is not 1905 or 2454.
func TestSerialRange(t *testing.T) {
	for _, in := range []string{"2024", "2024.03", "202404", "9999", "73051"} {
		if got, _, err := ParseTime(in, DateAuto, time.UTC); err == nil {
			t.Errorf("ParseTime(%q) = %v, want an error", in, got)
		}
	}
	for in, want := range map[string]string{"10000": "1927-05-18", "45322": "2024-01-31", "73050": "2099-12-31"} {
		got, _, err := ParseTime(in, DateAuto, time.UTC)
		if err != nil || got.Format("2006-01-02") != want {
			t.Errorf("ParseTime(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
}
