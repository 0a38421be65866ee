package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const module = "github.com/kithcrm/kith/"

type pkg struct {
	ImportPath string
	Dir        string
	Standard   bool
	Imports    []string
	GoFiles    []string
}

// layer classifies a kith package by design.md §1.
func layer(path string) string {
	rel := strings.TrimPrefix(path, module)
	switch {
	case rel == "cmd/kith":
		return "cmd"
	case rel == "internal/app":
		return "app"
	case strings.HasPrefix(rel, "internal/analytics"), rel == "internal/lunar", rel == "internal/money", rel == "internal/kith":
		return "pure"
	case rel == "internal/store" || strings.HasPrefix(rel, "internal/store/"):
		return "store"
	case rel == "internal/cli", rel == "internal/httpapi", rel == "internal/web", rel == "internal/server":
		return "adapter"
	case rel == "internal/i18n", rel == "internal/config":
		return "support"
	}
	return "domain"
}

// allowed says whether a package of layer from may import kith package to.
func allowed(from, fromPath, to string) bool {
	lt := layer(to)
	switch from {
	case "cmd":
		return lt == "app"
	case "app":
		return true
	case "pure":
		// Analytics packages may share analytics helpers; nothing else.
		return strings.HasPrefix(fromPath, module+"internal/analytics") && strings.HasPrefix(to, module+"internal/analytics")
	case "domain":
		return lt == "pure" || lt == "domain"
	case "store":
		return lt == "pure" || lt == "domain" || lt == "store"
	case "adapter":
		return lt == "pure" || lt == "domain" || lt == "support" || lt == "adapter"
	case "support":
		return lt == "support" || lt == "pure"
	}
	return false
}

// banned lists imports (prefixes) a layer must not reach, directly or not.
var banned = map[string][]string{
	"pure":    {"database/sql", "net/http", "log/slog", "modernc.org/sqlite", "github.com/jackc/pgx"},
	"domain":  {"database/sql", "modernc.org/sqlite", "github.com/jackc/pgx"},
	"adapter": {"database/sql", "modernc.org/sqlite", "github.com/jackc/pgx"},
	"support": {"database/sql", "net/http"},
}

// bannedDirect are checked on direct imports only (a library may use them inside).
var bannedDirect = map[string][]string{
	"domain": {"net/http"},
	"store":  {"net/http"},
}

func TestLayering(t *testing.T) {
	root := filepath.Join("..", "..")
	cmd := exec.Command("go", "list", "-deps", "-json", "./...")
	cmd.Dir = root
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]*pkg{}
	dec := json.NewDecoder(&out)
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[p.ImportPath] = &p
	}
	// chain finds a path of imports from p to a package matching target.
	var chain func(from string, target string, seen map[string]bool) []string
	chain = func(from, target string, seen map[string]bool) []string {
		if seen[from] {
			return nil
		}
		seen[from] = true
		p := pkgs[from]
		if p == nil {
			return nil
		}
		for _, imp := range p.Imports {
			if imp == target || strings.HasPrefix(imp, target+"/") || (strings.HasSuffix(target, "/") && strings.HasPrefix(imp, target)) {
				return []string{from, imp}
			}
			if c := chain(imp, target, seen); c != nil {
				return append([]string{from}, c...)
			}
		}
		return nil
	}
	checked := 0
	for path, p := range pkgs {
		if !strings.HasPrefix(path, module) {
			continue
		}
		checked++
		from := layer(path)
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, module) && !allowed(from, path, imp) {
				t.Errorf("%s (%s) must not import %s (%s)", path, from, imp, layer(imp))
			}
			for _, b := range bannedDirect[from] {
				if imp == b {
					t.Errorf("%s (%s) must not import %s", path, from, b)
				}
			}
		}
		for _, b := range banned[from] {
			if c := chain(path, b, map[string]bool{}); c != nil {
				t.Errorf("%s (%s) must not depend on %s: %s", path, from, b, strings.Join(c, " -> "))
			}
		}
		if from == "pure" {
			for _, f := range p.GoFiles {
				src, err := os.ReadFile(filepath.Join(p.Dir, f))
				if err != nil {
					t.Fatal(err)
				}
				if loc := clockRead.FindIndex(src); loc != nil {
					t.Errorf("%s/%s reads the clock (%s): pure packages take asOf", path, f, src[loc[0]:loc[1]])
				}
			}
		}
	}
	if checked < 10 {
		t.Fatalf("checked only %d kith packages: go list output not understood", checked)
	}
	for path, p := range pkgs {
		for _, imp := range p.Imports {
			if imp == module+"internal/app" && layer(path) != "cmd" {
				t.Errorf("%s imports internal/app: only cmd/kith may", path)
			}
		}
	}
}

var clockRead = regexp.MustCompile(`time\.(Now|Since|Until)\(`)

// TestLayerRules checks the rule table itself, so a loosened rule is seen.
func TestLayerRules(t *testing.T) {
	tests := []struct {
		from, to string
		ok       bool
	}{
		{"internal/cli", "internal/store", false},
		{"internal/cli", "internal/customer", true},
		{"internal/money", "internal/kith", false},
		{"internal/analytics/rfm", "internal/analytics/kpi", true},
		{"internal/customer", "internal/store", false},
		{"internal/store", "internal/cli", false},
		{"internal/store", "internal/importer", true},
		{"cmd/kith", "internal/store", false},
		{"internal/importer", "internal/money", true},
	}
	for _, tt := range tests {
		if got := allowed(layer(module+tt.from), module+tt.from, module+tt.to); got != tt.ok {
			t.Errorf("%s -> %s allowed = %v, want %v", tt.from, tt.to, got, tt.ok)
		}
	}
}
