// Package storetest gives tests a fresh database on every available engine:
// SQLite in t.TempDir() always, PostgreSQL when KITH_TEST_POSTGRES_URL is set
// (required when CI=true).
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/kithcrm/kith/internal/store"
)

// Engines lists the engines to test on.
func Engines(t testing.TB) []string {
	engines := []string{"sqlite"}
	if os.Getenv("KITH_TEST_POSTGRES_URL") != "" {
		engines = append(engines, "postgres")
	} else if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but KITH_TEST_POSTGRES_URL is not set: PostgreSQL tests are required in CI")
	} else {
		t.Log("PostgreSQL tests skipped: set KITH_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	return engines
}

// DSN returns a DSN for a new, empty database of the engine, dropped when
// the test ends.
func DSN(t testing.TB, engine string) string {
	t.Helper()
	if engine == "sqlite" {
		return filepath.Join(t.TempDir(), "kith.db")
	}
	base := os.Getenv("KITH_TEST_POSTGRES_URL")
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to KITH_TEST_POSTGRES_URL: %v", err)
	}
	defer admin.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	name := "kith_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("KITH_TEST_POSTGRES_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Open opens a fresh, migrated store of the engine.
func Open(t testing.TB, engine string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), DSN(t, engine), store.Options{Migrate: true})
	if err != nil {
		t.Fatalf("open %s store: %v", engine, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
