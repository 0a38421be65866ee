package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (a *app) migrateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations (forward only)",
		Long: `Migrate brings the database schema up to this kith's version. SQLite databases
are migrated whenever kith opens them; PostgreSQL ones only by this command
(or kith serve --migrate), so a production upgrade is a deliberate step.`,
		Example: `  kith migrate --db postgres://kith@db/kith
  kith migrate status`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			be, err := a.open(cmd.Context(), OpenMigrate)
			if err != nil {
				return err
			}
			defer be.Close()
			fmt.Fprintf(a.env.Stdout, "%s: schema up to date\n", be.Dialect())
			return nil
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:     "status",
		Short:   "List migrations and whether each is applied",
		Example: `  kith migrate status --db kith.db`,
		Args:    args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			be, err := a.open(cmd.Context(), OpenInspect)
			if err != nil {
				return err
			}
			defer be.Close()
			st, err := be.MigrationStatus(cmd.Context())
			if err != nil {
				return err
			}
			for _, s := range st {
				fmt.Fprintln(a.env.Stdout, s)
			}
			return nil
		},
	})
	return cmd
}
