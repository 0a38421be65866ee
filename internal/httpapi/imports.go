package httpapi

import (
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

// Uploads are kept under UploadDir/<id>/: the file as uploaded (its
// extension decides CSV or XLSX), rejects.csv, and "owner" (the uploader's
// user id), so the rejects file can be downloaded later by its uploader or
// a manager.

// ImportResult is what an upload did.
type ImportResult struct {
	*importer.Summary
	ID         string `json:"id"`
	RejectsURL string `json:"rejects_url,omitempty"`
	// Columns says which column fed which field (what kith import prints).
	Columns string `json:"columns"`
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
	Kind, Channel string
}

// Upload reads a multipart form with fields kind, file and, optionally,
// channel (of rows without one), streaming the
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
	var kind, path, name, channel string
	defer func() {
		if form != nil {
			form.Kind, form.Channel = kind, channel
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
		case "channel":
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			channel = strings.TrimSpace(string(b))
		case "file":
			name = safeName(part.FileName())
			path = filepath.Join(dir, name)
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
	if path == "" {
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
	if err := os.WriteFile(filepath.Join(dir, "owner"), []byte(strconv.FormatInt(u.ID, 10)), 0o600); err != nil {
		return nil, err
	}
	var columns string
	opts := importer.Options{Location: a.cfg.Location, Currency: a.cfg.Currency, Channel: channel, RejectsPath: filepath.Join(dir, "rejects.csv"),
		Mapped: func(_ *kith.Message, m *importer.Mapping) { columns = i18n.Message(lang, m.Describe()) },
		Say:    func(m *kith.Message) string { return i18n.Message(lang, m) }}
	// The import finishes even if the browser goes away: it is idempotent,
	// but a half-done import would surprise whoever looks next.
	sum, err := importer.Import(context.WithoutCancel(r.Context()), a.b, k, path, opts)
	if err != nil {
		return nil, &kith.FieldError{Field: "file", Code: "unreadable", Reason: strings.ReplaceAll(i18n.Error(lang, err), dir+string(filepath.Separator), "")}
	}
	sum.File = name
	res := &ImportResult{Summary: sum, ID: id, Columns: columns}
	if sum.RejectsPath != "" {
		sum.RejectsPath = "rejects.csv"
		res.RejectsURL = "/api/v1/imports/" + id + "/rejects"
	}
	return res, nil
}

func uploadErr(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return invalid("file", "reading the upload: "+err.Error())
}

// RejectsFile returns the path of an upload's rejects file if u may read it.
func (a *API) RejectsFile(u *account.User, id string) (string, error) {
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
	path := filepath.Join(dir, "rejects.csv")
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
	path, err := a.RejectsFile(user(r), r.PathValue("id"))
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
