// Package app wires kith together: configuration, the store, and the
// command line. It is the only package that knows every other one.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/kithcrm/kith/internal/cli"
	"github.com/kithcrm/kith/internal/store"
	"golang.org/x/term"
)

// Run executes kith with args and returns the process exit code.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	return RunEnv(ctx, NewEnv(getenv, stdout, stderr), args, stdin)
}

// NewEnv wires the CLI to the store, the server and the clock.
func NewEnv(getenv func(string) string, stdout, stderr io.Writer) *cli.Env {
	env := &cli.Env{
		Stdout: stdout,
		Stderr: stderr,
		Getenv: getenv,
		Now:    time.Now,
		Open: func(ctx context.Context, dsn string, mode cli.OpenMode) (cli.Backend, error) {
			s, err := store.Open(ctx, dsn, store.Options{Migrate: mode == cli.OpenMigrate, Inspect: mode == cli.OpenInspect})
			if err != nil {
				return nil, err
			}
			return s, nil
		},
		OpenScratch: func(ctx context.Context, dsn string) (cli.Backend, func(), error) {
			s, done, err := store.OpenScratch(ctx, dsn)
			if err != nil {
				return nil, nil, err
			}
			return s, done, nil
		},
	}
	env.Serve = func(ctx context.Context, o cli.ServeOptions) error { return serve(ctx, o, stderr) }
	if f, ok := stderr.(*os.File); ok {
		env.Terminal = term.IsTerminal(int(f.Fd()))
	}
	return env
}

// RunEnv executes kith in env (tests pass one with a terminal or a clock).
func RunEnv(ctx context.Context, env *cli.Env, args []string, stdin io.Reader) int {
	stderr := env.Stderr
	if f, ok := stdin.(*os.File); ok {
		env.StdinTerminal = term.IsTerminal(int(f.Fd()))
	}
	root := cli.NewRoot(env)
	root.SetArgs(args)
	root.SetIn(stdin)
	err := root.ExecuteContext(ctx)
	code := cli.Code(err)
	if err != nil {
		if code == cli.ExitError1 && errors.Is(err, context.Canceled) {
			fmt.Fprintln(stderr, "kith: interrupted")
			return 130
		}
		fmt.Fprintln(stderr, "kith:", err)
		if code == 1 && isUsage(err) {
			code = cli.ExitUsage
		}
	}
	return code
}

// isUsage catches cobra's own usage errors (unknown command or flag).
func isUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
