package clv

import "testing"

func TestModelTitle(t *testing.T) {
	for _, c := range []struct {
		m    ModelName
		want string
	}{{BGNBD, "BG/NBD"}, {PNBD, "Pareto/NBD"}, {MBGNBD, "MBG/NBD"}, {"other", "other"}} {
		if got := c.m.Title(); got != c.want {
			t.Errorf("%q.Title() = %q, want %q", c.m, got, c.want)
		}
	}
}
