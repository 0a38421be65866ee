package importer

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// xmlScanner tokenizes the XML of a workbook's parts as it streams out of
// the zip. encoding/xml allocates a token and an interface per element and
// ran a 480k-row sheet at about 70k rows/s; a sheet is a few element kinds
// repeated millions of times, so this reads them into reused buffers. It
// knows start and end tags (namespace prefixes dropped), attributes,
// character data with entities, CDATA, comments and processing
// instructions: what a spreadsheet part holds. It checks no nesting; the
// readers above it only look for the elements they need.
type xmlScanner struct {
	r        *bufio.Reader
	kind     xmlKind
	name     []byte // local name of a start or end tag
	empty    bool   // a start tag that closes itself: <c r="A1"/>
	text     []byte // character data, entities decoded
	rawAttrs []byte // a start tag's attributes as written, read by attr
	tag      []byte // input read past the reader's buffer
	more     []byte // a tag read on past a '>' it held
	vals     []byte // an attribute value with its entities decoded
	inTag    bool   // the '<' of the next tag is consumed
}

type xmlKind int

const (
	xmlStart xmlKind = iota + 1
	xmlEnd
	xmlText
)

func newXMLScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{r: bufio.NewReaderSize(r, 64<<10)}
}

// next reads the next token; io.EOF at the end of the input.
func (s *xmlScanner) next() error {
	for {
		if !s.inTag {
			raw, err := s.readTo('<')
			if err == io.EOF && len(raw) == 0 {
				return io.EOF
			}
			if err != nil && err != io.EOF {
				return err
			}
			s.inTag = err == nil
			if len(raw) > 0 {
				s.kind = xmlText
				s.text, err = decodeText(s.text[:0], raw)
				return err
			}
			if !s.inTag {
				return io.EOF
			}
		}
		s.inTag = false
		ok, err := s.readTag()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
	}
}

// readTo returns the input up to delim, which it consumes and leaves out:
// the reader's own buffer when that holds it all, valid until the next
// read (a token is used before the next one is read), else s.tag.
func (s *xmlScanner) readTo(delim byte) ([]byte, error) {
	chunk, err := s.r.ReadSlice(delim)
	switch err {
	case nil:
		return chunk[:len(chunk)-1], nil
	case bufio.ErrBufferFull:
	default:
		return chunk, err
	}
	s.tag = append(s.tag[:0], chunk...)
	for {
		chunk, err := s.r.ReadSlice(delim)
		s.tag = append(s.tag, chunk...)
		switch err {
		case nil:
			return s.tag[:len(s.tag)-1], nil
		case bufio.ErrBufferFull:
		default:
			return s.tag, err
		}
	}
}

// readOn continues tag t, which a '>' did not end, to the next '>'.
func (s *xmlScanner) readOn(t []byte) ([]byte, error) {
	own := append(append(s.more[:0], t...), '>') // t may be the reader's buffer
	rest, err := s.readTo('>')
	s.more = append(own, rest...)
	return s.more, unexpectedEOF(err)
}

var errXMLTruncated = errors.New("XML ends inside a tag")

// readTag reads one tag after its '<'. It reports false for what is not a
// token to its caller: a comment, a processing instruction, a DOCTYPE.
func (s *xmlScanner) readTag() (bool, error) {
	t, err := s.readTo('>')
	if err != nil {
		return false, unexpectedEOF(err)
	}
	// A '>' inside a quoted attribute value, a comment or CDATA does not end
	// the tag: read on to the one that does.
	switch {
	case bytes.HasPrefix(t, []byte("!--")):
		for len(t) < 5 || !bytes.HasSuffix(t, []byte("--")) {
			if t, err = s.readOn(t); err != nil {
				return false, err
			}
		}
		return false, nil
	case bytes.HasPrefix(t, []byte("![CDATA[")):
		for !bytes.HasSuffix(t, []byte("]]")) {
			if t, err = s.readOn(t); err != nil {
				return false, err
			}
		}
		s.kind = xmlText
		s.text = append(s.text[:0], t[len("![CDATA["):len(t)-2]...)
		return true, nil
	}
	for quoteOpen(t) {
		if t, err = s.readOn(t); err != nil {
			return false, err
		}
	}
	if len(t) == 0 {
		return false, errors.New("XML: empty tag <>")
	}
	switch t[0] {
	case '?', '!':
		return false, nil
	case '/':
		s.kind = xmlEnd
		s.name = localName(bytes.TrimSpace(t[1:]))
		return true, nil
	}
	s.kind = xmlStart
	s.empty = t[len(t)-1] == '/'
	if s.empty {
		t = t[:len(t)-1]
	}
	i := 0
	for i < len(t) && !isXMLSpace(t[i]) {
		i++
	}
	s.name, s.rawAttrs = localName(t[:i]), t[i:]
	return true, nil
}

func unexpectedEOF(err error) error {
	if err == io.EOF {
		return errXMLTruncated
	}
	return err
}

// quoteOpen reports whether t ends inside a quoted attribute value.
func quoteOpen(t []byte) bool {
	var q byte
	for _, c := range t {
		switch {
		case q == 0 && (c == '"' || c == '\''):
			q = c
		case c == q:
			q = 0
		}
	}
	return q != 0
}

// attr returns the value of the start tag's attribute with local name n,
// or nil. Attributes are read when asked for: a sheet's reader wants two
// of a cell's and one of a row's, and skips every other element's.
func (s *xmlScanner) attr(n string) []byte {
	t := s.rawAttrs
	for {
		for len(t) > 0 && isXMLSpace(t[0]) {
			t = t[1:]
		}
		eq := bytes.IndexByte(t, '=')
		if eq <= 0 {
			return nil
		}
		name := localName(bytes.TrimRight(t[:eq], " \t\r\n"))
		t = bytes.TrimLeft(t[eq+1:], " \t\r\n")
		if len(t) == 0 || (t[0] != '"' && t[0] != '\'') {
			return nil
		}
		end := bytes.IndexByte(t[1:], t[0])
		if end < 0 {
			return nil
		}
		v := t[1 : 1+end]
		t = t[end+2:]
		if string(name) != n {
			continue
		}
		if bytes.IndexByte(v, '&') < 0 {
			return v
		}
		var err error
		if s.vals, err = decodeText(s.vals[:0], v); err != nil {
			return nil
		}
		return s.vals
	}
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// localName drops a namespace prefix: x:row is row.
func localName(n []byte) []byte {
	if i := bytes.LastIndexByte(n, ':'); i >= 0 {
		return n[i+1:]
	}
	return n
}

// decodeText appends raw to dst with its entity and character references
// decoded and its line ends normalised to \n, as XML says a reader must.
func decodeText(dst, raw []byte) ([]byte, error) {
	if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		return append(dst, raw...), nil
	}
	for len(raw) > 0 {
		i := bytes.IndexAny(raw, "&\r")
		if i < 0 {
			return append(dst, raw...), nil
		}
		dst = append(dst, raw[:i]...)
		if raw[i] == '\r' {
			dst = append(dst, '\n')
			raw = raw[i+1:]
			if len(raw) > 0 && raw[0] == '\n' {
				raw = raw[1:]
			}
			continue
		}
		raw = raw[i:]
		semi := bytes.IndexByte(raw, ';')
		if semi < 0 {
			return dst, fmt.Errorf("XML: unterminated entity %.10q", raw)
		}
		ent := raw[1:semi]
		raw = raw[semi+1:]
		switch string(ent) {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			r, ok := charRef(ent)
			if !ok {
				return dst, fmt.Errorf("XML: unknown entity &%s;", ent)
			}
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst, nil
}

// charRef reads a character reference's body: #65 or #x41.
func charRef(ent []byte) (rune, bool) {
	if len(ent) < 2 || ent[0] != '#' {
		return 0, false
	}
	base, digits := 10, ent[1:]
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	n, err := strconv.ParseUint(string(digits), base, 32)
	if err != nil || !utf8.ValidRune(rune(n)) {
		return 0, false
	}
	return rune(n), true
}
