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
	"github.com/kithcrm/kith/internal/order"
)

// The customer list, edits and merges of the API and UI. Every write here
// changes what reports see, so it bumps the orders and data versions in its
// transaction (see order_snapshot.go).

const listColumns = `c.id, COALESCE(c.external_id, ''), c.name, COALESCE(c.phone, ''), COALESCE(c.email, ''), c.city, c.channel,
    COALESCE(c.owner_id, 0), COALESCE(u.name, '')`

// likePattern makes q a literal substring pattern for LIKE ... ESCAPE '\'.
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + strings.ToLower(r.Replace(q)) + "%"
}

// maskedPhonePattern turns a phone as platforms show it, with digits
// hidden (138****8000), into a LIKE pattern with one _ per hidden digit, so
// a shop can find the buyer of an order whose export masked the number.
func maskedPhonePattern(q string) (string, bool) {
	if !customer.MaskedPhone(q) {
		return "", false
	}
	var b strings.Builder
	digits := 0
	for _, r := range strings.TrimSpace(q) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			digits++
		case strings.ContainsRune(customer.PhoneMasks, r):
			b.WriteByte('_')
		case r == ' ' || r == '-':
		default:
			return "", false
		}
	}
	return b.String(), digits >= 4
}

// looksLikePhone: digits with the separators people type, nothing else.
func looksLikePhone(q string) bool {
	digits := 0
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' || r == '-' || r == ' ' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits >= 3
}

func idsJSON(ids []int64) string {
	b := make([]byte, 0, len(ids)*8+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// where builds the filter's WHERE clause; values are always bound.
func (s *Store) where(f customer.Filter) (string, []any) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		p := arg(likePattern(q))
		ors := []string{fmt.Sprintf(`lower(c.name) LIKE %[1]s ESCAPE '\' OR c.phone LIKE %[1]s ESCAPE '\'
    OR lower(c.email) LIKE %[1]s ESCAPE '\' OR lower(c.external_id) LIKE %[1]s ESCAPE '\'`, p)}
		ph := customer.NormalizePhone(q)
		for _, cc := range []string{"+86", "0086"} {
			ph = strings.TrimPrefix(ph, cc)
		}
		if looksLikePhone(q) && ph != q {
			ors = append(ors, "c.phone LIKE "+arg(likePattern(ph))+` ESCAPE '\'`)
		}
		if m, ok := maskedPhonePattern(q); ok {
			ors = append(ors, "c.phone LIKE "+arg(m))
		}
		// A merged customer's key, typed whole, finds the one it went into.
		ors = append(ors, "c.id IN (SELECT a.customer_id FROM customer_aliases a WHERE a.key IN ("+arg(q)+", "+
			arg(customer.NormalizePhone(q))+", "+arg(customer.NormalizeEmail(q))+"))")
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	if f.Tag != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = c.id AND t.tag = "+arg(f.Tag)+")")
	}
	if f.OwnerID != 0 {
		conds = append(conds, "c.owner_id = "+arg(f.OwnerID))
	}
	if f.Visible != 0 {
		conds = append(conds, "(c.owner_id = "+arg(f.Visible)+" OR c.owner_id IS NULL)")
	}
	if f.IDs != nil {
		conds = append(conds, "c.id "+s.d.inIDs(arg(idsJSON(f.IDs))))
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// ListCustomers returns a page of customers matching f, by id, with their
// paid order count, revenue and last purchase.
func (s *Store) ListCustomers(ctx context.Context, f customer.Filter) (*customer.Page, error) {
	where, args := s.where(f)
	page := &customer.Page{}
	if err := s.rd.QueryRowContext(ctx, `SELECT count(*) FROM customers c`+where, args...).Scan(&page.Total); err != nil {
		return nil, fmt.Errorf("count customers: %w", err)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	n := len(args)
	q := `SELECT ` + listColumns + `,
    (SELECT count(*) FROM orders o WHERE o.customer_id = c.id AND o.status = 'paid'),
    (SELECT COALESCE(sum(o.amount), 0) FROM orders o WHERE o.customer_id = c.id AND o.status = 'paid'),
    (SELECT max(o.ordered_at) FROM orders o WHERE o.customer_id = c.id AND o.status = 'paid'),
    (SELECT COALESCE(max(o.currency), '') FROM orders o WHERE o.customer_id = c.id)
FROM customers c LEFT JOIN users u ON u.id = c.owner_id` + where +
		fmt.Sprintf(" ORDER BY c.id LIMIT $%d OFFSET $%d", n+1, n+2)
	rows, err := s.rd.QueryContext(ctx, q, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	defer rows.Close()
	index := map[int64]int{}
	var ids []int64
	for rows.Next() {
		var it customer.ListItem
		var last dbTime
		if err := rows.Scan(&it.ID, &it.ExternalID, &it.Name, &it.Phone, &it.Email, &it.City, &it.Channel, &it.OwnerID,
			&it.Owner, &it.Orders, &it.Revenue, &last, &it.Currency); err != nil {
			return nil, fmt.Errorf("list customers: %w", err)
		}
		it.LastPurchase = last.Time
		index[it.ID] = len(page.Items)
		ids = append(ids, it.ID)
		page.Items = append(page.Items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	if len(ids) == 0 {
		return page, nil
	}
	trows, err := s.rd.QueryContext(ctx, `SELECT customer_id, tag FROM customer_tags WHERE customer_id `+s.d.inIDs("$1")+` ORDER BY customer_id, tag`, idsJSON(ids))
	if err != nil {
		return nil, fmt.Errorf("list customer tags: %w", err)
	}
	defer trows.Close()
	for trows.Next() {
		var id int64
		var tag string
		if err := trows.Scan(&id, &tag); err != nil {
			return nil, err
		}
		it := &page.Items[index[id]]
		it.Tags = append(it.Tags, tag)
	}
	return page, trows.Err()
}

// VisibleIDs returns the ids of the customers a rep may see (owned by them
// or unassigned), for filtering computed lists such as segment members.
func (s *Store) VisibleIDs(ctx context.Context, rep int64) (map[int64]bool, error) {
	rows, err := s.rd.QueryContext(ctx, `SELECT id FROM customers WHERE owner_id = $1 OR owner_id IS NULL`, rep)
	if err != nil {
		return nil, fmt.Errorf("visible customers: %w", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

const (
	selectOwner        = `SELECT COALESCE(owner_id, 0) FROM customers WHERE id = $1`
	findDuplicate      = `SELECT id FROM customers WHERE external_id = $1 OR phone = $2 OR email = $3 ORDER BY id LIMIT 1`
	findOtherDuplicate = `SELECT id FROM customers WHERE (phone = $1 OR email = $2) AND id <> $3 ORDER BY id LIMIT 1`
	setCustomerOwner   = `UPDATE customers SET owner_id = $1, owner_ref = COALESCE((SELECT name FROM users WHERE id = $1), '') WHERE id = $2`
	selectUserID       = `SELECT id FROM users WHERE id = $1`
	selectCustomerAttr = `SELECT attrs, COALESCE(birthday, ''), birthday_lunar FROM customers WHERE id = $1`
)

// CustomerOwner returns a customer's owner (0: unassigned).
func (s *Store) CustomerOwner(ctx context.Context, id int64) (int64, error) {
	var owner int64
	err := s.readRow(ctx, selectOwner, id).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("customer #%d: %w", id, kith.ErrNotFound)
	}
	return owner, err
}

// DuplicateError names the existing customer a new one collides with.
type DuplicateError struct{ ID int64 }

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("a customer with this external id, phone or email exists: #%d", e.ID)
}

// Unwrap makes a duplicate a conflict.
func (e *DuplicateError) Unwrap() error { return kith.ErrConflict }

func checkOwner(ctx context.Context, tx *sql.Tx, owner int64) error {
	if owner == 0 {
		return nil
	}
	var id int64
	if err := tx.QueryRowContext(ctx, selectUserID, owner).Scan(&id); err != nil {
		return &kith.FieldError{Field: "owner_id", Code: "unknown", Reason: fmt.Sprintf("no staff user #%d", owner)}
	}
	return nil
}

// CreateCustomer adds a customer (normalised by the caller); one that shares
// an external id, phone or email with an existing customer is refused with
// a *DuplicateError.
func (s *Store) CreateCustomer(ctx context.Context, c *customer.Customer) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var dup int64
		err := tx.QueryRowContext(ctx, findDuplicate, nullStr(c.ExternalID), nullStr(c.Phone), nullStr(c.Email)).Scan(&dup)
		if err == nil {
			return &DuplicateError{ID: dup}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := checkOwner(ctx, tx, c.OwnerID); err != nil {
			return err
		}
		attrs := "{}"
		if len(c.Attrs) > 0 {
			b, _ := json.Marshal(c.Attrs)
			attrs = string(b)
		}
		now := s.d.ts(s.Now())
		if err := tx.QueryRowContext(ctx, insertCustomer, nullStr(c.ExternalID), c.Name, nullStr(c.Phone), nullStr(c.Email),
			c.Gender, nullStr(c.Birthday), c.BirthdayLunar, c.City, c.Region, c.Company, c.CompanySize, c.Channel, "", "",
			attrs, c.Notes, now, now, 0, 0, 0).Scan(&id); err != nil {
			return err
		}
		if c.OwnerID != 0 {
			if _, err := tx.ExecContext(ctx, setCustomerOwner, c.OwnerID, id); err != nil {
				return err
			}
		}
		for _, t := range c.Tags {
			if _, err := tx.ExecContext(ctx, insertCustomerTag, id, t); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, bumpOrdersVersion)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("create customer: %w", err)
	}
	return id, nil
}

// UpdateCustomer applies a patch (normalised by the caller).
func (s *Store) UpdateCustomer(ctx context.Context, id int64, p *customer.Patch) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var attrs, birthday string
		var lunar bool
		if err := tx.QueryRowContext(ctx, selectCustomerAttr, id).Scan(&attrs, &birthday, &lunar); errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("customer #%d: %w", id, kith.ErrNotFound)
		} else if err != nil {
			return err
		}
		if p.Birthday != nil || p.BirthdayLunar != nil {
			if p.Birthday != nil {
				birthday = *p.Birthday
			}
			if p.BirthdayLunar != nil {
				lunar = *p.BirthdayLunar
			}
			if err := customer.CheckBirthday(birthday, lunar); err != nil {
				return err
			}
		}
		if p.Phone != nil || p.Email != nil {
			var phone, email any
			if p.Phone != nil {
				phone = nullStr(*p.Phone)
			}
			if p.Email != nil {
				email = nullStr(*p.Email)
			}
			var dup int64
			err := tx.QueryRowContext(ctx, findOtherDuplicate, phone, email, id).Scan(&dup)
			if err == nil {
				return fmt.Errorf("that phone or email belongs to customer #%d (merge them instead): %w", dup, kith.ErrConflict)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		var sets []string
		var args []any
		set := func(col string, v any) {
			args = append(args, v)
			sets = append(sets, col+" = $"+strconv.Itoa(len(args)))
		}
		for _, f := range []struct {
			col      string
			v        *string
			nullable bool
		}{{"name", p.Name, false}, {"phone", p.Phone, true}, {"email", p.Email, true}, {"gender", p.Gender, false},
			{"birthday", p.Birthday, true}, {"city", p.City, false}, {"region", p.Region, false},
			{"company", p.Company, false}, {"channel", p.Channel, false}, {"notes", p.Notes, false}} {
			switch {
			case f.v == nil:
			case f.nullable:
				set(f.col, nullStr(*f.v))
			default:
				set(f.col, *f.v)
			}
		}
		switch {
		case p.BirthdayLunar != nil:
			set("birthday_lunar", *p.BirthdayLunar)
		case p.Birthday != nil && *p.Birthday == "":
			set("birthday_lunar", false) // no birthday, no calendar
		}
		if len(p.Attrs) > 0 {
			m := map[string]string{}
			if attrs != "" {
				if err := json.Unmarshal([]byte(attrs), &m); err != nil {
					return fmt.Errorf("customer #%d attrs: %w", id, err)
				}
			}
			for k, v := range p.Attrs {
				if v == "" {
					delete(m, k)
				} else {
					m[k] = v
				}
			}
			b, _ := json.Marshal(m)
			set("attrs", string(b))
		}
		set("updated_at", s.d.ts(s.Now()))
		args = append(args, id)
		if _, err := tx.ExecContext(ctx, "UPDATE customers SET "+strings.Join(sets, ", ")+" WHERE id = $"+strconv.Itoa(len(args)), args...); err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("customer #%d: that phone, email or external id belongs to another customer: %w", id, kith.ErrConflict)
			}
			return err
		}
		if p.OwnerID != nil {
			if err := checkOwner(ctx, tx, *p.OwnerID); err != nil {
				return err
			}
			var owner any
			if *p.OwnerID != 0 {
				owner = *p.OwnerID
			}
			if _, err := tx.ExecContext(ctx, setCustomerOwner, owner, id); err != nil {
				return err
			}
		}
		if p.Tags != nil {
			if _, err := tx.ExecContext(ctx, deleteCustomerTags, id); err != nil {
				return err
			}
			for _, t := range *p.Tags {
				if t = strings.TrimSpace(t); t != "" {
					if _, err := tx.ExecContext(ctx, insertCustomerTag, id, t); err != nil {
						return err
					}
				}
			}
		}
		_, err := tx.ExecContext(ctx, bumpOrdersVersion)
		return err
	})
	if err != nil {
		return fmt.Errorf("update customer #%d: %w", id, err)
	}
	return nil
}

func isUniqueViolation(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint") || strings.Contains(msg, "SQLSTATE 23505")
}

const (
	selectMergeFields = `SELECT COALESCE(external_id, ''), name, COALESCE(phone, ''), COALESCE(email, ''), gender, COALESCE(birthday, ''),
    birthday_lunar, city, region, company, company_size, channel, COALESCE(referrer_id, 0), COALESCE(owner_id, 0), notes, attrs
FROM customers WHERE id = $1`
	moveOrders     = `UPDATE orders SET customer_id = $1 WHERE customer_id = $2`
	copyTags       = `INSERT INTO customer_tags (customer_id, tag) SELECT $1, tag FROM customer_tags WHERE customer_id = $2 ON CONFLICT DO NOTHING`
	moveReferred   = `UPDATE customers SET referrer_id = $1 WHERE referrer_id = $2 AND id <> $1`
	clearSelfRef   = `UPDATE customers SET referrer_id = NULL WHERE id = $1 AND referrer_id = $2`
	deleteScoresOf = `DELETE FROM scores WHERE customer_id = $1`
	deleteCustomer = `DELETE FROM customers WHERE id = $1`
	// The survivor is a customer since the earlier of the two (timestamps
	// compare as stored: fixed-width UTC text on SQLite).
	keepEarliestCreated = `UPDATE customers SET created_at = (SELECT min(created_at) FROM customers WHERE id IN ($1, $2)) WHERE id = $1`
	// A merged customer's keys the survivor does not take over become
	// aliases of it (customer_aliases), and aliases of the merged customer
	// move to it: an import that names them finds the survivor.
	repointAliases = `UPDATE customer_aliases SET customer_id = $1 WHERE customer_id = $2`
	insertAlias    = `INSERT INTO customer_aliases (kind, key, customer_id) VALUES ($1, $2, $3)
ON CONFLICT (kind, key) DO UPDATE SET customer_id = excluded.customer_id`
	fillMergedEmpty = `UPDATE customers SET
    external_id = COALESCE(external_id, $2), name = CASE WHEN name = '' THEN $3 ELSE name END,
    phone = COALESCE(phone, $4), email = COALESCE(email, $5), gender = CASE WHEN gender = '' THEN $6 ELSE gender END,
    birthday = COALESCE(birthday, $7), birthday_lunar = CASE WHEN birthday IS NULL AND $7 IS NOT NULL THEN $16 ELSE birthday_lunar END,
    city = CASE WHEN city = '' THEN $8 ELSE city END,
    region = CASE WHEN region = '' THEN $9 ELSE region END, company = CASE WHEN company = '' THEN $10 ELSE company END,
    company_size = CASE WHEN company_size = 0 THEN $17 ELSE company_size END, attrs = $18,
    channel = CASE WHEN channel = '' THEN $11 ELSE channel END, referrer_id = COALESCE(referrer_id, $12),
    owner_id = COALESCE(owner_id, $13), notes = CASE WHEN notes = '' THEN $14 WHEN $14 = '' THEN notes ELSE notes || ' / ' || $14 END,
    updated_at = $15
WHERE id = $1`
)

// MergeCustomers folds duplicates into one customer: their orders, tags and
// referrals move over, empty profile fields (and custom attributes the
// survivor lacks) are filled from them, the survivor is a customer since
// the earliest of them, and they are deleted; their keys the survivor does
// not take over are kept as its aliases, so that an import naming them
// finds it instead of creating the duplicate again. Scores of all involved
// are dropped (they are stale).
func (s *Store) MergeCustomers(ctx context.Context, into int64, from []int64) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		survivor, err := s.mergeFields(ctx, tx, into)
		if err != nil {
			return err
		}
		attrs := survivor.attrs // custom attributes: the survivor's, and the keys only a duplicate has
		if attrs == nil {
			attrs = map[string]string{}
		}
		for _, f := range from {
			if f == into {
				return &kith.FieldError{Field: "from", Code: "self", Reason: fmt.Sprintf("cannot merge customer #%d into itself", f)}
			}
			v, err := s.mergeFields(ctx, tx, f)
			if err != nil {
				return err
			}
			for _, q := range []string{moveOrders, copyTags, moveReferred} {
				if _, err := tx.ExecContext(ctx, q, into, f); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, clearSelfRef, into, f); err != nil {
				return err
			}
			for _, id := range []int64{f, into} {
				if _, err := tx.ExecContext(ctx, deleteScoresOf, id); err != nil {
					return err
				}
			}
			for _, q := range []string{keepEarliestCreated, repointAliases} {
				if _, err := tx.ExecContext(ctx, q, into, f); err != nil {
					return err
				}
			}
			for k, val := range v.attrs {
				if _, ok := attrs[k]; !ok {
					attrs[k] = val
				}
			}
			merged, _ := json.Marshal(attrs)
			// Delete first: the survivor may take over its unique external id.
			if _, err := tx.ExecContext(ctx, deleteCustomer, f); err != nil {
				return err
			}
			var ref, owner any
			if v.ref != 0 && v.ref != into {
				ref = v.ref
			}
			if v.owner != 0 {
				owner = v.owner
			}
			if _, err := tx.ExecContext(ctx, fillMergedEmpty, into, nullStr(v.ext), v.name, nullStr(v.phone), nullStr(v.email),
				v.gender, nullStr(v.birthday), v.city, v.region, v.company, v.channel, ref, owner, v.notes, s.d.ts(s.Now()), v.lunar, v.size, string(merged)); err != nil {
				return err
			}
			// The survivor takes over the keys it lacked (the fill above);
			// the others stay findable as aliases.
			for _, k := range []struct {
				kind     string
				own, dup *string
			}{{"external_id", &survivor.ext, &v.ext}, {"phone", &survivor.phone, &v.phone}, {"email", &survivor.email, &v.email}} {
				switch {
				case *k.dup == "" || *k.dup == *k.own:
				case *k.own == "":
					*k.own = *k.dup
				default:
					if _, err := tx.ExecContext(ctx, insertAlias, k.kind, *k.dup, into); err != nil {
						return err
					}
				}
			}
		}
		_, err = tx.ExecContext(ctx, bumpOrdersVersion)
		return err
	})
	if err != nil {
		return fmt.Errorf("merge into customer #%d: %w", into, err)
	}
	return nil
}

// mergeSource is the profile of a customer being merged away.
type mergeSource struct {
	ext, name, phone, email, gender, birthday, city, region, company, channel, notes string
	ref, owner, size                                                                 int64
	lunar                                                                            bool // the birthday is a lunar date
	attrs                                                                            map[string]string
}

func (s *Store) mergeFields(ctx context.Context, tx *sql.Tx, id int64) (*mergeSource, error) {
	m := &mergeSource{}
	var attrs string
	err := tx.QueryRowContext(ctx, selectMergeFields, id).Scan(&m.ext, &m.name, &m.phone, &m.email, &m.gender, &m.birthday,
		&m.lunar, &m.city, &m.region, &m.company, &m.size, &m.channel, &m.ref, &m.owner, &m.notes, &attrs)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("customer #%d: %w", id, kith.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(attrs), &m.attrs); err != nil {
		return nil, fmt.Errorf("customer #%d attrs: %w", id, err)
	}
	return m, nil
}

const (
	selectOrdersPage = `SELECT o.id, o.external_id, o.ordered_at, o.amount, o.currency, o.channel, o.status,
    (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id)
FROM orders o WHERE o.customer_id = $1 ORDER BY o.ordered_at DESC, o.id DESC LIMIT $2 OFFSET $3`
	countOrdersOf  = `SELECT count(*) FROM orders WHERE customer_id = $1`
	insertOneOrder = `INSERT INTO orders (external_id, customer_id, ordered_at, amount, currency, channel, status, row_hash, import_run, src_line)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 0) RETURNING id`
	selectCustomerExists = `SELECT id FROM customers WHERE id = $1`
)

// CustomerOrders returns a page of a customer's orders, newest first, and
// how many there are.
func (s *Store) CustomerOrders(ctx context.Context, id int64, limit, offset int) ([]customer.OrderSummary, int, error) {
	var total int
	if err := s.rd.QueryRowContext(ctx, countOrdersOf, id).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("orders of customer #%d: %w", id, err)
	}
	rows, err := s.rd.QueryContext(ctx, selectOrdersPage, id, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("orders of customer #%d: %w", id, err)
	}
	defer rows.Close()
	out := []customer.OrderSummary{}
	for rows.Next() {
		var o customer.OrderSummary
		var at dbTime
		if err := rows.Scan(&o.ID, &o.ExternalID, &at, &o.Amount, &o.Currency, &o.Channel, &o.Status, &o.Lines); err != nil {
			return nil, 0, err
		}
		o.OrderedAt = at.Time
		out = append(out, o)
	}
	return out, total, rows.Err()
}

// CreateOrder adds one order with its lines to an existing customer. A
// taken external id is kith.ErrConflict.
func (s *Store) CreateOrder(ctx context.Context, o *order.Order) (int64, error) {
	var id int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var cid int64
		if err := tx.QueryRowContext(ctx, selectCustomerExists, o.CustomerID).Scan(&cid); errors.Is(err, sql.ErrNoRows) {
			return &kith.FieldError{Field: "customer_id", Code: "unknown", Reason: fmt.Sprintf("no customer #%d", o.CustomerID)}
		} else if err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, insertOneOrder, o.ExternalID, o.CustomerID, s.d.ts(o.OrderedAt), o.Amount, o.Currency,
			o.Channel, string(o.Status), int64(o.Hash())).Scan(&id)
		if err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("order %s exists: %w", o.ExternalID, kith.ErrConflict)
			}
			return err
		}
		if err := replaceLines(ctx, tx, id, o.Lines); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, bumpOrdersVersion)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("create order: %w", err)
	}
	return id, nil
}
