package app_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kithcrm/kith/internal/app"
	"github.com/kithcrm/kith/internal/cli"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// A Taobao download: the order list and the item list in one zip, in GBK,
// with a read-me and what macOS adds.
func taobaoZip(t *testing.T, dir string) string {
	t.Helper()
	gbk := func(s string) string {
		b, err := simplifiedchinese.GBK.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, e := range []struct{ name, body string }{
		{"ExportOrderList.csv", gbk("订单编号,买家会员名,订单付款时间,买家实际支付金额\nT1,buyer_a,2024-03-01 10:00:00,120.00\nT2,buyer_b,2024-03-02 11:00:00,88.50\nT3,buyer_c,someday,5\n")},
		{"ExportOrderDetailList.csv", gbk("订单编号,标题,价格,购买数量,外部系统编号\nT1,面霜,60.00,2,SKU1\nT2,洗面奶,88.50,1,SKU2\n")},
		{"说明.pdf", "%PDF-1.4"},
		{"__MACOSX/._ExportOrderList.csv", "fork"},
	} {
		w, err := z.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.body))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "taobao.zip")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// Exports that come packed import as they are: each data file of a zip on
// its own, a gzip file as the file in it, standard input ("-") as a file;
// kith leaves nothing unpacked behind.
func TestImportArchives(t *testing.T) {
	dir := t.TempDir()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where kith unpacks
	env := map[string]string{"KITH_DB": filepath.Join(dir, "k.db")}
	shop := taobaoZip(t, dir)

	code, out, errOut := kith(t, env, "import", "orders", shop)
	if code != cli.ExitRejected || !strings.Contains(out, "taobao.zip [ExportOrderList.csv]: read 3 rows: created 2, updated 0, unchanged 0, rejected 1") ||
		!strings.Contains(errOut, "taobao.zip [ExportOrderDetailList.csv]: no header for Orders in this file, whose header is one for lines (kith import lines): passed over") ||
		!strings.Contains(errOut, "not CSV, Excel or HTML, passed over: "+shop+" [说明.pdf]") ||
		!strings.Contains(errOut, `taobao.zip [ExportOrderList.csv] (CSV, GB18030, comma-separated): "订单编号" -> order_id`) {
		t.Fatalf("orders from a zip: code %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "__MACOSX") || strings.Contains(out+errOut, tmp) {
		t.Errorf("the output names what kith unpacked, not the archive:\n%s\n%s", out, errOut)
	}
	rejects, err := os.ReadFile(filepath.Join(dir, "taobao.ExportOrderList.rejects.csv"))
	if err != nil || !strings.Contains(string(rejects), "someday") {
		t.Errorf("the member's rejects beside the archive: %v\n%s", err, rejects)
	}
	if code, out, _ := kith(t, env, "import", "orders", shop); code != cli.ExitRejected || !strings.Contains(out, "read 3 rows: created 0, updated 0, unchanged 2, rejected 1") {
		t.Errorf("the zip again: code %d\n%s", code, out)
	}
	// The item list gives the lines of the orders just imported.
	if code, out, errOut := kith(t, env, "import", "lines", shop); code != 0 || !strings.Contains(out, "taobao.zip [ExportOrderDetailList.csv]: read 2 rows: created 0, updated 2") ||
		!strings.Contains(errOut, "taobao.zip [ExportOrderList.csv]: no header for Order lines in this file, whose header is one for orders (kith import orders): passed over") {
		t.Errorf("lines from the zip: code %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := kith(t, env, "import", "traffic", shop); code != 1 || !strings.Contains(errOut, "no file in the archive has a header for Traffic") {
		t.Errorf("no member for the kind: code %d\n%s", code, errOut)
	}
	if code, _, errOut := kith(t, env, "import", "orders", shop, "--rejects", filepath.Join(dir, "r.csv")); code != cli.ExitUsage || !strings.Contains(errOut, "with 2 inputs") {
		t.Errorf("--rejects for two files: code %d\n%s", code, errOut)
	}

	// A gzip file: its rejects are the file's, without .gz.
	csv := []byte("订单号,客户编号,下单时间,金额\nG1,C9,2024-04-01,10\nG2,C9,never,10\n")
	gz := filepath.Join(dir, "april.csv.gz")
	os.WriteFile(gz, gzipBytes(csv), 0o644)
	if code, out, _ := kith(t, env, "import", "orders", gz); code != cli.ExitRejected || !strings.Contains(out, "april.csv.gz: read 2 rows: created 1, updated 0, unchanged 0, rejected 1") ||
		!strings.Contains(out, filepath.Join(dir, "april.rejects.csv")) {
		t.Errorf("a gzip file: code %d\n%s", code, out)
	}
	// One file in a zip that has no header: the error is the file's.
	one := filepath.Join(dir, "one.zip")
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	w, _ := z.Create("data/客户.csv")
	w.Write([]byte("foo,bar\n1,2\n"))
	z.Close()
	os.WriteFile(one, buf.Bytes(), 0o644)
	if code, _, errOut := kith(t, env, "import", "orders", one, "--lang", "zh-CN"); code != 1 || !strings.Contains(errOut, "one.zip [data/客户.csv]: 缺少必需的列") {
		t.Errorf("one member without a header: code %d\n%s", code, errOut)
	}

	// Standard input, plain or compressed; its rejects go to the working
	// folder.
	t.Chdir(dir)
	for _, in := range [][]byte{csv, gzipBytes(csv)} {
		var stdout, stderr bytes.Buffer
		code := app.Run(context.Background(), []string{"import", "orders", "-"}, func(k string) string { return env[k] }, bytes.NewReader(in), &stdout, &stderr)
		if code != cli.ExitRejected || !strings.Contains(stdout.String(), "stdin: read 2 rows: created 0, updated 0, unchanged 1, rejected 1") {
			t.Errorf("standard input: code %d\n%s\n%s", code, stdout.String(), stderr.String())
		}
	}
	// Typed at a prompt, standard input says how to end it.
	var stdout, stderr bytes.Buffer
	e := app.NewEnv(func(k string) string { return env[k] }, &stdout, &stderr)
	e.StdinTerminal = true
	if code := app.RunEnv(context.Background(), e, []string{"import", "orders", "-"}, bytes.NewReader(csv)); code != cli.ExitRejected ||
		!strings.Contains(stderr.String(), "reading the file from standard input: paste or type its rows, then Ctrl-D") {
		t.Errorf("standard input at a prompt: code %d\n%s", code, stderr.String())
	}
	if code, _, errOut := kith(t, env, "import", "orders", "-", "-"); code != cli.ExitUsage || !strings.Contains(errOut, "standard input (-) can be read once") {
		t.Errorf("standard input twice: code %d\n%s", code, errOut)
	}
	if rejects, err := os.ReadFile(filepath.Join(dir, "stdin.rejects.csv")); err != nil || !strings.Contains(string(rejects), "never") {
		t.Errorf("standard input's rejects: %v\n%s", err, rejects)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("kith left %d files in the temporary folder: %v", len(left), left[0].Name())
	}
}

// The web import unpacks as the CLI does: a platform's zip gives its data
// files, the one without a header for the kind passed over and named; a
// gzip upload is its file; a zip that unpacks far beyond the upload limit
// is refused.
func TestUploadArchive(t *testing.T) {
	ts := newTestServer(t, demoDB(t), 1<<20)
	tok := ts.token(t, "owner@demo.kith")
	zipped, err := os.ReadFile(taobaoZip(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	body, ct := multipartBody(t, "orders", "taobao.zip", zipped)
	res := do(t, nil, "POST", ts.URL+"/api/v1/imports", tok, body, map[string]string{"Content-Type": ct})
	var got struct {
		File              string
		Created, Rejected int
		Warnings          []string
		Sheets            []struct {
			File       string
			RejectsURL string `json:"rejects_url"`
		}
	}
	if err := json.Unmarshal(res.body, &got); err != nil || res.status != 200 || got.Created != 2 || got.Rejected != 1 || len(got.Sheets) != 1 ||
		got.Sheets[0].File != "taobao.zip [ExportOrderList.csv]" || len(got.Warnings) != 2 ||
		got.Warnings[0] != "taobao.zip [ExportOrderDetailList.csv]: no header for orders in this file, whose header is one for lines: passed over" ||
		got.Warnings[1] != "not CSV, Excel or HTML, passed over: taobao.zip [说明.pdf]" {
		t.Fatalf("a zip: %d %+v %v\n%s", res.status, got, err, res.body)
	}
	if rej := do(t, nil, "GET", ts.URL+got.Sheets[0].RejectsURL, tok, nil, nil); rej.status != 200 || !bytes.Contains(rej.body, []byte("someday")) {
		t.Errorf("the zip's rejects: %d\n%s", rej.status, rej.body)
	}

	// The archive is kept with the upload; what it unpacked to is not.
	if kept, _ := filepath.Glob(filepath.Join(ts.uploads, "*", "taobao.zip")); len(kept) != 1 {
		t.Errorf("the uploaded zip kept: %v", kept)
	}
	if left, _ := filepath.Glob(filepath.Join(ts.uploads, "*", "unpacked-*")); len(left) > 0 {
		t.Errorf("unpacked files left with the upload: %v", left)
	}

	csv := []byte("订单号,客户编号,下单时间,实付金额\nZ-1,C000001,2026-10-01 10:00,10\n")
	body, ct = multipartBody(t, "orders", "orders.csv.gz", gzipBytes(csv))
	res = do(t, nil, "POST", ts.URL+"/api/v1/imports", tok, body, map[string]string{"Content-Type": ct})
	if err := json.Unmarshal(res.body, &got); err != nil || res.status != 200 || got.File != "orders.csv.gz" || got.Created != 1 {
		t.Errorf("a gzip file: %d %+v %v\n%s", res.status, got, err, res.body)
	}

	// An archive that cannot be unpacked is named as uploaded, in the page's
	// language.
	b := signIn(t, ts, "owner@demo.kith", "kith-demo")
	cut := gzipBytes(bytes.Repeat(csv, 50))
	body, ct = multipartBody(t, "orders", "cut.csv.gz", cut[:len(cut)/2])
	page := do(t, b.c, "POST", ts.URL+"/import?csrf="+b.csrf, "", body, map[string]string{"Content-Type": ct, "Accept-Language": "zh-CN"})
	if !bytes.Contains(page.body, []byte("cut.csv.gz: 压缩包已损坏或不完整")) || bytes.Contains(page.body, []byte(ts.uploads)) {
		t.Errorf("a damaged gzip, in Chinese: %d\n%s", page.status, page.body)
	}

	// 21 MiB of text packs into a few kilobytes: over 20 times the limit.
	big := append(append([]byte{}, csv...), bytes.Repeat([]byte("\n"), 21<<20)...)
	body, ct = multipartBody(t, "orders", "bomb.csv.gz", gzipBytes(big))
	res = do(t, nil, "POST", ts.URL+"/api/v1/imports", tok, body, map[string]string{"Content-Type": ct})
	if res.status != 400 || !bytes.Contains(res.body, []byte("unpacked, the archive is larger than 20 MiB")) {
		t.Errorf("a gzip bomb: %d\n%s", res.status, res.body)
	}
}

// A folder imports as its data files do, each on its own (a file per
// month); its rejects files, hidden files and others are left out or
// named. A pattern that names no file is expanded, as Windows' shells do
// not.
func TestImportFolderAndPattern(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"KITH_DB": filepath.Join(dir, "k.db")}
	months := filepath.Join(dir, "2024")
	os.Mkdir(months, 0o755)
	os.Mkdir(filepath.Join(months, "old"), 0o755)
	for name, body := range map[string]string{
		"01.csv":          "订单号,客户编号,下单时间,金额\nA1,C1,2024-01-05,10\nA2,C2,2024-01-06,x\n",
		"02.csv":          "订单号,客户编号,下单时间,金额\nB1,C1,2024-02-05,30\n",
		"01.rejects.csv":  "line,field,reason,订单号,客户编号,下单时间,金额\n3,amount,bad,A2,C2,2024-01-06,x\n",
		"说明.txt":          "每月一个文件\n",
		"notes.pdf":       "%PDF",
		".DS_Store":       "x",
		"old/2023-12.csv": "订单号,客户编号,下单时间,金额\nZ1,C1,2023-12-05,10\n",
	} {
		if err := os.WriteFile(filepath.Join(months, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := kith(t, env, "import", "orders", months)
	if code != cli.ExitRejected || !strings.Contains(out, filepath.Join(months, "01.csv")+": read 2 rows: created 1, updated 0, unchanged 0, rejected 1") ||
		!strings.Contains(out, filepath.Join(months, "02.csv")+": read 1 rows: created 1") ||
		!strings.Contains(errOut, filepath.Join(months, "说明.txt")+": no header for Orders in this file: passed over") ||
		!strings.Contains(errOut, "not CSV, Excel or HTML, passed over: "+filepath.Join(months, "notes.pdf")) ||
		strings.Contains(out+errOut, "rejects.csv: read") || strings.Contains(out+errOut, "2023-12") || strings.Contains(out+errOut, "DS_Store") {
		t.Fatalf("a folder: code %d\n%s\n%s", code, out, errOut)
	}
	// A pattern that names no file: expanded by kith.
	code, out, _ = kith(t, env, "import", "orders", filepath.Join(months, "0?.csv"))
	if code != cli.ExitRejected || !strings.Contains(out, "all 2 imports: read 3 rows: created 0, updated 0, unchanged 2, rejected 1") {
		t.Errorf("a pattern: code %d\n%s", code, out)
	}
	// *.csv names the rejects file of a file it names too, by kith's
	// expansion or the shell's: left out, with a word; named alone, it
	// is imported (a fixed one goes in so).
	rejects := filepath.Join(months, "01.rejects.csv")
	for _, args := range [][]string{{filepath.Join(months, "*.csv")}, {filepath.Join(months, "01.csv"), rejects, filepath.Join(months, "02.csv")}} {
		code, out, errOut := kith(t, env, append([]string{"import", "orders"}, args...)...)
		if code != cli.ExitRejected || !strings.Contains(out, "all 2 imports: read 3 rows: created 0, updated 0, unchanged 2, rejected 1") ||
			!strings.Contains(errOut, rejects+": where this import writes another file's rejected rows: left out") || strings.Contains(out, "01.rejects.csv: read") {
			t.Errorf("%q: code %d\n%s\n%s", args, code, out, errOut)
		}
	}
	if code, out, errOut := kith(t, env, "import", "orders", rejects); code != cli.ExitRejected || !strings.Contains(out, rejects+": read 1 rows") || strings.Contains(errOut, "left out") {
		t.Errorf("a rejects file alone: code %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := kith(t, env, "import", "orders", filepath.Join(months, "9*.csv")); code != 1 || !strings.Contains(errOut, "9*.csv: no file matches") {
		t.Errorf("a pattern that matches nothing: code %d\n%s", code, errOut)
	}
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	if code, _, errOut := kith(t, env, "import", "orders", empty); code != 1 || !strings.Contains(errOut, "the folder holds no CSV, Excel, HTML, zip or gzip file to import") {
		t.Errorf("an empty folder: code %d\n%s", code, errOut)
	}
}
