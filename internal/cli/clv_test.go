package cli

import (
	"strings"
	"testing"
	"time"
)

func TestParseHorizon(t *testing.T) {
	for _, c := range []struct {
		in   string
		days float64 // 0: refused
	}{
		{"365d", 365}, {"365", 365}, {"52w", 364}, {"12m", 365}, {"1y", 365}, {" 2Y ", 731}, {"10y", 3653}, {"1d", 1},
		{"0d", 0}, {"-1y", 0}, {"11y", 0}, {"100y", 0}, {"3654d", 0}, {"0.2d", 0}, {"abc", 0}, {"", 0}, {"y", 0},
	} {
		got, err := parseHorizon(c.in)
		if c.days == 0 {
			if err == nil || !strings.Contains(err.Error(), `"`+c.in+`"`) {
				t.Errorf("parseHorizon(%q) = %v, %v; want an error quoting the input", c.in, got, err)
			}
			continue
		}
		if err != nil || got != c.days {
			t.Errorf("parseHorizon(%q) = %v, %v; want %v days", c.in, got, err, c.days)
		}
	}
}

func TestDayFlag(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	got, err := dayFlag("as-of", "2024-02-29", loc)
	if err != nil || !got.Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, loc)) {
		t.Errorf("dayFlag(2024-02-29) = %v, %v", got, err)
	}
	for _, in := range []string{"2023-02-29", "2024/02/28", "20240228", "", "2024-2-28"} {
		if _, err := dayFlag("as-of", in, loc); err == nil || Code(err) != ExitUsage || !strings.Contains(err.Error(), `--as-of "`+in+`"`) {
			t.Errorf("dayFlag(%q) = %v, want a usage error naming the flag and the input", in, err)
		}
	}
}
