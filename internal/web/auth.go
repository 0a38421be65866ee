package web

import (
	"crypto/subtle"
	"errors"
	"net"
	"net/http"

	"github.com/kithcrm/kith/internal/account"
	"github.com/kithcrm/kith/internal/httpapi"
	"github.com/kithcrm/kith/internal/i18n"
)

// preCSRF returns the double-submit token of the public forms, setting
// its cookie when the browser has none.
func preCSRF(w http.ResponseWriter, r *http.Request) (string, error) {
	if c, err := r.Cookie(preCSRFCookie); err == nil && len(c.Value) >= 32 {
		return c.Value, nil
	}
	tok, err := account.NewSecret()
	if err != nil {
		return "", err
	}
	http.SetCookie(w, &http.Cookie{Name: preCSRFCookie, Value: tok, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: IsTLS(r)})
	return tok, nil
}

// checkPreCSRF compares the form's token with the cookie's.
func checkPreCSRF(r *http.Request) bool {
	c, err := r.Cookie(preCSRFCookie)
	form := r.PostFormValue("csrf")
	return err == nil && form != "" && subtle.ConstantTimeCompare([]byte(c.Value), []byte(form)) == 1
}

type authForm struct {
	Email, Name, Next, Demo string
}

func (u *UI) loginPage(w http.ResponseWriter, r *http.Request) {
	if need, err := u.acct.NeedsSetup(r.Context()); err == nil && need {
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
		return
	}
	u.showLogin(w, r, http.StatusOK, "", r.URL.Query().Get("email"))
}

func (u *UI) showLogin(w http.ResponseWriter, r *http.Request, status int, msg, email string) {
	p := u.newPage(r, "", "web.sign_in")
	tok, err := preCSRF(w, r)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p.CSRF, p.Error = tok, msg
	p.Data = authForm{Email: email, Next: safeNext(r.FormValue("next")), Demo: u.Demo}
	u.render(w, r, status, "login", p)
}

// clientKey is the rate limiter's notion of a client: the remote address
// without its port.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (u *UI) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	l := Lang(r)
	if !checkPreCSRF(r) {
		u.showLogin(w, r, http.StatusForbidden, i18n.T(l, "web.csrf_failed"), r.PostFormValue("email"))
		return
	}
	email := r.PostFormValue("email")
	token, _, err := u.acct.SignIn(r.Context(), email, r.PostFormValue("password"), clientKey(r))
	switch {
	case errors.Is(err, account.ErrBadCredentials):
		u.showLogin(w, r, http.StatusUnauthorized, i18n.T(l, "web.bad_credentials"), email)
		return
	case errors.Is(err, account.ErrRateLimited):
		u.showLogin(w, r, http.StatusTooManyRequests, i18n.T(l, "web.rate_limited"), email)
		return
	case err != nil:
		u.fail(w, r, err)
		return
	}
	setSession(w, r, token)
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func setSession(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", MaxAge: int(account.SessionTTL.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: IsTLS(r)})
}

func (u *UI) logout(w http.ResponseWriter, r *http.Request) {
	if s := account.SessionFrom(r.Context()); s != "" {
		if err := u.acct.SignOut(r.Context(), s); err != nil {
			u.fail(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: IsTLS(r)})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (u *UI) setupPage(w http.ResponseWriter, r *http.Request) {
	need, err := u.acct.NeedsSetup(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if !need {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	u.showSetup(w, r, http.StatusOK, nil, authForm{})
}

func (u *UI) showSetup(w http.ResponseWriter, r *http.Request, status int, err error, f authForm) {
	p := u.newPage(r, "", "web.setup")
	tok, terr := preCSRF(w, r)
	if terr != nil {
		u.fail(w, r, terr)
		return
	}
	p.CSRF = tok
	if err != nil {
		p.Error = err.Error()
		if fes := httpapi.FieldErrors(err); len(fes) > 0 {
			p.Error = ""
			for i, fe := range fes {
				if i > 0 {
					p.Error += i18n.T(p.Lang, "web.semicolon")
				}
				p.Error += i18n.T(p.Lang, "web.field."+fe.Field) + i18n.T(p.Lang, "web.colon") + fieldReason(p.Lang, fe)
			}
		}
	}
	p.Data = f
	u.render(w, r, status, "setup", p)
}

func (u *UI) setup(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	f := authForm{Name: r.PostFormValue("name"), Email: r.PostFormValue("email")}
	if !checkPreCSRF(r) {
		u.showSetup(w, r, http.StatusForbidden, errors.New(i18n.T(Lang(r), "web.csrf_failed")), f)
		return
	}
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("password2") {
		u.showSetup(w, r, http.StatusBadRequest, errors.New(i18n.T(Lang(r), "web.password_mismatch")), f)
		return
	}
	if _, err := u.acct.Setup(r.Context(), f.Name, f.Email, pw); err != nil {
		status, _ := httpapi.Status(err)
		u.showSetup(w, r, status, err, f)
		return
	}
	token, _, err := u.acct.SignIn(r.Context(), f.Email, pw, clientKey(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	setSession(w, r, token)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
