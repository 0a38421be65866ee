package report

import (
	"testing"
	"time"
)

// TestLocalDays: an order is on the shop's calendar day, not UTC's, across
// midnight and a daylight-saving change.
func TestLocalDays(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	day := func(s string) int32 {
		d, _ := time.Parse("2006-01-02", s)
		return int32(d.Unix() / 86400)
	}
	tests := []struct {
		loc  *time.Location
		utc  string
		want string
	}{
		{sh, "2024-01-31T15:59:59Z", "2024-01-31"},
		{sh, "2024-01-31T16:00:00Z", "2024-02-01"},
		{ny, "2024-03-10T06:59:59Z", "2024-03-10"}, // 01:59:59 EST
		{ny, "2024-03-10T07:00:00Z", "2024-03-10"}, // 03:00 EDT
		{ny, "2024-03-11T03:59:59Z", "2024-03-10"}, // 23:59:59 EDT
		{ny, "2024-03-11T04:00:00Z", "2024-03-11"},
		{time.UTC, "1969-12-31T23:59:59Z", "1969-12-31"},
	}
	for _, tt := range tests {
		at, _ := time.Parse(time.RFC3339, tt.utc)
		// One purchase, and the same one inside a sequence spanning the zone
		// change, so the cached offset is exercised.
		p := &Purchases{Customer: []int64{1, 1, 1}, At: []int64{at.Unix() - 90*86400, at.Unix(), at.Unix() + 90*86400}, Amount: []int64{1, 250, 1}, Currency: "CNY"}
		got := toCLV(p, tt.loc)
		if got.Day[1] != day(tt.want) || got.Amount[1] != 2.5 {
			t.Errorf("%s in %s: day %d amount %v, want %s (%d)", tt.utc, tt.loc, got.Day[1], got.Amount[1], tt.want, day(tt.want))
		}
		if localDay(at, tt.loc) != day(tt.want) {
			t.Errorf("localDay(%s, %s) = %d, want %d", tt.utc, tt.loc, localDay(at, tt.loc), day(tt.want))
		}
	}
	if end := asOfEnd(time.Date(2024, 2, 1, 9, 0, 0, 0, sh), sh); !end.Equal(time.Date(2024, 2, 1, 23, 59, 59, 0, sh)) {
		t.Errorf("asOfEnd = %v", end)
	}
}
