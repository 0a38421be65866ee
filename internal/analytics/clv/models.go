package clv

import (
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mathext"
)

// ModelName names a transaction model.
type ModelName string

const (
	BGNBD  ModelName = "bgnbd"
	PNBD   ModelName = "pnbd"
	MBGNBD ModelName = "mbgnbd"
)

// ParseModel reads a --model value.
func ParseModel(s string) (ModelName, error) {
	switch ModelName(s) {
	case BGNBD, PNBD, MBGNBD:
		return ModelName(s), nil
	case "":
		return BGNBD, nil
	}
	return "", errorf("model %q: want bgnbd, pnbd or mbgnbd", s)
}

// Title is the model's name as the papers write it, for people to read
// (the JSON outputs and --model keep the short id).
func (m ModelName) Title() string {
	switch m {
	case BGNBD:
		return "BG/NBD"
	case PNBD:
		return "Pareto/NBD"
	case MBGNBD:
		return "MBG/NBD"
	}
	return string(m)
}

// ParamNames are the parameters of each model, named as in the papers.
func (m ModelName) ParamNames() []string {
	if m == PNBD {
		return []string{"r", "alpha", "s", "beta"}
	}
	return []string{"r", "alpha", "a", "b"}
}

var digamma = mathext.Digamma

func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// finite reports a number that is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// logAddExp is log(e^a + e^b) without overflow.
func logAddExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(b, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// logSubExp is log(e^a - e^b) for a > b.
func logSubExp(a, b float64) float64 {
	return a + math.Log(-math.Expm1(b-a))
}

// data is a model's grouped input. Times recorded in whole days take few
// distinct values, so the logs of alpha + time are taken once per value
// (tv, txv) and looked up by index (ti, txi).
type data struct {
	triples
	bx          byX
	tv, txv     []float64
	ti, txi     []int32
	lnT, lnTx   []float64 // scratch: log(alpha + value), per evaluation
	invT, invTx []float64 // scratch: 1/(alpha + value)
}

func newData(s *Summary) *data {
	d := &data{triples: s.grouped()}
	d.bx = indexX(d.x)
	d.tv, d.ti = distinct(d.t)
	d.txv, d.txi = distinct(d.tx)
	return d
}

// distinct lists the distinct values of v and each element's index.
func distinct(v []float64) ([]float64, []int32) {
	seen := map[float64]int32{}
	var vals []float64
	idx := make([]int32, len(v))
	for i, x := range v {
		j, ok := seen[x]
		if !ok {
			j = int32(len(vals))
			seen[x] = j
			vals = append(vals, x)
		}
		idx[i] = j
	}
	return vals, idx
}

// logsAt fills dst with log(alpha + v) for each value.
func logsAt(dst []float64, alpha float64, v []float64) []float64 {
	dst = dst[:0]
	for _, x := range v {
		dst = append(dst, math.Log(alpha+x))
	}
	return dst
}

// invsAt fills dst with 1/(alpha + v) for each value.
func invsAt(dst []float64, alpha float64, v []float64) []float64 {
	dst = dst[:0]
	for _, x := range v {
		dst = append(dst, 1/(alpha+x))
	}
	return dst
}

// prepare takes the per-value logs and reciprocals of an evaluation at alpha.
func (d *data) prepare(alpha float64) {
	d.lnT, d.lnTx = logsAt(d.lnT, alpha, d.tv), logsAt(d.lnTx, alpha, d.txv)
	d.invT, d.invTx = invsAt(d.invT, alpha, d.tv), invsAt(d.invTx, alpha, d.txv)
}

// bgnbdLL is the BG/NBD log-likelihood (Fader, Hardie and Lee 2005, eq. 6)
// summed over the grouped data at p = (r, alpha, a, b), with its gradient
// in grad (may be nil). Everything stays in log space, so x = 1000 or T of
// years in days is finite.
func bgnbdLL(d *data, p, grad []float64) float64 {
	d.prepare(p[1])
	return splitLL(d, p, grad, bgnbdRange)
}

func bgnbdRange(d *data, p, grad []float64, lo, hi int) float64 {
	r, alpha, a, b := p[0], p[1], p[2], p[3]
	nx := len(d.bx.values)
	type xt struct{ lgrx, dgrx, lgbx, dgbx, lgabx, dgabx, lnbx1 float64 }
	xs := make([]xt, nx)
	for i, x := range d.bx.values {
		xs[i] = xt{lgamma(r + x), digamma(r + x), lgamma(b + x), digamma(b + x), lgamma(a + b + x), digamma(a + b + x), 0}
		if x > 0 {
			xs[i].lnbx1 = math.Log(b + x - 1)
		}
	}
	lgr, dgr, lnA := lgamma(r), digamma(r), math.Log(alpha)
	lgab, dgab, lgb, dgb, lna := lgamma(a+b), digamma(a+b), lgamma(b), digamma(b), math.Log(a)
	var ll, gr, gal, ga, gb float64
	for i := lo; i < hi; i++ {
		x := d.x[i]
		w := d.w[i]
		c := &xs[d.bx.of[i]]
		lnT := d.lnT[d.ti[i]]
		a3 := -(r + x) * lnT
		l := c.lgrx - lgr + r*lnA + lgab + c.lgbx - lgb - c.lgabx
		w3, w4 := 1.0, 0.0
		var lnTx float64
		if x > 0 {
			lnTx = d.lnTx[d.txi[i]]
			a4 := lna - c.lnbx1 - (r+x)*lnTx
			// log(e^a3 + e^a4) and the shares of each term, with one exp
			// and one log1p.
			e := math.Exp(-math.Abs(a4 - a3))
			l += math.Max(a3, a4) + math.Log1p(e)
			if a4 > a3 {
				w3 = e / (1 + e)
				w4 = 1 - w3
			} else {
				w4 = e / (1 + e)
				w3 = 1 - w4
			}
		} else {
			l += a3
		}
		ll += w * l
		if grad != nil {
			gr += w * (c.dgrx - dgr + lnA - w3*lnT - w4*lnTx)
			gal += w * (r/alpha - (r+x)*(w3*d.invT[d.ti[i]]+w4*d.invTx[d.txi[i]]))
			ga += w * (dgab - c.dgabx + w4/a)
			gb += w * (dgab + c.dgbx - dgb - c.dgabx)
			if x > 0 {
				gb -= w * w4 / (b + x - 1)
			}
		}
	}
	if grad != nil {
		grad[0], grad[1], grad[2], grad[3] = gr, gal, ga, gb
	}
	return ll
}

// splitLL evaluates a likelihood over the triples in one block per core
// when there are enough of them to pay for the goroutines.
func splitLL(d *data, p, grad []float64, f func(d *data, p, grad []float64, lo, hi int) float64) float64 {
	n := len(d.x)
	workers := min(runtime.GOMAXPROCS(0), n/20000+1)
	if workers <= 1 {
		return f(d, p, grad, 0, n)
	}
	lls := make([]float64, workers)
	grads := make([][]float64, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		if grad != nil {
			grads[w] = make([]float64, len(grad))
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			lls[w] = f(d, p, grads[w], n*w/workers, n*(w+1)/workers)
		}()
	}
	wg.Wait()
	ll := 0.0
	for w := range lls {
		ll += lls[w]
		for k := range grad {
			if w == 0 {
				grad[k] = 0
			}
			grad[k] += grads[w][k]
		}
	}
	return ll
}

// mbgnbdLL is the MBG/NBD log-likelihood (Batislam, Denizel and Filiztekin
// 2007): like BG/NBD, but a customer may also drop out right after the first
// purchase, so the second term holds for x = 0 too.
func mbgnbdLL(d *data, p, grad []float64) float64 {
	d.prepare(p[1])
	return splitLL(d, p, grad, mbgnbdRange)
}

func mbgnbdRange(d *data, p, grad []float64, lo, hi int) float64 {
	r, alpha, a, b := p[0], p[1], p[2], p[3]
	type xt struct{ lgrx, dgrx, lgbx, dgbx, lgbx1, dgbx1, lgabx1, dgabx1 float64 }
	xs := make([]xt, len(d.bx.values))
	for i, x := range d.bx.values {
		xs[i] = xt{lgamma(r + x), digamma(r + x), lgamma(b + x), digamma(b + x), lgamma(b + x + 1), digamma(b + x + 1),
			lgamma(a + b + x + 1), digamma(a + b + x + 1)}
	}
	lgr, dgr, lnA := lgamma(r), digamma(r), math.Log(alpha)
	lgab, dgab, lgb, dgb, lna := lgamma(a+b), digamma(a+b), lgamma(b), digamma(b), math.Log(a)
	var ll, gr, gal, ga, gb float64
	for i := lo; i < hi; i++ {
		x := d.x[i]
		w := d.w[i]
		c := &xs[d.bx.of[i]]
		lnT, lnTx := d.lnT[d.ti[i]], d.lnTx[d.txi[i]]
		t3 := c.lgbx1 - (r+x)*lnT
		t4 := lna + c.lgbx - (r+x)*lnTx
		e := math.Exp(-math.Abs(t4 - t3))
		ll += w * (c.lgrx - lgr + r*lnA + lgab - lgb - c.lgabx1 + math.Max(t3, t4) + math.Log1p(e))
		if grad != nil {
			w3 := e / (1 + e)
			if t3 > t4 {
				w3 = 1 - w3
			}
			w4 := 1 - w3
			gr += w * (c.dgrx - dgr + lnA - w3*lnT - w4*lnTx)
			gal += w * (r/alpha - (r+x)*(w3*d.invT[d.ti[i]]+w4*d.invTx[d.txi[i]]))
			ga += w * (dgab - c.dgabx1 + w4/a)
			gb += w * (dgab - dgb - c.dgabx1 + w3*c.dgbx1 + w4*c.dgbx)
		}
	}
	if grad != nil {
		grad[0], grad[1], grad[2], grad[3] = gr, gal, ga, gb
	}
	return ll
}

// pnbdLL is the Pareto/NBD log-likelihood (Fader, Hardie and Lee 2005,
// "A Note on Deriving the Pareto/NBD Model", eq. 22), in log space; the
// Gauss hypergeometric function comes from gonum. Its gradient is taken by
// central differences in log-parameter space: the derivatives of 2F1 in its
// parameters have no closed form worth the risk.
func pnbdLL(d *data, p, grad []float64) float64 {
	ll := pnbdValue(d, p)
	if grad != nil {
		q := make([]float64, 4)
		for k := range p {
			h := 1e-5
			copy(q, p)
			q[k] = p[k] * math.Exp(h)
			up := pnbdValue(d, q)
			q[k] = p[k] * math.Exp(-h)
			down := pnbdValue(d, q)
			grad[k] = (up - down) / (2 * h) / p[k]
		}
	}
	return ll
}

func pnbdValue(d *data, p []float64) float64 {
	r, alpha, s, beta := p[0], p[1], p[2], p[3]
	lgr := lgamma(r)
	lgrx := make([]float64, len(d.bx.values))
	for i, x := range d.bx.values {
		lgrx[i] = lgamma(r + x)
	}
	var ll float64
	for i, x := range d.x {
		a1 := lgrx[d.bx.of[i]] - lgr + r*math.Log(alpha) + s*math.Log(beta)
		first := -(r+x)*math.Log(alpha+d.t[i]) - s*math.Log(beta+d.t[i])
		la0 := pnbdLogA0(r, alpha, s, beta, x, d.tx[i], d.t[i])
		l := a1 + logAddExp(first, math.Log(s)+la0-math.Log(r+s+x))
		if !finite(l) {
			return math.Inf(-1)
		}
		ll += d.w[i] * l
	}
	return ll
}

// pnbdLogA0 is log A0 of the Pareto/NBD likelihood.
func pnbdLogA0(r, alpha, s, beta, x, tx, T float64) float64 {
	lo, hi, t := alpha, beta, r+x
	if alpha >= beta {
		lo, hi, t = beta, alpha, s+1
	}
	rsx := r + s + x
	diff := hi - lo
	l1 := math.Log(mathext.Hypergeo(rsx, t, rsx+1, diff/(hi+tx))) - rsx*math.Log(hi+tx)
	l2 := math.Log(mathext.Hypergeo(rsx, t, rsx+1, diff/(hi+T))) - rsx*math.Log(hi+T)
	if T == tx {
		return math.Inf(-1)
	}
	return logSubExp(l1, l2)
}

// spendData holds the repeat buyers' (x, mean repeat value), with what does
// not change between iterations precomputed: ln m, and an index of the
// distinct x so log-gammas are taken once per x.
type spendData struct {
	x, m, w, lnm []float64
	bx           byX
}

func newSpendData(s *Summary) *spendData {
	// Mean repeat values are nearly all distinct, so there is nothing to
	// group: one entry per repeat buyer, weight 1.
	d := &spendData{}
	for i, x := range s.X {
		if x <= 0 || s.Monetary[i] <= 0 {
			continue
		}
		d.x, d.m, d.w = append(d.x, x), append(d.m, s.Monetary[i]), append(d.w, 1)
		d.lnm = append(d.lnm, math.Log(s.Monetary[i]))
	}
	d.bx = indexX(d.x)
	return d
}

// ggLL is the Gamma-Gamma log-likelihood of mean repeat spend (Fader and
// Hardie 2013, note 025) at par = (p, q, v).
func ggLL(d *spendData, par, grad []float64) float64 {
	p, q, v := par[0], par[1], par[2]
	type xt struct{ lgpxq, lgpx, dgpxq, dgpx, lnx float64 }
	xs := make([]xt, len(d.bx.values))
	for i, x := range d.bx.values {
		xs[i] = xt{lgamma(p*x + q), lgamma(p * x), digamma(p*x + q), digamma(p * x), math.Log(x)}
	}
	lgq, dgq, lnv := lgamma(q), digamma(q), math.Log(v)
	n := len(d.x)
	workers := min(runtime.GOMAXPROCS(0), n/20000+1)
	type part struct{ ll, gp, gq, gv float64 }
	parts := make([]part, workers)
	var wg sync.WaitGroup
	for wk := 0; wk < workers; wk++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var pt part
			for i := n * wk / workers; i < n*(wk+1)/workers; i++ {
				x, w, m := d.x[i], d.w[i], d.m[i]
				c := &xs[d.bx.of[i]]
				px := p * x
				lnxmv := math.Log(x*m + v)
				pt.ll += w * (c.lgpxq - c.lgpx - lgq + q*lnv + (px-1)*d.lnm[i] + px*c.lnx - (px+q)*lnxmv)
				if grad != nil {
					pt.gp += w * x * (c.dgpxq - c.dgpx + d.lnm[i] + c.lnx - lnxmv)
					pt.gq += w * (c.dgpxq - dgq + lnv - lnxmv)
					pt.gv += w * (q/v - (px+q)/(x*m+v))
				}
			}
			parts[wk] = pt
		}()
	}
	wg.Wait()
	var t part
	for _, pt := range parts {
		t.ll, t.gp, t.gq, t.gv = t.ll+pt.ll, t.gp+pt.gp, t.gq+pt.gq, t.gv+pt.gv
	}
	if grad != nil {
		grad[0], grad[1], grad[2] = t.gp, t.gq, t.gv
	}
	return t.ll
}
