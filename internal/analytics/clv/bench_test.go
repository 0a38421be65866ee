package clv

import (
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// simulatePurchases draws n customers' purchase days and values from
// BG/NBD (r, alpha, a, b per day) and Gamma-Gamma (p, q, v): first purchases
// spread over a year, observed to day 365.
func simulatePurchases(n int, seed uint64) Purchases {
	rng := rand.New(rand.NewPCG(seed, 3))
	src := rand.NewPCG(seed, 4)
	lam := distuv.Gamma{Alpha: 0.25, Beta: 12, Src: src}
	drop := distuv.Beta{Alpha: 0.8, Beta: 2.5, Src: src}
	nu := distuv.Gamma{Alpha: 3.7, Beta: 15, Src: src}
	var p Purchases
	for i := 0; i < n; i++ {
		l, d := lam.Rand(), drop.Rand()
		spend := distuv.Gamma{Alpha: 6, Beta: nu.Rand(), Src: src}
		first := rng.Float64() * 365
		t := first
		for {
			p.Customer = append(p.Customer, int64(i))
			p.Day = append(p.Day, int32(t))
			p.Amount = append(p.Amount, math.Round(spend.Rand()*100)/100)
			if rng.Float64() < d {
				break
			}
			t += rng.ExpFloat64() / l
			if t >= 366 {
				break
			}
		}
	}
	return p
}

func benchCustomers() int {
	if n, err := strconv.Atoi(os.Getenv("KITH_BENCH_CUSTOMERS")); err == nil && n > 0 {
		return n
	}
	return 1000000
}

// BenchmarkCLVPipeline is issue 4's target: summary, BG/NBD fit, Gamma-Gamma
// fit and CLV for every customer, from in-memory orders (1M customers,
// about 2M orders; KITH_BENCH_CUSTOMERS changes the size).
func BenchmarkCLVPipeline(b *testing.B) {
	p := simulatePurchases(benchCustomers(), 42)
	b.Logf("%d customers, %d orders", benchCustomers(), len(p.Customer))
	var f *Fit
	for b.Loop() {
		s := Summarize(p, 365, Day)
		var err error
		if f, err = FitModel(BGNBD, &s); err != nil {
			b.Fatal(err)
		}
		g, err := FitSpend(&s)
		if err != nil {
			b.Fatal(err)
		}
		scores := ScoreAll(f, g, &s, ScoreOptions{HorizonDays: 365, MonthlyDiscount: 0.01})
		if len(scores) != s.Len() {
			b.Fatal("missing scores")
		}
	}
	b.ReportMetric(float64(len(p.Customer)), "orders")
	b.Logf("params %v LL %.2f iterations %d converged %v", f.Params, f.LogLik, f.Iterations, f.Converged)
}

// TestCoarseStartIsExact: the coarse-to-fine fit lands on the same
// parameters (to 4 decimals) as a fit on the exact data from every start.
func TestCoarseStartIsExact(t *testing.T) {
	if testing.Short() {
		t.Skip("fits 100k customers twice")
	}
	p := simulatePurchases(100000, 7)
	s := Summarize(p, 365, Day)
	d := newData(&s)
	if len(d.x) <= coarseAbove {
		t.Fatalf("%d triples: too few to take the coarse path", len(d.x))
	}
	fast, err := FitModel(BGNBD, &s)
	if err != nil {
		t.Fatal(err)
	}
	direct, err := maximize(func(q, g []float64) float64 { return bgnbdLL(d, q, g) }, float64(s.Len()),
		[][]float64{{0, 0, 0, 0}, {math.Log(0.5), math.Log(30), math.Log(0.5), math.Log(2)}, {math.Log(0.1), math.Log(5), math.Log(2), math.Log(10)}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range fast.Params {
		if math.Abs(fast.Params[i]-direct.Params[i]) > 5e-5*math.Max(1, direct.Params[i]) {
			t.Errorf("%s: coarse-to-fine %.6f, direct %.6f", BGNBD.ParamNames()[i], fast.Params[i], direct.Params[i])
		}
	}
}

// BenchmarkScoreLongHorizon scores with 90% intervals (100 parameter
// draws) over ten years: 120 monthly sums per distinct (x, T) and draw,
// the heaviest scoring there is. The fits are made once, outside the loop.
func BenchmarkScoreLongHorizon(b *testing.B) {
	p := simulatePurchases(20000, 42)
	s := Summarize(p, 365, Day)
	f, err := FitModel(BGNBD, &s)
	if err != nil {
		b.Fatal(err)
	}
	g, err := FitSpend(&s)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		scores := ScoreAll(f, g, &s, ScoreOptions{HorizonDays: 3650, MonthlyDiscount: 0.01, Samples: 100, Seed: 1})
		if scores[0].CLVHi < scores[0].CLVLo {
			b.Fatal("interval upside down")
		}
	}
}
