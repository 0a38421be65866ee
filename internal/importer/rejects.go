package importer

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"strconv"
)

// rejectWriter writes refused rows, with their original cells, to a CSV that
// opens in Excel (UTF-8 with BOM). The file is created on the first reject.
type rejectWriter struct {
	path   string
	header []string
	f      *os.File
	bw     *bufio.Writer
	w      *csv.Writer
	n      int
}

func (rw *rejectWriter) write(r rejectRec) error {
	if rw.w == nil {
		f, err := os.Create(rw.path)
		if err != nil {
			return fmt.Errorf("rejects file: %w", err)
		}
		rw.f, rw.bw = f, bufio.NewWriter(f)
		rw.bw.WriteString("\ufeff")
		rw.w = csv.NewWriter(rw.bw)
		if err := rw.w.Write(append([]string{"line", "field", "reason"}, rw.header...)); err != nil {
			return err
		}
	}
	rw.n++
	cells := r.src.cells
	if r.src.raw != "" {
		cells = []string{r.src.raw}
	}
	return rw.w.Write(append([]string{strconv.Itoa(r.src.line), r.field, r.reason}, cells...))
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
