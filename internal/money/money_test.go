package money

import (
	"strings"
	"testing"
)

// TestParseNamesTheCharacter: the error shows the character, not a byte of
// its UTF-8 encoding.
func TestParseNamesTheCharacter(t *testing.T) {
	for in, want := range map[string]string{"12a": "'a'", "12円": "'円'", "1２x": "'x'"} {
		if _, err := Parse(in, "CNY"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want an error naming %s", in, err, want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in       string
		currency string
		want     int64
		wantErr  bool
	}{
		{"1234.5", "CNY", 123450, false},
		{"1,234.50", "CNY", 123450, false},
		{"¥1,234.50", "CNY", 123450, false},
		{"￥ 12", "CNY", 1200, false},
		{"12元", "CNY", 1200, false},
		{"-3.2", "CNY", -320, false},
		{"(3.20)", "CNY", -320, false},
		{"¥-3.20", "CNY", -320, false},
		{"0.005", "CNY", 1, false},
		{"12.344", "CNY", 1234, false},
		{".5", "CNY", 50, false},
		{"1 234 567.89", "CNY", 123456789, false},
		// Thousands grouped by the no-break spaces Excel writes in French
		// and other locales.
		{"1\u00a0234.50", "EUR", 123450, false},
		{"1\u202f234\u202f567.89 €", "EUR", 123456789, false},
		{"€\u00a012", "EUR", 1200, false},
		{"1\u2009234", "CNY", 123400, false},
		{"12\u00a03.4", "CNY", 0, true},
		{"1200", "JPY", 1200, false},
		{"$12.00", "USD", 1200, false},
		{"$12.00", "CNY", 0, true},
		{"12,5", "CNY", 0, true},
		{"1,23,456", "CNY", 0, true},
		{"abc", "CNY", 0, true},
		{"", "CNY", 0, true},
		{"1e5", "CNY", 0, true},
		{"12.3.4", "CNY", 0, true},
		{"9999999999999999", "CNY", 0, true},
		// Full-width forms, as a Chinese input method in full-width mode types them.
		{"１２３", "CNY", 12300, false},
		{"１，２３４．５０元", "CNY", 123450, false},
		{"－３．２", "CNY", -320, false},
		{"（３．２０）", "CNY", -320, false},
		{"　１２", "CNY", 1200, false},
		{"１２ａ", "CNY", 0, true},
		// 万 and 亿, as spend and sales reports write large sums.
		{"1.2万", "CNY", 1200000, false},
		{"￥1.2万", "CNY", 1200000, false},
		{"3 万元", "CNY", 3000000, false},
		{"1.234567万", "CNY", 1234567, false},
		{"0.5亿", "CNY", 5000000000, false},
		{"-2万", "CNY", -2000000, false},
		{"万", "CNY", 0, true},
		{"1万万", "CNY", 0, true},
		{"1亿万", "CNY", 0, true},
		{"99999999999999万", "CNY", 0, true},
		// A mark before the number and one after it, and the Chinese names.
		{"￥12元", "CNY", 1200, false},
		{"¥1,234.50元", "CNY", 123450, false},
		{"人民币12元", "CNY", 1200, false},
		{"12元整", "CNY", 1200, false},
		{"¥1,200元整", "CNY", 120000, false},
		{"12块", "CNY", 1200, false},
		{"12.5块钱", "CNY", 1250, false},
		{"12块", "USD", 0, true},
		{"人民币 1.5万", "CNY", 1500000, false},
		{"RMB 1.2万元", "CNY", 1200000, false},
		{"12.00 CNY", "CNY", 1200, false},
		{"-¥12元", "CNY", -1200, false},
		{"12美元", "USD", 1200, false},
		{"12美元", "CNY", 0, true},
		{"US$12美元", "USD", 1200, false},
		{"100日元", "JPY", 100, false},
		{"12港币", "HKD", 1200, false},
		{"$12元", "USD", 0, true},
		{"元12元元", "CNY", 0, true},
		{"¥¥12", "CNY", 0, true},
		// The minus after the number, as SAP and ERP exports write it.
		{"100.00-", "CNY", -10000, false},
		{"1,234.50-", "CNY", -123450, false},
		{"¥12.00-", "CNY", -1200, false},
		{"12.00-元", "CNY", -1200, false},
		{"１２．００－", "CNY", -1200, false},
		{"12 -", "CNY", -1200, false},
		{"-12-", "CNY", 0, true},
		{"(12-)", "CNY", 0, true},
		{"¥-12-", "CNY", 0, true},
		{"-", "CNY", 0, false}, // Excel's accounting format: a zero is a dash
		{"¥ -", "CNY", 0, false},
		{" ￥-  ", "CNY", 0, false},
		{"$ -", "USD", 0, false},
		{"--", "CNY", 0, true},
		{"-¥", "CNY", 0, true},
		{"¥", "CNY", 0, true},
		{"12--", "CNY", 0, true},
		{"(-12)-", "CNY", 0, true},
		{"+12-", "CNY", 0, true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in, tt.currency)
		if (err != nil) != tt.wantErr {
			t.Errorf("Parse(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && got.Minor != tt.want {
			t.Errorf("Parse(%q) = %d, want %d", tt.in, got.Minor, tt.want)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		m       Money
		str     string
		decimal string
	}{
		{Money{123450, "CNY"}, "¥1,234.50", "1234.50"},
		{Money{-320, "CNY"}, "-¥3.20", "-3.20"},
		{Money{5, "CNY"}, "¥0.05", "0.05"},
		{Money{1234567, "JPY"}, "JP¥1,234,567", "1234567"},
		{Money{0, "USD"}, "US$0.00", "0.00"},
	}
	for _, tt := range tests {
		if got := tt.m.String(); got != tt.str {
			t.Errorf("%v.String() = %q, want %q", tt.m, got, tt.str)
		}
		if got := tt.m.Decimal(); got != tt.decimal {
			t.Errorf("%v.Decimal() = %q, want %q", tt.m, got, tt.decimal)
		}
	}
}

// FuzzParse checks that whatever parses formats back to the same amount.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"1,234.50", "¥12", "(3)", "-0.5", "12元", "1.2万元", "149.00", "88", "12.", "0.125", "007.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// The plain cell's shortcut reads what the full parse reads.
		for _, cur := range []string{"CNY", "JPY", "KWD"} {
			if minor, ok := plainAmount(s, Exponent(cur)); ok {
				full, err := parseMarked(s, cur)
				if err != nil || full.Minor != minor {
					t.Fatalf("%q in %s: plain %d, full %v (%v)", s, cur, minor, full, err)
				}
			}
		}
		m, err := Parse(s, "CNY")
		if err != nil {
			return
		}
		back, err := Parse(m.Decimal(), "CNY")
		if err != nil || back.Minor != m.Minor {
			t.Fatalf("round trip %q -> %q -> %v (%v)", s, m.Decimal(), back, err)
		}
	})
}

func TestNamed(t *testing.T) {
	for mark, want := range map[string]string{
		"USD": "USD", "usd": "USD", " 美元 ": "USD", "US$": "USD", "$": "USD", "港币": "HKD", "HK$": "HKD", "€": "EUR",
		"MYR": "MYR", "人民币": "CNY", "RMB": "CNY", "元": "", "¥": "", "￥": "", "avg": "", "": "", "pcs": "",
	} {
		if got := Named(mark); got != want {
			t.Errorf("Named(%q) = %q, want %q", mark, got, want)
		}
	}
}
