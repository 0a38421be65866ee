package httpapi_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/kithcrm/kith/internal/httpapi"
	_ "modernc.org/sqlite"
)

// A write that waited out SQLite's busy timeout (another process holds the
// writer lock: a kith import's first load) is a 503 to try again, not an
// internal error; other database errors stay internal.
func TestBusyDatabase(t *testing.T) {
	ctx := context.Background()
	dsn := "file:" + filepath.Join(t.TempDir(), "k.db") + "?_pragma=busy_timeout(0)&_pragma=journal_mode(WAL)&_txlock=immediate"
	open := func() *sql.DB {
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	holder, other := open(), open()
	if _, err := holder.ExecContext(ctx, `CREATE TABLE sessions (token TEXT)`); err != nil {
		t.Fatal(err)
	}
	tx, err := holder.BeginTx(ctx, nil) // the import's load
	if err != nil {
		t.Fatal(err)
	}
	_, busyErr := other.ExecContext(ctx, `INSERT INTO sessions VALUES ('t')`)
	tx.Rollback()
	_, syntaxErr := other.ExecContext(ctx, `INSERT INTO nowhere VALUES (1)`)
	for _, c := range []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"busy", fmt.Errorf("create session: %w", busyErr), http.StatusServiceUnavailable, "busy"},
		{"no such table", fmt.Errorf("create session: %w", syntaxErr), http.StatusInternalServerError, "internal"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.err == nil {
				t.Fatal("the database gave no error")
			}
			rec := httptest.NewRecorder()
			httpapi.WriteError(rec, httptest.NewRequest("POST", "/api/v1/customers", nil), slog.New(slog.NewTextHandler(io.Discard, nil)), c.err)
			var body struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if rec.Code != c.status || body.Error.Code != c.code {
				t.Errorf("%v: %d %q, want %d %q", c.err, rec.Code, body.Error.Code, c.status, c.code)
			}
			if retry := rec.Header().Get("Retry-After"); (retry != "") != (c.status == http.StatusServiceUnavailable) {
				t.Errorf("Retry-After %q", retry)
			}
		})
	}
}
