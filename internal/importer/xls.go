package importer

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/kithcrm/kith/internal/kith"
	"github.com/richardlehane/mscfb"
)

// Legacy Excel workbooks (.xls, Excel 97-2003: BIFF8), which older shop,
// ERP and bookkeeping systems still export: a compound file (mscfb, which
// excelize already brought in) whose "Workbook" stream is a sequence of
// records: the workbook's globals (sheet list, string table, date mode)
// and then each sheet's cells. A sheet is at most 65,536 rows, so its
// cells are read whole when it is opened and sorted: writers such as
// Spreadsheet::WriteExcel and its PHP ports store cells in the order they
// were written, not row by row. Cells come raw, as an XLSX sheet's do: a
// date is its serial number, which ParseTime reads.

// BIFF8 record types kith reads.
const (
	xlsBOF        = 0x0809
	xlsEOF        = 0x000A
	xlsContinue   = 0x003C
	xlsFilePass   = 0x002F
	xlsDateMode   = 0x0022
	xlsBoundSheet = 0x0085
	xlsSST        = 0x00FC
	xlsLabelSST   = 0x00FD
	xlsLabel      = 0x0204
	xlsRString    = 0x00D6
	xlsNumber     = 0x0203
	xlsRK         = 0x027E
	xlsMulRK      = 0x00BD
	xlsBoolErr    = 0x0205
	xlsFormula    = 0x0006
	xlsString     = 0x0207
	xlsMerged     = 0x00E5
)

// xlsMaxStream bounds the Workbook stream read into memory (and no stream
// is longer than its file): Excel's own limit of 65,536 rows a sheet keeps
// real ones far below it.
const xlsMaxStream = 1 << 30

// xlsBook is a BIFF8 workbook's Workbook stream and its globals.
type xlsBook struct {
	data     []byte
	sheets   []string // names, in the workbook's order
	offsets  []int    // each sheet's BOF in data
	kinds    []byte   // BoundSheet's dt: 0 is a worksheet
	hidden   []bool   // hidden in Excel (Hide, or visible only to macros)
	sst      []string
	date1904 bool
}

// openXLSBook reads the compound file f's Workbook stream and globals.
func openXLSBook(f *os.File) (*xlsBook, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	data, err := xlsStream(f, st.Size())
	if err != nil {
		return nil, err
	}
	return parseXLSGlobals(data)
}

// xlsStream returns the Workbook stream of the compound file f of size
// bytes.
func xlsStream(f io.ReaderAt, size int64) (data []byte, err error) {
	defer func() {
		// mscfb follows the file's sector chains as it finds them: a
		// damaged file must not take the import down with it.
		if p := recover(); p != nil {
			data, err = nil, kith.Msg("xls.damaged_file", "not a readable .xls workbook (Excel 97-2003): %v", p)
		}
	}()
	if err := cfbCounts(f, size); err != nil {
		return nil, kith.Msg("xls.damaged_file", "not a readable .xls workbook (Excel 97-2003): %v", err)
	}
	r, err := mscfb.New(f)
	if err != nil {
		return nil, kith.Msg("xls.damaged_file", "not a readable .xls workbook (Excel 97-2003): %v", err)
	}
	var book *mscfb.File
	var streams []string
	for e, err := r.Next(); err == nil; e, err = r.Next() {
		if len(e.Path) > 0 {
			continue // inside a storage: not the document's own streams
		}
		streams = append(streams, e.Name)
		if strings.EqualFold(e.Name, "Workbook") {
			book = e
		}
	}
	switch {
	case book == nil && slices.ContainsFunc(streams, func(n string) bool { return strings.EqualFold(n, "Book") }):
		// Only Excel 5.0/95's stream; a file saved for both Excel 95 and
		// 97 has a Workbook stream too, which is read.
		return nil, kith.Msg("xls.biff5", "an Excel 5.0/95 workbook, older than kith reads: save it as .xlsx or CSV")
	case book == nil && slices.Contains(streams, "EncryptedPackage"):
		return nil, kith.Msg("xls.encrypted", "the workbook is protected by a password: save it without one")
	case book == nil:
		return nil, kith.Msg("xls.not_excel", "a compound document without a workbook (a Word or other Office file?)")
	case book.Size > size || book.Size > xlsMaxStream:
		// A damaged directory must not make kith allocate what it claims.
		return nil, kith.Msg("xls.damaged_file", "not a readable .xls workbook (Excel 97-2003): %v",
			fmt.Errorf("its workbook stream claims %d bytes in a file of %d", book.Size, size))
	}
	data = make([]byte, book.Size)
	// In pieces: mscfb merges a read's sectors in time quadratic in their
	// number (3 s for one 24 MB read, 10 ms in 64 KiB ones).
	for off := 0; off < len(data); {
		n, err := book.Read(data[off:min(off+64<<10, len(data))])
		if off += n; err != nil && (err != io.EOF || off < len(data)) {
			return nil, kith.Msg("xls.damaged_file", "not a readable .xls workbook (Excel 97-2003): %v", err)
		}
		if n == 0 && off < len(data) {
			return nil, kith.Msg("xls.damaged_file", "not a readable .xls workbook (Excel 97-2003): %v", io.ErrUnexpectedEOF)
		}
	}
	return data, nil
}

// cfbCounts checks the sector counts in a compound file's header against
// the file's size before mscfb sizes its tables by them: a damaged or
// hostile header made it allocate 27 GB, which no recover catches.
func cfbCounts(f io.ReaderAt, size int64) error {
	head := make([]byte, 0x4C)
	if _, err := f.ReadAt(head, 0); err != nil {
		return fmt.Errorf("its header: %w", err)
	}
	shift := binary.LittleEndian.Uint16(head[0x1E:])
	if shift != 9 && shift != 12 {
		return fmt.Errorf("its sector size is 2^%d", shift)
	}
	for _, c := range []struct {
		name string
		at   int
	}{{"directory", 0x28}, {"allocation table", 0x2C}, {"mini allocation table", 0x40}, {"DIFAT", 0x48}} {
		if n := int64(binary.LittleEndian.Uint32(head[c.at:])); n<<shift > size {
			return fmt.Errorf("its header gives the %s %d sectors, more than the file's %d bytes hold", c.name, n, size)
		}
	}
	return nil
}

var errXLSTruncated = errors.New("a record runs past the end of the stream")

// xlsRecord returns the record at pos: its type, its body and where the
// next one starts.
func xlsRecord(data []byte, pos int) (uint16, []byte, int, error) {
	if pos+4 > len(data) {
		return 0, nil, pos, errXLSTruncated
	}
	typ, n := binary.LittleEndian.Uint16(data[pos:]), int(binary.LittleEndian.Uint16(data[pos+2:]))
	end := pos + 4 + n
	if end > len(data) {
		return 0, nil, pos, errXLSTruncated
	}
	return typ, data[pos+4 : end], end, nil
}

// xlsContinued returns body and the bodies of the CONTINUE records after
// it (at next), and where the record after them starts.
func xlsContinued(data []byte, body []byte, next int) ([][]byte, int) {
	segs := [][]byte{body}
	for {
		typ, b, after, err := xlsRecord(data, next)
		if err != nil || typ != xlsContinue {
			return segs, next
		}
		segs, next = append(segs, b), after
	}
}

// parseXLSGlobals reads the workbook globals at the start of data.
func parseXLSGlobals(data []byte) (*xlsBook, error) {
	typ, body, pos, err := xlsRecord(data, 0)
	if err != nil || typ != xlsBOF || len(body) < 4 {
		return nil, kith.Msg("xls.not_biff", "the workbook stream does not start as an Excel workbook does")
	}
	if v := binary.LittleEndian.Uint16(body); v != 0x0600 {
		return nil, kith.Msg("xls.biff5", "an Excel 5.0/95 workbook, older than kith reads: save it as .xlsx or CSV")
	}
	b := &xlsBook{data: data}
	for {
		typ, body, next, err := xlsRecord(data, pos)
		if err != nil {
			return nil, xlsGlobalsDamaged(err)
		}
		switch typ {
		case xlsEOF:
			return b, nil
		case xlsFilePass:
			return nil, kith.Msg("xls.encrypted", "the workbook is protected by a password: save it without one")
		case xlsDateMode:
			b.date1904 = len(body) >= 2 && body[0] == 1
		case xlsBoundSheet:
			if len(body) < 8 {
				return nil, xlsGlobalsDamaged(errors.New("a sheet entry is too short"))
			}
			name, err := xlsShortString(body[6:])
			if err != nil {
				return nil, xlsGlobalsDamaged(err)
			}
			b.sheets = append(b.sheets, name)
			b.offsets = append(b.offsets, int(binary.LittleEndian.Uint32(body)))
			b.kinds = append(b.kinds, body[5])
			b.hidden = append(b.hidden, body[4]&0x03 != 0)
		case xlsSST:
			var segs [][]byte
			segs, next = xlsContinued(data, body, next)
			if b.sst, err = parseSST(segs); err != nil {
				return nil, xlsGlobalsDamaged(fmt.Errorf("shared strings: %w", err))
			}
		}
		pos = next
	}
}

func xlsGlobalsDamaged(err error) error {
	return kith.Msg("xls.damaged", "the workbook's globals are damaged: %v", err)
}

// xlsShortString reads a sheet name: a one-byte length, flags, and the
// characters, one byte each or UTF-16.
func xlsShortString(b []byte) (string, error) {
	if len(b) < 2 {
		return "", errXLSTruncated
	}
	t := &xlsText{segs: [][]byte{b[2:]}}
	return t.chars(int(b[0]), b[1]&1 != 0)
}

// parseSST reads the shared string table: its counts, then each string.
func parseSST(segs [][]byte) ([]string, error) {
	t := &xlsText{segs: segs}
	head, err := t.take(8)
	if err != nil {
		return nil, err
	}
	unique := int(binary.LittleEndian.Uint32(head[4:]))
	// A string takes 3 bytes at least: a damaged count allocates no more
	// than the strings could be.
	size := 0
	for _, s := range segs {
		size += len(s)
	}
	list := make([]string, 0, min(unique, size/3))
	for len(list) < unique && !t.atEnd() {
		s, err := t.str()
		if err != nil {
			return nil, fmt.Errorf("string %d: %w", len(list), err)
		}
		list = append(list, s)
	}
	return list, nil
}

// xlsText reads BIFF8 strings from a record and its CONTINUE records. A
// string's characters may go on in the next record, which then starts
// with a flags byte saying whether they go on one byte or two bytes each.
type xlsText struct {
	segs [][]byte
	seg  int
	pos  int
	u16  []uint16
}

func (t *xlsText) atEnd() bool {
	for t.seg < len(t.segs) && t.pos >= len(t.segs[t.seg]) {
		t.seg, t.pos = t.seg+1, 0
	}
	return t.seg >= len(t.segs)
}

// take returns the next n bytes, across records when they end first.
func (t *xlsText) take(n int) ([]byte, error) {
	if !t.atEnd() && t.pos+n <= len(t.segs[t.seg]) {
		b := t.segs[t.seg][t.pos : t.pos+n]
		t.pos += n
		return b, nil
	}
	out := make([]byte, 0, n)
	for len(out) < n {
		if t.atEnd() {
			return nil, errXLSTruncated
		}
		s := t.segs[t.seg][t.pos:]
		k := min(n-len(out), len(s))
		out = append(out, s[:k]...)
		t.pos += k
	}
	return out, nil
}

func (t *xlsText) skip(n int) error {
	for n > 0 {
		if t.atEnd() {
			return errXLSTruncated
		}
		k := min(n, len(t.segs[t.seg])-t.pos)
		t.pos += k
		n -= k
	}
	return nil
}

// str reads an XLUnicodeRichExtendedString (XLUnicodeString when its flags
// say no runs and no extension): length, flags, run count, extension size,
// characters, runs, extension.
func (t *xlsText) str() (string, error) {
	head, err := t.take(3)
	if err != nil {
		return "", err
	}
	n, flags := int(binary.LittleEndian.Uint16(head)), head[2]
	runs, ext := 0, 0
	if flags&0x08 != 0 {
		b, err := t.take(2)
		if err != nil {
			return "", err
		}
		runs = int(binary.LittleEndian.Uint16(b))
	}
	if flags&0x04 != 0 {
		b, err := t.take(4)
		if err != nil {
			return "", err
		}
		ext = int(binary.LittleEndian.Uint32(b))
	}
	s, err := t.chars(n, flags&0x01 != 0)
	if err != nil {
		return "", err
	}
	if err := t.skip(4*runs + ext); err != nil {
		return "", err
	}
	return s, nil
}

// chars reads n characters, two bytes each when wide, else one (the
// high byte left out: Latin-1).
func (t *xlsText) chars(n int, wide bool) (string, error) {
	t.u16 = t.u16[:0]
	for len(t.u16) < n {
		if t.seg < len(t.segs) && t.pos >= len(t.segs[t.seg]) {
			// The characters go on in the next record, after its flags.
			if t.seg++; t.seg >= len(t.segs) || len(t.segs[t.seg]) == 0 {
				return "", errXLSTruncated
			}
			wide, t.pos = t.segs[t.seg][0]&1 != 0, 1
			continue
		}
		if t.seg >= len(t.segs) {
			return "", errXLSTruncated
		}
		s := t.segs[t.seg]
		if wide {
			if t.pos+2 > len(s) {
				return "", errXLSTruncated
			}
			t.u16 = append(t.u16, binary.LittleEndian.Uint16(s[t.pos:]))
			t.pos += 2
		} else {
			t.u16 = append(t.u16, uint16(s[t.pos]))
			t.pos++
		}
	}
	return string(utf16.Decode(t.u16)), nil
}

// xlsCell is one filled cell of a sheet, 0-based.
type xlsCell struct {
	row int
	col int
	v   string
}

// xlsErrors are the error values a cell can hold, by code.
var xlsErrors = map[byte]string{0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!", 0x2A: "#N/A"}

// xlsNumText writes a number as an XLSX sheet stores it: the shortest
// decimal that reads back as the same value, never in exponent form.
func xlsNumText(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// rkNumber decodes an RK value: a 30-bit integer or the high 30 bits of a
// double, either perhaps times 100.
func rkNumber(rk uint32) float64 {
	var v float64
	if rk&2 != 0 {
		v = float64(int32(rk) >> 2)
	} else {
		v = math.Float64frombits(uint64(rk&^3) << 32)
	}
	if rk&1 != 0 {
		v /= 100
	}
	return v
}

// sheetCells reads the i-th sheet's filled cells, sorted by row and column,
// and its merged areas (rows numbered from 1, as xlsRows numbers them).
func (b *xlsBook) sheetCells(i int) ([]xlsCell, []cellRange, error) {
	if b.kinds[i] != 0 {
		return nil, nil, errNotWorksheet
	}
	pos := b.offsets[i]
	typ, _, _, err := xlsRecord(b.data, pos)
	if err != nil || typ != xlsBOF {
		return nil, nil, fmt.Errorf("the sheet does not start where the workbook says (offset %d)", pos)
	}
	var cells []xlsCell
	var merges []cellRange
	depth := 0                  // BOF..EOF nesting: a chart inside the sheet is its own
	pending := xlsCell{row: -1} // a formula whose text result comes next
	add := func(row, col int, v string) {
		if v != "" {
			cells = append(cells, xlsCell{row: row, col: col, v: v})
		}
	}
	for {
		typ, body, next, err := xlsRecord(b.data, pos)
		if err != nil {
			return nil, nil, err
		}
		var segs [][]byte
		if typ == xlsLabel || typ == xlsString || typ == xlsRString {
			segs, next = xlsContinued(b.data, body, next)
		}
		pos = next
		switch typ {
		case xlsBOF:
			depth++
			continue
		case xlsEOF:
			if depth--; depth == 0 {
				slices.SortStableFunc(cells, func(a, b xlsCell) int {
					return cmp.Or(cmp.Compare(a.row, b.row), cmp.Compare(a.col, b.col))
				})
				return cells, merges, nil
			}
			continue
		}
		if depth != 1 {
			continue
		}
		if typ == xlsMerged {
			// A count, then each area's first and last row and column.
			for at := 2; at+8 <= len(body); at += 8 {
				u := func(k int) int32 { return int32(binary.LittleEndian.Uint16(body[at+k:])) }
				merges = append(merges, cellRange{top: u(0) + 1, bottom: u(2) + 1, left: u(4), right: u(6)})
			}
			continue
		}
		if typ == xlsString {
			if pending.row >= 0 {
				s, err := (&xlsText{segs: segs}).str()
				if err != nil {
					return nil, nil, fmt.Errorf("row %d: a formula's text: %w", pending.row+1, err)
				}
				add(pending.row, pending.col, s)
				pending.row = -1
			}
			continue
		}
		if !xlsCellRecord(typ) {
			continue
		}
		if len(body) < 6 {
			return nil, nil, fmt.Errorf("a cell record of %d bytes", len(body))
		}
		row, col := int(binary.LittleEndian.Uint16(body)), int(binary.LittleEndian.Uint16(body[2:]))
		short := func(n int) error {
			if len(body) < n {
				return fmt.Errorf("row %d: a cell record of %d bytes", row+1, len(body))
			}
			return nil
		}
		switch typ {
		case xlsLabelSST:
			if err := short(10); err != nil {
				return nil, nil, err
			}
			k := int(binary.LittleEndian.Uint32(body[6:]))
			if k >= len(b.sst) {
				return nil, nil, fmt.Errorf("row %d: shared string %d of %d", row+1, k, len(b.sst))
			}
			add(row, col, b.sst[k])
		case xlsLabel, xlsRString:
			segs[0] = segs[0][6:]
			s, err := (&xlsText{segs: segs}).str()
			if err != nil {
				return nil, nil, fmt.Errorf("row %d: %w", row+1, err)
			}
			add(row, col, s)
		case xlsNumber:
			if err := short(14); err != nil {
				return nil, nil, err
			}
			add(row, col, xlsNumText(math.Float64frombits(binary.LittleEndian.Uint64(body[6:]))))
		case xlsRK:
			if err := short(10); err != nil {
				return nil, nil, err
			}
			add(row, col, xlsNumText(rkNumber(binary.LittleEndian.Uint32(body[6:]))))
		case xlsMulRK:
			// colFirst, then (xf, rk) per column, then colLast.
			for j, at := 0, 4; at+6 <= len(body)-2; j, at = j+1, at+6 {
				add(row, col+j, xlsNumText(rkNumber(binary.LittleEndian.Uint32(body[at+2:]))))
			}
		case xlsBoolErr:
			if err := short(8); err != nil {
				return nil, nil, err
			}
			add(row, col, xlsBoolOrError(body[7] != 0, body[6]))
		case xlsFormula:
			if err := short(14); err != nil {
				return nil, nil, err
			}
			v := body[6:14]
			if v[6] != 0xFF || v[7] != 0xFF {
				add(row, col, xlsNumText(math.Float64frombits(binary.LittleEndian.Uint64(v))))
				break
			}
			switch v[0] {
			case 0: // text, in the STRING record that follows
				pending = xlsCell{row: row, col: col}
			case 1:
				add(row, col, xlsBoolOrError(false, v[2]))
			case 2:
				add(row, col, xlsBoolOrError(true, v[2]))
			}
		}
	}
}

func xlsCellRecord(typ uint16) bool {
	switch typ {
	case xlsLabelSST, xlsLabel, xlsRString, xlsNumber, xlsRK, xlsMulRK, xlsBoolErr, xlsFormula:
		return true
	}
	return false
}

// xlsBoolOrError is a cell's boolean or error value as Excel shows it.
func xlsBoolOrError(isErr bool, v byte) string {
	switch {
	case isErr:
		if s, ok := xlsErrors[v]; ok {
			return s
		}
		return "#ERROR!"
	case v != 0:
		return "TRUE"
	}
	return "FALSE"
}

// xlsRows yields a sheet's rows from its sorted cells.
type xlsRows struct {
	cells []xlsCell
	at    int
}

// next returns the next row with a cell, numbered from 1 as Excel numbers
// them, empty cells between filled ones as "".
func (r *xlsRows) next() (int, []string, error) {
	if r.at >= len(r.cells) {
		return 0, nil, io.EOF
	}
	row, end := r.cells[r.at].row, r.at
	for end < len(r.cells) && r.cells[end].row == row {
		end++
	}
	cells := make([]string, r.cells[end-1].col+1)
	for _, c := range r.cells[r.at:end] {
		cells[c.col] = c.v
	}
	r.at = end
	return row + 1, cells, nil
}

// xlsSource reads one sheet of a legacy workbook.
type xlsSource struct {
	book   *xlsBook
	rows   *xlsRows
	merged *mergedCells
	header []string
	desc   *kith.Message
	sheet  string
}

func openXLS(f *os.File, path, sheet string) (Source, error) {
	defer f.Close() // the stream is read whole
	b, err := openXLSBook(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	i := firstShown(b.hidden)
	if sheet != "" {
		if i = slices.Index(b.sheets, sheet); i < 0 {
			return nil, fmt.Errorf("%s: %w", path, sheetError(sheet, b.sheets, errNoSuchSheet))
		}
	} else if len(b.sheets) == 0 {
		return nil, fmt.Errorf("%s: %w", path, errNoSheets)
	}
	sheet = b.sheets[i]
	cells, merges, err := b.sheetCells(i)
	switch {
	case err != nil && b.kinds[i] != 0: // a chart sheet: named as XLSX names it
		return nil, fmt.Errorf("%s: %w", path, sheetError(sheet, b.sheets, err))
	case err != nil:
		return nil, fmt.Errorf("%s: %w", path, xlsxDamaged(sheet, err))
	}
	s := &xlsSource{book: b, rows: &xlsRows{cells: cells}, merged: mergedFrom(merges), sheet: sheet,
		desc: kith.Msg("source.xls", "Excel 97-2003 workbook, sheet %q", sheet)}
	rec, err := s.Next()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: %w", path, sheetEmpty(sheet))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s.header = rec.Cells
	return s, nil
}

func (s *xlsSource) Header() []string        { return s.header }
func (s *xlsSource) Describe() *kith.Message { return s.desc }
func (s *xlsSource) Close() error            { return nil }

// Pos tells how far through the sheet's cells the reading is, for progress.
func (s *xlsSource) Pos() (int64, int64) { return int64(s.rows.at), int64(len(s.rows.cells)) }

// Next returns the next row with a filled cell.
func (s *xlsSource) Next() (Record, error) {
	return nextFilled(s.rows, s.merged, s.sheet, nil)
}
