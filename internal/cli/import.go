package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kithcrm/kith/internal/i18n"
	"github.com/kithcrm/kith/internal/importer"
	"github.com/kithcrm/kith/internal/kith"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
)

func (a *app) importCmd() *cobra.Command {
	var (
		maps      []string
		dateOrder string
		tz        string
		currency  string
		channel   string
		encoding  string
		sheet     string
		rejects   string
		batch     int
		allSheets bool
		decComma  bool
		maskedKey bool
		prefix    string
		dryRun    bool
	)
	var kinds []string
	for _, k := range importer.Kinds {
		kinds = append(kinds, string(k))
	}
	cmd := &cobra.Command{
		Use:   "import customers|orders|lines|spend|traffic|products FILE...",
		Short: "Import customers, orders, order lines, spend, traffic or products from CSV, Excel or HTML exports",
		Long: `Import reads CSV (UTF-8 with or without BOM, GBK/GB18030, UTF-16; comma,
semicolon or tab separated), XLSX and legacy .xls (Excel 97-2003) workbooks,
and the HTML tables and Excel 2003 XML that some systems export as .xls. A zip
of such files (a platform's download, a month per file) or a gzip file is
unpacked; a folder imports the files in it; a pattern (2025\*.csv) is expanded
where the shell does not (Windows); FILE "-" reads standard input.

Headers are matched in English or Chinese (客户编号, 下单时间, 实付金额 ...),
those of Taobao, JD, Pinduoduo, Youzan, Douyin and tills' exports included,
and the bills of WeChat Pay and Alipay; --map names any other column. A title
above the header (a report name, the export time, a bill's notes) is passed
over.

Nothing is lost: every row that cannot be imported goes to NAME.rejects.csv
beside the input with its line, field and reason, and every good row is kept.
Running the same import again changes nothing. A customers file adds to the
profiles: a blank cell or a missing column keeps what is stored. Exit code 3
means some rows were rejected.

Kinds and their fields:
  customers  customer_id, name (or first_name and last_name), phone, email, gender, birthday,
             birthday_lunar, city, region, company, company_size, tags, channel, referrer,
             referrer_phone, owner, created_at, notes, address (kept as a custom attribute;
             its start gives the province and city when no column does)
             (other columns are kept as custom attributes)
  orders     order_id, customer_id|phone|email, name (or first_name and last_name), ordered_at,
             amount, currency, channel, status, refund_amount, refund_status (after-sales: 售后状态),
             ordered_time (a time of day kept apart from the date, as tills do),
             city, region, address (where the order was sent: a customer it creates lives there),
             flow (a payment bill's 收/支: money paid out or moved is passed over),
             refund_id (a refund's own number, as WeChat Pay's bill lists a refund under its
             order: the row is that refund, the payment's row stays the purchase)
  lines      order_id, customer_id|phone|email, name (or first_name and last_name), ordered_at,
             ordered_time, sku, product_name, category, quantity, unit_price, line_amount, currency,
             status, refund_status (an item's after-sales), channel, city, region, address
             (with order_id and no customer or time, as Taobao's item report beside its
             order report: the lines of the orders already imported)
  spend      date (or month), channel, kind (marketing, sales, care, cashback, gifts), amount, currency
  traffic    date, channel, visitors, conversions
  products   sku, product_name, category, consumption_days, service_interval_days, lifespan_days
A kind may be named in the singular (order) or in Chinese: 客户 (会员), 订单,
订单明细 (明细), 商品, 费用 (投放), 流量.`,
		Example: `  kith import customers 客户.xlsx
  kith import orders orders.csv --map amount=结算金额 --date-order dmy
  kith import lines online_retail.csv --tz Europe/London --currency GBP
  kith import orders 淘宝订单.csv --channel 淘宝
  kith import lines 淘宝宝贝.csv       # then its item report: the lines of those orders
  kith import orders 2025/*.csv        # a file per month: one command, one load into an empty shop
  kith import orders 淘宝订单导出.zip   # each file in it with a header for orders; the item list: import lines
  mysql shop -B -e 'SELECT * FROM orders' | kith import orders -   # standard input; rejects: stdin.rejects.csv
  kith import customers 会员.xlsx --dry-run   # what would be created, updated and rejected, without writing`,
		Args:      args(cobra.MinimumNArgs(1)),
		ValidArgs: kinds,
		RunE: func(cmd *cobra.Command, argv []string) error {
			kind, ok := kindNamed(argv[0])
			switch {
			case !ok:
				return usageErr(kindMissing(argv, kinds))
			case len(argv) == 1:
				return usageErr(kith.Msg("flag.no_file", "name the file to import: kith import %s FILE", kind))
			}
			if channel != "" && !importer.HasField(kind, "channel") {
				return usageErr(kith.Msg("flag.channel", "--channel: %s have no channel", kind))
			}
			opts := importer.Options{Currency: strings.ToUpper(currency), Channel: channel, Encoding: encoding, Sheet: sheet, BatchSize: batch,
				DecimalComma: decComma, MaskedPhoneKey: maskedKey, OrderPrefix: prefix, Now: a.env.Now(), Say: func(m *kith.Message) string { return i18n.Message(a.cfg.Lang, m) }}
			if opts.Currency == "" {
				opts.Currency = a.cfg.Currency
			}
			var err error
			if opts.DateOrder, err = importer.ParseDateOrder(dateOrder); err != nil {
				return usageErr(err)
			}
			if tz == "" {
				tz = a.cfg.TimeZone
			}
			if opts.Location, err = time.LoadLocation(tz); err != nil {
				return usageErr(kith.Msg("flag.tz", "--tz %q: %v", tz, err))
			}
			if len(maps) > 0 {
				opts.Map = map[string]string{}
				for _, m := range maps {
					f, h, ok := strings.Cut(m, "=")
					if !ok || f == "" || h == "" {
						return usageErr(kith.Msg("flag.map", "--map %q: want field=Header", m))
					}
					opts.Map[strings.TrimSpace(f)] = strings.TrimSpace(h)
				}
			}
			if allSheets && sheet != "" {
				return usageErr(kith.Msg("flag.all_sheets", "--all-sheets reads every sheet: leave out --sheet"))
			}
			stdins := 0
			for _, f := range argv[1:] {
				if f == "-" {
					stdins++
				}
			}
			if stdins > 1 {
				return usageErr(kith.Msg("flag.stdin_twice", "standard input (-) can be read once"))
			}
			var tmpDir string
			defer func() {
				if tmpDir != "" {
					os.RemoveAll(tmpDir)
				}
			}()
			var stdinHint func()
			if a.env.StdinTerminal {
				// kith import orders - typed at a prompt waits for rows.
				stdinHint = func() { fmt.Fprintln(a.env.Stderr, a.t("import.stdin_terminal")) }
			}
			inputs, passed, ownRejects, err := importInputs(argv[1:], allSheets, cmd.InOrStdin(), stdinHint, func() (string, error) {
				if tmpDir == "" {
					sweepUnpacked(os.TempDir(), a.env.Now())
					d, err := os.MkdirTemp("", unpackPrefix+"*")
					if err != nil {
						return "", fmt.Errorf("unpack: %w", err)
					}
					tmpDir = d
				}
				return tmpDir, nil
			})
			if err != nil {
				return err
			}
			if len(passed) > 0 {
				fmt.Fprintln(a.env.Stderr, a.t("import.members_passed", strings.Join(passed, ", ")))
			}
			for _, r := range ownRejects {
				fmt.Fprintln(a.env.Stderr, a.t("import.own_rejects", r))
			}
			if rejects != "" && len(inputs) > 1 {
				return usageErr(kith.Msg("flag.rejects", "--rejects names one file; with %d inputs leave it out", len(inputs)))
			}
			opts.RejectsPath = rejects
			var be Backend
			if dryRun {
				// Into a copy of the database, thrown away after: the
				// summary is what the import would do.
				if kith.IsPostgresDSN(a.cfg.DB) {
					return usageErr(kith.Msg("flag.dry_run_pg", "--dry-run needs a SQLite database: on PostgreSQL, import into a copy (createdb -T) instead"))
				}
				var done func()
				if be, done, err = a.env.OpenScratch(cmd.Context(), a.cfg.DB); err != nil {
					return err
				}
				defer done()
			} else {
				if be, err = a.open(cmd.Context(), OpenNormal); err != nil {
					return err
				}
				defer be.Close()
			}
			// The command's files and sheets are one load: into an empty
			// database, one first load (store.Load).
			load := be.Load()
			defer load.Close()
			var sums []*importer.Summary
			var elapsed []time.Duration
			rejected, failed, skipped := 0, 0, 0
			for _, in := range inputs {
				f := in.label()
				o := opts
				if o.RejectsPath == "" {
					o.RejectsPath = in.rejectsPath()
				}
				if in.sheet != "" {
					o.Sheet = in.sheet
				}
				o.Mapped = func(source *kith.Message, m *importer.Mapping) {
					fmt.Fprintln(a.env.Stderr, a.t("import.using", f, i18n.Message(a.cfg.Lang, source), i18n.Message(a.cfg.Lang, m.Describe())))
				}
				var bar *progressbar.ProgressBar
				var barStart time.Time
				if a.env.Terminal {
					// The bar fills by bytes read, but the rate it would show
					// is the reader's, which runs ahead of the database by
					// up to two batches: rows written per second say more.
					o.Progress = func(rows int, done, total int64) {
						if bar == nil {
							barStart = a.env.Now()
							bar = progressbar.NewOptions64(max(total, -1), progressbar.OptionSetWriter(a.env.Stderr),
								progressbar.OptionShowBytes(false), progressbar.OptionSetDescription(f),
								progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
						}
						bar.Describe(a.progressText(f, rows, a.env.Now().Sub(barStart)))
						bar.Set64(done)
					}
				}
				start := a.env.Now()
				sum, err := importer.Import(cmd.Context(), load, kind, in.file, o)
				err = renamed(err, in.file, in.name)
				if bar != nil {
					bar.Finish()
				}
				if (in.sheet != "" || in.member) && importer.NoHeader(err) {
					// A workbook's cover, notes or summary sheet; an
					// archive's read-me or other list.
					switch fits := importer.FitsKind(err); {
					case in.sheet != "":
						fmt.Fprintln(a.env.Stderr, a.t("import.sheet_skipped", f, a.t("web.kind."+string(kind))))
					case fits != "":
						// Taobao's item list beside its order list.
						fmt.Fprintln(a.env.Stderr, a.t("import.member_fits", f, a.t("web.kind."+string(kind)), fits))
					default:
						fmt.Fprintln(a.env.Stderr, a.t("import.member_skipped", f, a.t("web.kind."+string(kind))))
					}
					skipped++
					continue
				}
				if err != nil {
					// Each file is its own import: one that cannot be read
					// does not keep the others out, and theirs are summed up.
					if len(inputs) == 1 || cmd.Context().Err() != nil {
						return err
					}
					fmt.Fprintln(a.env.Stderr, "kith:", i18n.Error(a.cfg.Lang, err))
					failed++
					continue
				}
				sum.File, sum.DryRun = f, dryRun
				sums = append(sums, sum)
				elapsed = append(elapsed, a.env.Now().Sub(start))
				rejected += sum.Rejected
			}
			finishing := a.env.Now()
			if a.env.Terminal && changed(sums) {
				// After a big first load this takes seconds with the bar gone.
				fmt.Fprintln(a.env.Stderr, a.t("import.finishing"))
			}
			if err := load.End(cmd.Context()); err != nil {
				return err
			}
			if !dryRun {
				if err := be.RefreshSnapshot(cmd.Context()); err != nil {
					return err
				}
			}
			if err := a.printSummaries(sums, elapsed, a.env.Now().Sub(finishing)); err != nil {
				return err
			}
			if dryRun {
				fmt.Fprintln(a.env.Stderr, a.t("import.dry_run", kith.SQLitePath(a.cfg.DB)))
			}
			if failed > 0 {
				if allSheets {
					return errors.New(a.t("import.inputs_failed", failed, len(inputs)))
				}
				return errors.New(a.t("import.files_failed", failed, len(inputs)))
			}
			if skipped == len(inputs) {
				if !slices.ContainsFunc(inputs, func(in importInput) bool { return in.sheet != "" }) {
					return errors.New(a.t("import.no_member", a.t("web.kind."+string(kind))))
				}
				return errors.New(a.t("import.no_sheet", a.t("web.kind."+string(kind))))
			}
			if rejected > 0 {
				return &ExitError{Code: ExitRejected, Err: errors.New(a.t("import.rejected", rejected))}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&maps, "map", nil, "use column Header for field (field=Header, repeatable)")
	fl.StringVar(&dateOrder, "date-order", "auto", "how to read a/b/yyyy dates: auto (only when unambiguous), dmy or mdy")
	fl.StringVar(&prefix, "order-prefix", "", "put this before every order id of the file (JD-): orders numbered as another source's (a till that numbers each day anew, two platforms) are kept apart from them")
	fl.BoolVar(&maskedKey, "masked-phone-key", false, "name a customer by the row's name and a masked phone's visible digits (张三 138****8000) when a row has nothing else: exports that hide every buyer, as Douyin's; approximate")
	fl.BoolVar(&decComma, "decimal-comma", false, "numbers are written 1.234,50 (a comma before the decimals, as Excel writes them in much of Europe)")
	fl.StringVar(&tz, "tz", "", "time zone of times without an offset (default Asia/Shanghai, env KITH_TZ)")
	fl.StringVar(&channel, "channel", "", "channel of rows without a channel column or cell (a platform's export: --channel 淘宝)")
	fl.StringVar(&currency, "currency", "", "currency of amounts without a currency column (default CNY, env KITH_CURRENCY)")
	fl.StringVar(&encoding, "encoding", "", "CSV encoding: utf-8, gbk, gb18030 or utf-16 (default: detected)")
	fl.StringVar(&sheet, "sheet", "", "workbook sheet to read, in .xlsx, .xls or Excel 2003 XML (default: the first sheet with a header for the kind, hidden sheets last)")
	fl.BoolVar(&allSheets, "all-sheets", false, "import every sheet of a workbook that has a header for the kind (a sheet per month), each with its own rejects file")
	fl.StringVar(&rejects, "rejects", "", "where to write rejected rows (default NAME.rejects.csv beside the input)")
	fl.IntVar(&batch, "batch", 0, "rows per transaction (default 5000 on SQLite, 20000 on PostgreSQL)")
	fl.BoolVar(&dryRun, "dry-run", false, "import into a copy of the database and say what would change; nothing is written but the rejects files (SQLite)")
	return cmd
}

// changed says the imports created or updated something, so that what
// follows them (indexes, the report snapshot) has work to do.
func changed(sums []*importer.Summary) bool {
	for _, s := range sums {
		if s.Created+s.Updated > 0 {
			return true
		}
	}
	return false
}

// printSummaries prints each import's counts and time. finish is the work
// after the last file (a first load's indexes, the report snapshot): it
// counts in the time of the one import, or of the total, so that the time
// shown is the time the command took to import, not a flattering part of it.
func (a *app) printSummaries(sums []*importer.Summary, elapsed []time.Duration, finish time.Duration) error {
	if a.cfg.Format != "table" {
		t := table{header: []string{"file", "kind", "read", "created", "updated", "unchanged", "rejected", "customers_created", "customers_placed", "merged_rows", "rejects_file", "orders_from", "orders_to"}}
		for _, s := range sums {
			t.rows = append(t.rows, []string{s.File, string(s.Kind), strconv.Itoa(s.Read), strconv.Itoa(s.Created),
				strconv.Itoa(s.Updated), strconv.Itoa(s.Unchanged), strconv.Itoa(s.Rejected), strconv.Itoa(s.Customers), strconv.Itoa(s.Placed), strconv.Itoa(s.Merged), s.RejectsPath,
				spanEnd(s.OrdersFrom), spanEnd(s.OrdersTo)})
		}
		return write(a.env.Stdout, a.cfg.Format, t, sums)
	}
	w := a.env.Stdout
	for i, s := range sums {
		fmt.Fprintln(w, a.t("import.summary", s.File, s.Read, s.Created, s.Updated, s.Unchanged, s.Rejected))
		a.printSpan(s)
		if s.Customers > 0 {
			fmt.Fprintln(w, a.t("import.customers", s.Customers))
		}
		if s.Placed > 0 {
			fmt.Fprintln(w, a.t("import.placed", s.Placed))
		}
		if s.Merged > 0 {
			fmt.Fprintln(w, a.t("import.merged", s.Merged))
		}
		if s.RejectsPath != "" {
			fmt.Fprintln(w, a.t("import.rejects", s.RejectsPath))
			for _, rj := range s.FirstRejects {
				reason := i18n.Message(a.cfg.Lang, rj.Reason)
				if rj.Field == "" {
					fmt.Fprintln(w, a.t("import.reject_row", rj.Line, reason))
				} else {
					fmt.Fprintln(w, a.t("import.reject_field", rj.Line, rj.Field, reason))
				}
			}
			if more := s.Rejected - len(s.FirstRejects); more > 0 {
				fmt.Fprintln(w, a.t("import.rejects_more", more))
			}
		}
		for _, warn := range s.Warnings {
			fmt.Fprintln(w, a.t("import.warning", i18n.Message(a.cfg.Lang, warn)))
		}
		took := elapsed[i]
		if len(sums) == 1 {
			took += finish
		}
		if sec := took.Seconds(); sec > 0 {
			fmt.Fprintln(w, a.t("import.elapsed", sec, float64(s.Read)/sec))
		}
	}
	var t importer.Summary // every file's counts and orders' span
	for _, s := range sums {
		t.AddCounts(s)
	}
	if len(sums) > 1 {
		// A file per month: the shop wants the year's figures too.
		sec := finish.Seconds()
		for _, e := range elapsed {
			sec += e.Seconds()
		}
		fmt.Fprintln(w, a.t("import.total", len(sums), t.Read, t.Created, t.Updated, t.Unchanged, t.Rejected))
		a.printSpan(&t)
		if t.Customers > 0 {
			fmt.Fprintln(w, a.t("import.customers", t.Customers))
		}
		if t.Placed > 0 {
			fmt.Fprintln(w, a.t("import.placed", t.Placed))
		}
		if t.Merged > 0 {
			fmt.Fprintln(w, a.t("import.merged", t.Merged))
		}
		if sec > 0 {
			fmt.Fprintln(w, a.t("import.elapsed", sec, float64(t.Read)/sec))
		}
	}
	// A history that ended long ago (last year's archive, a published
	// dataset): reports count up to today unless told, so their recent
	// periods would be empty and every customer churned.
	if last := t.OrdersTo; !last.IsZero() && last.Before(a.env.Now().AddDate(0, 0, -90)) {
		// The day in the reports' zone (KITH_TZ), which reads --as-of,
		// not in the import's --tz.
		if loc, err := time.LoadLocation(a.cfg.TimeZone); err == nil {
			last = last.In(loc)
		}
		day := last.Format(time.DateOnly)
		fmt.Fprintln(w, a.t("import.old_orders", day, day))
	}
	return nil
}

// printSpan says from when to when the orders kept run, by day.
func (a *app) printSpan(s *importer.Summary) {
	if !s.OrdersFrom.IsZero() {
		fmt.Fprintln(a.env.Stdout, a.t("import.span", s.OrdersFrom.Format(time.DateOnly), s.OrdersTo.Format(time.DateOnly)))
	}
}

// spanEnd is an end of the orders' span for CSV: blank when no order was kept.
func spanEnd(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// progressText describes an import under way: the rows read and, once a
// second has passed (before that the rate is noise), rows per second.
func (a *app) progressText(file string, rows int, elapsed time.Duration) string {
	if elapsed < time.Second {
		return a.t("import.progress", file, rows)
	}
	return a.t("import.progress_rate", file, rows, float64(rows)/elapsed.Seconds())
}

// importInput is one import: a file, one sheet of a workbook, or a file
// unpacked from an archive (a zip of exports, a gzip-compressed file, or
// standard input saved to a file).
type importInput struct {
	file  string // the file read
	name  string // the file as the user knows it: the argument, shop.zip [orders.csv], stdin
	sheet string
	// rejects is where the rows this input rejects go by default: ""
	// for NAME.rejects.csv beside file, else beside the archive.
	rejects string
	// member: one of an archive's several files, passed over when it has
	// no header for the kind (a read-me, the other list of a platform's
	// download) as a workbook's cover sheet is.
	member bool
}

// kindNames are the other names a kind is given: the singular, and what
// a shop calls the file in Chinese (kith import 订单 订单.xlsx).
var kindNames = map[string]importer.Kind{
	"customer": importer.Customers, "客户": importer.Customers, "会员": importer.Customers,
	"order": importer.Orders, "订单": importer.Orders,
	"line": importer.Lines, "items": importer.Lines, "订单明细": importer.Lines, "明细": importer.Lines, "商品明细": importer.Lines,
	"product": importer.Products, "商品": importer.Products, "产品": importer.Products,
	"费用": importer.Spend, "投放": importer.Spend, "花费": importer.Spend,
	"流量": importer.Traffic,
}

// kindNamed is the kind s names, in kith's words or kindNames'.
func kindNamed(s string) (importer.Kind, bool) {
	k := importer.Kind(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(importer.Kinds, k) {
		return k, true
	}
	k, ok := kindNames[string(k)]
	return k, ok
}

// kindMissing is the error for a command whose first word is no kind:
// when it is a file (kith import 订单.csv), what to write instead, with the
// kind its header fits if one does.
func kindMissing(argv, kinds []string) error {
	st, err := os.Stat(argv[0])
	if err != nil && argv[0] != "-" {
		return kith.Msg("flag.kind", "unknown import kind %q: want one of %s", argv[0], strings.Join(kinds, ", "))
	}
	quoted := make([]string, len(argv))
	for i, a := range argv {
		quoted[i] = a
		if strings.ContainsAny(a, " \t'\"") {
			quoted[i] = strconv.Quote(a)
		}
	}
	files := strings.Join(quoted, " ")
	if st != nil && st.Mode().IsRegular() {
		if k := importer.GuessKind(argv[0]); k != "" {
			return kith.Msg("flag.kind_first", "say what %s holds before it: its header is one for %s: kith import %s %s", argv[0], k, k, files)
		}
	}
	return kith.Msg("flag.kind_first_unknown", "say what %s holds before it: kith import %s %s", argv[0], strings.Join(kinds, "|"), files)
}

// unpackPrefix begins the name of the temporary folder an import unpacks
// archives and saves standard input into.
const unpackPrefix = "kith-import-"

// sweepUnpacked removes what imports killed while running (kill -9, a
// power cut) left in dir: their temporary folders, untouched for a day.
// They hold a shop's customers in plain text, and Windows does not clear
// its temporary folder. A running import made its folder as it began:
// one a day old is taken to be left over.
func sweepUnpacked(dir string, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return // nothing to sweep is no reason to stop an import
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), unpackPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > 24*time.Hour {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// stdinName is standard input's name in messages, summaries and its
// rejects file (stdin.rejects.csv in the working folder).
const stdinName = "stdin"

// importInputs lists the imports of a command: each file (a folder's data
// files and a pattern's matches, expandArgs); with allSheets each sheet of
// each workbook (a CSV stays one input); each data file of an archive,
// unpacked into a folder that tmp makes; standard input ("-") saved there
// first, after hint. passed are what folders and archives held that is
// not data; rejects are the files left out as the rejects files of the
// others (ownRejects).
func importInputs(files []string, allSheets bool, stdin io.Reader, hint func(), tmp func() (string, error)) (ins []importInput, passed, rejects []string, err error) {
	args, passed, err := expandArgs(files)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, a := range args {
		f := a.path
		in := importInput{file: f, name: f, member: a.member}
		if f == "-" {
			if hint != nil {
				hint()
			}
			dir, err := tmp()
			if err != nil {
				return nil, nil, nil, err
			}
			in = importInput{file: filepath.Join(dir, stdinName), name: stdinName, rejects: importer.DefaultRejectsPath(stdinName)}
			if err := saveStdin(in.file, stdin); err != nil {
				return nil, nil, nil, err
			}
		}
		unpacked := []importInput{in}
		if importer.Packed(in.file) {
			dir, err := tmp()
			if err != nil {
				return nil, nil, nil, err
			}
			if dir, err = os.MkdirTemp(dir, "unpacked-"); err != nil {
				return nil, nil, nil, err
			}
			ms, other, err := importer.Unpack(in.file, dir, 0)
			if err != nil {
				return nil, nil, nil, renamed(err, in.file, in.name)
			}
			unpacked = unpacked[:0]
			for _, m := range ms {
				unpacked = append(unpacked, importInput{file: m.Path, name: m.Label(in.name), rejects: importer.MemberRejectsPath(in.name, m), member: len(ms) > 1 || in.member})
			}
			for _, o := range other {
				passed = append(passed, importer.MemberLabel(in.name, o))
			}
		}
		for _, u := range unpacked {
			var sheets []string
			if allSheets {
				sheets = importer.Sheets(u.file)
			}
			if len(sheets) == 0 {
				ins = append(ins, u)
			}
			for _, s := range sheets {
				sh := u
				sh.sheet = s
				ins = append(ins, sh)
			}
		}
	}
	ins, rejects = ownRejects(ins)
	return ins, passed, rejects, nil
}

// ownRejects leaves out of ins each file that is where another of ins
// writes its rejected rows: *.csv, expanded by the shell or by kith, names
// orders.rejects.csv beside orders.csv, and importing it as well would
// read the rows this import has just rejected (or an earlier run's) a
// second time. A rejects file named alone is imported: that is how a
// fixed one goes in.
func ownRejects(ins []importInput) (kept []importInput, left []string) {
	if len(ins) < 2 {
		return ins, nil
	}
	abs := func(p string) string {
		if a, err := filepath.Abs(p); err == nil {
			return a
		}
		return filepath.Clean(p)
	}
	writes := map[string]bool{}
	for _, in := range ins {
		p := in.rejectsPath()
		if p == "" {
			p = importer.DefaultRejectsPath(in.file)
		}
		writes[abs(p)] = true
	}
	for _, in := range ins {
		if in.file == in.name && writes[abs(in.file)] {
			if !slices.Contains(left, in.name) {
				left = append(left, in.name)
			}
			continue
		}
		kept = append(kept, in)
	}
	return kept, left
}

// arg is a file to import named by the command: given, or found in a
// folder given (member: one of several there, passed over when it has no
// header for the kind, as an archive's is).
type arg struct {
	path   string
	member bool
}

// expandArgs turns a folder into the data files in it, in name order
// (other files named in passed; rejects files, hidden files and folders
// left out), and a pattern that names no file into the files it matches:
// Windows' shells leave *.csv to the program.
func expandArgs(files []string) (args []arg, passed []string, err error) {
	for _, f := range files {
		st, statErr := os.Stat(f)
		switch {
		case statErr == nil && st.IsDir():
			entries, err := os.ReadDir(f)
			if err != nil {
				return nil, nil, err
			}
			var data []string
			for _, e := range entries {
				name := e.Name()
				switch {
				case e.IsDir() || strings.HasPrefix(name, ".") || strings.HasSuffix(strings.ToLower(name), ".rejects.csv"):
				case importer.DataFile(name) || slices.Contains([]string{".zip", ".gz"}, strings.ToLower(filepath.Ext(name))):
					data = append(data, filepath.Join(f, name))
				default:
					passed = append(passed, filepath.Join(f, name))
				}
			}
			if len(data) == 0 {
				return nil, nil, fmt.Errorf("%s: %w", f, kith.Msg("file.empty_folder", "the folder holds no CSV, Excel, HTML, zip or gzip file to import"))
			}
			for _, d := range data {
				args = append(args, arg{path: d, member: len(data) > 1})
			}
		case errors.Is(statErr, os.ErrNotExist) && strings.ContainsAny(f, "*?["):
			matches, err := filepath.Glob(f)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", f, err)
			}
			if len(matches) == 0 {
				return nil, nil, fmt.Errorf("%s: %w", f, kith.Msg("file.no_match", "no file matches"))
			}
			for _, m := range matches {
				args = append(args, arg{path: m})
			}
		default:
			args = append(args, arg{path: f})
		}
	}
	return args, passed, nil
}

// saveStdin copies standard input to p: an import reads its file more
// than once (the encoding, the header, a workbook's sheets).
func saveStdin(p string, stdin io.Reader) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("save standard input: %w", err)
	}
	_, err = io.Copy(f, stdin)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("save standard input: %w", err)
	}
	return nil
}

// label names the input in messages and summaries: book.xlsx [1月].
func (in importInput) label() string {
	if in.sheet == "" {
		return in.name
	}
	return importer.SheetLabel(in.name, in.sheet)
}

// rejectsPath is where the input's rejected rows go by default: "" for
// the importer's NAME.rejects.csv beside the file; a sheet's own beside
// the workbook (book.1月.rejects.csv).
func (in importInput) rejectsPath() string {
	if in.sheet == "" {
		return in.rejects
	}
	if in.rejects != "" {
		return strings.TrimSuffix(in.rejects, ".rejects.csv") + "." + in.sheet + ".rejects.csv"
	}
	return importer.DefaultRejectsPath(strings.TrimSuffix(in.file, filepath.Ext(in.file)) + "." + in.sheet + filepath.Ext(in.file))
}

// renamedError is an error about a file kith unpacked or saved, with the
// file's path replaced by the name the user knows it by.
type renamedError struct {
	err      error
	from, to string
}

func (e *renamedError) Error() string { return strings.ReplaceAll(e.err.Error(), e.from, e.to) }
func (e *renamedError) Unwrap() error { return e.err }

func renamed(err error, from, to string) error {
	if err == nil || from == to {
		return err
	}
	return &renamedError{err: err, from: from, to: to}
}
