package importer

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/kithcrm/kith/internal/kith"
)

// Record is one row of an input file: its first physical line and its cells.
// Err is set when the row could not be split into cells; Raw then holds its
// text so it can still be written to the rejects file. Marks says how
// cells came by their values where that is not plainly (nil: all did).
type Record struct {
	Line  int
	Cells []string
	Raw   string
	Err   error
	Marks []cellMark
}

// maxRecordBytes bounds one CSV record. A quote left open swallows the rest of
// the file into one record; past this size the reader gives up on it instead
// of holding the whole file in memory.
const maxRecordBytes = 64 << 20

var errOpenQuote = kith.Msg("csv.open_quote", "quote opened here is never closed")

// csvReader splits RFC 4180 records. It is lenient where Excel is (a quote
// inside an unquoted cell is a plain character) and recovers from a quote
// left open: that line is rejected and reading resumes on the next line.
type csvReader struct {
	br   *bufio.Reader
	sep  byte
	line int // physical lines consumed so far

	rec   []byte // the current record's bytes
	cells []string
}

func newCSVReader(r io.Reader, sep byte) *csvReader {
	return &csvReader{br: bufio.NewReaderSize(r, 256<<10), sep: sep}
}

// readLine appends the next physical line (with its newline) to c.rec.
func (c *csvReader) readLine() (bool, error) {
	start := len(c.rec)
	for {
		chunk, err := c.br.ReadSlice('\n')
		c.rec = append(c.rec, chunk...)
		if len(c.rec) > maxRecordBytes {
			return false, kith.Msg("csv.record_size", "record over %d MiB", maxRecordBytes>>20)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			if len(c.rec) == start {
				return false, nil
			}
			c.line++
			return true, nil
		}
		if err != nil {
			return false, err
		}
		c.line++
		return true, nil
	}
}

// Read returns the next record; io.EOF at the end. Blank lines are skipped.
func (c *csvReader) Read() (Record, error) {
	for {
		c.rec = c.rec[:0]
		ok, err := c.readLine()
		if err != nil {
			return Record{}, err
		}
		if !ok {
			return Record{}, io.EOF
		}
		start := c.line
		if len(bytes.TrimSpace(c.rec)) == 0 {
			continue
		}
		for {
			cells, complete := c.split(c.rec)
			if complete {
				return Record{Line: start, Cells: cells}, nil
			}
			more, err := c.readLine()
			if err != nil && !errors.Is(err, io.EOF) {
				if len(c.rec) > maxRecordBytes {
					return Record{}, kith.Msg("csv.open_quote_at", "line %d: %v: %v", start, errOpenQuote, err)
				}
				return Record{}, err
			}
			if !more {
				return c.recoverOpenQuote(start)
			}
		}
	}
}

// recoverOpenQuote handles EOF inside a quoted cell that began on line start:
// the first line of the record is returned as a bad record, and the lines
// after it are read again as ordinary records.
func (c *csvReader) recoverOpenQuote(start int) (Record, error) {
	first, rest, _ := bytes.Cut(c.rec, []byte{'\n'})
	raw := string(bytes.TrimRight(first, "\r"))
	c.br = bufio.NewReaderSize(bytes.NewReader(bytes.Clone(rest)), 256<<10)
	c.line = start
	return Record{Line: start, Raw: raw, Err: errOpenQuote}, nil
}

// split cuts rec into cells. It reports false when a quoted cell is still open
// at the end of rec (the record continues on the next line).
func (c *csvReader) split(rec []byte) ([]string, bool) {
	rec = bytes.TrimRight(rec, "\r\n")
	cells := c.cells[:0]
	if c.sep == ' ' {
		// Whitespace-aligned text (fixed-width exports such as CDNOW's):
		// cells are runs of non-blank characters, without quoting.
		for _, f := range bytes.Fields(rec) {
			cells = append(cells, string(f))
		}
		c.cells = cells
		return cells, true
	}
	var cell []byte
	i := 0
	for {
		if i < len(rec) && rec[i] == '"' {
			// Quoted cell: "" is a literal quote; the cell ends at a quote
			// followed by the separator or the end of the record.
			cell = cell[:0]
			j := i + 1
			closed := false
			for j < len(rec) {
				q := bytes.IndexByte(rec[j:], '"')
				if q < 0 {
					cell = append(cell, rec[j:]...)
					j = len(rec)
					break
				}
				cell = append(cell, rec[j:j+q]...)
				j += q + 1
				if j < len(rec) && rec[j] == '"' {
					cell = append(cell, '"')
					j++
					continue
				}
				if j == len(rec) || rec[j] == c.sep {
					closed = true
					break
				}
				// A stray quote inside a quoted cell: keep it, as Excel does.
				cell = append(cell, '"')
			}
			if !closed {
				return nil, false
			}
			cells = append(cells, string(cell))
			i = j
		} else {
			k := bytes.IndexByte(rec[i:], c.sep)
			if k < 0 {
				cells = append(cells, string(rec[i:]))
				i = len(rec)
			} else {
				cells = append(cells, string(rec[i:i+k]))
				i += k
			}
		}
		if i >= len(rec) {
			break
		}
		i++ // separator
		if i == len(rec) {
			cells = append(cells, "")
			break
		}
	}
	c.cells = cells
	return cells, true
}

// separators are the CSV separators kith recognises, the first preferred
// on a tie.
const separators = ",;\t|"

// detectSeparator picks the separator that occurs most often outside quotes
// in the header line.
func detectSeparator(header []byte) byte {
	counts := map[byte]int{}
	inQuote := false
	for _, b := range header {
		switch {
		case b == '"':
			inQuote = !inQuote
		case !inQuote && strings.IndexByte(separators, b) >= 0:
			counts[b]++
		}
	}
	best, n := byte(','), 0
	for _, sep := range []byte(separators) {
		if counts[sep] > n {
			best, n = sep, counts[sep]
		}
	}
	if n == 0 && len(bytes.Fields(header)) > 1 && !bytes.ContainsRune(header, '"') {
		return ' ' // no separator but blanks between words: whitespace-aligned text
	}
	return best
}
