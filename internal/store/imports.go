package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kithcrm/kith/internal/customer"
	"github.com/kithcrm/kith/internal/importer"
	"github.com/kithcrm/kith/internal/kith"
	"github.com/kithcrm/kith/internal/order"
)

// runState is what the store remembers during one import run: customer ids
// already resolved, so an orders file does not look up the same customer for
// every order. It is bounded: cleared when full.
type runState struct {
	customers map[string]int64
	first     *firstLoad  // set when the run loads orders into an empty table
	group     *batchGroup // SQLite otherwise: batches committed together
	seen      *seenPG     // PostgreSQL otherwise: the orders the run found unchanged
	// fresh says every stored order is the run's own: it began the first
	// load. A later run of the same load shares the first load but not
	// that: the load's earlier files are stored.
	fresh bool
	// part is the run's part of a load's first load: the run is finished
	// or rolled back alone, and the load at its End.
	part *loadPart
	// seenCustomers (a PostgreSQL customers import): the connection the
	// run's transactions go on, which holds import_seen_customers.
	seenCustomers *sql.Conn
	// settleFirst (SQLite): most of the last batch was stored unchanged, so
	// the next looks its orders up before writing (settleStoredLite).
	settleFirst bool
	// customersBefore is the largest customer id when the run began: the
	// customers an orders run may give a place to (fillPlaces).
	customersBefore int64
	// aliases are the keys of customers merged into others (Key.String()
	// -> the customer merged into), when the run began: an orders run
	// seeds its customer cache with them, a customers run leaves their rows
	// alone. Merges are made by hand, so they are few.
	aliases map[string]int64
	// stmts (SQLite) are the statements the last batch prepared, kept for
	// the next one in the same transaction (a first load's, a batch
	// group's); the transaction closes them when it ends.
	stmts *txStmts
}

// selectAliases reads customer_aliases, but for keys a customer holds
// itself (created since the merge): a customer's own key wins.
const selectAliases = `SELECT a.kind, a.key, a.customer_id FROM customer_aliases a
WHERE NOT (a.kind = 'external_id' AND EXISTS (SELECT 1 FROM customers c WHERE c.external_id = a.key))
    AND NOT (a.kind = 'phone' AND EXISTS (SELECT 1 FROM customers c WHERE c.phone = a.key))
    AND NOT (a.kind = 'email' AND EXISTS (SELECT 1 FROM customers c WHERE c.email = a.key))`

// readAliases reads selectAliases' rows into a map from the key as an
// import names a customer (customer.Key.String()) to the customer's id.
func readAliases(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}) (map[string]int64, error) {
	var m map[string]int64
	for rows.Next() {
		var kind, key string
		var id int64
		if err := rows.Scan(&kind, &key, &id); err != nil {
			return nil, fmt.Errorf("customer aliases: %w", err)
		}
		var k customer.Key
		switch kind {
		case "external_id":
			k.ExternalID = key
		case "phone":
			k.Phone = key
		default:
			k.Email = key
		}
		if m == nil {
			m = map[string]int64{}
		}
		m[k.String()] = id
	}
	return m, rows.Err()
}

// seedAliases puts the run's aliases in its customer cache, where every
// orders path looks first; again after the cache is cleared.
func (st *runState) seedAliases() {
	for k, id := range st.aliases {
		st.customers[k] = id
	}
}

// stmtsFor gives tx's prepared statements. Preparing a batch's statements
// again every 5,000 rows was 3% of a first load's writer.
func (st *runState) stmtsFor(tx *sql.Tx) *txStmts {
	if st.stmts == nil || st.stmts.tx != tx {
		st.stmts = newTxStmts(tx)
		if st.first != nil && st.first.tx == tx {
			st.stmts.raw = st.first.raw
		}
	}
	return st.stmts
}

// 100k ids (about 10 MiB): a file sorted by customer hits it every time; an
// unsorted one pays one IN lookup per chunk for the misses.
const maxCachedCustomers = 100_000

var runs sync.Map // run id -> *runState

const insertRun = `INSERT INTO import_runs (kind, file, started_at) VALUES ($1, $2, $3) RETURNING id`

// BeginImport records a new import run; rows written by it carry its id, which
// is how a repeat of an order id within one file is told from a re-import.
func (s *Store) BeginImport(ctx context.Context, kind importer.Kind, file string) (int64, error) {
	return s.beginImport(ctx, kind, file, nil)
}

// beginImport begins a run, as one of load's when load is not nil.
func (s *Store) beginImport(ctx context.Context, kind importer.Kind, file string, load *load) (int64, error) {
	orders := kind == importer.Orders || kind == importer.Lines
	if !orders && load != nil && load.first != nil {
		// Its writes would wait for the load's locks, held until End.
		return 0, fmt.Errorf("begin import: %s in a load of orders", kind)
	}
	row := s.db.QueryRowContext
	if load != nil && load.first != nil && load.first.conn != nil {
		// A SQLite load holds the one writer connection.
		row = load.first.conn.QueryRowContext
	}
	var id int64
	if err := row(ctx, insertRun, string(kind), file, s.d.ts(s.Now())).Scan(&id); err != nil {
		return 0, fmt.Errorf("begin import: %w", err)
	}
	st := &runState{customers: map[string]int64{}}
	if orders || kind == importer.Customers {
		var err error
		if load != nil && load.first != nil && load.first.pg != nil {
			// The load's transaction has the tables locked.
			err = load.first.pg.QueryRow(ctx, maxCustomerID).Scan(&st.customersBefore)
			if err == nil {
				var rows pgx.Rows
				if rows, err = load.first.pg.Query(ctx, selectAliases); err == nil {
					st.aliases, err = readAliases(rows)
					rows.Close()
				}
			}
		} else {
			err = row(ctx, maxCustomerID).Scan(&st.customersBefore)
			if err == nil {
				query := s.db.QueryContext
				if load != nil && load.first != nil && load.first.conn != nil {
					query = load.first.conn.QueryContext
				}
				var rows *sql.Rows
				if rows, err = query(ctx, selectAliases); err == nil {
					st.aliases, err = readAliases(rows)
					rows.Close()
				}
			}
		}
		if err != nil {
			return 0, fmt.Errorf("begin import: %w", err)
		}
		st.seedAliases()
	}
	switch {
	case orders && load != nil && load.first != nil:
		st.first = load.first
	case orders:
		fl, err := s.beginFirstLoad(ctx)
		if err != nil {
			return 0, fmt.Errorf("begin import: %w", err)
		}
		st.first, st.fresh = fl, fl != nil
		if fl != nil && load != nil {
			load.first = fl
		}
	}
	if st.first != nil && load != nil {
		p, err := st.first.part(ctx, !st.fresh)
		if err != nil {
			return 0, fmt.Errorf("begin import: %w", err)
		}
		st.part = p
	}
	switch {
	case st.first == nil && s.pg == nil:
		st.group = &batchGroup{}
	case st.first == nil && orders:
		var err error
		if st.seen, err = s.beginSeenPG(ctx); err != nil {
			return 0, fmt.Errorf("begin import: %w", err)
		}
	case kind == importer.Customers: // PostgreSQL
		var err error
		if st.seenCustomers, err = s.beginSeenCustomers(ctx); err != nil {
			return 0, fmt.Errorf("begin import: %w", err)
		}
	}
	runs.Store(id, st)
	return id, nil
}

// The customers a reference names. A row is updated only when that changes
// its id: a demo or CRM export names owners who are not users yet, and
// rewriting each such row (NULL for NULL) was most of finishing the import.
const (
	referrerOf = `COALESCE(
    (SELECT r.id FROM customers r WHERE r.external_id = customers.referrer_ref),
    (SELECT min(r.id) FROM customers r WHERE r.phone = customers.referrer_ref),
    (SELECT min(r.id) FROM customers r WHERE r.email = lower(customers.referrer_ref)))`
	ownerOf = `(SELECT min(u.id) FROM users u WHERE u.email = lower(customers.owner_ref) OR u.name = customers.owner_ref)`

	resolveReferrers = `UPDATE customers SET referrer_id = ` + referrerOf + `
WHERE referrer_ref <> '' AND (import_run = $1 OR referrer_id IS NULL) AND referrer_id IS DISTINCT FROM ` + referrerOf
	countUnresolvedReferrers = `SELECT count(*) FROM customers WHERE referrer_ref <> '' AND referrer_id IS NULL`
	resolveOwners            = `UPDATE customers SET owner_id = ` + ownerOf + `
WHERE owner_ref <> '' AND (import_run = $1 OR owner_id IS NULL) AND owner_id IS DISTINCT FROM ` + ownerOf
	countUnresolvedOwners = `SELECT count(*) FROM customers WHERE owner_ref <> '' AND owner_id IS NULL`
	// The orders run $1 moved to another customer (orders_moved), the
	// first three with the customer each had and has, by external id or
	// #id; then forgotten. The run's are also those of earlier runs of the
	// same file that never ended (killed: kill -9, a power cut), which
	// this one, the file again, finds unchanged and would not name.
	movesOfRun = `(SELECT r.id FROM import_runs r WHERE r.id = $1
    OR r.id < $1 AND r.finished_at IS NULL AND r.file = (SELECT file FROM import_runs WHERE id = $1))`
	countOrderMoves = `SELECT count(*) FROM order_moves WHERE run IN ` + movesOfRun
	orderMoves      = `SELECT o.external_id, COALESCE(f.external_id, '#' || CAST(m.from_customer AS TEXT)), COALESCE(c.external_id, '#' || CAST(o.customer_id AS TEXT))
FROM order_moves m JOIN orders o ON o.id = m.order_id LEFT JOIN customers f ON f.id = m.from_customer JOIN customers c ON c.id = o.customer_id
WHERE m.run IN ` + movesOfRun + ` ORDER BY o.src_line LIMIT 3`
	forgetOrderMoves = `DELETE FROM order_moves WHERE run IN ` + movesOfRun
	forgetRunMoves   = `DELETE FROM order_moves WHERE run = $1`
	// A customer c created after $1 whose phone or email another has: by
	// probing the keys' indexes for each (sharedProbed, cheap when the run
	// created few customers), or by grouping every customer's keys
	// (sharedGrouped, one pass: for a run that created many).
	sharedProbed = `(c.phone IS NOT NULL AND EXISTS (SELECT 1 FROM customers o WHERE o.phone = c.phone AND o.id <> c.id)
    OR c.email IS NOT NULL AND EXISTS (SELECT 1 FROM customers o WHERE o.email = c.email AND o.id <> c.id))`
	sharedGrouped = `(c.phone IN (SELECT phone FROM customers WHERE phone IS NOT NULL GROUP BY phone HAVING count(*) > 1)
    OR c.email IN (SELECT email FROM customers WHERE email IS NOT NULL GROUP BY email HAVING count(*) > 1))`
	// countShared* count such customers; sharedPairs* name the first
	// three, each with the other (the first with its phone, else email).
	countSharedProbed  = `SELECT count(*) FROM customers c WHERE c.id > $1 AND ` + sharedProbed
	countSharedGrouped = `SELECT count(*) FROM customers c WHERE c.id > $1 AND ` + sharedGrouped
	sharedPairsProbed  = `SELECT n.id, COALESCE(n.external_id, ''), o.id, COALESCE(o.external_id, '') FROM
    (SELECT c.id, c.external_id, c.phone, c.email FROM customers c WHERE c.id > $1 AND ` + sharedProbed + ` ORDER BY c.id LIMIT 3) n` + sharedPartner
	sharedPairsGrouped = `SELECT n.id, COALESCE(n.external_id, ''), o.id, COALESCE(o.external_id, '') FROM
    (SELECT c.id, c.external_id, c.phone, c.email FROM customers c WHERE c.id > $1 AND ` + sharedGrouped + ` ORDER BY c.id LIMIT 3) n` + sharedPartner
	sharedPartner = `
JOIN customers o ON o.id = COALESCE(
    (SELECT min(x.id) FROM customers x WHERE n.phone IS NOT NULL AND x.phone = n.phone AND x.id <> n.id),
    (SELECT min(x.id) FROM customers x WHERE n.email IS NOT NULL AND x.email = n.email AND x.id <> n.id))
ORDER BY n.id`
	finishRun = `UPDATE import_runs SET finished_at = $2, read_rows = $3, created = $4, updated = $5, unchanged = $6, rejected = $7 WHERE id = $1`
)

// FinishImport resolves referrer and owner references (a referrer may come
// later in the file than the customer it referred) and closes the run. The
// order snapshot is left to RefreshSnapshot, after the caller's last import.
func (s *Store) FinishImport(ctx context.Context, run int64, sum *importer.Summary) error {
	st := takeRunState(run)
	st.releaseSeen()
	if st.group != nil {
		if err := st.group.commit(); err != nil {
			return fmt.Errorf("finish import: %w", err)
		}
	}
	inTx := s.tx
	var err error
	// in reads and writes the customers and orders where it can: a
	// PostgreSQL load's transaction holds the tables until it ends.
	var in *runTx
	switch {
	case st.part != nil:
		err = st.part.release(ctx)
		if st.first.conn != nil { // a SQLite load holds the one writer connection
			inTx = st.first.inConn
		} else {
			in = pgxRunTx(st.first.pg)
		}
	case st.first != nil:
		err = st.first.finish(ctx)
	}
	if err != nil {
		return fmt.Errorf("finish import: %w", err)
	}
	return inTx(ctx, func(tx *sql.Tx) error {
		if sum.Kind == importer.Customers {
			for _, q := range []struct {
				update, count string
				warn          func(n int) *kith.Message
			}{
				{resolveReferrers, countUnresolvedReferrers, func(n int) *kith.Message {
					return kith.Msg("import.unknown_referrers", "%d customers' referrers are not customers in the database (yet)", n)
				}},
				{resolveOwners, countUnresolvedOwners, func(n int) *kith.Message {
					return kith.Msg("import.unknown_owners", "%d customers' owners are not staff users (add them with kith user add)", n)
				}},
			} {
				if _, err := tx.ExecContext(ctx, q.update, run); err != nil {
					return fmt.Errorf("finish import: %w", err)
				}
				var n int
				if err := tx.QueryRowContext(ctx, q.count).Scan(&n); err != nil {
					return fmt.Errorf("finish import: %w", err)
				}
				if n > 0 {
					sum.Warnings = append(sum.Warnings, q.warn(n))
				}
			}
		}
		if in == nil {
			in = sqlRunTx(tx)
		}
		if sum.Kind == importer.Orders || sum.Kind == importer.Lines {
			w, err := movedOrders(ctx, in, run)
			if err != nil {
				return fmt.Errorf("finish import: %w", err)
			}
			if w != nil {
				sum.Warnings = append(sum.Warnings, w)
			}
		}
		if sum.Kind == importer.Customers || sum.Kind == importer.Orders || sum.Kind == importer.Lines {
			w, err := sharedKeys(ctx, in, st.customersBefore)
			if err != nil {
				return fmt.Errorf("finish import: %w", err)
			}
			if w != nil {
				sum.Warnings = append(sum.Warnings, w)
			}
		}
		_, err := tx.ExecContext(ctx, finishRun, run, s.d.ts(s.Now()), sum.Read, sum.Created, sum.Updated, sum.Unchanged, sum.Rejected)
		return err
	})
}

// eachRow runs query q with args and hands each result row's Scan to row:
// the same reads through database/sql or a pgx transaction.
type eachRow func(ctx context.Context, q string, row func(scan func(...any) error) error, args ...any) error

// eachOf hands each of rows' Scan to row.
func eachOf(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}, row func(scan func(...any) error) error) error {
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// runTx is a transaction a run's end reads and writes in: database/sql's
// or a PostgreSQL load's pgx one.
type runTx struct {
	each eachRow
	exec func(ctx context.Context, q string, args ...any) error
}

func sqlRunTx(tx *sql.Tx) *runTx {
	return &runTx{
		each: func(ctx context.Context, q string, row func(scan func(...any) error) error, args ...any) error {
			rows, err := tx.QueryContext(ctx, q, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			return eachOf(rows, row)
		},
		exec: func(ctx context.Context, q string, args ...any) error {
			_, err := tx.ExecContext(ctx, q, args...)
			return err
		},
	}
}

func pgxRunTx(tx pgx.Tx) *runTx {
	return &runTx{
		each: func(ctx context.Context, q string, row func(scan func(...any) error) error, args ...any) error {
			rows, err := tx.Query(ctx, q, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			return eachOf(rows, row)
		},
		exec: func(ctx context.Context, q string, args ...any) error {
			_, err := tx.Exec(ctx, q, args...)
			return err
		},
	}
}

// movedOrders is the warning for the stored orders the run updated to
// another customer (the orders_moved trigger notes them in order_moves),
// which it then forgets: mostly another order under the same number, a
// till that numbers each day anew or two platforms numbering alike, which
// took the stored order's place. nil when there are none.
func movedOrders(ctx context.Context, in *runTx, run int64) (*kith.Message, error) {
	var n int
	if err := in.each(ctx, countOrderMoves, func(scan func(...any) error) error { return scan(&n) }, run); err != nil || n == 0 {
		return nil, err
	}
	var moves []string
	var first string
	err := in.each(ctx, orderMoves, func(scan func(...any) error) error {
		var order, from, to string
		if err := scan(&order, &from, &to); err != nil {
			return err
		}
		if first == "" {
			first = order
		}
		moves = append(moves, order+": "+from+" -> "+to)
		return nil
	}, run)
	if err == nil {
		err = in.exec(ctx, forgetOrderMoves, run)
	}
	if err != nil {
		return nil, err
	}
	if n == 1 {
		return kith.Msg("import.moved_order", "order %s of this file has the number of a stored order of another customer and took its place (%s): "+
			"if it is another order (a till that numbers each day anew, two platforms numbering alike), import the earlier file again and this one with --order-prefix (kith import orders FILE --order-prefix JD-)",
			first, moves[0]), nil
	}
	return kith.Msg("import.moved_orders", "%d orders of this file have the number of a stored order of another customer and took its place (%s): "+
		"if they are other orders (a till that numbers each day anew, two platforms numbering alike), import the earlier file again and this one with --order-prefix (kith import orders FILE --order-prefix JD-)",
		n, strings.Join(moves, ", ")), nil
}

// sharedKeys is the warning for the customers created after id before
// that have the phone or email of another customer: a row with its own
// customer id is a customer of its own, as design.md's keys say, but one
// person under two ids (a member number and a platform's buyer id, a shop
// that renumbered) counts as two new customers in every report until
// merged. nil when there are none.
func sharedKeys(ctx context.Context, in *runTx, before int64) (*kith.Message, error) {
	each := in.each
	var last int64
	if err := each(ctx, maxCustomerID, func(scan func(...any) error) error { return scan(&last) }); err != nil || last <= before {
		return nil, err
	}
	// A probe costs about seven times a grouped key (240k customers with
	// phones and emails, all new: 1.3 s probed, 0.2 s grouped).
	count, pairs := countSharedGrouped, sharedPairsGrouped
	if 7*(last-before) < last {
		count, pairs = countSharedProbed, sharedPairsProbed
	}
	var n int
	if err := each(ctx, count, func(scan func(...any) error) error { return scan(&n) }, before); err != nil || n == 0 {
		return nil, err
	}
	ref := func(id int64, ext string) string {
		if ext != "" {
			return ext
		}
		return "#" + strconv.FormatInt(id, 10)
	}
	var named []string
	var keep, dup string
	err := each(ctx, pairs, func(scan func(...any) error) error {
		var nid, oid int64
		var next, oext string
		if err := scan(&nid, &next, &oid, &oext); err != nil {
			return err
		}
		// The customer stored first is kept; the other is merged into it.
		a, b := ref(oid, oext), ref(nid, next)
		if nid < oid {
			a, b = b, a
		}
		if keep == "" {
			keep, dup = a, b
		}
		named = append(named, b+" / "+a)
		return nil
	}, before)
	if err != nil {
		return nil, err
	}
	if n == 1 {
		return kith.Msg("import.shared_key", "customer %s, created by this import, has the phone or email of customer %s: the same person under two ids? kith customer merge %s %s",
			dup, keep, keep, dup), nil
	}
	return kith.Msg("import.shared_keys", "%d customers created by this import have the phone or email of another customer (%s): the same people under two ids? merge each pair with kith customer merge KEEP DUPLICATE (e.g. kith customer merge %s %s)",
		n, strings.Join(named, ", "), keep, dup), nil
}

// Customers -----------------------------------------------------------------

const (
	findCustomerByExternal = `SELECT id, row_hash, import_run, src_line FROM customers WHERE external_id = $1`
	findCustomerByPhone    = `SELECT id, row_hash, import_run, src_line FROM customers WHERE phone = $1 AND ($2 = '' OR external_id IS NULL) ORDER BY id LIMIT 1`
	findCustomerByEmail    = `SELECT id, row_hash, import_run, src_line FROM customers WHERE email = $1 AND ($2 = '' OR external_id IS NULL) ORDER BY id LIMIT 1`
	// customerInsertColumns are the customer inserts' 21 columns, in the order of
	// insertCustomer's arguments (and of newCustomer.args).
	customerInsertColumns = `(external_id, name, phone, email, gender, birthday, birthday_lunar, city, region,
    company, company_size, channel, referrer_ref, owner_ref, attrs, notes, created_at, updated_at, row_hash, import_run, src_line)`
	insertCustomer = `INSERT INTO customers ` + customerInsertColumns + `
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id`
	deleteCustomerTags = `DELETE FROM customer_tags WHERE customer_id = $1`
	insertCustomerTag  = `INSERT INTO customer_tags (customer_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING`
)

type existing struct {
	id      int64
	hash    int64
	run     int64
	srcLine int
}

// findCustomer looks a customer up by external id, then phone, then email
// (design.md §3). A phone or email only matches a customer with another
// external id when the row itself has none.
func findCustomer(ctx context.Context, st *txStmts, k customer.Key) (existing, bool, error) {
	var e existing
	scan := func(q string, args ...any) (bool, error) {
		err := st.scan(ctx, q, args, &e.id, &e.hash, &e.run, &e.srcLine)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return err == nil, err
	}
	if k.ExternalID != "" {
		if ok, err := scan(findCustomerByExternal, k.ExternalID); ok || err != nil {
			return e, ok, err
		}
	}
	if k.Phone != "" {
		if ok, err := scan(findCustomerByPhone, k.Phone, k.ExternalID); ok || err != nil {
			return e, ok, err
		}
	}
	if k.Email != "" {
		if ok, err := scan(findCustomerByEmail, k.Email, k.ExternalID); ok || err != nil {
			return e, ok, err
		}
	}
	return e, false, nil
}

// customerMerge are the columns an import row updates and the value each
// gets, in the arguments of insertCustomer. A field the row leaves empty
// (its column is not in the file, or its cell is blank) keeps the stored
// value, and custom attributes are merged key by key: a second file
// (member levels by id, phones from another system) adds to the profiles
// instead of erasing what the first one gave them. "attrs" is the
// dialect's JSON object merge of attrs with $15.
var customerMerge = [...][2]string{
	{"external_id", "COALESCE($1, external_id)"},
	{"name", "COALESCE(NULLIF($2, ''), name)"},
	{"phone", "COALESCE($3, phone)"},
	{"email", "COALESCE($4, email)"},
	{"gender", "COALESCE(NULLIF($5, ''), gender)"},
	{"birthday", "COALESCE($6, birthday)"},
	{"birthday_lunar", "CASE WHEN $6 IS NULL THEN birthday_lunar ELSE $7 END"},
	{"city", "COALESCE(NULLIF($8, ''), city)"},
	{"region", "COALESCE(NULLIF($9, ''), region)"},
	{"company", "COALESCE(NULLIF($10, ''), company)"},
	{"company_size", "COALESCE(NULLIF($11, 0), company_size)"},
	{"channel", "COALESCE(NULLIF($12, ''), channel)"},
	{"referrer_ref", "COALESCE(NULLIF($13, ''), referrer_ref)"},
	{"owner_ref", "COALESCE(NULLIF($14, ''), owner_ref)"},
	{"attrs", ""},
	{"notes", "COALESCE(NULLIF($16, ''), notes)"},
	{"created_at", "COALESCE($17, created_at)"},
}

// updateCustomerSQL updates a stored customer from an import row ($22 is
// its id) if that changes anything: its merged values, or its tags when
// the row gives some ($23, tagList's). A row that adds nothing updates no
// row, and the import counts it unchanged: its hash alone cannot tell when
// several files (profiles, then points by id) made the customer.
// sortedTags is the dialect's list of the customer's stored tags, as
// tagList joins them.
func updateCustomerSQL(mergeAttrs, sortedTags string) string {
	var set, differs strings.Builder
	for i, m := range customerMerge {
		expr := m[1]
		if m[0] == "attrs" {
			expr = mergeAttrs
		}
		if i > 0 {
			set.WriteString(", ")
			differs.WriteString(" OR ")
		}
		fmt.Fprintf(&set, "%s = %s", m[0], expr)
		fmt.Fprintf(&differs, "%s IS DISTINCT FROM %s", m[0], expr)
	}
	return `UPDATE customers SET ` + set.String() + `, updated_at = $18, row_hash = $19, import_run = $20, src_line = $21
WHERE id = $22 AND (` + differs.String() + `
    OR ($23 <> '' AND $23 IS DISTINCT FROM (SELECT ` + sortedTags + ` FROM customer_tags WHERE customer_id = customers.id)))`
}

// tagList is tags as updateCustomerSQL's $23 takes them: sorted bytewise
// without repeats, joined by a unit separator; empty for none.
func tagList(tags []string) string {
	sorted := slices.Compact(slices.Sorted(slices.Values(tags)))
	return strings.Join(sorted, "\x1f")
}

var (
	updateCustomerLite = updateCustomerSQL(`json_patch(attrs, $15)`, `group_concat(tag, char(31) ORDER BY tag)`)
	updateCustomerPG   = updateCustomerSQL(`attrs || $15::jsonb`, `string_agg(tag, chr(31) ORDER BY tag COLLATE "C")`)
)

// customerKeys are the external ids, phones and emails of customers: those
// stored that a batch names, and those the batch has written so far.
type customerKeys map[string]bool

// keyParts are k's keys that are set, each with its kind as
// storedKeysSQL's keys name it: id:C1, phone:138..., email:....
func keyParts(k customer.Key) []keyPart {
	parts := make([]keyPart, 0, 3)
	for _, p := range [3]keyPart{{"id:", k.ExternalID}, {"phone:", k.Phone}, {"email:", k.Email}} {
		if p.value != "" {
			parts = append(parts, p)
		}
	}
	return parts
}

type keyPart struct{ kind, value string }

func (ks customerKeys) add(k customer.Key) {
	for _, p := range keyParts(k) {
		ks[p.kind+p.value] = true
	}
}

func (ks customerKeys) any(k customer.Key) bool {
	for _, p := range keyParts(k) {
		if ks[p.kind+p.value] {
			return true
		}
	}
	return false
}

// storedKeysSQL look up lookupChunk values of one key column at once
// (SQLite, hence ?; padded with repeats, so each is prepared once);
// storedKeysPG all of a batch's at once.
var storedKeysSQL, storedKeysPG = func() (map[string]string, map[string]string) {
	in := strings.TrimSuffix(strings.Repeat("?, ", lookupChunk), ", ")
	lite, pg := map[string]string{}, map[string]string{}
	// Every query returns a stored customer's key and, for an external id,
	// what findCustomer would: the id match comes first whatever else the row names.
	const cols = `, id, row_hash, import_run, src_line FROM customers WHERE `
	for col, prefix := range map[string]string{"external_id": "id:", "phone": "phone:", "email": "email:"} {
		lite[prefix] = `SELECT '` + prefix + `' || ` + col + cols + col + ` IN (` + in + `)`
		pg[prefix] = `SELECT '` + prefix + `' || ` + col + cols + col + ` = ANY($1)`
	}
	return lite, pg
}()

// storedKeys finds which of the rows' keys a stored customer has. A row
// with none of them (and none written earlier in the batch) is a new
// customer, which needs no lookup key by key: the common case of a first
// member list, three lookups a row otherwise.
func (s *Store) storedKeys(ctx context.Context, st *txStmts, rows []importer.Row[customer.Customer]) (customerKeys, map[string]existing, error) {
	found := customerKeys{}
	byID := map[string]existing{}
	named := map[string][]string{}
	for i := range rows {
		for _, p := range keyParts(rows[i].V.Key()) {
			named[p.kind] = append(named[p.kind], p.value)
		}
	}
	scan := func(q string, args ...any) error {
		stmt, err := st.stmt(ctx, q)
		if err != nil {
			return err
		}
		rs, err := stmt.QueryContext(ctx, args...)
		if err != nil {
			return err
		}
		for rs.Next() {
			var key string
			var e existing
			if err := rs.Scan(&key, &e.id, &e.hash, &e.run, &e.srcLine); err != nil {
				rs.Close()
				return err
			}
			found[key] = true
			if id, ok := strings.CutPrefix(key, "id:"); ok {
				byID[id] = e
			}
		}
		return rs.Close()
	}
	for prefix, vals := range named {
		if s.pg != nil {
			if err := scan(storedKeysPG[prefix], vals); err != nil {
				return nil, nil, err
			}
			continue
		}
		for start := 0; start < len(vals); start += lookupChunk {
			part := vals[start:min(start+lookupChunk, len(vals))]
			args := appendPadded(nil, lookupChunk, len(part), func(a []any, i int) []any { return append(a, part[i]) })
			if err := scan(storedKeysSQL[prefix], args...); err != nil {
				return nil, nil, err
			}
		}
	}
	return found, byID, nil
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// WriteCustomers creates or updates customers, matched by design.md's dedup
// order. Rows equal to what is stored are left alone.
func (s *Store) WriteCustomers(ctx context.Context, run int64, rows []importer.Row[customer.Customer]) (importer.BatchResult, error) {
	var res importer.BatchResult
	now := s.d.ts(s.Now())
	state := s.runState(run)
	seen := state.seenCustomers != nil
	err := s.importTx(ctx, state, func(tx *sql.Tx) error {
		res = importer.BatchResult{}
		st := newTxStmts(tx)
		defer st.close()
		stored, byID, err := s.storedKeys(ctx, st, rows)
		if err != nil {
			return fmt.Errorf("find customers: %w", err)
		}
		if seen {
			if err := markSeen(ctx, st, run, byID); err != nil {
				return fmt.Errorf("find customers: %w", err)
			}
		}
		// What the batch wrote: the keys rows gave customers, and the
		// customers it changed, whose stored state the lookups above no
		// longer tell.
		written, touched := customerKeys{}, map[int64]bool{}
		// Inserts and stamps wait, to go in one statement each on
		// PostgreSQL; a row that needs a lookup writes them first.
		var fresh []newCustomer
		var stamps []stamp
		flush := func() error {
			if err := s.insertCustomers(ctx, st, fresh, run, now); err != nil {
				return err
			}
			if err := s.stampCustomers(ctx, st, run, stamps, seen); err != nil {
				return err
			}
			fresh, stamps = fresh[:0], stamps[:0]
			return nil
		}
		for i, r := range rows {
			c := &r.V
			k := c.Key()
			e, found := byID[k.ExternalID]
			if k.ExternalID == "" || touched[e.id] {
				found = false
			}
			if !found && (stored.any(k) || written.any(k)) {
				if err := flush(); err != nil {
					return err
				}
				if e, found, err = findCustomer(ctx, st, k); err != nil {
					return fmt.Errorf("customer line %d: %w", r.Line, err)
				}
				if found && seen {
					one := map[string]existing{"": e}
					if err := markSeen(ctx, st, run, one); err != nil {
						return fmt.Errorf("customer line %d: %w", r.Line, err)
					}
					e = one[""]
				}
			}
			if !found && len(state.aliases) > 0 && state.aliases[k.String()] != 0 {
				// The customer was merged into another: its row is left
				// alone, not made into the duplicate again (counted as
				// unchanged, and as merged).
				res.Unchanged++
				res.Merged++
				continue
			}
			written.add(k)
			if found {
				touched[e.id] = true
			}
			hash := int64(c.Hash())
			switch {
			case found && e.run == run:
				res.Rejects = append(res.Rejects, importer.RowReject{Index: i, Field: "customer_id", Code: "duplicate",
					Reason: imported(importer.LabelCustomer, c.Key().String(), e.srcLine)})
				continue
			case found && e.hash == hash:
				// Stamp it with this run all the same, so a repeat later in the
				// file is caught as a repeat.
				stamps = append(stamps, stamp{id: e.id, line: r.Line})
				res.Unchanged++
				continue
			}
			attrs := "{}"
			if len(c.Attrs) > 0 {
				b, _ := json.Marshal(c.Attrs)
				attrs = string(b)
			}
			var created any = now
			if !c.CreatedAt.IsZero() {
				created = s.d.ts(c.CreatedAt)
			}
			args := []any{nullStr(c.ExternalID), c.Name, nullStr(c.Phone), nullStr(c.Email), c.Gender, nullStr(c.Birthday),
				c.BirthdayLunar, c.City, c.Region, c.Company, c.CompanySize, c.Channel, c.ReferrerRef, c.OwnerRef, attrs,
				c.Notes, created, now, hash, run, r.Line}
			if !found {
				fresh = append(fresh, newCustomer{c: c, args: args, line: r.Line, attrs: attrs, created: created, hash: hash})
				res.Created++
				continue
			}
			if c.CreatedAt.IsZero() {
				args[16] = nil // keep the stored created_at
			}
			update := updateCustomerLite
			if s.pg != nil {
				update = updateCustomerPG
			}
			done, err := st.exec(ctx, update, append(args, e.id, tagList(c.Tags))...)
			if err != nil {
				return fmt.Errorf("customer line %d: %w", r.Line, err)
			}
			if n, err := done.RowsAffected(); err != nil {
				return fmt.Errorf("customer line %d: %w", r.Line, err)
			} else if n == 0 { // it adds nothing to what is stored
				stamps = append(stamps, stamp{id: e.id, line: r.Line})
				res.Unchanged++
				continue
			}
			if len(c.Tags) > 0 { // tags given replace the stored ones; none given keeps them
				if _, err := st.exec(ctx, deleteCustomerTags, e.id); err != nil {
					return err
				}
			}
			for _, t := range c.Tags {
				if _, err := st.exec(ctx, insertCustomerTag, e.id, t); err != nil {
					return fmt.Errorf("customer line %d tag %q: %w", r.Line, t, err)
				}
			}
			res.Updated++
		}
		if err := flush(); err != nil {
			return err
		}
		if res.Created+res.Updated > 0 { // channels may have changed: the snapshot is stale
			if _, err := tx.ExecContext(ctx, bumpOrdersVersion); err != nil {
				return err
			}
		}
		return nil
	})
	return res, err
}

// stamp marks a stored customer or order as met by this run at line.
type stamp struct {
	id   int64
	line int
}

// stampCustomers marks customers found unchanged as met by this run, so
// that a repeat later in the file is caught: on SQLite by stamping them,
// ordersChunk at a time, as orders are; on PostgreSQL (seen) by noting them
// in import_seen_customers in one statement, since a stamp there writes a
// new version of the row and of its five index entries (4.2 s of 8.4 s
// re-importing 240,000 customers).
func (s *Store) stampCustomers(ctx context.Context, st *txStmts, run int64, stamps []stamp, seen bool) error {
	if len(stamps) == 0 {
		return nil
	}
	if !seen {
		if err := stampRows(ctx, st, stampCustomersSQL, run, stamps); err != nil {
			return fmt.Errorf("customers at lines %d-%d: %w", stamps[0].line, stamps[len(stamps)-1].line, err)
		}
		return nil
	}
	ids, lines := make([]int64, len(stamps)), make([]int64, len(stamps))
	for i, sp := range stamps {
		ids[i], lines[i] = sp.id, int64(sp.line)
	}
	if _, err := st.exec(ctx, pgSeeCustomers, ids, lines); err != nil {
		return fmt.Errorf("customers at lines %d-%d: %w", stamps[0].line, stamps[len(stamps)-1].line, err)
	}
	return nil
}

// markSeen makes the stored customers in found that this run met unchanged
// (import_seen_customers) read as the run's own, at the line it met them:
// a row naming one again is a repeat.
func markSeen(ctx context.Context, st *txStmts, run int64, found map[string]existing) error {
	if len(found) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(found))
	for _, e := range found {
		ids = append(ids, e.id)
	}
	q, err := st.stmt(ctx, pgSeenCustomers)
	if err != nil {
		return err
	}
	rows, err := q.QueryContext(ctx, ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	lines := map[int64]int{}
	for rows.Next() {
		var id int64
		var line int
		if err := rows.Scan(&id, &line); err != nil {
			return err
		}
		lines[id] = line
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for k, e := range found {
		if line, ok := lines[e.id]; ok {
			e.run, e.srcLine = run, line
			found[k] = e
		}
	}
	return nil
}

// newCustomer is a customers row to insert.
type newCustomer struct {
	c    *customer.Customer
	args []any // insertCustomer's, in its order (SQLite)
	line int
	// What args holds that c does not (PostgreSQL takes columns).
	attrs   string // JSON
	created any    // the dialect's timestamp
	hash    int64
}

// insertCustomers inserts new customers and their tags: on PostgreSQL in
// one statement each (a round trip a row was most of a customers import),
// on SQLite ordersChunk at a time (one statement a row was 60% of it).
func (s *Store) insertCustomers(ctx context.Context, st *txStmts, rows []newCustomer, run int64, now any) error {
	if len(rows) == 0 {
		return nil
	}
	if s.pg != nil {
		return s.insertCustomersPG(ctx, st, rows, run, now)
	}
	// Ids given here, as for the customers an orders file creates
	// (resolveBatchCustomers): reading them back was 8% of the inserts.
	var last int64
	if err := st.scan(ctx, maxCustomerID, nil, &last); err != nil {
		return err
	}
	var args, tags []any
	for start := 0; start < len(rows); start += ordersChunk {
		chunk := rows[start:min(start+ordersChunk, len(rows))]
		args, tags = args[:0], tags[:0]
		for i, r := range chunk {
			args = append(args, last+1+int64(i))
			args = append(args, r.args...)
		}
		if err := st.execAll(ctx, customerRowsSQL(len(chunk)), args, len(chunk)); err != nil {
			return fmt.Errorf("customers at lines %d-%d: %w", chunk[0].line, chunk[len(chunk)-1].line, err)
		}
		for i, r := range chunk {
			for _, t := range r.c.Tags {
				tags = append(tags, last+1+int64(i), t)
			}
		}
		last += int64(len(chunk))
		for len(tags) > 0 {
			n := min(len(tags)/2, ordersChunk)
			if _, err := st.exec(ctx, tagRowsSQL(n), tags[:2*n]...); err != nil {
				return fmt.Errorf("customer tags at lines %d-%d: %w", chunk[0].line, chunk[len(chunk)-1].line, err)
			}
			tags = tags[2*n:]
		}
	}
	return nil
}

// customerRowsSQL inserts k customers (SQLite, hence ?), each one's id
// first, then its arguments in insertCustomer's order.
func customerRowsSQL(k int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", 22), ", ") + "), "
	return `INSERT INTO customers (id, ` + customerInsertColumns[1:] + ` VALUES ` + strings.TrimSuffix(strings.Repeat(row, k), ", ")
}

// tagRowsSQL inserts k customer tags (SQLite).
func tagRowsSQL(k int) string {
	return `INSERT INTO customer_tags (customer_id, tag) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?), ", k), ", ") + ` ON CONFLICT DO NOTHING`
}

const (
	pgInsertCustomers = `INSERT INTO customers ` + customerInsertColumns + `
SELECT NULLIF(e, ''), n, NULLIF(p, ''), NULLIF(m, ''), g, NULLIF(b, ''), bl, ci, re, co, cs, ch, rr, orf, a::jsonb, no, cr, $20, h, $21, l
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::text[], $9::text[],
    $10::text[], $11::bigint[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::timestamptz[], $18::bigint[], $19::bigint[])
    AS u(e, n, p, m, g, b, bl, ci, re, co, cs, ch, rr, orf, a, no, cr, h, l)
RETURNING id, src_line`
	pgInsertCustomerTags = `INSERT INTO customer_tags (customer_id, tag) SELECT * FROM unnest($1::bigint[], $2::text[]) ON CONFLICT DO NOTHING`
)

func (s *Store) insertCustomersPG(ctx context.Context, st *txStmts, rows []newCustomer, run int64, now any) error {
	var (
		text  [14][]string // the text columns, in insertCustomer's order
		lunar []bool
		size  []int64
		made  []time.Time
		hash  []int64
		line  []int64
	)
	for _, r := range rows {
		c := r.c
		for i, v := range []string{c.ExternalID, c.Name, c.Phone, c.Email, c.Gender, c.Birthday, c.City, c.Region, c.Company,
			c.Channel, c.ReferrerRef, c.OwnerRef, r.attrs, c.Notes} {
			text[i] = append(text[i], v)
		}
		lunar = append(lunar, c.BirthdayLunar)
		size = append(size, int64(c.CompanySize))
		made = append(made, r.created.(time.Time))
		hash = append(hash, r.hash)
		line = append(line, int64(r.line))
	}
	q, err := st.stmt(ctx, pgInsertCustomers)
	if err != nil {
		return err
	}
	got, err := q.QueryContext(ctx, text[0], text[1], text[2], text[3], text[4], text[5], lunar, text[6], text[7], text[8],
		size, text[9], text[10], text[11], text[12], text[13], made, hash, line, now, run)
	if err != nil {
		return fmt.Errorf("customers at lines %d-%d: %w", rows[0].line, rows[len(rows)-1].line, err)
	}
	ids := make(map[int64]int64, len(rows)) // source line -> id
	if _, err := scanIDs(got, ids, nil); err != nil {
		return fmt.Errorf("customers at lines %d-%d: %w", rows[0].line, rows[len(rows)-1].line, err)
	}
	var tagIDs []int64
	var tags []string
	for _, r := range rows {
		for _, t := range r.c.Tags {
			tagIDs, tags = append(tagIDs, ids[int64(r.line)]), append(tags, t)
		}
	}
	if len(tags) > 0 {
		if _, err := st.exec(ctx, pgInsertCustomerTags, tagIDs, tags); err != nil {
			return fmt.Errorf("customer tags: %w", err)
		}
	}
	return nil
}

// Orders --------------------------------------------------------------------

// orderConflict is shared by both engines: an order id seen before is
// updated only when its content changed and it was not written by this same
// run (a repeat within one file is reported instead, see orderDuplicate).
// A row without a channel keeps the stored one: the same export imported
// again without --channel must not take the orders out of the channel
// reports.
const orderConflict = `ON CONFLICT (external_id) DO UPDATE SET customer_id = excluded.customer_id,
    ordered_at = excluded.ordered_at, amount = excluded.amount, currency = excluded.currency,
    channel = COALESCE(NULLIF(excluded.channel, ''), orders.channel), status = excluded.status, row_hash = excluded.row_hash,
    import_run = excluded.import_run, src_line = excluded.src_line
WHERE orders.row_hash <> excluded.row_hash AND orders.import_run <> excluded.import_run`

const (
	maxOrderID        = `SELECT COALESCE(max(id), 0) FROM orders`
	countOrdersAfter  = `SELECT count(*) FROM orders WHERE id > $1`
	deleteOrderLines  = `DELETE FROM order_lines WHERE order_id = $1`
	insertOrderLine   = `INSERT INTO order_lines (order_id, line_no, sku, name, category, quantity, unit_price, amount) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	insertCustomerMin = `INSERT INTO customers (external_id, name, phone, email, channel, city, region, created_at, updated_at, import_run, src_line)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`
	findCustomerIDByPhone = `SELECT min(id) FROM customers WHERE phone = $1`
	findCustomerIDByEmail = `SELECT min(id) FROM customers WHERE email = $1`
)

// orderDuplicate explains an order id met twice in one file.
func orderDuplicate(o *order.Order, sameContent bool, firstLine int, withLines bool) importer.RowReject {
	reason := importer.Duplicate(importer.LabelOrderID, o.ExternalID, firstLine, sameContent)
	if withLines {
		reason = kith.Msg("lines.far", "lines of order %s are far from its earlier lines (line %d): sort the file by order id", o.ExternalID, firstLine)
	}
	return importer.RowReject{Field: "order_id", Code: "duplicate", Reason: reason}
}

// imported explains a customer or product met again in one file, found
// in the database as imported from an earlier line.
func imported(what *kith.Message, key string, first int) *kith.Message {
	return kith.Msg("duplicate.imported", "duplicate %v %s: already imported from line %d of this file", what, key, first)
}

// ordersChunk is how many orders one multi-row upsert carries: per-statement
// overhead (bind, step, reset through database/sql) is then paid once per
// chunk instead of once per row.
const ordersChunk = 100

// appendPadded appends the arguments of n items to args, the items from k
// on repeating item k-1: a fixed-size statement, prepared once per
// transaction, for any number of items up to n. The repeats change nothing
// (IN, DO NOTHING and stamps see the same item again).
func appendPadded(args []any, n, k int, item func(args []any, i int) []any) []any {
	for i := 0; i < n; i++ {
		args = item(args, min(i, k-1))
	}
	return args
}

// findOrdersSQL looks up an upsert chunk's rows at once, and stampSQL
// stamps ordersChunk rows of a table (SQLite, hence ?; padded with repeats
// of the last row, which change nothing, so each is prepared once per
// transaction).
var (
	findOrdersSQL = `SELECT external_id, id, row_hash, import_run, src_line FROM orders WHERE external_id IN (` +
		strings.TrimSuffix(strings.Repeat("?, ", ordersChunk), ", ") + `)`
	stampOrdersSQL    = stampSQL("orders")
	stampCustomersSQL = stampSQL("customers")
)

func stampSQL(table string) string {
	return `UPDATE ` + table + ` SET import_run = ?, src_line = v.column2 FROM (VALUES ` +
		strings.TrimSuffix(strings.Repeat("(?, ?), ", ordersChunk), ", ") + `) AS v WHERE ` + table + `.id = v.column1`
}

// findOrders returns the stored state of the chunk's rows at the indexes
// given, by order id.
func findOrders(ctx context.Context, st *txStmts, chunk []importer.Row[order.Order], at []int) (map[string]existing, error) {
	args := appendPadded(nil, ordersChunk, len(at), func(a []any, i int) []any { return append(a, chunk[at[i]].V.ExternalID) })
	q, err := st.stmt(ctx, findOrdersSQL)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]existing, len(at))
	for rows.Next() {
		var ext string
		var e existing
		if err := rows.Scan(&ext, &e.id, &e.hash, &e.run, &e.srcLine); err != nil {
			return nil, err
		}
		out[ext] = e
	}
	return out, rows.Err()
}

// stampRows marks rows as met by run with q, a stampSQL, ordersChunk at a
// time.
func stampRows(ctx context.Context, st *txStmts, q string, run int64, stamps []stamp) error {
	args := make([]any, 0, 1+2*ordersChunk)
	for start := 0; start < len(stamps); start += ordersChunk {
		part := stamps[start:min(start+ordersChunk, len(stamps))]
		args = appendPadded(append(args[:0], run), ordersChunk, len(part), func(a []any, i int) []any { return append(a, part[i].id, part[i].line) })
		if _, err := st.exec(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// upsertOrdersSQL is the upsert of k orders. It is SQLite's (PostgreSQL
// loads through COPY) and uses ? placeholders: modernc resolves each $N by a
// linear search of the statement's parameter names, quadratic in a
// 1000-parameter statement, while ? needs no name.
//
// firstLoad gives INSERT OR IGNORE instead: in a first load every order
// already there was written by this run, which is exactly what the upsert
// leaves alone, and skipping the upsert machinery is about 8% of the load.
// (IGNORE also covers NOT NULL, which the parser's values cannot break, and
// the load runs without CHECK constraints, so WriteOrders checks the status
// itself; an order ignored for any reason is looked up afterwards, and one
// not found fails the import rather than being lost.)
//
// returning adds RETURNING id, external_id (line items: the orders written
// get their lines). The texts are built once: a 1M-row import asks for
// one 10,000 times, and building each was 2-3% of a first load's CPU.
func upsertOrdersSQL(k int, firstLoad, returning bool) string {
	i := k
	if firstLoad {
		i += ordersChunk + 1
	}
	if returning {
		i += 2 * (ordersChunk + 1)
	}
	upsertTexts.once[i].Do(func() {
		var b strings.Builder
		if firstLoad {
			b.WriteString(`INSERT OR IGNORE`)
		} else {
			b.WriteString(`INSERT`)
		}
		b.WriteString(` INTO orders (external_id, customer_id, ordered_at, amount, currency, channel, status, row_hash, import_run, src_line) VALUES `)
		for j := 0; j < k; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		}
		if !firstLoad {
			b.WriteString(" " + orderConflict)
		}
		if returning {
			b.WriteString(" RETURNING id, external_id")
		}
		upsertTexts.text[i] = b.String()
	})
	return upsertTexts.text[i]
}

// upsertTexts are upsertOrdersSQL's texts: 1 to ordersChunk rows, each with
// firstLoad and returning or not.
var upsertTexts struct {
	once [4 * (ordersChunk + 1)]sync.Once
	text [4 * (ordersChunk + 1)]string
}

// lookupChunk is how many customer ids one IN lookup carries.
const lookupChunk = 500

// findCustomersSQL looks up lookupChunk customers and insertCustomersSQL
// creates ordersChunk, insertPlacedCustomersSQL with their city and region
// (SQLite only, hence ?).
var (
	findCustomersSQL = `SELECT id, external_id FROM customers WHERE external_id IN (` +
		strings.TrimSuffix(strings.Repeat("?, ", lookupChunk), ", ") + `)`
	insertCustomersSQL       = customersFromOrdersSQL("")
	insertPlacedCustomersSQL = customersFromOrdersSQL("city, region, ")
	maxCustomerID            = `SELECT COALESCE(max(id), 0) FROM customers`
)

// customersFromOrdersSQL inserts ordersChunk customers an orders file
// creates, with the place columns given (resolveBatchCustomers).
func customersFromOrdersSQL(place string) string {
	cols := "id, external_id, name, phone, email, channel, " + place + "created_at, updated_at, import_run, src_line"
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", strings.Count(cols, ",")+1), ", ") + "), "
	return `INSERT INTO customers (` + cols + `) VALUES ` + strings.TrimSuffix(strings.Repeat(row, ordersChunk), ", ") + ` ON CONFLICT DO NOTHING`
}

// releaseSeen drops the run's table of what it found unchanged
// (PostgreSQL) and gives back the connection that held it.
func (st *runState) releaseSeen() {
	if st.seen != nil {
		st.seen.release()
	}
	if st.seenCustomers != nil {
		releaseSeenCustomers(st.seenCustomers)
	}
}

// takeRunState ends run's state: it returns it, or an empty one for a run
// this store did not begin.
func takeRunState(run int64) *runState {
	v, _ := runs.LoadAndDelete(run)
	if st, _ := v.(*runState); st != nil {
		return st
	}
	return &runState{}
}

// runState is the state of run, or a fresh one for a run this store did not
// begin.
func (s *Store) runState(run int64) *runState {
	v, _ := runs.Load(run)
	if st, _ := v.(*runState); st != nil {
		return st
	}
	return &runState{customers: map[string]int64{}}
}

// WriteOrders stores a batch of orders in one transaction (or, in a first
// load, as part of the load's transaction).
func (s *Store) WriteOrders(ctx context.Context, run int64, rows []importer.Row[order.Order], withLines bool) (importer.BatchResult, error) {
	if s.pg != nil {
		return s.writeOrdersPG(ctx, s.runState(run), run, rows, withLines)
	}
	state := s.runState(run)
	var res importer.BatchResult
	pending := map[string]int64{} // customers created in this transaction
	err := s.importTx(ctx, state, func(tx *sql.Tx) error {
		res = importer.BatchResult{}
		clear(pending)
		var maxBefore int64
		if err := tx.QueryRowContext(ctx, maxOrderID).Scan(&maxBefore); err != nil {
			return err
		}
		var err error
		st := state.stmtsFor(tx)
		now := s.d.ts(s.Now())
		affected := 0
		lw := &lineWriter{tx: tx, stmts: map[int]*sql.Stmt{}}
		defer lw.close()
		// The rows to write, and each one's index in rows (nil: the same).
		todo, origin := rows, []int(nil)
		if state.settleFirst {
			if todo, origin, err = settleStoredLite(ctx, st, rows, run, withLines, &res); err != nil {
				return err
			}
		}
		index := func(i int) int {
			if origin == nil {
				return i
			}
			return origin[i]
		}
		placed, err := fillPlaces(state, rows, func(q string, args ...any) (int64, error) {
			r, err := st.exec(ctx, q, args...)
			if err != nil {
				return 0, err
			}
			return r.RowsAffected()
		}, now, false)
		if err != nil {
			return err
		}
		res.CustomersPlaced = placed
		n, err := s.resolveBatchCustomers(ctx, st, todo, state.customers, pending, run, now)
		if err != nil {
			return err
		}
		res.CustomersCreated = n
		for i := range todo {
			if r := &todo[i]; !r.V.Status.Valid() { // a SQLite first load runs without CHECK constraints
				return fmt.Errorf("order line %d: status %q is not paid, refunded or cancelled", r.Line, r.V.Status)
			}
		}
		stop := make(chan struct{})
		defer close(stop)
		free := make(chan []any, 3) // argument buffers back from the statements
		recycle := func(args []any) {
			select {
			case free <- args:
			default: // the builder made no more than three
			}
		}
		built := s.orderArgs(todo, state.customers, pending, run, free, stop)
		for start := 0; start < len(todo); start += ordersChunk {
			chunk := todo[start:min(start+ordersChunk, len(todo))]
			args := <-built
			q := upsertOrdersSQL(len(chunk), state.fresh, withLines)
			var written map[string]int64 // withLines: the orders the upsert wrote
			if withLines {
				up, err := st.stmt(ctx, q)
				if err != nil {
					return err
				}
				written = map[string]int64{}
				got, err := up.QueryContext(ctx, args...)
				if err == nil {
					_, err = scanIDs(got, written, nil)
				}
				recycle(args)
				if err != nil {
					return fmt.Errorf("orders at lines %d-%d: %w", chunk[0].Line, chunk[len(chunk)-1].Line, err)
				}
				affected += len(written)
			} else {
				n, err := st.execN(ctx, q, args)
				recycle(args)
				if err != nil {
					return fmt.Errorf("orders at lines %d-%d: %w", chunk[0].Line, chunk[len(chunk)-1].Line, err)
				}
				affected += int(n)
				if int(n) == len(chunk) {
					continue // every row was written: the common case of a first import
				}
			}
			// Rows the upsert left alone are unchanged or a repeat within
			// this file: looked up together, the unchanged ones stamped
			// together (a re-run of a whole file is all such rows).
			var alone []int
			for i := range chunk {
				r := &chunk[i]
				if id, ok := written[r.V.ExternalID]; ok {
					// A new order has no lines yet; an updated one loses its old ones.
					if id <= maxBefore {
						if _, err := st.exec(ctx, deleteOrderLines, id); err != nil {
							return fmt.Errorf("order line %d: %w", r.Line, err)
						}
					}
					if err := lw.add(ctx, id, r.V.Lines); err != nil {
						return fmt.Errorf("order line %d: %w", r.Line, err)
					}
					continue
				}
				alone = append(alone, i)
			}
			if len(alone) == 0 {
				continue
			}
			stored, err := findOrders(ctx, st, chunk, alone)
			if err != nil {
				return fmt.Errorf("orders at lines %d-%d: %w", chunk[0].Line, chunk[len(chunk)-1].Line, err)
			}
			var stamps []stamp
			for _, i := range alone {
				r := &chunk[i]
				e, ok := stored[r.V.ExternalID]
				if !ok {
					return fmt.Errorf("order line %d: order %s not found after its upsert", r.Line, r.V.ExternalID)
				}
				switch {
				case e.run == run && e.srcLine == r.Line: // written by this statement
				case e.run == run:
					rj := orderDuplicate(&r.V, e.hash == int64(r.V.Hash()), e.srcLine, withLines)
					rj.Index = index(start + i)
					res.Rejects = append(res.Rejects, rj)
				default: // unchanged: stamped so a repeat later in the file is caught
					stamps = append(stamps, stamp{id: e.id, line: r.Line})
				}
			}
			if err := stampRows(ctx, st, stampOrdersSQL, run, stamps); err != nil {
				return fmt.Errorf("orders at lines %d-%d: %w", chunk[0].Line, chunk[len(chunk)-1].Line, err)
			}
		}
		if err := lw.flush(ctx); err != nil {
			return fmt.Errorf("order lines: %w", err)
		}
		var created int
		if err := tx.QueryRowContext(ctx, countOrdersAfter, maxBefore).Scan(&created); err != nil {
			return err
		}
		res.Created, res.Updated = created, affected-created
		res.Unchanged = len(rows) - affected - len(res.Rejects)
		switch {
		case affected > 0: // orders changed: the order snapshot is stale
			if _, err := tx.ExecContext(ctx, bumpOrdersVersion); err != nil {
				return err
			}
		case placed > 0:
			if _, err := tx.ExecContext(ctx, bumpDataVersion); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		// Runs of unchanged orders (an export that overlaps the last one)
		// come together: the next batch settles them first if this one
		// was half or more such.
		state.settleFirst = !state.fresh && 2*res.Unchanged >= len(rows)
		if len(state.customers)+len(pending) > maxCachedCustomers {
			clear(state.customers)
			state.seedAliases()
		}
		for k, v := range pending {
			state.customers[k] = v
		}
	}
	return res, err
}

// orderArgs builds the insert arguments of rows, ordersChunk rows a chunk,
// on a goroutine of its own, so that the writer executes one chunk while
// the next is built: building them (timestamps, hashes, customer ids,
// boxing) was a sixth of a first load's writer, and the writer is what
// bounds it. Buffers come back on free; stop ends it early. The customer
// maps are only read while it runs.
func (s *Store) orderArgs(rows []importer.Row[order.Order], cache, pending map[string]int64, run int64,
	free chan []any, stop <-chan struct{}) <-chan []any {
	out := make(chan []any, 1)
	go func() {
		defer close(out)
		for start := 0; start < len(rows); start += ordersChunk {
			var args []any
			select {
			case args = <-free:
			default:
				args = make([]any, 0, 10*ordersChunk)
			}
			args = args[:0]
			for i := start; i < min(start+ordersChunk, len(rows)); i++ {
				r := &rows[i]
				o := &r.V
				key := o.Customer.String()
				cid, ok := cache[key]
				if !ok {
					cid = pending[key]
				}
				args = append(args, o.ExternalID, cid, s.d.ts(o.OrderedAt), o.Amount, o.Currency, o.Channel, string(o.Status), int64(o.Hash()), run, r.Line)
			}
			select {
			case out <- args:
			case <-stop:
				return
			}
		}
	}()
	return out
}

// settleStoredLite looks a batch's orders up before any is written and
// takes out those that need no write: unchanged ones, stamped so that a
// repeat later in the file is caught, and repeats of an order this run
// wrote or met, rejected. It returns the other rows (new or changed), with
// each one's index in rows. For a batch of stored orders this is a lookup
// and a stamp a row, where writing first was an upsert that changed
// nothing, then both (a re-import of 1M orders: 8.7-9.6 -> 4.0-4.2 s).
func settleStoredLite(ctx context.Context, st *txStmts, rows []importer.Row[order.Order], run int64, withLines bool,
	res *importer.BatchResult) ([]importer.Row[order.Order], []int, error) {
	todo := make([]importer.Row[order.Order], 0, len(rows))
	origin := make([]int, 0, len(rows))
	var stamps []stamp
	at := make([]int, 0, ordersChunk)
	for start := 0; start < len(rows); start += ordersChunk {
		chunk := rows[start:min(start+ordersChunk, len(rows))]
		at = at[:0]
		for i := range chunk {
			at = append(at, i)
		}
		stored, err := findOrders(ctx, st, chunk, at)
		if err != nil {
			return nil, nil, fmt.Errorf("orders at lines %d-%d: %w", chunk[0].Line, chunk[len(chunk)-1].Line, err)
		}
		for i := range chunk {
			r := &chunk[i]
			e, ok := stored[r.V.ExternalID]
			same := ok && e.hash == int64(r.V.Hash())
			switch {
			case ok && e.run == run:
				rj := orderDuplicate(&r.V, same, e.srcLine, withLines)
				rj.Index = start + i
				res.Rejects = append(res.Rejects, rj)
			case same:
				stamps = append(stamps, stamp{id: e.id, line: r.Line})
			default:
				todo = append(todo, *r)
				origin = append(origin, start+i)
			}
		}
	}
	if err := stampRows(ctx, st, stampOrdersSQL, run, stamps); err != nil {
		return nil, nil, fmt.Errorf("orders at lines %d-%d: %w", rows[0].Line, rows[len(rows)-1].Line, err)
	}
	return todo, origin, nil
}

// resolveBatchCustomers finds the customer ids of a batch's orders, creating
// unknown customers. Customers named by external id (the usual case) are
// looked up lookupChunk at a time with IN and the missing ones created
// ordersChunk at a time by an insert that returns their ids; phone and
// email keys go one by one. Ids found go into pending.
func (s *Store) resolveBatchCustomers(ctx context.Context, st *txStmts, rows []importer.Row[order.Order],
	cache, pending map[string]int64, run int64, now any) (int, error) {
	created := 0
	var want []*importer.Row[order.Order] // first row of each unknown external id
	seen := map[string]bool{}
	for i := range rows {
		r := &rows[i]
		key := r.V.Customer.String()
		if _, ok := cache[key]; ok {
			continue
		}
		if _, ok := pending[key]; ok || seen[key] {
			continue
		}
		if r.V.Customer.ExternalID == "" {
			id, made, err := s.resolveCustomer(ctx, st, &r.V, run, r.Line, now)
			if err != nil {
				return 0, fmt.Errorf("order line %d: %w", r.Line, err)
			}
			pending[key] = id
			if made {
				created++
			}
			continue
		}
		seen[key] = true
		want = append(want, r)
	}
	// Fixed-size statements (appendPadded).
	args := make([]any, 0, max(lookupChunk, 12*ordersChunk))
	for start := 0; start < len(want); start += lookupChunk {
		part := want[start:min(start+lookupChunk, len(want))]
		args = appendPadded(args[:0], lookupChunk, len(part), func(a []any, i int) []any { return append(a, part[i].V.Customer.ExternalID) })
		q, err := st.stmt(ctx, findCustomersSQL)
		if err != nil {
			return 0, fmt.Errorf("find customers: %w", err)
		}
		rows, err := q.QueryContext(ctx, args...)
		if err != nil {
			return 0, fmt.Errorf("find customers: %w", err)
		}
		if _, err := scanIDs(rows, pending, customerIDKey); err != nil {
			return 0, fmt.Errorf("find customers: %w", err)
		}
	}
	missing := want[:0]
	for _, r := range want {
		if _, ok := pending[r.V.Customer.String()]; !ok {
			missing = append(missing, r)
		}
	}
	if len(missing) == 0 {
		return created, nil
	}
	// The new customers' ids are given here, as SQLite would give them
	// (after the largest), rather than read back through RETURNING: that
	// reading was a fifth of creating them. The writer's transactions
	// begin IMMEDIATE (openSQLite), holding the write lock throughout, so
	// no other connection adds a customer between the lookup of the
	// largest id and the inserts.
	var last int64
	if err := st.scan(ctx, maxCustomerID, nil, &last); err != nil {
		return 0, fmt.Errorf("create customers: %w", err)
	}
	for start := 0; start < len(missing); start += ordersChunk {
		part := missing[start:min(start+ordersChunk, len(missing))]
		// Most order files say nothing of where their buyers live; binding
		// the two empty columns anyway cost a first load 2-3%.
		q, placed := insertCustomersSQL, slices.ContainsFunc(part, func(r *importer.Row[order.Order]) bool {
			return r.V.CustomerCity != "" || r.V.CustomerRegion != ""
		})
		if placed {
			q = insertPlacedCustomersSQL
		}
		args = appendPadded(args[:0], ordersChunk, len(part), func(a []any, i int) []any {
			r := part[i]
			o := &r.V
			a = append(a, last+1+int64(i), o.Customer.ExternalID, o.CustomerName, nullStr(o.Customer.Phone), nullStr(o.Customer.Email), o.CustomerChannel)
			if placed {
				a = append(a, o.CustomerCity, o.CustomerRegion)
			}
			return append(a, s.d.ts(o.OrderedAt), now, run, r.Line)
		})
		// The padding repeats the last row and changes nothing; a row that
		// met a customer the lookup did not find would leave its orders
		// pointing nowhere, so it stops the import.
		if err := st.execAll(ctx, q, args, len(part)); err != nil {
			return 0, fmt.Errorf("create customers at lines %d-%d: %w", part[0].Line, part[len(part)-1].Line, err)
		}
		for i, r := range part {
			pending[r.V.Customer.String()] = last + 1 + int64(i)
		}
		last += int64(len(part))
		created += len(part)
	}
	return created, nil
}

// A customer known before an orders run began, with no province or city,
// takes them from the first of its order rows in the run that has them
// (where the order was sent, Taobao's 收货地址): a member list imported
// first seldom says where its members live. A place a customer has is never
// changed. The customer is found by the key the row names, as the order's
// customer is, so that rows of orders stored before (settled without
// resolving their customer) give their place too; a key of a customer
// merged into another gives it to that one.
var fillPlacesSQL = map[bool][]string{
	false: { // SQLite: by external id, phone, email
		fillPlacesLite(`customers.external_id = p.value ->> 0`),
		fillPlacesLite(`customers.id = (SELECT min(c.id) FROM customers c WHERE c.phone = p.value ->> 0)`),
		fillPlacesLite(`customers.id = (SELECT min(c.id) FROM customers c WHERE c.email = p.value ->> 0)`),
		fillPlacesLite(`customers.id = CAST(p.value ->> 0 AS INTEGER)`), // a merged customer's key: the survivor, by id
	},
	true: {
		fillPlacesPG(`c.external_id = p.value ->> 0`),
		fillPlacesPG(`c.id = (SELECT min(k.id) FROM customers k WHERE k.phone = p.value ->> 0)`),
		fillPlacesPG(`c.id = (SELECT min(k.id) FROM customers k WHERE k.email = p.value ->> 0)`),
		fillPlacesPG(`c.id = (p.value ->> 0)::bigint`),
	},
}

func fillPlacesLite(match string) string {
	return `UPDATE customers SET city = p.value ->> 1, region = p.value ->> 2, updated_at = $1 FROM json_each($2) AS p
WHERE ` + match + ` AND customers.id <= $3 AND customers.city = '' AND customers.region = ''`
}

func fillPlacesPG(match string) string {
	return `UPDATE customers c SET city = p.value ->> 1, region = p.value ->> 2, updated_at = $1
FROM jsonb_array_elements($2::jsonb) AS p(value)
WHERE ` + match + ` AND c.id <= $3 AND c.city = '' AND c.region = ''`
}

// fillPlaces gives the batch's customers known before the run the place of
// their first row that has one (fillPlacesSQL), running each statement
// through exec; it returns how many customers it gave one.
func fillPlaces(st *runState, rows []importer.Row[order.Order], exec func(q string, args ...any) (int64, error), now any, pg bool) (int, error) {
	if st.customersBefore == 0 {
		return 0, nil // no customer to fill: a first load into an empty shop
	}
	var byKey [4][][3]string // external id, phone, email, a merged key's survivor's id: [key, city, region]
	taken := map[string]bool{}
	for i := range rows {
		o := &rows[i].V
		if o.CustomerCity == "" && o.CustomerRegion == "" {
			continue
		}
		k := o.Customer
		key := k.String()
		if taken[key] {
			continue
		}
		taken[key] = true
		switch {
		case len(st.aliases) > 0 && st.aliases[key] != 0:
			byKey[3] = append(byKey[3], [3]string{strconv.FormatInt(st.aliases[key], 10), o.CustomerCity, o.CustomerRegion})
		case k.ExternalID != "":
			byKey[0] = append(byKey[0], [3]string{k.ExternalID, o.CustomerCity, o.CustomerRegion})
		case k.Phone != "":
			byKey[1] = append(byKey[1], [3]string{k.Phone, o.CustomerCity, o.CustomerRegion})
		default:
			byKey[2] = append(byKey[2], [3]string{k.Email, o.CustomerCity, o.CustomerRegion})
		}
	}
	placed := 0
	for i, places := range byKey {
		if len(places) == 0 {
			continue
		}
		data, err := json.Marshal(places)
		if err != nil {
			return 0, err
		}
		n, err := exec(fillPlacesSQL[pg][i], now, string(data), st.customersBefore)
		if err != nil {
			return 0, fmt.Errorf("customers' places: %w", err)
		}
		placed += int(n)
	}
	return placed, nil
}

// replaceLines sets one order's lines (API order creation, both engines).
func replaceLines(ctx context.Context, tx *sql.Tx, orderID int64, lines []order.Line) error {
	if _, err := tx.ExecContext(ctx, deleteOrderLines, orderID); err != nil {
		return err
	}
	for j, l := range lines {
		if _, err := tx.ExecContext(ctx, insertOrderLine, orderID, j+1, l.SKU, l.Name, l.Category, l.Quantity, l.UnitPrice, l.Amount); err != nil {
			return err
		}
	}
	return nil
}

// scanIDs reads (id, key) rows into ids, each key through keyOf (nil: as
// it is), and closes them; it returns how many it read.
func scanIDs[K comparable](rows *sql.Rows, ids map[K]int64, keyOf func(K) K) (int, error) {
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id int64
		var k K
		if err := rows.Scan(&id, &k); err != nil {
			return n, err
		}
		if keyOf != nil {
			k = keyOf(k)
		}
		ids[k] = id
		n++
	}
	return n, rows.Err()
}

// customerIDKey is a customer's key in the run's cache for an external id.
func customerIDKey(ext string) string { return "id:" + ext }

// linesChunk is how many order lines one multi-row insert carries.
const linesChunk = 100

// lineWriter inserts order lines linesChunk at a time (SQLite, hence ?).
type lineWriter struct {
	tx    *sql.Tx
	stmts map[int]*sql.Stmt // by row count
	args  []any
}

func (w *lineWriter) add(ctx context.Context, orderID int64, lines []order.Line) error {
	for j, l := range lines {
		w.args = append(w.args, orderID, j+1, l.SKU, l.Name, l.Category, l.Quantity, l.UnitPrice, l.Amount)
		if len(w.args) == 8*linesChunk {
			if err := w.flush(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *lineWriter) flush(ctx context.Context) error {
	n := len(w.args) / 8
	if n == 0 {
		return nil
	}
	st := w.stmts[n]
	if st == nil {
		q := `INSERT INTO order_lines (order_id, line_no, sku, name, category, quantity, unit_price, amount) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?), ", n), ", ")
		var err error
		if st, err = w.tx.PrepareContext(ctx, q); err != nil {
			return err
		}
		w.stmts[n] = st
	}
	if _, err := st.ExecContext(ctx, w.args...); err != nil {
		return err
	}
	w.args = w.args[:0]
	return nil
}

func (w *lineWriter) close() {
	for _, st := range w.stmts {
		st.Close()
	}
}

// resolveCustomer finds an order's customer named by phone or email (those
// named by external id go through resolveBatchCustomers' batch), creating it
// from the row's customer fields when unknown.
func (s *Store) resolveCustomer(ctx context.Context, st *txStmts, o *order.Order, run int64, line int, now any) (int64, bool, error) {
	var id sql.NullInt64
	k := o.Customer
	var err error
	switch {
	case k.Phone != "":
		err = st.scan(ctx, findCustomerIDByPhone, []any{k.Phone}, &id)
	default:
		err = st.scan(ctx, findCustomerIDByEmail, []any{k.Email}, &id)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, false, err
	}
	if id.Valid {
		return id.Int64, false, nil
	}
	var newID int64
	err = st.scan(ctx, insertCustomerMin, []any{nullStr(k.ExternalID), o.CustomerName, nullStr(k.Phone), nullStr(k.Email),
		o.CustomerChannel, o.CustomerCity, o.CustomerRegion, s.d.ts(o.OrderedAt), now, run, line}, &newID)
	return newID, err == nil, err
}

// Spend, traffic, products -------------------------------------------------------

const (
	upsertSpend = `INSERT INTO spend (day, channel, kind, amount, currency, import_run) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (day, channel, kind) DO UPDATE SET amount = excluded.amount, currency = excluded.currency, import_run = excluded.import_run
WHERE spend.amount <> excluded.amount OR spend.currency <> excluded.currency`
	maxSpendID      = `SELECT COALESCE(max(id), 0) FROM spend`
	countSpendAfter = `SELECT count(*) FROM spend WHERE id > $1`
	upsertTraffic   = `INSERT INTO traffic (day, channel, visitors, conversions, import_run) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (day, channel) DO UPDATE SET visitors = excluded.visitors, conversions = excluded.conversions, import_run = excluded.import_run
WHERE traffic.visitors <> excluded.visitors OR traffic.conversions <> excluded.conversions`
	maxTrafficID      = `SELECT COALESCE(max(id), 0) FROM traffic`
	countTrafficAfter = `SELECT count(*) FROM traffic WHERE id > $1`
	findProduct       = `SELECT row_hash, import_run, src_line FROM products WHERE sku = $1`
	stampProduct      = `UPDATE products SET import_run = $1, src_line = $2 WHERE sku = $3`
	upsertProduct     = `INSERT INTO products (sku, name, category, consumption_days, service_interval_days, lifespan_days, row_hash, import_run, src_line)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (sku) DO UPDATE SET name = excluded.name, category = excluded.category, consumption_days = excluded.consumption_days,
    service_interval_days = excluded.service_interval_days, lifespan_days = excluded.lifespan_days,
    row_hash = excluded.row_hash, import_run = excluded.import_run, src_line = excluded.src_line`
)

// upsertCounted runs one upsert per row whose conflict clause skips equal
// rows, and counts created rows by id.
func (s *Store) upsertCounted(ctx context.Context, n int, maxQ, countQ, upsert string, args func(i int) []any) (importer.BatchResult, error) {
	var res importer.BatchResult
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res = importer.BatchResult{}
		var maxBefore int64
		if err := tx.QueryRowContext(ctx, maxQ).Scan(&maxBefore); err != nil {
			return err
		}
		affected := 0
		up, err := tx.PrepareContext(ctx, upsert)
		if err != nil {
			return err
		}
		defer up.Close()
		for i := 0; i < n; i++ {
			r, err := up.ExecContext(ctx, args(i)...)
			if err != nil {
				return err
			}
			k, _ := r.RowsAffected()
			affected += int(k)
		}
		var created int
		if err := tx.QueryRowContext(ctx, countQ, maxBefore).Scan(&created); err != nil {
			return err
		}
		res.Created, res.Updated, res.Unchanged = created, affected-created, n-affected
		if affected > 0 {
			if _, err := tx.ExecContext(ctx, bumpDataVersion); err != nil {
				return err
			}
		}
		return nil
	})
	return res, err
}

// WriteSpend stores spend per day, channel and kind (the importer has summed
// the file's rows per key).
func (s *Store) WriteSpend(ctx context.Context, run int64, rows []importer.Row[order.Spend]) (importer.BatchResult, error) {
	return s.upsertCounted(ctx, len(rows), maxSpendID, countSpendAfter, upsertSpend, func(i int) []any {
		v := &rows[i].V
		return []any{s.d.day(v.Date), v.Channel, v.Kind, v.Amount, v.Currency, run}
	})
}

// WriteTraffic stores visitors and conversions per day and channel.
func (s *Store) WriteTraffic(ctx context.Context, run int64, rows []importer.Row[order.Traffic]) (importer.BatchResult, error) {
	return s.upsertCounted(ctx, len(rows), maxTrafficID, countTrafficAfter, upsertTraffic, func(i int) []any {
		v := &rows[i].V
		return []any{s.d.day(v.Date), v.Channel, v.Visitors, v.Conversions, run}
	})
}

// WriteProducts stores products by SKU.
func (s *Store) WriteProducts(ctx context.Context, run int64, rows []importer.Row[order.Product]) (importer.BatchResult, error) {
	var res importer.BatchResult
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res = importer.BatchResult{}
		st := newTxStmts(tx)
		defer st.close()
		for i, r := range rows {
			p := &r.V
			hash := int64(p.Hash())
			var e existing
			err := st.scan(ctx, findProduct, []any{p.SKU}, &e.hash, &e.run, &e.srcLine)
			found := err == nil
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("product line %d: %w", r.Line, err)
			}
			switch {
			case found && e.run == run:
				res.Rejects = append(res.Rejects, importer.RowReject{Index: i, Field: "sku", Code: "duplicate",
					Reason: imported(importer.LabelSKU, p.SKU, e.srcLine)})
				continue
			case found && e.hash == hash:
				if _, err := st.exec(ctx, stampProduct, run, r.Line, p.SKU); err != nil {
					return fmt.Errorf("product line %d: %w", r.Line, err)
				}
				res.Unchanged++
				continue
			case found:
				res.Updated++
			default:
				res.Created++
			}
			if _, err := st.exec(ctx, upsertProduct, p.SKU, p.Name, p.Category, p.ConsumptionDays, p.ServiceIntervalDays, p.LifespanDays, hash, run, r.Line); err != nil {
				return fmt.Errorf("product line %d: %w", r.Line, err)
			}
		}
		return nil
	})
	return res, err
}

// findStoredOrdersSQL reads lookupChunk stored orders, with the keys of
// their customers, for a line-item file that names only its orders
// (placeholders padded with repeats of the last id).
var findStoredOrdersSQL = func() string {
	ph := make([]string, lookupChunk)
	for i := range ph {
		ph[i] = fmt.Sprintf("$%d", i+1)
	}
	return `SELECT o.external_id, c.external_id, COALESCE(c.phone, ''), COALESCE(c.email, ''), o.ordered_at, o.amount, o.currency, o.channel, o.status
FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.external_id IN (` + strings.Join(ph, ", ") + `)`
}()

// FindOrders returns the stored orders among ids, by external id, each
// with its customer's key (importer.OrderFinder).
func (s *Store) FindOrders(ctx context.Context, ids []string) (map[string]order.Order, error) {
	found := make(map[string]order.Order, len(ids))
	args := make([]any, 0, lookupChunk)
	for start := 0; start < len(ids); start += lookupChunk {
		part := ids[start:min(start+lookupChunk, len(ids))]
		args = appendPadded(args[:0], lookupChunk, len(part), func(a []any, i int) []any { return append(a, part[i]) })
		rows, err := s.rd.QueryContext(ctx, findStoredOrdersSQL, args...)
		if err != nil {
			return nil, fmt.Errorf("find orders: %w", err)
		}
		for rows.Next() {
			var o order.Order
			var at dbTime
			var status string
			if err := rows.Scan(&o.ExternalID, &o.Customer.ExternalID, &o.Customer.Phone, &o.Customer.Email, &at, &o.Amount, &o.Currency, &o.Channel, &status); err != nil {
				rows.Close()
				return nil, fmt.Errorf("find orders: %w", err)
			}
			// The customer is found by the first key it has, as an import
			// would name it.
			if o.Customer.ExternalID != "" {
				o.Customer.Phone, o.Customer.Email = "", ""
			} else if o.Customer.Phone != "" {
				o.Customer.Email = ""
			}
			o.OrderedAt, o.Status = at.Time, order.Status(status)
			found[o.ExternalID] = o
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("find orders: %w", err)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("find orders: %w", err)
		}
	}
	return found, nil
}
