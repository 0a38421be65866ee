package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/kithcrm/kith/internal/customer"
	"github.com/kithcrm/kith/internal/store"
	"github.com/kithcrm/kith/internal/store/storetest"
)

// TestScratch: a dry run's copy holds the shop's data, takes writes that
// never reach the shop, and is gone when done; PostgreSQL has none.
func TestScratch(t *testing.T) {
	ctx := context.Background()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			s := storetest.Open(t, engine)
			createCustomer(t, s, customer.Customer{ExternalID: "C1", Name: "张三"})
			c, done, err := s.Scratch(ctx)
			if engine == "postgres" {
				if !errors.Is(err, store.ErrNoScratch) {
					t.Fatalf("Scratch on PostgreSQL: %v, want ErrNoScratch", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v, err := c.CustomerView(ctx, "C1", 1); err != nil || v.Name != "张三" {
				t.Fatalf("the copy's C1: %+v %v", v, err)
			}
			createCustomer(t, c, customer.Customer{ExternalID: "C2", Name: "李四"})
			if _, err := s.CustomerView(ctx, "C2", 1); err == nil {
				t.Error("a customer created in the copy is in the shop")
			}
			// The copy's directory is beside the database, in the test's
			// temporary directories.
			copies, _ := filepath.Glob(filepath.Join(t.TempDir(), "..", "*", ".kith-dry-run-*"))
			if len(copies) != 1 {
				t.Fatalf("copies beside the database: %q, want one", copies)
			}
			done()
			if _, err := os.Stat(copies[0]); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s is left after done: %v", copies[0], err)
			}
		})
	}
}
