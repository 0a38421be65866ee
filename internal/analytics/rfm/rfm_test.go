package rfm

import (
	"math/rand/v2"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

func TestQuintilesKeepTies(t *testing.T) {
	tests := []struct {
		v     []float64
		lower bool
		want  []int
	}{
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, false, []int{1, 1, 2, 2, 3, 3, 4, 4, 5, 5}},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, true, []int{5, 5, 4, 4, 3, 3, 2, 2, 1, 1}},
		// Six of ten bought once: they share the lowest score.
		{[]float64{1, 1, 1, 1, 1, 1, 2, 2, 3, 9}, false, []int{1, 1, 1, 1, 1, 1, 4, 4, 5, 5}},
		{[]float64{7, 7, 7}, false, []int{1, 1, 1}},
		{[]float64{7, 7, 7}, true, []int{1, 1, 1}},
		{[]float64{0.5, 1.5, 2.5, 3.5, 4.5}, false, []int{1, 2, 3, 4, 5}}, // fractions take the pair sort
	}
	for _, tt := range tests {
		got := quintiles(tt.v, tt.lower)
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("quintiles(%v, lower=%v) = %v, want %v", tt.v, tt.lower, got, tt.want)
				break
			}
		}
	}
}

func TestSegments(t *testing.T) {
	for _, c := range []struct {
		r, fm int
		want  Segment
	}{{5, 5, Champions}, {5, 1, New}, {1, 1, Lost}, {1, 5, CantLose}, {2, 3, AtRisk}, {3, 2, NeedAttention}} {
		if got := SegmentOf(c.r, c.fm); got != c.want {
			t.Errorf("R%d FM%d = %s, want %s", c.r, c.fm, got, c.want)
		}
	}
	cs := []Customer{
		// Six customers: a score is 1 + 5 x (customers strictly worse) / 6.
		{ID: 1, Recency: 2, Orders: 9, Revenue: 9000},   // R5 F4 M4: champions
		{ID: 2, Recency: 400, Orders: 8, Revenue: 8000}, // R1 F3 M3: at risk
		{ID: 3, Recency: 3, Orders: 1, Revenue: 50},     // R4 F1 M1: promising
		{ID: 4, Recency: 500, Orders: 1, Revenue: 40},   // R1 F1 M1: lost
		{ID: 5, Recency: 100, Orders: 3, Revenue: 500},  // R3 F2 M2: need attention
		{ID: 6, Recency: 300, Orders: 30, Revenue: 1e5}, // R2 F5 M5: can't lose
	}
	s := ScoreAll(cs)
	want := map[int64]Segment{1: Champions, 2: AtRisk, 3: Promising, 4: Lost, 5: NeedAttention, 6: CantLose}
	for _, sc := range s {
		if w, ok := want[sc.ID]; ok && sc.Segment != w {
			t.Errorf("customer %d: R%d F%d M%d -> %s, want %s", sc.ID, sc.R, sc.F, sc.M, sc.Segment, w)
		}
	}
	sum := Summarize(cs, s)
	if len(sum) != len(Segments) || sum[0].Segment != Champions || sum[0].Customers != 1 {
		t.Errorf("summary %+v", sum)
	}
	later := []Score{{ID: 1, Segment: AtRisk}, {ID: 3, Segment: New}, {ID: 9, Segment: New}}
	mig := Migration(s, later)
	if mig[Champions][AtRisk] != 1 || mig[Promising][New] != 1 || len(mig) != 2 {
		t.Errorf("migration %v", mig)
	}
	// Out of ID order the merge gives way to a map, with the same counts.
	unsorted := []Score{later[2], later[1], later[0]}
	if m2 := Migration(s, unsorted); m2[Champions][AtRisk] != 1 || m2[Promising][New] != 1 || len(m2) != 2 {
		t.Errorf("migration of unsorted scores %v", m2)
	}
}

// TestPackedMatchesPairs: both ways of ranking agree on whole values.
func TestPackedMatchesPairs(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v := rapid.SliceOfN(rapid.Float64Range(-1e6, 1e6), 1, 300).Draw(t, "v")
		for i := range v {
			v[i] = float64(int64(v[i]) % 50) // whole values with many ties
		}
		lower := rapid.Bool().Draw(t, "lower")
		packed, ok := quintilesPacked(v, lower)
		if !ok {
			t.Fatal("whole values should pack")
		}
		pairs := quintilesPairs(v, lower)
		for i := range v {
			if packed[i] != pairs[i] {
				t.Fatalf("value %v: packed %d, pairs %d", v[i], packed[i], pairs[i])
			}
		}
	})
}

// The table names every segment, and segments partition the customers.
func TestPartition(t *testing.T) {
	seen := map[Segment]bool{}
	for _, row := range Table {
		for _, s := range row {
			seen[s] = true
		}
	}
	if len(seen) != len(Segments) {
		t.Errorf("table uses %d segments, want %d", len(seen), len(Segments))
	}
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 200).Draw(t, "n")
		cs := make([]Customer, n)
		for i := range cs {
			cs[i] = Customer{ID: int64(i), Recency: int32(rapid.IntRange(0, 900).Draw(t, "r")),
				Orders: rapid.IntRange(1, 30).Draw(t, "f"), Revenue: int64(rapid.IntRange(0, 1e6).Draw(t, "m"))}
		}
		sum := Summarize(cs, ScoreAll(cs))
		total, share := 0, 0.0
		for _, s := range sum {
			total += s.Customers
			share += s.RevenueShare
		}
		if total != n {
			t.Fatalf("segments hold %d of %d customers", total, n)
		}
		if share > 0 && (share < 1-1e-9 || share > 1+1e-9) {
			t.Fatalf("revenue shares sum to %v", share)
		}
	})
}

func TestRadixSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 255, 256, 1000, 70000} {
		for _, bits := range []uint{8, 20, 40, 64} {
			a := make([]uint64, n)
			for i := range a {
				a[i] = rng.Uint64() >> (64 - bits)
			}
			want := slices.Clone(a)
			slices.Sort(want)
			radixSort(a)
			if !slices.Equal(a, want) {
				t.Fatalf("n %d, %d bits: not sorted", n, bits)
			}
		}
	}
}
