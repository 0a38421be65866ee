package app_test

import (
	"bufio"
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/demo"
	"github.com/kithcrm/kith/internal/store/storetest"
)

// TestImportSurvivesKill9 kills a real kith import with SIGKILL part-way,
// runs it again, and checks the database ends as a clean import leaves it.
// Three cases: a first load into an empty orders table (one transaction:
// the kill must leave no orders at all), an import into a shop that already
// has orders (committed batch by batch: the kill leaves some of them), and
// two files in one command into an empty shop (one load: SQLite commits
// the first file without the covering index, the kill leaves exactly it,
// and opening the database builds the index).
func TestImportSurvivesKill9(t *testing.T) {
	bin, check, full, head, orders := killFixture(t)
	ctx := context.Background()
	// count reads the orders as another process would, without turning
	// on the WAL that a first load may have set aside (store.Open would
	// wait for the load to end to do so).
	count := func(db string) int64 {
		h, err := sql.Open("sqlite", "file:"+db+"?mode=ro&_pragma=busy_timeout(10000)")
		if err != nil {
			return 0
		}
		defer h.Close()
		var n int64
		if err := h.QueryRowContext(ctx, `SELECT count(*) FROM orders`).Scan(&n); err != nil {
			return 0
		}
		return n
	}
	// openRun reports whether an import run has begun and not finished.
	openRun := func(db string) bool {
		h, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
		if err != nil {
			return false
		}
		defer h.Close()
		var n int
		err = h.QueryRowContext(ctx, `SELECT count(*) FROM import_runs WHERE finished_at IS NULL`).Scan(&n)
		return err == nil && n > 0
	}
	run := func(db string, files ...string) { t.Helper(); killImport(t, bin, db, files...) }
	exists := func(path string) bool { _, err := os.Stat(path); return err == nil }
	snap := func(db string) string { t.Helper(); return killSnapshot(t, check, db) }

	// hasIndex reports whether the orders table has its covering index.
	hasIndex := func(db string) bool {
		h, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		var n int
		if err := h.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name = 'orders_customer_time'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}

	for _, tc := range []struct {
		name  string
		prior []string // imported cleanly before the killed run
		files []string // the killed command's, if not the full file
		// landed reports, while the import runs, that it is far enough in;
		// said is what the command has written to stderr so far.
		landed func(db, said string) bool
		// left is what the kill may leave: the order count's bounds.
		min, max int64
		noIndex  bool // the kill leaves the covering index out
		// journal: the killed load wrote through a rollback journal, which
		// the kill leaves hot for the next open to roll back.
		journal bool
	}{
		// A first load alone sets the WAL aside; a connection of the
		// test's own, open when the load begins, would keep it. So these
		// wait for the load's journal before they read anything.
		{name: "first load", landed: func(db, _ string) bool {
			if !exists(db + "-journal") {
				return false
			}
			time.Sleep(300 * time.Millisecond) // well into the load, far from its end
			return true
		}, min: 0, max: 0, journal: true},
		{name: "into existing orders", prior: []string{head}, landed: func(db, _ string) bool {
			return count(db) > int64(orders/5+20000)
		}, min: int64(orders/5 + 1), max: int64(orders - 1)},
		{name: "second file of a first load", files: []string{head, full}, landed: func(db, said string) bool {
			// The command names a file's columns once it has opened it,
			// after the file before has committed; the journal is there
			// while the file is written. Counting the orders instead missed
			// the moment at times: a reader waits while the load holds
			// the database, and the load ends meanwhile.
			if !strings.Contains(said, full+" (") || !exists(db+"-journal") {
				return false
			}
			time.Sleep(300 * time.Millisecond) // into the second file
			return true
		}, min: int64(orders / 5), max: int64(orders / 5), noIndex: true, journal: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			killed := filepath.Join(t.TempDir(), "killed.db")
			run(killed, tc.prior...)
			files := tc.files
			if files == nil {
				files = []string{full}
			}
			killMidImport(t, bin, killed, files, func(said string) bool { return tc.landed(killed, said) })
			if got := exists(killed + "-journal"); got != tc.journal {
				t.Errorf("after the kill a rollback journal is there: %v, want %v", got, tc.journal)
			}
			if !openRun(killed) {
				t.Fatal("the import had finished before the kill: the kill did not land mid-import")
			}
			atKill := count(killed)
			if atKill < tc.min || atKill > tc.max {
				t.Fatalf("killed with %d of %d orders in, want %d..%d", atKill, orders, tc.min, tc.max)
			}
			t.Logf("killed with %d of %d orders imported", atKill, orders)
			if got := hasIndex(killed); got == tc.noIndex {
				t.Errorf("after the kill the covering index is there: %v, want %v", got, !tc.noIndex)
			}
			run(killed, full)
			if !hasIndex(killed) {
				t.Error("the import after the kill did not build the covering index")
			}
			clean := filepath.Join(t.TempDir(), "clean.db")
			run(clean, append(tc.prior, full)...)
			if a, b := snap(killed), snap(clean); a != b {
				t.Errorf("killed-and-resumed database differs from a clean import")
			}
			if n := count(killed); n != int64(orders) {
				t.Errorf("%d orders after resume, want %d", n, orders)
			}
		})
	}
}

// TestImportSurvivesKill9Postgres is TestImportSurvivesKill9 on
// PostgreSQL: the server takes back the killed client's transaction. A
// first load, and every file of a command that began one, is one
// transaction there, so the kill leaves no orders and the schema the load
// changed (the covering index, the foreign keys) whole.
func TestImportSurvivesKill9Postgres(t *testing.T) {
	if !slices.Contains(storetest.Engines(t), "postgres") {
		return // Engines said why
	}
	bin, check, full, head, orders := killFixture(t)
	ctx := context.Background()
	// query runs one query on db through a connection of its own.
	query := func(db, q string, dst ...any) {
		t.Helper()
		h, err := sql.Open("pgx", db)
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		if err := h.QueryRowContext(ctx, q).Scan(dst...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	count := func(db string) (n int64) { query(db, `SELECT count(*) FROM orders`, &n); return n }
	runs := func(db string) (begun, open int) {
		query(db, `SELECT count(*), count(*) FILTER (WHERE finished_at IS NULL) FROM import_runs`, &begun, &open)
		return begun, open
	}
	fresh := func() string {
		db := storetest.DSN(t, "postgres")
		if out, err := exec.Command(bin, "migrate", "--db", db).CombinedOutput(); err != nil {
			t.Fatalf("migrate: %v\n%s", err, out)
		}
		return db
	}
	for _, tc := range []struct {
		name     string
		prior    []string
		files    []string
		landed   func(db, said string) bool
		min, max int64
	}{
		{name: "first load", landed: func(db, _ string) bool {
			if _, open := runs(db); open == 0 {
				return false
			}
			time.Sleep(300 * time.Millisecond) // well into the load, far from its end
			return true
		}},
		{name: "into existing orders", prior: []string{head}, landed: func(db, _ string) bool {
			return count(db) > int64(orders/5+20000)
		}, min: int64(orders/5 + 1), max: int64(orders - 1)},
		{name: "second file of a first load", files: []string{head, full}, landed: func(db, _ string) bool {
			if begun, _ := runs(db); begun < 2 {
				return false
			}
			time.Sleep(300 * time.Millisecond) // into the second file
			return true
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			killed := fresh()
			killImport(t, bin, killed, tc.prior...)
			files := tc.files
			if files == nil {
				files = []string{full}
			}
			killMidImport(t, bin, killed, files, func(said string) bool { return tc.landed(killed, said) })
			if _, open := runs(killed); open == 0 {
				t.Fatal("the import had finished before the kill: the kill did not land mid-import")
			}
			// The server notices the client is gone at its next read or
			// write, and only then lets go of the load's locks.
			for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				var others int
				query(killed, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`, &others)
				if others == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the killed import's server process is still there after 60 s")
				}
			}
			if n := count(killed); n < tc.min || n > tc.max {
				t.Fatalf("killed with %d of %d orders in, want %d..%d", n, orders, tc.min, tc.max)
			} else {
				t.Logf("killed with %d of %d orders imported", n, orders)
			}
			var indexes, keys int
			query(killed, `SELECT count(*) FROM pg_indexes WHERE indexname IN ('orders_customer_time', 'order_lines_sku')`, &indexes)
			query(killed, `SELECT count(*) FROM pg_constraint WHERE conname IN ('orders_customer_id_fkey', 'order_lines_order_id_fkey') AND convalidated`, &keys)
			if indexes != 2 || keys != 2 {
				t.Errorf("after the kill %d of 2 indexes and %d of 2 foreign keys are there", indexes, keys)
			}
			killImport(t, bin, killed, full)
			clean := fresh()
			killImport(t, bin, clean, append(tc.prior, full)...)
			if a, b := killSnapshot(t, check, killed), killSnapshot(t, check, clean); a != b {
				t.Errorf("killed-and-resumed database differs from a clean import")
			}
			if n := count(killed); n != int64(orders) {
				t.Errorf("%d orders after resume, want %d", n, orders)
			}
		})
	}
}

// killFixture builds the kith binary and the database checker
// (testdata/killcheck), and writes a demo orders file (full) and its first
// fifth (head: the orders a shop already had).
func killFixture(t *testing.T) (bin, check, full, head string, orders int) {
	if testing.Short() {
		t.Skip("builds the binary and imports 200k+ orders")
	}
	dir := t.TempDir()
	bin, check = filepath.Join(dir, "kith"), filepath.Join(dir, "killcheck")
	for out, pkg := range map[string]string{bin: "github.com/kithcrm/kith/cmd/kith", check: "./testdata/killcheck"} {
		if msg, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", pkg, err, msg)
		}
	}
	full = filepath.Join(dir, "orders.csv")
	f, err := os.Create(full)
	if err != nil {
		t.Fatal(err)
	}
	end := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	st, err := demo.Generate(demo.Config{Customers: 60000, Seed: 9, End: end, Intensity: 3}, demo.Files{Orders: f})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d orders", st.Orders)
	head = filepath.Join(dir, "head.csv")
	if err := copyLines(full, head, st.Orders/5+1); err != nil {
		t.Fatal(err)
	}
	return bin, check, full, head, st.Orders
}

// killImport imports each file, as its own command, into db.
func killImport(t *testing.T, bin, db string, files ...string) {
	t.Helper()
	for _, file := range files {
		if out, err := exec.Command(bin, "import", "orders", file, "--db", db).CombinedOutput(); err != nil {
			t.Fatalf("import %s: %v\n%s", filepath.Base(file), err, out)
		}
	}
}

// killMidImport starts one import command of files into db and kills it
// with SIGKILL once landed, given what it has written to stderr, says it
// is far enough in.
func killMidImport(t *testing.T, bin, db string, files []string, landed func(said string) bool) {
	t.Helper()
	cmd := exec.Command(bin, append(append([]string{"import", "orders"}, files...), "--db", db, "--batch", "1000")...)
	var said lockedBuffer
	cmd.Stderr = &said
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline) && !landed(said.String()); {
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
}

// lockedBuffer is a command's stderr, read while the command writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// killSnapshot checks db's integrity and fingerprints its content, in a
// process built without the race detector (testdata/killcheck).
func killSnapshot(t *testing.T, check, db string) string {
	t.Helper()
	var stderr strings.Builder
	cmd := exec.Command(check, db)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("killcheck %s: %v\n%s", db, err, stderr.String())
	}
	h := strings.TrimSpace(string(out))
	if len(h) != 64 { // a SHA-256 in hex: two empty outputs would compare equal
		t.Fatalf("killcheck %s printed %q, not a fingerprint", db, out)
	}
	return h
}

// copyLines copies the first n lines of src to dst.
func copyLines(src, dst string, n int) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(in)
	w := bufio.NewWriter(out)
	for i := 0; i < n && sc.Scan(); i++ {
		w.WriteString(sc.Text() + "\n")
	}
	if err := w.Flush(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
