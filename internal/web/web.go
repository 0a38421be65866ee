// Package web is kith's browser UI: server-rendered html/template pages
// that work without JavaScript, enhanced by htmx (live search) and drawn by
// Apache ECharts (charts). Every visible word comes from the i18n catalogs;
// the language is a cookie, else the browser's Accept-Language.
package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kithcrm/kith/internal/account"
	"github.com/kithcrm/kith/internal/analytics/clv"
	"github.com/kithcrm/kith/internal/analytics/kpi"
	"github.com/kithcrm/kith/internal/httpapi"
	"github.com/kithcrm/kith/internal/i18n"
	"github.com/kithcrm/kith/internal/money"
)

//go:embed templates
var templateFS embed.FS

// Static holds app.css, app.js and, copied there by `make assets` from
// node_modules, vendor/echarts.min.js and vendor/htmx.min.js.
//
//go:embed static
var Static embed.FS

// vendorAssets are the scripts `make` copies from npm into static/vendor. A
// binary built by plain `go build` or `go install` has none of them, and its
// pages would show no charts and no partial updates without saying why.
var vendorAssets = []string{"vendor/htmx.min.js", "vendor/echarts.min.js"}

// MissingAssets lists the vendor scripts absent from static (the embedded
// static folder, or a stand-in in tests).
func MissingAssets(static fs.FS) []string {
	var missing []string
	for _, name := range vendorAssets {
		if _, err := fs.Stat(static, name); err != nil {
			missing = append(missing, name)
		}
	}
	return missing
}

// StaticFS is the embedded static folder, as served under /static/.
func StaticFS() fs.FS {
	sub, _ := fs.Sub(Static, "static")
	return sub
}

// Cookie names.
const (
	SessionCookie = "kith_session"
	LangCookie    = "kith_lang"
	// preCSRFCookie carries the double-submit token of the sign-in and
	// setup forms, which are posted before any session exists.
	preCSRFCookie = "kith_csrf"
)

// UI serves the pages.
type UI struct {
	api   *httpapi.API
	acct  *account.Service
	log   *slog.Logger
	pages map[string]*template.Template
	loc   *time.Location
	now   func() time.Time
	// missing are the vendor scripts this binary lacks (MissingAssets).
	missing string
	// Demo, when set, is shown on the sign-in page (kith serve on the demo
	// shop prints and shows its sign-in).
	Demo string
}

// New parses the templates.
func New(api *httpapi.API, acct *account.Service, loc *time.Location, now func() time.Time, log *slog.Logger) (*UI, error) {
	u := &UI{api: api, acct: acct, log: log, loc: loc, now: now, pages: map[string]*template.Template{},
		missing: strings.Join(MissingAssets(StaticFS()), ", ")}
	if u.missing != "" {
		log.Warn("this binary was built without the web UI's scripts: no charts; build kith with make build", "missing", u.missing)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
		u.pages[name] = t
	}
	return u, nil
}

// funcs are the template helpers; those that depend on the language take
// it as the first argument (templates pass .Lang).
var funcs = template.FuncMap{
	"t":   func(l i18n.Lang, key string, args ...any) string { return i18n.T(l, key, args...) },
	"msg": i18n.Message,
	// withLang hands a sub-template the page's language with its value.
	"withLang": func(l i18n.Lang, v any) struct {
		L i18n.Lang
		V any
	} {
		return struct {
			L i18n.Lang
			V any
		}{l, v}
	},
	"money": func(minor int64, cur string) string {
		return money.Money{Minor: minor, Currency: cur}.String()
	},
	"ratioMoney": ratioMoney,
	"modelTitle": func(m string) string { return clv.ModelName(m).Title() },
	"pct":        pct,
	"share":      func(v float64) string { return strconv.FormatFloat(100*v, 'f', 1, 64) + "%" },
	"num":        num,
	"int":        func(n int) string { return groupDigits(strconv.Itoa(n)) },
	"date":       formatDate,
	"sub":        func(a, b int) int { return a - b },
	"list":       func(s ...string) []string { return s },
	"pct100":     func(v float64) float64 { return 100 * v },
	"deref":      func(p *int64) int64 { return *p },
	"ltvLast": func(v []float64) int64 {
		if len(v) == 0 {
			return 0
		}
		return int64(v[len(v)-1] + 0.5)
	},
	"seq": func(n int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = i
		}
		return s
	},
}

// groupDigits groups a signed integer's digits: "-1000" -> "-1,000".
func groupDigits(s string) string {
	if d, ok := strings.CutPrefix(s, "-"); ok {
		return "-" + money.GroupDigits(d)
	}
	return money.GroupDigits(s)
}

// ratioMoney, pct and num show a ratio (money in minor units, a share, a
// plain number), or "undefined" in the page's language.
func ratioMoney(l i18n.Lang, r kpi.Ratio, cur string) string {
	if !r.Valid {
		return i18n.T(l, "report.undefined")
	}
	return money.Money{Minor: int64(r.Value + 0.5), Currency: cur}.String()
}

func pct(l i18n.Lang, r kpi.Ratio) string {
	if !r.Valid {
		return i18n.T(l, "report.undefined")
	}
	return strconv.FormatFloat(100*r.Value, 'f', 1, 64) + "%"
}

func num(l i18n.Lang, r kpi.Ratio, digits int) string {
	if !r.Valid {
		return i18n.T(l, "report.undefined")
	}
	return strconv.FormatFloat(r.Value, 'f', digits, 64)
}

// formatDate writes a date the way each language writes it.
func formatDate(l i18n.Lang, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if l == i18n.ZhCN {
		return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
	}
	return t.Format("Jan 2, 2006")
}

// Lang picks the request's language: the cookie, else Accept-Language.
func Lang(r *http.Request) i18n.Lang {
	if c, err := r.Cookie(LangCookie); err == nil {
		if l, err := i18n.Parse(c.Value); err == nil {
			return l
		}
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.TrimSpace(strings.SplitN(part, ";", 2)[0])
		if strings.HasPrefix(strings.ToLower(tag), "zh") {
			return i18n.ZhCN
		}
		if strings.HasPrefix(strings.ToLower(tag), "en") {
			return i18n.EN
		}
	}
	return i18n.EN
}

// page is what every template gets.
type page struct {
	Lang   i18n.Lang
	Title  string
	Nav    string
	User   *account.User
	CSRF   string
	Path   string
	Error  string
	Notice string
	// MissingAssets names the vendor scripts the binary was built without.
	MissingAssets string
	Data          any
	// Charts is the JSON the page's charts draw from.
	Charts template.JS
}

func (u *UI) newPage(r *http.Request, nav, titleKey string) *page {
	l := Lang(r)
	p := &page{Lang: l, Nav: nav, Title: i18n.T(l, titleKey), User: account.UserFrom(r.Context()), Path: r.URL.RequestURI(),
		MissingAssets: u.missing}
	if s := account.SessionFrom(r.Context()); s != "" {
		p.CSRF = account.CSRFToken(s)
	}
	return p
}

// charts sets the page's chart data; json.Marshal escapes <, > and &, so
// the result is safe inside a script element.
func (p *page) charts(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	p.Charts = template.JS(b)
	return nil
}

func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	// "page#block" renders one block of a page (htmx partial updates).
	name, block, _ := strings.Cut(name, "#")
	t, ok := u.pages[name]
	if !ok {
		u.fail(w, r, fmt.Errorf("no template %q", name))
		return
	}
	if block == "" {
		block = "layout.html"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, p); err != nil {
		u.log.ErrorContext(r.Context(), "render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail shows an error page with the API's status for the error's kind.
func (u *UI) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, code := httpapi.Status(err)
	p := u.newPage(r, "", "web.error")
	msg := i18n.Error(p.Lang, err)
	if status == http.StatusInternalServerError {
		u.log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "err", err)
		msg = i18n.T(p.Lang, "web.internal_error")
	}
	if code == "forbidden" {
		msg = i18n.T(p.Lang, "web.forbidden")
	}
	if code == "busy" {
		msg = i18n.T(p.Lang, "web.busy")
		w.Header().Set("Retry-After", httpapi.BusyRetry)
	}
	p.Error = msg
	p.Data = status
	u.render(w, r, status, "error", p)
}

// Routes lists the pages. Public ones (sign-in, setup, language, static)
// need no session.
func (u *UI) Routes() []httpapi.Route {
	files := http.StripPrefix("/static/", cacheStatic(http.FileServerFS(StaticFS())))
	return []httpapi.Route{
		{Method: "GET", Path: "/static/", Public: true, Handler: files.ServeHTTP},
		{Method: "GET", Path: "/login", Public: true, Handler: u.loginPage},
		{Method: "POST", Path: "/login", Public: true, Handler: u.login},
		{Method: "GET", Path: "/setup", Public: true, Handler: u.setupPage},
		{Method: "POST", Path: "/setup", Public: true, Handler: u.setup},
		{Method: "GET", Path: "/lang/{lang}", Public: true, Handler: u.setLang},
		{Method: "POST", Path: "/logout", Handler: u.logout},
		{Method: "GET", Path: "/{$}", Handler: u.dashboard},
		{Method: "GET", Path: "/cohorts", Handler: u.cohorts},
		{Method: "GET", Path: "/segments", Handler: u.segments},
		{Method: "GET", Path: "/pareto", Handler: u.pareto},
		{Method: "GET", Path: "/channels", Handler: u.channels},
		{Method: "GET", Path: "/customers", Handler: u.customers},
		{Method: "GET", Path: "/customers/{id}", Handler: u.customer},
		{Method: "GET", Path: "/import", Handler: u.importPage},
		{Method: "POST", Path: "/import", Handler: u.importFile},
		{Method: "GET", Path: "/import/{id}/rejects", Handler: u.rejects},
	}
}

// cacheStatic lets browsers keep assets for a day: they change only with
// the binary.
func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.ServeHTTP(w, r)
	})
}

// setLang stores the language preference and goes back.
func (u *UI) setLang(w http.ResponseWriter, r *http.Request) {
	l, err := i18n.Parse(r.PathValue("lang"))
	if err != nil {
		l = i18n.EN
	}
	http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: IsTLS(r)})
	http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
}

// safeNext keeps redirects on this site: a local absolute path only.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) {
		return "/"
	}
	return next
}

// IsTLS says whether the client reached us over TLS (directly or through a
// proxy that says so), for the cookies' Secure flag.
func IsTLS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}
