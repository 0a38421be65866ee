package importer

import (
	"slices"
	"strings"
)

// Spreadsheets kept by hand and many systems' exports merge cells: an
// order's number, time and buyer merged down over the rows of its items, a
// day's date over that day's orders, a rep's name over their customers.
// Excel shows the merged area as one cell holding the top-left cell's
// value; the other cells of the area are stored empty (or, in an HTML
// table's rowspan, not at all). Read as stored, the rows below the first
// would lack their order, date or rep. A merged area is read as Excel
// shows it, as pandas reads HTML spans and as "unmerge and fill" leaves
// it: every cell of the area holds the value.

// cellRange is a merged area: rows as the sheet numbers them, 0-based
// columns, both ends included.
type cellRange struct {
	top, bottom int32
	left, right int32
}

// merges reports an area that is one: of more than one cell, its ends in
// order, on the sheet.
func (r cellRange) merges() bool {
	return r.top >= 0 && r.left >= 0 && r.bottom >= r.top && r.right >= r.left && (r.bottom > r.top || r.right > r.left)
}

// openRange is a merged area the rows being read reach into, and the value
// its top-left cell holds.
type openRange struct {
	cellRange
	val string
}

// mergedCells fills the cells of a sheet's merged areas as its rows are
// read in order. Areas come ahead (XLSX and .xls list them apart from the
// cells) or as the row holding their top-left cell is read (Excel 2003 XML
// and HTML mark the cell itself).
type mergedCells struct {
	ahead []cellRange // not reached yet, by top row
	open  []openRange
}

// maxMergeRows bounds a merged area's height (an HTML rowspan says what
// it likes): no sheet is taller.
const maxMergeRows = 1 << 20

// mergedFrom prepares to fill ranges, which may come in any order; nil
// when there are none.
func mergedFrom(ranges []cellRange) *mergedCells {
	ranges = slices.DeleteFunc(ranges, func(r cellRange) bool { return !r.merges() || r.right >= maxColumn })
	if len(ranges) == 0 {
		return nil
	}
	slices.SortFunc(ranges, func(a, b cellRange) int { return int(a.top) - int(b.top) })
	return &mergedCells{ahead: ranges}
}

// add notes a merged area whose top-left cell is on the row being read
// (or a later one).
func (m *mergedCells) add(r cellRange) {
	if !r.merges() {
		return
	}
	r.right = min(r.right, maxColumn-1)
	r.bottom = min(r.bottom, r.top+maxMergeRows)
	i, _ := slices.BinarySearchFunc(m.ahead, r.top+1, func(a cellRange, top int32) int { return int(a.top) - int(top) })
	m.ahead = slices.Insert(m.ahead, i, r)
}

// covered reports whether column col of row row lies under a merged area
// from a row above: an HTML row's cells skip it.
func (m *mergedCells) covered(row, col int) bool {
	for _, r := range m.open {
		if int(r.top) < row && row <= int(r.bottom) && int(r.left) <= col && col <= int(r.right) {
			return true
		}
	}
	return false
}

// cellMark says how a cell came by its value: its own; the value of a
// merged area reaching down over rows below (an order's total on its first
// item's row); filled from an area above or to the left; or none, a
// formula the file holds no computed value for.
type cellMark uint8

const (
	markOwn cellMark = iota
	markTop
	markFilled
	markUncomputed
)

// fill gives row (numbered as the sheet numbers it) the values of the
// merged areas it lies in, and marks its cells on top of the reader's own
// marks (nil: none).
// Every row must pass through it in order, blank ones included, for it to
// learn the areas' values. A row with no value of its own stays as it is: a
// blank row is no record because a merged title reaches into it.
func (m *mergedCells) fill(row int, cells []string, marks []cellMark) ([]string, []cellMark) {
	for len(m.ahead) > 0 && int(m.ahead[0].top) <= row {
		r := m.ahead[0]
		m.ahead = m.ahead[1:]
		o := openRange{cellRange: r}
		if int(r.top) == row && int(r.left) < len(cells) {
			o.val = cells[r.left]
		}
		m.open = append(m.open, o)
	}
	m.open = slices.DeleteFunc(m.open, func(r openRange) bool { return int(r.bottom) < row })
	if len(m.open) == 0 || !slices.ContainsFunc(cells, func(c string) bool { return strings.TrimSpace(c) != "" }) {
		return cells, marks
	}
	width := len(cells)
	for _, r := range m.open {
		width = max(width, int(r.right)+1)
	}
	for len(cells) < width {
		cells = append(cells, "")
	}
	for len(marks) < width {
		marks = append(marks, markOwn)
	}
	for _, r := range m.open {
		for c := int(r.left); c <= int(r.right); c++ {
			if int(r.top) == row && c == int(r.left) {
				if r.bottom > r.top {
					marks[c] = markTop
				}
				continue // the value's own cell
			}
			cells[c], marks[c] = r.val, markFilled
		}
	}
	return cells, marks
}
