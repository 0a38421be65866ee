package clv

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// Fit is a fitted model and an account of the fit.
type Fit struct {
	Model     ModelName
	Unit      Unit
	Customers int
	// Params are named by Model.ParamNames() (or p, q, v for spend).
	Params     []float64
	LogLik     float64
	Converged  bool
	Iterations int
	GradNorm   float64 // of the mean log-likelihood in log-parameters
	// StdErrors of Params (delta method from the observed information);
	// nil, with a warning, when the information matrix is singular.
	StdErrors []float64
	// logCov is the covariance of the log-parameters, for intervals.
	logCov   *mat.SymDense
	Warnings []string
}

// logBound keeps log-parameters within e^±25: degenerate data (no repeat
// buyer at all) pushes parameters to 0 or infinity, and a finite bound with a
// warning beats an overflow.
const logBound = 25

// convergedGrad is the gradient norm of the mean log-likelihood below which
// a fit counts as converged (BFGS may stop on "linesearch failed" at the
// optimum; the gradient is the judge).
const convergedGrad = 1e-4

type llFunc func(p, grad []float64) float64

// maximize fits ll (a total log-likelihood of weight n) from each start
// and keeps the best.
func maximize(ll llFunc, n float64, starts [][]float64) (best Fit, err error) {
	k := len(starts[0])
	p := make([]float64, k)
	g := make([]float64, k)
	eval := func(theta []float64, grad []float64) float64 {
		pen := 0.0
		for i, t := range theta {
			ct := math.Max(-logBound, math.Min(logBound, t))
			pen += (t - ct) * (t - ct)
			p[i] = math.Exp(ct)
		}
		v := ll(p, g)
		if !finite(v) {
			v = math.Inf(-1)
		}
		for i := range grad {
			grad[i] = -g[i]*p[i]/n + 2*(theta[i]-math.Max(-logBound, math.Min(logBound, theta[i])))
			if !finite(grad[i]) {
				grad[i] = 0
			}
		}
		return -v/n + pen
	}
	// gonum asks for the value and the gradient separately, mostly at the
	// same point; one evaluation gives both, so keep the last.
	var lastX, lastG []float64
	var lastF float64
	cached := func(x []float64) {
		if lastX != nil && equal(lastX, x) {
			return
		}
		lastX = append(lastX[:0], x...)
		lastG = make([]float64, k)
		lastF = eval(x, lastG)
	}
	best.LogLik = math.Inf(-1)
	for _, start := range starts {
		prob := optimize.Problem{
			Func: func(x []float64) float64 { cached(x); return lastF },
			Grad: func(grad, x []float64) { cached(x); copy(grad, lastG) },
		}
		res, rerr := optimize.Minimize(prob, start, &optimize.Settings{GradientThreshold: 1e-9, MajorIterations: 1000}, &optimize.BFGS{})
		if res == nil {
			if err == nil {
				err = rerr
			}
			continue
		}
		x := res.Location.X
		grad := make([]float64, k)
		f := eval(x, grad)
		if math.IsInf(f, 0) || math.IsNaN(f) {
			continue
		}
		if -f*n > best.LogLik {
			best = Fit{LogLik: -f * n, Iterations: res.Stats.MajorIterations, GradNorm: norm(grad), Params: make([]float64, k)}
			for i, t := range x {
				best.Params[i] = math.Exp(math.Max(-logBound, math.Min(logBound, t)))
			}
		}
	}
	if best.Params == nil {
		if err == nil {
			err = errorf("no start gave a finite likelihood")
		}
		return best, err
	}
	best.Converged = best.GradNorm < convergedGrad
	if !best.Converged {
		best.Warnings = append(best.Warnings, fmt.Sprintf("not converged: gradient norm %.2g after %d iterations", best.GradNorm, best.Iterations))
	}
	for i, v := range best.Params {
		if math.Abs(math.Log(v)) >= logBound-1e-6 {
			best.Warnings = append(best.Warnings, fmt.Sprintf("parameter %d ran to its bound (%.3g): the data cannot identify it", i+1, v))
		}
	}
	best.stdErrors(ll)
	return best, nil
}

// hessian is the observed information (the Hessian of -LL) in
// log-parameters at theta, by central differences of the analytic gradient.
func hessian(ll llFunc, theta []float64) *mat.SymDense {
	k := len(theta)
	gradAt := func(t []float64) []float64 {
		p := make([]float64, k)
		g := make([]float64, k)
		for i := range t {
			p[i] = math.Exp(t[i])
		}
		ll(p, g)
		for i := range g {
			g[i] *= p[i] // d LL / d log p
		}
		return g
	}
	const eps = 1e-5
	cols := make([][]float64, k)
	for j := 0; j < k; j++ {
		up := append([]float64(nil), theta...)
		dn := append([]float64(nil), theta...)
		up[j] += eps
		dn[j] -= eps
		gu, gd := gradAt(up), gradAt(dn)
		cols[j] = make([]float64, k)
		for i := 0; i < k; i++ {
			cols[j][i] = -(gu[i] - gd[i]) / (2 * eps)
		}
	}
	h := mat.NewSymDense(k, nil)
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			h.SetSym(i, j, (cols[i][j]+cols[j][i])/2)
		}
	}
	return h
}

// hessianAt is the observed information at theta by forward differences,
// given the gradient of LL in log-parameters there: k more gradient
// evaluations instead of 2k, accurate to about 1e-5 relative, ample for
// Newton steps and standard errors on large data.
func hessianAt(ll llFunc, theta, grad []float64) *mat.SymDense {
	k := len(theta)
	const eps = 1e-5
	p := make([]float64, k)
	g := make([]float64, k)
	cols := make([][]float64, k)
	for j := 0; j < k; j++ {
		for i := range theta {
			p[i] = math.Exp(theta[i])
		}
		p[j] = math.Exp(theta[j] + eps)
		ll(p, g)
		cols[j] = make([]float64, k)
		for i := 0; i < k; i++ {
			cols[j][i] = -(g[i]*p[i] - grad[i]) / eps
		}
	}
	h := mat.NewSymDense(k, nil)
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			h.SetSym(i, j, (cols[i][j]+cols[j][i])/2)
		}
	}
	return h
}

// stdErrors inverts the observed information in log-parameters.
func (f *Fit) stdErrors(ll llFunc) {
	f.setCov(hessian(ll, logs(f.Params)))
}

func (f *Fit) setCov(h *mat.SymDense) {
	k := len(f.Params)
	var chol mat.Cholesky
	if !chol.Factorize(h) {
		f.Warnings = append(f.Warnings, "information matrix is not positive definite: no standard errors")
		return
	}
	cov := mat.NewSymDense(k, nil)
	if err := chol.InverseTo(cov); err != nil {
		f.Warnings = append(f.Warnings, "information matrix is singular: no standard errors")
		return
	}
	f.logCov = cov
	f.StdErrors = make([]float64, k)
	for i := range f.StdErrors {
		f.StdErrors[i] = f.Params[i] * math.Sqrt(math.Max(cov.At(i, i), 0))
	}
}

// polish finishes a fit on the exact data by Newton steps from theta (the
// coarse fit's optimum, already close) with the exact Hessian taken there,
// halving a step that does not improve: a handful of evaluations where BFGS
// and its line search take dozens. The Hessian is taken again at the end for
// the standard errors. ok is false when it did not converge (the caller
// then falls back to BFGS).
func polish(ll llFunc, n float64, theta []float64) (f Fit, ok bool) {
	k := len(theta)
	theta = append([]float64(nil), theta...)
	p := make([]float64, k)
	g := make([]float64, k)
	eval := func(t []float64) (float64, []float64) {
		for i := range t {
			p[i] = math.Exp(t[i])
		}
		v := ll(p, g)
		grad := make([]float64, k)
		for i := range grad {
			grad[i] = g[i] * p[i] // d LL / d log p
		}
		return v, grad
	}
	solve := func(h *mat.SymDense, grad []float64) []float64 {
		var chol mat.Cholesky
		if !chol.Factorize(h) {
			return nil
		}
		var step mat.VecDense
		if err := chol.SolveVecTo(&step, mat.NewVecDense(k, append([]float64(nil), grad...))); err != nil {
			return nil
		}
		return step.RawVector().Data // H^-1 g: the ascent step
	}
	v, grad := eval(theta)
	h := hessianAt(ll, theta, grad)
	iters := 0
	for ; iters < 60 && norm(grad)/n >= 1e-9; iters++ {
		step := solve(h, grad)
		if step == nil {
			return f, false
		}
		t := 1.0
		for tries := 0; ; tries++ {
			next := make([]float64, k)
			for i := range next {
				next[i] = theta[i] + t*step[i]
			}
			nv, ngrad := eval(next)
			if nv >= v-1e-12*math.Abs(v) && !math.IsNaN(nv) {
				theta, v, grad = next, nv, ngrad
				break
			}
			if t *= 0.5; tries > 30 {
				return f, false
			}
		}
		if t < 1 { // far from quadratic convergence: refresh the Hessian
			h = hessianAt(ll, theta, grad)
		}
	}
	f = Fit{LogLik: v, Iterations: iters, Params: make([]float64, k)}
	for i := range theta {
		f.Params[i] = math.Exp(theta[i])
	}
	f.setCov(hessianAt(ll, theta, grad))
	for i := range grad {
		grad[i] /= n
	}
	f.GradNorm = norm(grad)
	f.Converged = f.GradNorm < convergedGrad
	return f, f.Converged && f.StdErrors != nil
}

// coarseToFine fits on a coarsened copy of the data from every start, then
// polishes on the exact data; if the polish fails it runs BFGS on the exact
// data from the coarse optimum.
func coarseToFine(ll, coarse llFunc, n float64, starts [][]float64) (Fit, error) {
	cf, err := maximize(coarse, n, starts)
	if err != nil {
		return maximize(ll, n, starts)
	}
	theta := logs(cf.Params)
	if f, ok := polish(ll, n, theta); ok {
		f.Iterations += cf.Iterations
		return f, nil
	}
	return maximize(ll, n, [][]float64{theta})
}

func equal(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func norm(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

// FitModel fits a transaction model to a summary.
func FitModel(model ModelName, s *Summary) (*Fit, error) {
	if s.Len() == 0 {
		return nil, errorf("no customers to fit")
	}
	d := newData(s)
	llOf := func(d *data) llFunc {
		switch model {
		case BGNBD:
			return func(p, g []float64) float64 { return bgnbdLL(d, p, g) }
		case MBGNBD:
			return func(p, g []float64) float64 { return mbgnbdLL(d, p, g) }
		case PNBD:
			return func(p, g []float64) float64 { return pnbdLL(d, p, g) }
		}
		return nil
	}
	ll := llOf(d)
	if ll == nil {
		return nil, errorf("unknown model %q", model)
	}
	meanT, repeat := 0.0, 0
	for i := range s.T {
		meanT += s.T[i]
		if s.X[i] > 0 {
			repeat++
		}
	}
	meanT /= float64(s.Len())
	l := math.Log
	starts := [][]float64{
		{0, 0, 0, 0},
		{l(0.5), l(math.Max(meanT/4, 0.1)), l(0.5), l(2)},
		{l(0.1), l(math.Max(meanT/20, 0.05)), l(2), l(10)},
	}
	// Many distinct (x, t_x, T): search from every start on a coarsened
	// copy (times rounded to 1/16 of the longest T), then polish the best
	// on the exact data. The polish is what the result stands on.
	var f Fit
	var err error
	if len(d.x) > coarseAbove && model != PNBD {
		f, err = coarseToFine(ll, llOf(newData(coarsen(s))), float64(s.Len()), starts)
	} else {
		f, err = maximize(ll, float64(s.Len()), starts)
	}
	if err != nil {
		return nil, err
	}
	f.Model, f.Unit, f.Customers = model, s.Unit, s.Len()
	if repeat == 0 {
		f.Warnings = append(f.Warnings, "no customer bought twice: purchase rate and dropout cannot be told apart")
	} else if s.Len() < 30 {
		f.Warnings = append(f.Warnings, fmt.Sprintf("only %d customers: the estimates are unreliable", s.Len()))
	}
	if a, b := f.Params[2], f.Params[3]; model != PNBD && a > sameDropout && b > sameDropout {
		f.Warnings = append(f.Warnings, fmt.Sprintf("a and b are both very large: every customer drops out after a purchase with about the same probability, %.1f%%; the predictions stand, a and b themselves are not identified", 100*a/(a+b)))
	}
	return &f, nil
}

// sameDropout is the size of a and b past which the BG/NBD's dropout
// probability Beta(a, b) hardly varies (its standard deviation is below
// 0.5 points).
const sameDropout = 1e4

// coarseAbove is the number of distinct triples above which FitModel
// searches on coarsened data first.
const coarseAbove = 20000

// coarsen rounds t_x and T to a grid of 1/16 of the longest T: a few
// thousand triples, enough to find the basin the exact fit polishes.
func coarsen(s *Summary) *Summary {
	maxT := 0.0
	for _, t := range s.T {
		maxT = math.Max(maxT, t)
	}
	step := math.Max(maxT/16, 1e-9)
	c := &Summary{Unit: s.Unit, X: s.X, Tx: make([]float64, len(s.Tx)), T: make([]float64, len(s.T))}
	for i := range s.T {
		c.T[i] = math.Max(math.Round(s.T[i]/step)*step, step)
		c.Tx[i] = math.Min(math.Round(s.Tx[i]/step)*step, c.T[i])
		if s.X[i] > 0 && c.Tx[i] == 0 {
			// A repeat buyer with t_x = 0 makes the likelihood unbounded as
			// alpha -> 0; keep such small t_x exact (few distinct values).
			c.Tx[i] = math.Min(s.Tx[i], c.T[i])
		}
	}
	return c
}

// coarsenSpend rounds mean values to two significant digits (x kept).
func coarsenSpend(d *spendData) *spendData {
	type key struct{ x, m float64 }
	idx := map[key]int{}
	c := &spendData{}
	for i := range d.x {
		m := d.m[i]
		e := math.Pow(10, math.Floor(math.Log10(m))-1)
		k := key{d.x[i], math.Round(m/e) * e}
		j, ok := idx[k]
		if !ok {
			j = len(c.x)
			idx[k] = j
			c.x, c.m, c.w, c.lnm = append(c.x, k.x), append(c.m, k.m), append(c.w, 0), append(c.lnm, math.Log(k.m))
		}
		c.w[j] += d.w[i]
	}
	c.bx = indexX(c.x)
	return c
}

func logs(p []float64) []float64 {
	out := make([]float64, len(p))
	for i, v := range p {
		out[i] = math.Log(v)
	}
	return out
}

// FitSpend fits the Gamma-Gamma spend model to the repeat buyers.
func FitSpend(s *Summary) (*Fit, error) {
	d := newSpendData(s)
	n := 0.0
	for _, w := range d.w {
		n += w
	}
	if n == 0 {
		return nil, errorf("no repeat buyer with a positive spend: the spend model needs some")
	}
	ll := func(p, g []float64) float64 { return ggLL(d, p, g) }
	l := math.Log
	meanM := 0.0
	for i := range d.m {
		meanM += d.w[i] * d.m[i]
	}
	meanM /= n
	// Method of moments for the start: the spread of mean values across
	// customers gives q, their mean p v / (q - 1) gives v for p ~ 5.
	var m2 float64
	for i := range d.m {
		m2 += d.w[i] * (d.m[i] - meanM) * (d.m[i] - meanM)
	}
	cv2 := math.Max(m2/n/(meanM*meanM), 0.05)
	q0 := 2 + 1/cv2
	p0 := 5.0
	v0 := math.Max(meanM*(q0-1)/p0, 1e-3)
	var f Fit
	var err error
	if len(d.x) > coarseAbove {
		cd := coarsenSpend(d)
		f, err = coarseToFine(ll, func(p, g []float64) float64 { return ggLL(cd, p, g) }, n, [][]float64{{l(p0), l(q0), l(v0)}})
	} else {
		f, err = maximize(ll, n, [][]float64{{l(p0), l(q0), l(v0)}})
	}
	if err != nil || !f.Converged {
		// The moment start failed: search from several starts.
		f, err = maximize(ll, n, [][]float64{{l(p0), l(q0), l(v0)}, {0, 0, 0}, {l(5), l(3), l(math.Max(meanM/2, 1))}, {l(1), l(2), l(math.Max(meanM, 1))}})
		if err != nil {
			return nil, err
		}
	}
	f.Model, f.Unit, f.Customers = "gamma-gamma", s.Unit, int(n)
	if n < 30 {
		f.Warnings = append(f.Warnings, fmt.Sprintf("only %d repeat buyers: the spend estimates are unreliable", int(n)))
	}
	return &f, nil
}
