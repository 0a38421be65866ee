package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/kithcrm/kith/internal/kith"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Source yields the header and records of one input file.
type Source interface {
	Header() []string
	Next() (Record, error)   // io.EOF at the end
	Describe() *kith.Message // e.g. "CSV, GB18030, semicolon-separated"
	Close() error
}

// SourceOptions tune how a file is opened.
type SourceOptions struct {
	Encoding string // "" (detect), utf-8, gbk, gb18030, utf-16
	Sheet    string // XLSX sheet; "" = first

	// headerOnly says the caller reads no further than the header: an
	// XLSX sheet's merged areas, which cost a pass of their own, are not
	// read.
	headerOnly bool
}

// cfbMagic starts a compound file: a legacy .xls, or an encrypted workbook.
var cfbMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// ErrNoHeader is returned for an empty file.
var ErrNoHeader = kith.Msg("file.empty", "file is empty: no header row")

// OpenSource opens path as CSV, XLSX, legacy .xls, an HTML table or Excel
// 2003 XML, by its content rather than its name.
func OpenSource(path string, opts SourceOptions) (Source, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, kith.Msg("file.missing", "no such file"))
	}
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, kith.Msg("file.folder", "a folder, not a file"))
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	ext := strings.ToLower(filepath.Ext(path))
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return openXLSX(f, path, opts.Sheet, !opts.headerOnly)
	case bytes.HasPrefix(head, cfbMagic):
		return openXLS(f, path, opts.Sheet)
	case bytes.HasPrefix(head, gzipMagic):
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, errPacked)
	case bytes.HasPrefix(head, rarMagic):
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, errRAR)
	case bytes.HasPrefix(head, sevenZip):
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err7z)
	case ext == ".xlsx" || ext == ".xlsm":
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, kith.Msg("file.not_xlsx", "not an XLSX spreadsheet (an .xlsx file is a zip archive and this one is not); if it is CSV text, rename it to .csv"))
	}
	return openText(f, path, opts.Encoding, opts.Sheet)
}

// separatorNames say how a CSV file's cells are separated.
var separatorNames = map[byte]*kith.Message{
	',':  kith.Msg("separator.comma", "comma-separated"),
	';':  kith.Msg("separator.semicolon", "semicolon-separated"),
	'\t': kith.Msg("separator.tab", "tab-separated"),
	'|':  kith.Msg("separator.pipe", "pipe-separated"),
	' ':  kith.Msg("separator.whitespace", "whitespace-separated"),
}

// sampleBytes is how much of a CSV file decides its encoding.
const sampleBytes = 64 << 10

// textSource is what the sources of a decoded text file (CSV, an HTML
// table, Excel 2003 XML) share: the file, how far it is read, the header
// and the description.
type textSource struct {
	f      *os.File
	cnt    *countingReader
	size   int64
	header []string
	desc   *kith.Message
}

func (s *textSource) Header() []string        { return s.header }
func (s *textSource) Describe() *kith.Message { return s.desc }
func (s *textSource) Close() error            { return s.f.Close() }

// Pos reports bytes read so far and the file size.
func (s *textSource) Pos() (int64, int64) { return s.cnt.n, s.size }

// textOf starts the textSource of f, decoded as d.
func textOf(f *os.File, d *decoded) textSource { return textSource{f: f, cnt: d.cnt, size: d.size} }

type csvSource struct {
	textSource
	r *csvReader
}

// countingReader counts the bytes read from the file, for progress.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// decoded is a text file read through its encoding's decoder.
type decoded struct {
	cnt   *countingReader // the file's bytes read, for progress
	size  int64
	r     *bufio.Reader // the text
	start []byte        // its first 64 KiB, peeked
	enc   any           // the encoding's name, for Describe
}

// decode reads f as text in enc, or else in the encoding its BOM or its
// first 64 KiB say (pickEncoding).
func decode(f *os.File, enc string) (*decoded, error) {
	d := &decoded{cnt: &countingReader{r: f}}
	if st, err := f.Stat(); err == nil {
		d.size = st.Size()
	}
	br := bufio.NewReaderSize(d.cnt, 256<<10)
	sample, _ := br.Peek(sampleBytes)
	if len(sample) == 0 {
		return nil, ErrNoHeader
	}
	name, dec, skip, err := pickEncoding(sample, enc)
	if err != nil {
		return nil, err
	}
	if _, err := br.Discard(skip); err != nil {
		return nil, err
	}
	var r io.Reader = br
	if dec != nil {
		r = transform.NewReader(br, dec.NewDecoder())
	}
	d.r = bufio.NewReaderSize(r, 256<<10)
	d.start, _ = d.r.Peek(64 << 10)
	if crLines(d.start) {
		d.r = bufio.NewReaderSize(crToLF{d.r}, 256<<10)
		d.start, _ = d.r.Peek(64 << 10)
	}
	d.enc = name
	if skip == 3 {
		d.enc = kith.Msg("encoding.utf8_bom", "UTF-8 with BOM")
	}
	return d, nil
}

// crLines reports whether text ends its lines with a bare CR, as Excel for
// Mac's "CSV (Macintosh)" and classic Mac tools write them: its first line
// ends in a CR that no LF follows. Read as it is, such a file is one line.
func crLines(start []byte) bool {
	i := bytes.IndexAny(start, "\r\n")
	return i >= 0 && start[i] == '\r' && i+1 < len(start) && start[i+1] != '\n'
}

// crToLF turns every CR into an LF. A LF inside a quoted cell (Excel's line
// break in a cell) stays one, and the reader's lines are the file's.
type crToLF struct{ r io.Reader }

func (c crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for b := p[:n]; ; {
		i := bytes.IndexByte(b, '\r')
		if i < 0 {
			break
		}
		b[i] = '\n'
		b = b[i+1:]
	}
	return n, err
}

// openText opens a text file: decoded (UTF-8, GB18030 or UTF-16), it is
// Excel 2003 XML, an HTML table or else CSV.
func openText(f *os.File, path, enc, sheet string) (Source, error) {
	d, err := decode(f, enc)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	page, table := htmlPage(d.start)
	switch {
	case looksLikeSpreadsheetML(d.start):
		return openXML2003(f, d, path, sheet)
	case table:
		return openHTML(f, d, path)
	case page:
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, kith.Msg("file.web_page", "a web page without a table, not an export (did the download end on a sign-in page?)"))
	}
	// The separator is chosen from the decoded start of the file.
	sep := detectSeparator(separatorSample(d.start))
	cr := newCSVReader(d.r, sep)
	rec, err := cr.Read()
	if err == io.EOF {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, ErrNoHeader)
	}
	if err == nil {
		err = rec.Err
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, kith.Msg("file.header", "header: %v", err))
	}
	s := &csvSource{textSource: textOf(f, d), r: cr}
	s.header = append([]string(nil), rec.Cells...)
	s.desc = kith.Msg("source.csv", "CSV, %v, %v", d.enc, separatorNames[sep])
	return s, nil
}

// separatorSample is the line the separator is judged from: the first of
// the first rows with a separator in it, so that a title above the header
// ("订单导出报表", "Orders, January") does not decide; else the first line.
func separatorSample(b []byte) []byte {
	var first []byte
	for i := 0; i <= maxTitleRows && len(b) > 0; i++ {
		line, rest, _ := bytes.Cut(b, []byte{'\n'})
		if i == 0 {
			first = line
		}
		if bytes.ContainsAny(line, separators) {
			return line
		}
		b = rest
	}
	return first
}

func (s *csvSource) Next() (Record, error) {
	rec, err := s.r.Read()
	if err != nil {
		return rec, err
	}
	if rec.Err == nil {
		for i, c := range rec.Cells {
			if !utf8.ValidString(c) {
				rec.Err = kith.Msg("cell.encoding", "cell %d is not valid text in this file's encoding", i+1)
				rec.Raw = strings.ToValidUTF8(strings.Join(rec.Cells, ","), "\uFFFD")
				break
			}
		}
	}
	return rec, nil
}

// pickEncoding chooses the decoder for a CSV file from its BOM or, without
// one, from whether the sample is valid UTF-8 or valid GB18030. skip is the
// BOM length.
func pickEncoding(sample []byte, forced string) (name string, dec encoding.Encoding, skip int, err error) {
	switch {
	case bytes.HasPrefix(sample, []byte{0xEF, 0xBB, 0xBF}):
		return "UTF-8", nil, 3, nil
	case bytes.HasPrefix(sample, []byte{0xFF, 0xFE}):
		return "UTF-16LE", unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), 2, nil
	case bytes.HasPrefix(sample, []byte{0xFE, 0xFF}):
		return "UTF-16BE", unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), 2, nil
	}
	switch strings.ToLower(strings.ReplaceAll(forced, "-", "")) {
	case "":
	case "utf8":
		return "UTF-8", nil, 0, nil
	case "gbk", "gb2312", "cp936":
		return "GBK", simplifiedchinese.GBK, 0, nil
	case "gb18030":
		return "GB18030", simplifiedchinese.GB18030, 0, nil
	case "utf16", "utf16le":
		return "UTF-16LE", unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), 0, nil
	default:
		return "", nil, 0, kith.Msg("encoding.flag", "encoding %q: want utf-8, gbk, gb18030 or utf-16", forced)
	}
	if bytes.IndexByte(sample, 0) >= 0 {
		return "", nil, 0, kith.Msg("file.binary", "not a text file (it contains NUL bytes); CSV must be UTF-8, GBK/GB18030 or UTF-16 with a BOM")
	}
	cut := len(sample) == sampleBytes
	if validUTF8Sample(sample, cut) {
		return "UTF-8", nil, 0, nil
	}
	off, ok := validGB18030(sample)
	if ok {
		return "GB18030", simplifiedchinese.GB18030, 0, nil
	}
	bad := utf8Offset(sample)
	return "", nil, 0, kith.Msg("encoding.unknown", "unknown text encoding: byte 0x%02X at offset %d is neither UTF-8 nor GB18030 (GB18030 fails at offset %d); save the file as UTF-8 or pass --encoding",
		sample[bad], bad, off)
}

// validUTF8Sample reports whether a sample cut from a longer file is UTF-8:
// the cut may split the last character, so up to 3 trailing bytes may be
// an incomplete sequence.
func validUTF8Sample(b []byte, cut bool) bool {
	if utf8.Valid(b) {
		return true
	}
	for k := 1; cut && k <= 3 && k < len(b); k++ {
		if utf8.Valid(b[:len(b)-k]) {
			return !utf8.FullRune(b[len(b)-k:])
		}
	}
	return false
}

func utf8Offset(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return 0
}

// validGB18030 checks the GB18030 byte structure: single bytes 0x00-0x7F,
// two-byte 0x81-0xFE + 0x40-0xFE (not 0x7F), four-byte 0x81-0xFE 0x30-0x39
// 0x81-0xFE 0x30-0x39. It returns the first bad offset.
func validGB18030(b []byte) (int, bool) {
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c < 0x80:
			i++
		case c >= 0x81 && c <= 0xFE && i+1 < len(b):
			d := b[i+1]
			switch {
			case d >= 0x40 && d <= 0xFE && d != 0x7F:
				i += 2
			case d >= 0x30 && d <= 0x39 && i+3 >= len(b):
				return i, true // a four-byte sequence cut by the sample end
			case d >= 0x30 && d <= 0x39 && b[i+2] >= 0x81 && b[i+2] <= 0xFE && b[i+3] >= 0x30 && b[i+3] <= 0x39:
				i += 4
			default:
				return i, false
			}
		case c >= 0x81 && c <= 0xFE && i+1 == len(b):
			return i, true // cut by the sample end
		default:
			return i, false
		}
	}
	return 0, true
}

type xlsxSource struct {
	w      *workbook
	rows   *sheetReader
	read   rowReader        // rows, after those read ahead
	merges chan mergesFound // the merged areas, until they come
	merged *mergedCells     // nil: the sheet merges no cells
	header []string
	desc   *kith.Message
	sheet  string // the sheet read
}

// What is said of a workbook's sheets, in .xlsx and .xls alike.
var (
	errNoSheets     = kith.Msg("xlsx.no_sheets", "workbook has no sheets")
	errNoSuchSheet  = kith.Msg("xlsx.no_such_sheet", "no such sheet")
	errNotWorksheet = kith.Msg("xlsx.not_worksheet", "not a worksheet (a chart or a dialog sheet has no rows)")
)

// sheetError says why sheet, of a workbook of sheets, cannot be read.
func sheetError(sheet string, sheets []string, err error) error {
	return kith.Msg("xlsx.sheet", "sheet %q (sheets: %s): %v", sheet, strings.Join(sheets, ", "), err)
}

// sheetEmpty says sheet has no row to be the header.
func sheetEmpty(sheet string) error {
	return kith.Msg("xlsx.empty", "sheet %q: %v", sheet, ErrNoHeader)
}

func openXLSX(f *os.File, path, sheet string, merges bool) (Source, error) {
	w, err := openWorkbook(f)
	if errors.Is(err, errODS) || errors.Is(err, errNumbers) || errors.Is(err, errPacked) {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, kith.Msg("xlsx.unreadable", "not a readable XLSX spreadsheet: %v", err))
	}
	if sheet == "" {
		if len(w.sheets) == 0 {
			w.Close()
			return nil, fmt.Errorf("%s: %w", path, errNoSheets)
		}
		sheet = w.sheets[firstShown(w.hidden)]
	}
	s, err := readSheet(w, sheet, merges)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// readSheet starts reading sheet of the open workbook w past its blank
// rows: its first row is the header. Its merged areas are filled when
// merges is set. On error it closes what it opened.
func readSheet(w *workbook, sheet string, merges bool) (*xlsxSource, error) {
	rows, err := w.openSheet(sheet)
	if err != nil {
		return nil, sheetError(sheet, w.sheets, err)
	}
	s := &xlsxSource{w: w, rows: rows, read: rows, desc: kith.Msg("source.xlsx", "XLSX, sheet %q", sheet), sheet: sheet}
	if merges {
		// Looked for on a goroutine of their own, a pass over the sheet's
		// XML, while this one reads its first rows.
		s.merges = make(chan mergesFound, 1)
		go func() {
			ranges, err := w.sheetMerges(sheet)
			s.merges <- mergesFound{ranges, err}
		}()
	}
	rec, err := s.Next()
	if err == io.EOF {
		rows.Close()
		return nil, sheetEmpty(sheet)
	}
	if err != nil {
		rows.Close()
		return nil, err
	}
	s.header = rec.Cells
	return s, nil
}

func (s *xlsxSource) Header() []string        { return s.header }
func (s *xlsxSource) Describe() *kith.Message { return s.desc }
func (s *xlsxSource) Close() error {
	s.rows.Close()
	return s.w.Close()
}

// Pos tells how far through the sheet's XML the reading is, for progress.
func (s *xlsxSource) Pos() (int64, int64) { return s.rows.cnt.n, s.rows.size }

// Next returns the next non-empty row, numbered as the sheet numbers it.
// Cells come raw, so a date is its serial number, which ParseTime reads,
// instead of text in the sheet's display format.
func (s *xlsxSource) Next() (Record, error) {
	if s.merges != nil {
		if err := s.awaitMerges(); err != nil {
			return Record{}, xlsxDamaged(s.sheet, err)
		}
	}
	return nextFilled(s.read, s.merged, s.sheet, xlsxDamaged)
}

// mergesFound is what the look for a sheet's merged areas found.
type mergesFound struct {
	ranges []cellRange
	err    error
}

// maxReadAhead bounds the rows read while a sheet's merged areas are being
// looked for (a few MB of cells).
const maxReadAhead = 1 << 16

// awaitMerges reads rows ahead until the sheet's merged areas are known,
// and keeps them to be read again, filled.
func (s *xlsxSource) awaitMerges() error {
	a := &readAhead{r: s.rows}
	var found mergesFound
	waiting := true
	for waiting && len(a.rows) < maxReadAhead {
		select {
		case found = <-s.merges:
			waiting = false
			continue
		default:
		}
		line, cells, err := s.rows.next()
		a.rows = append(a.rows, aheadRow{line, cells, err, s.rows.marks()})
		if err != nil {
			break
		}
	}
	if waiting {
		found = <-s.merges
	}
	s.merges, s.read = nil, a
	if found.err != nil {
		return found.err
	}
	s.merged = mergedFrom(found.ranges)
	return nil
}

// readAhead gives the rows read ahead again, then reads on.
type readAhead struct {
	rows     []aheadRow
	r        rowReader
	replayed bool       // the row last given was read ahead
	last     []cellMark // and these were its marks
}

type aheadRow struct {
	line  int
	cells []string
	err   error
	marks []cellMark
}

func (a *readAhead) next() (int, []string, error) {
	if len(a.rows) == 0 {
		a.replayed, a.last = false, nil
		return a.r.next()
	}
	x := a.rows[0]
	if a.rows = a.rows[1:]; len(a.rows) == 0 {
		a.rows = nil // let the rows read ahead go
	}
	a.replayed, a.last = true, x.marks
	return x.line, x.cells, x.err
}

func (a *readAhead) marks() []cellMark {
	if a.replayed {
		return a.last
	}
	if mr, ok := a.r.(markedRows); ok {
		return mr.marks()
	}
	return nil
}

func xlsxDamaged(sheet string, err error) error {
	return kith.Msg("xlsx.damaged", "sheet %q is damaged: %v", sheet, err)
}

// rowReader yields a sheet's or table's rows with their numbers; io.EOF
// at the end.
type rowReader interface {
	next() (line int, cells []string, err error)
}

// markedRows is a rowReader that marks some cells of the row it last
// returned (an XLSX formula with no value).
type markedRows interface {
	marks() []cellMark
}

// nextFilled returns r's next row with a filled cell, its merged areas
// filled from m (nil: none). damaged explains an error reading sheet, or is
// nil to return the error as it is.
func nextFilled(r rowReader, m *mergedCells, sheet string, damaged func(sheet string, err error) error) (Record, error) {
	for {
		line, cells, err := r.next()
		if err == io.EOF {
			return Record{}, io.EOF
		}
		if err != nil {
			if damaged != nil {
				err = damaged(sheet, err)
			}
			return Record{}, err
		}
		var marks []cellMark
		if mr, ok := r.(markedRows); ok {
			marks = mr.marks()
		}
		if m != nil {
			cells, marks = m.fill(line, cells, marks)
		}
		for _, c := range cells {
			if strings.TrimSpace(c) != "" {
				return Record{Line: line, Cells: cells, Marks: marks}, nil
			}
		}
	}
}
