// Package store is kith's only door to a database: embedded SQLite by
// default, PostgreSQL for production. It implements the storage interfaces
// the domain packages declare.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/kithcrm/kith/internal/kith"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

//go:embed migrations
var migrations embed.FS

// Store holds the database handles.
type Store struct {
	d  dialect
	db *sql.DB // writes (SQLite: one connection, BEGIN IMMEDIATE)
	rd *sql.DB // reads (SQLite: a pool of readers beside the writer under WAL)
	pg *pgxpool.Pool
	// Now stamps created_at and updated_at; tests may replace it.
	Now func() time.Time
	// stmts are the server's hot read statements, prepared once: parsing
	// SQL was a third of a customer 360's CPU.
	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt
	// serving: a server's store, whose readers come and go (Options.Serving).
	serving bool
	path    string // SQLite: the database file
}

// Options for Open.
type Options struct {
	// Migrate applies pending migrations. SQLite is always migrated on open;
	// PostgreSQL only when asked (kith migrate, kith serve --migrate).
	Migrate bool
	// Inspect opens without migrating or checking the schema.
	Inspect bool
	// Serving keeps SQLite's WAL through a first load: a server's readers
	// come and go while its web import runs (firstLoad.rollbackJournal).
	Serving bool
}

// ErrPendingMigrations is returned by Open on a PostgreSQL database whose
// schema is behind this binary.
var ErrPendingMigrations = errors.New("database has pending migrations: run kith migrate")

// Open connects to dsn: a path or file: URI opens SQLite (created if
// missing), postgres:// opens PostgreSQL.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	s := &Store{Now: time.Now, serving: opts.Serving}
	var err error
	if kith.IsPostgresDSN(dsn) {
		err = s.openPostgres(ctx, dsn)
	} else {
		err = s.openSQLite(ctx, dsn)
		opts.Migrate = !opts.Inspect
	}
	if err != nil {
		return nil, err
	}
	if opts.Inspect {
		return s, nil
	}
	pending, err := s.pendingMigrations(ctx)
	if err != nil {
		s.Close()
		return nil, err
	}
	if pending > 0 {
		if !opts.Migrate {
			s.Close()
			return nil, fmt.Errorf("%w (%d pending)", ErrPendingMigrations, pending)
		}
		if err := s.Migrate(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	if s.pg == nil {
		// A SQLite load killed between its files committed them without
		// the covering index (store.load).
		if _, err := s.db.ExecContext(ctx, createOrdersIndex); err != nil {
			s.Close()
			return nil, fmt.Errorf("orders index: %w", err)
		}
	}
	return s, nil
}

// sqliteCacheSize is each connection's page cache, in KiB when negative
// (PRAGMA cache_size): 64 MiB.
const sqliteCacheSize = -65536

func (s *Store) openSQLite(ctx context.Context, dsn string) error {
	path := kith.SQLitePath(dsn)
	s.path = path
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("open %s: %w", path, err)
		}
	}
	// busy_timeout first, so the other pragmas wait for a lock instead of failing.
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	// A first load writes the whole import through the WAL in one
	// transaction; without a limit the file would stay that size on disk
	// for as long as a server keeps the database open.
	q.Add("_pragma", "journal_size_limit(67108864)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", fmt.Sprintf("cache_size(%d)", sqliteCacheSize))
	q.Add("_pragma", "temp_store(MEMORY)")
	base := "file:" + path + "?" + q.Encode()
	w, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		if kith.Busy(err) {
			// Opening turns the WAL on, which waits for a first load that
			// set it aside (rollbackJournal) to commit.
			return fmt.Errorf("open %s: the database is busy: another kith import is loading orders into it and holds it until it commits; try again when it has finished: %w", path, err)
		}
		return fmt.Errorf("open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", base)
	if err != nil {
		w.Close()
		return fmt.Errorf("open %s: %w", path, err)
	}
	// Keep every reader open: database/sql keeps only 2 idle connections by
	// default, and reopening one (pragmas, a cold page cache) put
	// milliseconds on the server's tail latency.
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	r.SetConnMaxIdleTime(0)
	s.d, s.db, s.rd = sqliteDialect{}, w, r
	return nil
}

func (s *Store) openPostgres(ctx context.Context, dsn string) error {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return fmt.Errorf("postgres dsn: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return fmt.Errorf("postgres %s: %w", cfg.ConnConfig.Host, err)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		pool.Close()
		return fmt.Errorf("postgres: %w", err)
	}
	db.SetMaxOpenConns(8)
	s.d, s.db, s.rd, s.pg = postgresDialect{}, db, db, pool
	return nil
}

// Close releases every handle.
func (s *Store) Close() error {
	var errs []error
	s.stmtMu.Lock()
	for _, st := range s.stmts {
		errs = append(errs, st.Close())
	}
	s.stmts = nil
	s.stmtMu.Unlock()
	if s.pg != nil {
		s.pg.Close()
	}
	if s.rd != nil && s.rd != s.db {
		errs = append(errs, s.rd.Close())
	}
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	return errors.Join(errs...)
}

// Dialect names the engine: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name() }

func (s *Store) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+s.d.name())
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(s.d.goose(), s.db, sub)
}

func (s *Store) pendingMigrations(ctx context.Context) (int, error) {
	p, err := s.provider()
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	st, err := p.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("migration status: %w", err)
	}
	n := 0
	for _, m := range st {
		if m.State == goose.StatePending {
			n++
		}
	}
	return n, nil
}

// Migrate applies pending migrations, forward only.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.provider()
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// MigrationStatus lists each migration and whether it is applied.
func (s *Store) MigrationStatus(ctx context.Context) ([]string, error) {
	p, err := s.provider()
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range st {
		out = append(out, fmt.Sprintf("%04d %s %s", m.Source.Version, filepath.Base(m.Source.Path), m.State))
	}
	return out, nil
}

// tx runs fn in a write transaction.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	return txOn(ctx, s.db, fn)
}

// txOn runs fn in a transaction begun on db: a pool, or one connection.
func txOn(ctx context.Context, db interface {
	BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
}, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// txStmts prepares each statement once per transaction. modernc's driver
// parses the SQL text of every call that is not prepared: per-row lookups
// and upserts spent 43% of a customers import parsing the same few
// statements again for each row.
type txStmts struct {
	tx  *sql.Tx
	m   map[string]*sql.Stmt
	raw *rawStmts // a SQLite first load's: execN goes to the driver
}

func newTxStmts(tx *sql.Tx) *txStmts { return &txStmts{tx: tx, m: map[string]*sql.Stmt{}} }

func (c *txStmts) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := c.m[q]; ok {
		return st, nil
	}
	st, err := c.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.m[q] = st
	return st, nil
}

func (c *txStmts) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// execN runs q and returns how many rows it changed.
func (c *txStmts) execN(ctx context.Context, q string, args []any) (int64, error) {
	if c.raw != nil {
		return c.raw.exec(ctx, q, args)
	}
	res, err := c.exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// execAll runs an insert of want rows, and fails unless it wrote them
// all: rows given their ids in Go (resolveBatchCustomers,
// insertCustomers) must all be there for what refers to them.
func (c *txStmts) execAll(ctx context.Context, q string, args []any, want int) error {
	n, err := c.execN(ctx, q, args)
	if err == nil && n != int64(want) {
		err = fmt.Errorf("%d of %d written", n, want)
	}
	return err
}

// scan runs a one-row query into dst; sql.ErrNoRows when it has none.
func (c *txStmts) scan(ctx context.Context, q string, args []any, dst ...any) error {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return err
	}
	return st.QueryRowContext(ctx, args...).Scan(dst...)
}

func (c *txStmts) close() {
	for _, st := range c.m {
		st.Close()
	}
}

// prepared returns q prepared on the read pool, preparing it on first use.
func (s *Store) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if st, ok := s.stmts[q]; ok {
		return st, nil
	}
	st, err := s.rd.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if s.stmts == nil {
		s.stmts = map[string]*sql.Stmt{}
	}
	s.stmts[q] = st
	return st, nil
}

// readRow runs a hot single-row read through its prepared statement.
func (s *Store) readRow(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := s.prepared(ctx, q)
	if err != nil {
		return s.rd.QueryRowContext(ctx, q, args...) // reports the same error
	}
	return st.QueryRowContext(ctx, args...)
}

// readRows runs a hot read through its prepared statement.
func (s *Store) readRows(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := s.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// Ping checks that the database answers (kith serve's /healthz).
func (s *Store) Ping(ctx context.Context) error { return s.rd.PingContext(ctx) }
