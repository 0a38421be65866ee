package i18n

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kithcrm/kith/internal/kith"
)

// msgCalls finds every kith.Msg call in the module's non-test source:
// key -> format. Keys and formats must be literals, and a key used twice
// must have one format.
func msgCalls(t *testing.T) map[string]string {
	t.Helper()
	calls := map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != "../..") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			switch fun := call.Fun.(type) {
			case *ast.SelectorExpr: // kith.Msg
				if pkg, ok := fun.X.(*ast.Ident); !ok || pkg.Name != "kith" || fun.Sel.Name != "Msg" {
					return true
				}
			case *ast.Ident: // Msg, inside package kith
				if f.Name.Name != "kith" || fun.Name != "Msg" {
					return true
				}
			default:
				return true
			}
			pos := fset.Position(call.Pos())
			key, ok1 := literal(call.Args[0])
			format, ok2 := literal(call.Args[1])
			if !ok1 || !ok2 {
				t.Errorf("%s: kith.Msg's key and format must be string literals", pos)
				return true
			}
			if prev, dup := calls[key]; dup && prev != format {
				t.Errorf("%s: key %q has two formats: %q and %q", pos, key, prev, format)
			}
			calls[key] = format
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) < 50 {
		t.Fatalf("found %d kith.Msg calls: is the walk looking in the right place?", len(calls))
	}
	return calls
}

// literal evaluates a string literal or a + of them.
func literal(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		s, err := strconv.Unquote(e.Value)
		return s, err == nil && e.Kind == token.STRING
	case *ast.BinaryExpr:
		a, ok1 := literal(e.X)
		b, ok2 := literal(e.Y)
		return a + b, ok1 && ok2 && e.Op == token.ADD
	}
	return "", false
}

// verbs maps each argument (0-based) of a format to its verb letter,
// following explicit indexes (%[2]d) as fmt does.
func verbs(format string) (map[int]byte, error) {
	out := map[int]byte{}
	arg := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		for i < len(format) && strings.IndexByte("+-# 0123456789.", format[i]) >= 0 {
			i++
		}
		if i < len(format) && format[i] == '[' {
			end := strings.IndexByte(format[i:], ']')
			n, err := strconv.Atoi(format[i+1 : i+end])
			if end < 0 || err != nil {
				return nil, fmt.Errorf("bad index at %d", i)
			}
			arg, i = n-1, i+end+1
			for i < len(format) && strings.IndexByte("+-# 0123456789.", format[i]) >= 0 {
				i++
			}
		}
		if i >= len(format) {
			return nil, errors.New("format ends in %")
		}
		if format[i] == '%' {
			continue
		}
		if v, seen := out[arg]; seen && v != format[i] {
			return nil, fmt.Errorf("argument %d has verbs %c and %c", arg+1, v, format[i])
		}
		out[arg] = format[i]
		arg++
	}
	return out, nil
}

// TestMessagesTranslated fails when a message has no Chinese, when the
// Chinese takes other arguments than the English, or when a translation
// is left over from a message that is gone.
func TestMessagesTranslated(t *testing.T) {
	calls := msgCalls(t)
	for key, en := range calls {
		zh, ok := messages[ZhCN][key]
		if !ok {
			t.Errorf("zh-CN lacks message %q (%q)", key, en)
			continue
		}
		ev, err1 := verbs(en)
		zv, err2 := verbs(zh)
		if err1 != nil || err2 != nil {
			t.Errorf("%q: %v %v", key, err1, err2)
			continue
		}
		if fmt.Sprint(ev) != fmt.Sprint(zv) {
			t.Errorf("%q: English takes %v, Chinese %v", key, ev, zv)
		}
	}
	for key := range messages[ZhCN] {
		if _, ok := calls[key]; !ok {
			t.Errorf("zh-CN message %q is not used by any kith.Msg", key)
		}
	}
}

func TestVerbs(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
	}{
		{"%d of %q", "map[0:100 1:113]"},
		{"100%% %s", "map[0:115]"},
		{"0x%02X at %d", "map[0:88 1:100]"},
		{"at %[2]d byte 0x%02[1]X, then %[3]d", "map[0:88 1:100 2:100]"},
	} {
		got, err := verbs(c.in)
		if err != nil || fmt.Sprint(got) != c.want {
			t.Errorf("verbs(%q) = %v, %v; want %s", c.in, got, err, c.want)
		}
	}
}

func TestMessage(t *testing.T) {
	date := kith.Msg("date.bad", "date %q: %v", "2024-13-01", kith.Msg("range", "out of range"))
	wrapped := fmt.Errorf("orders.csv: %w", kith.Msg("missing.one", "missing required column %s", "ordered_at"))
	for _, c := range []struct {
		lang Lang
		err  error
		want string
	}{
		{EN, date, `date "2024-13-01": out of range`},
		{ZhCN, date, `日期 "2024-13-01"：超出范围`},
		{ZhCN, wrapped, "orders.csv: 缺少必需的列 ordered_at"},
		{EN, wrapped, "orders.csv: missing required column ordered_at"},
		// A message nobody translated, and an error with none in it.
		{ZhCN, kith.Msg("no.such.key", "plain %d", 3), "plain 3"},
		{ZhCN, errors.New("disk full"), "disk full"},
		// A field error whose reason is a message.
		{ZhCN, fmt.Errorf("page: %w", kith.FieldMsg("id", "invalid", kith.Msg("customer.bad_id", "%q is not a customer id", "x"))), `page: field id: "x" 不是客户编号`},
		{ZhCN, &kith.FieldError{Field: "id", Reason: "plain"}, "field id: plain"},
		// A message inside an error that is not a message keeps its text.
		{ZhCN, kith.Msg("text", "%v", fmt.Errorf("sheet: %w", kith.Msg("range", "out of range"))), "sheet: 超出范围"},
	} {
		if got := Error(c.lang, c.err); got != c.want {
			t.Errorf("Error(%s, %q) = %q, want %q", c.lang, c.err, got, c.want)
		}
	}
	if !errors.Is(date, date.Args[1].(error)) {
		t.Error("a message does not unwrap to its error arguments")
	}
}
