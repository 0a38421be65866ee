package clv

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
)

// hyp2f1 is the Gauss hypergeometric series for 0 <= z < 1, summed
// directly (the Euler-transformed forms used below converge in a few dozen
// terms), with gonum's general routine as the fallback. It stops at terms
// 1e-10 of the sum: a horizon of years puts z near 1, where each further
// digit costs hundreds of terms, and a CLV is money to the cent (ten years
// of the demo shop move by 2 cents in 3.4 million).
func hyp2f1(a, b, c, z float64) float64 {
	term, sum := 1.0, 1.0
	for k := 0; k < 2000; k++ {
		kf := float64(k)
		term *= (a + kf) * (b + kf) / ((c + kf) * (kf + 1)) * z
		sum += term
		if math.Abs(term) <= 1e-10*math.Abs(sum) {
			return sum
		}
	}
	return mathext.Hypergeo(a, b, c, z)
}

// PAlive is the probability that a customer with history (x, t_x, T) is
// still active at T.
func (f *Fit) PAlive(x, tx, T float64) float64 {
	p := f.Params
	switch f.Model {
	case BGNBD:
		if x == 0 {
			return 1
		}
		r, alpha, a, b := p[0], p[1], p[2], p[3]
		l := math.Log(a) - math.Log(b+x-1) + (r+x)*(math.Log(alpha+T)-math.Log(alpha+tx))
		return 1 / (1 + math.Exp(l))
	case MBGNBD:
		r, alpha, a, b := p[0], p[1], p[2], p[3]
		l := math.Log(a) - math.Log(b+x) + (r+x)*(math.Log(alpha+T)-math.Log(alpha+tx))
		return 1 / (1 + math.Exp(l))
	case PNBD:
		r, alpha, s, beta := p[0], p[1], p[2], p[3]
		if T == tx {
			return 1
		}
		l := math.Log(s) - math.Log(r+s+x) + (r+x)*math.Log(alpha+T) + s*math.Log(beta+T) + pnbdLogA0(r, alpha, s, beta, x, tx, T)
		return 1 / (1 + math.Exp(l))
	}
	return math.NaN()
}

// ExpectedPurchases is the expected number of purchases in (T, T+t], t in
// the fit's unit.
func (f *Fit) ExpectedPurchases(t, x, tx, T float64) float64 {
	return f.PAlive(x, tx, T) * f.expectedIfAlive(t, x, T)
}

// expectedIfAlive is the expected number of purchases in (T, T+t] of a
// customer alive at T. It depends on (x, T) only, not on t_x: scoring
// computes it once per distinct (x, T) and multiplies by P(alive).
func (f *Fit) expectedIfAlive(t, x, T float64) float64 {
	if t <= 0 {
		return 0
	}
	p := f.Params
	switch f.Model {
	case BGNBD, MBGNBD:
		r, alpha, a, b := p[0], p[1], p[2], p[3]
		z := t / (alpha + T + t)
		// ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z) by Euler's
		// transformation is (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z): no
		// huge terms however large x is. MBG/NBD shifts b by one.
		bb := b
		if f.Model == MBGNBD {
			bb = b + 1
		}
		c := a + bb + x - 1
		h := math.Pow(1-z, a-1) * hyp2f1(a+bb-1-r, a-1, c, z)
		if finite(h) {
			return c / (a - 1) * (1 - h)
		}
		// a and b in the millions: a fit at the edge where every customer
		// drops out after a purchase with the same probability. The Euler
		// form is 0 x Inf there; the direct form's terms are tame unless x
		// is large too, and past both the model is its limit.
		if h = bgTailDirect(r, bb, x, c, z); finite(h) {
			return c / (a - 1) * (1 - h)
		}
		return bgLimitIfAlive(t, x, T, r, alpha, (a-1)/c)
	case PNBD:
		r, alpha, s, beta := p[0], p[1], p[2], p[3]
		k := (r + x) * (beta + T) / (alpha + T)
		if math.Abs(s-1) < 1e-9 {
			return k * math.Log((beta+T+t)/(beta+T))
		}
		return k / (s - 1) * (1 - math.Pow((beta+T)/(beta+T+t), s-1))
	}
	return math.NaN()
}

// bgTailDirect is (1-z)^(r+x) 2F1(r+x, b+x; c; z), the BG/NBD tail in its
// untransformed form.
func bgTailDirect(r, b, x, c, z float64) float64 {
	return math.Pow(1-z, r+x) * hyp2f1(r+x, b+x, c, z)
}

// bgLimitIfAlive is expectedIfAlive of a BG/NBD whose a and b grow without
// bound, with a dropout probability p that no longer varies between
// customers: alive with rate λ, a customer buys until the first purchase
// after which they drop out, a Poisson process of rate λp, so E[purchases |
// λ] = (1 - e^(-λpt))/p, averaged over λ ~ Gamma(r+x, α+T). The caller
// passes p = (a-1)/(a+b+x-1), which makes the limit of a long horizon,
// E[1/p] under p's posterior, exact.
func bgLimitIfAlive(t, x, T, r, alpha, p float64) float64 {
	return -math.Expm1((r+x)*(math.Log(alpha+T)-math.Log(alpha+T+p*t))) / p
}

// ProbNoPurchase is the probability that the customer makes no purchase in
// (T, T+t]: dead already, or alive and not buying. It is the churn measure.
func (f *Fit) ProbNoPurchase(t, x, tx, T float64) float64 {
	pa := f.PAlive(x, tx, T)
	return 1 - pa + pa*f.noPurchaseIfAlive(t, x, T)
}

// noPurchaseIfAlive is P(no purchase in (T, T+t] | alive at T), a function
// of (x, T).
func (f *Fit) noPurchaseIfAlive(t, x, T float64) float64 {
	p := f.Params
	r, alpha := p[0], p[1]
	switch f.Model {
	case BGNBD, MBGNBD:
		// Alive, a customer drops out only at a purchase: the posterior mean
		// of e^(-λt), λ ~ Gamma(r+x, α+T).
		return math.Exp((r + x) * (math.Log(alpha+T) - math.Log(alpha+T+t)))
	case PNBD:
		// Rates λ ~ Gamma(r+x, α+T) and μ ~ Gamma(s, β+T): no purchase when
		// death comes first or no purchase before t,
		// μ/(λ+μ) + λ/(λ+μ) e^-(λ+μ)t, averaged on a quantile grid.
		s, beta := p[2], p[3]
		lam := distuv.Gamma{Alpha: r + x, Beta: alpha + T}
		mu := distuv.Gamma{Alpha: s, Beta: beta + T}
		const n = 24
		var acc float64
		for i := 0; i < n; i++ {
			l := lam.Quantile((float64(i) + 0.5) / n)
			for j := 0; j < n; j++ {
				m := mu.Quantile((float64(j) + 0.5) / n)
				acc += m/(l+m) + l/(l+m)*math.Exp(-(l+m)*t)
			}
		}
		return acc / (n * n)
	}
	return math.NaN()
}

// ExpectedSpend is the Gamma-Gamma expected value of a purchase of a
// customer with x repeat purchases of mean value m (the population mean for
// x = 0).
func (f *Fit) ExpectedSpend(x, m float64) float64 {
	p, q, v := f.Params[0], f.Params[1], f.Params[2]
	if x <= 0 || m <= 0 {
		return p * v / (q - 1)
	}
	return p * (v + x*m) / (p*x + q - 1)
}

// ScoreOptions set the horizon and money terms of a score.
type ScoreOptions struct {
	HorizonDays     float64 // e.g. 365
	MonthlyDiscount float64 // e.g. 0.01 per month
	Margin          float64 // share of revenue that is margin; 0 means 1 (CLV in revenue)
	// Samples draws of the parameters for the 90% intervals; 0 = none.
	Samples int
	Seed    uint64
}

// Score is one customer's prediction. Purchases count in the horizon; money
// is in the currency of the purchase amounts.
type Score struct {
	PAlive            float64
	ExpectedPurchases float64
	ProbNoPurchase    float64
	ExpectedSpend     float64 // per purchase
	CLV               float64 // discounted margin (or revenue) over the horizon
	PurchasesLo       float64 // 90% interval, when samples were drawn
	PurchasesHi       float64
	CLVLo, CLVHi      float64
}

const daysPerMonth = 365.25 / 12

// discountedIfAlive is, for a customer alive at T, the expected purchases
// over the horizon and Σ over months k of the expected purchases in month k
// discounted by (1+d)^k: CLV per unit of spend and of P(alive).
func (f *Fit) discountedIfAlive(horizonDays, d, x, T float64) (total, discounted float64) {
	ud := f.Unit.Days()
	prev := 0.0
	for k := 1; ; k++ {
		end := math.Min(float64(k)*daysPerMonth, horizonDays)
		e := f.expectedIfAlive(end/ud, x, T)
		discounted += (e - prev) / math.Pow(1+d, float64(k))
		prev = e
		if end >= horizonDays {
			return e, discounted
		}
	}
}

// pairs indexes the distinct (x, T) of a grouping: predictions given alive
// depend on those alone.
type pairs struct {
	x, t []float64
	of   []int32 // triple -> pair
}

func pairsOf(g *triples) pairs {
	type key struct{ x, t float64 }
	idx := map[key]int32{}
	var p pairs
	p.of = make([]int32, len(g.x))
	for i := range g.x {
		k := key{g.x[i], g.t[i]}
		j, ok := idx[k]
		if !ok {
			j = int32(len(p.x))
			idx[k] = j
			p.x, p.t = append(p.x, g.x[i]), append(p.t, g.t[i])
		}
		p.of[i] = j
	}
	return p
}

// ScoreAll scores every customer of s with the transaction fit tx and the
// spend fit sp. The horizon sums run once per distinct (x, T), P(alive) once
// per distinct (x, t_x, T); both spread over the cores.
func ScoreAll(tx, sp *Fit, s *Summary, o ScoreOptions) []Score {
	if o.Margin <= 0 {
		o.Margin = 1
	}
	g := s.grouped()
	pr := pairsOf(&g)
	horizon := o.HorizonDays / tx.Unit.Days()
	type alive struct{ e, disc, p0 float64 }
	given := make([]alive, len(pr.x))
	parallel(len(pr.x), 8, func(i int) {
		e, disc := tx.discountedIfAlive(o.HorizonDays, o.MonthlyDiscount, pr.x[i], pr.t[i])
		given[i] = alive{e, disc, tx.noPurchaseIfAlive(horizon, pr.x[i], pr.t[i])}
	})
	pa := make([]float64, len(g.x))
	parallel(len(g.x), 1024, func(i int) { pa[i] = tx.PAlive(g.x[i], g.tx[i], g.t[i]) })
	out := make([]Score, s.Len())
	parallel(len(out), 1024, func(i int) {
		j := g.of[i]
		a, c := pa[j], &given[pr.of[j]]
		spend := sp.ExpectedSpend(s.X[i], s.Monetary[i])
		out[i] = Score{PAlive: a, ExpectedPurchases: a * c.e, ProbNoPurchase: 1 - a + a*c.p0, ExpectedSpend: spend,
			CLV: o.Margin * spend * a * c.disc}
	})
	if o.Samples > 0 && tx.logCov != nil && sp.logCov != nil {
		intervals(tx, sp, s, &g, &pr, o, out)
	}
	return out
}

// intervals fills the 90% intervals by drawing parameters from their
// asymptotic sampling distribution (normal in log-parameters) and taking
// the 5th and 95th percentiles of each customer's predictions.
func intervals(tx, sp *Fit, s *Summary, g *triples, pr *pairs, o ScoreOptions, out []Score) {
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	draws := make([]*Fit, o.Samples)
	spends := make([]*Fit, o.Samples)
	for k := range draws {
		draws[k] = tx.draw(rng)
		spends[k] = sp.draw(rng)
	}
	// Per (x, T) pair and draw: expected and discounted purchases if alive;
	// per triple and draw: P(alive).
	e := make([]float64, len(pr.x)*o.Samples)
	disc := make([]float64, len(pr.x)*o.Samples)
	parallel(len(pr.x), 1, func(i int) {
		for k, f := range draws {
			e[i*o.Samples+k], disc[i*o.Samples+k] = f.discountedIfAlive(o.HorizonDays, o.MonthlyDiscount, pr.x[i], pr.t[i])
		}
	})
	pa := make([]float64, len(g.x)*o.Samples)
	parallel(len(g.x), 16, func(i int) {
		for k, f := range draws {
			pa[i*o.Samples+k] = f.PAlive(g.x[i], g.tx[i], g.t[i])
		}
	})
	parallel(len(out), 64, func(i int) {
		j := int(g.of[i])
		q := int(pr.of[j])
		pe := make([]float64, o.Samples)
		clv := make([]float64, o.Samples)
		for k := range clv {
			a := pa[j*o.Samples+k]
			pe[k] = a * e[q*o.Samples+k]
			clv[k] = o.Margin * spends[k].ExpectedSpend(s.X[i], s.Monetary[i]) * a * disc[q*o.Samples+k]
		}
		out[i].PurchasesLo, out[i].PurchasesHi = quantiles(pe)
		out[i].CLVLo, out[i].CLVHi = quantiles(clv)
	})
}

func quantiles(v []float64) (lo, hi float64) {
	sort.Float64s(v)
	at := func(q float64) float64 {
		pos := q * float64(len(v)-1)
		i := int(pos)
		if i+1 >= len(v) {
			return v[len(v)-1]
		}
		return v[i] + (pos-float64(i))*(v[i+1]-v[i])
	}
	return at(0.05), at(0.95)
}

// draw returns a copy of f with parameters drawn from N(log θ, logCov).
func (f *Fit) draw(rng *rand.Rand) *Fit {
	k := len(f.Params)
	z := make([]float64, k)
	for i := range z {
		z[i] = rng.NormFloat64()
	}
	// Cholesky factor of the covariance turns independent normals into
	// correlated ones.
	var chol = choleskyLower(f.logCov.RawSymmetric().Data, k)
	d := *f
	d.Params = make([]float64, k)
	for i := 0; i < k; i++ {
		v := math.Log(f.Params[i])
		for j := 0; j <= i; j++ {
			v += chol[i*k+j] * z[j]
		}
		d.Params[i] = math.Exp(v)
	}
	return &d
}

// choleskyLower factors a k x k symmetric matrix (upper triangle stored
// row-major) into L with L Lᵀ = A.
func choleskyLower(a []float64, k int) []float64 {
	l := make([]float64, k*k)
	at := func(i, j int) float64 {
		if i > j {
			i, j = j, i
		}
		return a[i*k+j]
	}
	for i := 0; i < k; i++ {
		for j := 0; j <= i; j++ {
			sum := at(i, j)
			for m := 0; m < j; m++ {
				sum -= l[i*k+m] * l[j*k+m]
			}
			if i == j {
				l[i*k+i] = math.Sqrt(math.Max(sum, 0))
			} else if l[j*k+j] > 0 {
				l[i*k+j] = sum / l[j*k+j]
			}
		}
	}
	return l
}

// parallel runs fn(0..n-1) over the available cores, each taking the next
// block of grain items when done with its last: a few items of heavy work
// (a long horizon's monthly sums for 100 parameter draws, whose cost varies
// with x and T) are worth a core each, thousands of light ones are not
// worth a goroutine.
func parallel(n, grain int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), max(n/grain, 1))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(int64(grain))) - grain
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+grain, n); i++ {
					fn(i)
				}
			}
		}()
	}
	wg.Wait()
}
