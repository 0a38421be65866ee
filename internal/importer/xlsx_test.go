package importer

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// sheetRows reads every non-blank row of a sheet with kith's reader.
func sheetRows(t testing.TB, path, sheet string) ([]Record, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := openWorkbook(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	defer w.Close()
	r, err := w.openSheet(sheet)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []Record
	for {
		line, cells, err := r.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if !blank(cells) {
			out = append(out, Record{Line: line, Cells: cells})
		}
	}
}

// excelizeRows reads the same with excelize, the reference: raw values,
// rows numbered as the sheet numbers them.
func excelizeRows(t testing.TB, path, sheet string) []Record {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.Rows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []Record
	for line := 1; rows.Next(); line++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if !blank(cells) {
			out = append(out, Record{Line: line, Cells: cells})
		}
	}
	return out
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func sameRows(t testing.TB, path, sheet string) {
	t.Helper()
	got, err := sheetRows(t, path, sheet)
	if err != nil {
		t.Fatalf("sheet %s: %v", sheet, err)
	}
	want := excelizeRows(t, path, sheet)
	if len(got) != len(want) {
		t.Fatalf("sheet %s: %d rows, excelize reads %d\n got %+v\nwant %+v", sheet, len(got), len(want), got, want)
	}
	for i := range want {
		if got[i].Line != want[i].Line || !reflect.DeepEqual(got[i].Cells, want[i].Cells) {
			t.Errorf("sheet %s row %d: got line %d %q, excelize reads line %d %q", sheet, i, got[i].Line, got[i].Cells, want[i].Line, want[i].Cells)
		}
	}
}

// TestXLSXLikeExcelize: what excelize writes, kith reads as excelize
// itself reads it (raw values): shared strings, inline strings from its
// stream writer, numbers, dates, booleans, formulas, rich text, gaps.
func TestXLSXLikeExcelize(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "订单")
	rows := [][]any{
		{"订单号", "客户编号", "下单时间", "实付金额", "备注"},
		{"A1", "C1", time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC), 12.5, "a < b & \"c\""},
		{},
		{"A2", nil, "2024-02-01", "¥8", true},
		{"A3", "C3", 45322.5, -0.1, "line one\nline two\r\n_x000D_ and _x0041_"},
		{"A4", "C4", 1e21, 3, "  spaced  "},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("订单", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	f.SetCellFormula("订单", "F2", "D2*2")
	f.SetCellValue("订单", "H9", "far cell")
	f.SetCellRichText("订单", "B7", []excelize.RichTextRun{{Text: "富"}, {Text: "文本", Font: &excelize.Font{Bold: true}}})
	f.SetCellValue("订单", "AB7", 7)
	// A sheet from the stream writer: inline strings, as large exports write.
	f.NewSheet("流")
	sw, err := f.NewStreamWriter("流")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 50; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i*2)
		sw.SetRow(cell, []any{fmt.Sprintf("订单 %d", i), i * 3, float64(i) / 7, fmt.Sprintf("客户%d&<>", i%5)})
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	f.NewSheet("空")
	p := filepath.Join(t.TempDir(), "book.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	for _, sheet := range []string{"订单", "流", "空"} {
		sameRows(t, p, sheet)
	}
	if got, _ := sheetRows(t, p, "订单"); len(got) != 7 || got[0].Cells[4] != "备注" || got[3].Line != 5 {
		t.Errorf("rows %+v: want 7, the blank row skipped, line numbers kept", got)
	}
}

// FuzzXLSXCells: any text in a cell, written by excelize as a shared
// string or an inline string, reads back as excelize reads it.
func FuzzXLSXCells(f *testing.F) {
	for _, s := range []string{"", "plain", "张三", "a&b<c>\"d'", "_x000D_", "_x005F_x0041_", "\r\n", "]]>", "😀", " lead", "\x01"} {
		f.Add(s, 12.5)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, s string, n float64) {
		x := excelize.NewFile()
		x.SetCellStr("Sheet1", "A1", "head")
		x.SetCellStr("Sheet1", "B2", s)
		x.SetCellFloat("Sheet1", "C2", n, -1, 64)
		x.SetCellStr("Sheet1", "A3", s+s)
		x.NewSheet("s")
		sw, _ := x.NewStreamWriter("s")
		sw.SetRow("A1", []any{"head", s, n})
		sw.SetRow("B3", []any{s})
		if err := sw.Flush(); err != nil {
			return // text excelize will not write
		}
		p := filepath.Join(dir, "fuzz.xlsx")
		if err := x.SaveAs(p); err != nil {
			return
		}
		sameRows(t, p, "Sheet1")
		sameRows(t, p, "s")
	})
}

// writeZip writes a workbook part by part, for what excelize never
// writes but other programs do.
func writeZip(t *testing.T, parts map[string]string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "hand.xlsx")
	out, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	z := zip.NewWriter(out)
	for name, body := range parts {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	out.Close()
	return p
}

const (
	relsNS  = `xmlns="http://schemas.openxmlformats.org/package/2006/relationships"`
	rootRel = `<?xml version="1.0"?><Relationships ` + relsNS + `><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="%s"/></Relationships>`
)

func handBook(workbook, rels, sst, sheet string) map[string]string {
	parts := map[string]string{
		"_rels/.rels":                fmt.Sprintf(rootRel, "xl/workbook.xml"),
		"xl/workbook.xml":            workbook,
		"xl/_rels/workbook.xml.rels": rels,
		"xl/worksheets/sheet1.xml":   sheet,
	}
	if sst != "" {
		parts["xl/sharedStrings.xml"] = sst
	}
	return parts
}

// TestXLSXHandWritten: what other writers put in a workbook (the .NET
// Open XML SDK's x: prefixes, WPS's and Excel's phonetic runs, cells
// without references, comments, CDATA, strict namespaces) reads as data.
func TestXLSXHandWritten(t *testing.T) {
	const (
		book = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<x:workbookPr date1904="1"/><x:sheets><x:sheet name="Data &amp; more" sheetId="1" r:id="rId7"/><x:sheet name="Chart" sheetId="2" r:id="rId8"/></x:sheets></x:workbook>`
		rels = `<?xml version="1.0"?><Relationships ` + relsNS + `>
<Relationship Id="rId7" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/worksheet" Target="/xl/worksheets/sheet1.xml"/>
<Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet" Target="chartsheets/sheet1.xml"/>
<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId10" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="http://example.com/a>b" TargetMode="External"/>
</Relationships>`
		sst = `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4">
<si><t>订单号</t></si>
<si><r><rPr><b/></rPr><t xml:space="preserve">客户 </t></r><r><t>编号</t></r><rPh sb="0" eb="2"><t>きゃく</t></rPh><phoneticPr fontId="1"/></si>
<si><t/></si>
<si><t>carriage_x000D_return, _x005F_x0041_ kept, &#x1F600; &lt;ok&gt;, _xD83D__xDE00_</t></si>
</sst>`
		sheet = `<?xml version="1.0" encoding="UTF-8"?>
<!-- written by hand: a > in a comment -->
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<x:dimension ref="A1:D5"/>
<x:sheetData>
<x:row r="1" spans="1:4"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c t="s"><x:v>1</x:v></x:c><x:c r="D1" t="inlineStr"><x:is><x:t>金额</x:t></x:is></x:c></x:row>
<x:row r="2"/>
<x:row r="3" x14ac:dyDescent="0.25" customFormat='1' ht="a>b"><x:c r="A3" s="2"><x:v>45322.5</x:v></x:c><x:c r="B3" t="s"><x:v>3</x:v></x:c><x:c r="C3" t="s"><x:v>2</x:v></x:c><x:c r="D3" t="str"><x:f>SUM(1,2)</x:f><x:v>3</x:v></x:c></x:row>
<x:row><x:c r="B4" t="b"><x:v>1</x:v></x:c><x:c r="C4" t="e"><x:v>#N/A</x:v></x:c><x:c r="D4" t="inlineStr"><x:is><x:t><![CDATA[a <raw> & b]]></x:t></x:is></x:c></x:row>
<x:row r="7"><x:c r="A7" t="s"><x:v>99</x:v></x:c><x:c r="C7" s="3"/><x:c r="D7"><x:v> 1,5 </x:v></x:c></x:row>
</x:sheetData>
<x:mergeCells count="2"><x:mergeCell ref="A3:A4"/><x:mergeCell ref="$A$7:B7"/></x:mergeCells>
<x:hyperlinks><x:hyperlink ref="A1" display="x>y"/></x:hyperlinks>
</x:worksheet>`
	)
	p := writeZip(t, handBook(book, rels, sst, sheet))
	s, err := OpenSource(p, SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if want := `XLSX, sheet "Data & more"`; s.Describe().String() != want {
		t.Errorf("Describe = %q, want %q", s.Describe(), want)
	}
	if got, want := s.Header(), []string{"订单号", "客户 编号", "", "金额"}; !reflect.DeepEqual(got, want) {
		t.Errorf("header %q, want %q (the phonetic run left out)", got, want)
	}
	want := []Record{
		{Line: 3, Cells: []string{"45322.5", "carriage\rreturn, _x0041_ kept, 😀 <ok>, 😀", "", "3"}},
		{Line: 4, Cells: []string{"45322.5", "1", "#N/A", "a <raw> & b"}}, // merged down from A3
		{Line: 7, Cells: []string{"99", "99", "", " 1,5 "}},
	}
	var got []Record
	for {
		rec, err := s.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, Record{Line: rec.Line, Cells: rec.Cells})
	}
	if !reflect.DeepEqual(recordCells(got), recordCells(want)) {
		t.Errorf("rows\n got %q\nwant %q", recordCells(got), recordCells(want))
	}
	// A row without r follows the one before it.
	if len(got) != 3 || got[0].Line != 3 || got[1].Line != 4 || got[2].Line != 7 {
		t.Errorf("lines %+v, want 3, 4 and 7", got)
	}
	if _, err := OpenSource(p, SourceOptions{Sheet: "Chart"}); err == nil || !strings.Contains(err.Error(), "not a worksheet") {
		t.Errorf("chart sheet: %v", err)
	}
	if got := Sheets(p); !reflect.DeepEqual(got, []string{"Data & more", "Chart"}) {
		t.Errorf("Sheets = %q", got)
	}
}

func recordCells(rs []Record) [][]string {
	var out [][]string
	for _, r := range rs {
		out = append(out, r.Cells)
	}
	return out
}

// TestXLSXBroken: a workbook whose parts are damaged is refused, or stops
// at the row where the damage is, with an error that says where.
func TestXLSXBroken(t *testing.T) {
	const book = `<workbook><sheets><sheet name="S" r:id="rId1" xmlns:r="r"/></sheets></workbook>`
	const rels = `<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`
	head := `<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>订单号</t></is></c></row>`
	tests := []struct {
		name  string
		parts map[string]string
		want  string
	}{
		{"no workbook part", map[string]string{"[Content_Types].xml": "<Types/>"}, "not a readable XLSX spreadsheet: no part xl/workbook.xml"},
		{"a zip of other files", map[string]string{"a.txt": "x"}, "an archive (zip or gzip)"},
		{"workbook not XML", handBook("<workbook><sheets>", rels, "", head), "not a readable XLSX spreadsheet"},
		{"sheet part missing", map[string]string{"xl/workbook.xml": book, "xl/_rels/workbook.xml.rels": rels}, "its part xl/worksheets/sheet1.xml is missing"},
		{"tag cut off", handBook(book, rels, "", head+`<row r="2"><c r="A2`), `sheet "S" is damaged: after row 2: XML ends inside a tag`},
		{"bad entity", handBook(book, rels, "", head+`<row r="2"><c t="inlineStr"><is><t>&nbsp;</t></is></c></row>`), "after row 2: XML: unknown entity &nbsp;"},
		{"bad reference", handBook(book, rels, "", head+`<row r="2"><c r="$A$2"><v>1</v></c></row>`), `row 2: cell reference "$A$2"`},
		{"column past XFD", handBook(book, rels, "", head+`<row r="2"><c r="XFE2"><v>1</v></c></row>`), `row 2: cell reference "XFE2"`},
		// Other programs' zips: said what they are and how to save them as
		// what kith reads, not "no part xl/workbook.xml".
		{"OpenDocument spreadsheet", map[string]string{"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<office:document-content/>"},
			"an OpenDocument spreadsheet (.ods, LibreOffice's and WPS's own format), not XLSX: save it as Excel 2007-365 (.xlsx) or CSV"},
		{"Apple Numbers document", map[string]string{"index/document.iwa": "\x00", "Metadata/Properties.plist": "x"},
			"an Apple Numbers document, not XLSX: export it as Excel or CSV"},
		{"OpenDocument text is not a spreadsheet either", map[string]string{"mimetype": "application/vnd.oasis.opendocument.text"},
			"not a readable XLSX spreadsheet: no part xl/workbook.xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeZip(t, tt.parts)
			s, err := OpenSource(p, SourceOptions{})
			if err == nil {
				defer s.Close()
				for err == nil {
					_, err = s.Next()
				}
			}
			if err == io.EOF || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// A sheet's header needs the first shared strings only: the rest of the
// table is not decoded to look at it (as the search for sheets with a
// header does; an import reads rows ahead while it looks for the sheet's
// merged areas).
func TestSharedStringsReadAsNeeded(t *testing.T) {
	var sst strings.Builder
	sst.WriteString(`<sst><si><t>订单号</t></si>`)
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&sst, `<si><t>O%d</t></si>`, i)
	}
	sst.WriteString(`</sst>`)
	const book = `<workbook><sheets><sheet name="S" id="rId1"/></sheets></workbook>`
	const rels = `<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="x/sharedStrings" Target="sharedStrings.xml"/></Relationships>`
	p := writeZip(t, handBook(book, rels, sst.String(), `<worksheet><sheetData><row><c t="s"><v>0</v></c></row><row><c t="s"><v>1000</v></c></row></sheetData></worksheet>`))
	src, err := OpenSource(p, SourceOptions{headerOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	x := src.(*xlsxSource)
	if n := len(x.w.strings.list); n != 1 {
		t.Errorf("opening read %d shared strings, want 1", n)
	}
	if rec, err := src.Next(); err != nil || rec.Cells[0] != "O999" || rec.Line != 2 {
		t.Errorf("Next = %+v, %v", rec, err)
	}
	if done, total := x.Pos(); done != total || total == 0 {
		t.Errorf("Pos = %d of %d at the end", done, total)
	}
}

// FuzzSheetXML: whatever bytes a sheet part holds, reading it ends, in
// rows numbered upwards or an error, without a panic.
func FuzzSheetXML(f *testing.F) {
	f.Add(`<worksheet><sheetData><row r="1"><c r="B1" t="s"><v>0</v></c><c t="inlineStr"><is><r><t>a&amp;b</t></r></is></c></row><row/></sheetData></worksheet>`)
	f.Add(`<?xml version="1.0"?><!-- > --><x:sheetData><x:row><x:c r="XFD1"><x:v><![CDATA[1]]></x:v></x:c></x:row>`)
	f.Add(`<row r="3" a='>'><c r="A3"><f>1</f></c></row><row r="2"><c><v>&#x41;&#66;</v></c></row>`)
	f.Fuzz(func(t *testing.T, sheet string) {
		sst := &sharedStrings{list: []string{"s0", ""}, done: true}
		r := &sheetReader{rc: io.NopCloser(nil), x: newXMLScanner(strings.NewReader(sheet)), sst: sst}
		last := 0
		for i := 0; ; i++ {
			line, cells, err := r.next()
			if err != nil {
				return
			}
			if line <= last || len(cells) > maxColumn {
				t.Fatalf("row %d after %d with %d cells", line, last, len(cells))
			}
			last = line
			if i > len(sheet) {
				t.Fatalf("%d rows from %d bytes", i, len(sheet))
			}
		}
	})
}

// TestXLSXFromLibreOffice: a workbook LibreOffice Calc wrote
// (testdata/libreoffice.xlsx, converted from libreoffice.fods with
// `soffice --headless --convert-to xlsx`): rich-text runs, a character
// reference for a line break, a formula with its cached value, a blank row,
// attributes on every row. It reads as excelize reads it.
func TestXLSXFromLibreOffice(t *testing.T) {
	const p = "testdata/libreoffice.xlsx"
	if got := Sheets(p); !reflect.DeepEqual(got, []string{"说明", "1月", "2月"}) {
		t.Fatalf("Sheets = %q", got)
	}
	for _, sheet := range Sheets(p) {
		sameRows(t, p, sheet)
	}
	rows, err := sheetRows(t, p, "1月")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"订单号", "客户编号", "下单时间", "实付金额", "备注"},
		{"A-001", "C1", "45322.5208333333", "12.5", "加急 & 包邮 <尽快>"},
		{"A-002", "C2", "45306.375", "25", "第一行\n第二行"},
		{"A-003", "C1", "2024/1/20", "¥1,234.50"},
	}
	if got := recordCells(rows); !reflect.DeepEqual(got, want) || rows[2].Line != 4 {
		t.Errorf("rows %+v\nwant %q, the third on line 4", rows, want)
	}
}

// A formula with no value in the file (a program wrote the workbook, and no
// spreadsheet computed it) is marked, so a reject can say so; one that
// computed an empty text is not.
func TestUncomputedFormulas(t *testing.T) {
	const book = `<workbook><sheets><sheet name="S" id="rId1"/></sheets></workbook>`
	const rels = `<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`
	sheet := `<worksheet><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>b</t></is></c><c r="C1" t="inlineStr"><is><t>c</t></is></c></row>
<row r="2"><c r="A2"><f>B2*2</f></c><c r="B2" t="str"><f>IF(1,"","x")</f><v></v></c><c r="C2"><v>7</v></c></row>
<row r="3"><c r="A3"><f>1+1</f><v>2</v></c><c r="C3"><v>8</v></c></row>
</sheetData></worksheet>`
	src, err := OpenSource(writeZip(t, handBook(book, rels, "", sheet)), SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for _, want := range []struct {
		cells string
		marks []cellMark
	}{{"||7", []cellMark{markUncomputed}}, {"2||8", nil}} {
		rec, err := src.Next()
		if err != nil || strings.Join(rec.Cells, "|") != want.cells || !slices.Equal(rec.Marks, want.marks) {
			t.Errorf("line %d: %q marks %v (%v), want %q marks %v", rec.Line, rec.Cells, rec.Marks, err, want.cells, want.marks)
		}
	}
}
