// Package i18n holds kith's English and Simplified Chinese messages and the
// locale choice.
package i18n

import (
	"fmt"
	"strings"
)

// Lang is a supported language tag.
type Lang string

const (
	EN   Lang = "en"
	ZhCN Lang = "zh-CN"
)

// Parse maps a --lang value or a LANG variable ("zh_CN.UTF-8") to a Lang;
// anything not Chinese is English.
func Parse(s string) (Lang, error) {
	l := strings.ToLower(strings.ReplaceAll(s, "_", "-"))
	switch {
	case l == "" || l == "c" || l == "posix" || strings.HasPrefix(l, "en"):
		return EN, nil
	case strings.HasPrefix(l, "zh"):
		return ZhCN, nil
	}
	return EN, fmt.Errorf("language %q: kith speaks en and zh-CN", s)
}

// FromEnv picks the language from LC_ALL, LC_MESSAGES or LANG.
func FromEnv(getenv func(string) string) Lang {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			l, _ := Parse(strings.SplitN(v, ".", 2)[0])
			return l
		}
	}
	return EN
}

// T returns the message for key in lang, formatted with args. A missing key
// shows itself, so a gap is visible (the completeness test forbids gaps).
func T(lang Lang, key string, args ...any) string {
	m, ok := catalog[lang][key]
	if !ok {
		m, ok = catalog[EN][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(m, args...)
	}
	return m
}

// Keys lists the keys of a language's catalog, for the completeness test.
func Keys(lang Lang) []string {
	var keys []string
	for k := range catalog[lang] {
		keys = append(keys, k)
	}
	return keys
}

// Has reports whether lang's catalog defines key.
func Has(lang Lang, key string) bool {
	_, ok := catalog[lang][key]
	return ok
}
