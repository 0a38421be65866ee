package i18n

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kithcrm/kith/internal/kith"
)

// Message renders m in lang: the catalog's translation of m.Key, else the
// English m carries. Arguments that are messages or errors are rendered in
// lang too.
func Message(lang Lang, m *kith.Message) string {
	if m == nil {
		return ""
	}
	format, ok := messages[lang][m.Key]
	if !ok {
		return m.Error()
	}
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		switch a := a.(type) {
		case *kith.Message:
			args[i] = Message(lang, a)
		case error:
			args[i] = Error(lang, a)
		default:
			args[i] = a
		}
	}
	return fmt.Sprintf(format, args...)
}

// Error renders err in lang: the outermost message in its chain (or the
// reason of a field error that has one) is translated, and the context
// wrapped round it ("orders.csv: ...") is kept.
func Error(lang Lang, err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if _, ok := messages[lang]; !ok {
		return s
	}
	english, m := "", (*kith.Message)(nil)
	var fe *kith.FieldError
	switch {
	case errors.As(err, &fe) && fe.Message != nil:
		english, m = fe.Reason, fe.Message
	case errors.As(err, &m):
		english = m.Error()
	default:
		return s
	}
	if prefix, ok := strings.CutSuffix(s, english); ok {
		return prefix + Message(lang, m)
	}
	return s
}
