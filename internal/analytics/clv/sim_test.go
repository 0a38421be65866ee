package clv

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
	"pgregory.net/rapid"
)

// simulateBGNBD draws n customers from the BG/NBD process with parameters
// (r, alpha, a, b), observed for T uniform in [minT, maxT] days from their
// first purchase, in continuous time as the model assumes.
func simulateBGNBD(n int, r, alpha, a, b float64, minT, maxT int, seed uint64) Summary {
	rng := rand.New(rand.NewPCG(seed, 1))
	src := rand.NewPCG(seed, 2)
	lam := distuv.Gamma{Alpha: r, Beta: alpha, Src: src}
	drop := distuv.Beta{Alpha: a, Beta: b, Src: src}
	s := Summary{Unit: Day}
	for i := 0; i < n; i++ {
		l, p := lam.Rand(), drop.Rand()
		T := minT + rng.IntN(maxT-minT+1)
		x, last := 0, 0.0
		t := 0.0
		for {
			t += rng.ExpFloat64() / l
			if t > float64(T) {
				break
			}
			x++
			last = t
			if rng.Float64() < p {
				break
			}
		}
		s.Customer = append(s.Customer, int64(i))
		s.X = append(s.X, float64(x))
		s.Tx = append(s.Tx, last)
		s.T = append(s.T, float64(T))
		s.Monetary = append(s.Monetary, 0)
	}
	return s
}

// TestParameterRecovery fits data simulated from known parameters and asks
// for each within 3% at 200k customers.
func TestParameterRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("200k-customer fit")
	}
	truth := []float64{0.8, 20, 0.6, 3}
	s := simulateBGNBD(200000, truth[0], truth[1], truth[2], truth[3], 180, 730, 11)
	f, err := FitModel(BGNBD, &s)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range truth {
		if math.Abs(f.Params[i]/want-1) > 0.03 {
			t.Errorf("%s = %.4f, truth %.4f (%.1f%% off, se %.4f)", BGNBD.ParamNames()[i], f.Params[i], want, 100*(f.Params[i]/want-1), f.StdErrors[i])
		}
	}
	t.Logf("recovered %v (truth %v), se %v", f.Params, truth, f.StdErrors)
}

// TestSameDropoutWarns: customers who all drop out with one probability
// (Beta(a, b) with a and b huge) fit a and b at the edge, and the fit says
// so with the probability; heterogeneous dropout does not warn.
func TestSameDropoutWarns(t *testing.T) {
	for _, c := range []struct {
		a, b float64
		warn bool
	}{{1e7, 4e7, true}, {0.6, 3, false}} {
		s := simulateBGNBD(20000, 0.8, 20, c.a, c.b, 180, 730, 5)
		f, err := FitModel(BGNBD, &s)
		if err != nil {
			t.Fatal(err)
		}
		warned := false
		for _, w := range f.Warnings {
			warned = warned || strings.Contains(w, "same probability")
		}
		p := f.Params[2] / (f.Params[2] + f.Params[3])
		if warned != c.warn || (c.warn && math.Abs(p-0.2) > 0.02) {
			t.Errorf("dropout Beta(%g, %g): fitted a %g, b %g (p %.3f), warnings %q", c.a, c.b, f.Params[2], f.Params[3], p, f.Warnings)
		}
	}
}

// TestGroupedEqualsUngrouped: grouping customers by (x, t_x, T) is exact.
func TestGroupedEqualsUngrouped(t *testing.T) {
	s := simulateBGNBD(3000, 0.5, 10, 0.7, 2.5, 30, 120, 5)
	d := newData(&s)
	p := []float64{0.5, 10, 0.7, 2.5}
	grouped := bgnbdLL(d, p, nil)
	var single float64
	for i := range s.X {
		one := Summary{X: s.X[i : i+1], Tx: s.Tx[i : i+1], T: s.T[i : i+1]}
		single += bgnbdLL(newData(&one), p, nil)
	}
	if math.Abs(grouped-single) > 1e-6*math.Abs(single) {
		t.Errorf("grouped LL %.8f, one by one %.8f", grouped, single)
	}
	if len(d.x) >= len(s.X) {
		t.Errorf("%d triples for %d customers: grouping did nothing", len(d.x), len(s.X))
	}
}

// TestGradients compares each analytic gradient with central differences.
func TestGradients(t *testing.T) {
	s := simulateBGNBD(500, 0.5, 10, 0.7, 2.5, 30, 120, 6)
	for i := range s.Monetary {
		s.Monetary[i] = 10 + float64(i%17)
	}
	d := newData(&s)
	sd := newSpendData(&s)
	cases := []struct {
		name string
		ll   llFunc
		p    []float64
	}{
		{"bgnbd", func(p, g []float64) float64 { return bgnbdLL(d, p, g) }, []float64{0.5, 10, 0.7, 2.5}},
		{"mbgnbd", func(p, g []float64) float64 { return mbgnbdLL(d, p, g) }, []float64{0.4, 8, 1.2, 3}},
		{"gamma-gamma", func(p, g []float64) float64 { return ggLL(sd, p, g) }, []float64{4, 3, 12}},
	}
	for _, c := range cases {
		g := make([]float64, len(c.p))
		c.ll(c.p, g)
		for k := range c.p {
			h := 1e-6 * c.p[k]
			up := append([]float64(nil), c.p...)
			dn := append([]float64(nil), c.p...)
			up[k] += h
			dn[k] -= h
			num := (c.ll(up, nil) - c.ll(dn, nil)) / (2 * h)
			if math.Abs(num-g[k]) > 1e-4*math.Max(1, math.Abs(num)) {
				t.Errorf("%s d/d%d: analytic %.6f, numeric %.6f", c.name, k, g[k], num)
			}
		}
	}
}

// TestPredictionProperties: over a grid that includes the extremes (x up to
// 1000, t_x near 0, T of years in days), P(alive) is a probability and the
// predictions are finite and grow with the horizon.
func TestPredictionProperties(t *testing.T) {
	fits := []*Fit{
		{Model: BGNBD, Unit: Day, Params: []float64{0.24, 30.9, 0.79, 2.43}},
		{Model: MBGNBD, Unit: Day, Params: []float64{0.52, 43.3, 0.89, 1.61}},
		{Model: PNBD, Unit: Day, Params: []float64{0.55, 74, 0.61, 81.7}},
		// A 400-customer demo shop fitted at its edge: a and b in the millions.
		{Model: BGNBD, Unit: Day, Params: []float64{0.4475, 5.2272, 4291558.2539, 18902843.1086}},
		{Model: MBGNBD, Unit: Day, Params: []float64{0.4475, 5.2272, 4291558.2539, 18902843.1086}},
	}
	rapid.Check(t, func(t *rapid.T) {
		f := rapid.SampledFrom(fits).Draw(t, "fit")
		T := rapid.Float64Range(0.001, 3650).Draw(t, "T")
		x := float64(rapid.IntRange(0, 1000).Draw(t, "x"))
		tx := 0.0
		if x > 0 {
			tx = rapid.Float64Range(1e-6, 1).Draw(t, "txShare") * T
		}
		pa := f.PAlive(x, tx, T)
		if !(pa >= 0 && pa <= 1) {
			t.Fatalf("%s P(alive|%v,%v,%v) = %v", f.Model, x, tx, T, pa)
		}
		prev, prevP0 := 0.0, 1.0
		for _, h := range []float64{1, 30, 365, 3650} {
			e := f.ExpectedPurchases(h, x, tx, T)
			p0 := f.ProbNoPurchase(h, x, tx, T)
			if math.IsNaN(e) || math.IsInf(e, 0) || e < prev-1e-9*math.Max(1, prev) {
				t.Fatalf("%s E[X(%v)|%v,%v,%v] = %v after %v", f.Model, h, x, tx, T, e, prev)
			}
			if !(p0 >= -1e-12 && p0 <= 1+1e-12) || p0 > prevP0+1e-9 {
				t.Fatalf("%s P(no purchase in %v) = %v after %v", f.Model, h, p0, prevP0)
			}
			prev, prevP0 = e, p0
		}
	})
}

// TestBGTailAtTheEdge: the three ways expectedIfAlive has of computing the
// BG/NBD expectation agree where they overlap: the Euler-transformed and
// the direct hypergeometric forms for ordinary parameters, and both with
// the a, b -> infinity limit as a and b grow at a fixed ratio.
func TestBGTailAtTheEdge(t *testing.T) {
	const r, alpha = 0.45, 5.2
	for _, c := range []struct{ a, b, x, T, t float64 }{
		{0.79, 2.43, 0, 30, 52}, {0.79, 2.43, 4, 80, 52}, {3, 12, 25, 100, 10}, {40, 160, 7, 60, 200},
	} {
		z := c.t / (alpha + c.T + c.t)
		cc := c.a + c.b + c.x - 1
		euler := math.Pow(1-z, c.a-1) * hyp2f1(c.a+c.b-1-r, c.a-1, cc, z)
		if direct := bgTailDirect(r, c.b, c.x, cc, z); math.Abs(direct-euler) > 1e-9*math.Abs(euler) {
			t.Errorf("%+v: direct form %v, Euler form %v", c, direct, euler)
		}
	}
	for _, c := range []struct{ x, T, t float64 }{{0, 80, 52}, {3, 80, 52}, {30, 100, 520}, {400, 100, 3650}} {
		prevErr := math.Inf(1)
		for _, a := range []float64{1e3, 1e4, 1e5, 1e7} {
			f := &Fit{Model: BGNBD, Params: []float64{r, alpha, a, 4 * a}}
			e := f.expectedIfAlive(c.t, c.x, c.T)
			limit := bgLimitIfAlive(c.t, c.x, c.T, r, alpha, (a-1)/(5*a+c.x-1))
			rel := math.Abs(e-limit) / limit
			if !finite(e) || rel > 10/a || rel > prevErr+1e-12 {
				t.Errorf("%+v a=%g: %v against the limit %v (relative error %g, before %g)", c, a, e, limit, rel, prevErr)
			}
			prevErr = rel
		}
	}
}

// TestDegenerateData: everyone bought once, or three customers: a fit with
// warnings and finite numbers, never NaN.
func TestDegenerateData(t *testing.T) {
	once := Summary{Unit: Week, Customer: []int64{1, 2, 3, 4}, X: []float64{0, 0, 0, 0}, Tx: []float64{0, 0, 0, 0}, T: []float64{10, 20, 30, 40}, Monetary: []float64{0, 0, 0, 0}}
	three := Summary{Unit: Week, Customer: []int64{1, 2, 3}, X: []float64{0, 2, 5}, Tx: []float64{0, 10, 30}, T: []float64{20, 30, 35}, Monetary: []float64{0, 12, 30}}
	for name, s := range map[string]Summary{"everyone once": once, "three customers": three} {
		for _, m := range []ModelName{BGNBD, MBGNBD, PNBD} {
			f, err := FitModel(m, &s)
			if err != nil {
				t.Errorf("%s %s: %v", name, m, err)
				continue
			}
			if len(f.Warnings) == 0 {
				t.Errorf("%s %s: no warning", name, m)
			}
			for _, v := range append(append([]float64{}, f.Params...), f.LogLik, f.PAlive(1, 1, 2), f.ExpectedPurchases(10, 1, 1, 2)) {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("%s %s: non-finite %v in %v (LL %v)", name, m, v, f.Params, f.LogLik)
				}
			}
		}
	}
	if _, err := FitSpend(&once); err == nil {
		t.Error("spend fit without repeat buyers should fail with a reason")
	}
}
