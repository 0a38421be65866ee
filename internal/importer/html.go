package importer

import (
	"bufio"
	"bytes"
	"fmt"
	"html"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/kithcrm/kith/internal/kith"
)

// Many shop systems' "Export to Excel" writes an HTML table and names it
// .xls; Excel opens it (after a warning) and shops keep it that way. An
// htmlSource reads the rows of such a file: every <tr>, its <td> and <th>
// cells' text. It reads as browsers do where exports are sloppy: tags in
// any case, end tags left out (a <td> or <tr> ends the one before),
// entities, whitespace collapsed, <script> and <style> skipped. A cell
// spanning columns or rows (colspan, rowspan) is a merged area: the cells
// of the rows below skip the columns it covers, and its value fills them
// (mergedCells). Rows are numbered by their <tr>, as Excel numbers them
// when it opens the file.
type htmlSource struct {
	textSource
	rows *htmlRows
}

// htmlPage reports whether the decoded start of a file is a web page
// rather than CSV text, and whether it has a table.
func htmlPage(start []byte) (page, table bool) {
	t := bytes.TrimLeft(start, " \t\r\n\ufeff")
	if len(t) == 0 || t[0] != '<' {
		return false, false
	}
	lower := bytes.ToLower(t[:min(len(t), 64<<10)])
	table = bytes.Contains(lower, []byte("<table")) || bytes.Contains(lower, []byte("<tr"))
	return table || bytes.Contains(lower, []byte("<html")) || bytes.Contains(lower, []byte("<!doctype html")), table
}

// looksLikeSpreadsheetML reports the XML format of Excel 2003, which some
// systems also export as .xls.
func looksLikeSpreadsheetML(start []byte) bool {
	t := bytes.TrimLeft(start, " \t\r\n\ufeff")
	return bytes.HasPrefix(t, []byte("<?xml")) && bytes.Contains(t[:min(len(t), 64<<10)], []byte("urn:schemas-microsoft-com:office:spreadsheet"))
}

func openHTML(f *os.File, d *decoded, path string) (Source, error) {
	s := &htmlSource{textSource: textOf(f, d), rows: newHTMLRows(d.r)}
	s.desc = kith.Msg("source.html", "HTML table (as some systems export .xls), %v", d.enc)
	rec, err := s.Next()
	if err == io.EOF {
		err = kith.Msg("file.html_empty", "an HTML page without table rows: %v", ErrNoHeader)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s.header = rec.Cells
	return s, nil
}

// Next returns the next row with a filled cell.
func (s *htmlSource) Next() (Record, error) { return nextFilled(s.rows, &s.rows.merged, "", nil) }

// htmlRows splits an HTML document into table rows.
type htmlRows struct {
	r     *bufio.Reader
	n     int // <tr> elements met
	row   []string
	inRow bool
	cell  []byte // raw text of the open cell
	span  int    // the open cell's colspan
	down  int    // and its rowspan
	open  bool   // a cell is open
	err   error

	merged mergedCells // the spans met, for the rows below to skip
}

func newHTMLRows(r io.Reader) *htmlRows { return &htmlRows{r: bufio.NewReaderSize(r, 64<<10)} }

// maxHTMLTag bounds a tag's length (a quote left open in an attribute).
const maxHTMLTag = 64 << 10

var errHTMLCell = kith.Msg("html.cell", "a table cell longer than %d MiB: not an export", maxRecordBytes>>20)

// next returns the next row and the number of its <tr>.
func (h *htmlRows) next() (int, []string, error) {
	for h.err == nil {
		b, err := h.r.ReadByte()
		if err != nil {
			h.err = err
			if h.inRow {
				return h.endRow()
			}
			break
		}
		if b != '<' {
			if h.open {
				if len(h.cell) >= maxRecordBytes {
					h.err = errHTMLCell
					break
				}
				h.cell = append(h.cell, b)
			}
			continue
		}
		name, attrs, end := h.tag()
		switch {
		case name == "tr" || (end && name == "table"):
			if h.inRow {
				line, cells, _ := h.endRow()
				h.inRow = name == "tr" && !end
				if h.inRow {
					h.n++
				}
				return line, cells, nil
			}
			if name == "tr" && !end {
				h.inRow = true
				h.n++
			}
		case (name == "td" || name == "th") && h.inRow:
			h.endCell()
			if !end {
				h.open, h.span, h.down = true, spanAttr(attrs, "colspan", maxColumn), spanAttr(attrs, "rowspan", maxMergeRows)
			}
		case name == "br" || name == "p" || name == "div" || name == "li":
			if h.open {
				h.cell = append(h.cell, ' ')
			}
		case (name == "script" || name == "style") && !end:
			h.skipTo("</" + name)
		}
	}
	if h.err == io.EOF {
		return 0, nil, io.EOF
	}
	return 0, nil, h.err
}

// endRow closes the open row and returns it.
func (h *htmlRows) endRow() (int, []string, error) {
	h.endCell()
	cells := h.row
	h.row, h.inRow = nil, false
	return h.n, cells, nil
}

// endCell closes the open cell, if any, into the row.
func (h *htmlRows) endCell() {
	if !h.open {
		return
	}
	text := strings.Join(strings.Fields(html.UnescapeString(string(h.cell))), " ")
	for h.merged.covered(h.n, len(h.row)) {
		h.row = append(h.row, "")
	}
	col := len(h.row)
	h.row = append(h.row, text)
	for i := 1; i < h.span; i++ {
		h.row = append(h.row, "")
	}
	if h.span > 1 || h.down > 1 {
		h.merged.add(cellRange{top: int32(h.n), bottom: int32(h.n + h.down - 1), left: int32(col), right: int32(col + h.span - 1)})
	}
	h.cell, h.open = h.cell[:0], false
}

// tag reads the rest of a tag after its '<': its lower-case name, its
// attributes' text, and whether it is an end tag. Comments, doctypes and
// processing instructions come back with an empty name.
func (h *htmlRows) tag() (name, attrs string, end bool) {
	b, err := h.r.Peek(3)
	if err == nil && string(b) == "!--" {
		h.skipTo("-->")
		return "", "", false
	}
	if len(b) > 0 && !isTagStart(b[0]) { // "a < b": text, as browsers read it
		if h.open {
			h.cell = append(h.cell, '<')
		}
		return "", "", false
	}
	var raw []byte
	quote := byte(0)
	for len(raw) < maxHTMLTag {
		c, err := h.r.ReadByte()
		if err != nil {
			h.err = err
			return "", "", false
		}
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return tagName(raw)
		}
		raw = append(raw, c)
	}
	h.err = kith.Msg("html.tag", "an HTML tag longer than %d KiB: not an export", maxHTMLTag>>10)
	return "", "", false
}

// tagName splits a tag's text ("td colspan=2", "/TR") into its name, its
// attributes and whether it ends an element.
func tagName(raw []byte) (name, attrs string, end bool) {
	s := string(raw)
	if strings.HasPrefix(s, "/") {
		end, s = true, s[1:]
	}
	i := strings.IndexAny(s, " \t\r\n/")
	if i < 0 {
		i = len(s)
	}
	return strings.ToLower(s[:i]), s[i:], end
}

// spanAttr reads a cell's colspan or rowspan attribute (name): 1 unless it
// says more, up to limit.
func spanAttr(attrs, name string, limit int) int {
	a := strings.ToLower(attrs)
	i := strings.Index(a, name)
	if i < 0 {
		return 1
	}
	v := strings.TrimLeft(a[i+len(name):], " \t\r\n=\"'")
	j := 0
	for j < len(v) && v[j] >= '0' && v[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(v[:j])
	if err != nil || n < 1 {
		return 1
	}
	return min(n, limit)
}

// skipTo reads past the next occurrence of end (compared case-blind).
func (h *htmlRows) skipTo(end string) {
	matched := 0
	for matched < len(end) {
		c, err := h.r.ReadByte()
		if err != nil {
			h.err = err
			return
		}
		switch {
		case lowerByte(c) == end[matched]:
			matched++
		case lowerByte(c) == end[0]:
			matched = 1
		default:
			matched = 0
		}
	}
	if end[len(end)-1] != '>' { // </script ... >
		for {
			c, err := h.r.ReadByte()
			if err != nil || c == '>' {
				h.err = err
				return
			}
		}
	}
}

// isTagStart reports a byte that can follow '<' in a tag.
func isTagStart(c byte) bool {
	c = lowerByte(c)
	return 'a' <= c && c <= 'z' || c == '/' || c == '!' || c == '?'
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
