package httpapi

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/kithcrm/kith/internal/account"
	"github.com/kithcrm/kith/internal/customer"
	"github.com/kithcrm/kith/internal/i18n"
	"github.com/kithcrm/kith/internal/importer"
	"github.com/kithcrm/kith/internal/kith"
)

// Uploads are kept under UploadDir/<id>/: the file as uploaded (read by
// its content: CSV, a workbook, an HTML table or Excel XML; an archive is
// unpacked into unpacked-N/ for the import and those files removed after),
// rejects.csv,
// and "owner" (the uploader's user id), so the rejects file can be
// downloaded later by its uploader or a manager.

// ImportResult is what an upload did.
type ImportResult struct {
	*importer.Summary
	ID         string `json:"id"`
	RejectsURL string `json:"rejects_url,omitempty"`
	// Columns says which column fed which field (what kith import prints).
	Columns string `json:"columns"`
	// Sheets are the imports of each sheet, when the form asked for all
	// of a workbook's (all_sheets), or of each file of several; the counts
	// above are their sums.
	Sheets []*ImportResult `json:"sheets,omitempty"`
	// Sheet is the sheet a result of Sheets imported ("" for a file), and
	// SheetNo its number among the upload's imports (1, 2, ...): its
	// rejects are ?sheet=SheetNo.
	Sheet   string `json:"sheet,omitempty"`
	SheetNo int    `json:"-"`
}

// CanImport: imports touch the whole shop, so they are for managers and
// admins.
func CanImport(u *account.User) error {
	if u.SeesAll() {
		return nil
	}
	return fmt.Errorf("imports are for managers and admins: %w", kith.ErrForbidden)
}

// safeName keeps a file name's base and a safe set of characters.
func safeName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == '/' || r == 0 || r < ' ':
		case r == '.' && b.Len() == 0:
		default:
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "upload.csv"
	}
	return b.String()
}

// UploadForm is what an upload form said besides its file.
type UploadForm struct {
	Kind, Channel, Sheet string
	OrderPrefix          string // before every order id (kith import --order-prefix)
	AllSheets            bool
	DecimalComma         bool // numbers written 1.234,50 (kith import --decimal-comma)
	MaskedPhoneKey       bool // a masked phone and a name name a customer (kith import --masked-phone-key)
	DryRun               bool // into a copy of the database (kith import --dry-run)
}

// Upload reads a multipart form with fields kind, file (one or more: a file
// per month is one upload) and, optionally, channel (of rows without one),
// sheet (of a workbook, as kith import --sheet), all_sheets, decimal_comma
// (as kith import --decimal-comma), masked_phone_key (as kith import
// --masked-phone-key), order_prefix (as kith import --order-prefix) or dry_run (as kith import --dry-run:
// the result is what the import would do), streaming the
// file to disk (never all in memory), and imports it. The request body
// must already be limited with http.MaxBytesReader. form, when not nil,
// receives the kind and channel as read, so a page can keep them after an
// error.
func (a *API) Upload(r *http.Request, u *account.User, lang i18n.Lang, form *UploadForm) (*ImportResult, error) {
	if err := CanImport(u); err != nil {
		return nil, err
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, invalid("file", "send a multipart/form-data body with fields kind and file")
	}
	id, err := account.NewSecret()
	if err != nil {
		return nil, err
	}
	id = id[:20]
	dir := filepath.Join(a.cfg.UploadDir, id)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("upload dir: %w", err)
	}
	var kind, channel, sheet, prefix string
	var files []upload // a file part each: several files are several imports
	allSheets, decimalComma, maskedKey, dryRun := false, false, false, false
	defer func() {
		if form != nil {
			form.Kind, form.Channel, form.Sheet, form.AllSheets, form.DecimalComma, form.MaskedPhoneKey, form.DryRun = kind, channel, sheet, allSheets, decimalComma, maskedKey, dryRun
			form.OrderPrefix = prefix
		}
	}()
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			os.RemoveAll(dir)
			return nil, uploadErr(err)
		}
		switch part.FormName() {
		case "kind":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			kind = strings.TrimSpace(string(b))
		case "all_sheets", "decimal_comma", "masked_phone_key", "dry_run":
			b, _ := io.ReadAll(io.LimitReader(part, 16))
			on := slices.Contains([]string{"1", "on", "true", "yes"}, strings.ToLower(strings.TrimSpace(string(b))))
			switch part.FormName() {
			case "all_sheets":
				allSheets = on
			case "decimal_comma":
				decimalComma = on
			case "masked_phone_key":
				maskedKey = on
			default:
				dryRun = on
			}
		case "channel":
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			channel = strings.TrimSpace(string(b))
		case "sheet":
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			sheet = strings.TrimSpace(string(b))
		case "order_prefix":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			prefix = strings.TrimSpace(string(b))
		case "file":
			name := safeName(part.FileName())
			if slices.ContainsFunc(files, func(u upload) bool { return u.name == name }) {
				name = strconv.Itoa(len(files)+1) + "-" + name // two files of one name
			}
			path := filepath.Join(dir, name)
			files = append(files, upload{path: path, name: name})
			f, err := os.Create(path)
			if err != nil {
				return nil, fmt.Errorf("save upload: %w", err)
			}
			_, err = io.Copy(f, part)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				os.RemoveAll(dir)
				return nil, uploadErr(err)
			}
		}
		part.Close()
	}
	k := importer.Kind(kind)
	if !slices.Contains(importer.Kinds, k) {
		os.RemoveAll(dir)
		return nil, invalid("kind", fmt.Sprintf("kind %q: want one of %v", kind, importer.Kinds))
	}
	if len(files) == 0 {
		os.RemoveAll(dir)
		return nil, invalid("file", "no file was uploaded")
	}
	if !customer.ValidText(channel) || len(channel) > 200 {
		os.RemoveAll(dir)
		return nil, invalid("channel", "channel must be text of at most 200 bytes")
	}
	if channel != "" && !importer.HasField(k, "channel") {
		os.RemoveAll(dir)
		return nil, invalid("channel", fmt.Sprintf("%s have no channel", k))
	}
	if !customer.ValidText(sheet) || len(sheet) > 200 {
		os.RemoveAll(dir)
		return nil, invalid("sheet", "sheet must be text of at most 200 bytes")
	}
	if sheet != "" && allSheets {
		os.RemoveAll(dir)
		return nil, invalid("sheet", "every sheet is read with all_sheets: leave the sheet out")
	}
	if dryRun && a.cfg.Scratch == nil {
		os.RemoveAll(dir)
		return nil, invalid("dry_run", "a dry run needs a SQLite database: on PostgreSQL, import into a copy of the database instead")
	}
	if err := os.WriteFile(filepath.Join(dir, "owner"), []byte(strconv.FormatInt(u.ID, 10)), 0o600); err != nil {
		return nil, err
	}
	files, passed, err := a.unpack(files, dir, lang)
	defer func() {
		// The archive stays with the upload; its files are not needed after.
		subs, _ := filepath.Glob(filepath.Join(dir, "unpacked-*"))
		for _, s := range subs {
			os.RemoveAll(s)
		}
	}()
	if err != nil {
		return nil, err
	}
	opts := importer.Options{Location: a.cfg.Location, Currency: a.cfg.Currency, Channel: channel, Sheet: sheet, DecimalComma: decimalComma, MaskedPhoneKey: maskedKey, OrderPrefix: prefix,
		Now: a.cfg.Now(), Say: func(m *kith.Message) string { return i18n.Message(lang, m) }}
	// The import finishes even if the browser goes away: it is idempotent,
	// but a half-done import would surprise whoever looks next.
	ctx := context.WithoutCancel(r.Context())
	// The upload's files and sheets are one load: into an empty database,
	// one first load (store.Load).
	load := a.b.Load()
	if dryRun {
		var done func()
		if load, done, err = a.cfg.Scratch(ctx); err != nil {
			return nil, err
		}
		defer done()
	}
	defer load.Close()
	var res *ImportResult
	if len(files) == 1 {
		res, err = a.importFile(ctx, load, k, files[0].path, files[0].name, id, allSheets, opts, lang, nil)
	} else {
		res, err = a.importFiles(ctx, load, k, files, id, allSheets, opts, lang)
	}
	if err != nil {
		return nil, err
	}
	if len(passed) > 0 {
		res.Warnings = append(res.Warnings, kith.Msg("import.members_passed", "not CSV, Excel or HTML, passed over: %s", strings.Join(passed, ", ")))
	}
	if err := load.End(ctx); err != nil {
		return nil, err
	}
	if dryRun {
		res.DryRun = true
		for _, s := range res.Sheets {
			s.DryRun = true
		}
		return res, nil
	}
	if err := a.b.RefreshSnapshot(ctx); err != nil {
		return nil, err
	}
	return res, nil
}

// upload is a file saved from an upload's form, or unpacked from an
// uploaded archive: member says it is one of the archive's several files,
// passed over when it has no header for the kind.
type upload struct {
	path, name string
	member     bool
}

// unpackFactor bounds what an uploaded archive may unpack to, as a multiple
// of the upload limit: CSV packs to a fifth or a tenth of its size, and a
// small zip that unpacks to gigabytes should not fill the disk.
const unpackFactor = 20

// unpack replaces the uploaded archives (a zip of exports, a gzip file)
// by their data files, unpacked beside them, and names what they held
// that is not data.
func (a *API) unpack(files []upload, dir string, lang i18n.Lang) (out []upload, passed []string, err error) {
	for i, f := range files {
		if !importer.Packed(f.path) {
			out = append(out, f)
			continue
		}
		sub := filepath.Join(dir, "unpacked-"+strconv.Itoa(i+1))
		if err := os.Mkdir(sub, 0o700); err != nil {
			return nil, nil, fmt.Errorf("unpack upload: %w", err)
		}
		ms, other, err := importer.Unpack(f.path, sub, a.cfg.MaxUpload*unpackFactor)
		if err != nil {
			return nil, nil, unreadable(lang, err, f.path, f.name)
		}
		for _, m := range ms {
			out = append(out, upload{path: m.Path, name: m.Label(f.name), member: len(ms) > 1})
		}
		for _, o := range other {
			passed = append(passed, importer.MemberLabel(f.name, o))
		}
	}
	return out, passed, nil
}

// importFiles imports several uploaded files (a file per month), each as
// the CLI would: the result sums them and lists each import (a file, or a
// sheet of a workbook with allSheets) in Sheets, numbered through the
// upload for their rejects. A file that cannot be read is named in the
// warnings and the others are imported.
func (a *API) importFiles(ctx context.Context, sink importer.Sink, k importer.Kind, files []upload, id string, allSheets bool, opts importer.Options, lang i18n.Lang) (*ImportResult, error) {
	var names []string
	for _, f := range files {
		names = append(names, f.name)
	}
	total := &ImportResult{Summary: &importer.Summary{File: strings.Join(names, ", "), Kind: k}, ID: id}
	parts := 0
	var failed error // the first file that could not be read
	for _, f := range files {
		res, err := a.importFile(ctx, sink, k, f.path, f.name, id, allSheets, opts, lang, &parts)
		if f.member && errors.Is(err, errNoHeader) {
			// An archive's read-me or its other list (Taobao's items
			// beside its orders).
			var nh noHeaderError
			if errors.As(err, &nh) && nh.fits != "" {
				total.Warnings = append(total.Warnings, kith.Msg("import.member_fits", "%s: no header for %s in this file, whose header is one for %s: passed over", f.name, k, nh.fits))
			} else {
				total.Warnings = append(total.Warnings, kith.Msg("import.member_skipped", "%s: no header for %s in this file: passed over", f.name, k))
			}
			continue
		}
		if err != nil {
			failed = cmp.Or(failed, err)
			total.Warnings = append(total.Warnings, kith.Msg("import.file_failed", "%s could not be imported: %v", f.name, err))
			continue
		}
		each := []*ImportResult{res}
		if len(res.Sheets) > 0 {
			each = res.Sheets
			total.Warnings = append(total.Warnings, res.Warnings...)
		}
		for _, r := range each {
			total.Sheets = append(total.Sheets, r)
			total.AddCounts(r.Summary)
		}
	}
	if len(total.Sheets) == 0 {
		if failed == nil {
			return nil, &kith.FieldError{Field: "file", Code: "unreadable", Reason: fmt.Sprintf("no file in the archive has a header for %s", k)}
		}
		return nil, failed
	}
	total.Format = kith.Msg("source.files", "%d files", len(files))
	return total, nil
}

// importFile imports an uploaded file: one import, or with allSheets one
// for every sheet of a workbook that has a header for the kind. parts,
// when not nil, numbers the imports through an upload of several files.
func (a *API) importFile(ctx context.Context, sink importer.Sink, k importer.Kind, path, name, id string, allSheets bool, opts importer.Options, lang i18n.Lang, parts *int) (*ImportResult, error) {
	number := func(n int) int { // this import's number: for its rejects file
		if parts == nil {
			return n
		}
		*parts++
		return *parts
	}
	var sheets []string
	if allSheets {
		sheets = importer.Sheets(path) // nil for a CSV: one import, as without
	}
	if len(sheets) == 0 {
		sheet := opts.Sheet // the form's, for a workbook; a CSV has no sheets
		if sheet != "" && importer.Sheets(path) == nil {
			sheet = ""
		}
		res, err := a.importOne(ctx, sink, k, path, name, id, sheet, number(0), opts, lang)
		if err != nil {
			return nil, unreadable(lang, err, path, name)
		}
		return res, nil
	}
	// Every sheet with a header for the kind, each its own import with its
	// own rejects file; sheets without one (a cover, notes) are named.
	total := &ImportResult{Summary: &importer.Summary{File: name, Kind: k}, ID: id}
	var passed []string
	var failed error // the first sheet that could not be read
	for i, sheet := range sheets {
		res, err := a.importOne(ctx, sink, k, path, name, id, sheet, number(i+1), opts, lang)
		if importer.NoHeader(err) {
			passed = append(passed, sheet)
			continue
		}
		if err != nil {
			// The sheets before it are imported: say which one failed and
			// go on, as the CLI does.
			failed = cmp.Or(failed, err)
			total.Warnings = append(total.Warnings, kith.Msg("import.sheet_failed", "sheet %s could not be imported: %v", sheet, err))
			continue
		}
		total.Sheets = append(total.Sheets, res)
		total.AddCounts(res.Summary)
	}
	if len(total.Sheets) == 0 {
		return nil, unreadable(lang, cmp.Or(failed, error(kith.Msg("import.no_sheet_header", "no sheet has a header for %s", k))), path, name)
	}
	total.Format = kith.Msg("source.sheets", "a workbook, %d sheets", len(total.Sheets)) // XLSX, .xls or Excel 2003 XML
	if len(passed) > 0 {
		total.Warnings = append(total.Warnings, kith.Msg("import.sheets_passed", "sheets %s have no header for %s: passed over", strings.Join(passed, ", "), k))
	}
	return total, nil
}

// importOne imports one file, or one sheet of it (sheet), with its rejects
// file in the upload's folder: rejects.csv, or rejects-no.csv for the
// upload's import number no (a sheet, or a file of several).
func (a *API) importOne(ctx context.Context, sink importer.Sink, k importer.Kind, path, name, id, sheet string, no int, opts importer.Options, lang i18n.Lang) (*ImportResult, error) {
	res := &ImportResult{ID: id, Sheet: sheet, SheetNo: no}
	opts.Sheet, opts.RejectsPath = sheet, filepath.Join(a.cfg.UploadDir, id, rejectsName(no))
	opts.Mapped = func(_ *kith.Message, m *importer.Mapping) { res.Columns = i18n.Message(lang, m.Describe()) }
	sum, err := importer.Import(ctx, sink, k, path, opts)
	if err != nil {
		return nil, err
	}
	res.Summary, sum.File = sum, name
	if sheet != "" {
		sum.File = importer.SheetLabel(name, sheet)
	}
	if sum.RejectsPath != "" {
		sum.RejectsPath = rejectsName(no)
		res.RejectsURL = "/api/v1/imports/" + id + "/rejects"
		if no > 0 {
			res.RejectsURL += "?sheet=" + strconv.Itoa(no)
		}
	}
	return res, nil
}

// unreadable is the error shown for an uploaded file, at path, that could
// not be imported: in the page's language, naming the file as uploaded
// (an archive's member: shop.zip [orders.csv]), not where it was saved.
func unreadable(lang i18n.Lang, err error, path, name string) error {
	reason := strings.ReplaceAll(i18n.Error(lang, err), path, name)
	fe := &kith.FieldError{Field: "file", Code: "unreadable", Reason: strings.ReplaceAll(reason, filepath.Dir(path)+string(filepath.Separator), "")}
	if importer.NoHeader(err) {
		return noHeaderError{fe, importer.FitsKind(err)}
	}
	return fe
}

// errNoHeader marks an upload's file that has no header for the kind.
var errNoHeader = errors.New("no header for the kind")

// noHeaderError is the error shown for such a file, which an archive of
// several files passes over.
type noHeaderError struct {
	*kith.FieldError
	fits importer.Kind // the kind its header is for, if another
}

func (e noHeaderError) Unwrap() []error { return []error{e.FieldError, errNoHeader} }

// rejectsName is the rejects file of an upload (no = 0) or of its sheet no.
func rejectsName(no int) string {
	if no == 0 {
		return "rejects.csv"
	}
	return "rejects-" + strconv.Itoa(no) + ".csv"
}

func uploadErr(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return invalid("file", "reading the upload: "+err.Error())
}

// RejectsFile returns the path of an upload's rejects file, or of its
// sheet number sheet ("" for a one-sheet upload), if u may read it.
func (a *API) RejectsFile(u *account.User, id, sheet string) (string, error) {
	if len(id) != 20 || strings.ContainsAny(id, `/\.`) {
		return "", fmt.Errorf("import %q: %w", id, kith.ErrNotFound)
	}
	dir := filepath.Join(a.cfg.UploadDir, id)
	owner, err := os.ReadFile(filepath.Join(dir, "owner"))
	if err != nil {
		return "", fmt.Errorf("import %q: %w", id, kith.ErrNotFound)
	}
	if !u.SeesAll() && string(owner) != strconv.FormatInt(u.ID, 10) {
		return "", fmt.Errorf("import %q: %w", id, kith.ErrForbidden)
	}
	no := 0
	if sheet != "" {
		if no, err = strconv.Atoi(sheet); err != nil || no < 1 {
			return "", invalid("sheet", "sheet must be a sheet's number, 1 or more")
		}
	}
	path := filepath.Join(dir, rejectsName(no))
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("import %q has no rejected rows: %w", id, kith.ErrNotFound)
	}
	return path, nil
}

func (a *API) upload(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, a.cfg.MaxUpload)
	// The API speaks English, as its JSON does.
	res, err := a.Upload(r, user(r), i18n.EN, nil)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (a *API) rejects(w http.ResponseWriter, r *http.Request) {
	path, err := a.RejectsFile(user(r), r.PathValue("id"), r.URL.Query().Get("sheet"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ServeRejects(w, r, path)
}

// ServeRejects sends a rejects CSV as a download.
func ServeRejects(w http.ResponseWriter, r *http.Request, path string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="rejects.csv"`)
	http.ServeFile(w, r, path)
}
