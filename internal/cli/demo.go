package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kithcrm/kith/internal/account"
	"github.com/kithcrm/kith/internal/demo"
	"github.com/kithcrm/kith/internal/importer"
	"github.com/kithcrm/kith/internal/kith"
	"github.com/kithcrm/kith/internal/money"
	"github.com/spf13/cobra"
)

// DemoDB is where kith demo puts its shop unless --db or KITH_DB says otherwise.
const DemoDB = "kith-demo.db"

func (a *app) demoCmd() *cobra.Command {
	var (
		customers int
		seed      uint64
		endS      string
		keep      string
		force     bool
		intensity float64
		dropout   float64
		lines     bool
		noImport  bool
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Create a realistic demo shop in a fresh database",
		Long: `Demo generates a shop with two years of history: customers with Chinese and
English profiles (birthdays, some lunar), channels with acquisition spend and
traffic, repeat buying with silent churn, seasonality (Spring Festival, 618,
Double 11), products with consumption cycles, referrals and a staff team. It
writes the CSV files a shop would export and imports them, then prints the
headline figures. The same --seed and --end give the same shop.`,
		Example: `  kith demo
  kith demo --customers 100000 --seed 7 --db big.db --force
  kith demo --customers 1000000 --intensity 3 --lines=false --no-import --keep bench   # a 4M-row orders.csv
  kith demo --keep demo-files   # keep the generated CSVs to try kith import`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !a.dbSet {
				a.cfg.DB = DemoDB
			}
			if noImport && keep == "" {
				return usageErr(kith.Msg("flag.no_import", "--no-import needs --keep DIR to write the files to"))
			}
			loc, err := time.LoadLocation(a.cfg.TimeZone)
			if err != nil {
				return err
			}
			// The history runs to yesterday, as a live shop's does: ending it
			// at the end of last month left the current period of every
			// report and of the dashboard empty (no active customers, churn
			// 100%).
			end := a.env.Now().In(loc)
			end = time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, -1)
			if endS != "" {
				if end, err = dayFlag("end", endS, loc); err != nil {
					return err
				}
			}
			if !noImport && !kith.IsPostgresDSN(a.cfg.DB) {
				if _, err := os.Stat(a.cfg.DB); err == nil {
					if !force {
						return errors.New(a.t("demo.exists", a.cfg.DB))
					}
					for _, suffix := range []string{"", "-wal", "-shm"} {
						if err := os.Remove(a.cfg.DB + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
							return err
						}
					}
				}
			}
			dir := keep
			if dir == "" {
				if dir, err = os.MkdirTemp("", "kith-demo-"); err != nil {
					return err
				}
				defer os.RemoveAll(dir)
			} else if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			ordersName := "lines.csv"
			if !lines {
				ordersName = "orders.csv"
			}
			names := []string{"products.csv", "customers.csv", ordersName, "spend.csv", "traffic.csv"}
			files := make([]*os.File, len(names))
			for i, n := range names {
				if files[i], err = os.Create(filepath.Join(dir, n)); err != nil {
					return err
				}
				defer files[i].Close()
			}
			stats, err := demo.Generate(demo.Config{Customers: customers, Seed: seed, End: end, Lines: lines, Intensity: intensity, Dropout: dropout, Location: loc},
				demo.Files{Products: files[0], Customers: files[1], Orders: files[2], Spend: files[3], Traffic: files[4]})
			if err != nil {
				return err
			}
			for _, f := range files {
				if err := f.Close(); err != nil {
					return err
				}
			}
			if noImport {
				fmt.Fprintf(a.env.Stdout, "%s: %s (%d customers, %d orders)\n", a.t("demo.files"), dir, stats.Customers, stats.Orders)
				return nil
			}
			be, err := a.open(cmd.Context(), OpenMigrate)
			if err != nil {
				return err
			}
			defer be.Close()
			accounts := account.NewService(be, a.env.Now)
			for _, s := range demo.StaffUsers {
				if _, err := be.UpsertStaff(cmd.Context(), s.Name, s.Email, s.Role, s.Skills, s.Capacity); err != nil {
					return err
				}
				// Every demo staff member can sign in with the demo password.
				if err := accounts.SetPassword(cmd.Context(), s.Email, demo.Password); err != nil {
					return err
				}
			}
			kinds := []importer.Kind{importer.Products, importer.Customers, importer.Lines, importer.Spend, importer.Traffic}
			if !lines {
				kinds[2] = importer.Orders
			}
			for i, k := range kinds {
				sum, err := importer.Import(cmd.Context(), be, k, files[i].Name(), importer.Options{Location: loc, Currency: "CNY"})
				if err != nil {
					return err
				}
				if sum.Rejected > 0 {
					return fmt.Errorf("demo %s: %d rows rejected (%s): a bug in the generator", k, sum.Rejected, sum.RejectsPath)
				}
			}
			if err := be.RefreshSnapshot(cmd.Context()); err != nil {
				return err
			}
			w := a.env.Stdout
			fmt.Fprintln(w, a.t("demo.created", a.cfg.DB, seed))
			fmt.Fprintln(w, a.t("demo.figures", stats.Customers, stats.Orders, stats.Lines, len(demo.StaffUsers),
				money.Money{Minor: stats.Revenue, Currency: "CNY"}))
			fmt.Fprintln(w, a.t("demo.period", stats.First.Format("2006-01-02"), stats.Last.Format("2006-01-02")))
			fmt.Fprintf(w, "%s %.1f%%   %s %.1f%%   %s %s\n",
				a.t("demo.repeat"), 100*float64(stats.Repeaters)/float64(stats.Customers),
				a.t("demo.top20"), 100*stats.Top20Share, a.t("report.aov"),
				money.Money{Minor: stats.Revenue / int64(max(stats.Orders, 1)), Currency: "CNY"})
			fmt.Fprintln(w, a.t("demo.next"))
			db := shellWord(a.cfg.DB)
			next := [][2]string{
				{"kith clv score --db " + db, a.t("demo.try_score")},
				{"kith customer show C000001 --db " + db, ""},
				{"kith customer show C000001 --db " + db + " --lang zh-CN", ""},
				{"kith import orders YOUR_ORDERS.csv --db " + db, ""},
				{"kith serve --db " + db, a.t("demo.sign_in", demo.StaffUsers[0].Email, demo.Password)},
			}
			width := 0
			for _, n := range next {
				if n[1] != "" { // the comments line up with each other
					width = max(width, len(n[0]))
				}
			}
			for _, n := range next {
				if n[1] == "" {
					fmt.Fprintf(w, "  %s\n", n[0])
					continue
				}
				fmt.Fprintf(w, "  %-*s  # %s\n", width, n[0], n[1])
			}
			if keep != "" {
				fmt.Fprintf(w, "  %s: %s\n", a.t("demo.files"), dir)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&customers, "customers", 5000, "number of customers")
	fl.Uint64Var(&seed, "seed", 42, "random seed: the same seed and --end give the same shop")
	fl.StringVar(&endS, "end", "", "last day of the history, YYYY-MM-DD (default: yesterday)")
	fl.StringVar(&keep, "keep", "", "keep the generated CSV files in this folder")
	fl.BoolVar(&force, "force", false, "replace an existing demo database")
	fl.Float64Var(&intensity, "intensity", 1, "multiply every customer's purchase rate (orders per customer)")
	fl.Float64Var(&dropout, "dropout", 1, "multiply every customer's chance of leaving after a purchase (lower: more orders per customer)")
	fl.BoolVar(&lines, "lines", true, "write orders as product lines (false: one row per order, as large exports often are)")
	fl.BoolVar(&noImport, "no-import", false, "only write the CSV files (to --keep DIR), for trying kith import or benchmarks")
	return cmd
}

// shellWord quotes s for a POSIX shell when it holds anything but the
// characters of plain paths and URLs without a query (a PostgreSQL URL's ?
// and & would otherwise be a glob and a background job when pasted).
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:@%+=,-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
