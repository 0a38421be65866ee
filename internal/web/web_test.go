package web

import (
	"fmt"
	"html"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/kithcrm/kith/internal/analytics/kpi"
	"github.com/kithcrm/kith/internal/analytics/rfm"
	"github.com/kithcrm/kith/internal/i18n"
	"github.com/kithcrm/kith/internal/importer"
	"github.com/kithcrm/kith/internal/kith"
	"github.com/kithcrm/kith/internal/report"
)

// TestTemplatesUseCatalogKeys: every message a template or page names
// exists in both languages, including the families built at run time.
func TestTemplatesUseCatalogKeys(t *testing.T) {
	static := regexp.MustCompile(`(?:\bt (?:\$l|\.Lang)|i18n\.T\([\w.]+,) "([a-z_.0-9]+)"`)
	dynamic := regexp.MustCompile(`\(print "([a-z_.]+\.)"`)
	families := map[string][]string{
		"web.role.":   {"admin", "manager", "rep"},
		"web.period.": {"week", "month", "quarter"},
		"web.status.": {"paid", "refunded", "cancelled"},
		"segment.":    nil,
		"class.":      {string(report.Core), string(report.WinThem), string(report.Grow), string(report.WatchFor)},
		"web.kind.":   nil,
		"web.field.":  {"name", "email", "password"},
	}
	for _, s := range rfm.Segments {
		families["segment."] = append(families["segment."], string(s))
	}
	for _, k := range importer.Kinds {
		families["web.kind."] = append(families["web.kind."], string(k))
	}
	for _, c := range families["class."] {
		families["class."] = append(families["class."], c+".action")
	}
	var keys []string
	files, _ := fs.Glob(templateFS, "templates/*.html")
	for _, f := range files {
		b, _ := fs.ReadFile(templateFS, f)
		for _, m := range static.FindAllSubmatch(b, -1) {
			keys = append(keys, string(m[1]))
		}
		for _, m := range dynamic.FindAllSubmatch(b, -1) {
			fam, ok := families[string(m[1])]
			if !ok {
				t.Errorf("%s builds keys from %q: add the family to this test", f, m[1])
			}
			for _, v := range fam {
				keys = append(keys, string(m[1])+v)
			}
		}
	}
	if len(keys) < 100 {
		t.Fatalf("found only %d keys: the scan is broken", len(keys))
	}
	for _, k := range keys {
		for _, l := range []i18n.Lang{i18n.EN, i18n.ZhCN} {
			if !i18n.Has(l, k) {
				t.Errorf("%s: no %q message", l, k)
			}
		}
	}
}

func TestFormatting(t *testing.T) {
	d := time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		got, want string
	}{
		{formatDate(i18n.EN, d), "Mar 7, 2026"},
		{formatDate(i18n.ZhCN, d), "2026年3月7日"},
		{formatDate(i18n.ZhCN, time.Time{}), ""},
		{groupDigits("1234567"), "1,234,567"},
		{groupDigits("-1000"), "-1,000"},
		{groupDigits("999"), "999"},
		{pct(i18n.ZhCN, kpi.Ratio{}), i18n.T(i18n.ZhCN, "report.undefined")},
		{pct(i18n.EN, kpi.Ratio{Value: 0.1234, Valid: true}), "12.3%"},
		{safeNext("//evil.example/x"), "/"},
		{safeNext(`/\evil.example`), "/"},
		{safeNext("https://evil.example"), "/"},
		{safeNext("/customers?q=1"), "/customers?q=1"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if c := intCard("k", 110, 100, true); c.Change != "+10.0%" || !c.Up || !c.Good {
		t.Errorf("card %+v", c)
	}
	if c := ratioCard(i18n.EN, "k", kpi.Ratio{Value: 0.2, Valid: true}, kpi.Ratio{Value: 0.25, Valid: true}, func(kpi.Ratio) string { return "" }, false); c.Change != "-20.0%" || c.Up || !c.Good {
		t.Errorf("falling churn card %+v", c)
	}
	if c := ratioCard(i18n.EN, "k", kpi.Ratio{Value: 1, Valid: true}, kpi.Ratio{}, func(kpi.Ratio) string { return "" }, true); c.Change != "" {
		t.Errorf("change against an undefined figure: %+v", c)
	}
	if !strings.Contains(i18n.T(i18n.ZhCN, "web.dashboard"), "总览") {
		t.Error("zh-CN dashboard heading")
	}
}

// A binary built without make lacks the vendor scripts: MissingAssets names
// them and every page says so in its language.
func TestMissingAssets(t *testing.T) {
	all := fstest.MapFS{"vendor/htmx.min.js": {}, "vendor/echarts.min.js": {}}
	if m := MissingAssets(all); m != nil {
		t.Errorf("all present: missing %v", m)
	}
	if m := MissingAssets(fstest.MapFS{"vendor/htmx.min.js": {}}); !slices.Equal(m, []string{"vendor/echarts.min.js"}) {
		t.Errorf("no echarts: missing %v", m)
	}
	u, err := New(nil, nil, time.UTC, time.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	for _, missing := range []string{"", "vendor/echarts.min.js"} {
		u.missing = missing
		for _, l := range []i18n.Lang{i18n.EN, i18n.ZhCN} {
			r := httptest.NewRequest("GET", "/nowhere", nil)
			r.AddCookie(&http.Cookie{Name: LangCookie, Value: string(l)})
			w := httptest.NewRecorder()
			u.fail(w, r, fmt.Errorf("page: %w", kith.ErrNotFound))
			banner := html.EscapeString(i18n.T(l, "web.assets_missing", "vendor/echarts.min.js"))
			if got := strings.Contains(w.Body.String(), banner); got != (missing != "") {
				t.Errorf("%s, missing %q: banner shown %v", l, missing, got)
			}
		}
	}
}
