package store

import (
	"reflect"
	"testing"

	"github.com/kithcrm/kith/internal/report"
	"pgregory.net/rapid"
)

// TestSnapshotRoundTrip: whatever the purchases (grouped by customer, in
// time order), encoding and decoding gives them back, cut at until.
func TestSnapshotRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 50).Draw(t, "customers")
		p := &report.Purchases{}
		id := int64(0)
		for c := 0; c < n; c++ {
			id += int64(rapid.IntRange(1, 1000).Draw(t, "gap"))
			at := rapid.Int64Range(-1e10, 1e10).Draw(t, "first")
			for k := rapid.IntRange(1, 5).Draw(t, "orders"); k > 0; k-- {
				p.Customer = append(p.Customer, id)
				p.At = append(p.At, at)
				p.Amount = append(p.Amount, rapid.Int64Range(-1e12, 1e12).Draw(t, "amount"))
				at += rapid.Int64Range(0, 1e8).Draw(t, "step")
			}
		}
		until := rapid.Int64Range(-1e10, 2e10).Draw(t, "until")
		got := &report.Purchases{}
		if err := decodeSnapshot(encodeSnapshot(p), len(p.At), until, got); err != nil {
			t.Fatal(err)
		}
		want := &report.Purchases{Customer: []int64{}, At: []int64{}, Amount: []int64{}}
		for i := range p.At {
			if p.At[i] <= until {
				want.Customer, want.At, want.Amount = append(want.Customer, p.Customer[i]), append(want.At, p.At[i]), append(want.Amount, p.Amount[i])
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
		}
	})
	if err := decodeSnapshot([]byte{0x80}, 1, 0, &report.Purchases{}); err == nil {
		t.Error("a truncated snapshot decoded")
	}
}

// TestSnapshotJoin: purchases cut into consecutive customer ranges (some
// empty), each encoded on its own and joined, encode as the whole does.
func TestSnapshotJoin(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var whole snapEncoder
		parts := make([]snapEncoder, rapid.IntRange(1, 5).Draw(t, "parts"))
		id := int64(0)
		for k := range parts {
			for c := rapid.IntRange(0, 4).Draw(t, "customers"); c > 0; c-- {
				id += int64(rapid.IntRange(1, 1e6).Draw(t, "gap"))
				at := rapid.Int64Range(-1e10, 1e10).Draw(t, "first")
				for n := rapid.IntRange(1, 3).Draw(t, "orders"); n > 0; n-- {
					amount := rapid.Int64Range(-1e12, 1e12).Draw(t, "amount")
					whole.add(id, at, amount)
					parts[k].add(id, at, amount)
					at += rapid.Int64Range(0, 1e8).Draw(t, "step")
				}
			}
		}
		var joined snapEncoder
		for k := range parts {
			joined.join(&parts[k])
		}
		if !reflect.DeepEqual(joined, whole) {
			t.Fatalf("joined %+v\nwhole  %+v", joined, whole)
		}
	})
}

func TestChannelsRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 100).Draw(t, "n")
		ids := make([]int64, n)
		names := make([]string, n)
		id := int64(0)
		var e channelEncoder
		for i := range ids {
			id += int64(rapid.IntRange(1, 1e6).Draw(t, "gap"))
			ids[i] = id
			names[i] = rapid.SampledFrom([]string{"抖音", "微信", "wechat", "a,b", ""}).Draw(t, "name")
			e.add(ids[i], names[i])
		}
		got, err := decodeChannels(e.bytes())
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n {
			t.Fatalf("%d channels back, want %d", len(got), n)
		}
		for i := range ids {
			if got[ids[i]] != names[i] {
				t.Fatalf("customer %d: %q, want %q", ids[i], got[ids[i]], names[i])
			}
		}
	})
	if _, err := decodeChannels([]byte{5}); err == nil {
		t.Error("corrupt channels decoded")
	}
}
