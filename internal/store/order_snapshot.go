package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/kithcrm/kith/internal/report"
)

// The order snapshot: every report and CLV fit reads all paid orders, and a
// row-by-row scan through the SQLite driver costs about 1.7 µs per order per
// core (3.5 s for 5M orders). The snapshot keeps the same columns as one
// varint-encoded blob (about 7 bytes an order) that decodes in tens of
// milliseconds. It is valid while meta.orders_version has not moved:
// WriteOrders bumps the version in the same transaction as any change to
// orders, so a stale snapshot is never read; at worst it is rebuilt once.
const (
	// Changing orders or customers moves both the snapshot's version and
	// the data version the server caches reports under.
	bumpOrdersVersion = `UPDATE meta SET value = value + 1 WHERE key IN ('orders_version', 'data_version')`
	bumpDataVersion   = `UPDATE meta SET value = value + 1 WHERE key = 'data_version'`
	selectDataVersion = `SELECT value FROM meta WHERE key = 'data_version'`
	selectVersion     = `SELECT value FROM meta WHERE key = 'orders_version'`
	selectSnapshot    = `SELECT version, orders, data, channels FROM order_snapshot WHERE id = 1`
	upsertSnapshot    = `INSERT INTO order_snapshot (id, version, orders, data, channels, built_at) VALUES (1, $1, $2, $3, $4, $5)
ON CONFLICT (id) DO UPDATE SET version = excluded.version, orders = excluded.orders, data = excluded.data,
    channels = excluded.channels, built_at = excluded.built_at`
)

// snapEncoder writes paid orders, in customer then time order, as the
// snapshot's varints while a scan reads them: customer as the delta from
// the previous order's, time as the delta from the previous order of the
// same customer (absolute for a customer's first), amount as is. The
// rebuild holds the blob (about 7 bytes an order), not three int64 columns.
type snapEncoder struct {
	buf                  []byte
	n                    int
	first, prevC, prevAt int64
}

func (e *snapEncoder) add(c, at, amount int64) {
	if e.n == 0 {
		e.first = c
	}
	e.buf = binary.AppendUvarint(e.buf, uint64(c-e.prevC))
	if e.n == 0 || c != e.prevC {
		e.buf = binary.AppendVarint(e.buf, at)
	} else {
		e.buf = binary.AppendVarint(e.buf, at-e.prevAt)
	}
	e.buf = binary.AppendVarint(e.buf, amount)
	e.prevC, e.prevAt = c, at
	e.n++
}

// join appends o, encoded on its own from customers after all of e's: only
// o's first customer delta changes, from its id to its distance from e's
// last customer.
func (e *snapEncoder) join(o *snapEncoder) {
	if o.n == 0 {
		return
	}
	_, k := binary.Uvarint(o.buf)
	e.buf = binary.AppendUvarint(e.buf, uint64(o.first-e.prevC))
	e.buf = append(e.buf, o.buf[k:]...)
	if e.n == 0 {
		e.first = o.first
	}
	e.prevC, e.prevAt = o.prevC, o.prevAt
	e.n += o.n
}

// encodeSnapshot encodes purchases held in memory.
func encodeSnapshot(p *report.Purchases) []byte {
	e := snapEncoder{buf: make([]byte, 0, len(p.At)*8)}
	for i := range p.At {
		e.add(p.Customer[i], p.At[i], p.Amount[i])
	}
	return e.buf
}

// decodeSnapshot reads n orders back, keeping those up to until.
func decodeSnapshot(data []byte, n int, until int64, p *report.Purchases) error {
	p.Customer, p.At, p.Amount = make([]int64, 0, n), make([]int64, 0, n), make([]int64, 0, n)
	var c, at int64
	for i := 0; i < n; i++ {
		dc, k := binary.Uvarint(data)
		if k <= 0 {
			return errors.New("order snapshot: truncated")
		}
		data = data[k:]
		v, k := binary.Varint(data)
		if k <= 0 {
			return errors.New("order snapshot: truncated")
		}
		data = data[k:]
		if i == 0 || dc != 0 {
			at = v
		} else {
			at += v
		}
		c += int64(dc)
		amount, k := binary.Varint(data)
		if k <= 0 {
			return errors.New("order snapshot: truncated")
		}
		data = data[k:]
		if at <= until {
			p.Customer = append(p.Customer, c)
			p.At = append(p.At, at)
			p.Amount = append(p.Amount, amount)
		}
	}
	if len(data) != 0 {
		return errors.New("order snapshot: trailing bytes")
	}
	return nil
}

// snapshotPurchases returns the paid orders up to until from the snapshot,
// rebuilding it first when orders changed since it was taken.
func (s *Store) snapshotPurchases(ctx context.Context, until time.Time, p *report.Purchases) error {
	snap, err := s.currentSnapshot(ctx)
	if err != nil {
		return err
	}
	return decodeSnapshot(snap.orders, snap.n, until.Unix(), p)
}

// snapshot is a valid snapshot's blobs.
type snapshot struct {
	orders   []byte
	n        int
	channels []byte
}

// channelEncoder writes customers' channels as they are read: the distinct
// names first, then per customer the id (as a delta) and the name's index.
// Read beside the orders, 1.2M customers' ids and names held as slices
// until the end added 60 MiB to the rebuild's peak heap.
type channelEncoder struct {
	index map[string]uint64
	dict  []string
	body  []byte
	n     int
	prev  int64
}

func (e *channelEncoder) add(id int64, name string) {
	j, ok := e.index[name]
	if !ok {
		if e.index == nil {
			e.index = map[string]uint64{}
		}
		j = uint64(len(e.dict))
		e.index[name] = j
		e.dict = append(e.dict, name)
	}
	e.body = binary.AppendVarint(e.body, id-e.prev)
	e.body = binary.AppendUvarint(e.body, j)
	e.prev = id
	e.n++
}

func (e *channelEncoder) bytes() []byte {
	buf := binary.AppendUvarint(nil, uint64(len(e.dict)))
	for _, n := range e.dict {
		buf = binary.AppendUvarint(buf, uint64(len(n)))
		buf = append(buf, n...)
	}
	buf = binary.AppendUvarint(buf, uint64(e.n))
	return append(buf, e.body...)
}

func decodeChannels(data []byte) (map[int64]string, error) {
	bad := errors.New("order snapshot channels: corrupt")
	next := func() (uint64, error) {
		v, k := binary.Uvarint(data)
		if k <= 0 {
			return 0, bad
		}
		data = data[k:]
		return v, nil
	}
	nd, err := next()
	if err != nil {
		return nil, err
	}
	dict := make([]string, 0, nd)
	for i := uint64(0); i < nd; i++ {
		l, err := next()
		if err != nil || l > uint64(len(data)) {
			return nil, bad
		}
		dict = append(dict, string(data[:l]))
		data = data[l:]
	}
	n, err := next()
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, n)
	var id int64
	for i := uint64(0); i < n; i++ {
		d, k := binary.Varint(data)
		if k <= 0 {
			return nil, bad
		}
		data = data[k:]
		j, err := next()
		if err != nil || j >= uint64(len(dict)) {
			return nil, bad
		}
		id += d
		out[id] = dict[j]
	}
	return out, nil
}

// RefreshSnapshot rebuilds the snapshot if orders or customers changed
// since it was taken. Whoever imports calls it after the last of its
// imports, so the first report after them does not pay for the scan; not
// after each one, which for a workbook of twelve monthly sheets rebuilt it
// twelve times. A report that finds it stale rebuilds it anyway.
func (s *Store) RefreshSnapshot(ctx context.Context) error {
	_, err := s.currentSnapshot(ctx)
	return err
}

// currentSnapshot returns the snapshot valid for the current data.
func (s *Store) currentSnapshot(ctx context.Context) (*snapshot, error) {
	var version int64
	if err := s.rd.QueryRowContext(ctx, selectVersion).Scan(&version); err != nil {
		return nil, fmt.Errorf("orders version: %w", err)
	}
	var snapVersion, n int64
	var data, channels []byte
	err := s.rd.QueryRowContext(ctx, selectSnapshot).Scan(&snapVersion, &n, &data, &channels)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("order snapshot: %w", err)
	}
	if err == nil && snapVersion == version && channels != nil {
		return &snapshot{data, int(n), channels}, nil
	}
	// Rebuild from a full scan, labelled with the version read before it:
	// a write during the scan moves the version on, so the next read
	// rebuilds again rather than trusting this one.
	// The customers' channels are read beside the orders, on a connection
	// of their own: a sixth of the rebuild when read after them.
	var chErr error
	read := make(chan struct{})
	go func() {
		defer close(read)
		channels, chErr = s.scanChannels(ctx)
	}()
	all, err := s.scanAllPurchases(ctx)
	<-read
	if err != nil {
		return nil, err
	}
	if chErr != nil {
		return nil, chErr
	}
	if all.buf == nil {
		all.buf = []byte{} // no orders: an empty blob, not NULL
	}
	snap := &snapshot{orders: all.buf, n: all.n, channels: channels}
	if _, err := s.db.ExecContext(ctx, upsertSnapshot, version, snap.n, snap.orders, snap.channels, s.d.ts(s.Now())); err != nil {
		return nil, fmt.Errorf("save order snapshot: %w", err)
	}
	return snap, nil
}

// DataVersion moves whenever orders, customers, spend or traffic change:
// a cache of report results is valid while it stands still.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := s.readRow(ctx, selectDataVersion).Scan(&v); err != nil {
		return 0, fmt.Errorf("data version: %w", err)
	}
	return v, nil
}
