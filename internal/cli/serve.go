package cli

import (
	"fmt"
	"time"

	"github.com/kithcrm/kith/internal/kith"
	"github.com/spf13/cobra"
)

// ServeOptions are what kith serve hands to the app's server.
type ServeOptions struct {
	DB        string
	Addr      string
	Migrate   bool
	MaxUpload int64 // bytes
	UploadDir string
	Hint      string // shown on the sign-in page
	TimeZone  string
	Currency  string
	// Ready is called with the URL once the server listens.
	Ready func(url string)
}

func (a *app) serveCmd() *cobra.Command {
	o := ServeOptions{}
	var maxMB int64
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the web UI and the JSON API (/api/v1)",
		Long: `serve runs kith's web UI and JSON API until interrupted (SIGINT or SIGTERM end
it gracefully: requests in flight finish). SQLite databases are migrated on
start; a PostgreSQL database with pending migrations is refused unless
--migrate. On a database where nobody can sign in, the first visit shows a
setup page for the first administrator. /healthz answers without signing in.`,
		Example: `  kith serve --db kith-demo.db
  kith serve --addr 127.0.0.1:9000 --db postgres://kith@db/kith --migrate`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.env.Serve == nil {
				return fmt.Errorf("this build has no server")
			}
			if maxMB <= 0 {
				return usageErr(kith.Msg("flag.max_upload", "--max-upload must be positive"))
			}
			if _, err := time.LoadLocation(a.cfg.TimeZone); err != nil {
				return err
			}
			o.DB, o.MaxUpload, o.TimeZone, o.Currency = a.cfg.DB, maxMB<<20, a.cfg.TimeZone, a.cfg.Currency
			o.Ready = func(url string) {
				fmt.Fprintln(a.env.Stdout, a.t("serve.ready", url))
				if o.Hint != "" {
					fmt.Fprintln(a.env.Stdout, a.t("serve.hint", o.Hint))
				}
			}
			return a.env.Serve(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Addr, "addr", ":8080", "address to listen on")
	fl.BoolVar(&o.Migrate, "migrate", false, "apply pending migrations to a PostgreSQL database")
	fl.Int64Var(&maxMB, "max-upload", 200, "largest import upload accepted, in MB")
	fl.StringVar(&o.UploadDir, "upload-dir", "", "where uploads and their rejects files are kept (default: kith-uploads beside a SQLite database, else the temp folder)")
	fl.StringVar(&o.Hint, "sign-in-hint", "", "text shown on the sign-in page (make demo shows the demo sign-in)")
	return cmd
}
