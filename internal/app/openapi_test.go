package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/store/storetest"
)

// schemaChecker validates JSON values against the subset of JSON Schema the
// OpenAPI document uses: $ref, type (one or a list), properties, required,
// additionalProperties, items, minItems, maxItems, enum, oneOf, pattern,
// format date / date-time.
type schemaChecker struct {
	doc map[string]any
}

func (c *schemaChecker) resolve(s map[string]any) map[string]any {
	for {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		node := any(c.doc)
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			node = node.(map[string]any)[part]
		}
		s = node.(map[string]any)
	}
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func (c *schemaChecker) check(path string, s map[string]any, v any) []string {
	s = c.resolve(s)
	if one, ok := s["oneOf"].([]any); ok {
		var all []string
		n := 0
		for _, alt := range one {
			errs := c.check(path, alt.(map[string]any), v)
			if len(errs) == 0 {
				n++
			}
			all = append(all, errs...)
		}
		if n != 1 {
			return append([]string{fmt.Sprintf("%s: matches %d of oneOf", path, n)}, all...)
		}
		return nil
	}
	var errs []string
	if t, ok := s["type"]; ok {
		var types []string
		switch x := t.(type) {
		case string:
			types = []string{x}
		case []any:
			for _, y := range x {
				types = append(types, y.(string))
			}
		}
		got := jsonType(v)
		if !slices.Contains(types, got) && !(got == "integer" && slices.Contains(types, "number")) {
			return []string{fmt.Sprintf("%s: %s, want %v", path, got, types)}
		}
	}
	if enum, ok := s["enum"].([]any); ok && v != nil && !slices.Contains(enum, v) {
		errs = append(errs, fmt.Sprintf("%s: %v not in %v", path, v, enum))
	}
	switch x := v.(type) {
	case string:
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(x) {
			errs = append(errs, fmt.Sprintf("%s: %q does not match %s", path, x, p))
		}
		switch s["format"] {
		case "date":
			if _, err := time.Parse("2006-01-02", x); err != nil {
				errs = append(errs, fmt.Sprintf("%s: %q is not a date", path, x))
			}
		case "date-time":
			if _, err := time.Parse(time.RFC3339, x); err != nil {
				errs = append(errs, fmt.Sprintf("%s: %q is not a date-time", path, x))
			}
		}
	case []any:
		if n, ok := s["minItems"].(float64); ok && float64(len(x)) < n {
			errs = append(errs, fmt.Sprintf("%s: %d items < %v", path, len(x), n))
		}
		if n, ok := s["maxItems"].(float64); ok && float64(len(x)) > n {
			errs = append(errs, fmt.Sprintf("%s: %d items > %v", path, len(x), n))
		}
		if items, ok := s["items"].(map[string]any); ok {
			for i, it := range x {
				errs = append(errs, c.check(fmt.Sprintf("%s[%d]", path, i), items, it)...)
			}
		}
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		req, _ := s["required"].([]any)
		for _, r := range req {
			if _, ok := x[r.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s: required %q missing", path, r))
			}
		}
		for k, val := range x {
			if ps, ok := props[k]; ok {
				errs = append(errs, c.check(path+"."+k, ps.(map[string]any), val)...)
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case bool:
				if !ap {
					errs = append(errs, fmt.Sprintf("%s: undocumented property %q", path, k))
				}
			case map[string]any:
				errs = append(errs, c.check(path+"."+k, ap, val)...)
			}
		}
	}
	return errs
}

// TestOpenAPIMatchesRoutes fails when a route is missing from the OpenAPI
// document, the document names a route that does not exist, or a response
// or documented parameter behaves otherwise than described.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) { openAPIMatchesRoutes(t, engine) })
	}
}

func openAPIMatchesRoutes(t *testing.T, engine string) {
	ts := newTestServer(t, engineDemo(t, engine), 1<<20)
	tok := ts.token(t, "owner@demo.kith")
	res := do(t, nil, "GET", ts.URL+"/api/v1/openapi.json", "", nil, nil)
	if res.status != 200 {
		t.Fatalf("openapi.json: %d", res.status)
	}
	var doc map[string]any
	if err := json.Unmarshal(res.body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi version %v", doc["openapi"])
	}
	c := &schemaChecker{doc: doc}
	paths := doc["paths"].(map[string]any)

	// Route table <-> document, both ways.
	routes := map[string]bool{}
	for _, r := range ts.srv.Routes() {
		if !strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		key := r.Method + " " + r.Path
		routes[key] = true
		ops, ok := paths[r.Path].(map[string]any)
		if !ok || ops[strings.ToLower(r.Method)] == nil {
			t.Errorf("route %s is not in openapi.json", key)
		}
	}
	for p, ops := range paths {
		for m := range ops.(map[string]any) {
			if !routes[strings.ToUpper(m)+" "+p] {
				t.Errorf("openapi.json describes %s %s, which is not a route", strings.ToUpper(m), p)
			}
		}
	}

	op := func(method, path string) map[string]any {
		return paths[path].(map[string]any)[strings.ToLower(method)].(map[string]any)
	}
	params := func(o map[string]any) []map[string]any {
		var out []map[string]any
		for _, p := range o["parameters"].([]any) {
			out = append(out, c.resolve(p.(map[string]any)))
		}
		return out
	}
	// Path parameters of the document are the route's.
	for key := range routes {
		method, path, _ := strings.Cut(key, " ")
		var want, got []string
		for _, m := range regexp.MustCompile(`\{(\w+)\}`).FindAllStringSubmatch(path, -1) {
			want = append(want, m[1])
		}
		for _, p := range params(op(method, path)) {
			if p["in"] == "path" {
				got = append(got, p["name"].(string))
			}
		}
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: path parameters documented %v, route has %v", key, got, want)
		}
	}

	validate := func(method, path, target string, status int, body []byte) {
		t.Helper()
		o := op(method, path)
		resp, ok := o["responses"].(map[string]any)[fmt.Sprint(status)]
		if !ok {
			t.Errorf("%s %s answered %d, which is not documented\n%s", method, target, status, body)
			return
		}
		content, ok := c.resolve(resp.(map[string]any))["content"].(map[string]any)["application/json"].(map[string]any)
		if !ok {
			return
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Errorf("%s %s: not JSON: %v", method, target, err)
			return
		}
		for _, e := range c.check("$", content["schema"].(map[string]any), v) {
			t.Errorf("%s %s (%d): %s", method, target, status, e)
		}
	}

	// Responses of every route, with realistic parameters.
	calls := []struct {
		method, path, target, body string
		status                     int
	}{
		{"GET", "/api/v1/me", "/api/v1/me", "", 200},
		{"GET", "/api/v1/customers", "/api/v1/customers?per_page=5&q=C0000", "", 200},
		{"GET", "/api/v1/customers", "/api/v1/customers?segment=champions&as_of=2026-10-31", "", 200},
		{"POST", "/api/v1/customers", "/api/v1/customers", `{"name": "赵六", "phone": "13700000001", "tags": ["vip"], "attrs": {"会员等级": "金卡"}}`, 201},
		{"POST", "/api/v1/customers", "/api/v1/customers", `{"name": "dup", "phone": "13700000001"}`, 409},
		{"POST", "/api/v1/customers", "/api/v1/customers", `{"nmae": "typo"}`, 400},
		{"GET", "/api/v1/customers/{id}", "/api/v1/customers/1", "", 200},
		{"GET", "/api/v1/customers/{id}", "/api/v1/customers/999999", "", 404},
		{"PATCH", "/api/v1/customers/{id}", "/api/v1/customers/2", `{"city": "杭州", "tags": ["b2b"]}`, 200},
		{"PATCH", "/api/v1/customers/{id}", "/api/v1/customers/2", `{"email": "not an email"}`, 400},
		{"PATCH", "/api/v1/customers/{id}", "/api/v1/customers/2", `{"birthday": "0000-02-30", "birthday_lunar": true}`, 200},
		{"PATCH", "/api/v1/customers/{id}", "/api/v1/customers/2", `{"birthday_lunar": false}`, 400},
		{"POST", "/api/v1/customers/{id}/merge", "/api/v1/customers/3/merge", `{"from": [4]}`, 200},
		{"GET", "/api/v1/orders", "/api/v1/orders?customer=3&per_page=3", "", 200},
		{"POST", "/api/v1/orders", "/api/v1/orders", `{"customer_id": 3, "ordered_at": "2026-10-30T10:00:00+08:00", "lines": [{"sku": "TEA", "quantity": 2, "unit_price": "49.50"}]}`, 201},
		{"POST", "/api/v1/orders", "/api/v1/orders", `{"customer_id": 3}`, 400},
		{"GET", "/api/v1/dashboard", "/api/v1/dashboard?as_of=2026-10-31", "", 200},
		{"GET", "/api/v1/reports/overview", "/api/v1/reports/overview?as_of=2026-10-31&period=quarter", "", 200},
		{"GET", "/api/v1/reports/trend", "/api/v1/reports/trend?as_of=2026-10-31&from=2026-01-01", "", 200},
		{"GET", "/api/v1/reports/cohorts", "/api/v1/reports/cohorts?as_of=2026-10-31", "", 200},
		{"GET", "/api/v1/reports/cac", "/api/v1/reports/cac?as_of=2026-10-31", "", 200},
		{"GET", "/api/v1/reports/drivers", "/api/v1/reports/drivers?as_of=2026-10-31&compare=yoy", "", 200},
		{"GET", "/api/v1/reports/rfm", "/api/v1/reports/rfm?as_of=2026-10-31&compare=2026-06-30", "", 200},
		{"GET", "/api/v1/reports/rfm", "/api/v1/reports/rfm?as_of=2026-10-31&customers=at_risk", "", 200},
		{"GET", "/api/v1/reports/classes", "/api/v1/reports/classes?as_of=2026-10-31", "", 200},
		{"GET", "/api/v1/reports/classes", "/api/v1/reports/classes?as_of=2020-01-01", "", 404}, // before the first order
		{"GET", "/api/v1/reports/pareto", "/api/v1/reports/pareto?as_of=2026-10-31", "", 200},
		{"GET", "/api/v1/scores", "/api/v1/scores", "", 200},
		{"GET", "/api/v1/imports/{id}/rejects", "/api/v1/imports/aaaaaaaaaaaaaaaaaaaa/rejects", "", 404},
	}
	seen := map[string]bool{}
	for _, call := range calls {
		var body *strings.Reader
		if call.body != "" {
			body = strings.NewReader(call.body)
		}
		var res response
		if body != nil {
			res = do(t, nil, call.method, ts.URL+call.target, tok, body, nil)
		} else {
			res = do(t, nil, call.method, ts.URL+call.target, tok, nil, nil)
		}
		if res.status != call.status {
			t.Errorf("%s %s: %d, want %d\n%s", call.method, call.target, res.status, call.status, res.body)
			continue
		}
		validate(call.method, call.path, call.target, res.status, res.body)
		seen[call.method+" "+call.path] = true
	}
	// Scores exist after kith clv score: their shape too.
	if code, _, errOut := kith(t, nil, "clv", "score", "--db", ts.dbPath(t), "--as-of", "2026-10-31"); code != 0 {
		t.Fatalf("clv score: %s", errOut)
	}
	res = do(t, nil, "GET", ts.URL+"/api/v1/scores?per_page=3", tok, nil, nil)
	validate("GET", "/api/v1/scores", "/api/v1/scores (scored)", res.status, res.body)
	if !strings.Contains(string(res.body), `"clv"`) {
		t.Errorf("scores after clv score: %s", res.body)
	}
	res = do(t, nil, "GET", ts.URL+"/api/v1/customers/5", tok, nil, nil)
	validate("GET", "/api/v1/customers/{id}", "/api/v1/customers/5 (scored)", res.status, res.body)
	// An upload's result, with a rejected row, a warning and the orders' span.
	body, ct := multipartBody(t, "orders", "later.csv", []byte("订单号,客户编号,下单时间,实付金额\nO-1,C000001,2026-10-01,12\nO-2,C000001,never,12\nO-3,C000002,2199-01-01,12\n"))
	res = do(t, nil, "POST", ts.URL+"/api/v1/imports", tok, body, map[string]string{"Content-Type": ct})
	validate("POST", "/api/v1/imports", "/api/v1/imports", res.status, res.body)
	if !strings.Contains(string(res.body), `"orders_to":"2199-01-01T00:00:00+08:00"`) || !strings.Contains(string(res.body), "after the day of the import") {
		t.Errorf("upload result without the orders' span or the warning of a date after the import: %s", res.body)
	}
	seen["POST /api/v1/imports"] = true

	// Every documented typed query parameter is read: a bad value is a 400.
	for key := range routes {
		method, path, _ := strings.Cut(key, " ")
		if method != "GET" || strings.Contains(path, "{") {
			continue
		}
		for _, p := range params(op(method, path)) {
			if p["in"] != "query" {
				continue
			}
			s := c.resolve(p["schema"].(map[string]any))
			bad := ""
			switch {
			case s["enum"] != nil:
				bad = "no-such-value"
			case s["format"] == "date":
				bad = "2026-02-30"
			case s["type"] == "integer":
				bad = "-5x"
			default:
				continue
			}
			target := path + "?" + p["name"].(string) + "=" + bad
			if p["name"] != "customer" && path == "/api/v1/orders" {
				target += "&customer=1"
			}
			res := do(t, nil, "GET", ts.URL+target, tok, nil, nil)
			if res.status != http.StatusBadRequest {
				t.Errorf("GET %s: %d, want 400: the parameter is documented but not checked", target, res.status)
				continue
			}
			validate("GET", path, target, res.status, res.body)
		}
	}
	for key := range routes {
		if !seen[key] && key != "GET /api/v1/openapi.json" {
			t.Errorf("%s has no call in this test", key)
		}
	}
}
