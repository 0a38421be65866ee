package importer

import (
	"cmp"
	"io"
	"strconv"
	"strings"

	"github.com/kithcrm/kith/internal/kith"
	"github.com/kithcrm/kith/internal/money"
)

// dateSample is how many records sampleDateOrder reads ahead.
const dateSample = 2000

// dateFields are the fields that hold dates a/b/yyyy may be written in.
var dateFields = []string{"ordered_at", "date", "birthday", "created_at"}

// sampleDateOrder learns how a file writes a/b/yyyy dates when the user did
// not say (--date-order auto): an export writes all its dates one way, so
// a 31/01/2024 in its first rows makes 03/04/2024 the 3rd of April too,
// instead of a row rejected as ambiguous. The file decides only when its
// sample points one way; with no hint, or hints both ways, auto stays and
// ambiguous rows are rejected as before. The records read ahead are
// replayed.
func sampleDateOrder(src Source, m *Mapping, order *DateOrder) (Source, error) {
	cols := m.columns(dateFields...)
	if *order != DateAuto || len(cols) == 0 {
		return src, nil
	}
	hs, ok := src.(*headedSource)
	if !ok {
		hs = &headedSource{Source: src}
	}
	dmy, mdy := 0, 0 // the first line that shows each order
	for len(hs.ahead) < dateSample {
		rec, err := hs.Source.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		rec.Cells = append([]string(nil), rec.Cells...) // the reader reuses its slice
		hs.ahead = append(hs.ahead, rec)
		for _, c := range cols {
			if c >= len(rec.Cells) {
				continue
			}
			switch dateOrderOf(rec.Cells[c]) {
			case DateDMY:
				dmy = cmp.Or(dmy, rec.Line)
			case DateMDY:
				mdy = cmp.Or(mdy, rec.Line)
			}
		}
	}
	switch {
	case dmy > 0 && mdy == 0:
		*order = DateDMY
		hs.order = kith.Msg("date_order.dmy", "dates read day first, as line %d writes them", dmy)
	case mdy > 0 && dmy == 0:
		*order = DateMDY
		hs.order = kith.Msg("date_order.mdy", "dates read month first, as line %d writes them", mdy)
	}
	return hs, nil
}

// dateOrderOf says which order an a/b/yyyy date can only be read in:
// DateDMY for 31/01/2024, DateMDY for 01/31/2024, DateAuto when either
// (03/04/2024) or when it is no such date.
func dateOrderOf(s string) DateOrder {
	datePart, _ := splitDateTime(strings.TrimSpace(money.Narrow(s)))
	parts := strings.FieldsFunc(datePart, func(r rune) bool { return r == '/' || r == '-' || r == '.' })
	if len(parts) != 3 || len(parts[2]) != 4 {
		return DateAuto
	}
	a, err1 := strconv.Atoi(parts[0])
	b, err2 := strconv.Atoi(parts[1])
	switch {
	case err1 != nil || err2 != nil || a < 1 || b < 1 || a > 31 || b > 31:
		return DateAuto
	case a > 12 && b <= 12:
		return DateDMY
	case b > 12 && a <= 12:
		return DateMDY
	}
	return DateAuto
}
