// Package server is kith's one http.Handler: it mounts the JSON API and the
// web pages with their middleware (request log, panic recovery, security
// headers, cross-origin protection, authentication, CSRF) and /healthz.
package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/kithcrm/kith/internal/account"
	"github.com/kithcrm/kith/internal/httpapi"
	"github.com/kithcrm/kith/internal/kith"
	"github.com/kithcrm/kith/internal/web"
)

// Server is the HTTP side of kith.
type Server struct {
	api    *httpapi.API
	ui     *web.UI
	acct   *account.Service
	log    *slog.Logger
	routes []httpapi.Route
	// Health checks the database (the store's ping).
	health  func(context.Context) error
	handler http.Handler
}

// New builds the handler.
func New(api *httpapi.API, ui *web.UI, acct *account.Service, health func(context.Context) error, log *slog.Logger) *Server {
	s := &Server{api: api, ui: ui, acct: acct, log: log, health: health}
	s.routes = append(s.routes, httpapi.Route{Method: "GET", Path: "/healthz", Public: true, Handler: s.healthz})
	s.routes = append(s.routes, api.Routes()...)
	s.routes = append(s.routes, ui.Routes()...)
	mux := http.NewServeMux()
	for _, r := range s.routes {
		h := http.Handler(r.Handler)
		if !r.Public {
			h = s.authenticated(h, strings.HasPrefix(r.Path, "/api/"))
		}
		mux.Handle(r.Pattern(), h)
	}
	// Unknown API paths answer in JSON, unknown pages with the error page.
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteError(w, r, log, fmt.Errorf("no API route %s %s: %w", r.Method, r.URL.Path, errNotFound))
	})
	cop := http.NewCrossOriginProtection()
	s.handler = s.logged(s.recovered(secureHeaders(cop.Handler(mux))))
	return s
}

var errNotFound = fmt.Errorf("see /api/v1/openapi.json: %w", kith.ErrNotFound)

// Routes lists every route with whether it is public (the security test
// walks it).
func (s *Server) Routes() []httpapi.Route { return s.routes }

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.health(ctx); err != nil {
		s.log.ErrorContext(ctx, "health check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "database unavailable")
		return
	}
	fmt.Fprintln(w, "ok")
}

// authenticated lets a request through with a signed-in user: a bearer
// token (API clients) or the session cookie (browsers). Browser requests
// that change state must also carry the session's CSRF token.
func (s *Server) authenticated(next http.Handler, api bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var u *account.User
		var session string
		var err error
		if h := r.Header.Get("Authorization"); h != "" {
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				err = account.ErrUnauthorized
			} else {
				u, err = s.acct.Token(ctx, strings.TrimSpace(tok))
			}
		} else if c, cerr := r.Cookie(web.SessionCookie); cerr == nil {
			session = c.Value
			u, err = s.acct.Session(ctx, session)
		} else {
			err = account.ErrUnauthorized
		}
		if err != nil {
			if !errors.Is(err, account.ErrUnauthorized) {
				s.log.ErrorContext(ctx, "authenticate", "err", err)
			}
			s.unauthorized(w, r, api, err)
			return
		}
		if session != "" && !safeMethod(r.Method) && !validCSRF(r, session) {
			if api {
				httpapi.WriteError(w, r, s.log, csrfError{})
			} else {
				http.Error(w, csrfError{}.Error()+". Reload the page and try again.", http.StatusForbidden)
			}
			return
		}
		next.ServeHTTP(w, r.WithContext(account.WithUser(ctx, u, session)))
	})
}

type csrfError struct{}

func (csrfError) Error() string {
	return "missing or wrong CSRF token: send the X-CSRF-Token header (or the csrf form field) from the page"
}
func (csrfError) Unwrap() error { return kith.ErrForbidden }

func safeMethod(m string) bool { return m == "GET" || m == "HEAD" || m == "OPTIONS" }

// validCSRF accepts the token in the X-CSRF-Token header, the csrf query
// parameter (multipart uploads, read as a stream) or the csrf field of a
// urlencoded form.
func validCSRF(r *http.Request, session string) bool {
	want := account.CSRFToken(session)
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.URL.Query().Get("csrf")
	}
	if got == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
		got = r.PostFormValue("csrf")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request, api bool, err error) {
	if api || r.Header.Get("HX-Request") == "true" {
		httpapi.WriteError(w, r, s.log, account.ErrUnauthorized)
		return
	}
	if need, nerr := s.acct.NeedsSetup(r.Context()); nerr == nil && need {
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
		return
	}
	next := ""
	if r.Method == "GET" && r.URL.Path != "/" {
		next = "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, "/login"+next, http.StatusSeeOther)
}

// secureHeaders: no framing, no MIME sniffing, scripts only from here.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		// ECharts and htmx set inline styles; no inline scripts run (the
		// chart data is a JSON script element, not executed).
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) recovered(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logged writes one slog line per request.
func (s *Server) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Int64("bytes", sw.bytes), slog.Duration("took", time.Since(start)), slog.String("client", host))
	})
}
