package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kithcrm/kith/internal/customer"
	"github.com/kithcrm/kith/internal/kith"
)

const (
	customerColumns = `c.id, COALESCE(c.external_id, ''), c.name, COALESCE(c.phone, ''), COALESCE(c.email, ''), c.gender,
    COALESCE(c.birthday, ''), c.birthday_lunar, c.city, c.region, c.company, c.company_size, c.channel,
    COALESCE(c.referrer_id, 0), c.referrer_ref, COALESCE(c.owner_id, 0), c.owner_ref, c.attrs, c.notes, c.created_at,
    COALESCE(u.name, '')`
	customerFrom          = ` FROM customers c LEFT JOIN users u ON u.id = c.owner_id `
	selectCustomerByExt   = `SELECT ` + customerColumns + customerFrom + `WHERE c.external_id = $1`
	selectCustomerByPhone = `SELECT ` + customerColumns + customerFrom + `WHERE c.phone = $1 ORDER BY c.id LIMIT 1`
	selectCustomerByEmail = `SELECT ` + customerColumns + customerFrom + `WHERE c.email = $1 ORDER BY c.id LIMIT 1`
	// The customer a merged one went into, by the key asked for.
	selectAliasCustomer = `SELECT customer_id FROM customer_aliases
WHERE (kind = 'external_id' AND key = $1) OR (kind = 'phone' AND key = $2) OR (kind = 'email' AND key = $3) ORDER BY kind LIMIT 1`
	selectCustomerByID = `SELECT ` + customerColumns + customerFrom + `WHERE c.id = $1`
	// Customers whose phone fits a masked one (138____8000), for a ref
	// copied from a platform's order page.
	selectMaskedPhone = `SELECT id, COALESCE(external_id, ''), name FROM customers WHERE phone LIKE $1 ORDER BY id LIMIT 6`
	// Customers called a name: a scan, on the path where no key matched.
	selectCustomersByName = `SELECT id, COALESCE(external_id, ''), name FROM customers WHERE lower(name) = lower($1) ORDER BY id LIMIT 6`
	selectCustomerTags    = `SELECT tag FROM customer_tags WHERE customer_id = $1 ORDER BY tag`
	selectCustomerRef     = `SELECT id, COALESCE(external_id, ''), name FROM customers WHERE id = $1`
	selectReferred        = `SELECT id, COALESCE(external_id, ''), name FROM customers WHERE referrer_id = $1 ORDER BY id LIMIT 100`
	selectAliasesOf       = `SELECT key FROM customer_aliases WHERE customer_id = $1 ORDER BY kind, key LIMIT 100`
	selectCustomerOrders  = `SELECT o.id, o.external_id, o.ordered_at, o.amount, o.currency, o.channel, o.status,
    (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id)
FROM orders o WHERE o.customer_id = $1 ORDER BY o.ordered_at DESC, o.id DESC LIMIT $2`
	selectCustomerTotals = `SELECT
    COALESCE(sum(CASE WHEN status = 'paid' THEN 1 ELSE 0 END), 0),
    COALESCE(sum(CASE WHEN status = 'refunded' THEN 1 ELSE 0 END), 0),
    COALESCE(sum(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END), 0),
    COALESCE(sum(CASE WHEN status = 'paid' THEN amount ELSE 0 END), 0),
    COALESCE(sum(CASE WHEN status = 'refunded' THEN abs(amount) ELSE 0 END), 0), -- files write a refund as -20 or as 20
    COALESCE(max(currency), ''),
    min(CASE WHEN status = 'paid' THEN ordered_at END),
    max(CASE WHEN status = 'paid' THEN ordered_at END)
FROM orders WHERE customer_id = $1`
)

func scanCustomer(row *sql.Row, c *customer.Customer, owner *string) error {
	var attrs string
	var created dbTime
	err := row.Scan(&c.ID, &c.ExternalID, &c.Name, &c.Phone, &c.Email, &c.Gender, &c.Birthday, &c.BirthdayLunar,
		&c.City, &c.Region, &c.Company, &c.CompanySize, &c.Channel, &c.ReferrerID, &c.ReferrerRef, &c.OwnerID,
		&c.OwnerRef, &attrs, &c.Notes, &created, owner)
	if err != nil {
		return err
	}
	c.CreatedAt = created.Time
	if attrs != "" && attrs != "{}" {
		if err := json.Unmarshal([]byte(attrs), &c.Attrs); err != nil {
			return fmt.Errorf("customer %d attrs: %w", c.ID, err)
		}
	}
	return nil
}

// CustomerView finds a customer by external id, phone, email or kith id
// ("#12") and loads the 360: profile, tags, referrer, referred customers,
// the newest orders (up to limit) and totals.
func (s *Store) CustomerView(ctx context.Context, ref string, limit int) (*customer.View, error) {
	ref = strings.TrimSpace(ref)
	if pat, ok := maskedPhonePattern(ref); ok {
		id, err := s.maskedPhoneCustomer(ctx, ref, pat)
		if err != nil {
			return nil, err
		}
		ref = "#" + strconv.FormatInt(id, 10)
	}
	v := &customer.View{}
	tries := []struct {
		q   string
		arg any
	}{
		{selectCustomerByExt, ref},
		{selectCustomerByPhone, customer.NormalizePhone(ref)},
		{selectCustomerByEmail, customer.NormalizeEmail(ref)},
	}
	if id, err := strconv.ParseInt(strings.TrimPrefix(ref, "#"), 10, 64); err == nil {
		byID := struct {
			q   string
			arg any
		}{selectCustomerByID, id}
		if strings.HasPrefix(ref, "#") {
			// "#12" is always the kith id: no lookups by other keys first.
			tries = tries[:0]
		}
		tries = append(tries, byID)
	}
	found := false
	for _, t := range tries {
		if t.arg == "" {
			continue
		}
		err := scanCustomer(s.readRow(ctx, t.q, t.arg), &v.Customer, &v.Owner)
		if err == nil {
			found = true
			break
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("customer %q: %w", ref, err)
		}
	}
	if !found && ref != "" && !strings.HasPrefix(ref, "#") {
		// A key of a customer merged into another finds that one; failing
		// that, a name one customer has.
		var id int64
		err := s.readRow(ctx, selectAliasCustomer, ref, customer.NormalizePhone(ref), customer.NormalizeEmail(ref)).Scan(&id)
		switch {
		case err == nil:
			v.MergedKey = ref
		case errors.Is(err, sql.ErrNoRows):
			if id, err = s.namedCustomer(ctx, ref); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("customer %q: %w", ref, err)
		}
		if id != 0 {
			if err := scanCustomer(s.readRow(ctx, selectCustomerByID, id), &v.Customer, &v.Owner); err != nil {
				return nil, fmt.Errorf("customer %q: %w", ref, err)
			}
			found = true
		}
	}
	if !found {
		tried := kith.Msg("tried.all", "external id, phone, email, name and kith id")
		switch {
		case strings.HasPrefix(ref, "#"):
			tried = kith.Msg("tried.id", "kith id")
		case len(tries) == 3:
			tried = kith.Msg("tried.keys", "external id, phone, email and name")
		}
		return nil, kith.Msg("customer.not_found", "customer %q: %v (tried %v)", ref, kith.ErrNotFound, tried)
	}
	id := v.ID
	rows, err := s.readRows(ctx, selectCustomerTags, id)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return nil, err
		}
		v.Tags = append(v.Tags, t)
	}
	rows.Close()
	if v.ReferrerID != 0 {
		r := &customer.Ref{}
		if err := s.readRow(ctx, selectCustomerRef, v.ReferrerID).Scan(&r.ID, &r.ExternalID, &r.Name); err == nil {
			v.Referrer = r
		}
	}
	if rows, err = s.readRows(ctx, selectReferred, id); err != nil {
		return nil, err
	}
	for rows.Next() {
		var r customer.Ref
		if err := rows.Scan(&r.ID, &r.ExternalID, &r.Name); err != nil {
			rows.Close()
			return nil, err
		}
		v.Referred = append(v.Referred, r)
	}
	rows.Close()
	if rows, err = s.readRows(ctx, selectAliasesOf, id); err != nil {
		return nil, err
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return nil, err
		}
		v.Aliases = append(v.Aliases, k)
	}
	rows.Close()
	if rows, err = s.readRows(ctx, selectCustomerOrders, id, limit); err != nil {
		return nil, err
	}
	for rows.Next() {
		var o customer.OrderSummary
		var at dbTime
		if err := rows.Scan(&o.ID, &o.ExternalID, &at, &o.Amount, &o.Currency, &o.Channel, &o.Status, &o.Lines); err != nil {
			rows.Close()
			return nil, err
		}
		o.OrderedAt = at.Time
		v.Orders = append(v.Orders, o)
	}
	rows.Close()
	var first, last dbTime
	t := &v.Totals
	if err := s.readRow(ctx, selectCustomerTotals, id).Scan(&t.Orders, &t.Refunds, &t.Cancelled, &t.Revenue, &t.Refunded,
		&t.Currency, &first, &last); err != nil {
		return nil, fmt.Errorf("customer %q totals: %w", ref, err)
	}
	t.FirstPurchase, t.LastPurchase = first.Time, last.Time
	if v.Score, err = s.latestScore(ctx, id); err != nil {
		return nil, err
	}
	return v, nil
}

const selectLatestScore = `SELECT as_of, model, horizon_days, p_alive, expected_purchases, prob_no_purchase, expected_spend,
    clv, clv_lo, clv_hi, currency FROM scores WHERE customer_id = $1 ORDER BY as_of DESC LIMIT 1`

func (s *Store) latestScore(ctx context.Context, id int64) (*customer.Score, error) {
	sc := &customer.Score{}
	var asOf dbTime
	var lo, hi sql.NullInt64
	err := s.readRow(ctx, selectLatestScore, id).Scan(&asOf, &sc.Model, &sc.HorizonDays, &sc.PAlive,
		&sc.ExpectedPurchases, &sc.ProbNoPurchase, &sc.ExpectedSpend, &sc.CLV, &lo, &hi, &sc.Currency)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("customer %d score: %w", id, err)
	}
	sc.AsOf = asOf.Time
	if lo.Valid && hi.Valid {
		sc.CLVLo, sc.CLVHi = &lo.Int64, &hi.Int64
	}
	return sc, nil
}

const insertUser = `INSERT INTO users (name, email, role, skills, capacity, created_at) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (email) DO UPDATE SET name = excluded.name, role = excluded.role, skills = excluded.skills, capacity = excluded.capacity
RETURNING id`

// UpsertStaff creates or updates a staff user by email (no password: the
// account issue adds sign-in).
func (s *Store) UpsertStaff(ctx context.Context, name, email, role, skills string, capacity int) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, insertUser, name, strings.ToLower(email), role, skills, capacity, s.d.ts(s.Now())).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("staff %s: %w", email, err)
	}
	return id, nil
}

// candidates lists, as "#id external-id name", up to six customers a
// reference that is no key could mean (a masked phone, a name).
func (s *Store) candidates(ctx context.Context, ref, query string, arg any) ([]int64, []string, error) {
	rows, err := s.readRows(ctx, query, arg)
	if err != nil {
		return nil, nil, fmt.Errorf("customer %q: %w", ref, err)
	}
	defer rows.Close()
	var ids []int64
	var who []string
	for rows.Next() {
		var id int64
		var ext, name string
		if err := rows.Scan(&id, &ext, &name); err != nil {
			return nil, nil, fmt.Errorf("customer %q: %w", ref, err)
		}
		ids = append(ids, id)
		who = append(who, strings.TrimSpace(fmt.Sprintf("#%d %s %s", id, ext, name)))
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("customer %q: %w", ref, err)
	}
	return ids, who, nil
}

// maskedPhoneCustomer is the one customer whose phone fits a masked one
// (138****8000); none or several is an error that lists who fits.
func (s *Store) maskedPhoneCustomer(ctx context.Context, ref, pattern string) (int64, error) {
	ids, who, err := s.candidates(ctx, ref, selectMaskedPhone, pattern)
	switch {
	case err != nil:
		return 0, err
	case len(ids) == 0:
		return 0, kith.Msg("customer.masked_none", "customer %q: %v (no customer's phone fits it)", ref, kith.ErrNotFound)
	case len(ids) > 5:
		return 0, kith.Msg("customer.masked_more", "customer %q: %v: the phones of %s and more fit it; name one by id", ref, kith.ErrConflict, strings.Join(who[:5], ", "))
	case len(ids) > 1:
		return 0, kith.Msg("customer.masked_many", "customer %q: %v: the phones of %s fit it; name one by id", ref, kith.ErrConflict, strings.Join(who, ", "))
	}
	return ids[0], nil
}

// namedCustomer is the one customer called ref (a shop owner types a name
// before an id); 0 when nobody is, an error listing them when several are.
func (s *Store) namedCustomer(ctx context.Context, ref string) (int64, error) {
	ids, who, err := s.candidates(ctx, ref, selectCustomersByName, ref)
	switch {
	case err != nil || len(ids) == 0:
		return 0, err
	case len(ids) > 5:
		return 0, kith.Msg("customer.named_more", "customer %q: %v: %s and more are called that; name one by id", ref, kith.ErrConflict, strings.Join(who[:5], ", "))
	case len(ids) > 1:
		return 0, kith.Msg("customer.named_many", "customer %q: %v: %s are called that; name one by id", ref, kith.ErrConflict, strings.Join(who, ", "))
	}
	return ids[0], nil
}
