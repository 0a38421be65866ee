package store_test

import (
	"context"
	"database/sql"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/kithcrm/kith/internal/store"
	"github.com/kithcrm/kith/internal/store/storetest"
)

// TestMigrationsParity: both dialects have the same migration numbers and
// the same tables, columns, nullability and named indexes.
func TestMigrationsParity(t *testing.T) {
	names := func(dir string) []string {
		entries, err := os.ReadDir(filepath.Join("migrations", dir))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	if a, b := names("sqlite"), names("postgres"); !reflect.DeepEqual(a, b) {
		t.Fatalf("migration files differ:\nsqlite   %v\npostgres %v", a, b)
	}
	engines := storetest.Engines(t)
	if len(engines) < 2 {
		t.Skip("schema parity needs PostgreSQL: set KITH_TEST_POSTGRES_URL")
	}
	ctx := context.Background()
	schemas := map[string][]string{}
	queries := map[string][2]string{
		"sqlite": {
			`SELECT m.name || '.' || p.name || CASE WHEN p."notnull" = 1 OR p.pk = 1 THEN ' NOT NULL' ELSE '' END
             FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'goose%' AND m.name NOT LIKE 'sqlite%'`,
			`SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'`},
		"postgres": {
			`SELECT table_name || '.' || column_name || CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END
             FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE 'goose%'`,
			`SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key' AND tablename NOT LIKE 'goose%'`},
	}
	for _, engine := range engines {
		s := storetest.Open(t, engine)
		var all []string
		for _, q := range queries[engine] {
			rows, err := store.WriteDB(s).QueryContext(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var v string
				rows.Scan(&v)
				all = append(all, v)
			}
			rows.Close()
		}
		sort.Strings(all)
		schemas[engine] = all
	}
	if !reflect.DeepEqual(schemas["sqlite"], schemas["postgres"]) {
		t.Errorf("schemas differ:\nsqlite   %q\npostgres %q", schemas["sqlite"], schemas["postgres"])
	}
}

// sqlConstants finds every string constant in the store package's source
// that is an SQL statement, evaluating concatenations of other constants.
func sqlConstants(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	exprs := map[string]ast.Expr{}
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i < len(vs.Values) {
						exprs[n.Name] = vs.Values[i]
					}
				}
			}
		}
	}
	var eval func(ast.Expr) (string, bool)
	eval = func(e ast.Expr) (string, bool) {
		switch x := e.(type) {
		case *ast.BasicLit:
			if x.Kind != token.STRING {
				return "", false
			}
			s, err := strconv.Unquote(x.Value)
			return s, err == nil
		case *ast.Ident:
			if v, ok := exprs[x.Name]; ok {
				return eval(v)
			}
		case *ast.BinaryExpr:
			a, ok1 := eval(x.X)
			b, ok2 := eval(x.Y)
			return a + b, ok1 && ok2
		case *ast.ParenExpr:
			return eval(x.X)
		}
		return "", false
	}
	out := map[string]string{}
	for name, e := range exprs {
		s, ok := eval(e)
		if !ok {
			continue
		}
		head := strings.ToUpper(strings.Fields(s + " x")[0])
		switch head {
		case "SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "CREATE", "DROP", "ALTER", "LOCK", "TRUNCATE", "SET":
			out[name] = s
		}
	}
	return out
}

// TestPrepareEveryStatement prepares each SQL constant on each engine, so a
// statement that one dialect rejects fails here and not in production.
// Constants named pg* are PostgreSQL-only.
func TestPrepareEveryStatement(t *testing.T) {
	stmts := sqlConstants(t)
	if len(stmts) < 30 {
		t.Fatalf("found only %d statements: the source scan is broken", len(stmts))
	}
	ctx := context.Background()
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db := store.WriteDB(storetest.Open(t, engine))
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if engine == "postgres" {
				// The staging tables are session-local; create them first.
				for _, name := range []string{"pgCreateStage", "pgCreateLineStage", "pgCreateSeen", "pgCreateSeenCustomers"} {
					if _, err := conn.ExecContext(ctx, stmts[name]); err != nil {
						t.Fatal(err)
					}
				}
			}
			n := 0
			for name, q := range stmts {
				if strings.HasPrefix(name, "pg") && engine != "postgres" {
					continue
				}
				if err := prepareOn(ctx, conn, name, q, stmts); err != nil {
					t.Errorf("%s: %v\n%s", name, err, q)
					continue
				}
				n++
			}
			t.Logf("%d statements prepared on %s", n, engine)
		})
	}
}

// TestPrepareGeneratedStatements covers the statements built at run time.
func TestPrepareGeneratedStatements(t *testing.T) {
	for _, engine := range []string{"sqlite"} { // PostgreSQL loads orders by COPY
		db := store.WriteDB(storetest.Open(t, engine))
		for _, k := range []int{1, 37, 100} {
			for _, first := range []bool{false, true} {
				for _, returning := range []bool{false, true} {
					st, err := db.PrepareContext(context.Background(), store.UpsertOrdersSQL(k, first, returning))
					if err != nil {
						t.Errorf("%s: upsert of %d orders (first load %v, returning %v): %v", engine, k, first, returning, err)
						continue
					}
					st.Close()
				}
			}
		}
	}
}

// TestPrepareImportBatchStatements prepares each engine's batch lookups,
// stamps and customer writes of imports.
func TestPrepareImportBatchStatements(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		db := store.WriteDB(storetest.Open(t, engine))
		for _, q := range store.ImportBatchSQL[engine] {
			st, err := db.PrepareContext(context.Background(), q)
			if err != nil {
				t.Errorf("%s: %v\n%.300s", engine, err, q)
				continue
			}
			st.Close()
		}
	}
}

func TestPrepareGeneratedReadStatements(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		db := store.WriteDB(storetest.Open(t, engine))
		qs := []string{store.SelectNamesSQL(1), store.SelectNamesSQL(500)}
		if engine == "sqlite" {
			qs = append(qs, store.InsertScoresSQL(1), store.InsertScoresSQL(100))
		}
		for _, q := range qs {
			st, err := db.PrepareContext(context.Background(), q)
			if err != nil {
				t.Errorf("%s: %v\n%.200s", engine, err, q)
				continue
			}
			st.Close()
		}
	}
}

// prepareOn prepares q on conn. SQLite checks at prepare time that an index
// to create does not exist yet, so the first load's rebuild is prepared
// after its drop, in a transaction rolled back afterwards.
func prepareOn(ctx context.Context, conn *sql.Conn, name, q string, stmts map[string]string) error {
	if name != "createOrdersIndex" {
		st, err := conn.PrepareContext(ctx, q)
		if err == nil {
			st.Close()
		}
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, stmts["dropOrdersIndex"]); err != nil {
		return err
	}
	st, err := tx.PrepareContext(ctx, q)
	if err == nil {
		st.Close()
	}
	return err
}
