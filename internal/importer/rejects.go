package importer

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/kithcrm/kith/internal/kith"
)

// rejectsHead heads the columns a rejects file puts before a row's cells.
var rejectsHead = []*kith.Message{kith.Msg("rejects.line", "line"), kith.Msg("rejects.field", "field"), kith.Msg("rejects.reason", "reason")}

// rejectsHeads are rejectsHead as kith writes it in each language. A
// rejects file, once fixed, is imported again; its first columns are
// kith's notes, not the shop's data.
var rejectsHeads = [][]string{{"line", "field", "reason"}, {"行号", "字段", "原因"}}

// rejectsColumns is how many of header's first cells a rejects file added
// (len(rejectsHead), or 0 for any other file).
func rejectsColumns(header []string) int {
	for _, h := range rejectsHeads {
		if len(header) > len(h) && slices.Equal(header[:len(h)], h) {
			return len(h)
		}
	}
	return 0
}

// Reject is one refused row, as the summary shows the first few.
type Reject struct {
	Line   int           `json:"line"`
	Field  string        `json:"field,omitempty"`
	Reason *kith.Message `json:"reason"`
}

// maxRejectExamples is how many rejects a summary shows: enough to see
// what went wrong without opening the file.
const maxRejectExamples = 5

// rejectWriter writes refused rows, with their original cells, to a CSV that
// opens in Excel (UTF-8 with BOM). The file is created on the first reject.
type rejectWriter struct {
	path   string
	header []string
	say    func(*kith.Message) string // Options.Say
	skip   int                        // the input's own rejects columns, not written again
	first  []Reject                   // the first few, for the summary
	f      *os.File
	bw     *bufio.Writer
	w      *csv.Writer
	n      int
	// differing counts the repeats of a key with content of their own: in
	// an orders file, a hint that its rows are items.
	differing int
	// moved is why the rejects file is not where it was to be (path is
	// where it is): that folder could not be written (create).
	moved error
}

// create creates the rejects file at rw.path or, when that folder cannot
// be written (a read-only share, a USB stick, a folder of another user),
// under the same name in the working folder, else in the temporary folder:
// failing, the import would stop at its first reject and keep failing.
func (rw *rejectWriter) create() (*os.File, error) {
	f, err := os.Create(rw.path)
	if err == nil {
		return f, nil
	}
	tried := []string{rw.path}
	for _, dir := range []string{".", os.TempDir()} {
		p := filepath.Join(dir, filepath.Base(rw.path))
		if abs, aerr := filepath.Abs(p); aerr == nil && slices.ContainsFunc(tried, func(t string) bool { a, _ := filepath.Abs(t); return a == abs }) {
			continue
		}
		tried = append(tried, p)
		if f, ferr := os.Create(p); ferr == nil {
			rw.moved, rw.path = err, p
			return f, nil
		}
	}
	return nil, fmt.Errorf("rejects file: %w", err)
}

func (rw *rejectWriter) write(r rejectRec) error {
	if rw.w == nil {
		f, err := rw.create()
		if err != nil {
			return err
		}
		rw.f, rw.bw = f, bufio.NewWriter(f)
		rw.bw.WriteString("\ufeff")
		rw.w = csv.NewWriter(rw.bw)
		head := make([]string, len(rejectsHead))
		for i, m := range rejectsHead {
			head[i] = rw.text(m)
		}
		if err := rw.w.Write(append(head, rw.header[rw.skip:]...)); err != nil {
			return err
		}
	}
	rw.n++
	if r.reason != nil && r.reason.Key == "duplicate.different" {
		rw.differing++
	}
	if len(rw.first) < maxRejectExamples {
		rw.first = append(rw.first, Reject{Line: r.src.line, Field: r.field, Reason: r.reason})
	}
	cells := r.src.cells[min(rw.skip, len(r.src.cells)):]
	if r.src.raw != "" {
		cells = []string{r.src.raw}
	}
	return rw.w.Write(append([]string{strconv.Itoa(r.src.line), r.field, rw.text(r.reason)}, cells...))
}

func (rw *rejectWriter) text(m *kith.Message) string {
	if rw.say != nil {
		return rw.say(m)
	}
	return m.Error()
}

func (rw *rejectWriter) close() error {
	if rw.f == nil {
		return nil
	}
	rw.w.Flush()
	err := rw.w.Error()
	if ferr := rw.bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := rw.f.Close(); err == nil {
		err = cerr
	}
	rw.f = nil
	return err
}
