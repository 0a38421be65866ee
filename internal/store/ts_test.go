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
