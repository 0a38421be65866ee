package rfm

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkScoreAll scores 500k customers (issue 3's shop size).
func BenchmarkScoreAll(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	cs := make([]Customer, 500000)
	for i := range cs {
		cs[i] = Customer{ID: int64(i), Recency: int32(rng.IntN(730)), Orders: 1 + rng.IntN(20), Revenue: int64(rng.IntN(1e6))}
	}
	for b.Loop() {
		s := ScoreAll(cs)
		Summarize(cs, s)
	}
}
