// Package config resolves kith's settings: flags over KITH_* environment
// variables over defaults. It holds no globals.
package config

import (
	"github.com/kithcrm/kith/internal/i18n"
)

// Config is what every command starts from.
type Config struct {
	DB       string // SQLite path or postgres:// URL
	Lang     i18n.Lang
	Format   string // table | json | csv
	TimeZone string // the shop's time zone
	Currency string
}

// DefaultDB is the embedded database used when nothing else is named.
const DefaultDB = "./kith.db"

// FromEnv returns the defaults, overridden by the environment.
func FromEnv(getenv func(string) string) Config {
	c := Config{DB: DefaultDB, Lang: i18n.FromEnv(getenv), Format: "table", TimeZone: "Asia/Shanghai", Currency: "CNY"}
	if v := getenv("KITH_DB"); v != "" {
		c.DB = v
	}
	if v := getenv("KITH_LANG"); v != "" {
		if l, err := i18n.Parse(v); err == nil {
			c.Lang = l
		}
	}
	if v := getenv("KITH_TZ"); v != "" {
		c.TimeZone = v
	}
	if v := getenv("KITH_CURRENCY"); v != "" {
		c.Currency = v
	}
	return c
}
