package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kithcrm/kith/internal/report"
)

// selectPurchases reads only columns of the covering index
// orders_customer_time, so the scan never visits the table.
const selectPurchases = `SELECT customer_id, ordered_at, amount FROM orders
WHERE status = 'paid' ORDER BY customer_id, ordered_at`

// selectCurrency is the currency of the latest order: amounts are taken in
// it (a shop mixing currencies would need conversion first).
const selectCurrency = `SELECT currency FROM orders ORDER BY id DESC LIMIT 1`

// Purchases loads every paid order up to until, in customer then time
// order, from the order snapshot (see order_snapshot.go).
func (s *Store) Purchases(ctx context.Context, until time.Time) (*report.Purchases, error) {
	p := &report.Purchases{}
	if err := s.rd.QueryRowContext(ctx, selectCurrency).Scan(&p.Currency); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("purchases: %w", err)
	}
	if err := s.snapshotPurchases(ctx, until, p); err != nil {
		return nil, fmt.Errorf("purchases: %w", err)
	}
	return p, nil
}

// scanAllPurchases encodes every paid order from the orders table, in
// one ordered scan of the covering index.
func (s *Store) scanAllPurchases(ctx context.Context) (*snapEncoder, error) {
	e := &snapEncoder{}
	if s.pg != nil {
		rows, err := s.pg.Query(ctx, selectPurchases)
		if err != nil {
			return nil, fmt.Errorf("purchases: %w", err)
		}
		var id, amount int64
		var at time.Time
		_, err = pgx.ForEachRow(rows, []any{&id, &at, &amount}, func() error {
			e.add(id, at.Unix(), amount)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("purchases: %w", err)
		}
		return e, nil
	}
	return s.sqlitePurchases(ctx)
}

const (
	customerRange          = `SELECT COALESCE(min(customer_id), 0), COALESCE(max(customer_id), 0) FROM orders`
	selectPurchasesInRange = `SELECT customer_id, ordered_at, amount FROM orders
WHERE status = 'paid' AND customer_id BETWEEN $1 AND $2 ORDER BY customer_id, ordered_at`
)

// sqlitePurchases scans the covering index in customer-id ranges, on
// separate read connections (WAL readers do not block each other), and
// joins the ranges in order: modernc's per-row cost, not I/O, bounds a
// single scan. Two ranges a core, as equal ranges of ids do not hold equal
// numbers of orders (the first customers have the longest histories): with
// one a core, one core idled at the end (1M orders: 0.53 against 0.49 s).
func (s *Store) sqlitePurchases(ctx context.Context) (*snapEncoder, error) {
	var lo, hi int64
	if err := s.rd.QueryRowContext(ctx, customerRange).Scan(&lo, &hi); err != nil {
		return nil, fmt.Errorf("purchases: %w", err)
	}
	parts := max(1, min(2*runtime.GOMAXPROCS(0), 4, int(hi-lo+1)/10000))
	out := make([]snapEncoder, parts)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for k := 0; k < parts; k++ {
		from := lo + (hi-lo+1)*int64(k)/int64(parts)
		to := lo + (hi-lo+1)*int64(k+1)/int64(parts) - 1
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[k] = s.scanPurchases(ctx, from, to, &out[k])
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	n := 0
	for _, o := range out {
		n += len(o.buf)
	}
	all := &snapEncoder{buf: make([]byte, 0, n+binary.MaxVarintLen64*parts)}
	for k := range out {
		all.join(&out[k])
		out[k].buf = nil
	}
	return all, nil
}

func (s *Store) scanPurchases(ctx context.Context, from, to int64, e *snapEncoder) error {
	rows, err := s.rd.QueryContext(ctx, selectPurchasesInRange, from, to)
	if err != nil {
		return fmt.Errorf("purchases: %w", err)
	}
	defer rows.Close()
	var id, amount int64
	var at sql.RawBytes // no string allocated per row
	for rows.Next() {
		if err := rows.Scan(&id, &at, &amount); err != nil {
			return fmt.Errorf("purchases: %w", err)
		}
		sec, ok := parseTS(at)
		if !ok {
			return fmt.Errorf("purchases: customer %d: bad timestamp %q", id, at)
		}
		e.add(id, sec, amount)
	}
	return rows.Err()
}

// parseTS reads tsLayout ("2006-01-02T15:04:05Z") into Unix seconds without
// time.Parse: it runs once per order in every analytics load.
func parseTS[T ~string | ~[]byte](s T) (int64, bool) {
	if len(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z' {
		t, err := time.Parse(time.RFC3339Nano, string(s))
		return t.Unix(), err == nil
	}
	n := func(i, j int) int {
		v := 0
		for k := i; k < j; k++ {
			v = v*10 + int(s[k]-'0')
		}
		return v
	}
	y, m, d := n(0, 4), n(5, 7), n(8, 10)
	// Days from civil (Howard Hinnant's algorithm).
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	days := int64(era*146097 + doe - 719468)
	return days*86400 + int64(n(11, 13)*3600+n(14, 16)*60+n(17, 19)), true
}

// formatTS is t.UTC().Format(tsLayout) without reading the layout: an
// import formats one or two a row, and time.Format was 6% of a first
// load's writer. Years Format would write otherwise go to it.
func formatTS(t time.Time) string {
	t = t.UTC()
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return t.Format(tsLayout)
	}
	h, mi, sec := t.Clock()
	b := [20]byte{4: '-', 7: '-', 10: 'T', 13: ':', 16: ':', 19: 'Z'}
	put := func(at, v, width int) {
		for i := at + width - 1; i >= at; i-- {
			b[i] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, y, 4)
	put(5, int(mo), 2)
	put(8, d, 2)
	put(11, h, 2)
	put(14, mi, 2)
	put(17, sec, 2)
	return string(b[:])
}

// SaveScores replaces the scores of the set's as-of date in one transaction.
func (s *Store) SaveScores(ctx context.Context, set *report.ScoreSet) error {
	now := s.d.ts(s.Now())
	asOf := s.d.day(set.AsOf)
	opt := func(ok bool, v any) any {
		if !ok {
			return nil
		}
		return v
	}
	rowArgs := func(r *report.ScoreRow) []any {
		return []any{r.CustomerID, asOf, set.Model, set.HorizonDays, r.PAlive, r.ExpectedPurchases,
			opt(r.HasInterval, r.PurchasesLo), opt(r.HasInterval, r.PurchasesHi), r.ProbNoPurchase, r.ExpectedSpend, r.CLV,
			opt(r.HasInterval, r.CLVLo), opt(r.HasInterval, r.CLVHi), set.Currency, now}
	}
	if s.pg != nil {
		tx, err := s.pg.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, deleteScores, asOf); err != nil {
			return fmt.Errorf("save scores: %w", err)
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"scores"}, scoreColumns, pgx.CopyFromSlice(len(set.Rows), func(i int) ([]any, error) {
			return rowArgs(&set.Rows[i]), nil
		}))
		if err != nil {
			return fmt.Errorf("save scores: %w", err)
		}
		return tx.Commit(ctx)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, deleteScores, asOf); err != nil {
		return fmt.Errorf("save scores: %w", err)
	}
	const chunk = 100
	stmt, err := tx.PrepareContext(ctx, insertScoresSQL(chunk))
	if err != nil {
		return err
	}
	defer stmt.Close()
	args := make([]any, 0, chunk*len(scoreColumns))
	for start := 0; start < len(set.Rows); start += chunk {
		rows := set.Rows[start:min(start+chunk, len(set.Rows))]
		args = args[:0]
		for i := range rows {
			args = append(args, rowArgs(&rows[i])...)
		}
		if len(rows) == chunk {
			_, err = stmt.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, insertScoresSQL(len(rows)), args...)
		}
		if err != nil {
			return fmt.Errorf("save scores: %w", err)
		}
	}
	return tx.Commit()
}

var scoreColumns = []string{"customer_id", "as_of", "model", "horizon_days", "p_alive", "expected_purchases", "purchases_lo",
	"purchases_hi", "prob_no_purchase", "expected_spend", "clv", "clv_lo", "clv_hi", "currency", "computed_at"}

const deleteScores = `DELETE FROM scores WHERE as_of = $1`

// insertScoresSQL inserts k score rows (SQLite; ? placeholders, see
// upsertOrdersSQL).
func insertScoresSQL(k int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(scoreColumns)), ", ") + ")"
	return "INSERT INTO scores (" + strings.Join(scoreColumns, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", k), ", ")
}

// selectNamesSQL looks up n customers by id.
func selectNamesSQL(n int) string {
	ph := make([]string, n)
	for i := range ph {
		ph[i] = fmt.Sprintf("$%d", i+1)
	}
	return `SELECT id, COALESCE(external_id, ''), name FROM customers WHERE id IN (` + strings.Join(ph, ", ") + ")"
}

// CustomerNames looks up external ids and names of customers by kith id.
func (s *Store) CustomerNames(ctx context.Context, ids []int64) (map[int64]report.CustomerName, error) {
	out := map[int64]report.CustomerName{}
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := s.rd.QueryContext(ctx, selectNamesSQL(len(part)), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var c report.CustomerName
			if err := rows.Scan(&c.ID, &c.ExternalID, &c.Name); err != nil {
				rows.Close()
				return nil, err
			}
			out[c.ID] = c
		}
		rows.Close()
	}
	return out, nil
}

const selectSpend = `SELECT day, channel, kind, amount FROM spend WHERE day <= $1 ORDER BY day`

// SpendUntil loads spend up to a date.
func (s *Store) SpendUntil(ctx context.Context, until time.Time) (*report.SpendRows, error) {
	rows, err := s.rd.QueryContext(ctx, selectSpend, s.d.day(until))
	if err != nil {
		return nil, fmt.Errorf("spend: %w", err)
	}
	defer rows.Close()
	out := &report.SpendRows{}
	for rows.Next() {
		var d dbTime
		var ch, kind string
		var amount int64
		if err := rows.Scan(&d, &ch, &kind, &amount); err != nil {
			return nil, fmt.Errorf("spend: %w", err)
		}
		out.Day = append(out.Day, int32(d.Unix()/86400))
		out.Channel = append(out.Channel, ch)
		out.Kind = append(out.Kind, kind)
		out.Amount = append(out.Amount, amount)
	}
	return out, rows.Err()
}

const (
	selectChannels = `SELECT id, channel FROM customers WHERE channel <> '' ORDER BY id`
	selectTraffic  = `SELECT COALESCE(sum(visitors), 0) FROM traffic WHERE day >= $1 AND day <= $2`
)

// CustomerChannels maps customers to the channel that brought them, from
// the snapshot (see order_snapshot.go).
func (s *Store) CustomerChannels(ctx context.Context) (map[int64]string, error) {
	snap, err := s.currentSnapshot(ctx)
	if err != nil {
		return nil, fmt.Errorf("channels: %w", err)
	}
	return decodeChannels(snap.channels)
}

// scanChannels reads customers' channels in id order at the driver level
// (sql.Conn.Raw), skipping database/sql's per-row locking and conversion,
// and encodes them for the snapshot.
func (s *Store) scanChannels(ctx context.Context) ([]byte, error) {
	conn, err := s.rd.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("channels: %w", err)
	}
	defer conn.Close()
	var e channelEncoder
	err = conn.Raw(func(dc any) error {
		qc, ok := dc.(driver.QueryerContext)
		if !ok {
			return errors.New("driver cannot query")
		}
		rows, err := qc.QueryContext(ctx, selectChannels, nil)
		if err != nil {
			return err
		}
		defer rows.Close()
		dest := make([]driver.Value, 2)
		for {
			if err := rows.Next(dest); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			id, _ := dest[0].(int64)
			var ch string
			switch v := dest[1].(type) {
			case string:
				ch = v
			case []byte:
				ch = string(v)
			}
			e.add(id, ch)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("channels: %w", err)
	}
	return e.bytes(), nil
}

// Visitors sums traffic between two dates, inclusive.
func (s *Store) Visitors(ctx context.Context, from, to time.Time) (int64, error) {
	var n int64
	err := s.rd.QueryRowContext(ctx, selectTraffic, s.d.day(from), s.d.day(to)).Scan(&n)
	return n, err
}

const selectScoresPage = `SELECT c.id, COALESCE(c.external_id, ''), c.name, s.as_of, s.model, s.p_alive, s.expected_purchases,
    s.prob_no_purchase, s.expected_spend, s.clv, COALESCE(s.clv_lo, 0), COALESCE(s.clv_hi, 0), s.clv_lo IS NOT NULL, s.currency
FROM scores s JOIN customers c ON c.id = s.customer_id
WHERE s.as_of = (SELECT max(as_of) FROM scores) AND ($1 = 0 OR c.owner_id = $1 OR c.owner_id IS NULL)
ORDER BY s.clv DESC, c.id LIMIT $2 OFFSET $3`

const countScoresPage = `SELECT count(*) FROM scores s JOIN customers c ON c.id = s.customer_id
WHERE s.as_of = (SELECT max(as_of) FROM scores) AND ($1 = 0 OR c.owner_id = $1 OR c.owner_id IS NULL)`

// ListScores returns the latest scoring run's scores by CLV, highest
// first; visible, when not 0, keeps a rep's own and unassigned customers.
func (s *Store) ListScores(ctx context.Context, visible int64, limit, offset int) ([]report.ScoreItem, int, error) {
	var total int
	if err := s.rd.QueryRowContext(ctx, countScoresPage, visible).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count scores: %w", err)
	}
	rows, err := s.rd.QueryContext(ctx, selectScoresPage, visible, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("list scores: %w", err)
	}
	defer rows.Close()
	out := []report.ScoreItem{}
	for rows.Next() {
		var it report.ScoreItem
		var asOf dbTime
		if err := rows.Scan(&it.ID, &it.ExternalID, &it.Name, &asOf, &it.Model, &it.PAlive, &it.ExpectedPurchases,
			&it.ProbNoPurchase, &it.ExpectedSpend, &it.CLV, &it.CLVLo, &it.CLVHi, &it.HasInterval, &it.Currency); err != nil {
			return nil, 0, fmt.Errorf("list scores: %w", err)
		}
		it.AsOf = asOf.Time
		it.CustomerID = it.ID
		out = append(out, it)
	}
	return out, total, rows.Err()
}
