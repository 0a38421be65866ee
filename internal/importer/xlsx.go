package importer

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/kithcrm/kith/internal/kith"
)

// An XLSX file is a zip of XML parts. kith reads it itself instead of
// through excelize, which decompressed every part of the workbook when it
// opened it and decoded each cell through encoding/xml: about 70k rows/s
// and the whole workbook again for every sheet read. Here opening reads the
// zip's directory and the workbook's sheet list; a sheet streams out of the
// zip row by row, and shared strings are decoded only as far as the rows
// read so far need them.

// workbook is an open XLSX file.
type workbook struct {
	f        *os.File
	parts    map[string]*zip.File // by name, lower-cased
	sheets   []string             // names, in the workbook's order
	hidden   []bool               // each sheet hidden in Excel (Hide, or visible only to macros)
	targets  []string             // each sheet's part
	strings  *sharedStrings       // nil when the workbook has none
	date1904 bool
}

// The spreadsheets other programs keep in a zip, which kith does not read:
// said so, with how to save them as what it reads.
var (
	errODS     = kith.Msg("file.ods", "an OpenDocument spreadsheet (.ods, LibreOffice's and WPS's own format), not XLSX: save it as Excel 2007-365 (.xlsx) or CSV (File > Save As) and import that")
	errNumbers = kith.Msg("file.numbers", "an Apple Numbers document, not XLSX: export it as Excel or CSV (File > Export To) and import that")
)

// otherZip says which of those a zip's parts are, if one.
func otherZip(parts map[string]*zip.File) error {
	if parts["index/document.iwa"] != nil {
		return errNumbers
	}
	zf := parts["mimetype"]
	if zf == nil {
		return nil
	}
	rc, err := zf.Open()
	if err != nil {
		return nil
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 64))
	if strings.HasPrefix(string(b), "application/vnd.oasis.opendocument.spreadsheet") {
		return errODS
	}
	return nil
}

// openWorkbook reads f's zip directory and sheet list. It does not close f
// on error.
func openWorkbook(f *os.File) (*workbook, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	z, err := zip.NewReader(f, st.Size())
	if err != nil {
		return nil, err
	}
	w := &workbook{f: f, parts: make(map[string]*zip.File, len(z.File))}
	for _, zf := range z.File {
		// Some writers store Windows separators.
		w.parts[strings.ToLower(strings.ReplaceAll(zf.Name, `\`, "/"))] = zf
	}
	if err := otherZip(w.parts); err != nil {
		return nil, err
	}
	if !workbookZip(z) {
		return nil, errPacked
	}
	main := "xl/workbook.xml"
	if rels, err := w.rels("_rels/.rels", ""); err == nil {
		if t := rels.target("/officeDocument"); t != "" {
			main = t
		}
	}
	var book struct {
		Pr struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			Name  string `xml:"name,attr"`
			ID    string `xml:"id,attr"` // r:id, in either namespace (transitional or strict)
			State string `xml:"state,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := w.decode(main, &book); err != nil {
		return nil, err
	}
	w.date1904 = book.Pr.Date1904 == "1" || book.Pr.Date1904 == "true"
	rels, err := w.rels(path.Join(path.Dir(main), "_rels", path.Base(main)+".rels"), path.Dir(main))
	if err != nil {
		return nil, err
	}
	for _, s := range book.Sheets {
		w.sheets = append(w.sheets, s.Name)
		w.hidden = append(w.hidden, s.State == "hidden" || s.State == "veryHidden")
		w.targets = append(w.targets, rels.byID[s.ID])
	}
	if p := rels.target("/sharedStrings"); p != "" {
		if zf := w.parts[strings.ToLower(p)]; zf != nil {
			w.strings = &sharedStrings{part: zf}
		}
	}
	return w, nil
}

func (w *workbook) Close() error {
	if w.strings != nil {
		w.strings.close()
	}
	return w.f.Close()
}

func (w *workbook) decode(name string, v any) error {
	zf := w.parts[strings.ToLower(name)]
	if zf == nil {
		return fmt.Errorf("no part %s", name)
	}
	rc, err := zf.Open()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer rc.Close()
	if err := xml.NewDecoder(rc).Decode(v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// relations are a part's relationships: id -> part name, and by type.
type relations struct {
	byID   map[string]string
	byType map[string]string // the relationship type's last path element, with its slash
}

func (r relations) target(typ string) string { return r.byType[typ] }

// rels reads a relationships part; targets are resolved against dir.
func (w *workbook) rels(name, dir string) (relations, error) {
	var doc struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
			Mode   string `xml:"TargetMode,attr"`
		} `xml:"Relationship"`
	}
	r := relations{byID: map[string]string{}, byType: map[string]string{}}
	if err := w.decode(name, &doc); err != nil {
		return r, err
	}
	for _, rel := range doc.Rels {
		if rel.Mode == "External" {
			continue
		}
		t := strings.ReplaceAll(rel.Target, `\`, "/")
		if strings.HasPrefix(t, "/") {
			t = t[1:]
		} else {
			t = path.Join(dir, t)
		}
		r.byID[rel.ID] = t
		if i := strings.LastIndexByte(rel.Type, '/'); i >= 0 {
			if _, seen := r.byType[rel.Type[i:]]; !seen {
				r.byType[rel.Type[i:]] = t
			}
		}
	}
	return r, nil
}

// openSheet starts reading the named sheet.
func (w *workbook) openSheet(name string) (*sheetReader, error) {
	zf, rc, err := w.openSheetPart(name)
	if err != nil {
		return nil, err
	}
	cr := &countingReader{r: rc}
	return &sheetReader{rc: rc, cnt: cr, size: int64(zf.UncompressedSize64), x: newXMLScanner(cr), sst: w.strings}, nil
}

// openSheetPart opens the named worksheet's part of the zip.
func (w *workbook) openSheetPart(name string) (*zip.File, io.ReadCloser, error) {
	zf, err := w.sheetPart(name)
	if err != nil {
		return nil, nil, err
	}
	rc, err := zf.Open()
	return zf, rc, err
}

// sheetPart finds the named worksheet's part in the zip.
func (w *workbook) sheetPart(name string) (*zip.File, error) {
	i := -1
	for j, s := range w.sheets {
		if s == name {
			i = j
			break
		}
	}
	if i < 0 {
		return nil, errNoSuchSheet
	}
	target := strings.ToLower(w.targets[i])
	if !strings.Contains(target, "worksheets/") {
		return nil, errNotWorksheet
	}
	zf := w.parts[target]
	if zf == nil {
		return nil, kith.Msg("xlsx.no_part", "its part %s is missing from the file", w.targets[i])
	}
	return zf, nil
}

// maxMergeList bounds the XML listing a sheet's merged areas (some 30 bytes
// an area).
const maxMergeList = 256 << 20

// sheetMerges reads the merged areas of the named sheet. A sheet lists them
// after its rows, which stream; so this is a pass of its own over the
// sheet's XML, a byte search up to the list (a sixth of the time the rows
// take to read, hidden behind them: readSheet), which then is read as XML.
func (w *workbook) sheetMerges(name string) ([]cellRange, error) {
	_, rc, err := w.openSheetPart(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	list, err := findMergeList(rc)
	if list == nil || err != nil {
		return nil, err
	}
	var ranges []cellRange
	x := newXMLScanner(list)
	for {
		if err := x.next(); err == io.EOF {
			return ranges, nil
		} else if err != nil {
			return nil, fmt.Errorf("merged cells: %w", err)
		}
		if x.kind != xmlStart || string(x.name) != "mergeCell" {
			continue
		}
		if r, ok := parseRangeRef(x.attr("ref")); ok {
			ranges = append(ranges, r)
		}
	}
}

// findMergeList reads r up to the start of its <mergeCells> element and
// returns a reader of the element and what follows; nil if it has none.
func findMergeList(r io.Reader) (io.Reader, error) {
	needle := []byte("mergeCells")
	buf := make([]byte, 0, 256<<10)
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		for from := 0; ; {
			i := bytes.Index(buf[from:], needle)
			if i < 0 {
				break
			}
			i += from
			// A tag's name follows its '<' or its namespace prefix's ':';
			// the same letters in a cell's text cannot follow a raw '<'.
			if i > 0 && (buf[i-1] == '<' || buf[i-1] == ':') {
				return io.MultiReader(bytes.NewReader(buf[i:]), io.LimitReader(r, maxMergeList)), nil
			}
			from = i + 1
		}
		if err == io.EOF {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		// Keep what may be the start of the name cut by the read.
		keep := min(len(buf), len(needle))
		copy(buf, buf[len(buf)-keep:])
		buf = buf[:keep]
	}
}

// parseRangeRef reads a merged area's reference, such as A2:C4.
func parseRangeRef(ref []byte) (cellRange, bool) {
	a, b, ok := bytes.Cut(ref, []byte(":"))
	if !ok {
		return cellRange{}, false
	}
	r1, c1, ok1 := parseCellRef(a)
	r2, c2, ok2 := parseCellRef(b)
	if !ok1 || !ok2 {
		return cellRange{}, false
	}
	return cellRange{top: int32(min(r1, r2)), bottom: int32(max(r1, r2)), left: int32(min(c1, c2) - 1), right: int32(max(c1, c2) - 1)}, true
}

// parseCellRef reads a cell reference such as AB12 ($ signs allowed): its
// row and 1-based column.
func parseCellRef(ref []byte) (row, col int, ok bool) {
	ref = bytes.ReplaceAll(ref, []byte("$"), nil)
	col, ok = refColumn(ref)
	if !ok {
		return 0, 0, false
	}
	digits := bytes.TrimLeft(ref, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
	row, err := strconv.Atoi(string(digits))
	if err != nil || row < 1 || row > 1<<20 {
		return 0, 0, false
	}
	return row, col, true
}

// sheetReader streams one sheet's rows.
type sheetReader struct {
	rc   io.ReadCloser
	cnt  *countingReader
	size int64 // uncompressed bytes, for progress
	x    *xmlScanner
	sst  *sharedStrings
	row  int // the last row's number
	done bool

	buf        []byte // the row's cell values, back to back
	spans      []cellSpan
	val        []byte
	uncomputed []int // the row's formulas without a value: their columns
}

// marks says which cells of the last row are formulas without a value.
func (r *sheetReader) marks() []cellMark {
	if len(r.uncomputed) == 0 {
		return nil
	}
	marks := make([]cellMark, r.uncomputed[len(r.uncomputed)-1])
	for _, c := range r.uncomputed {
		marks[c-1] = markUncomputed
	}
	return marks
}

// cellSpan is one non-empty cell of the row being read: its column and
// either its bytes in buf or a shared string.
type cellSpan struct {
	col      int
	from, to int
	str      string
	shared   bool
}

func (r *sheetReader) Close() error { return r.rc.Close() }

// next returns the next row's number and cells, empty cells between filled
// ones as "" and none after the last; io.EOF after the last row.
func (r *sheetReader) next() (int, []string, error) {
	if r.done {
		return 0, nil, io.EOF
	}
	x := r.x
	var (
		inRow, inCell, inIS, inPh bool
		collect                   bool // character data is the cell's value
		col                       int
		typ                       []byte
		fromIS                    bool // the value came from <is>, not <v>
		formula                   bool // the cell has a formula, maybe no value cached
		hasV                      bool // the cell has a <v>, empty or not
	)
	var typBuf [16]byte
	for {
		err := x.next()
		if err == io.EOF {
			r.done = true
			if inRow {
				return r.emit()
			}
			return 0, nil, io.EOF
		}
		if err != nil {
			return 0, nil, fmt.Errorf("after row %d: %w", r.row, err)
		}
		switch x.kind {
		case xmlText:
			if collect {
				r.val = append(r.val, x.text...)
			}
		case xmlStart:
			switch string(x.name) {
			case "row":
				inRow = true
				r.row++
				if v := x.attr("r"); v != nil {
					if n, err := strconv.Atoi(string(v)); err == nil && n > r.row {
						r.row = n
					}
				}
				r.buf, r.spans, r.uncomputed, col = r.buf[:0], r.spans[:0], r.uncomputed[:0], 0
				if x.empty {
					return r.emit()
				}
			case "c":
				if !inRow {
					continue
				}
				inCell, fromIS, formula, hasV = true, false, false, false
				r.val = r.val[:0]
				col++
				if ref := x.attr("r"); ref != nil {
					c, ok := refColumn(ref)
					if !ok {
						return 0, nil, fmt.Errorf("row %d: cell reference %q", r.row, ref)
					}
					if c > col {
						col = c
					}
				}
				typ = append(typBuf[:0], x.attr("t")...)
				if x.empty {
					inCell = false
				}
			case "v":
				collect = inCell && !inIS && !x.empty
				hasV = hasV || inCell
			case "f":
				formula = formula || inCell
			case "is":
				if inCell && !x.empty {
					inIS, fromIS = true, true
				}
			case "rPh":
				inPh = inIS && !x.empty
			case "t":
				collect = inIS && !inPh && !x.empty
			}
		case xmlEnd:
			switch string(x.name) {
			case "v", "t":
				collect = false
			case "rPh":
				inPh = false
			case "is":
				inIS = false
			case "c":
				if inCell {
					inCell = false
					if err := r.cell(col, typ, fromIS, formula, formula && !hasV && !fromIS); err != nil {
						return 0, nil, err
					}
				}
			case "row":
				if inRow {
					return r.emit()
				}
			case "sheetData":
				r.done = true
				if inRow {
					return r.emit()
				}
				return 0, nil, io.EOF
			}
		}
	}
}

// maxColumn is Excel's last column, XFD: a cell reference past it is no
// spreadsheet's, and would make the row that long.
const maxColumn = 16384

// refColumn reads the column of a cell reference such as AB12.
func refColumn(ref []byte) (int, bool) {
	col, i := 0, 0
	for ; i < len(ref); i++ {
		c := ref[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
		if col > maxColumn {
			return 0, false
		}
	}
	return col, i > 0
}

// cell records the value just read for column col, as excelize's raw
// value reads it: shared and inline strings resolved, numbers and dates as
// written, a formula without a cached value as an empty cell, which it
// notes as uncomputed.
func (r *sheetReader) cell(col int, typ []byte, fromIS, formula, uncomputed bool) error {
	sp := cellSpan{col: col}
	switch {
	case string(typ) == "s" && !fromIS:
		if len(r.val) == 0 {
			return nil
		}
		if i, err := strconv.Atoi(string(bytes.TrimSpace(r.val))); err == nil && i >= 0 && r.sst != nil {
			s, ok, err := r.sst.get(i)
			if err != nil {
				return fmt.Errorf("row %d: shared strings: %w", r.row, err)
			}
			if ok {
				if s == "" && !formula {
					return nil
				}
				sp.str, sp.shared = s, true
				break
			}
		}
		sp.from, sp.to = r.append(r.val)
	case fromIS:
		sp.from = len(r.buf)
		r.buf = appendUnescaped(r.buf, r.val)
		sp.to = len(r.buf)
	default:
		sp.from, sp.to = r.append(r.val)
	}
	if uncomputed {
		r.uncomputed = append(r.uncomputed, col)
	}
	if !sp.shared && sp.from == sp.to && !formula {
		return nil
	}
	r.spans = append(r.spans, sp)
	return nil
}

func (r *sheetReader) append(b []byte) (int, int) {
	from := len(r.buf)
	r.buf = append(r.buf, b...)
	return from, len(r.buf)
}

// emit turns the row read into cells: one string holds all of its own
// values, which the cells slice.
func (r *sheetReader) emit() (int, []string, error) {
	if len(r.spans) == 0 {
		return r.row, nil, nil
	}
	all := string(r.buf)
	cells := make([]string, r.spans[len(r.spans)-1].col)
	for _, sp := range r.spans {
		if sp.shared {
			cells[sp.col-1] = sp.str
		} else {
			cells[sp.col-1] = all[sp.from:sp.to]
		}
	}
	return r.row, cells, nil
}

// sharedStrings is a workbook's string table, read as far as the cells
// read so far need: Excel writes it in the order the strings first occur,
// so a header needs its first few entries, not a million order numbers.
type sharedStrings struct {
	part *zip.File
	rc   io.ReadCloser
	x    *xmlScanner
	list []string
	done bool
	val  []byte
}

// get returns the i-th string; false when the table has no such entry.
func (t *sharedStrings) get(i int) (string, bool, error) {
	for i >= len(t.list) && !t.done {
		if err := t.readOne(); err != nil {
			t.done = true
			t.close()
			return "", false, err
		}
	}
	if i < len(t.list) {
		return t.list[i], true, nil
	}
	return "", false, nil
}

// readOne reads the next <si>, or marks the end.
func (t *sharedStrings) readOne() error {
	if t.x == nil {
		rc, err := t.part.Open()
		if err != nil {
			return err
		}
		t.rc, t.x = rc, newXMLScanner(rc)
	}
	x := t.x
	var inSI, inPh, collect bool
	for {
		err := x.next()
		if err == io.EOF {
			t.done = true
			t.close()
			return nil
		}
		if err != nil {
			return fmt.Errorf("string %d: %w", len(t.list), err)
		}
		switch x.kind {
		case xmlText:
			if collect {
				t.val = append(t.val, x.text...)
			}
		case xmlStart:
			switch string(x.name) {
			case "si":
				inSI, t.val = true, t.val[:0]
				if x.empty {
					t.list = append(t.list, "")
					return nil
				}
			case "rPh":
				inPh = !x.empty
			case "t":
				collect = inSI && !inPh && !x.empty
			}
		case xmlEnd:
			switch string(x.name) {
			case "t":
				collect = false
			case "rPh":
				inPh = false
			case "si":
				if inSI {
					t.list = append(t.list, string(appendUnescaped(nil, t.val)))
					return nil
				}
			case "sst":
				t.done = true
				t.close()
				return nil
			}
		}
	}
}

func (t *sharedStrings) close() {
	if t.rc != nil {
		t.rc.Close()
		t.rc, t.x = nil, nil
	}
}

// appendUnescaped appends s with OOXML's _xHHHH_ escapes decoded: Excel
// writes a character XML cannot hold (a carriage return, a control
// character) as _x000D_, and a literal "_x" that looks like one as
// _x005F_x.
func appendUnescaped(dst, s []byte) []byte {
	for {
		i := bytes.Index(s, []byte("_x"))
		if i < 0 || len(s) < i+7 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i]...)
		code, ok := escapeCode(s[i:])
		if !ok {
			dst = append(dst, '_')
			s = s[i+1:]
			continue
		}
		s = s[i+7:]
		if code == '_' {
			// _x005F_ is an escaped underscore: what follows stays as written.
			dst = append(dst, '_')
			continue
		}
		r := rune(code)
		if utf16.IsSurrogate(r) {
			if low, ok := escapeCode(s); ok && utf16.IsSurrogate(rune(low)) {
				r, s = utf16.DecodeRune(r, rune(low)), s[7:]
			} else {
				r = utf8.RuneError
			}
		}
		dst = utf8.AppendRune(dst, r)
	}
}

// escapeCode reads _xHHHH_ at the start of s.
func escapeCode(s []byte) (uint16, bool) {
	if len(s) < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(s[2:6]), 16, 16)
	return uint16(n), err == nil
}
