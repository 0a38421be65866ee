package importer

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kithcrm/kith/internal/customer"
	"github.com/kithcrm/kith/internal/kith"
	"github.com/kithcrm/kith/internal/money"
	"github.com/kithcrm/kith/internal/order"
)

// Sink stores what an import reads. The store implements it; each Write runs
// in one transaction, so a batch is in the database whole or not at all and a
// killed import resumes by running again.
type Sink interface {
	BeginImport(ctx context.Context, kind Kind, file string) (run int64, err error)
	WriteCustomers(ctx context.Context, run int64, rows []Row[customer.Customer]) (BatchResult, error)
	// WriteOrders stores orders; withLines replaces each order's lines.
	WriteOrders(ctx context.Context, run int64, rows []Row[order.Order], withLines bool) (BatchResult, error)
	WriteSpend(ctx context.Context, run int64, rows []Row[order.Spend]) (BatchResult, error)
	WriteTraffic(ctx context.Context, run int64, rows []Row[order.Traffic]) (BatchResult, error)
	WriteProducts(ctx context.Context, run int64, rows []Row[order.Product]) (BatchResult, error)
	// FinishImport resolves references (referrers, owners) and records the run.
	FinishImport(ctx context.Context, run int64, s *Summary) error
	// AbortImport ends a run that failed before FinishImport (a store that
	// loads a whole file in one transaction rolls it back).
	AbortImport(ctx context.Context, run int64)
}

// OrderFinder is implemented by sinks that can read back stored orders:
// a line-item file that names only its orders (Mapping.Attach) needs it.
type OrderFinder interface {
	// FindOrders returns the stored orders among ids, by external id,
	// each with its customer's key.
	FindOrders(ctx context.Context, ids []string) (map[string]order.Order, error)
}

// attachLines completes a batch of orders read from a line-item file that
// names only its orders with the stored orders' customer, time, amount,
// status and channel, and writes them: their lines replace the stored
// ones. The amount stays the order's (what was paid, with shipping and
// discounts), not the sum of its lines. An order not stored is rejected.
func attachLines(finder OrderFinder, write func(context.Context, []Row[order.Order]) (BatchResult, error)) func(context.Context, []Row[order.Order]) (BatchResult, error) {
	return func(ctx context.Context, rows []Row[order.Order]) (BatchResult, error) {
		ids := make([]string, len(rows))
		for i, r := range rows {
			ids[i] = r.V.ExternalID
		}
		stored, err := finder.FindOrders(ctx, ids)
		if err != nil {
			return BatchResult{}, err
		}
		var missing []RowReject
		known := make([]Row[order.Order], 0, len(rows))
		origin := make([]int, 0, len(rows))
		for i, r := range rows {
			st, ok := stored[r.V.ExternalID]
			if !ok {
				missing = append(missing, RowReject{Index: i, Field: "order_id", Code: "unknown_order", Reason: kith.Msg("lines.unknown_order",
					"order %s is not in the database, and this file has no customer or time to make it: import the orders file first", r.V.ExternalID)})
				continue
			}
			o := r.V
			o.Customer, o.OrderedAt, o.Amount, o.Currency, o.Status, o.Channel = st.Customer, st.OrderedAt, st.Amount, st.Currency, st.Status, st.Channel
			known = append(known, Row[order.Order]{Line: r.Line, V: o})
			origin = append(origin, i)
		}
		var res BatchResult
		if len(known) > 0 {
			if res, err = write(ctx, known); err != nil {
				return res, err
			}
		}
		for j := range res.Rejects {
			res.Rejects[j].Index = origin[res.Rejects[j].Index]
		}
		res.Rejects = append(res.Rejects, missing...)
		return res, nil
	}
}

// A Load is a Sink for the files of one command or upload. A store may put
// them in one transaction (the store's first load), which End completes;
// Close rolls back what End did not complete, and is a no-op after it.
type Load interface {
	Sink
	End(ctx context.Context) error
	Close()
}

// BatchSizer is implemented by sinks that prefer another batch size (COPY
// wants larger batches than per-row statements).
type BatchSizer interface {
	PreferredBatch() int
}

// BatchResult counts what a Write did. Rejects index the rows passed in.
type BatchResult struct {
	Created, Updated, Unchanged int
	CustomersCreated            int
	// CustomersPlaced are known customers given a province and city.
	CustomersPlaced int
	// Merged are customers rows naming a customer merged into another
	// (its key is an alias of the survivor), left alone; they are counted
	// in Unchanged too.
	Merged  int
	Rejects []RowReject
}

// RowReject is a row the store refused (e.g. a duplicate order id).
type RowReject struct {
	Index       int
	Field, Code string
	Reason      *kith.Message
}

// Options tune an import.
type Options struct {
	Map       map[string]string // field -> header, from --map
	DateOrder DateOrder
	// MaskedPhoneKey: a row whose only customer column is a masked phone
	// (138****8000, as Douyin's export hides every buyer) names its
	// customer by the row's name and the visible digits, an approximate
	// identity, instead of being rejected (kith import --masked-phone-key).
	MaskedPhoneKey bool
	// OrderPrefix goes before every order id of the file (JD-): orders
	// numbered as another source numbers its own (a till that numbers
	// each day anew, two platforms) are told apart from them.
	OrderPrefix string
	// DecimalComma: amounts, quantities and counts are written with a
	// comma before the decimals and dots between thousands (1.234,50), as
	// Excel writes them in much of Europe.
	DecimalComma bool
	Location     *time.Location
	Currency     string
	// Channel is the channel of rows without one: a platform's export
	// (--channel 淘宝) names no channel, every row of it is that platform's.
	Channel     string
	Encoding    string
	Sheet       string
	RejectsPath string // "" = NAME.rejects.csv beside the input
	// Say writes the rejects file's reasons in the user's language
	// (i18n.Message); nil writes English.
	Say          func(*kith.Message) string
	BatchSize    int // rows per transaction; 0 = the sink's preference, else 5000
	MaxCellBytes int // 0 = 1 MiB
	// Now, when set, is when the import runs: orders dated more than a day
	// after it are imported as dated and named in a warning.
	Now time.Time
	// Progress, when set, is called now and then with rows read and the
	// bytes read of the file's total (total is 0 when unknown).
	Progress func(rows int, done, total int64)
	// Mapped, when set, is told which columns are used for what before any
	// row is read.
	Mapped func(source *kith.Message, m *Mapping)
}

// Summary is what an import did to one file.
type Summary struct {
	File      string        `json:"file"`
	Kind      Kind          `json:"kind"`
	Format    *kith.Message `json:"format"`
	Read      int           `json:"read"`
	Created   int           `json:"created"`
	Updated   int           `json:"updated"`
	Unchanged int           `json:"unchanged"`
	Rejected  int           `json:"rejected"`
	Customers int           `json:"customers_created"`
	Placed    int           `json:"customers_placed"`
	// Merged rows (customers files) name customers merged into others;
	// they are among the unchanged.
	Merged      int    `json:"merged_rows"`
	RejectsPath string `json:"rejects_file,omitempty"`
	// FirstRejects are the first rows rejected, in file order.
	FirstRejects []Reject `json:"first_rejects,omitempty"`
	// Warnings are problems that rejected no row, e.g. unknown referrers.
	Warnings []*kith.Message `json:"warnings,omitempty"`
	// DryRun: the counts are what the import would do; it went into a
	// copy of the database (kith import --dry-run).
	DryRun bool `json:"dry_run,omitempty"`
	// OrdersFrom and OrdersTo are the times of the first and last orders
	// the import kept (orders and line items that make orders), in its
	// time zone: a date read wrong shows here before it shows in a report.
	OrdersFrom time.Time `json:"orders_from,omitzero"`
	OrdersTo   time.Time `json:"orders_to,omitzero"`
}

// AddCounts adds o's row counts to s: the total of several files or sheets.
func (s *Summary) AddCounts(o *Summary) {
	s.Read, s.Created, s.Updated = s.Read+o.Read, s.Created+o.Created, s.Updated+o.Updated
	s.Unchanged, s.Rejected, s.Customers = s.Unchanged+o.Unchanged, s.Rejected+o.Rejected, s.Customers+o.Customers
	s.Placed, s.Merged = s.Placed+o.Placed, s.Merged+o.Merged
	if !o.OrdersFrom.IsZero() && (s.OrdersFrom.IsZero() || o.OrdersFrom.Before(s.OrdersFrom)) {
		s.OrdersFrom = o.OrdersFrom
	}
	if o.OrdersTo.After(s.OrdersTo) {
		s.OrdersTo = o.OrdersTo
	}
}

// DefaultRejectsPath is NAME.rejects.csv beside the input file.
func DefaultRejectsPath(file string) string {
	ext := filepath.Ext(file)
	return strings.TrimSuffix(file, ext) + ".rejects.csv"
}

// maxOpenOrders bounds how many line-item orders wait for more lines, and
// lineWindow how many rows an order's lines may be apart. Together they keep
// memory flat however large the file.
const (
	maxOpenOrders = 50000
	lineWindow    = 20000
)

// srcRef is one record a row came from. cells is a window on its batch's
// arena; appends to the arena never overwrite it.
type srcRef struct {
	line  int
	cells []string
	raw   string
}

// batch is what the reading goroutine hands the writing one.
type batch[T any] struct {
	rows    []Row[T]
	srcs    [][]srcRef // per row, the records it came from
	refs    []srcRef   // backing for one-record srcs, so a row costs no allocation of its own
	arena   []string
	rejects []rejectRec // rows refused while parsing
	read    int
}

type rejectRec struct {
	src    srcRef
	field  string
	reason *kith.Message
}

// Import reads one file of kind k into sink.
func Import(ctx context.Context, sink Sink, k Kind, path string, opts Options) (*Summary, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 5000
		if bs, ok := sink.(BatchSizer); ok {
			opts.BatchSize = bs.PreferredBatch()
		}
	}
	if opts.MaxCellBytes <= 0 {
		opts.MaxCellBytes = 1 << 20
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	src, m, sheets, err := openHeaded(path, k, &opts)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	var unread, unreadHidden []string // other sheets with data of this kind
	if read := sheetRead(src); read != "" && opts.Sheet == "" {
		unread, unreadHidden = sheetsWithHeader(path, read, k, &opts, sheets)
	}
	if src, err = sampleDateOrder(src, m, &opts.DateOrder); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if opts.Mapped != nil {
		opts.Mapped(src.Describe(), m)
	}
	rejectsPath := opts.RejectsPath
	if rejectsPath == "" {
		rejectsPath = DefaultRejectsPath(path)
	}
	rw := &rejectWriter{path: rejectsPath, header: src.Header(), say: opts.Say, skip: rejectsColumns(src.Header())}
	defer rw.close()

	run, err := sink.BeginImport(ctx, k, path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	finished := false
	defer func() {
		if !finished {
			sink.AbortImport(ctx, run)
		}
	}()
	sum := &Summary{File: path, Kind: k, Format: src.Describe()}
	p := &rowParser{m: m, order: opts.DateOrder, loc: opts.Location, currency: opts.Currency, channel: strings.TrimSpace(opts.Channel),
		decimalComma: opts.DecimalComma, maskedKey: opts.MaskedPhoneKey, orderPrefix: opts.OrderPrefix}
	if p.currency == "" {
		p.currency = "CNY"
	}
	switch x := inner(src).(type) {
	case *xlsxSource:
		p.date1904 = x.w.date1904
	case *xlsSource:
		p.date1904 = x.book.date1904
	}
	r := &reader{src: src, p: p, opts: &opts, names: src.Header(), padShort: endsRowsEarly(src)}
	r.contKeys, r.contAmount, r.contField = continuationKeys(k, m)
	r.carry = newCarryDown(k, m)
	if k == Orders || k == Lines {
		r.sumKeys = m.columns("order_id", "customer_id", "phone", "email", "ordered_at")
	}
	r.flowCol = -1
	if i, ok := m.Index["flow"]; ok {
		r.flowCol = i
	}
	span := &orderSpan{}
	if !opts.Now.IsZero() {
		span.after = opts.Now.Add(24 * time.Hour)
	}
	switch k {
	case Customers:
		step := dedupe(parser(r, p.parseCustomer), "customer_id", LabelCustomer, func(c *customer.Customer) string { return c.Key().String() }, (*customer.Customer).Hash)
		err = pipeline(ctx, r, step, sum, rw, nil, func(ctx context.Context, rows []Row[customer.Customer]) (BatchResult, error) {
			return sink.WriteCustomers(ctx, run, rows)
		})
	case Orders:
		occ := map[uint64]int32{} // only filled when the file has no order ids
		step := parser(r, func() (order.Order, *cellErr) {
			o, cerr := p.parseOrder()
			if cerr == nil && o.ExternalID == "" {
				h := tripleHash(o.Customer, o.OrderedAt, o.Amount)
				occ[h]++
				o.ExternalID = derivedOrderKey(h, int(occ[h]))
			}
			return o, cerr
		})
		err = pipeline(ctx, r, dedupe(step, "order_id", LabelOrderID, orderKey, (*order.Order).Hash), sum, rw, span.add, func(ctx context.Context, rows []Row[order.Order]) (BatchResult, error) {
			return sink.WriteOrders(ctx, run, rows, false)
		})
	case Lines:
		write := func(ctx context.Context, rows []Row[order.Order]) (BatchResult, error) {
			return sink.WriteOrders(ctx, run, rows, true)
		}
		if m.Attach() {
			finder, ok := sink.(OrderFinder)
			if !ok {
				return nil, fmt.Errorf("%s: %w", path, kith.Msg("lines.no_finder", "line items without customer or time need the stored orders, which this import cannot read"))
			}
			write = attachLines(finder, write)
		}
		err = pipeline(ctx, r, dedupe(groupLines(r), "order_id", LabelOrderID, orderKey, (*order.Order).Hash), sum, rw, span.add, write)
	case Spend:
		step := aggregate(parserOfDays(r, p.parseSpend, spreadSpend), func(s *order.Spend) string {
			return s.Date.Format(time.DateOnly) + "\x00" + s.Channel + "\x00" + s.Kind
		}, func(dst, src *order.Spend) { dst.Amount += src.Amount })
		err = pipeline(ctx, r, step, sum, rw, nil, func(ctx context.Context, rows []Row[order.Spend]) (BatchResult, error) {
			return sink.WriteSpend(ctx, run, rows)
		})
	case Traffic:
		step := aggregate(parserOfDays(r, p.parseTraffic, spreadTraffic), func(t *order.Traffic) string {
			return t.Date.Format(time.DateOnly) + "\x00" + t.Channel
		}, func(dst, src *order.Traffic) { dst.Visitors += src.Visitors; dst.Conversions += src.Conversions })
		err = pipeline(ctx, r, step, sum, rw, nil, func(ctx context.Context, rows []Row[order.Traffic]) (BatchResult, error) {
			return sink.WriteTraffic(ctx, run, rows)
		})
	case Products:
		step := dedupe(parser(r, p.parseProduct), "sku", LabelSKU, func(p *order.Product) string { return p.SKU }, (*order.Product).Hash)
		err = pipeline(ctx, r, step, sum, rw, nil, func(ctx context.Context, rows []Row[order.Product]) (BatchResult, error) {
			return sink.WriteProducts(ctx, run, rows)
		})
	default:
		err = kith.Msg("kind.unknown", "unknown import kind %q", k)
	}
	if cerr := rw.close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return sum, fmt.Errorf("%s: %w", path, err)
	}
	if !span.from.IsZero() {
		sum.OrdersFrom, sum.OrdersTo = span.from.In(opts.Location), span.to.In(opts.Location)
	}
	if span.future.n > 0 {
		sum.Warnings = append(sum.Warnings, futureWarning(&span.future, sum.OrdersTo.Format(time.DateOnly)))
	}
	if r.totals.n > 0 {
		sum.Warnings = append(sum.Warnings, totalsWarning(&r.totals))
	}
	if r.sums.n > 0 {
		sum.Warnings = append(sum.Warnings, sumsWarning(&r.sums))
	}
	if r.notSales.n > 0 {
		sum.Warnings = append(sum.Warnings, notSalesWarning(&r.notSales))
	}
	if r.again.n > 0 {
		sum.Warnings = append(sum.Warnings, headerAgainWarning(&r.again))
	}
	if r.reordered.n > 0 {
		sum.Warnings = append(sum.Warnings, headerMovedWarning(&r.reordered))
	}
	if r.dotted.n > 0 {
		sum.Warnings = append(sum.Warnings, dottedWarning(&r.dotted))
	}
	if p.maskedKeyed > 0 {
		sum.Warnings = append(sum.Warnings, kith.Msg("masked_key.rows",
			"%d rows name their customer by name and a masked phone's visible digits (--masked-phone-key): one person under two names, or two people with one name and the same visible digits, are counted wrong",
			p.maskedKeyed))
	}
	for i, f := range profileCells {
		if r.unread[i].n > 0 {
			sum.Warnings = append(sum.Warnings, unreadWarning(i, &r.unread[i], r.unreadFirst[i], attrName(m, f)))
		}
	}
	if r.excelErrors.n > 0 {
		sum.Warnings = append(sum.Warnings, excelErrorsWarning(&r.excelErrors))
	}
	if r.cont.n > 0 {
		sum.Warnings = append(sum.Warnings, continuedWarning(&r.cont))
	}
	if r.items.n > 0 {
		sum.Warnings = append(sum.Warnings, itemsWarning(&r.items))
	}
	if k == Orders && rw.differing > 0 {
		if col := itemColumn(src.Header(), opts.Map); col != "" {
			sum.Warnings = append(sum.Warnings, kith.Msg("import.items_as_orders",
				"%d rows repeat an order id with content of their own, and the file has a column of items (%q): is it a row per item? Import it as line items (kith import lines), which makes each order of its rows", rw.differing, col))
		}
	}
	if (k == Spend || k == Traffic) && !m.Has("channel") && p.channel == "" && sum.Read > sum.Rejected {
		// Reports split acquisition cost and conversion by channel; rows
		// with none count for the shop as a whole, which is rarely meant.
		sum.Warnings = append(sum.Warnings, kith.Msg("import.no_channel",
			"the file has no channel column, so its rows count for the whole shop, as \"(no channel)\" in the reports, and for no channel of their own (to name one: kith import --channel NAME or --map channel=HEADER, or the channel field of the import page)"))
	}
	if sheetHidden(src, sheets) {
		sum.Warnings = append(sum.Warnings, kith.Msg("import.hidden_sheet",
			"sheet %q is hidden in the workbook (Excel does not show it); its rows were imported all the same", sheetRead(src)))
	}
	if len(unread) > 0 {
		sum.Warnings = append(sum.Warnings, kith.Msg("import.unread_sheets",
			"sheets %s also have a header for %s and were not read (to read every sheet: kith import --all-sheets, or \"Every sheet of a workbook\" on the import page)", strings.Join(unread, ", "), k))
	}
	if len(unreadHidden) > 0 {
		sum.Warnings = append(sum.Warnings, kith.Msg("import.unread_hidden",
			"hidden sheets %s also have a header for %s and were not read (a template or a copy? to read one: kith import --sheet NAME, or the sheet field of the import page)", strings.Join(unreadHidden, ", "), k))
	}
	if rw.n > 0 {
		sum.RejectsPath, sum.FirstRejects = rw.path, rw.first
		if rw.moved != nil {
			sum.Warnings = append(sum.Warnings, kith.Msg("rejects.moved", "the rejects file could not be written at %s (%v): the rejected rows are in %s", rejectsPath, rw.moved, rw.path))
		}
	} else if opts.RejectsPath == "" {
		// A rejects file left by an earlier run no longer describes this file.
		_ = os.Remove(rejectsPath)
	}
	finished = true
	if err := sink.FinishImport(ctx, run, sum); err != nil {
		return sum, fmt.Errorf("%s: %w", path, err)
	}
	return sum, nil
}

func orderKey(o *order.Order) string { return o.ExternalID }

// inner is the source under src's found header, if src is one.
func inner(src Source) Source {
	if hs, ok := src.(*headedSource); ok {
		return hs.Source
	}
	return src
}

// endsRowsEarly reports a source under src whose rows end at their last
// cell written: a workbook's sheet, an HTML table, Excel 2003 XML.
func endsRowsEarly(src Source) bool {
	switch inner(src).(type) {
	case *xlsxSource, *xlsSource, *htmlSource, *xml2003Source:
		return true
	}
	return false
}

// reader pulls records and checks their shape before they are parsed.
type reader struct {
	src   Source
	p     *rowParser
	opts  *Options
	names []string // the header's cells, looked up per cell: not through src
	// padShort: a workbook's row ends at its last filled cell (and an HTML
	// table's or Excel 2003 XML's often at its last cell written), so a row
	// shorter than the header has empty cells, not a separator out of place.
	padShort bool
	rows     int
	totals   passedOver // totals rows
	// cont are the rows that continue the record above in merged cells:
	// contKeys are the columns that identify a record (an order's id, or
	// its customer and time; a customer's keys), contAmount an order's
	// amount (-1 for customers).
	cont       passedOver
	contKeys   []int
	contAmount int
	contField  string // the field an item row's reject names
	// carry (orders and line items with an order id) fills an order's
	// cells a row leaves blank from the row above of the same order, and
	// items are the orders file's rows passed over as further items of it.
	carry *carryDown
	items passedOver
	// sumKeys (orders and line items) are the columns that identify an
	// order; a row with all of them blank and only numbers elsewhere is
	// a sum without its label (sumRow), passed over as sums.
	sumKeys []int
	sums    passedOver
	// afterLabels: the row before was a totals row's labels (WeChat Pay's
	// 总交易单数, 应结订单总金额 ...), so a row of numbers is their values.
	afterLabels bool
	// flowCol is a payment bill's 收/支 column (-1: none); notSales are the
	// rows of money paid out or moved, passed over (rowParser.flow).
	flowCol  int
	notSales passedOver
	// dotted are the rows with an amount such as 1.234 (rowParser.dotThousands).
	dotted passedOver
	// unread are, for each of profileCells, the customers kept without
	// the cell their row gave, which could not be read (rowParser.unread);
	// unreadFirst is why the first such cell could not.
	unread      [len(profileCells)]passedOver
	unreadFirst [len(profileCells)]*kith.Message
	// excelErrors are the rows kept with a cell that held an Excel error
	// value, read as blank (rowParser.excelError).
	excelErrors passedOver
	// again are the rows that are the header again, and reordered those
	// that are its columns in another order (headerAgain); perm, when the
	// last such header had another order, takes each cell of the rows
	// below it to its column in the first header (permCells holds them).
	again     passedOver
	reordered passedOver
	headerAt  map[string][]int // a header name's columns
	// headerFirst and headerLen have a bit set for each byte a header name
	// begins with and each length one has (up to 63 bytes; 63 for longer):
	// a row whose first cell matches neither is no header, without the
	// map lookup every row would otherwise pay (2% of the reading side).
	headerFirst [4]uint64
	headerLen   uint64
	perm        []int
	permCells   []string
}

// headerAgain reports a row that is the file's header again: files joined
// into one (copy jan.csv+feb.csv all.csv, or an export that repeats its
// header on every page). Read as a record it could only be rejected; and
// when it has the columns in another order (a month exported from a
// template with its columns moved), the rows below it would be read in the
// wrong columns. It sets r.perm to read them in their own: nil when the
// row is the header as it was. The row must name every one of the
// header's columns (two at least) once, as wide as the header.
func (r *reader) headerAgain(cells []string) bool {
	if r.headerAt == nil {
		r.headerAt = map[string][]int{}
		for i, n := range r.names {
			if n = trimCell(n); n != "" {
				r.headerAt[n] = append(r.headerAt[n], i)
				r.headerFirst[n[0]>>6] |= 1 << (n[0] & 63)
				r.headerLen |= 1 << min(len(n), 63)
			}
		}
	}
	if len(r.headerAt) < 2 || len(cells) == 0 {
		return false
	}
	// The first cell decides almost every row, without allocating.
	first := trimCell(cells[0])
	if first == "" || r.headerFirst[first[0]>>6]&(1<<(first[0]&63)) == 0 || r.headerLen&(1<<min(len(first), 63)) == 0 {
		return false
	}
	if _, ok := r.headerAt[first]; !ok {
		return false
	}
	w := filledWidth(cells)
	if w != filledWidth(r.names) {
		return false
	}
	perm := make([]int, w)
	used := make([]bool, w)
	identity := true
	for i, c := range cells[:w] {
		c = trimCell(c)
		at := -1
		if c == "" {
			if trimCell(r.names[i]) == "" {
				at = i // a column the header has no name for, where it was
			}
		} else {
			for _, j := range r.headerAt[c] {
				if !used[j] {
					at = j
					break
				}
			}
		}
		if at < 0 {
			return false
		}
		used[at], perm[i] = true, at
		identity = identity && at == i
	}
	// Every column taken once, by w cells: the row names them all.
	r.perm = nil
	if !identity {
		r.perm = perm
	}
	return true
}

// filledWidth is the number of cells up to the last one not blank.
func filledWidth(cells []string) int {
	w := len(cells)
	for w > 0 && strings.TrimSpace(cells[w-1]) == "" {
		w--
	}
	return w
}

// reorder puts rec's cells in the first header's columns, when a header in
// another order came above it.
func (r *reader) reorder(rec *Record) {
	if r.perm == nil || rec.Err != nil {
		return
	}
	to := func(i int) int {
		if i < len(r.perm) {
			return r.perm[i]
		}
		return i
	}
	n := max(len(r.perm), len(rec.Cells))
	if cap(r.permCells) < n {
		r.permCells = make([]string, n)
	}
	r.permCells = r.permCells[:n]
	clear(r.permCells)
	for i, c := range rec.Cells {
		r.permCells[to(i)] = c
	}
	rec.Cells = r.permCells
	if rec.Marks != nil { // a merged area's cells keep their marks
		marks := make([]cellMark, n)
		for i, m := range rec.Marks {
			if j := to(i); j < n {
				marks[j] = m
			}
		}
		rec.Marks = marks
	}
}

// carryDown fills in the order's columns of a row that repeats the order
// id of the row above and leaves them blank: Shopify's orders export
// writes an order's buyer, status, time and total on its first row only,
// and its further items below with the Name and the item's columns.
type carryDown struct {
	id     int   // the order id's column
	cols   []int // the order's columns a further row may leave blank
	amount int   // orders files: the amount's column; -1 for line items
	prevID string
	prev   []string // the row above's cells, as filled
}

func newCarryDown(k Kind, m *Mapping) *carryDown {
	id, ok := m.Index["order_id"]
	if k != Orders && k != Lines || !ok || m.Attach() {
		return nil
	}
	c := &carryDown{id: id, amount: -1,
		cols: m.columns("customer_id", "phone", "email", "name", "city", "region", "address", "ordered_at", "ordered_time", "status", "channel", "currency", "refund_status")}
	for _, f := range []string{"ordered_at", "phone"} {
		c.cols = append(c.cols, m.Fallback[f]...)
	}
	if i, ok := m.Index["amount"]; ok && k == Orders {
		c.amount = i
	}
	return c
}

// apply fills rec's blank order cells from the row above when both name
// the same order. In an orders file such a row with no amount is only a
// further item of that order: item is set, and rec is left as it is.
func (c *carryDown) apply(rec *Record) (item bool) {
	cell := func(cells []string, i int) string {
		if i < len(cells) {
			return strings.TrimSpace(cells[i])
		}
		return ""
	}
	if id := cell(rec.Cells, c.id); id == "" || id != c.prevID {
		c.prevID, c.prev = id, append(c.prev[:0], rec.Cells...)
		return false
	}
	if c.amount >= 0 && cell(rec.Cells, c.amount) == "" {
		return true
	}
	for _, i := range c.cols {
		if i < len(rec.Cells) && cell(rec.Cells, i) == "" {
			rec.Cells[i] = cell(c.prev, i)
		}
	}
	c.prev = append(c.prev[:0], rec.Cells...)
	return false
}

// passedOver counts rows passed over for one reason and keeps the first
// few of their lines, for the warning.
type passedOver struct {
	n     int
	lines []int
}

func (p *passedOver) note(line int) {
	if p.n++; len(p.lines) < 3 {
		p.lines = append(p.lines, line)
	}
}

// say is the warning for the rows passed over: one when there was one,
// some when all their lines are listed, more when only the first are.
func (p *passedOver) say(one, some, more *kith.Message) *kith.Message {
	switch {
	case p.n == 1:
		return one
	case p.n > len(p.lines):
		return more
	}
	return some
}

// lineList is the lines kept, for a warning.
func (p *passedOver) lineList() string {
	ls := make([]string, len(p.lines))
	for i, l := range p.lines {
		ls[i] = strconv.Itoa(l)
	}
	return strings.Join(ls, ", ")
}

// continuationKeys finds, for an orders or customers file, the columns
// that say a row continues the record above when a merged area filled
// them all (see reader.cont).
func continuationKeys(k Kind, m *Mapping) (keys []int, amount int, field string) {
	switch k {
	case Orders:
		if keys = m.columns("order_id"); len(keys) > 0 {
			return keys, m.Index["amount"], "order_id"
		}
		return m.columns("customer_id", "phone", "email", "ordered_at"), m.Index["amount"], "ordered_at"
	case Customers:
		return m.columns("customer_id", "phone", "email"), -1, ""
	}
	return nil, -1, ""
}

// continues tells of a record whose identifying cells all came from merged
// areas above: the same order or customer as the row above, on a row of
// its own because other columns (an order's items) needed one. An order
// row with an amount of its own is one of the order's items: own is set.
func (r *reader) continues(rec Record) (cont, own bool) {
	if rec.Marks == nil || len(r.contKeys) == 0 {
		return false, false
	}
	merged := func(i int) bool { return i < len(rec.Marks) && rec.Marks[i] == markFilled }
	blank := func(i int) bool { return i >= len(rec.Cells) || strings.TrimSpace(rec.Cells[i]) == "" }
	some := false
	for _, i := range r.contKeys {
		switch {
		case merged(i):
			some = true
		case !blank(i): // a key of its own (a blank one, an email not given, says nothing)
			return false, false
		}
	}
	if !some {
		return false, false
	}
	return true, r.contAmount >= 0 && !merged(r.contAmount) && r.contAmount < len(rec.Cells) && strings.TrimSpace(rec.Cells[r.contAmount]) != ""
}

// totalWords open the totals row that reports and spreadsheets end with.
var totalWords = []string{"合计", "总计", "小计", "总合计", "汇总", "total", "totals", "grand total", "subtotal",
	// the footer of Alipay's older bills: 共123笔记录, 已收入:45笔,12345.67元,
	// 导出时间:[2020-01-01 10:00:00]
	"共", "已收入", "待收入", "已支出", "待支出", "导出时间"}

// totalsRow reports a row whose first filled cell, in the first two
// columns, says it is a total ("合计", "Total:"), alone or before a count
// or sum ("总计：2 笔", "合计(元) 27", "Total: 2 orders"): a sum of the rows
// above, not a record.
func totalsRow(cells []string) bool {
	for _, c := range cells[:min(2, len(cells))] {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		switch c[0] { // the first byte of every total word (合小 0xE5, 总汇 0xE6)
		case 0xE5, 0xE6, 'T', 't', 'G', 'g', 'S', 's':
		default:
			return false
		}
		c = strings.TrimRight(c, ":：")
		for _, w := range totalWords { // no allocation: this runs on every row
			if len(c) < len(w) || !strings.EqualFold(c[:len(w)], w) {
				continue
			}
			rest := c[len(w):]
			if rest == "" || totalTail(rest, w[0] >= 0x80) {
				return true
			}
		}
		return false
	}
	return false
}

// totalLabels reports the labels of a totals row that has its sums on the
// next row, as WeChat Pay's merchant bill ends (总交易单数, 应结订单总金额,
// 退款总金额 ... over `2, `0.02, `0.0 ...): two or more cells, each a
// total's name, and no digit among them.
func totalLabels(cells []string) bool {
	n := 0
	for _, c := range cells {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		c = strings.TrimPrefix(c, "`")
		// Cheapest first: this runs on every row, and a record's first
		// cell fails the first test.
		if !strings.Contains(c, "总") && !strings.Contains(c, "合计") && !(len(c) >= 5 && strings.EqualFold(c[:5], "total")) ||
			strings.ContainsAny(c, "0123456789") {
			return false
		}
		n++
	}
	return n >= 2
}

// numbersOnly reports a row whose filled cells are all numbers or amounts.
func numbersOnly(cells []string) bool {
	some := false
	for _, c := range cells {
		if c = trimCell(c); c == "" {
			continue
		}
		if _, err := money.Parse(c, "CNY"); err != nil {
			return false
		}
		some = true
	}
	return some
}

// ruleLine reports a row drawn as a line between a bill's parts: its filled
// cells are dashes or equals signs only, or such a line around a title
// ("-----交易记录明细列表-----").
func ruleLine(cells []string) bool {
	some := false
	for _, c := range cells {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		if len(c) < 6 || !strings.HasPrefix(c, "---") && !strings.HasPrefix(c, "===") || !strings.HasSuffix(c, "---") && !strings.HasSuffix(c, "===") {
			return false
		}
		some = true
	}
	return some
}

// totalTail says whether rest, after a total word, is what follows one in
// a totals row: a colon, or for a Chinese word also a space, a bracket or
// a digit ("合计(元)", "总计 2 笔"). An English word needs the colon:
// "Total Wine" is a company.
func totalTail(rest string, chinese bool) bool {
	if strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "：") {
		return true
	}
	if !chinese {
		return false
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return r == ' ' || r == '(' || r == '（' || r == '\u3000' || r >= '0' && r <= '9'
}

// itemColumn names the column that makes a header a line-item file's (a
// product or SKU), "" if it is not one.
func itemColumn(header []string, overrides map[string]string) string {
	lines := map[string]string{}
	for f, h := range overrides {
		if HasField(Lines, f) {
			lines[f] = h
		}
	}
	m, err := MatchHeader(Lines, header, lines)
	if err != nil {
		return ""
	}
	if is := m.columns("product_name", "sku"); len(is) > 0 {
		return header[is[0]]
	}
	return ""
}

// orderSpan follows the times of the orders an import keeps: from when to
// when they run, and which are dated after the import, which no shop's
// order can be. A mistyped year, or day and month read the wrong way
// round, is otherwise seen only when a report looks wrong.
type orderSpan struct {
	from, to time.Time
	after    time.Time // orders later than this are in the future; zero: not checked
	future   passedOver
}

func (s *orderSpan) add(r *Row[order.Order]) {
	at := r.V.OrderedAt
	if at.IsZero() { // a line of an order imported before (Mapping.Attach)
		return
	}
	if s.from.IsZero() || at.Before(s.from) {
		s.from = at
	}
	if at.After(s.to) {
		s.to = at
	}
	if !s.after.IsZero() && at.After(s.after) {
		s.future.note(r.Line)
	}
}

// futureWarning says which orders are dated after the import; latest is
// the last order's date.
func futureWarning(p *passedOver, latest string) *kith.Message {
	return p.say(
		kith.Msg("future.one", "line %d has an order dated %s, after the day of the import: a mistyped year, or day and month read the wrong way round (--date-order)? It was imported as dated", p.lines[0], latest),
		kith.Msg("future.some", "%d orders (lines %s) are dated after the day of the import, the last %s: mistyped years, or day and month read the wrong way round (--date-order)? They were imported as dated", p.n, p.lineList(), latest),
		kith.Msg("future.more", "%d orders (lines %s and %d more) are dated after the day of the import, the last %s: mistyped years, or day and month read the wrong way round (--date-order)? They were imported as dated",
			p.n, p.lineList(), p.n-len(p.lines), latest))
}

// unreadWarning says which customers were kept without the profile
// cell (profileCells[cell]) their row gave, and under which attribute the
// cell was kept.
func unreadWarning(cell int, p *passedOver, first *kith.Message, attr string) *kith.Message {
	one, many := kith.Msg("unread.birthday", "a birthday"), kith.Msg("unread.birthdays", "birthdays")
	if cell == cellCompanySize {
		one, many = kith.Msg("unread.company_size", "a company size"), kith.Msg("unread.company_sizes", "company sizes")
	}
	return p.say(
		kith.Msg("unread.one", "line %d: %v: the customer was imported without %v, the cell kept as the attribute %q", p.lines[0], first, one, attr),
		kith.Msg("unread.some", "%d rows (lines %s) have %v that cannot be read (line %d: %v): the customers were imported without them, each cell kept as the attribute %q",
			p.n, p.lineList(), many, p.lines[0], first, attr),
		kith.Msg("unread.more", "%d rows (lines %s and %d more) have %v that cannot be read (line %d: %v): the customers were imported without them, each cell kept as the attribute %q",
			p.n, p.lineList(), p.n-len(p.lines), many, p.lines[0], first, attr))
}

// attrName is the attribute a field's cell is kept under (keepAsWritten):
// its column's header, or the field's name when the header is blank.
func attrName(m *Mapping, f string) string {
	if i, ok := m.Index[f]; ok && i < len(m.Header) && strings.TrimSpace(m.Header[i]) != "" {
		return strings.TrimSpace(m.Header[i])
	}
	return f
}

// notSalesWarning says which rows of a payment bill were money paid out
// or moved, not sales.
func notSalesWarning(p *passedOver) *kith.Message {
	return p.say(
		kith.Msg("not_sales.one", "line %d is money paid out or moved (收/支: 支出, 不计收支), not a sale: passed over", p.lines[0]),
		kith.Msg("not_sales.some", "%d rows (lines %s) are money paid out or moved (收/支: 支出, 不计收支), not sales: passed over", p.n, p.lineList()),
		kith.Msg("not_sales.more", "%d rows (lines %s and %d more) are money paid out or moved (收/支: 支出, 不计收支), not sales: passed over",
			p.n, p.lineList(), p.n-len(p.lines)))
}

// totalsWarning says which totals rows were passed over.
func totalsWarning(p *passedOver) *kith.Message {
	return p.say(
		kith.Msg("totals.one", "line %d is a totals row (合计/Total), a sum, not a record: passed over", p.lines[0]),
		kith.Msg("totals.some", "%d totals rows (合计/Total, lines %s) are sums, not records: passed over", p.n, p.lineList()),
		kith.Msg("totals.more", "%d totals rows (合计/Total, lines %s and %d more) are sums, not records: passed over",
			p.n, p.lineList(), p.n-len(p.lines)))
}

// dottedWarning says which rows had amounts that may be thousands written
// with a dot: read as decimals, they are a thousand times too small if so.
func dottedWarning(p *passedOver) *kith.Message {
	return p.say(
		kith.Msg("dotted.one", "line %d has an amount such as 1.234, read as 1.23 (rounded to the currency's cents): if the file writes 1.234,50 for a thousand and more, import it again with --decimal-comma", p.lines[0]),
		kith.Msg("dotted.some", "%d rows (lines %s) have amounts such as 1.234, read as 1.23 (rounded to the currency's cents): if the file writes 1.234,50 for a thousand and more, import it again with --decimal-comma", p.n, p.lineList()),
		kith.Msg("dotted.more", "%d rows (lines %s and %d more) have amounts such as 1.234, read as 1.23 (rounded to the currency's cents): if the file writes 1.234,50 for a thousand and more, import it again with --decimal-comma",
			p.n, p.lineList(), p.n-len(p.lines)))
}

// sumsWarning says which rows of numbers alone were passed over.
func sumsWarning(p *passedOver) *kith.Message {
	return p.say(
		kith.Msg("sums.one", "line %d has numbers only, no order id, customer or time: a sum, not a record: passed over", p.lines[0]),
		kith.Msg("sums.some", "%d rows (lines %s) have numbers only, no order id, customer or time: sums, not records: passed over", p.n, p.lineList()),
		kith.Msg("sums.more", "%d rows (lines %s and %d more) have numbers only, no order id, customer or time: sums, not records: passed over",
			p.n, p.lineList(), p.n-len(p.lines)))
}

// excelErrorsWarning says which rows kept had cells with Excel's error
// values, read as blank.
func excelErrorsWarning(p *passedOver) *kith.Message {
	return p.say(
		kith.Msg("excel_errors.one", "line %d has a cell with a spreadsheet's error value (#N/A, #VALUE!: a formula that failed), read as blank", p.lines[0]),
		kith.Msg("excel_errors.some", "%d rows (lines %s) have cells with a spreadsheet's error value (#N/A, #VALUE!: a formula that failed), read as blank", p.n, p.lineList()),
		kith.Msg("excel_errors.more", "%d rows (lines %s and %d more) have cells with a spreadsheet's error value (#N/A, #VALUE!: a formula that failed), read as blank",
			p.n, p.lineList(), p.n-len(p.lines)))
}

// headerAgainWarning says which rows were the header again.
func headerAgainWarning(p *passedOver) *kith.Message {
	return p.say(
		kith.Msg("header_again.one", "line %d is the header again (files joined into one?): passed over", p.lines[0]),
		kith.Msg("header_again.some", "%d rows (lines %s) are the header again (files joined into one?): passed over", p.n, p.lineList()),
		kith.Msg("header_again.more", "%d rows (lines %s and %d more) are the header again (files joined into one?): passed over",
			p.n, p.lineList(), p.n-len(p.lines)))
}

// headerMovedWarning says which rows were the header with its columns in
// another order, which the rows below them were read in.
func headerMovedWarning(p *passedOver) *kith.Message {
	return p.say(
		kith.Msg("header_moved.one", "line %d is the header with its columns in another order (files joined into one?): passed over, and the rows below it read in that order", p.lines[0]),
		kith.Msg("header_moved.some", "%d rows (lines %s) are the header with its columns in another order (files joined into one?): passed over, and the rows below each read in its order", p.n, p.lineList()),
		kith.Msg("header_moved.more", "%d rows (lines %s and %d more) are the header with its columns in another order (files joined into one?): passed over, and the rows below each read in its order",
			p.n, p.lineList(), p.n-len(p.lines)))
}

// sumRow reports an orders or line-item row that is a sum left without
// its 合计 label (Excel's SUM under the amount column): the columns that
// identify an order are all blank and every filled cell is a number or an
// amount. Such a row could only be rejected, for want of an order.
func (r *reader) sumRow(rec Record) bool {
	if len(r.sumKeys) == 0 {
		return false
	}
	for _, i := range r.sumKeys {
		if i < len(rec.Cells) && strings.TrimSpace(rec.Cells[i]) != "" {
			return false
		}
	}
	return numbersOnly(rec.Cells)
}

// continuedWarning says which rows continued a record in merged cells.
func continuedWarning(p *passedOver) *kith.Message {
	return p.say(
		kith.Msg("merged.one", "line %d repeats the order or customer above it, merged down over both rows: passed over", p.lines[0]),
		kith.Msg("merged.some", "%d rows (lines %s) repeat the order or customer above them, merged down over the rows: passed over", p.n, p.lineList()),
		kith.Msg("merged.more", "%d rows (lines %s and %d more) repeat the order or customer above them, merged down over the rows: passed over",
			p.n, p.lineList(), p.n-len(p.lines)))
}

// itemsWarning says which rows of an orders file were further items of
// the order above them (carryDown).
func itemsWarning(p *passedOver) *kith.Message {
	return p.say(
		kith.Msg("items.one", "line %d is a further item of the order above it (the same order id, the order's amount left blank, as Shopify writes them): passed over; import the file as line items (kith import lines) for its items", p.lines[0]),
		kith.Msg("items.some", "%d rows (lines %s) are further items of the order above them (the same order id, the order's amount left blank, as Shopify writes them): passed over; import the file as line items (kith import lines) for its items", p.n, p.lineList()),
		kith.Msg("items.more", "%d rows (lines %s and %d more) are further items of the order above them (the same order id, the order's amount left blank, as Shopify writes them): passed over; import the file as line items (kith import lines) for its items",
			p.n, p.lineList(), p.n-len(p.lines)))
}

// Duplicate explains a key met again in one file: what it keys (a label
// such as LabelOrderID), the key, the line it was first met on, and
// whether the two rows say the same.
func Duplicate(what *kith.Message, key string, first int, same bool) *kith.Message {
	if same {
		return kith.Msg("duplicate.same", "duplicate %v %s: same content as line %d", what, key, first)
	}
	return kith.Msg("duplicate.different", "duplicate %v %s with different content from line %d (kept the first)", what, key, first)
}

// fill is the per-kind step: it reads one record into b, or reports io.EOF
// after putting any rows it still held into b.
type fill[T any] func(b *batch[T]) error

// next reads a record, puts its cells in b's arena and checks its shape.
// A record that cannot be used becomes a reject and ok is false.
func next[T any](r *reader, b *batch[T]) (ref srcRef, ok bool, err error) {
	rec, err := r.src.Next()
	if err != nil {
		return srcRef{}, false, err
	}
	r.rows++
	if rec.Err == nil && r.headerAgain(rec.Cells) {
		if r.perm == nil {
			r.again.note(rec.Line)
		} else {
			r.reordered.note(rec.Line)
		}
		return srcRef{}, false, nil
	}
	r.reorder(&rec)
	labels := r.afterLabels
	r.afterLabels = false
	if rec.Err == nil && totalsRow(rec.Cells) {
		r.totals.note(rec.Line)
		return srcRef{}, false, nil
	}
	if rec.Err == nil && len(r.sumKeys) > 0 && totalLabels(rec.Cells) {
		r.totals.note(rec.Line)
		r.afterLabels = true
		return srcRef{}, false, nil
	}
	if labels && rec.Err == nil && numbersOnly(rec.Cells) {
		r.totals.note(rec.Line)
		return srcRef{}, false, nil
	}
	if rec.Err == nil && ruleLine(rec.Cells) {
		return srcRef{}, false, nil // a line of dashes between a bill's parts: no data
	}
	if r.flowCol >= 0 && rec.Err == nil && notSale(rec.Cells, r.flowCol) {
		r.notSales.note(rec.Line)
		return srcRef{}, false, nil
	}
	if r.carry != nil && rec.Err == nil && r.carry.apply(&rec) {
		r.items.note(rec.Line)
		return srcRef{}, false, nil
	}
	cont, ownAmount := r.continues(rec)
	if cont && !ownAmount {
		r.cont.note(rec.Line)
		return srcRef{}, false, nil
	}
	if rec.Err == nil && r.sumRow(rec) {
		r.sums.note(rec.Line)
		return srcRef{}, false, nil
	}
	b.read++
	if r.opts.Progress != nil && r.rows%16384 == 0 {
		done, total := int64(0), int64(0)
		if ps, ok := r.src.(interface{ Pos() (int64, int64) }); ok {
			done, total = ps.Pos()
		}
		r.opts.Progress(r.rows, done, total)
	}
	header := len(r.names)
	start := len(b.arena)
	b.arena = append(b.arena, rec.Cells...)
	for n := len(rec.Cells); r.padShort && n < header; n++ {
		b.arena = append(b.arena, "")
	}
	ref = srcRef{line: rec.Line, cells: b.arena[start:len(b.arena):len(b.arena)], raw: rec.Raw}
	reject := func(field string, reason *kith.Message) {
		b.rejects = append(b.rejects, rejectRec{src: ref, field: field, reason: reason})
	}
	if rec.Err != nil {
		reject("", message(rec.Err))
		return ref, false, nil
	}
	if cont { // an order's item, with its own amount
		reject(r.contField, kith.Msg("merged.item",
			"the order is merged down from the row above, and this row has an amount of its own: an item of the order? Import the file as line items (kith import lines), or unmerge the cells"))
		return ref, false, nil
	}
	if n := len(ref.cells); n != header {
		extra := false
		for i := min(n, header); i < n; i++ {
			// A merged area reaching past the header's last column is no
			// separator out of place.
			filled := i < len(rec.Marks) && rec.Marks[i] == markFilled
			extra = extra || strings.TrimSpace(ref.cells[i]) != "" && !filled
		}
		if n < header || extra {
			reject("", kith.Msg("row.cells", "row has %d cells, the header has %d (a separator or quote out of place?)", n, header))
			return ref, false, nil
		}
	}
	for i, c := range ref.cells {
		name := ""
		if i < header {
			name = r.names[i]
		}
		if len(c) > r.opts.MaxCellBytes {
			reject(name, kith.Msg("cell.too_long", "cell %q is %d bytes, over the limit of %d", name, len(c), r.opts.MaxCellBytes))
			return ref, false, nil
		}
		// PostgreSQL refuses NUL in text and SQLite would store it: one
		// such cell would otherwise stop the whole import there.
		if strings.IndexByte(c, 0) >= 0 {
			reject(name, kith.Msg("cell.nul", "cell %q holds a NUL character (a binary or damaged export?)", name))
			return ref, false, nil
		}
	}
	r.p.cells, r.p.marks, r.p.excelError = ref.cells, rec.Marks, ""
	return ref, true, nil
}

// parser turns a one-row parse function into a fill step.
func parser[T any](r *reader, parse func() (T, *cellErr)) fill[T] {
	return func(b *batch[T]) error {
		ref, ok, err := next(r, b)
		if err != nil || !ok {
			return err
		}
		v, cerr := parse()
		r.noteRow(ref.line, cerr == nil)
		if cerr != nil {
			b.rejects = append(b.rejects, r.refused(ref, cerr))
			return nil
		}
		keep(b, ref, v)
		return nil
	}
}

// parserOfDays is parser for rows that may cover several days (an ad
// platform's week of spend, 2024-03-01 ~ 2024-03-07): parse says how many,
// and split makes a row of each day, all from the record's line.
func parserOfDays[T any](r *reader, parse func() (T, int, *cellErr), split func(T, int) []T) fill[T] {
	return func(b *batch[T]) error {
		ref, ok, err := next(r, b)
		if err != nil || !ok {
			return err
		}
		v, days, cerr := parse()
		r.noteRow(ref.line, cerr == nil)
		if cerr != nil {
			b.rejects = append(b.rejects, r.refused(ref, cerr))
			return nil
		}
		keep(b, ref, split(v, days)...)
		return nil
	}
}

// noteRow notes line when its row had an amount such as 1.234, or, when
// it was kept, a cell with an Excel error value, read as blank.
func (r *reader) noteRow(line int, kept bool) {
	if r.p.dotThousands {
		r.dotted.note(line)
		r.p.dotThousands = false
	}
	for i, why := range r.p.unread {
		if kept && why != nil {
			if r.unread[i].n == 0 {
				r.unreadFirst[i] = why
			}
			r.unread[i].note(line)
		}
	}
	if kept && r.p.excelError != "" {
		r.excelErrors.note(line)
	}
}

// keep adds the rows parsed from the record ref to b.
func keep[T any](b *batch[T], ref srcRef, vs ...T) {
	b.refs = append(b.refs, ref)
	src := b.refs[len(b.refs)-1 : len(b.refs) : len(b.refs)]
	for _, v := range vs {
		b.rows = append(b.rows, Row[T]{Line: ref.line, V: v})
		b.srcs = append(b.srcs, src)
	}
}

// refused is the reject of the record ref for its cell error.
func (r *reader) refused(ref srcRef, cerr *cellErr) rejectRec {
	return rejectRec{src: ref, field: cerr.field, reason: r.p.reason(cerr)}
}

// dedupe rejects a row whose key is already in the same batch, keeping the
// first (the store catches repeats across batches, through import_run).
func dedupe[T any](step fill[T], field string, label *kith.Message, key func(*T) string, hash func(*T) uint64) fill[T] {
	var cur *batch[T]
	seen := map[string]int{}
	return func(b *batch[T]) error {
		if b != cur {
			cur = b
			clear(seen)
		}
		n := len(b.rows)
		if err := step(b); err != nil || len(b.rows) == n {
			return err
		}
		// A grouping step may add several rows at once; check each.
		kept := n
		for j := n; j < len(b.rows); j++ {
			row := &b.rows[j]
			k := key(&row.V)
			i, dup := seen[k]
			if !dup {
				seen[k] = kept
				b.rows[kept], b.srcs[kept] = b.rows[j], b.srcs[j]
				kept++
				continue
			}
			first := &b.rows[i]
			reason := Duplicate(label, k, first.Line, hash(&first.V) == hash(&row.V))
			for _, src := range b.srcs[j] {
				b.rejects = append(b.rejects, rejectRec{src: src, field: field, reason: reason})
			}
		}
		b.rows, b.srcs = b.rows[:kept], b.srcs[:kept]
		return nil
	}
}

// aggregate sums rows with the same key over the whole file (spend and
// traffic exports often have one row per campaign) and emits them at the
// end. Keys are days x channels x kinds, so memory follows the calendar, not
// the file.
func aggregate[T any](step fill[T], key func(*T) string, merge func(dst, src *T)) fill[T] {
	index := map[string]int{}
	var rows []Row[T]
	var srcs [][]srcRef
	return func(b *batch[T]) error {
		n := len(b.rows)
		err := step(b)
		for j := n; j < len(b.rows); j++ {
			k := key(&b.rows[j].V)
			if i, ok := index[k]; ok {
				merge(&rows[i].V, &b.rows[j].V)
				srcs[i] = append(srcs[i], b.srcs[j]...)
				continue
			}
			index[k] = len(rows)
			rows = append(rows, b.rows[j])
			srcs = append(srcs, b.srcs[j])
		}
		b.rows, b.srcs = b.rows[:n], b.srcs[:n]
		if err == io.EOF {
			b.rows = append(b.rows, rows...)
			b.srcs = append(b.srcs, srcs...)
		}
		return err
	}
}

// groupLines collects line-item rows into orders by order id (or, without
// one, by customer and time). An order is written once no line of it has
// been seen for lineWindow rows, so lines need not be adjacent, only near.
func groupLines(r *reader) fill[order.Order] {
	type group struct {
		row  Row[order.Order]
		srcs []srcRef
		last int
		// refunded counts the lines whose after-sales column says they
		// were refunded; their amounts are not in the order's, and an
		// order all of whose lines were is a refund of them all.
		refunded int
	}
	open := map[string]*group{}
	var queue []*group
	// Items' after-sales column, read per row only when the file has one
	// (the lines of stored orders keep their orders' amounts).
	itemRefunds := r.p.m.Has("refund_status") && !r.p.m.Attach()
	flush := func(b *batch[order.Order], g *group) {
		o := &g.row.V
		if o.Status == order.Paid && g.refunded > 0 && g.refunded == len(o.Lines) {
			o.Status, o.Amount = order.Refunded, 0
			for _, l := range o.Lines {
				o.Amount += l.Amount
			}
		}
		if o.Status == order.Paid && o.Amount < 0 {
			o.Status = order.Refunded
		}
		b.rows = append(b.rows, g.row)
		b.srcs = append(b.srcs, g.srcs)
		delete(open, o.ExternalID)
	}
	return func(b *batch[order.Order]) error {
		ref, ok, err := next(r, b)
		if err == io.EOF {
			for _, g := range queue {
				flush(b, g)
			}
			queue = nil
			return io.EOF
		}
		if err != nil {
			return err
		}
		if ok {
			o, cerr := r.p.parseLine()
			switch {
			case cerr != nil:
				b.rejects = append(b.rejects, r.refused(ref, cerr))
			default:
				if o.ExternalID == "" {
					o.ExternalID = derivedOrderKey(tripleHash(o.Customer, o.OrderedAt, 0), 1)
				}
				// An item refunded after the sale, as a line-item export's
				// after-sales column says (售后状态 退款成功), is kept as
				// bought, its amount out of the order's.
				refunded := itemRefunds && o.Status == order.Paid && refundDone(r.p.get("refund_status"))
				if refunded {
					o.Amount = 0
				}
				g := open[o.ExternalID]
				switch {
				case g == nil:
					g = &group{row: Row[order.Order]{Line: ref.line, V: o}, srcs: []srcRef{ref}}
					open[o.ExternalID] = g
					queue = append(queue, g)
					if refunded {
						g.refunded++
					}
				case g.row.V.Customer != o.Customer:
					b.rejects = append(b.rejects, rejectRec{src: ref, field: "customer_id", reason: kith.Msg("line.customer",
						"order %s belongs to customer %s (line %d), this line names %s", o.ExternalID, g.row.V.Customer, g.row.Line, o.Customer)})
				default:
					g.row.V.Lines = append(g.row.V.Lines, o.Lines[0])
					g.row.V.Amount += o.Amount
					if refunded {
						g.refunded++
					}
					if g.row.V.Status == order.Paid {
						g.row.V.Status = o.Status
					}
					g.srcs = append(g.srcs, ref)
				}
				if g != nil {
					g.last = r.rows
				}
			}
		}
		for len(queue) > 0 && (len(queue) > maxOpenOrders || queue[0].last < r.rows-lineWindow) {
			if open[queue[0].row.V.ExternalID] == queue[0] {
				flush(b, queue[0])
			}
			queue = queue[1:]
		}
		return nil
	}
}

// pipeline reads and parses on one goroutine while the caller's goroutine
// writes the previous batch, so parsing hides behind database time. kept,
// when set, is given each row the sink kept (not rejected).
func pipeline[T any](ctx context.Context, r *reader, step fill[T], sum *Summary, rw *rejectWriter, kept func(*Row[T]),
	write func(context.Context, []Row[T]) (BatchResult, error)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan *batch[T], 2)
	errc := make(chan error, 1)
	go func() {
		defer close(ch)
		for {
			// Sized up front: growing them by doubling was half of
			// the reading side's allocation.
			n := r.opts.BatchSize
			b := &batch[T]{rows: make([]Row[T], 0, n), srcs: make([][]srcRef, 0, n), refs: make([]srcRef, 0, n),
				arena: make([]string, 0, n*len(r.names))}
			var err error
			for len(b.rows) < r.opts.BatchSize && b.read < 4*r.opts.BatchSize && err == nil {
				err = step(b)
			}
			select {
			case ch <- b:
			case <-ctx.Done():
				errc <- ctx.Err()
				return
			}
			if err != nil {
				if err != io.EOF {
					errc <- err
				}
				return
			}
		}
	}()
	for b := range ch {
		var res BatchResult
		if len(b.rows) > 0 {
			var err error
			if res, err = write(ctx, b.rows); err != nil {
				cancel()
				for range ch {
				}
				return err
			}
		}
		sum.Read += b.read
		sum.Created += res.Created
		sum.Updated += res.Updated
		sum.Unchanged += res.Unchanged
		sum.Customers += res.CustomersCreated
		sum.Placed += res.CustomersPlaced
		sum.Merged += res.Merged
		if kept != nil {
			refused := make(map[int]bool, len(res.Rejects))
			for _, rj := range res.Rejects {
				refused[rj.Index] = true
			}
			for i := range b.rows {
				if !refused[i] {
					kept(&b.rows[i])
				}
			}
		}
		rejects := b.rejects
		for _, rj := range res.Rejects {
			for _, src := range b.srcs[rj.Index] {
				rejects = append(rejects, rejectRec{src: src, field: rj.Field, reason: rj.Reason})
			}
		}
		sortRejects(rejects)
		for _, rj := range rejects {
			if err := rw.write(rj); err != nil {
				cancel()
				for range ch {
				}
				return err
			}
		}
		sum.Rejected += len(rejects)
	}
	select {
	case err := <-errc:
		return err
	default:
		return nil
	}
}

func sortRejects(rs []rejectRec) {
	slices.SortStableFunc(rs, func(a, b rejectRec) int { return cmp.Compare(a.src.line, b.src.line) })
}
