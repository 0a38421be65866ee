package app_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/app"
	"github.com/kithcrm/kith/internal/cli"
	"github.com/spf13/cobra"
	"github.com/xuri/excelize/v2"
)

// kith runs the CLI in-process and returns its exit code and output.
func kith(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := app.Run(context.Background(), args, getenv, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestEveryCommandHasHelpWithExample(t *testing.T) {
	root := cli.NewRoot(&cli.Env{Getenv: func(string) string { return "" }, Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}})
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		n++
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%q has no example in --help", c.CommandPath())
		}
		if c.Short == "" {
			t.Errorf("%q has no short description", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if n < 8 {
		t.Errorf("walked only %d commands", n)
	}
	code, out, _ := kith(t, nil, "import", "--help")
	if code != 0 || !strings.Contains(out, "Examples:") || !strings.Contains(out, "rejects") {
		t.Errorf("import --help: code %d\n%s", code, out)
	}
}

func TestImportExitCodes(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "k.db")
	env := map[string]string{"KITH_DB": db}
	good := filepath.Join(dir, "good.csv")
	bad := filepath.Join(dir, "bad.csv")
	nocol := filepath.Join(dir, "nocol.csv")
	os.WriteFile(good, []byte("订单号,客户编号,下单时间,金额\nA1,C1,2024-01-01,10\n"), 0o644)
	os.WriteFile(bad, []byte("订单号,客户编号,下单时间,金额\nB1,C1,2024-01-01,10\nB2,C1,never,10\n"), 0o644)
	os.WriteFile(nocol, []byte("订单号,客户编号\nA1,C1\n"), 0o644)

	code, out, errOut := kith(t, env, "import", "orders", good)
	if code != 0 || !strings.Contains(out, "read 1 rows: created 1, updated 0, unchanged 0, rejected 0") {
		t.Fatalf("good import: code %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, `"下单时间" -> ordered_at`) {
		t.Errorf("import does not say which column it used for what:\n%s", errOut)
	}
	if !strings.Contains(out, "\n  orders dated 2024-01-01 to 2024-01-01\n") {
		t.Errorf("import does not say when its orders run:\n%s", out)
	}
	// An order dated after the import is kept as dated, and named.
	later := filepath.Join(dir, "later.csv")
	os.WriteFile(later, []byte("订单号,客户编号,下单时间,金额\nF1,C1,2199-01-01,10\n"), 0o644)
	code, out, _ = kith(t, env, "import", "orders", later, "--format", "csv")
	if code != 0 || !strings.HasSuffix(strings.SplitN(out, "\n", 2)[0], ",orders_from,orders_to") ||
		!strings.Contains(out, ",2199-01-01T00:00:00+08:00,2199-01-01T00:00:00+08:00") {
		t.Errorf("an order dated 2199: code %d, CSV summary\n%s", code, out)
	}
	code, out, _ = kith(t, env, "import", "orders", later, "--lang", "zh-CN")
	if code != 0 || !strings.Contains(out, "订单日期：2199-01-01 至 2199-01-01") || !strings.Contains(out, "第 2 行的订单日期是 2199-01-01，晚于导入当天") {
		t.Errorf("an order dated 2199, in Chinese: code %d\n%s", code, out)
	}
	code, out, _ = kith(t, env, "import", "orders", good, "--lang", "zh-CN")
	if code != 0 || !strings.Contains(out, "读取 1 行：新建 0，更新 0，未变 1，拒绝 0") {
		t.Errorf("re-import in Chinese: code %d\n%s", code, out)
	}
	code, out, errOut = kith(t, env, "import", "orders", bad, "--format", "json")
	if code != cli.ExitRejected || !strings.Contains(errOut, "rows rejected: 1;") {
		t.Errorf("import with a bad row exited %d, want 3 and the count\n%s", code, errOut)
	}
	var sums []map[string]any
	if err := json.Unmarshal([]byte(out), &sums); err != nil || len(sums) != 1 || sums[0]["rejected"] != 1.0 || sums[0]["created"] != 1.0 {
		t.Errorf("json summary %q (%v)", out, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.rejects.csv")); err != nil {
		t.Errorf("rejects file: %v", err)
	}
	code, _, errOut = kith(t, env, "import", "orders", nocol)
	if code != 1 || !strings.Contains(errOut, "missing required column ordered_at") {
		t.Errorf("missing column: code %d, %s", code, errOut)
	}
	// Several files: one that cannot be read keeps none of the others out.
	good2 := filepath.Join(dir, "good2.csv")
	os.WriteFile(good2, []byte("订单号,客户编号,下单时间,金额\nA2,C2,2024-01-02,20\n"), 0o644)
	code, out, errOut = kith(t, env, "import", "orders", nocol, good2)
	if code != 1 || !strings.Contains(out, "good2.csv: read 1 rows: created 1") ||
		!strings.Contains(errOut, "nocol.csv: missing required column ordered_at") || !strings.Contains(errOut, "1 of 2 files could not be imported") {
		t.Errorf("a bad file among good ones: code %d\n%s\n%s", code, out, errOut)
	}
	for _, args := range [][]string{{"import", "nonsense", good}, {"import", "orders"}, {"import", "orders", good, "--date-order", "ydm"}, {"nosuch"}, {"import", "--bogus"}} {
		if code, _, errOut := kith(t, env, args...); code != cli.ExitUsage {
			t.Errorf("kith %v exited %d, want 2 (%s)", args, code, errOut)
		}
	}
	// The kind left out: what to type, with the kind the header fits;
	// the kind in the singular or in Chinese is the kind.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{good}, "say what " + good + " holds before it: its header is one for orders: kith import orders " + good},
		{[]string{good, good2}, "kith import orders " + good + " " + good2},
		{[]string{dir}, "say what " + dir + " holds before it: kith import customers|orders|lines|spend|traffic|products " + dir},
		{[]string{"orders"}, "name the file to import: kith import orders FILE"},
		{[]string{"-"}, "say what - holds before it: kith import customers|orders|lines|spend|traffic|products -"},
		{[]string{"nonsense", good}, `unknown import kind "nonsense"`},
	} {
		if code, _, errOut := kith(t, env, append([]string{"import"}, c.args...)...); code != cli.ExitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("kith import %q: code %d, %s; want 2, %q", c.args, code, errOut, c.want)
		}
	}
	for _, k := range []string{"order", "订单", "Orders"} {
		if code, out, errOut := kith(t, env, "import", k, good2); code != 0 || !strings.Contains(out, "good2.csv: read 1 rows") {
			t.Errorf("kith import %s: code %d\n%s\n%s", k, code, out, errOut)
		}
	}
}

// With --lang zh-CN the reasons in the rejects file, the warnings and the
// errors are Chinese; the rejects file, fixed, imports again without its
// own columns becoming customer attributes.
func TestImportInChinese(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"KITH_DB": filepath.Join(dir, "k.db")}
	orders := filepath.Join(dir, "orders.csv")
	os.WriteFile(orders, []byte("订单号,客户编号,下单时间,金额\nA1,C1,2024-01-01,10\nA2,C1,2024-01-02,12,50\nA3,C2,2024-13-01,5\n合计,,,27\n"), 0o644)
	code, out, errOut := kith(t, env, "import", "orders", orders, "--lang", "zh-CN")
	if code != cli.ExitRejected || !strings.Contains(out, "第 5 行是合计行") || !strings.Contains(errOut, "被拒绝 2 行") ||
		!strings.Contains(out, "    第 3 行：这一行有 5 个单元格，表头有 4 个") || !strings.Contains(out, "    第 4 行，ordered_at：日期 \"2024-13-01\"：超出范围") ||
		!strings.Contains(errOut, `（CSV，UTF-8，逗号分隔）："订单号" -> order_id，"客户编号" -> customer_id`) {
		t.Errorf("orders in Chinese: code %d\n%s\n%s", code, out, errOut)
	}
	rejects, _ := os.ReadFile(filepath.Join(dir, "orders.rejects.csv"))
	for _, want := range []string{"行号,字段,原因", `这一行有 5 个单元格，表头有 4 个`, `日期 ""2024-13-01""：超出范围`} {
		if !strings.Contains(string(rejects), want) {
			t.Errorf("rejects file lacks %q:\n%s", want, rejects)
		}
	}
	nocol := filepath.Join(dir, "nocol.csv")
	os.WriteFile(nocol, []byte("订单号,客户编号\nA1,C1\n"), 0o644)
	if code, _, errOut := kith(t, env, "import", "orders", nocol, "--lang", "zh-CN"); code != 1 ||
		!strings.Contains(errOut, "nocol.csv: 缺少必需的列 ordered_at；能匹配 ordered_at 的表头有 ") {
		t.Errorf("missing column in Chinese: code %d, %s", code, errOut)
	}

	customers := filepath.Join(dir, "customers.csv")
	os.WriteFile(customers, []byte("客户编号,姓名,邮箱,会员等级\nM1,张三,zs@example.com,金卡\nM2,李四,lisi-at-example,银卡\n"), 0o644)
	for _, lang := range []string{"en", "zh-CN"} {
		if code, out, _ := kith(t, env, "import", "customers", customers, "--lang", lang); code != cli.ExitRejected {
			t.Fatalf("%s: customers import exited %d\n%s", lang, code, out)
		}
		rejects, _ := os.ReadFile(filepath.Join(dir, "customers.rejects.csv"))
		fixed := filepath.Join(dir, "fixed-"+lang+".csv")
		os.WriteFile(fixed, []byte(strings.ReplaceAll(string(rejects), "lisi-at-example", "lisi@example.com")), 0o644)
		if code, out, errOut := kith(t, env, "import", "customers", fixed, "--lang", lang); code != 0 {
			t.Fatalf("%s: the fixed rejects file exited %d\n%s%s", lang, code, out, errOut)
		}
		code, out, _ := kith(t, env, "customer", "show", "M2", "--format", "json")
		var v struct {
			Email string
			Attrs map[string]string `json:"attrs"`
		}
		if err := json.Unmarshal([]byte(out), &v); code != 0 || err != nil || v.Email != "lisi@example.com" || len(v.Attrs) != 1 || v.Attrs["会员等级"] != "银卡" {
			t.Errorf("%s: M2 after the fixed rejects file: %+v (%v)\n%s", lang, v, err, out)
		}
	}
	// A flag written wrong is told in Chinese, and is still a usage error.
	if code, _, errOut := kith(t, env, "report", "overview", "--period", "year", "--lang", "zh-CN"); code != cli.ExitUsage ||
		!strings.Contains(errOut, `--period "year"：可选 week、month 或 quarter`) {
		t.Errorf("bad flag in Chinese: code %d, %s", code, errOut)
	}
	// Errors from outside the import are told in Chinese too.
	if code, _, errOut := kith(t, env, "customer", "show", "M404", "--lang", "zh-CN"); code != 1 ||
		!strings.Contains(errOut, `客户 "M404"：未找到（已按外部编号、手机号、邮箱和姓名查找）`) {
		t.Errorf("customer not found, in Chinese: code %d, %s", code, errOut)
	}
}

// monthlyWorkbook writes book.xlsx in dir: a notes sheet, then a sheet of
// orders per month, and a chart sheet of January last; February's second
// row has a date that is none.
func monthlyWorkbook(t *testing.T, dir string) string {
	t.Helper()
	book := excelize.NewFile()
	book.SetSheetName("Sheet1", "说明")
	book.SetCellValue("说明", "A1", "每月一张表")
	for _, m := range []struct {
		sheet string
		rows  [][]any
	}{
		{"1月", [][]any{{"订单号", "客户编号", "下单时间", "实付金额"}, {"A1", "C1", "2024-01-05", 10}, {"A2", "C2", "2024-01-06", 20}}},
		{"2月", [][]any{{"订单号", "客户编号", "下单时间", "实付金额"}, {"B1", "C1", "2024-02-05", 30}, {"B2", "C3", "someday", 5}}},
	} {
		book.NewSheet(m.sheet)
		for i, r := range m.rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			book.SetSheetRow(m.sheet, cell, &r)
		}
	}
	chart := &excelize.Chart{Type: excelize.Col, Series: []excelize.ChartSeries{{Name: "'1月'!$D$1", Categories: "'1月'!$A$2:$A$3", Values: "'1月'!$D$2:$D$3"}}}
	if err := book.AddChartSheet("图表", chart); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "book.xlsx")
	if err := book.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// A workbook kept a sheet per month, behind a notes sheet: --all-sheets
// imports each month with its own summary and rejects file, and passes
// the notes and the chart sheet over.
func TestImportAllSheets(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"KITH_DB": filepath.Join(dir, "k.db")}
	path := monthlyWorkbook(t, dir)
	code, out, errOut := kith(t, env, "import", "orders", path, "--all-sheets")
	if code != cli.ExitRejected || !strings.Contains(out, "book.xlsx [1月]: read 2 rows: created 2") ||
		!strings.Contains(out, "book.xlsx [2月]: read 2 rows: created 1, updated 0, unchanged 0, rejected 1") ||
		!strings.Contains(errOut, "book.xlsx [说明]: no header for Orders on this sheet: passed over") ||
		!strings.Contains(errOut, "book.xlsx [图表]: no header for Orders on this sheet: passed over") {
		t.Fatalf("all sheets: code %d\n%s\n%s", code, out, errOut)
	}
	if rejects, err := os.ReadFile(filepath.Join(dir, "book.2月.rejects.csv")); err != nil || !strings.Contains(string(rejects), "someday") {
		t.Errorf("February's rejects: %v\n%s", err, rejects)
	}
	if _, err := os.Stat(filepath.Join(dir, "book.1月.rejects.csv")); err == nil {
		t.Error("January has a rejects file without a rejected row")
	}
	if !strings.Contains(out, "all 2 imports: read 4 rows: created 3, updated 0, unchanged 0, rejected 1") {
		t.Errorf("no total of the sheets:\n%s", out)
	}
	// The reports' order snapshot was rebuilt once, after the last sheet:
	// the first report does not pay for it.
	if built, current := snapshotVersions(t, env["KITH_DB"]); built != current {
		t.Errorf("order snapshot built at version %d, data at %d", built, current)
	}
	// Without --all-sheets the first sheet with a header is read, as before,
	// and the others with one are named: they were not imported.
	if code, out, _ := kith(t, env, "import", "orders", path); code != 0 || !strings.Contains(out, "read 2 rows: created 0, updated 0, unchanged 2") ||
		!strings.Contains(out, "warning: sheets 2月 also have a header for orders and were not read (to read every sheet: kith import --all-sheets, or \"Every sheet of a workbook\" on the import page)") {
		t.Errorf("first data sheet only: code %d\n%s", code, out)
	}
	if code, out, _ := kith(t, env, "import", "orders", path, "--sheet", "2月"); code != cli.ExitRejected || strings.Contains(out, "were not read") {
		t.Errorf("a sheet named: code %d\n%s", code, out)
	}
	if code, _, _ := kith(t, env, "import", "orders", path, "--all-sheets", "--sheet", "1月"); code != cli.ExitUsage {
		t.Errorf("--all-sheets with --sheet: code %d, want 2", code)
	}
}

// snapshotVersions reads the version the order snapshot was built at and
// the data's version.
func snapshotVersions(t *testing.T, db string) (built, current int64) {
	t.Helper()
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.QueryRow(`SELECT COALESCE((SELECT version FROM order_snapshot), -1), (SELECT value FROM meta WHERE key = 'orders_version')`).Scan(&built, &current); err != nil {
		t.Fatal(err)
	}
	return built, current
}

func TestDemoAndCustomerShow(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.db")
	code, out, errOut := kith(t, nil, "demo", "--customers", "300", "--seed", "7", "--end", "2026-10-31", "--db", db)
	if code != 0 {
		t.Fatalf("demo: %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"Customers 300", "Orders from 2024-11-01", "kith customer show C000001"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if code, _, errOut := kith(t, nil, "demo", "--customers", "10", "--db", db); code != 1 || !strings.Contains(errOut, "--force") {
		t.Errorf("demo over an existing db: %d %s", code, errOut)
	}
	code, out, _ = kith(t, nil, "customer", "show", "C000001", "--db", db, "--lang", "zh-CN")
	if code != 0 || !strings.Contains(out, "客户资料") || !strings.Contains(out, "最近订单") || !strings.Contains(out, "会员等级") {
		t.Errorf("customer show zh-CN: %d\n%s", code, out)
	}
	code, out, _ = kith(t, nil, "customer", "show", "C000001", "--db", db, "--format", "json")
	var v struct {
		ExternalID string `json:"external_id"`
		Orders     []struct {
			Amount string `json:"amount"`
		} `json:"orders"`
		Totals struct {
			Orders  int    `json:"orders"`
			Revenue string `json:"revenue"`
		} `json:"totals"`
	}
	if err := json.Unmarshal([]byte(out), &v); code != 0 || err != nil || v.ExternalID != "C000001" || len(v.Orders) == 0 || v.Totals.Revenue == "" {
		t.Errorf("customer show json: code %d, %v\n%s", code, err, out)
	}
	if code, _, errOut := kith(t, nil, "customer", "show", "nobody", "--db", db); code != 1 || !strings.Contains(errOut, "not found") {
		t.Errorf("unknown customer: %d %s", code, errOut)
	}
}

// TestDemoDeterministic: the same seed and end give the same shop.
func TestDemoDeterministic(t *testing.T) {
	var outs []string
	for i := 0; i < 2; i++ {
		db := filepath.Join(t.TempDir(), "d.db")
		code, out, errOut := kith(t, nil, "demo", "--customers", "200", "--seed", "3", "--end", "2025-12-31", "--db", db)
		if code != 0 {
			t.Fatal(errOut)
		}
		_, show, _ := kith(t, nil, "customer", "show", "C000150", "--db", db, "--format", "json")
		outs = append(outs, strings.ReplaceAll(out, db, "")+show)
	}
	if outs[0] != outs[1] {
		t.Errorf("two demo runs with one seed differ:\n%s\n---\n%s", outs[0], outs[1])
	}
}

// On a terminal the import shows a bar with the rows read, not the
// reader's bytes per second, which run ahead of the database.
func TestImportProgressOnTerminal(t *testing.T) {
	var b strings.Builder
	b.WriteString("订单号,客户编号,下单时间,实付金额\n")
	for i := range 40000 {
		fmt.Fprintf(&b, "A%d,C%d,2024-01-05,12.50\n", i, i%900)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "orders.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	env := app.NewEnv(func(string) string { return "" }, &stdout, &stderr)
	env.Terminal = true
	clock := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	env.Now = func() time.Time { clock = clock.Add(700 * time.Millisecond); return clock }
	code := app.RunEnv(context.Background(), env, []string{"import", "orders", path, "--db", filepath.Join(dir, "k.db")}, strings.NewReader(""))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stderr.String()
	if !strings.Contains(out, "orders.csv: 16384 rows read") {
		t.Errorf("no rows and rows/s in the progress bar:\n%q", out)
	}
	if strings.Contains(out, "B/s") {
		t.Errorf("the bar shows the reader's bytes per second:\n%q", out)
	}
	// The index build and report snapshot after the bar are announced.
	if !strings.Contains(out, "finishing: building indexes") {
		t.Errorf("no word of the work after the last row:\n%q", out)
	}
	// Imported again, nothing changes and nothing is to finish.
	stderr.Reset()
	code = app.RunEnv(context.Background(), env, []string{"import", "orders", path, "--db", filepath.Join(dir, "k.db")}, strings.NewReader(""))
	if code != 0 || strings.Contains(stderr.String(), "finishing") {
		t.Errorf("exit %d, a second import announces finishing:\n%q", code, stderr.String())
	}
}

// kith customer merge folds duplicates named by their keys, refuses a
// customer named only by name, and the duplicates' keys find the survivor
// afterwards, in show and in the next import.
func TestCustomerMergeCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"KITH_DB": filepath.Join(dir, "k.db")}
	customers := filepath.Join(dir, "c.csv")
	os.WriteFile(customers, []byte("客户编号,姓名,手机,会员等级\nM1,张三,13800000001,金卡\nM2,张三,13900000002,\nM3,李四,,银卡\n"), 0o644)
	orders := filepath.Join(dir, "o.csv")
	os.WriteFile(orders, []byte("订单号,客户编号,下单时间,金额\nA1,M1,2024-01-02,20\nA2,M2,2024-02-02,30\nA3,M2,2024-03-02,40\n"), 0o644)
	for _, f := range [][]string{{"customers", customers}, {"orders", orders}} {
		if code, out, errOut := kith(t, env, "import", f[0], f[1]); code != 0 {
			t.Fatalf("import %s: %d\n%s%s", f[0], code, out, errOut)
		}
	}
	if code, _, errOut := kith(t, env, "customer", "merge", "M1", "李四"); code != cli.ExitUsage || !strings.Contains(errOut, "by external id, phone, email or #id") {
		t.Errorf("merge by name: code %d, %s", code, errOut)
	}
	if code, _, errOut := kith(t, env, "customer", "merge", "M1", "13800000001"); code != cli.ExitUsage || !strings.Contains(errOut, "are the same customer") {
		t.Errorf("merge into itself: code %d, %s", code, errOut)
	}
	code, out, errOut := kith(t, env, "customer", "merge", "M1", "13900000002")
	if code != 0 || !strings.Contains(out, "Merged M2 张三 into M1 张三.") || !strings.Contains(out, "2 orders moved; it now has 3.") {
		t.Fatalf("merge: code %d\n%s%s", code, out, errOut)
	}
	code, out, _ = kith(t, env, "customer", "show", "M2", "--lang", "zh-CN")
	if code != 0 || !strings.Contains(out, "M2 已合并到此客户。") || !strings.Contains(out, "M1") || !regexp.MustCompile(`已合并的编号\s+M2, 13900000002`).MatchString(out) {
		t.Errorf("show M2 after the merge: code %d\n%s", code, out)
	}
	code, out, _ = kith(t, env, "import", "customers", customers)
	if code != 0 || !strings.Contains(out, "rows of customers merged into others, left merged (among the unchanged): 1") {
		t.Errorf("customers again: code %d\n%s", code, out)
	}
	if code, out, _ = kith(t, env, "customer", "merge", "M1", "M2"); code != cli.ExitUsage {
		t.Errorf("merging a merged key again: code %d\n%s", code, out)
	}
}

// TestImportDryRun: --dry-run says what the import would do and writes
// nothing but the rejects file: not into a shop with data, nor a new
// database; and it leaves no copy behind.
func TestImportDryRun(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "k.db")
	env := map[string]string{"KITH_DB": db}
	first := filepath.Join(dir, "o.csv")
	os.WriteFile(first, []byte("订单号,客户编号,下单时间,金额\nA1,C1,2024-01-01,10\nA2,C2,2024-01-02,20\n"), 0o644)
	again := filepath.Join(dir, "o2.csv")
	os.WriteFile(again, []byte("订单号,客户编号,下单时间,金额\nA1,C1,2024-01-01,10\nA2,C2,2024-01-02,25\nA3,C3,2024-01-03,30\nA4,C4,never,1\n"), 0o644)

	code, out, errOut := kith(t, env, "import", "orders", first, "--dry-run")
	if code != 0 || !strings.Contains(out, "read 2 rows: created 2, updated 0, unchanged 0, rejected 0") || !strings.Contains(errOut, "dry run: nothing was written to "+db) {
		t.Fatalf("dry run into no database: code %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(db); err == nil {
		t.Fatal("a dry run created the database")
	}
	if code, out, errOut := kith(t, env, "import", "orders", first); code != 0 {
		t.Fatalf("import: %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = kith(t, env, "import", "orders", again, "--dry-run", "--format", "json")
	if code != cli.ExitRejected || !strings.Contains(out, `"dry_run": true`) {
		t.Fatalf("dry run: code %d\n%s%s", code, out, errOut)
	}
	var sums []struct{ Created, Updated, Unchanged, Rejected int }
	if err := json.Unmarshal([]byte(out), &sums); err != nil || len(sums) != 1 || sums[0].Created != 1 || sums[0].Updated != 1 || sums[0].Unchanged != 1 || sums[0].Rejected != 1 {
		t.Errorf("dry run summary %+v %v, want 1 created, 1 updated, 1 unchanged, 1 rejected", sums, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "o2.rejects.csv")); err != nil {
		t.Errorf("the dry run wrote no rejects file: %v", err)
	}
	// The shop is as the first import left it, and no copy is left beside it.
	code, out, _ = kith(t, env, "customer", "show", "C2", "--format", "json")
	if code != 0 || !strings.Contains(out, `"amount": "20.00"`) {
		t.Errorf("C2 after the dry run: code %d\n%s", code, out)
	}
	if code, _, _ := kith(t, env, "customer", "show", "C3"); code == 0 {
		t.Error("the dry run's new customer C3 is in the database")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".kith-dry-run-") {
			t.Errorf("the dry run left %s behind", e.Name())
		}
	}
	code, _, errOut = kith(t, map[string]string{"KITH_DB": "postgres://nobody@127.0.0.1:1/none"}, "import", "orders", first, "--dry-run")
	if code != cli.ExitUsage || !strings.Contains(errOut, "--dry-run needs a SQLite database") {
		t.Errorf("dry run on PostgreSQL: code %d, %s", code, errOut)
	}
}
