// Package kith holds the small vocabulary every layer shares: error kinds,
// field-level errors that name the file, line and field at fault, and
// messages an adapter can show in the user's language.
package kith

import (
	"errors"
	"fmt"
	"strings"
)

// Error kinds. Adapters map them to exit codes and HTTP statuses; wrap them
// with fmt.Errorf("...: %w", ErrNotFound) to add context.
// They are messages, so a Chinese CLI says 未找到.
var (
	ErrNotFound  = Msg("error.not_found", "not found")
	ErrConflict  = Msg("error.conflict", "conflict")
	ErrInvalid   = Msg("error.invalid", "invalid")
	ErrForbidden = Msg("error.forbidden", "forbidden")
)

// FieldError says which cell of which input was wrong and why.
type FieldError struct {
	File   string // input file name, may be empty
	Line   int    // 1-based line (CSV) or row (XLSX); 0 when not line-bound
	Field  string // kith field name, e.g. "ordered_at"
	Code   string // stable machine code, e.g. "bad_date"
	Reason string // human explanation
	// Message is Reason as a message, when a page may say it in the
	// user's language; nil otherwise.
	Message *Message
}

// FieldMsg is a field error whose reason is a message.
func FieldMsg(field, code string, m *Message) *FieldError {
	return &FieldError{Field: field, Code: code, Reason: m.Error(), Message: m}
}

func (e *FieldError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", loc, e.Line)
	}
	switch {
	case loc == "" && e.Field != "":
		return fmt.Sprintf("field %s: %s", e.Field, e.Reason)
	case loc == "":
		return e.Reason
	case e.Field != "":
		return fmt.Sprintf("%s: field %s: %s", loc, e.Field, e.Reason)
	}
	return fmt.Sprintf("%s: %s", loc, e.Reason)
}

// Unwrap makes every FieldError an ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Message is text for a person that adapters show in the user's language.
// Domain packages may not import the catalogs, so a message carries its
// English (Format and Args, as for fmt.Sprintf) and a Key the catalogs
// translate it by. An argument that is itself an error or a Message is
// rendered in the same language. A Message is an error, so it can travel
// inside a wrapped error chain and still be found there.
type Message struct {
	Key    string
	Format string
	Args   []any
}

// Msg makes a message. key and format must be literals: a test checks
// that every key has a translation whose verbs match format's.
func Msg(key, format string, args ...any) *Message {
	return &Message{Key: key, Format: format, Args: args}
}

// Error is the English text.
func (m *Message) Error() string { return fmt.Sprintf(m.Format, m.Args...) }

// String is the English text.
func (m *Message) String() string { return m.Error() }

// Unwrap gives the arguments that are errors, so errors.Is and errors.As
// see through a message as through %w.
func (m *Message) Unwrap() []error {
	var errs []error
	for _, a := range m.Args {
		if e, ok := a.(error); ok {
			errs = append(errs, e)
		}
	}
	return errs
}

// MarshalText writes the English: JSON output stays in one language.
func (m *Message) MarshalText() ([]byte, error) { return []byte(m.Error()), nil }

// IsPostgresDSN reports whether a --db value names a PostgreSQL database
// (anything else is a SQLite file).
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Busy reports a database that stayed locked for the whole busy timeout:
// on SQLite, another process (a kith import, whose first load holds the
// database until it commits) kept it. The driver's error is recognised by
// its SQLite result code (SQLITE_BUSY, SQLITE_LOCKED and their extended
// codes), without importing the driver.
func Busy(err error) bool {
	var coded interface{ Code() int }
	if !errors.As(err, &coded) {
		return false
	}
	primary := coded.Code() & 0xff
	return primary == 5 || primary == 6
}

// SQLitePath is the file a SQLite --db value names: "file:" and any
// "?options" taken off.
func SQLitePath(dsn string) string {
	path := strings.TrimPrefix(dsn, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return path
}
