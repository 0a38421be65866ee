// Command kith is the customer-retention system: CLI, server and reports in
// one binary.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/kithcrm/kith/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
