package importer

import (
	"fmt"
	"testing"
)

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

func TestDurationsAndCounts(t *testing.T) {
	parser := func(v string) *rowParser {
		return &rowParser{m: &Mapping{Index: map[string]int{"f": 0}}, cells: []string{v}}
	}
	for in, want := range map[string]int64{
		"30": 30, "30天": 30, "30 日": 30, "2周": 14, "3个月": 90, "3月": 90, "2年": 730, "1.5年": 548, "90 days": 90,
		"6 Months": 180, "1 year": 365, "2w": 14, "45.5": 46, "３０天": 30, "": 0,
	} {
		if got, cerr := parser(in).days("f"); cerr != nil || got != want {
			t.Errorf("days(%q) = %d, %v; want %d", in, got, cerr, want)
		}
	}
	for _, in := range []string{"soon", "天", "30 fortnights", "1e300年", "3个"} {
		if got, cerr := parser(in).days("f"); cerr == nil {
			t.Errorf("days(%q) = %d, want an error", in, got)
		}
	}
	for in, want := range map[string]int64{"1234": 1234, "1,234": 1234, "1234.0": 1234, "1.2万": 12000, "3 万": 30000, "0.5亿": 50000000, "１２": 12} {
		if got, cerr := parser(in).int("f"); cerr != nil || got != want {
			t.Errorf("int(%q) = %d, %v; want %d", in, got, cerr, want)
		}
	}
	for _, in := range []string{"1.5", "1.23456万", "万", "12k", "abc"} {
		if got, cerr := parser(in).int("f"); cerr == nil {
			t.Errorf("int(%q) = %d, want an error", in, got)
		}
	}
}

// FuzzParseBirthday: any text gives a well-formed birthday or an error.
func FuzzParseBirthday(f *testing.F) {
	for _, s := range []string{"1990-08-15", "农历八月十五", "腊月廿三", "８月１５日", "十二月三十日", "初一", "月", "二十月卅"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, _, err := parseBirthday(s, DateAuto)
		if err != nil {
			return
		}
		var y, m, d int
		if n, _ := fmt.Sscanf(got, "%04d-%02d-%02d", &y, &m, &d); n != 3 || len(got) != 10 || m < 1 || m > 12 || d < 1 || d > 31 {
			t.Fatalf("parseBirthday(%q) = %q", s, got)
		}
	})
}
