package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/kithcrm/kith/internal/importer"
)

// A load is the importer.Load for the files of one command or upload: a
// shop's history often comes as a file per month. When the first orders or
// line-item file finds the orders table empty, the others go into its first
// load too, and End completes it. Without a load only the first file is a
// first load and the others are written row by row into the indexes: 25
// monthly files of a million orders took twice as long as one file on
// SQLite and 4 times on PostgreSQL (docs/benchmarks.md).
//
// Each file is still imported whole or not at all. On PostgreSQL a file is
// a savepoint in the load's one transaction: an interrupted command (kill
// -9, Ctrl-C, Close without End) leaves no orders from any of its files. On
// SQLite, where a savepoint made it copy every page a file touched (half
// the gain gone), each file commits on its own with the covering index
// still dropped, End (or Close) builds it, and Open builds it if a killed
// command left it out.
type load struct {
	*Store
	first *firstLoad
}

// Load returns a Load on s. Its caller must End it after the last import,
// and Close it (a no-op after End).
func (s *Store) Load() importer.Load { return &load{Store: s} }

// BeginImport begins a run that joins the load's first load, if one is
// open, or may begin it.
func (l *load) BeginImport(ctx context.Context, kind importer.Kind, file string) (int64, error) {
	return l.beginImport(ctx, kind, file, l)
}

// End completes the load's first load, if one began: the indexes and (on
// PostgreSQL) the foreign keys it dropped are rebuilt, and it commits.
func (l *load) End(ctx context.Context) error {
	fl := l.first
	l.first = nil
	if fl == nil {
		return nil
	}
	if err := fl.finish(ctx); err != nil {
		return fmt.Errorf("finish import: %w", err)
	}
	return nil
}

// Close ends a first load that End did not complete: PostgreSQL rolls it
// back; SQLite keeps the files that finished and builds the index.
func (l *load) Close() {
	fl := l.first
	l.first = nil
	switch {
	case fl == nil:
	case fl.pg != nil:
		fl.rollback()
	default:
		if fl.tx != nil { // a run neither finished nor aborted
			fl.tx.Rollback()
			fl.tx = nil
		}
		_ = fl.finish(context.Background())
	}
}

// loadPart is one run's part of a load's first load: a savepoint on
// PostgreSQL, a transaction of its own on SQLite.
type loadPart struct {
	fl   *firstLoad
	pg   pgx.Tx // PostgreSQL: a pseudo nested transaction, a savepoint
	seen bool   // PostgreSQL: the run made an import_seen table
}

// part begins a run's part of the load. A run after the first also needs,
// on PostgreSQL, the table of the orders it finds unchanged (seenPG), here
// on the load's connection.
func (fl *firstLoad) part(ctx context.Context, seen bool) (*loadPart, error) {
	if fl.pg != nil {
		tx, err := fl.pg.Begin(ctx)
		if err != nil {
			return nil, err
		}
		p := &loadPart{fl: fl, pg: tx, seen: seen}
		if seen {
			if err := newSeenTable(ctx, tx); err != nil {
				p.rollback()
				return nil, err
			}
		}
		return p, nil
	}
	if err := fl.begin(ctx); err != nil { // open already for the load's first run
		return nil, err
	}
	return &loadPart{fl: fl}, nil
}

// release keeps what the run wrote.
func (p *loadPart) release(ctx context.Context) error {
	if p.pg != nil {
		if p.seen {
			if _, err := p.pg.Exec(ctx, pgDropSeen); err != nil {
				return err
			}
		}
		return p.pg.Commit(ctx)
	}
	err := p.fl.tx.Commit()
	p.fl.tx = nil
	return err
}

// rollback takes back what the run wrote, and leaves the load open for the
// next file. A part that cannot be rolled back leaves the load in an
// unknown state: it is rolled back whole, and later runs fail.
func (p *loadPart) rollback() {
	// Without the caller's context: an interrupted import still rolls back.
	ctx := context.Background()
	if p.pg != nil {
		if err := p.pg.Rollback(ctx); err != nil {
			p.fl.rollback()
		}
		return
	}
	if err := p.fl.tx.Rollback(); err != nil {
		p.fl.rollback()
		return
	}
	p.fl.tx = nil
}

// inConn runs fn in a transaction of its own on the SQLite load's
// connection, which holds the one writer connection between its runs.
func (fl *firstLoad) inConn(ctx context.Context, fn func(*sql.Tx) error) error {
	return txOn(ctx, fl.conn, fn)
}

// loadTx is the transaction a first load's batch runs in: the run's
// savepoint in a load, else the load's own.
func (st *runState) loadTx() pgx.Tx {
	if st.part != nil {
		return st.part.pg
	}
	return st.first.pg
}
