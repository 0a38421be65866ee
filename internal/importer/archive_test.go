package importer

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

type zipEntry struct {
	name, body string
	gbk        bool // the name in GBK, without the UTF-8 flag (zips made on Chinese Windows)
	password   bool // the encrypted flag set
}

func writeArchive(t *testing.T, name string, entries []zipEntry) string {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.gbk {
			n, err := simplifiedchinese.GBK.NewEncoder().String(e.name)
			if err != nil {
				t.Fatal(err)
			}
			h.Name, h.NonUTF8 = n, true
		}
		if e.password {
			h.Flags |= 0x1
		}
		w, err := z.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.body))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return write(t, name, buf.Bytes())
}

func gzipped(t *testing.T, name, header string, body []byte) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Name = header
	zw.Write(body)
	zw.Close()
	return write(t, name, buf.Bytes())
}

func TestUnpack(t *testing.T) {
	const csv = "订单号,客户编号,下单时间,实付金额\nA1,C1,2024-01-05,10\n"
	tests := []struct {
		name        string
		archive     func(t *testing.T) string
		limit       int64
		wantMembers []string // name=body
		wantPassed  []string
		wantErr     string
	}{
		{
			name: "members in name order; folders, Mac's extras and other files left out",
			archive: func(t *testing.T) string {
				return writeArchive(t, "shop.zip", []zipEntry{{name: "b/02.csv", body: "two"}, {name: "a/01.csv", body: "one"}, {name: "dir/"},
					{name: "__MACOSX/a/._01.csv", body: "fork"}, {name: ".DS_Store", body: "x"}, {name: "说明.pdf", body: "%PDF"},
					{name: "Logo.PNG", body: "png"}, {name: "book.XLSX", body: "PK"}})
			},
			wantMembers: []string{"a/01.csv=one", "b/02.csv=two", "book.XLSX=PK"},
			wantPassed:  []string{"说明.pdf", "Logo.PNG"},
		},
		{
			name: "one name in two folders",
			archive: func(t *testing.T) string {
				return writeArchive(t, "year.zip", []zipEntry{{name: "2025/01.csv", body: "new"}, {name: "2024/01.csv", body: "old"}})
			},
			wantMembers: []string{"2024/01.csv=old", "2025/01.csv=new"},
		},
		{
			name: "a name in GBK, as Chinese Windows zips",
			archive: func(t *testing.T) string {
				return writeArchive(t, "taobao.zip", []zipEntry{{name: "订单报表.csv", body: csv, gbk: true}, {name: "宝贝报表.csv", body: "x", gbk: true}})
			},
			wantMembers: []string{"宝贝报表.csv=x", "订单报表.csv=" + csv},
		},
		{
			name: "a name that climbs out stays in the folder",
			archive: func(t *testing.T) string {
				return writeArchive(t, "evil.zip", []zipEntry{{name: "../../evil.csv", body: "x"}, {name: `..\..\win.csv`, body: "y"}})
			},
			wantMembers: []string{"../../evil.csv=x", "../../win.csv=y"},
		},
		{
			name: "password-protected",
			archive: func(t *testing.T) string {
				return writeArchive(t, "p.zip", []zipEntry{{name: "orders.csv", body: "x", password: true}})
			},
			wantErr: "orders.csv is password-protected: unzip it with its password",
		},
		{
			name:       "nothing to import",
			archive:    func(t *testing.T) string { return writeArchive(t, "pics.zip", []zipEntry{{name: "a.jpg", body: "x"}}) },
			wantPassed: []string{"a.jpg"},
			wantErr:    "pics.zip: the archive holds no CSV, Excel or HTML file to import",
		},
		{
			name: "larger than the limit unpacked",
			archive: func(t *testing.T) string {
				return writeArchive(t, "big.zip", []zipEntry{{name: "a.csv", body: strings.Repeat("x", 600)}, {name: "b.csv", body: strings.Repeat("y", 600)}})
			},
			limit:   1000,
			wantErr: "b.csv: unpacked, the archive is larger than 0 MiB",
		},
		{
			name: "the limit used up by the first file",
			archive: func(t *testing.T) string {
				return writeArchive(t, "big.zip", []zipEntry{{name: "a.csv", body: strings.Repeat("x", 1000)}, {name: "b.csv", body: "more"}})
			},
			limit:   1000,
			wantErr: "b.csv: unpacked, the archive is larger than",
		},
		{
			name:        "gzip: named as the file without .gz",
			archive:     func(t *testing.T) string { return gzipped(t, "orders.csv.gz", "export-1.csv", []byte(csv)) },
			wantMembers: []string{"orders.csv=" + csv},
		},
		{
			name:        "gzip renamed: named as its header says",
			archive:     func(t *testing.T) string { return gzipped(t, "upload.bin", "orders.csv", []byte(csv)) },
			wantMembers: []string{"orders.csv=" + csv},
		},
		{
			name: "gzip cut short",
			archive: func(t *testing.T) string {
				p := gzipped(t, "orders.csv.gz", "", []byte(strings.Repeat(csv, 100)))
				b, _ := os.ReadFile(p)
				return write(t, "cut.csv.gz", b[:len(b)/2])
			},
			wantErr: "cut.csv.gz: the archive is damaged or cut short",
		},
		{
			name:    "not an archive",
			archive: func(t *testing.T) string { return write(t, "orders.csv", []byte(csv)) },
		},
		{
			name: "a workbook is not an archive",
			archive: func(t *testing.T) string {
				p := filepath.Join(t.TempDir(), "book.xlsx")
				if err := excelize.NewFile().SaveAs(p); err != nil {
					t.Fatal(err)
				}
				return p
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.archive(t)
			dir := t.TempDir()
			ms, passed, err := Unpack(p, dir, tt.limit)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if Packed(p) != (len(tt.wantMembers) > 0) {
				t.Errorf("Packed = %v", Packed(p))
			}
			var got []string
			for _, m := range ms {
				if rel, err := filepath.Rel(dir, m.Path); err != nil || strings.HasPrefix(rel, "..") {
					t.Errorf("%s unpacked to %s, outside %s", m.Name, m.Path, dir)
				}
				b, err := os.ReadFile(m.Path)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, m.Name+"="+string(b))
			}
			if !slices.Equal(got, tt.wantMembers) || !slices.Equal(passed, tt.wantPassed) {
				t.Errorf("members %q, passed %q; want %q, %q", got, passed, tt.wantMembers, tt.wantPassed)
			}
		})
	}
}

func TestMemberRejectsPath(t *testing.T) {
	tests := []struct {
		archive string
		m       Member
		want    string
	}{
		{"d/shop.zip", Member{Name: "ExportOrderList.csv"}, "d/shop.ExportOrderList.rejects.csv"},
		{"d/year.zip", Member{Name: "2024/01.csv"}, "d/year.2024_01.rejects.csv"},
		{"d/orders.csv.gz", Member{Name: "orders.csv", Gzip: true}, "d/orders.rejects.csv"},
		{"stdin", Member{Name: "orders.csv", Gzip: true}, "orders.rejects.csv"},
	}
	for _, tt := range tests {
		if got := MemberRejectsPath(tt.archive, tt.m); got != filepath.FromSlash(tt.want) {
			t.Errorf("MemberRejectsPath(%s, %s) = %s, want %s", tt.archive, tt.m.Name, got, tt.want)
		}
	}
}

// Whatever an archive holds (names that climb, a gzip header's name,
// damaged bytes, more than the limit), Unpack writes only inside its
// folder, within the limit, and a member's rejects file goes beside the
// archive.
func FuzzUnpack(f *testing.F) {
	zipOf := func(names ...string) []byte {
		var buf bytes.Buffer
		z := zip.NewWriter(&buf)
		for _, n := range names {
			w, _ := z.Create(n)
			w.Write([]byte("订单号,金额\nA1,9\n"))
		}
		z.Close()
		return buf.Bytes()
	}
	gz := func(name string) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Name = name
		zw.Write([]byte("订单号,金额\nA1,9\n"))
		zw.Close()
		return buf.Bytes()
	}
	f.Add(zipOf("orders.csv", "items.csv"), false)
	f.Add(zipOf("../../evil.csv", `..\x.csv`, "/abs.csv", "a/b/../../c.csv", "__MACOSX/._o.csv", "readme.pdf"), false)
	f.Add(gz("orders.csv"), true)
	f.Add(gz(".."), true)
	f.Add(gz("../../up.csv"), true)
	f.Add(gz(""), false)
	f.Add([]byte("PK\x03\x04 damaged"), false)
	f.Fuzz(func(t *testing.T, data []byte, renamed bool) {
		top := t.TempDir()
		name := "shop.zip"
		if renamed {
			name = "shop.bin" // a gzip file renamed: its header's name is taken
		}
		archive := filepath.Join(top, "in", name)
		dir := filepath.Join(top, "out")
		for _, d := range []string{filepath.Dir(archive), dir} {
			if err := os.Mkdir(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(archive, data, 0o644); err != nil {
			t.Fatal(err)
		}
		const limit = 1 << 16
		ms, _, err := Unpack(archive, dir, limit)
		if err != nil && !strings.Contains(err.Error(), archive) {
			t.Fatalf("error without the archive's name: %v", err)
		}
		var size int64
		filepath.Walk(top, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() && p != archive {
				if !strings.HasPrefix(p, dir+string(filepath.Separator)) {
					t.Fatalf("wrote %s outside %s", p, dir)
				}
				size += info.Size()
			}
			return nil
		})
		if size > limit+int64(len(ms)+1) {
			t.Fatalf("unpacked %d bytes, limit %d", size, limit)
		}
		for _, m := range ms {
			if !strings.HasPrefix(m.Path, dir+string(filepath.Separator)) {
				t.Fatalf("member %q at %s, outside %s", m.Name, m.Path, dir)
			}
			if r := MemberRejectsPath(archive, m); filepath.Dir(r) != filepath.Dir(archive) || !strings.HasSuffix(r, ".rejects.csv") {
				t.Fatalf("member %q's rejects at %s, not beside %s", m.Name, r, archive)
			}
		}
	})
}
