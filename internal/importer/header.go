package importer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/kithcrm/kith/internal/kith"
)

// maxTitleRows is how many rows above the header findHeader looks past.
// Shop and ERP exports often open with a report title, the export time or
// the filter used, and only then the header; payment bills with a block of
// totals and notes (22 lines in Alipay's, 17 in WeChat's).
const maxTitleRows = 30

// headedSource is a Source read with more care than its bare rows: its
// header may be a later row than its first (line > 0), and the records
// read ahead to learn its date order are replayed (sampleDateOrder).
type headedSource struct {
	Source
	header []string // nil: the source's own
	line   int
	ahead  []Record
	order  *kith.Message // how a/b/yyyy dates are read, when the file says
}

func (s *headedSource) Header() []string {
	if s.header == nil {
		return s.Source.Header()
	}
	return s.header
}

func (s *headedSource) Next() (Record, error) {
	if len(s.ahead) > 0 {
		rec := s.ahead[0]
		if s.ahead = s.ahead[1:]; len(s.ahead) == 0 {
			s.ahead = nil // let the read-ahead go
		}
		return rec, nil
	}
	return s.Source.Next()
}

// Pos passes on the progress of a source that reports it (CSV).
func (s *headedSource) Pos() (int64, int64) {
	if p, ok := s.Source.(interface{ Pos() (int64, int64) }); ok {
		return p.Pos()
	}
	return 0, 0
}
func (s *headedSource) Describe() *kith.Message {
	d := s.Source.Describe()
	if s.line > 0 {
		d = kith.Msg("source.header_line", "%v, header on line %d", d, s.line)
	}
	if s.order != nil {
		d = kith.Msg("source.date_order", "%v, %v", d, s.order)
	}
	return d
}

// findHeader matches the first row's header for kind k and, when it does
// not match, the rows below it, up to maxTitleRows: the first that matches
// is the header and the rows above it are a title, not data. When none
// matches, the first row's error stands. The returned Source yields the
// records after the header.
func findHeader(src Source, k Kind, overrides map[string]string) (Source, *Mapping, error) {
	m, firstErr := MatchHeader(k, src.Header(), overrides)
	if firstErr == nil {
		return src, m, nil
	}
	for range maxTitleRows {
		rec, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		if rec.Err != nil || len(rec.Cells) < 2 {
			continue // a title is one cell; a header has several
		}
		// The reader reuses its cell slice for the next record.
		if m, err := MatchHeader(k, append([]string(nil), rec.Cells...), overrides); err == nil {
			return &headedSource{Source: src, header: m.Header, line: rec.Line}, m, nil
		}
	}
	var missing *MissingFieldError
	if errors.As(firstErr, &missing) {
		missing.Fits = fitsKind(missing)
	}
	return nil, nil, firstErr
}

// fitKinds are the kinds a header is tried against when it does not fit
// the one asked for, the most particular first: a line-item header fits
// orders too.
var fitKinds = []Kind{Lines, Orders, Spend, Traffic, Customers, Products}

// fitsKind is a kind the header of e fits, using at least as many of its
// columns as e's kind did ("" if none): the file was given the wrong kind,
// which is worth saying. An orders file that lacks its date still fits
// customers, by its customer column alone; that is no reason to say so.
func fitsKind(e *MissingFieldError) Kind {
	for _, other := range fitKinds {
		if other == e.Kind {
			continue
		}
		if m, err := MatchHeader(other, e.Header, nil); err == nil && len(m.Index) >= e.Matched {
			return other
		}
	}
	return ""
}

// GuessKind is the kind whose header the file at path has, the most
// particular first (a line-item file fits orders too), or "" when it has
// none: for a command that names a file but not what it holds.
func GuessKind(path string) Kind {
	for _, k := range fitKinds {
		if src, _, _, err := openHeaded(path, k, &Options{}); err == nil {
			src.Close()
			return k
		}
	}
	return ""
}

// openHeaded opens path and finds its header for kind k. A workbook opened
// without a sheet named whose first shown sheet has no such header (a
// cover, a notes or a summary sheet before the data) is searched sheet by
// sheet, the shown ones first; the first sheet's error stands when none has
// one. Errors name the file. The workbook's sheet list comes back too, as
// far as it was read (the caller's warnings need it).
func openHeaded(path string, k Kind, opts *Options) (Source, *Mapping, sheetList, error) {
	var list sheetList
	listed := false
	src, firstErr := OpenSource(path, SourceOptions{Encoding: opts.Encoding, Sheet: opts.Sheet})
	if firstErr == nil {
		list, listed = sheetsOf(src)
		if _, ok := src.(*xml2003Source); ok && opts.Sheet == "" {
			// Its hidden flags come after each worksheet's rows.
			list, listed = listSheets(path), true
		}
		if shown := list.shownFirst(); opts.Sheet == "" && len(shown) > 0 && shown[0] != sheetRead(src) {
			// An Excel 2003 XML workbook opens at its first worksheet,
			// hidden or not.
			src.Close()
			src, firstErr = OpenSource(path, SourceOptions{Encoding: opts.Encoding, Sheet: shown[0]})
		}
	}
	if firstErr == nil {
		var hs Source
		var m *Mapping
		if hs, m, firstErr = findHeader(src, k, opts.Map); firstErr == nil {
			return hs, m, list, nil
		}
		firstErr = fmt.Errorf("%s: %w", path, firstErr)
		src.Close()
	}
	if opts.Sheet != "" || !NoHeader(firstErr) {
		return nil, nil, list, firstErr
	}
	if !listed {
		// The first sheet was empty or damaged (its source never opened),
		// or the file is not a workbook (no sheets).
		list = listSheets(path)
	}
	// The first is the sheet a workbook opens at without a name given.
	sheets := list.shownFirst()
	for _, sheet := range sheets[min(1, len(sheets)):] {
		s, err := OpenSource(path, SourceOptions{Encoding: opts.Encoding, Sheet: sheet})
		if err != nil {
			continue
		}
		if hs, m, err := findHeader(s, k, opts.Map); err == nil {
			return hs, m, list, nil
		}
		s.Close()
	}
	return nil, nil, list, firstErr
}

// sheetsWithHeader lists the sheets of the workbook at path (list), other
// than the one read, in which an import of kind k finds its header
// (findHeader): data an import of one sheet leaves unread (a workbook kept
// a sheet per month). Hidden sheets are listed apart.
func sheetsWithHeader(path, read string, k Kind, opts *Options, list sheetList) (shown, hidden []string) {
	for i, name := range list.names {
		if name == read {
			continue
		}
		s, err := OpenSource(path, SourceOptions{Encoding: opts.Encoding, Sheet: name, headerOnly: true})
		if err != nil {
			continue
		}
		if _, _, err := findHeader(s, k, opts.Map); err == nil {
			if list.hidden[i] {
				hidden = append(hidden, name)
			} else {
				shown = append(shown, name)
			}
		}
		s.Close()
	}
	return shown, hidden
}

// sheetRead names the sheet src reads; "" for a file without sheets.
func sheetRead(src Source) string {
	switch s := inner(src).(type) {
	case *xlsxSource:
		return s.sheet
	case *xml2003Source:
		return s.rows.sheet
	case *xlsSource:
		return s.sheet
	}
	return ""
}

// SheetLabel names one sheet of a workbook in messages and summaries:
// book.xlsx [1月].
func SheetLabel(file, sheet string) string { return file + " [" + sheet + "]" }

// FitsKind is the kind whose header a file refused for a missing column
// has instead ("" if none): an archive's item list in an orders import.
func FitsKind(err error) Kind {
	var missing *MissingFieldError
	if errors.As(err, &missing) {
		return missing.Fits
	}
	return ""
}

// NoHeader reports an error that says a file or sheet has no header for
// the kind (empty, or no row names the required fields, or a chart sheet,
// which has no rows): a workbook's cover, notes or chart sheet, where the
// data is on another.
func NoHeader(err error) bool {
	var missing *MissingFieldError
	return errors.As(err, &missing) || errors.Is(err, ErrNoHeader) || errors.Is(err, errNotWorksheet)
}

// Sheets lists a workbook's sheets in order (an XLSX or .xls workbook's,
// or an Excel 2003 XML file's worksheets), hidden ones included; nil for a
// file that is not a workbook (a CSV).
func Sheets(path string) []string { return listSheets(path).names }

// sheetList is a workbook's sheets, in its order, and which of them are
// hidden in Excel; empty for a file without sheets.
type sheetList struct {
	names  []string
	hidden []bool
}

// listSheets reads the sheet list of the workbook at path. An Excel 2003
// XML file is read whole for it: the names are spread through the file, and
// each worksheet's hidden flag comes after its rows.
func listSheets(path string) sheetList {
	f, err := os.Open(path)
	if err != nil {
		return sheetList{}
	}
	head := make([]byte, len(cfbMagic))
	if _, err := io.ReadFull(f, head); err == nil && bytes.Equal(head, cfbMagic) {
		defer f.Close()
		if b, err := openXLSBook(f); err == nil {
			return sheetList{b.sheets, b.hidden}
		}
		return sheetList{}
	}
	w, err := openWorkbook(f)
	if err != nil {
		defer f.Close()
		names, hidden := xml2003Sheets(f)
		return sheetList{names, hidden}
	}
	defer w.Close()
	return sheetList{w.sheets, w.hidden}
}

// sheetsOf is the sheet list an open XLSX or .xls source's workbook read as
// it opened; false for other sources.
func sheetsOf(src Source) (sheetList, bool) {
	switch x := inner(src).(type) {
	case *xlsxSource:
		return sheetList{x.w.sheets, x.w.hidden}, true
	case *xlsSource:
		return sheetList{x.book.sheets, x.book.hidden}, true
	}
	return sheetList{}, false
}

// firstShown is the index of a workbook's first sheet not hidden, the
// sheet Excel opens at when the one last shown is not remembered (Excel
// keeps one shown); 0 when all are hidden.
func firstShown(hidden []bool) int {
	if i := slices.Index(hidden, false); i >= 0 {
		return i
	}
	return 0
}

// shownFirst orders the sheet names for the search for a header: the shown
// sheets, then the hidden ones, each in the workbook's order. A hidden
// sheet is often a lookup table, a template or an old copy, so the data the
// shop sees is preferred; a hidden sheet is still read when no shown one
// has the header.
func (l sheetList) shownFirst() []string {
	out := make([]string, 0, len(l.names))
	for _, want := range []bool{false, true} {
		for i, n := range l.names {
			if l.hidden[i] == want {
				out = append(out, n)
			}
		}
	}
	return out
}

// sheetHidden reports that src reads a sheet hidden in its workbook (list).
func sheetHidden(src Source, list sheetList) bool {
	if x, ok := inner(src).(*xml2003Source); ok {
		return x.rows.hidden // known once its rows are read, with --sheet too
	}
	i := slices.Index(list.names, sheetRead(src))
	return i >= 0 && list.hidden[i]
}
