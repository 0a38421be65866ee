package cli

import (
	"strings"
	"testing"
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
