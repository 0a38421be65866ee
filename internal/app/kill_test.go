package app_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/demo"
	"github.com/kithcrm/kith/internal/store"
)

// TestImportSurvivesKill9 kills a real kith import with SIGKILL part-way,
// runs it again, and checks the database ends as one clean import leaves it.
func TestImportSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and imports 200k+ orders")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "kith")
	build := exec.Command("go", "build", "-o", bin, "github.com/kithcrm/kith/cmd/kith")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	csvPath := filepath.Join(dir, "orders.csv")
	f, err := os.Create(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	end := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	st, err := demo.Generate(demo.Config{Customers: 30000, Seed: 9, End: end, Intensity: 3}, demo.Files{Orders: f})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d orders", st.Orders)

	ctx := context.Background()
	count := func(db string) int64 {
		s, err := store.Open(ctx, db, store.Options{Inspect: true})
		if err != nil {
			return 0
		}
		defer s.Close()
		c, _ := s.Counts(ctx)
		return c.Orders
	}
	killed := filepath.Join(dir, "killed.db")
	cmd := exec.Command(bin, "import", "orders", csvPath, "--db", killed, "--batch", "1000")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	var atKill int64
	for time.Now().Before(deadline) {
		if atKill = count(killed); atKill > 20000 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	atKill = count(killed)
	if atKill == 0 || atKill >= int64(st.Orders) {
		t.Fatalf("killed with %d of %d orders in: the kill did not land mid-import", atKill, st.Orders)
	}
	t.Logf("killed with %d of %d orders imported", atKill, st.Orders)
	if out, err := exec.Command(bin, "import", "orders", csvPath, "--db", killed).CombinedOutput(); err != nil {
		t.Fatalf("re-run after kill: %v\n%s", err, out)
	}
	clean := filepath.Join(dir, "clean.db")
	if out, err := exec.Command(bin, "import", "orders", csvPath, "--db", clean).CombinedOutput(); err != nil {
		t.Fatalf("clean import: %v\n%s", err, out)
	}
	snap := func(db string) string {
		s, err := store.Open(ctx, db, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := store.CheckIntegrity(ctx, s); err != nil {
			t.Fatalf("%s: %v", db, err)
		}
		h, err := s.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	if a, b := snap(killed), snap(clean); a != b {
		t.Errorf("killed-and-resumed database differs from a clean import")
	}
	if n := count(killed); n != int64(st.Orders) {
		t.Errorf("%d orders after resume, want %d", n, st.Orders)
	}
}
