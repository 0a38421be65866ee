// Package httpapi is kith's JSON API under /api/v1: customers, orders,
// every report of `kith report` with the same parameters and keys, CLV
// scores and imports. routes.go shows the whole surface; the OpenAPI
// document served at /api/v1/openapi.json describes it (a test keeps the
// two in step).
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/kithcrm/kith/internal/account"
	"github.com/kithcrm/kith/internal/customer"
	"github.com/kithcrm/kith/internal/importer"
	"github.com/kithcrm/kith/internal/kith"
	"github.com/kithcrm/kith/internal/order"
	"github.com/kithcrm/kith/internal/report"
)

// Backend is what the API needs from storage.
type Backend interface {
	report.Backend
	importer.Sink
	// Load is a Sink for an upload's files together.
	Load() importer.Load
	// RefreshSnapshot brings the reports' order snapshot up to date after
	// an upload's last import.
	RefreshSnapshot(ctx context.Context) error
	CustomerView(ctx context.Context, ref string, orders int) (*customer.View, error)
	ListCustomers(ctx context.Context, f customer.Filter) (*customer.Page, error)
	VisibleIDs(ctx context.Context, rep int64) (map[int64]bool, error)
	CustomerOwner(ctx context.Context, id int64) (int64, error)
	CreateCustomer(ctx context.Context, c *customer.Customer) (int64, error)
	UpdateCustomer(ctx context.Context, id int64, p *customer.Patch) error
	MergeCustomers(ctx context.Context, into int64, from []int64) error
	CustomerOrders(ctx context.Context, id int64, limit, offset int) ([]customer.OrderSummary, int, error)
	CreateOrder(ctx context.Context, o *order.Order) (int64, error)
	ListScores(ctx context.Context, visible int64, limit, offset int) ([]report.ScoreItem, int, error)
}

// Config is the shop's settings the API applies.
type Config struct {
	Location  *time.Location // the shop's time zone: report days, naive import times
	Currency  string         // default currency
	MaxUpload int64          // bytes; larger uploads are refused with 413
	UploadDir string         // where uploads and their rejects files are kept
	Now       func() time.Time
	// Scratch opens a load into a copy of the database, for an upload's
	// dry run; done throws the copy away. Nil where the database cannot
	// be copied (PostgreSQL).
	Scratch func(ctx context.Context) (load importer.Load, done func(), err error)
}

// API serves /api/v1.
type API struct {
	b       Backend
	Reports *report.Service
	cfg     Config
	log     *slog.Logger
}

// New returns the API over b.
func New(b Backend, reports *report.Service, cfg Config, log *slog.Logger) *API {
	return &API{b: b, Reports: reports, cfg: cfg, log: log}
}

// Route is one endpoint. Public routes need no session or token.
type Route struct {
	Method  string
	Path    string
	Public  bool
	Handler http.HandlerFunc
}

// Pattern is the route as a Go 1.22 ServeMux pattern.
func (r Route) Pattern() string { return r.Method + " " + r.Path }

// errorBody is design.md §6's error document.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Fields  []fieldError `json:"fields,omitempty"`
}

type fieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Status maps an error to its HTTP status and stable code: the one
// error-kind table of the API (the web pages use it too).
func Status(err error) (int, string) {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, "too_large"
	case errors.Is(err, account.ErrUnauthorized):
		return http.StatusUnauthorized, "unauthorized"
	case errors.Is(err, account.ErrBadCredentials):
		return http.StatusUnauthorized, "bad_credentials"
	case errors.Is(err, account.ErrRateLimited):
		return http.StatusTooManyRequests, "rate_limited"
	case errors.Is(err, report.ErrNoOrders):
		return http.StatusNotFound, "no_orders"
	case errors.Is(err, kith.ErrNotFound):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, kith.ErrForbidden):
		return http.StatusForbidden, "forbidden"
	case errors.Is(err, kith.ErrConflict):
		return http.StatusConflict, "conflict"
	case errors.Is(err, kith.ErrInvalid):
		return http.StatusBadRequest, "invalid"
	case kith.Busy(err):
		return http.StatusServiceUnavailable, "busy"
	}
	return http.StatusInternalServerError, "internal"
}

// BusyRetry is how long a client is told to wait (Retry-After) when the
// database is busy: about what a first load's last stretch takes.
const BusyRetry = "30"

// FieldErrors collects the field errors inside err (joined or wrapped).
func FieldErrors(err error) []*kith.FieldError {
	var out []*kith.FieldError
	var walk func(error)
	walk = func(e error) {
		if fe, ok := e.(*kith.FieldError); ok {
			out = append(out, fe)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			if x := u.Unwrap(); x != nil {
				walk(x)
			}
		}
	}
	walk(err)
	return out
}

// WriteError writes err as the API's error document. Internal errors are
// logged and not shown: they may carry SQL or paths.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	status, code := Status(err)
	msg := err.Error()
	if status == http.StatusInternalServerError {
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		msg = "internal error"
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", BusyRetry)
		msg = "the database is busy with another writer (an import, most likely): try again in a moment"
	}
	if status == http.StatusRequestEntityTooLarge {
		var mbe *http.MaxBytesError
		errors.As(err, &mbe)
		msg = "upload too large: the limit is " + strconv.FormatInt(mbe.Limit>>20, 10) + " MB (kith serve --max-upload)"
	}
	body := errorBody{Error: errorDetail{Code: code, Message: msg}}
	for _, fe := range FieldErrors(err) {
		body.Error.Fields = append(body.Error.Fields, fieldError{Field: fe.Field, Code: fe.Code, Message: fe.Reason})
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) { WriteError(w, r, a.log, err) }

// invalid is a bad request parameter.
func invalid(field, reason string) error {
	return &kith.FieldError{Field: field, Code: "invalid", Reason: reason}
}

// decode reads a JSON body strictly: unknown fields are an error, so a
// typo is not silently ignored.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &kith.FieldError{Field: "body", Code: "bad_json", Reason: err.Error()}
	}
	return nil
}

// user is the signed-in user; the server's auth middleware guarantees one
// on every non-public route.
func user(r *http.Request) *account.User { return account.UserFrom(r.Context()) }

// visibleTo is the rep filter: a rep's id, or 0 for users who see all.
func visibleTo(u *account.User) int64 {
	if u == nil || u.SeesAll() {
		return 0
	}
	return u.ID
}

// CanSee checks that u may open customer id: reps see their own customers
// and unassigned ones.
func (a *API) CanSee(ctx context.Context, u *account.User, id int64) error {
	owner, err := a.b.CustomerOwner(ctx, id)
	if err != nil {
		return err
	}
	if u.MaySee(owner) {
		return nil
	}
	return &forbidden{id}
}

type forbidden struct{ id int64 }

func (f *forbidden) Error() string {
	return "customer #" + strconv.FormatInt(f.id, 10) + " belongs to another rep"
}
func (f *forbidden) Unwrap() error { return kith.ErrForbidden }

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, invalid("id", "customer id "+strconv.Quote(r.PathValue("id"))+" is not a positive integer")
	}
	return id, nil
}

// paging reads page (from 1) and per_page (1..500, default 50).
func paging(r *http.Request) (limit, offset, page int, err error) {
	q := r.URL.Query()
	page, limit = 1, 50
	if s := q.Get("page"); s != "" {
		if page, err = strconv.Atoi(s); err != nil || page < 1 {
			return 0, 0, 0, invalid("page", "page must be a positive integer")
		}
	}
	if s := q.Get("per_page"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > 500 {
			return 0, 0, 0, invalid("per_page", "per_page must be between 1 and 500")
		}
	}
	if page-1 > math.MaxInt/limit {
		// The offset would wrap round to a negative number.
		return 0, 0, 0, invalid("page", "page is past any possible result")
	}
	return limit, (page - 1) * limit, page, nil
}

// Backend returns the storage the API runs on (the web pages share it).
func (a *API) Backend() Backend { return a.b }

// MaxUpload is the upload size limit in bytes.
func (a *API) MaxUpload() int64 { return a.cfg.MaxUpload }
