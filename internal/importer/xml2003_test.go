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

const xml2003Head = `<?xml version="1.0" encoding="UTF-8"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:o="urn:schemas-microsoft-com:office:office"
 xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:html="http://www.w3.org/TR/REC-html40">
<Styles><Style ss:ID="Default" ss:Name="Normal"><Alignment ss:Vertical="Bottom"/></Style></Styles>
`

// xml2003Table reads the rows of a worksheet as "line: cell|cell".
func xml2003Table(t testing.TB, doc, sheet string) ([]string, error) {
	t.Helper()
	r := &xml2003Rows{x: newXMLScanner(strings.NewReader(doc)), want: sheet}
	var out []string
	for {
		line, cells, err := r.next()
		if err == io.EOF {
			if !r.found {
				return out, r.missing()
			}
			return out, nil
		}
		if err != nil {
			return out, err
		}
		cells, _ = r.merged.fill(line, cells, nil)
		out = append(out, fmt.Sprintf("%d: %s", line, strings.Join(cells, "|")))
	}
}

func TestXML2003Rows(t *testing.T) {
	book := xml2003Head + `<Worksheet ss:Name="封面"><Table><Row><Cell><Data ss:Type="String">订单导出</Data></Cell></Row></Table></Worksheet>
<Worksheet ss:Name="订单"><Table ss:ExpandedColumnCount="4" x:FullColumns="1">
<Column ss:Width="80"/>
<Row><Cell><Data ss:Type="String">订单号</Data></Cell><Cell><Data ss:Type="String">下单时间</Data></Cell><Cell><Data ss:Type="String">金额</Data></Cell><Cell><Data ss:Type="String">备注</Data></Cell></Row>
<Row ss:AutoFitHeight="0"><Cell><Data ss:Type="String">A1</Data></Cell><Cell ss:StyleID="s62"><Data ss:Type="DateTime">2024-01-31T10:00:00.000</Data></Cell><Cell><Data ss:Type="Number">1234.5</Data></Cell><Cell><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40"><B>加</B><Font html:Color="#FF0000">急</Font> &amp; 包</ss:Data></Cell></Row>
<Row ss:Index="5"><Cell ss:Index="2"><Data ss:Type="DateTime">2024-02-01T00:00:00.000</Data></Cell><Cell><Data ss:Type="Number">20</Data></Cell></Row>
<Row/>
<Row><Cell ss:MergeAcross="1"><Data ss:Type="String">合计</Data></Cell><Cell><Data ss:Type="Number">1254.5</Data><Comment><Data>a note, not the value</Data></Comment></Cell></Row>
<Row><Cell ss:MergeDown="1"><Data ss:Type="String">B1</Data></Cell><Cell><Data ss:Type="String">x</Data></Cell></Row>
<Row><Cell ss:Index="2"><Data ss:Type="String">y</Data></Cell></Row>
<Row><Cell ss:MergeDown="2" ss:MergeAcross="1"><Data ss:Type="String">B2</Data></Cell><Cell><Data ss:Type="String">p</Data></Cell></Row>
<Row><Cell><Data ss:Type="String">q</Data></Cell></Row>
</Table></Worksheet></Workbook>`
	for _, tc := range []struct {
		name, sheet string
		want        []string
		err         string
	}{
		{name: "the first worksheet", want: []string{"1: 订单导出"}},
		{name: "a worksheet by name, rows and cells skipped ahead, merged cells", sheet: "订单", want: []string{
			"1: 订单号|下单时间|金额|备注",
			"2: A1|2024-01-31T10:00:00.000|1234.5|加急 & 包",
			"5: |2024-02-01T00:00:00.000|20",
			"6: ",
			"7: 合计|合计|1254.5",
			"8: B1|x",
			"9: B1|y",
			"10: B2|B2|p",
			"11: B2|B2|q", // no ss:Index: the cell goes past the area above
		}},
		{name: "a worksheet that is not there", sheet: "3月", err: `no worksheet "3月" (worksheets: 封面, 订单)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := xml2003Table(t, book, tc.sheet)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %s", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestOpenXML2003: such a file named .xls opens by its content, a damaged
// one stops with the row after which it is damaged.
func TestOpenXML2003(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "orders.xls")
	doc := xml2003Head + `<Worksheet ss:Name="Sheet1"><Table><Row><Cell><Data ss:Type="String">订单号</Data></Cell></Row>
<Row><Cell><Data ss:Type="String">A1</Data></Cell></Row><Row><Cell><Data ss:Type="String">A2</Data></Cell></Row>`
	if err := os.WriteFile(good, []byte(doc+`</Table></Worksheet></Workbook>`), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := OpenSource(good, SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := src.Describe().String(); got != `Excel 2003 XML, worksheet "Sheet1"` {
		t.Errorf("described as %q", got)
	}
	var got []string
	for {
		rec, err := src.Next()
		if err != nil {
			break
		}
		got = append(got, rec.Cells...)
	}
	// The rows read must not write over the header or each other.
	if h := strings.Join(src.Header(), ","); h != "订单号" || strings.Join(got, ",") != "A1,A2" {
		t.Errorf("header %q and rows %q, want 订单号 and A1,A2", h, got)
	}
	src.Close()

	bad := filepath.Join(dir, "cut.xls")
	if err := os.WriteFile(bad, []byte(doc+`<Row><Cell><Data ss:Type="Str`), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err = OpenSource(bad, SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for {
		_, err = src.Next()
		if err != nil {
			break
		}
	}
	if err == io.EOF || !strings.Contains(err.Error(), `worksheet "Sheet1" is damaged: after row 3`) {
		t.Errorf("reading a cut file: %v, want it damaged after row 3", err)
	}
}

// FuzzXML2003Rows: arbitrary input must not hang the reader or number
// rows backwards.
func FuzzXML2003Rows(f *testing.F) {
	f.Add(xml2003Head + `<Worksheet ss:Name="a"><Table><Row ss:Index="3"><Cell ss:Index="2" ss:MergeAcross="2"><Data>x</Data></Cell></Row></Table></Worksheet></Workbook>`)
	f.Add(`<Worksheet><Row><Cell><Data>1</Data></Cell><Row/><Cell/></Row></Worksheet><Worksheet><Row>`)
	f.Add(xml2003Head + `<Worksheet ss:Name="a"><Table><Row><Cell ss:MergeDown="3" ss:MergeAcross="1"><Data>x</Data></Cell></Row><Row><Cell><Data>y</Data></Cell></Row></Table></Worksheet></Workbook>`)
	f.Fuzz(func(t *testing.T, doc string) {
		r := &xml2003Rows{x: newXMLScanner(strings.NewReader(doc))}
		last := 0
		for i := 0; ; i++ {
			line, cells, err := r.next()
			if errors.Is(err, io.EOF) || err != nil {
				return
			}
			cells, _ = r.merged.fill(line, cells, nil)
			if line <= last || i > len(doc) {
				t.Fatalf("row %d after row %d", line, last)
			}
			if len(cells) > 1<<20 {
				t.Fatalf("row %d has %d cells", line, len(cells))
			}
			last = line
		}
	})
}
