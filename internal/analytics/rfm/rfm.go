// Package rfm scores customers by recency, frequency and monetary value and
// names their segment (design.md §4). Pure: per-customer values in, scores
// and segments out; the as-of day is passed in.
package rfm

import (
	"cmp"
	"math"
	"slices"
)

// Customer is one customer's history as of a day.
type Customer struct {
	ID       int64
	Recency  int32 // days since the last purchase
	Orders   int   // purchases
	Revenue  int64 // minor units
	LastDay  int32
	FirstDay int32
}

// Score is a customer's R, F and M, each 1 (worst) to 5 (best), and segment.
type Score struct {
	ID      int64
	R, F, M int
	FM      int // (F + M + 1) / 2: the average, rounded up
	Segment Segment
}

// Segment names a group of customers by R and FM.
type Segment string

const (
	Champions         Segment = "champions"
	Loyal             Segment = "loyal"
	PotentialLoyalist Segment = "potential_loyalist"
	New               Segment = "new"
	Promising         Segment = "promising"
	NeedAttention     Segment = "need_attention"
	AboutToSleep      Segment = "about_to_sleep"
	AtRisk            Segment = "at_risk"
	CantLose          Segment = "cant_lose"
	Hibernating       Segment = "hibernating"
	Lost              Segment = "lost"
)

// Segments lists the segments from best to worst, the order reports use.
var Segments = []Segment{Champions, Loyal, PotentialLoyalist, New, Promising, NeedAttention, AboutToSleep, AtRisk, CantLose, Hibernating, Lost}

// Table is the segment of each R (row, 5 first) and FM (column, 1 first):
// recent buyers split by how much they buy, lapsed ones by how much they
// were worth. docs/reports.md prints it.
var Table = [5][5]Segment{
	/* R=5 */ {New, Promising, PotentialLoyalist, Champions, Champions},
	/* R=4 */ {Promising, PotentialLoyalist, PotentialLoyalist, Loyal, Champions},
	/* R=3 */ {AboutToSleep, NeedAttention, NeedAttention, Loyal, Loyal},
	/* R=2 */ {Hibernating, AboutToSleep, AtRisk, AtRisk, CantLose},
	/* R=1 */ {Lost, Hibernating, AtRisk, CantLose, CantLose},
}

// SegmentOf looks up the table.
func SegmentOf(r, fm int) Segment { return Table[5-r][fm-1] }

// quintiles scores values 1..5 by the share of values strictly below each
// (or above, when lower is better), so equal values share a score. One
// sort of (value, position) and one walk: no search per customer.
func quintiles(v []float64, lowerIsBetter bool) []int {
	if out, ok := quintilesPacked(v, lowerIsBetter); ok {
		return out
	}
	return quintilesPairs(v, lowerIsBetter)
}

func quintilesPairs(v []float64, lowerIsBetter bool) []int {
	n := len(v)
	type pos struct {
		v float64
		i int32
	}
	ps := make([]pos, n)
	for i, x := range v {
		if lowerIsBetter {
			x = -x
		}
		ps[i] = pos{x, int32(i)}
	}
	slices.SortFunc(ps, func(a, b pos) int { return cmp.Compare(a.v, b.v) })
	out := make([]int, n)
	worse := 0 // how many values are strictly worse than the current one
	for k, p := range ps {
		if k > 0 && p.v != ps[k-1].v {
			worse = k
		}
		out[p.i] = min(1+5*worse/n, 5)
	}
	return out
}

// quintilesPacked is quintiles for whole values of at most 39 bits and at
// most 2^24 customers, the usual case (days, counts, minor units): value and
// position pack into one uint64, and sorting plain integers is several
// times faster than sorting pairs.
func quintilesPacked(v []float64, lowerIsBetter bool) ([]int, bool) {
	n := len(v)
	if n >= 1<<24 {
		return nil, false
	}
	const bias = 1 << 39
	keys := make([]uint64, n)
	for i, x := range v {
		if lowerIsBetter {
			x = -x
		}
		if x != math.Trunc(x) || x <= -bias || x >= bias {
			return nil, false
		}
		keys[i] = uint64(int64(x)+bias)<<24 | uint64(i)
	}
	radixSort(keys)
	out := make([]int, n)
	worse := 0
	for k, key := range keys {
		if k > 0 && key>>24 != keys[k-1]>>24 {
			worse = k
		}
		out[key&(1<<24-1)] = min(1+5*worse/n, 5)
	}
	return out, true
}

// radixSort sorts keys by 16-bit digits, least significant first: four
// linear passes instead of a comparison sort, about five times faster on
// the half-million keys of a large shop.
func radixSort(a []uint64) {
	if len(a) < 256 {
		slices.Sort(a)
		return
	}
	buf := make([]uint64, len(a))
	count := make([]int, 1<<16)
	src, dst := a, buf
	for shift := 0; shift < 64; shift += 16 {
		clear(count)
		for _, x := range src {
			count[(x>>shift)&0xffff]++
		}
		if count[(src[0]>>shift)&0xffff] == len(src) {
			continue // every key has this digit: nothing to move
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, x := range src {
			d := (x >> shift) & 0xffff
			dst[count[d]] = x
			count[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &a[0] {
		copy(a, src)
	}
}

// ScoreAll scores customers against each other.
func ScoreAll(cs []Customer) []Score {
	r := make([]float64, len(cs))
	f := make([]float64, len(cs))
	m := make([]float64, len(cs))
	for i, c := range cs {
		r[i], f[i], m[i] = float64(c.Recency), float64(c.Orders), float64(c.Revenue)
	}
	rs, fs, ms := quintiles(r, true), quintiles(f, false), quintiles(m, false)
	out := make([]Score, len(cs))
	for i, c := range cs {
		fm := (fs[i] + ms[i] + 1) / 2
		out[i] = Score{ID: c.ID, R: rs[i], F: fs[i], M: ms[i], FM: fm, Segment: SegmentOf(rs[i], fm)}
	}
	return out
}

// SegmentSummary is a segment's size and revenue share.
type SegmentSummary struct {
	Segment      Segment
	Customers    int
	Share        float64 // of customers
	Revenue      int64
	RevenueShare float64
}

// Summarize counts customers and revenue per segment, in Segments order.
func Summarize(cs []Customer, scores []Score) []SegmentSummary {
	by := map[Segment]*SegmentSummary{}
	var total int64
	for i, s := range scores {
		x := by[s.Segment]
		if x == nil {
			x = &SegmentSummary{Segment: s.Segment}
			by[s.Segment] = x
		}
		x.Customers++
		x.Revenue += cs[i].Revenue
		total += cs[i].Revenue
	}
	out := make([]SegmentSummary, 0, len(Segments))
	for _, seg := range Segments {
		x := by[seg]
		if x == nil {
			x = &SegmentSummary{Segment: seg}
		}
		if len(cs) > 0 {
			x.Share = float64(x.Customers) / float64(len(cs))
		}
		if total > 0 {
			x.RevenueShare = float64(x.Revenue) / float64(total)
		}
		out = append(out, *x)
	}
	return out
}

// Migration counts customers moving from one segment (at the earlier date)
// to another (at the later date), for customers scored at both. Scores in
// ascending ID order (as ScoreAll returns them for customers in that order)
// are merged without a map.
func Migration(before, after []Score) map[Segment]map[Segment]int {
	out := map[Segment]map[Segment]int{}
	add := func(from, to Segment) {
		if out[from] == nil {
			out[from] = map[Segment]int{}
		}
		out[from][to]++
	}
	sorted := func(s []Score) bool {
		return slices.IsSortedFunc(s, func(a, b Score) int { return cmp.Compare(a.ID, b.ID) })
	}
	if sorted(before) && sorted(after) {
		i := 0
		for _, s := range after {
			for i < len(before) && before[i].ID < s.ID {
				i++
			}
			if i < len(before) && before[i].ID == s.ID {
				add(before[i].Segment, s.Segment)
			}
		}
		return out
	}
	was := make(map[int64]Segment, len(before))
	for _, s := range before {
		was[s.ID] = s.Segment
	}
	for _, s := range after {
		if from, ok := was[s.ID]; ok {
			add(from, s.Segment)
		}
	}
	return out
}
