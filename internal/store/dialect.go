package store

import (
	"fmt"
	"time"

	"github.com/pressly/goose/v3"
)

// dialect holds what differs between SQLite and PostgreSQL; the SQL text
// itself is shared ($n placeholders, ON CONFLICT, RETURNING work on both).
type dialect interface {
	name() string
	goose() goose.Dialect
	// ts and day turn times into bind values: SQLite stores fixed-width
	// ISO-8601 text (so text order is time order), PostgreSQL native types.
	ts(time.Time) any
	day(time.Time) any
	// inIDs is "IN (...)" over the ids in a JSON array bound to param:
	// one bind value however long the list.
	inIDs(param string) string
}

const (
	tsLayout  = "2006-01-02T15:04:05Z"
	dayLayout = "2006-01-02"
)

type sqliteDialect struct{}

func (sqliteDialect) name() string         { return "sqlite" }
func (sqliteDialect) goose() goose.Dialect { return goose.DialectSQLite3 }
func (sqliteDialect) ts(t time.Time) any   { return formatTS(t) }
func (sqliteDialect) day(t time.Time) any  { return t.Format(dayLayout) }
func (sqliteDialect) inIDs(p string) string {
	return "IN (SELECT value FROM json_each(" + p + "))"
}

type postgresDialect struct{}

func (postgresDialect) inIDs(p string) string {
	return "IN (SELECT jsonb_array_elements_text(" + p + "::jsonb)::bigint)"
}

func (postgresDialect) name() string         { return "postgres" }
func (postgresDialect) goose() goose.Dialect { return goose.DialectPostgres }
func (postgresDialect) ts(t time.Time) any   { return t.UTC().Truncate(time.Second) }
func (postgresDialect) day(t time.Time) any {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// dbTime scans a timestamp from either engine (text or native), NULL as zero.
type dbTime struct{ time.Time }

func (t *dbTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		t.Time = time.Time{}
	case time.Time:
		t.Time = x.UTC()
	case string:
		return t.parse(x)
	case []byte:
		return t.parse(string(x))
	default:
		return fmt.Errorf("scan time: unexpected %T", v)
	}
	return nil
}

func (t *dbTime) parse(s string) error {
	for _, layout := range []string{tsLayout, dayLayout, time.RFC3339Nano, "2006-01-02 15:04:05Z07:00"} {
		if p, err := time.Parse(layout, s); err == nil {
			t.Time = p.UTC()
			return nil
		}
	}
	return fmt.Errorf("scan time: cannot parse %q", s)
}
