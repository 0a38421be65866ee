package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Counts are the row counts of the main tables.
type Counts struct {
	Customers, Orders, Lines, Tags, Products, Spend, Traffic int64
}

const countTables = `SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM orders), (SELECT count(*) FROM order_lines),
    (SELECT count(*) FROM customer_tags), (SELECT count(*) FROM products), (SELECT count(*) FROM spend), (SELECT count(*) FROM traffic)`

// Counts reports how many rows the main tables hold.
func (s *Store) Counts(ctx context.Context) (Counts, error) {
	var c Counts
	err := s.rd.QueryRowContext(ctx, countTables).Scan(&c.Customers, &c.Orders, &c.Lines, &c.Tags, &c.Products, &c.Spend, &c.Traffic)
	return c, err
}

// snapshotQueries dump the imported content in a stable order, leaving out
// what differs between two runs that imported the same data (surrogate ids,
// run ids, source lines, stamps).
var snapshotQueries = []string{
	`SELECT COALESCE(external_id, ''), name, COALESCE(phone, ''), COALESCE(email, ''), gender, COALESCE(birthday, ''),
    city, region, company, channel, referrer_ref, owner_ref, attrs, notes, row_hash FROM customers
    ORDER BY COALESCE(external_id, ''), COALESCE(phone, ''), COALESCE(email, '')`,
	`SELECT COALESCE(c.external_id, c.phone, c.email), t.tag FROM customer_tags t JOIN customers c ON c.id = t.customer_id ORDER BY 1, 2`,
	`SELECT o.external_id, COALESCE(c.external_id, c.phone, c.email), o.ordered_at, o.amount, o.currency, o.channel, o.status, o.row_hash
    FROM orders o JOIN customers c ON c.id = o.customer_id ORDER BY o.external_id`,
	`SELECT o.external_id, l.line_no, l.sku, l.name, l.category, l.quantity, l.unit_price, l.amount FROM order_lines l JOIN orders o ON o.id = l.order_id
    ORDER BY o.external_id, l.line_no`,
	`SELECT sku, name, category, consumption_days, service_interval_days, lifespan_days FROM products ORDER BY sku`,
	`SELECT channel, kind, amount FROM spend ORDER BY day, channel, kind`,
	`SELECT channel, visitors, conversions FROM traffic ORDER BY day, channel`,
}

// Snapshot fingerprints the imported content of the database, so a test can
// tell that two databases hold the same data.
func (s *Store) Snapshot(ctx context.Context) (string, error) {
	h := sha256.New()
	for _, q := range snapshotQueries {
		rows, err := s.rd.QueryContext(ctx, q)
		if err != nil {
			return "", fmt.Errorf("snapshot: %w", err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return "", err
			}
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				fmt.Fprintf(h, "%v\x1f", v)
			}
			h.Write([]byte{'\n'})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// CheckIntegrity runs the engine's own consistency checks (SQLite:
// integrity_check and foreign_key_check).
func CheckIntegrity(ctx context.Context, s *Store) error {
	if s.d.name() != "sqlite" {
		return nil
	}
	var res string
	if err := s.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("integrity_check: %s", res)
	}
	rows, err := s.db.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		return fmt.Errorf("foreign_key_check found a dangling reference")
	}
	return rows.Err()
}
