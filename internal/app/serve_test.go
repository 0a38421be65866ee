package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/account"
	"github.com/kithcrm/kith/internal/app"
	"github.com/kithcrm/kith/internal/cli"
	"github.com/kithcrm/kith/internal/server"
	"github.com/kithcrm/kith/internal/store"
	"github.com/kithcrm/kith/internal/store/storetest"
)

var (
	demoOnce sync.Once
	demoPath string
	demoErr  error
)

// demoDB returns a copy of a small demo shop (built once per test run).
func demoDB(t *testing.T) string {
	t.Helper()
	demoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kith-serve-test-")
		if err != nil {
			demoErr = err
			return
		}
		demoPath = filepath.Join(dir, "demo.db")
		var out, errOut bytes.Buffer
		code := app.Run(context.Background(), []string{"demo", "--customers", "400", "--seed", "11", "--end", "2026-10-31", "--db", demoPath},
			func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
		if code != 0 {
			demoErr = fmt.Errorf("demo: %d\n%s", code, errOut.String())
		}
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	db := filepath.Join(t.TempDir(), "shop.db")
	b, err := os.ReadFile(demoPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return db
}

// engineDemo returns the demo shop on an engine: a copy of the SQLite one,
// or the same demo generated into a fresh PostgreSQL database.
func engineDemo(t *testing.T, engine string) string {
	t.Helper()
	if engine == "sqlite" {
		return demoDB(t)
	}
	dsn := storetest.DSN(t, engine)
	if code, _, errOut := kith(t, nil, "demo", "--customers", "400", "--seed", "11", "--end", "2026-10-31", "--db", dsn); code != 0 {
		t.Fatalf("demo on %s: %s", engine, errOut)
	}
	return dsn
}

// testServer serves db (migrated) on an httptest server.
type testServer struct {
	*httptest.Server
	st  *store.Store
	srv *server.Server
	db  string
	// uploads is the server's UploadDir.
	uploads string
}

func (ts *testServer) dbPath(*testing.T) string { return ts.db }

func newTestServer(t *testing.T, db string, maxUpload int64) *testServer {
	t.Helper()
	return newTestServerAt(t, db, maxUpload, func() time.Time { return time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC) })
}

// newTestServerAt is newTestServer with the server's clock.
func newTestServerAt(t *testing.T, db string, maxUpload int64, now func() time.Time) *testServer {
	t.Helper()
	st, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	uploads := filepath.Join(t.TempDir(), "uploads")
	h, err := app.Handler(st, cli.ServeOptions{DB: db, MaxUpload: maxUpload, UploadDir: uploads,
		TimeZone: "Asia/Shanghai", Currency: "CNY"}, log, now)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &testServer{Server: ts, st: st, srv: h, db: db, uploads: uploads}
}

// token issues an API token for a demo user.
func (ts *testServer) token(t *testing.T, email string) string {
	t.Helper()
	tok, err := account.NewService(ts.st, time.Now).NewToken(context.Background(), email, "test")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("response is not JSON (%d): %v\n%s", r.status, err, r.body)
	}
	return v
}

func do(t *testing.T, c *http.Client, method, u, token string, body io.Reader, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil && header["Content-Type"] == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if c == nil {
		c = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, b}
}

// browser is a cookie-keeping client signed in through the sign-in form.
type browser struct {
	c    *http.Client
	csrf string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func signIn(t *testing.T, ts *testServer, email, password string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := do(t, c, "GET", ts.URL+"/login", "", nil, nil)
	m := csrfField.FindSubmatch(page.body)
	if page.status != 200 || m == nil {
		t.Fatalf("sign-in page: %d\n%s", page.status, page.body)
	}
	form := url.Values{"email": {email}, "password": {password}, "csrf": {string(m[1])}}
	res := do(t, c, "POST", ts.URL+"/login", "", strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if res.status != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d\n%s", email, res.status, res.body)
	}
	home := do(t, c, "GET", ts.URL+"/customers", "", nil, nil)
	m = csrfField.FindSubmatch(home.body)
	if home.status != 200 || m == nil {
		t.Fatalf("after sign-in: %d\n%s", home.status, home.body)
	}
	return &browser{c: c, csrf: string(m[1])}
}

func TestServeCommand(t *testing.T) {
	db := demoDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	pr, pw := io.Pipe()
	go func() {
		// The server prints its URL on stdout once it listens.
		b := make([]byte, 512)
		n, _ := pr.Read(b)
		if m := regexp.MustCompile(`http://\S+`).Find(b[:n]); m != nil {
			urls <- string(m)
		}
		io.Copy(io.Discard, pr)
	}()
	done := make(chan int, 1)
	go func() {
		done <- app.Run(ctx, []string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--upload-dir", t.TempDir()},
			func(string) string { return "" }, strings.NewReader(""), pw, io.Discard)
	}()
	var base string
	select {
	case base = <-urls:
	case code := <-done:
		t.Fatalf("serve exited with %d before listening", code)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start")
	}
	res := do(t, nil, "GET", base+"healthz", "", nil, nil)
	if res.status != 200 || strings.TrimSpace(string(res.body)) != "ok" {
		t.Fatalf("/healthz: %d %s", res.status, res.body)
	}
	if res := do(t, nil, "GET", base, "", nil, nil); res.status != http.StatusSeeOther || res.header.Get("Location") != "/login" {
		t.Fatalf("/ without a session: %d %v", res.status, res.header)
	}
	cancel() // what SIGINT/SIGTERM do through cmd/kith's signal context
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited with %d after shutdown", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
	pw.Close()
}

func TestSetupOnEmptyDatabase(t *testing.T) {
	ts := newTestServer(t, filepath.Join(t.TempDir(), "empty.db"), 1<<20)
	res := do(t, nil, "GET", ts.URL+"/", "", nil, nil)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/setup" {
		t.Fatalf("first visit: %d %v", res.status, res.header)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := do(t, c, "GET", ts.URL+"/setup", "", nil, nil)
	m := csrfField.FindSubmatch(page.body)
	if page.status != 200 || m == nil {
		t.Fatalf("setup page: %d", page.status)
	}
	post := func(form url.Values) response {
		return do(t, c, "POST", ts.URL+"/setup", "", strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	}
	form := url.Values{"name": {"Boss"}, "email": {"boss@shop.cn"}, "password": {"long enough"}, "password2": {"long enough"}}
	if res := post(form); res.status != http.StatusForbidden {
		t.Fatalf("setup without the CSRF token: %d", res.status)
	}
	form.Set("csrf", string(m[1]))
	bad := url.Values{"name": {"Boss"}, "email": {"boss@shop.cn"}, "password": {"short"}, "password2": {"short"}, "csrf": {string(m[1])}}
	if res := post(bad); res.status != http.StatusBadRequest || !strings.Contains(string(res.body), "8") {
		t.Fatalf("short password: %d\n%s", res.status, res.body)
	}
	// In Chinese, every field's complaint is Chinese.
	bad.Set("email", "boss-at-shop")
	bad.Set("name", " ")
	res = do(t, c, "POST", ts.URL+"/setup", "", strings.NewReader(bad.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "zh-CN"})
	if want := `姓名：姓名不能为空；邮箱：&#34;boss-at-shop&#34; 不是邮箱地址；密码：密码至少需要 8 个字符`; res.status != http.StatusBadRequest || !strings.Contains(string(res.body), want) {
		t.Errorf("setup errors in Chinese: %d, want %s in\n%s", res.status, want, res.body)
	}
	if res := post(form); res.status != http.StatusSeeOther || res.header.Get("Location") != "/" {
		t.Fatalf("setup: %d\n%s", res.status, res.body)
	}
	if res := do(t, c, "GET", ts.URL+"/", "", nil, nil); res.status != 200 {
		t.Fatalf("dashboard of an empty shop after setup: %d\n%s", res.status, res.body)
	}
	if res := post(form); res.status != http.StatusConflict {
		t.Fatalf("second setup: %d", res.status)
	}
	if res := do(t, nil, "GET", ts.URL+"/setup", "", nil, nil); res.status != http.StatusSeeOther {
		t.Fatalf("setup page once an admin exists: %d", res.status)
	}
}

// TestEveryRouteNeedsAuth walks the route table: only the health check,
// sign-in, setup, the language switch, static assets and the OpenAPI
// document answer without a session or token.
func TestEveryRouteNeedsAuth(t *testing.T) {
	ts := newTestServer(t, demoDB(t), 1<<20)
	public := map[string]bool{"GET /healthz": true, "GET /api/v1/openapi.json": true, "GET /login": true, "POST /login": true,
		"GET /setup": true, "POST /setup": true, "GET /lang/{lang}": true, "GET /static/": true}
	routes := ts.srv.Routes()
	if len(routes) < 30 {
		t.Fatalf("only %d routes: the table is incomplete", len(routes))
	}
	for _, r := range routes {
		if r.Public != public[r.Pattern()] {
			t.Errorf("%s: public = %v", r.Pattern(), r.Public)
		}
		if r.Public {
			continue
		}
		path := strings.NewReplacer("{id}", "1", "{$}", "").Replace(r.Path)
		for _, cred := range []struct {
			name   string
			header map[string]string
		}{
			{"none", nil},
			{"forged cookie", map[string]string{"Cookie": "kith_session=forged"}},
			{"forged token", map[string]string{"Authorization": "Bearer kith_forged"}},
			{"not bearer", map[string]string{"Authorization": "Basic b3duZXI6cHc="}},
		} {
			res := do(t, nil, r.Method, ts.URL+path, "", strings.NewReader(""), cred.header)
			if strings.HasPrefix(r.Path, "/api/") {
				if res.status != http.StatusUnauthorized || !strings.Contains(string(res.body), `"unauthorized"`) {
					t.Errorf("%s with %s: %d %s", r.Pattern(), cred.name, res.status, res.body)
				}
			} else if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login") {
				t.Errorf("%s with %s: %d, Location %q", r.Pattern(), cred.name, res.status, res.header.Get("Location"))
			}
		}
	}
}

func TestCSRF(t *testing.T) {
	ts := newTestServer(t, demoDB(t), 1<<20)
	b := signIn(t, ts, "owner@demo.kith", "kith-demo")
	body := `{"name": "CSRF test", "phone": "13912345678"}`
	for _, tc := range []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"no token", nil, http.StatusForbidden},
		{"wrong token", map[string]string{"X-CSRF-Token": "wrong"}, http.StatusForbidden},
		{"cross-site with token", map[string]string{"X-CSRF-Token": b.csrf, "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"token", map[string]string{"X-CSRF-Token": b.csrf}, http.StatusCreated},
	} {
		res := do(t, b.c, "POST", ts.URL+"/api/v1/customers", "", strings.NewReader(body), tc.header)
		if res.status != tc.want {
			t.Errorf("%s: %d, want %d\n%s", tc.name, res.status, tc.want, res.body)
		}
	}
	// Sign-out is a form post: without the token it is refused.
	if res := do(t, b.c, "POST", ts.URL+"/logout", "", strings.NewReader(""), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); res.status != http.StatusForbidden {
		t.Errorf("logout without token: %d", res.status)
	}
	form := url.Values{"csrf": {b.csrf}}
	if res := do(t, b.c, "POST", ts.URL+"/logout", "", strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); res.status != http.StatusSeeOther {
		t.Errorf("logout: %d", res.status)
	}
	if res := do(t, b.c, "GET", ts.URL+"/api/v1/me", "", nil, nil); res.status != http.StatusUnauthorized {
		t.Errorf("session still valid after sign-out: %d", res.status)
	}
	// A bearer token carries no ambient authority: no CSRF token needed.
	tok := ts.token(t, "owner@demo.kith")
	if res := do(t, nil, "POST", ts.URL+"/api/v1/customers", tok, strings.NewReader(`{"name": "token test"}`), nil); res.status != http.StatusCreated {
		t.Errorf("create with a bearer token: %d %s", res.status, res.body)
	}
}

func TestSignInRateLimited(t *testing.T) {
	ts := newTestServer(t, demoDB(t), 1<<20)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := do(t, c, "GET", ts.URL+"/login", "", nil, nil)
	tok := string(csrfField.FindSubmatch(page.body)[1])
	try := func(pw string) int {
		form := url.Values{"email": {"rep1@demo.kith"}, "password": {pw}, "csrf": {tok}}
		return do(t, c, "POST", ts.URL+"/login", "", strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}).status
	}
	for i := range 5 {
		if s := try("wrong"); s != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, s)
		}
	}
	if s := try("kith-demo"); s != http.StatusTooManyRequests {
		t.Fatalf("right password after 5 failures: %d, want 429", s)
	}
}

func TestRepSeesOwnCustomers(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) { repSeesOwnCustomers(t, engine) })
	}
}

func repSeesOwnCustomers(t *testing.T, engine string) {
	ts := newTestServer(t, engineDemo(t, engine), 1<<20)
	rep1, rep2 := ts.token(t, "rep1@demo.kith"), ts.token(t, "rep2@demo.kith")
	mgr := ts.token(t, "manager@demo.kith")
	me := do(t, nil, "GET", ts.URL+"/api/v1/me", rep1, nil, nil).json(t).(map[string]any)
	rep1ID := int64(me["id"].(float64))
	list := do(t, nil, "GET", ts.URL+"/api/v1/customers?per_page=500", rep1, nil, nil).json(t).(map[string]any)
	all := do(t, nil, "GET", ts.URL+"/api/v1/customers?per_page=1", mgr, nil, nil).json(t).(map[string]any)
	if list["total"].(float64) >= all["total"].(float64) || list["total"].(float64) == 0 {
		t.Fatalf("rep sees %v customers of %v", list["total"], all["total"])
	}
	for _, c := range list["customers"].([]any) {
		owner := int64(c.(map[string]any)["owner_id"].(float64))
		if owner != 0 && owner != rep1ID {
			t.Fatalf("rep1 sees a customer of owner %d", owner)
		}
	}
	// A customer of rep2 is forbidden to rep1, on every route that names it.
	rep2List := do(t, nil, "GET", ts.URL+"/api/v1/customers?per_page=500", rep2, nil, nil).json(t).(map[string]any)
	var theirs float64
	for _, c := range rep2List["customers"].([]any) {
		if m := c.(map[string]any); m["owner_id"].(float64) != 0 {
			theirs = m["id"].(float64)
			break
		}
	}
	if theirs == 0 {
		t.Fatal("rep2 owns no customer in the demo")
	}
	id := fmt.Sprint(int64(theirs))
	for _, req := range []struct{ method, path, body string }{
		{"GET", "/api/v1/customers/" + id, ""},
		{"PATCH", "/api/v1/customers/" + id, `{"city": "x"}`},
		{"GET", "/api/v1/orders?customer=" + id, ""},
		{"POST", "/api/v1/orders", `{"customer_id": ` + id + `, "amount": "10"}`},
		{"POST", "/api/v1/customers/" + id + "/merge", `{"from": [1]}`},
	} {
		var body io.Reader
		if req.body != "" {
			body = strings.NewReader(req.body)
		}
		if res := do(t, nil, req.method, ts.URL+req.path, rep1, body, nil); res.status != http.StatusForbidden {
			t.Errorf("rep1 %s %s: %d %s", req.method, req.path, res.status, res.body)
		}
	}
	if res := do(t, nil, "GET", ts.URL+"/api/v1/customers/"+id, rep2, nil, nil); res.status != 200 {
		t.Errorf("rep2 opening their own customer: %d", res.status)
	}
	b := signIn(t, ts, "rep1@demo.kith", "kith-demo")
	if res := do(t, b.c, "GET", ts.URL+"/customers/"+id, "", nil, nil); res.status != http.StatusForbidden {
		t.Errorf("rep1 opening rep2's customer page: %d", res.status)
	}
	if res := do(t, b.c, "GET", ts.URL+"/import", "", nil, nil); res.status != http.StatusForbidden {
		t.Errorf("rep opening the import page: %d", res.status)
	}
}

func TestHostileInput(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) { hostileInput(t, engine) })
	}
}

func hostileInput(t *testing.T, engine string) {
	ts := newTestServer(t, engineDemo(t, engine), 1<<20)
	tok := ts.token(t, "owner@demo.kith")
	count := func() float64 {
		return do(t, nil, "GET", ts.URL+"/api/v1/customers?per_page=1", tok, nil, nil).json(t).(map[string]any)["total"].(float64)
	}
	before := count()
	for _, q := range []url.Values{
		{"q": {"' OR 1=1 --"}}, {"q": {"%"}}, {"q": {"_"}}, {"q": {`"; DROP TABLE customers; --`}}, {"tag": {"x' OR '1'='1"}},
		{"q": {`\`}}, {"q": {"1); DELETE FROM orders; --"}}, {"q": {"*"}},
	} {
		res := do(t, nil, "GET", ts.URL+"/api/v1/customers?"+q.Encode(), tok, nil, nil)
		if res.status != 200 {
			t.Errorf("%s: %d %s", q, res.status, res.body)
			continue
		}
		if n := res.json(t).(map[string]any)["total"].(float64); n != 0 {
			t.Errorf("%s matched %v customers (a literal search matches none)", q, n)
		}
	}
	for _, q := range []string{"owner=1%20OR%201=1", "segment=x'--", "page=-1", "page=922337203685477581", "per_page=100000", "as_of=2026-13-01&segment=lost",
		"tag=vip%00", "q=%ff%fe", "q=a%00b"} {
		if res := do(t, nil, "GET", ts.URL+"/api/v1/customers?"+q, tok, nil, nil); res.status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", q, res.status)
		}
	}
	if after := count(); after != before {
		t.Fatalf("customers %v -> %v after hostile searches", before, after)
	}
	// Text the database cannot hold is a 400 naming the field, not a 500.
	for _, body := range []string{`{"name": "a\u0000b"}`, `{"name": "x", "tags": ["\u0000"]}`, `{"name": "x", "attrs": {"k": "\u0000"}}`} {
		res := do(t, nil, "POST", ts.URL+"/api/v1/customers", tok, strings.NewReader(body), nil)
		if res.status != http.StatusBadRequest || !strings.Contains(string(res.body), `"fields"`) {
			t.Errorf("create %s: %d %s", body, res.status, res.body)
		}
	}
	// A script in a name is shown as text everywhere.
	xss := `<script>alert(1)</script>`
	res := do(t, nil, "POST", ts.URL+"/api/v1/customers", tok, strings.NewReader(`{"name": "`+strings.ReplaceAll(xss, "/", `\/`)+`", "tags": ["<b>x</b>"]}`), nil)
	if res.status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	id := fmt.Sprint(int64(res.json(t).(map[string]any)["id"].(float64)))
	b := signIn(t, ts, "owner@demo.kith", "kith-demo")
	for _, path := range []string{"/customers/" + id, "/customers?q=" + url.QueryEscape("<script>"), "/customers?q=" + url.QueryEscape(xss)} {
		page := do(t, b.c, "GET", ts.URL+path, "", nil, nil)
		if page.status != 200 {
			t.Fatalf("%s: %d", path, page.status)
		}
		if bytes.Contains(page.body, []byte(xss)) || bytes.Contains(page.body, []byte("<b>x</b>")) {
			t.Errorf("%s shows the script unescaped", path)
		}
		if !bytes.Contains(page.body, []byte("&lt;script&gt;alert(1)&lt;/script&gt;")) {
			t.Errorf("%s does not show the escaped name", path)
		}
	}
	if api := do(t, nil, "GET", ts.URL+"/api/v1/customers/"+id, tok, nil, nil); bytes.Contains(api.body, []byte("<script>")) {
		t.Errorf("API JSON carries a raw <script>: %s", api.body)
	}
	// Pages say what went wrong in the page's language.
	zh := map[string]string{"Accept-Language": "zh-CN"}
	for path, want := range map[string]string{
		"/customers/99999999": `客户 &#34;#99999999&#34;：未找到（已按内部编号查找）`,
		"/customers/abc":      `&#34;abc&#34; 不是客户编号`,
	} {
		if page := do(t, b.c, "GET", ts.URL+path, "", nil, zh); page.status < 400 || !bytes.Contains(page.body, []byte(want)) {
			t.Errorf("%s in Chinese: %d, want %s in\n%s", path, page.status, want, page.body)
		}
	}
}

// multipartBody is an upload form: kind, then fields given as name, value
// pairs, then the file.
func multipartBody(t *testing.T, kind, name string, content []byte, fields ...string) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("kind", kind); err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(fields); i += 2 {
		if err := mw.WriteField(fields[i], fields[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func TestUpload(t *testing.T) {
	ts := newTestServer(t, demoDB(t), 4<<10)
	tok := ts.token(t, "owner@demo.kith")
	csv := "订单号,客户编号,下单时间,实付金额\nU-1,C000001,2026-10-01 10:00,¥99.00\nU-2,C000002,not a date,12\nU-3,C000003,2026/10/2,1,234.50\n"
	body, ct := multipartBody(t, "orders", "orders.csv", []byte(csv))
	res := do(t, nil, "POST", ts.URL+"/api/v1/imports", tok, body, map[string]string{"Content-Type": ct})
	if res.status != 200 {
		t.Fatalf("upload: %d %s", res.status, res.body)
	}
	var sum struct {
		Read, Created, Rejected int
		RejectsURL              string `json:"rejects_url"`
		Columns                 string
		OrdersFrom              time.Time `json:"orders_from"`
		OrdersTo                time.Time `json:"orders_to"`
	}
	json.Unmarshal(res.body, &sum)
	if sum.Read != 3 || sum.Created != 1 || sum.Rejected != 2 || sum.RejectsURL == "" || !strings.Contains(sum.Columns, "实付金额") {
		t.Fatalf("upload summary %+v\n%s", sum, res.body)
	}
	// The one order kept, in the shop's time zone.
	if want := "2026-10-01T10:00:00+08:00"; sum.OrdersFrom.Format(time.RFC3339) != want || sum.OrdersTo.Format(time.RFC3339) != want {
		t.Errorf("upload's orders from %v to %v, want %s", sum.OrdersFrom, sum.OrdersTo, want)
	}
	rej := do(t, nil, "GET", ts.URL+sum.RejectsURL, tok, nil, nil)
	if rej.status != 200 || !bytes.Contains(rej.body, []byte("not a date")) || !strings.HasPrefix(rej.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("rejects: %d %s\n%s", rej.status, rej.header, rej.body)
	}
	// A rep may not download another user's rejects.
	if res := do(t, nil, "GET", ts.URL+sum.RejectsURL, ts.token(t, "rep1@demo.kith"), nil, nil); res.status != http.StatusForbidden {
		t.Errorf("rep downloading rejects: %d", res.status)
	}
	for _, bad := range []string{"../../etc/passwd", "aaaaaaaaaaaaaaaaaaaa"} {
		if res := do(t, nil, "GET", ts.URL+"/api/v1/imports/"+url.PathEscape(bad)+"/rejects", tok, nil, nil); res.status != http.StatusNotFound {
			t.Errorf("rejects of %q: %d", bad, res.status)
		}
	}
	// Over the limit: refused with a clear message, on the API and the page.
	big, ct := multipartBody(t, "orders", "big.csv", bytes.Repeat([]byte("x,1,2026-01-01,1\n"), 1000))
	res = do(t, nil, "POST", ts.URL+"/api/v1/imports", tok, big, map[string]string{"Content-Type": ct})
	if res.status != http.StatusRequestEntityTooLarge || !strings.Contains(string(res.body), "limit") {
		t.Fatalf("large upload: %d %s", res.status, res.body)
	}
	b := signIn(t, ts, "owner@demo.kith", "kith-demo")
	big, ct = multipartBody(t, "orders", "big.csv", bytes.Repeat([]byte("x,1,2026-01-01,1\n"), 1000))
	page := do(t, b.c, "POST", ts.URL+"/import?csrf="+b.csrf, "", big, map[string]string{"Content-Type": ct, "Cookie": ""})
	if page.status != http.StatusRequestEntityTooLarge || !bytes.Contains(page.body, []byte("too large")) {
		t.Fatalf("large upload page: %d\n%s", page.status, page.body)
	}
	// An export with a title above its header, through the page: the result
	// says where the header was found.
	titled := "订单导出报表\n订单号,客户编号,下单时间,实付金额\nU-9,C000001,2026-10-03 10:00,5\n"
	body, ct = multipartBody(t, "orders", "titled.csv", []byte(titled))
	page = do(t, b.c, "POST", ts.URL+"/import?csrf="+b.csrf, "", body, map[string]string{"Content-Type": ct, "Accept-Language": "en"})
	if page.status != 200 || !bytes.Contains(page.body, []byte("Read as: CSV, UTF-8, comma-separated, header on line 2")) ||
		!bytes.Contains(page.body, []byte("orders dated Oct 3, 2026 to Oct 3, 2026")) {
		t.Errorf("titled upload page: %d\n%s", page.status, page.body)
	}
	// In Chinese, the reasons in the rejects file and the warnings on the
	// page are Chinese too, and so is a file the import cannot read.
	zh := map[string]string{"Accept-Language": "zh-CN,zh;q=0.9"}
	body, ct = multipartBody(t, "orders", "zh.csv", []byte("订单号,客户编号,下单时间,实付金额\nZ-1,C000001,2026-10-05 10:00,5\nZ-2,C000002,昨天,5\n合计,,,10\n"))
	zh["Content-Type"] = ct
	page = do(t, b.c, "POST", ts.URL+"/import?csrf="+b.csrf, "", body, zh)
	id := regexp.MustCompile(`/import/([^/"]+)/rejects`).FindSubmatch(page.body)
	if page.status != 200 || !bytes.Contains(page.body, []byte("第 4 行是合计行")) || id == nil || !bytes.Contains(page.body, []byte("订单日期：2026年10月5日 至 2026年10月5日")) ||
		!bytes.Contains(page.body, []byte("<td>3</td><td>ordered_at</td><td>日期 &#34;昨天&#34;：需要年、月、日</td>")) {
		t.Fatalf("upload page in Chinese: %d\n%s", page.status, page.body)
	}
	rej = do(t, b.c, "GET", ts.URL+"/import/"+string(id[1])+"/rejects", "", nil, nil)
	if !bytes.Contains(rej.body, []byte("行号,字段,原因")) || !bytes.Contains(rej.body, []byte(`日期 ""昨天""：需要年、月、日`)) {
		t.Errorf("rejects of a Chinese upload:\n%s", rej.body)
	}
	body, ct = multipartBody(t, "orders", "nodate.csv", []byte("订单号,客户编号\nA,B\n"))
	zh["Content-Type"] = ct
	page = do(t, b.c, "POST", ts.URL+"/import?csrf="+b.csrf, "", body, zh)
	if page.status != http.StatusBadRequest || !bytes.Contains(page.body, []byte("nodate.csv: 缺少必需的列 ordered_at")) || bytes.Contains(page.body, []byte("field file")) {
		t.Errorf("missing column, in Chinese: %d\n%s", page.status, page.body)
	}
	// After an error the form keeps the kind and channel chosen.
	body, ct = multipartBody(t, "customers", "members.csv", []byte("会员等级\n金卡\n"), "channel", "微信")
	page = do(t, b.c, "POST", ts.URL+"/import?csrf="+b.csrf, "", body, map[string]string{"Content-Type": ct})
	if page.status != http.StatusBadRequest || !bytes.Contains(page.body, []byte(`<option value="customers" selected>`)) ||
		!bytes.Contains(page.body, []byte(`value="微信"`)) {
		t.Errorf("form after an error: %d\n%s", page.status, page.body)
	}
	// A platform's export names no channel: the form gives it to the rows
	// without one, and to the customers they create.
	body, ct = multipartBody(t, "orders", "taobao.csv", []byte("订单号,客户编号,下单时间,实付金额\nT-1,TB-NEW,2026-10-04 10:00,5\n"), "channel", "淘宝")
	if res := do(t, nil, "POST", ts.URL+"/api/v1/imports", tok, body, map[string]string{"Content-Type": ct}); res.status != 200 {
		t.Fatalf("upload with a channel: %d %s", res.status, res.body)
	}
	if v, err := ts.st.CustomerView(context.Background(), "TB-NEW", 5); err != nil || v.Channel != "淘宝" || len(v.Orders) != 1 || v.Orders[0].Channel != "淘宝" {
		t.Errorf("customer from a channel upload: %+v %v", v, err)
	}
	body, ct = multipartBody(t, "products", "p.csv", []byte("sku\nX\n"), "channel", "淘宝")
	if res := do(t, nil, "POST", ts.URL+"/api/v1/imports", tok, body, map[string]string{"Content-Type": ct}); res.status != http.StatusBadRequest || !bytes.Contains(res.body, []byte(`"channel"`)) {
		t.Errorf("products with a channel: %d %s", res.status, res.body)
	}
	// Bad kind.
	body, ct = multipartBody(t, "invoices", "x.csv", []byte("a\n1\n"))
	if res := do(t, nil, "POST", ts.URL+"/api/v1/imports", tok, body, map[string]string{"Content-Type": ct}); res.status != http.StatusBadRequest {
		t.Errorf("unknown kind: %d %s", res.status, res.body)
	}
}

// A workbook with a sheet per month: all_sheets imports each, with its own
// rejects file; without it, the first is read and the others named.
func TestUploadWorkbook(t *testing.T) {
	ts := newTestServer(t, demoDB(t), 1<<20)
	tok := ts.token(t, "owner@demo.kith")
	b := signIn(t, ts, "owner@demo.kith", "kith-demo")
	book, err := os.ReadFile(monthlyWorkbook(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	body, ct := multipartBody(t, "orders", "book.xlsx", book, "all_sheets", "1")
	res := do(t, nil, "POST", ts.URL+"/api/v1/imports", tok, body, map[string]string{"Content-Type": ct})
	var all struct {
		Read, Created, Rejected int
		Warnings                []string
		Sheets                  []struct {
			Sheet, File string
			Read        int
			RejectsURL  string `json:"rejects_url"`
		}
	}
	if err := json.Unmarshal(res.body, &all); err != nil || res.status != 200 || all.Read != 4 || all.Created != 3 || all.Rejected != 1 ||
		len(all.Sheets) != 2 || all.Sheets[0].File != "book.xlsx [1月]" || all.Sheets[0].RejectsURL != "" ||
		!strings.HasSuffix(all.Sheets[1].RejectsURL, "/rejects?sheet=3") || len(all.Warnings) != 1 || !strings.Contains(all.Warnings[0], "sheets 说明, 图表 have no header") {
		t.Fatalf("all sheets: %d %+v %v\n%s", res.status, all, err, res.body)
	}
	if rej := do(t, nil, "GET", ts.URL+all.Sheets[1].RejectsURL, tok, nil, nil); rej.status != 200 || !bytes.Contains(rej.body, []byte("someday")) {
		t.Errorf("February's rejects: %d\n%s", rej.status, rej.body)
	}
	for q, want := range map[string]int{"2": http.StatusNotFound, "x": http.StatusBadRequest, "0": http.StatusBadRequest} {
		if rej := do(t, nil, "GET", ts.URL+strings.Replace(all.Sheets[1].RejectsURL, "sheet=3", "sheet="+q, 1), tok, nil, nil); rej.status != want {
			t.Errorf("rejects of sheet %q: %d, want %d", q, rej.status, want)
		}
	}
	body, ct = multipartBody(t, "orders", "book.xlsx", book)
	page := do(t, b.c, "POST", ts.URL+"/import?csrf="+b.csrf, "", body, map[string]string{"Content-Type": ct, "Accept-Language": "en"})
	if page.status != 200 || !bytes.Contains(page.body, []byte("sheets 2月 also have a header for orders and were not read")) {
		t.Errorf("one sheet of a monthly workbook, page: %d\n%s", page.status, page.body)
	}
	body, ct = multipartBody(t, "orders", "book.xlsx", book, "all_sheets", "on")
	page = do(t, b.c, "POST", ts.URL+"/import?csrf="+b.csrf, "", body, map[string]string{"Content-Type": ct, "Accept-Language": "en"})
	if page.status != 200 || !bytes.Contains(page.body, []byte("Imported book.xlsx [2月]")) || !regexp.MustCompile(`/import/[^/"]+/rejects\?sheet=3`).Match(page.body) ||
		!bytes.Contains(page.body, []byte(`name="all_sheets" value="1" checked`)) {
		t.Errorf("all sheets, page: %d\n%s", page.status, page.body)
	}
	// One sheet named, as kith import --sheet: only it is read.
	body, ct = multipartBody(t, "orders", "book.xlsx", book, "sheet", "2月")
	res = do(t, nil, "POST", ts.URL+"/api/v1/imports", tok, body, map[string]string{"Content-Type": ct})
	var one struct {
		File, Sheet     string
		Read, Unchanged int
		Warnings        []string
		RejectsURL      string `json:"rejects_url"`
	}
	if err := json.Unmarshal(res.body, &one); err != nil || res.status != 200 || one.File != "book.xlsx [2月]" || one.Sheet != "2月" ||
		one.Read != 2 || one.Unchanged != 1 || len(one.Warnings) != 0 || !strings.HasSuffix(one.RejectsURL, "/rejects") {
		t.Errorf("sheet 2月: %d %+v %v\n%s", res.status, one, err, res.body)
	}
	for _, c := range []struct{ name, sheet, allSheets, want string }{
		{"a sheet with all_sheets", "2月", "1", "leave the sheet out"},
		{"no such sheet", "3月", "", "no such sheet"},
	} {
		extra := []string{"sheet", c.sheet}
		if c.allSheets != "" {
			extra = append(extra, "all_sheets", c.allSheets)
		}
		body, ct = multipartBody(t, "orders", "book.xlsx", book, extra...)
		res = do(t, nil, "POST", ts.URL+"/api/v1/imports", tok, body, map[string]string{"Content-Type": ct})
		if res.status != http.StatusBadRequest || !bytes.Contains(res.body, []byte(c.want)) {
			t.Errorf("%s: %d\n%s", c.name, res.status, res.body)
		}
	}
	body, ct = multipartBody(t, "orders", "book.xlsx", book, "sheet", "3月")
	page = do(t, b.c, "POST", ts.URL+"/import?csrf="+b.csrf, "", body, map[string]string{"Content-Type": ct, "Accept-Language": "en"})
	if !bytes.Contains(page.body, []byte(`name="sheet" maxlength="200" value="3月"`)) || !bytes.Contains(page.body, []byte("sheets: 说明, 1月, 2月, 图表")) {
		t.Errorf("no such sheet, page: %d\n%s", page.status, page.body)
	}
}

// Several files in one upload (a file per month): each is its own import
// with its own rejects, the result sums them, an unreadable one is named
// and the others imported; the page shows each.
func TestUploadSeveralFiles(t *testing.T) {
	ts := newTestServer(t, demoDB(t), 1<<20)
	tok := ts.token(t, "owner@demo.kith")
	b := signIn(t, ts, "owner@demo.kith", "kith-demo")
	files := []struct{ name, body string }{
		{"2026-10.csv", "订单号,客户编号,下单时间,实付金额\nM-1,C000001,2026-10-01 10:00,10\nM-2,C000002,2026-10-02 10:00,20\n"},
		{"2026-11.csv", "订单号,客户编号,下单时间,实付金额\nM-3,C000001,2026-11-01 10:00,30\nM-4,C000003,someday,5\n"},
		{"2026-11.csv", "订单号,客户编号,下单时间,实付金额\nM-5,C000004,2026-11-03 10:00,7\n"}, // the same name again
		{"notes.csv", "备注\n这是说明\n"},
	}
	body := func() (*bytes.Buffer, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("kind", "orders")
		for _, f := range files {
			fw, err := mw.CreateFormFile("file", f.name)
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(fw, f.body)
		}
		mw.Close()
		return &buf, mw.FormDataContentType()
	}
	buf, ct := body()
	res := do(t, nil, "POST", ts.URL+"/api/v1/imports", tok, buf, map[string]string{"Content-Type": ct})
	var all struct {
		File              string
		Created, Rejected int
		Warnings          []string
		Sheets            []struct {
			File       string
			Created    int
			RejectsURL string `json:"rejects_url"`
		}
	}
	if err := json.Unmarshal(res.body, &all); err != nil || res.status != 200 || all.Created != 4 || all.Rejected != 1 || len(all.Sheets) != 3 ||
		all.Sheets[2].File != "3-2026-11.csv" || all.Sheets[0].RejectsURL != "" || !strings.HasSuffix(all.Sheets[1].RejectsURL, "/rejects?sheet=2") ||
		len(all.Warnings) != 1 || !strings.Contains(all.Warnings[0], "notes.csv could not be imported") {
		t.Fatalf("several files: %d %+v %v\n%s", res.status, all, err, res.body)
	}
	if rej := do(t, nil, "GET", ts.URL+all.Sheets[1].RejectsURL, tok, nil, nil); rej.status != 200 || !bytes.Contains(rej.body, []byte("someday")) {
		t.Errorf("November's rejects: %d\n%s", rej.status, rej.body)
	}
	buf, ct = body()
	page := do(t, b.c, "POST", ts.URL+"/import?csrf="+b.csrf, "", buf, map[string]string{"Content-Type": ct, "Accept-Language": "en"})
	if page.status != 200 || !bytes.Contains(page.body, []byte("Imported 2026-10.csv, 2026-11.csv, 3-2026-11.csv, notes.csv")) ||
		!bytes.Contains(page.body, []byte("Imported 3-2026-11.csv")) || !regexp.MustCompile(`/import/[^/"]+/rejects\?sheet=2`).Match(page.body) {
		t.Errorf("several files, page: %d\n%s", page.status, page.body)
	}
}

// A workbook whose February sheet is damaged: with all_sheets, January is
// imported and February is named in the warnings; the CLI does the same
// and exits 1.
func TestUploadWorkbookDamagedSheet(t *testing.T) {
	dir := t.TempDir()
	path := damagedWorkbook(t, monthlyWorkbook(t, dir), "xl/worksheets/sheet3.xml")
	book, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, demoDB(t), 1<<20)
	tok := ts.token(t, "owner@demo.kith")
	body, ct := multipartBody(t, "orders", "book.xlsx", book, "all_sheets", "1")
	res := do(t, nil, "POST", ts.URL+"/api/v1/imports", tok, body, map[string]string{"Content-Type": ct})
	var all struct {
		Created  int
		Warnings []string
		Sheets   []struct{ Sheet string }
	}
	if err := json.Unmarshal(res.body, &all); err != nil || res.status != 200 || all.Created != 2 || len(all.Sheets) != 1 || all.Sheets[0].Sheet != "1月" ||
		!slices.ContainsFunc(all.Warnings, func(w string) bool {
			return strings.Contains(w, `sheet 2月 could not be imported`) && strings.Contains(w, "damaged")
		}) {
		t.Fatalf("a damaged sheet: %d %+v %v\n%s", res.status, all, err, res.body)
	}
	env := map[string]string{"KITH_DB": filepath.Join(dir, "k.db")}
	code, out, errOut := kith(t, env, "import", "orders", path, "--all-sheets")
	if code != 1 || !strings.Contains(out, "damaged.xlsx [1月]: read 2 rows: created 2") || !strings.Contains(errOut, `damaged.xlsx: sheet "2月" is damaged: after row 1: XML ends inside a tag`) ||
		!strings.Contains(errOut, "1 of 4 files and sheets could not be imported") {
		t.Errorf("CLI: code %d\n%s\n%s", code, out, errOut)
	}
}

// damagedWorkbook copies the workbook at path with part cut off inside the
// tag of its second row, as a download that stopped short leaves it.
func damagedWorkbook(t *testing.T, path, part string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := filepath.Join(filepath.Dir(path), "damaged.xlsx")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	cut := false
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if zf.Name == part {
			i := bytes.Index(data, []byte(`<row r="2"`))
			if i < 0 {
				t.Fatalf("%s has no second row", part)
			}
			data, cut = data[:i+len(`<row r="2"`)], true
		}
		w, err := zw.Create(zf.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil || !cut {
		t.Fatalf("damaging %s: %v, cut %v", part, err, cut)
	}
	return out
}

// The channels page names the periods its figures cover: the report starts
// at the period holding its first day, not on that day.
func TestChannelsPageNamesItsPeriods(t *testing.T) {
	ts := newTestServer(t, demoDB(t), 1<<20)
	b := signIn(t, ts, "owner@demo.kith", "kith-demo")
	for _, c := range []struct{ query, want string }{
		{"as_of=2026-10-31", "Acquisition channels from 2026-05 to 2026-10:"},
		{"as_of=2026-10-15&period=quarter", "Acquisition channels from 2026-Q2 to 2026-Q4:"},
	} {
		page := do(t, b.c, "GET", ts.URL+"/channels?"+c.query, "", nil, map[string]string{"Accept-Language": "en"})
		if page.status != 200 || !strings.Contains(string(page.body), c.want) {
			t.Errorf("%s: %d, want %q in the page", c.query, page.status, c.want)
		}
	}
}

// Before any paid order the dashboard says there is nothing to measure yet
// and points to the import, instead of a page of zeros and "undefined".
func TestDashboardBeforeAnyOrder(t *testing.T) {
	ts := newTestServer(t, demoDB(t), 1<<20)
	for _, c := range []struct {
		email, query string
		notice, link bool
	}{
		{"owner@demo.kith", "as_of=2020-01-01", true, true},
		{"rep1@demo.kith", "as_of=2020-01-01", true, false},
		{"owner@demo.kith", "as_of=2026-10-31", false, false},
	} {
		b := signIn(t, ts, c.email, "kith-demo")
		for _, path := range []string{"/", "/segments"} { // the segments page said "server error" before
			page := do(t, b.c, "GET", ts.URL+path+"?"+c.query, "", nil, map[string]string{"Accept-Language": "en"})
			body := string(page.body)
			if page.status != 200 || strings.Contains(body, "No paid orders on or before") != c.notice ||
				strings.Contains(body, `<a href="/import">Import your orders`) != c.link {
				t.Errorf("%s %s%s: %d, want notice %v, import link %v", c.email, path, c.query, page.status, c.notice, c.link)
			}
		}
	}
}

// The 360 page shows the chance of no purchase beside P(alive), and says
// why BG/NBD calls a customer who bought once alive however long ago.
func TestCustomerPagePrediction(t *testing.T) {
	ts := newTestServer(t, demoDB(t), 1<<20)
	if code, _, errOut := kith(t, nil, "clv", "score", "--db", ts.dbPath(t), "--as-of", "2026-10-31"); code != 0 {
		t.Fatalf("clv score: %s", errOut)
	}
	b := signIn(t, ts, "owner@demo.kith", "kith-demo")
	seen := map[bool]bool{}
	for id := 1; id <= 300 && len(seen) < 2; id++ {
		v, err := ts.st.CustomerView(context.Background(), fmt.Sprintf("#%d", id), 100)
		if err != nil || v.Score == nil || v.Totals.Orders == 0 {
			continue
		}
		days := map[string]bool{}
		for _, o := range v.Orders {
			days[o.OrderedAt.In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)] = true
		}
		once := len(days) == 1
		page := do(t, b.c, "GET", fmt.Sprintf("%s/customers/%d", ts.URL, id), "", nil, map[string]string{"Accept-Language": "en"})
		body := string(page.body)
		if page.status != 200 || !strings.Contains(body, "Chance of no purchase (365 days)") || strings.Contains(body, "Bought once") != once {
			t.Errorf("customer #%d (one purchase day: %v): %d, hint shown %v", id, once, page.status, strings.Contains(body, "Bought once"))
		}
		seen[once] = true
	}
	if len(seen) < 2 {
		t.Fatalf("no one-time and repeat customers among the first 300: %v", seen)
	}
}

// A legacy .xls (the importer's fixture: a notes sheet, the orders under a
// title row, a hidden lookup sheet) uploaded with every sheet: the orders
// are imported and the other two passed over, as an XLSX's would be.
func TestUploadLegacyXLS(t *testing.T) {
	ts := newTestServer(t, demoDB(t), 1<<20)
	tok := ts.token(t, "owner@demo.kith")
	book, err := os.ReadFile(filepath.Join("..", "importer", "testdata", "xls", "orders.xls"))
	if err != nil {
		t.Fatal(err)
	}
	body, ct := multipartBody(t, "orders", "订单导出.xls", book, "all_sheets", "1")
	res := do(t, nil, "POST", ts.URL+"/api/v1/imports", tok, body, map[string]string{"Content-Type": ct})
	var got struct {
		Read, Created, Rejected int
		Warnings                []string
		Sheets                  []struct{ File string }
	}
	if err := json.Unmarshal(res.body, &got); err != nil || res.status != 200 || got.Read != 600 || got.Created != 600 || got.Rejected != 0 ||
		len(got.Sheets) != 1 || got.Sheets[0].File != "订单导出.xls [订单]" || len(got.Warnings) != 1 ||
		!strings.Contains(got.Warnings[0], "说明") || !strings.Contains(got.Warnings[0], "lookup") {
		t.Fatalf("%d %+v %v\n%s", res.status, got, err, res.body)
	}
}

// decimal_comma reads an upload as kith import --decimal-comma does; the
// page keeps the box ticked.
func TestUploadDecimalComma(t *testing.T) {
	ts := newTestServer(t, demoDB(t), 1<<20)
	tok := ts.token(t, "owner@demo.kith")
	b := signIn(t, ts, "owner@demo.kith", "kith-demo")
	csv := []byte("订单号;客户编号;下单时间;实付金额\nEU1;E1;2024-01-05;1.234,50\nEU2;E2;2024-01-06;12,5\n")
	body, ct := multipartBody(t, "orders", "eu.csv", csv)
	res := do(t, nil, "POST", ts.URL+"/api/v1/imports", tok, body, map[string]string{"Content-Type": ct})
	var sum struct{ Created, Rejected int }
	if err := json.Unmarshal(res.body, &sum); err != nil || res.status != 200 || sum.Created != 0 || sum.Rejected != 2 {
		t.Fatalf("without decimal_comma: %d %+v %v\n%s", res.status, sum, err, res.body)
	}
	body, ct = multipartBody(t, "orders", "eu.csv", csv, "decimal_comma", "1")
	res = do(t, nil, "POST", ts.URL+"/api/v1/imports", tok, body, map[string]string{"Content-Type": ct})
	if err := json.Unmarshal(res.body, &sum); err != nil || res.status != 200 || sum.Created != 2 || sum.Rejected != 0 {
		t.Fatalf("with decimal_comma: %d %+v %v\n%s", res.status, sum, err, res.body)
	}
	c := do(t, nil, "GET", ts.URL+"/api/v1/customers?q=E1", tok, nil, nil)
	if c.status != 200 || !bytes.Contains(c.body, []byte(`"revenue":"1234.50"`)) {
		t.Errorf("E1 after the import: %d\n%s", c.status, c.body)
	}
	body, ct = multipartBody(t, "orders", "eu.csv", csv, "decimal_comma", "on")
	page := do(t, b.c, "POST", ts.URL+"/import?csrf="+b.csrf, "", body, map[string]string{"Content-Type": ct, "Accept-Language": "en"})
	if page.status != 200 || !bytes.Contains(page.body, []byte(`name="decimal_comma" value="1" checked`)) {
		t.Errorf("page: %d\n%s", page.status, page.body)
	}
}

// TestUploadDryRun: an upload with dry_run says what the import would do
// and writes nothing but its rejects file, on the API and on the page.
func TestUploadDryRun(t *testing.T) {
	ts := newTestServer(t, demoDB(t), 1<<20)
	tok := ts.token(t, "owner@demo.kith")
	b := signIn(t, ts, "owner@demo.kith", "kith-demo")
	csv := []byte("订单号,客户编号,下单时间,实付金额\nDR1,DRC1,2024-01-05,12\nDR2,DRC2,2024-01-06,13\nDR3,DRC3,never,1\n")
	body, ct := multipartBody(t, "orders", "dr.csv", csv, "dry_run", "1")
	res := do(t, nil, "POST", ts.URL+"/api/v1/imports", tok, body, map[string]string{"Content-Type": ct})
	var sum struct {
		Created, Rejected int
		DryRun            bool   `json:"dry_run"`
		RejectsURL        string `json:"rejects_url"`
	}
	if err := json.Unmarshal(res.body, &sum); err != nil || res.status != 200 || sum.Created != 2 || sum.Rejected != 1 || !sum.DryRun {
		t.Fatalf("dry run: %d %+v %v\n%s", res.status, sum, err, res.body)
	}
	if rj := do(t, nil, "GET", ts.URL+sum.RejectsURL, tok, nil, nil); rj.status != 200 || !bytes.Contains(rj.body, []byte("DR3")) {
		t.Errorf("the dry run's rejects: %d\n%s", rj.status, rj.body)
	}
	c := do(t, nil, "GET", ts.URL+"/api/v1/customers?q=DRC1", tok, nil, nil)
	if c.status != 200 || !bytes.Contains(c.body, []byte(`"total":0`)) {
		t.Errorf("DRC1 after the dry run: %d\n%s", c.status, c.body)
	}
	body, ct = multipartBody(t, "orders", "dr.csv", csv, "dry_run", "on")
	page := do(t, b.c, "POST", ts.URL+"/import?csrf="+b.csrf, "", body, map[string]string{"Content-Type": ct, "Accept-Language": "zh-CN"})
	if page.status != 200 || !bytes.Contains(page.body, []byte(`name="dry_run" value="1" checked`)) || !bytes.Contains(page.body, []byte("只做了检查，没有写入任何数据")) {
		t.Errorf("page: %d\n%s", page.status, page.body)
	}
	// Without it, the same file is imported.
	body, ct = multipartBody(t, "orders", "dr.csv", csv)
	res = do(t, nil, "POST", ts.URL+"/api/v1/imports", tok, body, map[string]string{"Content-Type": ct})
	sum.DryRun = false
	if err := json.Unmarshal(res.body, &sum); err != nil || sum.Created != 2 || sum.DryRun || bytes.Contains(res.body, []byte("dry_run")) {
		t.Errorf("import: %d %+v %v\n%s", res.status, sum, err, res.body)
	}
}

// After a merge the survivor's page lists the keys merged into it, and the
// 360 JSON gives them as aliases.
func TestMergedKeysShown(t *testing.T) {
	ts := newTestServer(t, demoDB(t), 1<<20)
	tok := ts.token(t, "owner@demo.kith")
	b := signIn(t, ts, "owner@demo.kith", "kith-demo")
	if res := do(t, nil, "POST", ts.URL+"/api/v1/customers/1/merge", tok, strings.NewReader(`{"from": [2]}`), map[string]string{"Content-Type": "application/json"}); res.status != 200 ||
		!bytes.Contains(res.body, []byte(`"aliases":["C000002"`)) {
		t.Fatalf("merge: %d\n%s", res.status, res.body)
	}
	page := do(t, b.c, "GET", ts.URL+"/customers/1", "", nil, map[string]string{"Accept-Language": "en"})
	if page.status != 200 || !regexp.MustCompile(`Merged in</dt><dd><span class="tag">C000002</span>`).Match(page.body) {
		t.Errorf("page: %d\n%s", page.status, page.body)
	}
}

// The upload form's masked_phone_key, as kith import --masked-phone-key:
// buyers known only by a masked phone are told apart by name and digits.
func TestUploadMaskedPhoneKey(t *testing.T) {
	ts := newTestServer(t, demoDB(t), 1<<20)
	tok := ts.token(t, "owner@demo.kith")
	csv := []byte("主订单编号,收件人,收件人手机号,订单提交时间,订单应付金额\nDY-1,张三,138****8000,2026-11-01 10:00:00,99.00\nDY-2,张三,138****8000,2026-11-05 10:00:00,59.00\n")
	for _, c := range []struct {
		on               string
		created, refused int
	}{{"0", 0, 2}, {"1", 2, 0}} {
		body, ct := multipartBody(t, "orders", "douyin.csv", csv, "masked_phone_key", c.on)
		res := do(t, nil, "POST", ts.URL+"/api/v1/imports", tok, body, map[string]string{"Content-Type": ct})
		var got struct{ Created, Rejected int }
		if err := json.Unmarshal(res.body, &got); err != nil || res.status != 200 || got.Created != c.created || got.Rejected != c.refused {
			t.Errorf("masked_phone_key=%s: %d %+v %v\n%s", c.on, res.status, got, err, res.body)
		}
	}
	b := signIn(t, ts, "owner@demo.kith", "kith-demo")
	if page := do(t, b.c, "GET", ts.URL+"/import", "", nil, map[string]string{"Accept-Language": "zh-CN"}); page.status != 200 ||
		!bytes.Contains(page.body, []byte(`name="masked_phone_key"`)) || !bytes.Contains(page.body, []byte("按姓名和可见数字区分")) {
		t.Errorf("the import page has no masked-phone box: %d", page.status)
	}
}

// The upload form's order_prefix, as kith import --order-prefix: a
// file's order numbers kept apart from another source's numbered alike;
// without it, the order that took a stored one's place is named.
func TestUploadOrderPrefix(t *testing.T) {
	ts := newTestServer(t, demoDB(t), 1<<20)
	tok := ts.token(t, "owner@demo.kith")
	csv := []byte("订单号,会员号,下单时间,实付金额\nD00000001,C000002,2026-11-01 10:00:00,99.00\n")
	for _, c := range []struct {
		prefix  string
		created int
		warned  bool
	}{{"JD-", 1, false}, {"", 0, true}} {
		body, ct := multipartBody(t, "orders", "jd.csv", csv, "order_prefix", c.prefix)
		res := do(t, nil, "POST", ts.URL+"/api/v1/imports", tok, body, map[string]string{"Content-Type": ct})
		var got struct {
			Created  int
			Warnings []string
		}
		if err := json.Unmarshal(res.body, &got); err != nil || res.status != 200 || got.Created != c.created ||
			slices.ContainsFunc(got.Warnings, func(w string) bool { return strings.Contains(w, "took its place") }) != c.warned {
			t.Errorf("order_prefix=%q: %d %+v %v\n%s", c.prefix, res.status, got, err, res.body)
		}
	}
	b := signIn(t, ts, "owner@demo.kith", "kith-demo")
	if page := do(t, b.c, "GET", ts.URL+"/import", "", nil, map[string]string{"Accept-Language": "zh-CN"}); page.status != 200 ||
		!bytes.Contains(page.body, []byte(`name="order_prefix"`)) || !bytes.Contains(page.body, []byte("订单号前缀")) {
		t.Errorf("the import page has no order prefix field: %d", page.status)
	}
}
