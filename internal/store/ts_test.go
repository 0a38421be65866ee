package store

import (
	"testing"
	"time"
)

func TestParseTS(t *testing.T) {
	for _, in := range []string{"1970-01-01T00:00:00Z", "2024-02-29T23:59:59Z", "1899-12-31T12:00:00Z", "2099-03-01T00:00:01Z", "2024-01-31T10:00:00.5Z"} {
		want, _ := time.Parse(time.RFC3339Nano, in)
		got, ok := parseTS(in)
		if !ok || got != want.Unix() {
			t.Errorf("parseTS(%q) = %d %v, want %d", in, got, ok, want.Unix())
		}
		if gotb, _ := parseTS([]byte(in)); gotb != got {
			t.Errorf("parseTS([]byte(%q)) = %d, want %d", in, gotb, got)
		}
	}
	if _, ok := parseTS("not a time"); ok {
		t.Error("parseTS accepted garbage")
	}
}

func TestFormatTS(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	for _, at := range []time.Time{
		time.Unix(0, 0),
		time.Date(2024, 2, 29, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(2024, 1, 1, 7, 5, 3, 0, shanghai), // the day before in UTC
		time.Date(1899, 12, 31, 12, 0, 0, 0, time.UTC),
		time.Date(9, 3, 4, 5, 6, 7, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		want := at.UTC().Format(tsLayout)
		if got := formatTS(at); got != want {
			t.Errorf("formatTS(%v) = %q, want %q", at, got, want)
		}
		if sec, ok := parseTS(formatTS(at)); at.Year() >= 0 && at.Year() <= 9999 && (!ok || sec != at.Unix()) {
			t.Errorf("parseTS(formatTS(%v)) = %d %v, want %d", at, sec, ok, at.Unix())
		}
	}
}

func FuzzFormatTS(f *testing.F) {
	f.Add(int64(0))
	f.Add(int64(1706745600))
	f.Fuzz(func(t *testing.T, sec int64) {
		at := time.Unix(sec, 0)
		if want, got := at.UTC().Format(tsLayout), formatTS(at); got != want {
			t.Errorf("formatTS(%d) = %q, want %q", sec, got, want)
		}
	})
}
