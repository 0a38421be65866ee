package web

import (
	"net/http"

	"github.com/kithcrm/kith/internal/account"
	"github.com/kithcrm/kith/internal/httpapi"
	"github.com/kithcrm/kith/internal/i18n"
	"github.com/kithcrm/kith/internal/importer"
)

type importData struct {
	Kinds  []importer.Kind
	Kind   string
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
	res, err := u.api.Upload(r, account.UserFrom(r.Context()), p.Lang)
	d := &importData{Kinds: importer.Kinds, Kind: "orders", MaxMB: u.api.MaxUpload() >> 20, Result: res}
	p.Data = d
	if err != nil {
		status, code := httpapi.Status(err)
		if status == http.StatusInternalServerError || code == "forbidden" {
			u.fail(w, r, err)
			return
		}
		p.Error = err.Error()
		if code == "too_large" {
			p.Error = i18n.T(p.Lang, "web.too_large", d.MaxMB)
		}
		u.render(w, r, status, "import", p)
		return
	}
	d.Kind = string(res.Kind)
	u.render(w, r, http.StatusOK, "import", p)
}

func (u *UI) rejects(w http.ResponseWriter, r *http.Request) {
	path, err := u.api.RejectsFile(account.UserFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	httpapi.ServeRejects(w, r, path)
}
