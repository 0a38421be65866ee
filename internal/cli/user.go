package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/kithcrm/kith/internal/account"
	"github.com/kithcrm/kith/internal/kith"
	"github.com/spf13/cobra"
)

func (a *app) userCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Staff accounts for kith serve: add, list, passwd, token, revoke",
		Long: `user manages who can sign in to kith serve. Roles: admin (everything, users),
manager (every customer, imports) and rep (their own customers and
unassigned ones). Passwords are stored as argon2id hashes; API tokens and
sessions only as SHA-256 hashes.`,
		Example: `  kith user add li@shop.cn --name 李娜 --role rep
  kith user list`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErr(kith.Msg("cmd.user", "user needs a subcommand: add, list, passwd, token or revoke"))
		},
	}
	cmd.AddCommand(a.userAddCmd(), a.userListCmd(), a.userPasswdCmd(), a.userTokenCmd(), a.userRevokeCmd())
	return cmd
}

// withAccounts opens the database and runs fn with the account service.
func (a *app) withAccounts(ctx context.Context, fn func(*account.Service) error) error {
	be, err := a.open(ctx, OpenNormal)
	if err != nil {
		return err
	}
	defer be.Close()
	return fn(account.NewService(be, a.env.Now))
}

// password reads the first line of stdin (--password-stdin) or makes one.
func password(fromStdin bool, in io.Reader) (pw string, generated bool, err error) {
	if fromStdin {
		line, err := bufio.NewReader(in).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", false, fmt.Errorf("read password from stdin: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), false, nil
	}
	s, err := account.NewSecret()
	if err != nil {
		return "", false, err
	}
	return s[:16], true, nil
}

func (a *app) userAddCmd() *cobra.Command {
	var name, role string
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "add EMAIL",
		Short: "Add a staff user who can sign in (a password is generated unless --password-stdin)",
		Example: `  kith user add li@shop.cn --name 李娜 --role rep
  echo 'a long passphrase' | kith user add boss@shop.cn --name Boss --role admin --password-stdin`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			r, err := account.ParseRole(role)
			if err != nil {
				return usageErr(err)
			}
			pw, gen, err := password(fromStdin, cmd.InOrStdin())
			if err != nil {
				return err
			}
			if name == "" {
				name, _, _ = strings.Cut(argv[0], "@")
			}
			return a.withAccounts(cmd.Context(), func(s *account.Service) error {
				u, err := s.Add(cmd.Context(), name, argv[0], r, pw)
				if err != nil {
					return err
				}
				fmt.Fprintln(a.env.Stdout, a.t("user.added", u.Email, a.t("web.role."+string(u.Role))))
				if gen {
					fmt.Fprintln(a.env.Stdout, a.t("user.password", pw))
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "display name (default: the part of the email before @)")
	cmd.Flags().StringVar(&role, "role", "rep", "admin, manager or rep")
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	return cmd
}

func (a *app) userListCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "List staff users and whether they can sign in",
		Example: `  kith user list --format json`,
		Args:    args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withAccounts(cmd.Context(), func(s *account.Service) error {
				users, err := s.Users(cmd.Context())
				if err != nil {
					return err
				}
				t := table{header: []string{"id", a.t("customer.name"), a.t("web.email"), a.t("user.role"), a.t("user.can_sign_in")}}
				var js []map[string]any
				for _, u := range users {
					yes := a.t("user.no")
					if u.HasPassword {
						yes = a.t("user.yes")
					}
					t.rows = append(t.rows, []string{fmt.Sprint(u.ID), u.Name, u.Email, string(u.Role), yes})
					js = append(js, map[string]any{"id": u.ID, "name": u.Name, "email": u.Email, "role": u.Role, "can_sign_in": u.HasPassword})
				}
				return write(a.env.Stdout, a.cfg.Format, t, js)
			})
		},
	}
}

func (a *app) userPasswdCmd() *cobra.Command {
	var fromStdin bool
	cmd := &cobra.Command{
		Use:     "passwd EMAIL",
		Short:   "Set a new password (generated unless --password-stdin); signs the user out everywhere",
		Example: `  kith user passwd li@shop.cn`,
		Args:    args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			pw, gen, err := password(fromStdin, cmd.InOrStdin())
			if err != nil {
				return err
			}
			return a.withAccounts(cmd.Context(), func(s *account.Service) error {
				if err := s.SetPassword(cmd.Context(), argv[0], pw); err != nil {
					return err
				}
				fmt.Fprintln(a.env.Stdout, a.t("user.passwd", argv[0]))
				if gen {
					fmt.Fprintln(a.env.Stdout, a.t("user.password", pw))
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")
	return cmd
}

func (a *app) userTokenCmd() *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "token EMAIL",
		Short: "Issue an API bearer token for a user (shown once)",
		Example: `  kith user token li@shop.cn --name crm-sync
  curl -H "Authorization: Bearer $TOKEN" http://localhost:8080/api/v1/customers`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			return a.withAccounts(cmd.Context(), func(s *account.Service) error {
				tok, err := s.NewToken(cmd.Context(), argv[0], name)
				if err != nil {
					return err
				}
				fmt.Fprintln(a.env.Stdout, tok)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "what the token is for")
	return cmd
}

func (a *app) userRevokeCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "revoke EMAIL",
		Short:   "Sign a user out of every browser session",
		Example: `  kith user revoke li@shop.cn`,
		Args:    args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			return a.withAccounts(cmd.Context(), func(s *account.Service) error {
				if err := s.RevokeSessions(cmd.Context(), argv[0]); err != nil {
					return err
				}
				fmt.Fprintln(a.env.Stdout, a.t("user.revoked", argv[0]))
				return nil
			})
		},
	}
}
