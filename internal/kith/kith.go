// Package kith holds the small vocabulary every layer shares: error kinds and
// field-level errors that name the file, line and field at fault.
package kith

import (
	"errors"
	"fmt"
	"strings"
)

// Error kinds. Adapters map them to exit codes and HTTP statuses; wrap them
// with fmt.Errorf("...: %w", ErrNotFound) to add context.
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("conflict")
	ErrInvalid   = errors.New("invalid")
	ErrForbidden = errors.New("forbidden")
)

// FieldError says which cell of which input was wrong and why.
type FieldError struct {
	File   string // input file name, may be empty
	Line   int    // 1-based line (CSV) or row (XLSX); 0 when not line-bound
	Field  string // kith field name, e.g. "ordered_at"
	Code   string // stable machine code, e.g. "bad_date"
	Reason string // human explanation
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

// IsPostgresDSN reports whether a --db value names a PostgreSQL database
// (anything else is a SQLite file).
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}
