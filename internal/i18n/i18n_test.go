package i18n

import (
	"sort"
	"strings"
	"testing"
)

// TestCatalogsComplete fails when a key exists in one language only, or when
// the two translations take a different number of arguments.
func TestCatalogsComplete(t *testing.T) {
	en, zh := Keys(EN), Keys(ZhCN)
	sort.Strings(en)
	sort.Strings(zh)
	for _, k := range en {
		z, ok := catalog[ZhCN][k]
		if !ok {
			t.Errorf("zh-CN lacks %q", k)
			continue
		}
		if a, b := strings.Count(catalog[EN][k], "%"), strings.Count(z, "%"); a != b {
			t.Errorf("%q: en has %d verbs, zh-CN %d", k, a, b)
		}
	}
	for _, k := range zh {
		if _, ok := catalog[EN][k]; !ok {
			t.Errorf("en lacks %q", k)
		}
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]Lang{"zh_CN.UTF-8": ZhCN, "zh-CN": ZhCN, "en_US": EN, "": EN, "C": EN} {
		if got, _ := Parse(in); got != want {
			t.Errorf("Parse(%q) = %q, want %q", in, got, want)
		}
	}
	if _, err := Parse("fr"); err == nil {
		t.Error("Parse(fr) should fail")
	}
}
