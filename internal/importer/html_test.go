package importer

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// htmlTable reads every row of doc as "line: cell|cell".
func htmlTable(t testing.TB, doc string) ([]string, error) {
	t.Helper()
	h := newHTMLRows(strings.NewReader(doc))
	var out []string
	for {
		line, cells, err := h.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		cells, _ = h.merged.fill(line, cells, nil)
		out = append(out, fmt.Sprintf("%d: %s", line, strings.Join(cells, "|")))
	}
}

// TestHTMLRows covers what shop systems' HTML ".xls" exports do.
func TestHTMLRows(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		want      []string
	}{
		{"plain", `<table><tr><th>订单号</th><th>金额</th></tr><tr><td>A1</td><td>10</td></tr></table>`,
			[]string{"1: 订单号|金额", "2: A1|10"}},
		{"what Excel's save as web page writes", `<html xmlns:o="urn:schemas-microsoft-com:office:office">
<head><meta http-equiv=Content-Type content="text/html; charset=utf-8"><style><!-- td {mso-number-format:"\@";} tr>td{} --></style></head>
<body><table border=0 cellpadding=0 cellspacing=0>
 <col width=72>
 <tr height=19 style='height:14.25pt'>
  <td height=19 class=xl65 style="a:'>'">订单号</td>
  <td class=xl65>金额</td>
 </tr>
 <tr>
  <td class=xl66 x:str>00123</td>
  <td x:num="1234.5">1,234.50</td>
 </tr>
</table></body></html>`, []string{"1: 订单号|金额", "2: 00123|1,234.50"}},
		{"end tags left out, tags in capitals", `<TABLE><TR><TD>a<TD>b<TR><td>c<td>d</TABLE>`,
			[]string{"1: a|b", "2: c|d"}},
		{"entities and whitespace", "<table><tr><td> 张&amp;李&nbsp;</td><td>&#20013;&#x6587;\n  文本</td><td>&lt;b&gt;</td></tr></table>",
			[]string{"1: 张&李|中文 文本|<b>"}},
		{"markup inside cells", `<table><tr><td><b>粗</b><span>体</span></td><td>一<br>二<br/>三</td><td><a href="x?a=1&b=2">链接</a></td></tr></table>`,
			[]string{"1: 粗体|一 二 三|链接"}},
		{"comments and scripts hide rows", `<table><!-- <tr><td>no</td></tr> --><script>var s = "<tr><td>no</td></tr>";</SCRIPT ><tr><td>yes</td></tr></table>`,
			[]string{"1: yes"}},
		{"colspan keeps the columns, its value fills them", `<table><tr><td colspan="3">订单导出</td></tr><tr><td>a</td><td colspan=2>b</td><td>c</td></tr></table>`,
			[]string{"1: 订单导出|订单导出|订单导出", "2: a|b|b|c"}},
		// An order of two items: its number, time and buyer span both rows,
		// whose cells skip those columns.
		{"rowspan: the rows below skip its columns", `<table>
<tr><td>订单号</td><td>下单时间</td><td>商品</td><td>数量</td><td>实付</td></tr>
<tr><td rowspan="2">A1</td><td rowspan=2>2024-03-01</td><td>纸巾</td><td>2</td><td rowspan="2">50</td></tr>
<tr><td>洗衣液</td><td>1</td></tr>
<tr><td>A2</td><td>2024-03-02</td><td>纸巾</td><td>1</td><td>10</td></tr></table>`,
			[]string{"1: 订单号|下单时间|商品|数量|实付", "2: A1|2024-03-01|纸巾|2|50", "3: A1|2024-03-01|洗衣液|1|50", "4: A2|2024-03-02|纸巾|1|10"}},
		{"rowspan and colspan together, and in the middle", `<table><tr><td>a</td><td rowspan=3 colspan=2>M</td><td>b</td></tr><tr><td>c</td><td>d</td></tr><tr><td>e</td></tr></table>`,
			[]string{"1: a|M|M|b", "2: c|M|M|d", "3: e|M|M"}},
		{"a rowspan past the table's end, and rowspan=0", `<table><tr><td rowspan=9>x</td><td rowspan=0>y</td></tr><tr><td>z</td></tr></table>`,
			[]string{"1: x|y", "2: x|z"}},
		{"a blank row under a span stays blank", `<table><tr><td rowspan=3>t</td><td>1</td></tr><tr></tr><tr><td>2</td></tr></table>`,
			[]string{"1: t|1", "2: ", "3: t|2"}},
		{"text with a lone <", `<table><tr><td>a < b</td><td>3<5</td></tr></table>`,
			[]string{"1: a < b|3<5"}},
		{"rows of several tables, thead and tbody", `<table><thead><tr><th>x</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>
<p>合计</p><table><tr><td>2</td></tr></table>`, []string{"1: x", "2: 1", "3: 2"}},
		{"a row left open at the end", `<table><tr><td>a</td><tr><td>b`, []string{"1: a", "2: b"}},
		{"empty rows are still numbered", `<table><tr></tr><tr><td></td></tr><tr><td>z</td></tr></table>`,
			[]string{"1: ", "2: ", "3: z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := htmlTable(t, tc.doc)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// FuzzHTMLRows feeds arbitrary documents: the reader must not fail or
// hang, must number rows upwards, and must give trimmed cells.
func FuzzHTMLRows(f *testing.F) {
	for _, s := range []string{
		`<table><tr><td>a</td><td colspan=2>b</td></tr></table>`,
		`<table><tr><td rowspan=2 colspan=3>a</td><td>b</td></tr><tr><td>c</td></tr></table>`,
		`<TR><TD>x<TD>y`,
		`<table><!-- c --><script>x</script><tr><td>&amp;&nbsp;</td></tr>`,
		`<tr><td a="'>'">q</td></tr><tr`,
		`<<tr>><td>a<b</td>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		h := newHTMLRows(strings.NewReader(doc))
		last := 0
		for i := 0; ; i++ {
			line, cells, err := h.next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				return // a tag or cell too long: an error, not a hang
			}
			cells, _ = h.merged.fill(line, cells, nil)
			if line <= last || i > len(doc) {
				t.Fatalf("row %d after row %d (%d rows from %d bytes)", line, last, i, len(doc))
			}
			last = line
			for _, c := range cells {
				if c != strings.TrimSpace(c) {
					t.Fatalf("cell %q not trimmed", c)
				}
			}
		}
	})
}

// TestWebPageWithoutTable: a page saved instead of an export (a sign-in
// page a download ended on) is named as such, not read as CSV.
func TestWebPageWithoutTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.xls")
	page := "<!DOCTYPE html>\n<html><head><title>登录</title></head><body><form><input name=user></form></body></html>"
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenSource(path, SourceOptions{}); err == nil || !strings.Contains(err.Error(), "a web page without a table") {
		t.Errorf("OpenSource = %v, want a web page without a table", err)
	}
}
