package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/kithcrm/kith/internal/account"
	"github.com/kithcrm/kith/internal/httpapi"
	"github.com/kithcrm/kith/internal/i18n"
	"github.com/kithcrm/kith/internal/importer"
	"github.com/kithcrm/kith/internal/kith"
)

type importData struct {
	Kinds     []importer.Kind
	Kind      string
	Channel   string
	Sheet     string
	AllSheets bool
	// OrderPrefix: the form's "before every order number" field.
	OrderPrefix string
	// DecimalComma: the form's "numbers written 1.234,50" box.
	DecimalComma bool
	// MaskedPhoneKey: the form's "buyers by name and masked phone" box.
	MaskedPhoneKey bool
	// DryRun: the form's "check only" box.
	DryRun bool
	Result *httpapi.ImportResult
	MaxMB  int64
}

func (u *UI) importPage(w http.ResponseWriter, r *http.Request) {
	if err := httpapi.CanImport(account.UserFrom(r.Context())); err != nil {
		u.fail(w, r, err)
		return
	}
	p := u.newPage(r, "import", "web.import")
	p.Data = &importData{Kinds: importer.Kinds, Kind: "orders", MaxMB: u.api.MaxUpload() >> 20}
	u.render(w, r, http.StatusOK, "import", p)
}

func (u *UI) importFile(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, u.api.MaxUpload())
	p := u.newPage(r, "import", "web.import")
	var form httpapi.UploadForm
	res, err := u.api.Upload(r, account.UserFrom(r.Context()), p.Lang, &form)
	// The form keeps what was chosen: after an error the file is picked
	// again, not the kind and channel too.
	d := &importData{Kinds: importer.Kinds, Kind: form.Kind, Channel: form.Channel, Sheet: form.Sheet, AllSheets: form.AllSheets, OrderPrefix: form.OrderPrefix,
		DecimalComma: form.DecimalComma, MaskedPhoneKey: form.MaskedPhoneKey, DryRun: form.DryRun, MaxMB: u.api.MaxUpload() >> 20, Result: res}
	if !slices.Contains(importer.Kinds, importer.Kind(d.Kind)) {
		d.Kind = "orders"
	}
	p.Data = d
	if err != nil {
		status, code := httpapi.Status(err)
		if status == http.StatusInternalServerError || code == "forbidden" {
			u.fail(w, r, err)
			return
		}
		// The form's fields are on the page: their reasons alone say it
		// ("orders.csv: 缺少必需的列 …", not "field file: …").
		p.Error = i18n.Error(p.Lang, err)
		if fes := httpapi.FieldErrors(err); len(fes) > 0 {
			reasons := make([]string, len(fes))
			for i, fe := range fes {
				reasons[i] = fieldReason(p.Lang, fe)
			}
			p.Error = strings.Join(reasons, i18n.T(p.Lang, "web.semicolon"))
		}
		if code == "too_large" {
			p.Error = i18n.T(p.Lang, "web.too_large", d.MaxMB)
		}
		u.render(w, r, status, "import", p)
		return
	}
	u.render(w, r, http.StatusOK, "import", p)
}

func (u *UI) rejects(w http.ResponseWriter, r *http.Request) {
	path, err := u.api.RejectsFile(account.UserFrom(r.Context()), r.PathValue("id"), r.URL.Query().Get("sheet"))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	httpapi.ServeRejects(w, r, path)
}

// fieldReason is a field error's reason in the page's language, when it
// carries one as a message.
func fieldReason(l i18n.Lang, fe *kith.FieldError) string {
	if fe.Message != nil {
		return i18n.Message(l, fe.Message)
	}
	return fe.Reason
}
