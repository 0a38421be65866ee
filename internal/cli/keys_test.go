package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/kithcrm/kith/internal/analytics/rfm"
	"github.com/kithcrm/kith/internal/i18n"
	"github.com/kithcrm/kith/internal/report"
)

// TestMessageKeysExist: every message key the commands use, literal or built
// from a known list, is in both catalogs (a missing one would print itself).
func TestMessageKeysExist(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	literal := regexp.MustCompile(`a\.t\("([a-z0-9_.]+)"`)
	keys := map[string]bool{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			if m[1][len(m[1])-1] != '.' { // a prefix completed at run time: listed below
				keys[m[1]] = true
			}
		}
	}
	if len(keys) < 50 {
		t.Fatalf("found only %d keys: the scan is broken", len(keys))
	}
	for _, s := range rfm.Segments {
		keys["segment."+string(s)] = true
	}
	for _, c := range report.Classes {
		keys["class."+string(c)] = true
		keys["class."+string(c)+".action"] = true
	}
	for _, k := range []string{"driver.visitors", "driver.conversion", "driver.buyers", "driver.aov", "driver.purchases_per_buyer",
		"status.paid", "status.refunded", "status.cancelled", "gender.male", "gender.female", "gender.other"} {
		keys[k] = true
	}
	for k := range keys {
		for _, l := range []i18n.Lang{i18n.EN, i18n.ZhCN} {
			if !i18n.Has(l, k) {
				t.Errorf("%s lacks %q", l, k)
			}
		}
	}
}
