// Package cli is kith's command line: one file per command, output to the
// given writers as a table, JSON or CSV. It reaches the database only through
// the Backend the app wires in.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/kithcrm/kith/internal/account"
	"github.com/kithcrm/kith/internal/config"
	"github.com/kithcrm/kith/internal/customer"
	"github.com/kithcrm/kith/internal/i18n"
	"github.com/kithcrm/kith/internal/importer"
	"github.com/kithcrm/kith/internal/kith"
	"github.com/kithcrm/kith/internal/report"
	"github.com/spf13/cobra"
)

// Backend is what the commands need from storage.
type Backend interface {
	importer.Sink
	// Load is a Sink for a command's files together.
	Load() importer.Load
	// RefreshSnapshot brings the reports' order snapshot up to date after
	// the last of a command's imports.
	RefreshSnapshot(ctx context.Context) error
	report.Source
	SpendUntil(ctx context.Context, until time.Time) (*report.SpendRows, error)
	CustomerChannels(ctx context.Context) (map[int64]string, error)
	Visitors(ctx context.Context, from, to time.Time) (int64, error)
	CustomerView(ctx context.Context, ref string, orders int) (*customer.View, error)
	// MergeCustomers folds duplicates into one customer (store.MergeCustomers).
	MergeCustomers(ctx context.Context, into int64, from []int64) error
	UpsertStaff(ctx context.Context, name, email, role, skills string, capacity int) (int64, error)
	account.Store
	Migrate(ctx context.Context) error
	MigrationStatus(ctx context.Context) ([]string, error)
	Dialect() string
	Close() error
}

// Env is the world a command runs in.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Open connects to a database.
	Open func(ctx context.Context, dsn string, mode OpenMode) (Backend, error)
	// OpenScratch opens a copy of a SQLite database for a dry run; done
	// closes and removes it.
	OpenScratch func(ctx context.Context, dsn string) (b Backend, done func(), err error)
	// Terminal says whether Stderr is a terminal (progress bars), and
	// StdinTerminal whether standard input is (kith import - says how to
	// end what is typed).
	Terminal      bool
	StdinTerminal bool
	Now           func() time.Time
	// Serve runs the HTTP server until ctx ends (kith serve).
	Serve func(ctx context.Context, o ServeOptions) error
}

// OpenMode says what to do about pending migrations.
type OpenMode int

const (
	// OpenNormal migrates SQLite and refuses PostgreSQL with pending migrations.
	OpenNormal OpenMode = iota
	// OpenMigrate applies pending migrations on either engine.
	OpenMigrate
	// OpenInspect opens without migrating or checking (migrate status).
	OpenInspect
	// OpenExisting is OpenNormal for commands that only read: a SQLite file
	// that does not exist is an error (a mistyped --db), not a new, empty
	// database.
	OpenExisting
)

// ExitError carries an exit code other than 1 (2 usage, 3 rejected rows).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

func usageErr(err error) error { return &ExitError{Code: 2, Err: err} }

// Exit codes.
const (
	ExitOK       = 0
	ExitError1   = 1
	ExitUsage    = 2
	ExitRejected = 3
)

// Code maps an error from Execute to kith's exit code.
func Code(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitError1
}

// app is the state shared by the commands of one run.
type app struct {
	env    *Env
	cfg    config.Config
	langS  string
	dbSet  bool
	format string
}

func (a *app) t(key string, args ...any) string { return i18n.T(a.cfg.Lang, key, args...) }

func (a *app) open(ctx context.Context, mode OpenMode) (Backend, error) {
	if mode == OpenExisting {
		if path := kith.SQLitePath(a.cfg.DB); !kith.IsPostgresDSN(a.cfg.DB) {
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				return nil, errors.New(a.t("db.missing", path))
			}
		}
		mode = OpenNormal
	}
	return a.env.Open(ctx, a.cfg.DB, mode)
}

// args wraps a cobra argument check so a wrong count exits with code 2.
func args(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if err := check(cmd, a); err != nil {
			return usageErr(err)
		}
		return nil
	}
}

// toldError is an error put in the run's language; it unwraps to the
// original, so exit codes and errors.Is still see it.
type toldError struct {
	text string
	err  error
}

func (e *toldError) Error() string { return e.text }
func (e *toldError) Unwrap() error { return e.err }

// tellErrors makes the commands under c return their errors in the run's
// language (--lang is only known once the command runs).
func (a *app) tellErrors(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, argv []string) error {
			err := run(cmd, argv)
			if err == nil || a.cfg.Lang == i18n.EN {
				return err
			}
			return &toldError{text: i18n.Error(a.cfg.Lang, err), err: err}
		}
	}
	for _, sub := range c.Commands() {
		a.tellErrors(sub)
	}
}

// NewRoot builds the kith command tree.
func NewRoot(env *Env) *cobra.Command {
	a := &app{env: env, cfg: config.FromEnv(env.Getenv)}
	root := &cobra.Command{
		Use:   "kith",
		Short: "kith keeps the customers you already have",
		Long: `kith is a customer-retention system: one database of customers and orders,
imported from the files shops really export, and the figures, predictions and
reminders that keep customers coming back.`,
		Example: `  kith demo                          # a demo shop in kith-demo.db
  kith import orders orders.csv      # import your own orders
  kith customer show C000001`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			a.dbSet = cmd.Flags().Changed("db") || env.Getenv("KITH_DB") != ""
			if a.langS != "" {
				l, err := i18n.Parse(a.langS)
				if err != nil {
					return usageErr(err)
				}
				a.cfg.Lang = l
			}
			switch a.format {
			case "table", "json", "csv":
				a.cfg.Format = a.format
			default:
				return usageErr(fmt.Errorf("--format %q: want table, json or csv", a.format))
			}
			return nil
		},
	}
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })
	pf := root.PersistentFlags()
	pf.StringVar(&a.cfg.DB, "db", a.cfg.DB, "database: a SQLite file path or a postgres:// URL (env KITH_DB)")
	pf.StringVar(&a.langS, "lang", "", "language of output: en or zh-CN (default from KITH_LANG or LANG)")
	pf.StringVar(&a.format, "format", "table", "output format: table, json or csv")
	root.AddCommand(a.importCmd(), a.demoCmd(), a.customerCmd(), a.migrateCmd(), a.clvCmd(), a.reportCmd(), a.userCmd(), a.serveCmd())
	// Materialise cobra's own help and completion commands so they carry
	// examples like every other command.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	a.tellErrors(root)
	for _, c := range root.Commands() {
		switch c.Name() {
		case "help":
			c.Example = "  kith help import"
		case "completion":
			c.Example = "  source <(kith completion bash)\n  kith completion zsh > \"${fpath[1]}/_kith\""
			for _, sub := range c.Commands() {
				sub.Example = "  kith completion " + sub.Name() + " --help"
			}
		}
	}
	return root
}
