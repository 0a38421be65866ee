package importer

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kithcrm/kith/internal/kith"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Exports often come packed: a platform's download is a zip of CSV files
// (Taobao's order list beside its item list), a year kept as a zip of
// monthly files, a big export gzip-compressed. kith unpacks such a file
// into a folder of the caller's and imports each file in it as a file of
// its own; a workbook, though also a zip, is read as it is.

// Member is a data file unpacked from an archive.
type Member struct {
	Name string // its name in the archive (2025/01.csv); a gzip file's name without .gz
	Path string // where it was unpacked
	Gzip bool   // the archive is this one file, compressed
}

var (
	gzipMagic = []byte{0x1f, 0x8b}
	rarMagic  = []byte("Rar!\x1a\x07")
	sevenZip  = []byte{'7', 'z', 0xBC, 0xAF, 0x27, 0x1C}

	errRAR      = kith.Msg("file.rar", "a RAR archive: kith unpacks zip and gzip only; extract its files (or save it as a zip) and import those")
	err7z       = kith.Msg("file.7z", "a 7z archive: kith unpacks zip and gzip only; extract its files (or save it as a zip) and import those")
	errPacked   = kith.Msg("file.packed", "an archive (zip or gzip): import it with kith import or the web import, which unpack it")
	errNoMember = kith.Msg("file.no_member", "the archive holds no CSV, Excel or HTML file to import")
)

// dataExt are the names of the files in an archive that are imported; the
// others (a read-me, a PDF, pictures) are passed over and named.
var dataExt = []string{".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".xml", ".htm", ".html"}

// DataFile says whether a file's name is that of a file to import when a
// zip or a folder holds it: CSV, Excel or an HTML table, not a read-me, a
// PDF or what macOS adds (.DS_Store, ._orders.csv), and not a rejects file
// that an earlier import wrote beside its input.
func DataFile(name string) bool {
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	return !strings.HasPrefix(base, ".") && slices.Contains(dataExt, strings.ToLower(path.Ext(base))) &&
		!strings.HasSuffix(strings.ToLower(base), ".rejects.csv")
}

// Packed says whether path is an archive that Unpack unpacks.
func Packed(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	kind, _ := archiveKind(f)
	return kind != ""
}

// archiveKind is "gzip" or "zip" for a file Unpack unpacks, "" for one it
// leaves as it is (a workbook is a zip too); a zip's directory, read to
// tell, comes back with it.
func archiveKind(f *os.File) (string, *zip.Reader) {
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		return "gzip", nil
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		st, err := f.Stat()
		if err != nil {
			return "", nil
		}
		if z, err := zip.NewReader(f, st.Size()); err == nil && !workbookZip(z) {
			return "zip", z
		}
	}
	return "", nil
}

// workbookZip says a zip is an Office document, an OpenDocument or a
// Numbers file rather than a folder of files: OpenSource reads the first
// and says what the others are.
func workbookZip(z *zip.Reader) bool {
	for _, f := range z.File {
		n := strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/"))
		if n == "[content_types].xml" || n == "mimetype" || n == "index/document.iwa" || strings.HasPrefix(n, "xl/") {
			return true
		}
	}
	return false
}

// Unpack unpacks the archive at path into dir (which must exist) and
// returns its data files in name order, and the names of the other files
// it passed over. limit bounds the bytes unpacked (0: no bound), for
// uploads, where a small zip may unpack to gigabytes. A file that is not
// an archive returns no members and no error.
func Unpack(path, dir string, limit int64) (members []Member, passed []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	kind, z := archiveKind(f)
	switch kind {
	case "":
		return nil, nil, nil
	case "gzip":
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, nil, err
		}
		m, err := gunzip(f, path, dir, limit)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		return []Member{m}, nil, nil
	}
	members, passed, err = unzip(z, dir, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(members) == 0 {
		return nil, passed, fmt.Errorf("%s: %w", path, errNoMember)
	}
	return members, passed, nil
}

// gunzip unpacks a gzip file: one file, named as the archive without .gz
// (or as the name the gzip header keeps, when the archive was renamed).
func gunzip(f *os.File, path, dir string, limit int64) (Member, error) {
	zr, err := gzip.NewReader(f)
	if err != nil {
		return Member{}, fmt.Errorf("not a readable gzip file: %w", err)
	}
	defer zr.Close()
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if ext := strings.ToLower(filepath.Ext(path)); ext != ".gz" && ext != ".gzip" && zr.Name != "" {
		if b := filepath.Base(strings.ReplaceAll(zr.Name, `\`, "/")); b != "." && b != ".." && b != "/" {
			name = b
		}
	}
	m := Member{Name: name, Path: filepath.Join(dir, safeMemberName(name)), Gzip: true}
	if _, err := unpackTo(m.Path, zr, budget(limit), limit); err != nil {
		return Member{}, err
	}
	return m, nil
}

// unzip unpacks the data files of z, a zip's directory, into dir.
func unzip(z *zip.Reader, dir string, limit int64) (members []Member, passed []string, err error) {
	var files []*zip.File
	names := map[*zip.File]string{}
	for _, zf := range z.File {
		name := memberName(zf)
		base := path.Base(name)
		switch {
		case zf.FileInfo().IsDir():
			continue
		case strings.HasPrefix(base, "."):
			continue // what macOS's Compress adds (__MACOSX/._orders.csv, .DS_Store)
		case !DataFile(name):
			passed = append(passed, name)
			continue
		}
		names[zf] = name
		files = append(files, zf)
	}
	slices.SortStableFunc(files, func(a, b *zip.File) int { return strings.Compare(names[a], names[b]) })
	left := budget(limit)
	for i, zf := range files {
		name := names[zf]
		if zf.Flags&0x1 != 0 {
			return nil, nil, kith.Msg("file.zip_password", "%s is password-protected: unzip it with its password and import the files", name)
		}
		// A folder per member: two months may both be 01.csv.
		sub := filepath.Join(dir, strconv.Itoa(i+1))
		if err := os.Mkdir(sub, 0o700); err != nil {
			return nil, nil, err
		}
		m := Member{Name: name, Path: filepath.Join(sub, safeMemberName(path.Base(name)))}
		rc, err := zf.Open()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		n, err := unpackTo(m.Path, rc, left, limit)
		rc.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		if left >= 0 {
			left -= n
		}
		members = append(members, m)
	}
	return members, passed, nil
}

// budget is the bytes an archive may unpack to: limit, or -1 for no bound
// when limit is 0.
func budget(limit int64) int64 {
	if limit <= 0 {
		return -1
	}
	return limit
}

// memberName is a zip member's name as written: zips made on Chinese
// Windows keep names in GBK without saying so.
func memberName(zf *zip.File) string {
	name := zf.Name
	if zf.NonUTF8 || !utf8.ValidString(name) {
		if s, err := simplifiedchinese.GB18030.NewDecoder().String(name); err == nil {
			name = s
		}
	}
	return strings.ReplaceAll(name, `\`, "/")
}

// safeMemberName is a name that stays in its folder.
func safeMemberName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 {
			return '_'
		}
		return r
	}, name)
	if name == "" || name == "." || name == ".." {
		return "file"
	}
	return name
}

// unpackTo writes r to a new file at p, at most left bytes when left >= 0
// (limit is the whole archive's, for the message), and returns how many it
// wrote.
func unpackTo(p string, r io.Reader, left, limit int64) (int64, error) {
	out, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, err
	}
	src := r
	if left >= 0 {
		src = io.LimitReader(r, left+1)
	}
	n, err := io.Copy(out, src)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, zip.ErrChecksum) || errors.Is(err, io.ErrUnexpectedEOF) {
			return n, kith.Msg("file.archive_damaged", "the archive is damaged or cut short (%v)", err)
		}
		return n, err
	}
	if left >= 0 && n > left {
		return n, kith.Msg("file.unpack_limit", "unpacked, the archive is larger than %d MiB", limit>>20)
	}
	return n, nil
}

// MemberLabel names an archive's member in messages and summaries:
// shop.zip [ExportOrderList.csv].
func MemberLabel(archive, member string) string { return SheetLabel(archive, member) }

// Label names m, unpacked from archive, in messages and summaries: the
// archive's name for a gzip file's one file, else MemberLabel's.
func (m Member) Label(archive string) string {
	if m.Gzip {
		return archive
	}
	return MemberLabel(archive, m.Name)
}

// MemberRejectsPath is a member's own rejects file, beside the archive:
// shop.ExportOrderList.rejects.csv; a gzip file's is its own
// (orders.csv.gz: orders.rejects.csv).
func MemberRejectsPath(archive string, m Member) string {
	dir := filepath.Dir(archive)
	stem := func(s string) string { return strings.TrimSuffix(s, filepath.Ext(s)) }
	if m.Gzip {
		// The name may be a gzip header's (..): it must not climb.
		return DefaultRejectsPath(filepath.Join(dir, safeMemberName(filepath.Base(m.Name))))
	}
	member := strings.ReplaceAll(stem(m.Name), "/", "_")
	return filepath.Join(dir, stem(filepath.Base(archive))+"."+member+".rejects.csv")
}
