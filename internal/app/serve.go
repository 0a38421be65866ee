package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/kithcrm/kith/internal/account"
	"github.com/kithcrm/kith/internal/cli"
	"github.com/kithcrm/kith/internal/httpapi"
	"github.com/kithcrm/kith/internal/importer"
	"github.com/kithcrm/kith/internal/kith"
	"github.com/kithcrm/kith/internal/report"
	"github.com/kithcrm/kith/internal/server"
	"github.com/kithcrm/kith/internal/store"
	"github.com/kithcrm/kith/internal/web"
)

// Handler wires the HTTP side over an open store: the report service, the
// API, the pages and the server's middleware.
func Handler(st *store.Store, o cli.ServeOptions, log *slog.Logger, now func() time.Time) (*server.Server, error) {
	loc, err := time.LoadLocation(o.TimeZone)
	if err != nil {
		return nil, err
	}
	if o.UploadDir == "" {
		o.UploadDir = filepath.Join(os.TempDir(), "kith-uploads")
		if !kith.IsPostgresDSN(o.DB) {
			o.UploadDir = filepath.Join(filepath.Dir(o.DB), "kith-uploads")
		}
	}
	if err := os.MkdirAll(o.UploadDir, 0o700); err != nil {
		return nil, fmt.Errorf("upload dir: %w", err)
	}
	acct := account.NewService(st, now)
	cfg := httpapi.Config{Location: loc, Currency: o.Currency, MaxUpload: o.MaxUpload, UploadDir: o.UploadDir, Now: now}
	if !kith.IsPostgresDSN(o.DB) {
		cfg.Scratch = func(ctx context.Context) (importer.Load, func(), error) {
			c, done, err := st.Scratch(ctx)
			if err != nil {
				return nil, nil, err
			}
			return c.Load(), done, nil
		}
	}
	api := httpapi.New(st, report.NewService(st), cfg, log)
	ui, err := web.New(api, acct, loc, now, log)
	if err != nil {
		return nil, err
	}
	ui.Demo = o.Hint
	return server.New(api, ui, acct, st.Ping, log), nil
}

// serve runs kith serve: open (and on SQLite migrate) the store, listen,
// serve until ctx ends, then shut down gracefully.
func serve(ctx context.Context, o cli.ServeOptions, logOut io.Writer) error {
	st, err := store.Open(ctx, o.DB, store.Options{Migrate: o.Migrate, Serving: true})
	if errors.Is(err, store.ErrPendingMigrations) {
		return fmt.Errorf("%w (or start kith serve with --migrate)", err)
	}
	if err != nil {
		return err
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(logOut, nil))
	h, err := Handler(st, o, log, time.Now)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.Addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if o.Ready != nil {
		o.Ready(listenURL(ln.Addr()))
	}
	log.Info("serving", "addr", ln.Addr().String(), "db", dbLabel(o.DB))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func listenURL(a net.Addr) string {
	host, port, _ := net.SplitHostPort(a.String())
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// dbLabel keeps passwords in a PostgreSQL URL out of the log.
func dbLabel(dsn string) string {
	if kith.IsPostgresDSN(dsn) {
		return "postgres"
	}
	return dsn
}
