package importer

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	tests := []struct {
		in      string
		order   DateOrder
		want    string // RFC 3339 in UTC
		hasTime bool
		wantErr bool
	}{
		{"2024-01-31", DateAuto, "2024-01-30T16:00:00Z", false, false},
		{"2024/1/31", DateAuto, "2024-01-30T16:00:00Z", false, false},
		{"20240131", DateAuto, "2024-01-30T16:00:00Z", false, false},
		{"2024年1月31日", DateAuto, "2024-01-30T16:00:00Z", false, false},
		{"２０２４－０１－３１", DateAuto, "2024-01-30T16:00:00Z", false, false},
		{"２０２４年１月３１日　１３：０５", DateAuto, "2024-01-31T05:05:00Z", true, false},
		{"2024年1月31日 13:05", DateAuto, "2024-01-31T05:05:00Z", true, false},
		{"2024年1月31日13时05分", DateAuto, "2024-01-31T05:05:00Z", true, false},
		{"31/01/2024", DateDMY, "2024-01-30T16:00:00Z", false, false},
		{"01/31/2024", DateMDY, "2024-01-30T16:00:00Z", false, false},
		{"31/01/2024", DateAuto, "2024-01-30T16:00:00Z", false, false},
		{"12/1/2010 8:26", DateMDY, "2010-12-01T00:26:00Z", true, false},
		{"12/1/2010 8:26 PM", DateMDY, "2010-12-01T12:26:00Z", true, false},
		{"2024-01-31 23:59:59", DateAuto, "2024-01-31T15:59:59Z", true, false},
		{"2024-01-31T23:59:59+08:00", DateAuto, "2024-01-31T15:59:59Z", true, false},
		{"2024-01-31T15:59:59Z", DateAuto, "2024-01-31T15:59:59Z", true, false},
		{"2024-01-31 08:00:00.250", DateAuto, "2024-01-31T00:00:00.25Z", true, false},
		{"45322", DateAuto, "2024-01-30T16:00:00Z", false, false},
		{"45322.5", DateAuto, "2024-01-31T04:00:00Z", true, false},
		{"01/02/2024", DateAuto, "", false, true},
		{"2024-02-30", DateAuto, "", false, true},
		{"2024-13-01", DateAuto, "", false, true},
		{"yesterday", DateAuto, "", false, true},
		{"", DateAuto, "", false, true},
		{"2024-01-31 25:00", DateAuto, "", false, true},
		{"1/2/24", DateDMY, "", false, true},
		// A day name, an English month, an offset, a Unix time.
		{"2024年1月31日 星期三", DateAuto, "2024-01-30T16:00:00Z", false, false},
		{"2024年1月31日星期三 13:05", DateAuto, "2024-01-31T05:05:00Z", true, false},
		{"2024-01-31（周三）", DateAuto, "2024-01-30T16:00:00Z", false, false},
		{"Wed, 31 Jan 2024", DateAuto, "2024-01-30T16:00:00Z", false, false},
		{"31-Jan-2024", DateAuto, "2024-01-30T16:00:00Z", false, false},
		{"Jan 31 2024 8:26 PM", DateAuto, "2024-01-31T12:26:00Z", true, false},
		{"January 31, 2024", DateAuto, "2024-01-30T16:00:00Z", false, false},
		{"2024-Sep-01", DateAuto, "2024-08-31T16:00:00Z", false, false},
		{"2024-01-31 10:00:00 +0800", DateAuto, "2024-01-31T02:00:00Z", true, false},
		{"2024-01-31 10:00:00 -0500", DateAuto, "2024-01-31T15:00:00Z", true, false},
		{"2024-01-31 10:00:00+08:00", DateAuto, "2024-01-31T02:00:00Z", true, false},
		{"2024-01-31 10:00 UTC", DateAuto, "2024-01-31T10:00:00Z", true, false},
		{"2024-01-31 10:00 GMT+8", DateAuto, "2024-01-31T02:00:00Z", true, false},
		{"2024-01-31 10:00:00Z", DateAuto, "2024-01-31T10:00:00Z", true, false},
		// An offset and its zone's name, as Go and date(1) write a time: the
		// offset decides, whatever the name.
		{"2024-01-31 10:00:00 +0800 CST", DateAuto, "2024-01-31T02:00:00Z", true, false},
		{"2024-01-31 10:00:00.123456789 -0500 EST", DateAuto, "2024-01-31T15:00:00.123456789Z", true, false},
		{"2024-01-31 10:00:00 +0000 UTC", DateAuto, "2024-01-31T10:00:00Z", true, false},
		{"1706666400", DateAuto, "2024-01-31T02:00:00Z", true, false},
		{"1706666400000", DateAuto, "2024-01-31T02:00:00Z", true, false},
		{"20240131103005", DateAuto, "2024-01-31T02:30:05Z", true, false},
		{"202401311030", DateAuto, "2024-01-31T02:30:00Z", true, false},
		{"20241331103005", DateAuto, "", false, true},
		{"Foo 31 2024", DateAuto, "", false, true},
		{"31 Jan 24", DateAuto, "", false, true},
		{"2024-01-31 10:00 +2500", DateAuto, "", false, true},
		// A zone's abbreviation, as Java writes a date (Date.toString): read
		// in the shop's zone when it is that zone's there.
		{"Wed Jan 31 10:00:00 CST 2024", DateAuto, "2024-01-31T02:00:00Z", true, false},
		{"Jan 31 10:00:00 2024", DateAuto, "2024-01-31T02:00:00Z", true, false},
		{"2024-01-31 10:00:00 CST", DateAuto, "2024-01-31T02:00:00Z", true, false},
		{"2024-01-31 10:00:00 PST", DateAuto, "", false, true},
		{"2024-01-31 10:00:00 CST 2024", DateAuto, "", false, true},
		// Hours as people write them in a shop's own sheet: 点, 点半, the
		// part of the day; a till's clock in digits after a space.
		{"2024年1月31日 下午3点", DateAuto, "2024-01-31T07:00:00Z", true, false},
		{"2024-01-31 3点半", DateAuto, "2024-01-30T19:30:00Z", true, false},
		{"2024-01-31 15点30分", DateAuto, "2024-01-31T07:30:00Z", true, false},
		{"2024-01-31 晚上8点钟", DateAuto, "2024-01-31T12:00:00Z", true, false},
		{"2024-01-31 中午12点", DateAuto, "2024-01-31T04:00:00Z", true, false},
		{"2024-01-31 中午1点", DateAuto, "2024-01-31T05:00:00Z", true, false},
		{"2024-01-31 凌晨1点", DateAuto, "2024-01-30T17:00:00Z", true, false},
		{"2024-01-31 上午12点", DateAuto, "2024-01-30T16:00:00Z", true, false},
		{"2024-01-31 15时", DateAuto, "2024-01-31T07:00:00Z", true, false},
		{"20240131 103005", DateAuto, "2024-01-31T02:30:05Z", true, false},
		{"20240131 1030", DateAuto, "2024-01-31T02:30:00Z", true, false},
		{"20240131 103", DateAuto, "", false, true},
		{"20240131 256000", DateAuto, "", false, true},
		{"2024-01-31 下午25点", DateAuto, "", false, true},
	}
	chicago, _ := time.LoadLocation("America/Chicago")
	for _, c := range []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"Wed Jan 31 10:00:00 CST 2024", "2024-01-31T16:00:00Z", false},
		{"Fri Jul 05 10:00:00 CDT 2024", "2024-07-05T15:00:00Z", false},
		{"Fri Jul 05 10:00:00 CST 2024", "", true}, // Chicago is on CDT then
	} {
		got, _, err := ParseTime(c.in, DateAuto, chicago)
		if (err != nil) != c.wantErr || err == nil && got.UTC().Format(time.RFC3339) != c.want {
			t.Errorf("ParseTime(%q) in Chicago = %v, %v; want %s (error %v)", c.in, got.UTC(), err, c.want, c.wantErr)
		}
	}
	for _, tt := range tests {
		got, hasTime, err := ParseTime(tt.in, tt.order, sh)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseTime(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if tt.wantErr {
			continue
		}
		if s := got.UTC().Format(time.RFC3339Nano); s != tt.want || hasTime != tt.hasTime {
			t.Errorf("ParseTime(%q) = %s hasTime=%v, want %s hasTime=%v", tt.in, s, hasTime, tt.want, tt.hasTime)
		}
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2024-01-31", "2024年1月31日 13:05", "45322.5", "31/01/2024", "20240131",
		"2024-01-31 10:00:00", "2024-02-29 23:59", "2023-02-29", "1899-12-31", "2024-12-31 23:59:60"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// The shortcut for 2024-01-31 10:00:00 reads what the general
		// parse reads, in any day order and zone.
		for _, loc := range []*time.Location{time.UTC, time.FixedZone("CST", 8*3600)} {
			if fast, hasTime, ok := isoTime(s, loc); ok {
				for _, order := range []DateOrder{DateAuto, DateDMY, DateMDY} {
					full, fullHas, err := parseAnyTime(s, order, loc)
					if err != nil || !full.Equal(fast) || fullHas != hasTime || full.Location() != fast.Location() {
						t.Fatalf("%q: shortcut %v %v, general %v %v (%v)", s, fast, hasTime, full, fullHas, err)
					}
				}
			}
		}
		got, _, err := ParseTime(s, DateAuto, time.UTC)
		if err == nil && (got.Year() < 1899 || got.Year() > 10000) {
			t.Fatalf("ParseTime(%q) = %v out of range", s, got)
		}
	})
}

// TestSerialRange: only numbers that are a shop's dates read as Excel
// serials; a year or a yyyymm is not 1905 or 2454.
func TestSerialRange(t *testing.T) {
	for _, in := range []string{"2024", "2024.03", "202404", "9999", "73051"} {
		if got, _, err := ParseTime(in, DateAuto, time.UTC); err == nil {
			t.Errorf("ParseTime(%q) = %v, want an error", in, got)
		}
	}
	for in, want := range map[string]string{"10000": "1927-05-18", "45322": "2024-01-31", "73050": "2099-12-31"} {
		got, _, err := ParseTime(in, DateAuto, time.UTC)
		if err != nil || got.Format("2006-01-02") != want {
			t.Errorf("ParseTime(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
}

func TestDateOrderOf(t *testing.T) {
	for in, want := range map[string]DateOrder{
		"31/01/2024": DateDMY, "31.01.2024 10:00": DateDMY, "01/31/2024": DateMDY, "1-31-2024": DateMDY,
		"03/04/2024": DateAuto, "2024/01/31": DateAuto, "31/13/2024": DateAuto, "45/01/2024": DateAuto,
		"": DateAuto, "yesterday": DateAuto, "３１/０１/２０２４": DateDMY,
	} {
		if got := dateOrderOf(in); got != want {
			t.Errorf("dateOrderOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestISOTimeShortcut: over dates and times near and past every bound
// (years 1899-2201, day 0-32, hour 0-24, second 0-60), the shortcut either
// leaves a cell to the general parse (an error, a leap second) or reads
// what the general parse reads.
func TestISOTimeShortcut(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cst := time.FixedZone("CST", 8*3600)
	taken := 0
	for range 20000 {
		s := fmt.Sprintf("%04d-%02d-%02d", 1899+rng.IntN(303), rng.IntN(14), rng.IntN(33))
		switch rng.IntN(3) {
		case 1:
			s += fmt.Sprintf(" %02d:%02d", rng.IntN(25), rng.IntN(61))
		case 2:
			s += fmt.Sprintf(" %02d:%02d:%02d", rng.IntN(25), rng.IntN(61), rng.IntN(61))
		}
		full, fullHas, err := parseAnyTime(s, DateAuto, cst)
		fast, hasTime, ok := isoTime(s, cst)
		switch {
		case ok && (err != nil || !full.Equal(fast) || fullHas != hasTime):
			t.Fatalf("%q: shortcut %v %v, general %v %v (%v)", s, fast, hasTime, full, fullHas, err)
		case ok:
			taken++
		}
	}
	if taken < 5000 {
		t.Errorf("the shortcut took %d of 20,000 cells", taken)
	}
}
