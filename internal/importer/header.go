package importer

import (
	"fmt"
	"io"
)

// maxTitleRows is how many rows above the header findHeader looks past.
// Shop and ERP exports often open with a report title, the export time or
// the filter used, and only then the header.
const maxTitleRows = 10

// headedSource is a Source whose header is a later row than its first.
type headedSource struct {
	Source
	header []string
	line   int
}

func (s *headedSource) Header() []string { return s.header }
func (s *headedSource) Describe() string {
	return fmt.Sprintf("%s, header on line %d", s.Source.Describe(), s.line)
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
	return nil, nil, firstErr
}
