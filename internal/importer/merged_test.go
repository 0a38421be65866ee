package importer

import (
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// TestMergedCellsFill: a merged area's value fills its other cells, in the
// rows it covers, on rows with values of their own.
func TestMergedCellsFill(t *testing.T) {
	m := mergedFrom([]cellRange{
		{top: 4, bottom: 6, left: 0, right: 1}, // listed out of order
		{top: 2, bottom: 3, left: 2, right: 2},
		{top: 9, bottom: 9, left: 3, right: 3}, // one cell: no merge
		{top: 8, bottom: 7, left: 0, right: 0}, // upside down: ignored
	})
	rows := []struct {
		line  int
		cells []string
		want  string
		mask  string
	}{
		{1, []string{"h1", "h2", "h3"}, "h1|h2|h3", ""},
		{2, []string{"a", "b", "C"}, "a|b|C", "..T"}, // the area's own cell
		{3, []string{"a", "b", "x"}, "a|b|C", "..M"}, // Excel shows C there
		{4, []string{"T", "", "z"}, "T|T|z", "TM."},  // across
		{5, nil, "", ""}, // a blank row stays blank
		{6, []string{"", "", "w", "v"}, "T|T|w|v", "MM.."}, // down and across
		{7, []string{"", "", "u"}, "||u", ""},              // past the area
	}
	for _, r := range rows {
		cells, filled := m.fill(r.line, slices.Clone(r.cells), nil)
		mask := ""
		for _, f := range filled {
			mask += string(".TM"[f])
		}
		if strings.Join(cells, "|") != r.want || mask != r.mask {
			t.Errorf("row %d: %q (filled %q), want %q (%q)", r.line, strings.Join(cells, "|"), mask, r.want, r.mask)
		}
	}
	if mergedFrom([]cellRange{{top: 1, bottom: 1, left: 0, right: 0}}) != nil {
		t.Error("one-cell areas only: want nothing to fill")
	}
}

func TestParseRangeRef(t *testing.T) {
	for _, c := range []struct {
		ref  string
		want cellRange
		ok   bool
	}{
		{"A2:C4", cellRange{top: 2, bottom: 4, left: 0, right: 2}, true},
		{"$B$10:$B$12", cellRange{top: 10, bottom: 12, left: 1, right: 1}, true},
		{"C4:A2", cellRange{top: 2, bottom: 4, left: 0, right: 2}, true},
		{"AA1:AB1", cellRange{top: 1, bottom: 1, left: 26, right: 27}, true},
		{"A1", cellRange{}, false},
		{"A0:B1", cellRange{}, false},
		{"1:2", cellRange{}, false},
		{"A1:B", cellRange{}, false},
	} {
		got, ok := parseRangeRef([]byte(c.ref))
		if ok != c.ok || ok && got != c.want {
			t.Errorf("%s: %v %v, want %v %v", c.ref, got, ok, c.want, c.ok)
		}
	}
}

// TestFindMergeList finds the list of merged areas after a sheet's rows,
// whatever the reads' sizes, and not the same letters in a cell's text.
func TestFindMergeList(t *testing.T) {
	rows := strings.Repeat(`<row><c t="inlineStr"><is><t>mergeCells &lt;mergeCells</t></is></c></row>`, 5000)
	sheet := `<worksheet><sheetData>` + rows + `</sheetData><x:mergeCells count="1"><x:mergeCell ref="B2:B3"/></x:mergeCells></worksheet>`
	for name, r := range map[string]io.Reader{
		"whole":         strings.NewReader(sheet),
		"a byte a time": iotest.OneByteReader(strings.NewReader(sheet)),
		"halves":        iotest.HalfReader(strings.NewReader(sheet)),
	} {
		list, err := findMergeList(r)
		if err != nil || list == nil {
			t.Fatalf("%s: %v %v", name, list, err)
		}
		b, _ := io.ReadAll(list)
		if want := `mergeCells count="1"><x:mergeCell ref="B2:B3"/></x:mergeCells></worksheet>`; string(b) != want {
			t.Errorf("%s: %q, want %q", name, b, want)
		}
	}
	if list, err := findMergeList(strings.NewReader(`<worksheet><sheetData>` + rows + `</sheetData></worksheet>`)); list != nil || err != nil {
		t.Errorf("a sheet without merged cells: %v %v", list, err)
	}
}

// markedFake is a rowReader of rows with marks.
type markedFake struct {
	rows     [][]string
	rowMarks [][]cellMark
	at       int
}

func (f *markedFake) next() (int, []string, error) {
	if f.at >= len(f.rows) {
		return 0, nil, io.EOF
	}
	f.at++
	return f.at, f.rows[f.at-1], nil
}

func (f *markedFake) marks() []cellMark { return f.rowMarks[f.at-1] }

// Rows read ahead come back with their own marks, not those of the row the
// reader read last.
func TestReadAheadMarks(t *testing.T) {
	f := &markedFake{rows: [][]string{{"a"}, {""}, {"c"}}, rowMarks: [][]cellMark{nil, {markUncomputed}, nil}}
	a := &readAhead{r: f}
	for range 2 {
		line, cells, err := f.next()
		a.rows = append(a.rows, aheadRow{line, cells, err, f.marks()})
	}
	for _, want := range [][]cellMark{nil, {markUncomputed}, nil} {
		line, _, err := a.next()
		if got := a.marks(); err != nil || !slices.Equal(got, want) {
			t.Errorf("row %d: marks %v (%v), want %v", line, got, err, want)
		}
	}
}
