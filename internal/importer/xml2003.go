package importer

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/kithcrm/kith/internal/kith"
)

// Excel 2003's XML format ("XML Spreadsheet 2003"), which PHP and Java
// systems still write and name .xls: a Workbook of Worksheets, each a
// Table of Rows of Cells holding Data. An xml2003Source reads one
// worksheet (the first, or --sheet) over the workbook tokenizer. A Row or
// Cell may skip ahead (ss:Index) and a Cell may span columns
// (ss:MergeAcross), whose cells come empty; rows are numbered as Excel
// numbers them, skipped ones included.
type xml2003Source struct {
	textSource
	rows *xml2003Rows
}

func openXML2003(f *os.File, d *decoded, path, sheet string) (Source, error) {
	rows := &xml2003Rows{x: newXMLScanner(d.r), want: sheet}
	s := &xml2003Source{textSource: textOf(f, d), rows: rows}
	rec, err := s.Next()
	if err == io.EOF {
		err = ErrNoHeader
		if !rows.found {
			err = rows.missing()
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s.header = rec.Cells
	s.desc = kith.Msg("source.xml2003", "Excel 2003 XML, worksheet %q", rows.sheet)
	return s, nil
}

// Next returns the next row with a filled cell.
func (s *xml2003Source) Next() (Record, error) {
	return nextFilled(s.rows, &s.rows.merged, s.rows.sheet, xml2003Damaged)
}

func xml2003Damaged(sheet string, err error) error {
	return kith.Msg("xml2003.damaged", "worksheet %q is damaged: %v", sheet, err)
}

// xml2003Rows reads the rows of one worksheet.
type xml2003Rows struct {
	x      *xmlScanner
	want   string   // the worksheet asked for; "" is the first
	sheet  string   // the worksheet being read
	sheets []string // every worksheet met, for an error
	found  bool     // the worksheet was met
	in     bool     // inside it
	hidden bool     // it is hidden: known after its rows, in its options
	done   bool
	row    int // the row being read
	last   int // the last row read whole, for an error
	cells  []string
	val    []byte

	merged mergedCells // the cells' MergeAcross and MergeDown
}

// missing explains a worksheet that was asked for and is not there.
func (r *xml2003Rows) missing() error {
	return kith.Msg("xml2003.no_sheet", "no worksheet %q (worksheets: %s)", r.want, strings.Join(r.sheets, ", "))
}

// next returns the worksheet's next row and its number.
func (r *xml2003Rows) next() (int, []string, error) {
	if r.done {
		return 0, nil, io.EOF
	}
	x := r.x
	inRow, inData, inComment, inVisible := false, false, false, false
	across, down := 0, 0
	for {
		err := x.next()
		if err == io.EOF {
			r.done = true
			if inRow {
				return r.row, r.cells, nil
			}
			return 0, nil, io.EOF
		}
		if err != nil {
			return 0, nil, fmt.Errorf("after row %d: %w", r.last, err)
		}
		switch x.kind {
		case xmlText:
			if inData {
				r.val = append(r.val, x.text...)
			} else if inVisible {
				r.hidden = hiddenState(x.text)
			}
		case xmlStart:
			switch string(x.name) {
			case "Visible": // in the worksheet's options, after its rows
				inVisible = r.in && !x.empty
			case "Worksheet":
				name := string(x.attr("Name"))
				r.sheets = append(r.sheets, name)
				r.in = !r.found && (r.want == "" || name == r.want)
				if r.in {
					r.found, r.sheet = true, name
				}
			case "Row":
				if !r.in {
					continue
				}
				inRow = true
				r.row = skipTo(r.row+1, x.attr("Index"))
				r.cells = nil // a row's cells are the caller's to keep
				if x.empty {
					r.last = r.row
					return r.row, r.cells, nil
				}
			case "Cell":
				if !inRow {
					continue
				}
				index := x.attr("Index")
				col := skipTo(len(r.cells)+1, index)
				for index == nil && r.merged.covered(r.row, col-1) {
					col++ // under a MergeDown from a row above
				}
				for len(r.cells) < col-1 {
					r.cells = append(r.cells, "")
				}
				across, _ = strconv.Atoi(string(x.attr("MergeAcross")))
				across = min(max(across, 0), maxColumn)
				down, _ = strconv.Atoi(string(x.attr("MergeDown")))
				down = min(max(down, 0), maxMergeRows)
				r.val = r.val[:0]
				if x.empty {
					r.endCell(across, down)
				}
			case "Data":
				inData = inRow && !inComment && !x.empty
			case "Comment": // a note on the cell, with Data of its own
				inComment = !x.empty
			}
		case xmlEnd:
			switch string(x.name) {
			case "Visible":
				inVisible = false
			case "Data":
				inData = false
			case "Comment":
				inComment = false
			case "Cell":
				if inRow {
					r.endCell(across, down)
				}
			case "Row":
				if inRow {
					r.last = r.row
					return r.row, r.cells, nil
				}
			case "Worksheet":
				if r.in {
					r.done, r.in = true, false
					return 0, nil, io.EOF
				}
			}
		}
	}
}

// endCell puts the cell's value, and the empty cells it spans, in the
// row, and notes the area it merges. Values come as written: a DateTime is
// 2024-01-31T10:00:00.000, which ParseTime reads, a Number 1234.5.
func (r *xml2003Rows) endCell(across, down int) {
	col := len(r.cells)
	r.cells = append(r.cells, string(r.val))
	for range across {
		r.cells = append(r.cells, "")
	}
	if across > 0 || down > 0 {
		r.merged.add(cellRange{top: int32(r.row), bottom: int32(r.row + down), left: int32(col), right: int32(col + across)})
	}
}

// skipTo is the row or column number an ss:Index attribute gives, if it
// is ahead of next (Excel only skips forward), else next.
func skipTo(next int, index []byte) int {
	n, err := strconv.Atoi(string(index))
	if err != nil || n <= next || n > 1<<20 {
		return next
	}
	return n
}

// xml2003Sheets lists the worksheets of an Excel 2003 XML file and which
// are hidden, and nil for any other file. It reads the whole file: the
// names are spread through it, one before each worksheet's rows, and the
// hidden flag after them.
func xml2003Sheets(f *os.File) (names []string, hidden []bool) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, nil
	}
	d, err := decode(f, "")
	if err != nil || !looksLikeSpreadsheetML(d.start) {
		return nil, nil
	}
	x := newXMLScanner(d.r)
	inVisible := false
	for x.next() == nil {
		switch {
		case x.kind == xmlStart && string(x.name) == "Worksheet":
			names, hidden = append(names, string(x.attr("Name"))), append(hidden, false)
		case x.kind == xmlStart && string(x.name) == "Visible":
			inVisible = len(names) > 0 && !x.empty
		case x.kind == xmlEnd && string(x.name) == "Visible":
			inVisible = false
		case x.kind == xmlText && inVisible:
			hidden[len(hidden)-1] = hiddenState(x.text)
		}
	}
	return names, hidden
}

// hiddenState reads a worksheet's Visible option: SheetHidden (Excel's
// Hide) or SheetVeryHidden (shown only to macros) hide it.
func hiddenState(v []byte) bool {
	s := strings.TrimSpace(string(v))
	return s == "SheetHidden" || s == "SheetVeryHidden"
}
