package cli

import "testing"

// The demo's "try next" lines are pasted into a shell as they are.
func TestShellWord(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"kith-demo.db", "kith-demo.db"},
		{"/srv/kith/shop.db", "/srv/kith/shop.db"},
		{"postgres://kith@db:5432/kith", "postgres://kith@db:5432/kith"},
		{"postgres://kith@db/kith?sslmode=disable&application_name=x", "'postgres://kith@db/kith?sslmode=disable&application_name=x'"},
		{"my shop.db", "'my shop.db'"},
		{"店铺.db", "'店铺.db'"},
		{"it's.db", `'it'\''s.db'`},
		{"", "''"},
	} {
		if got := shellWord(c.in); got != c.want {
			t.Errorf("shellWord(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}
