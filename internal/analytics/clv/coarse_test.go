package clv

import (
	"bytes"
	"encoding/csv"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/kithcrm/kith/internal/demo"
)

// TestCoarseOnDemoShop: on two years of demo-shop purchases in weeks, the
// coarse search must not run into the unbounded corner (repeat buyers whose
// t_x rounds to 0) and the fast path must equal a direct multi-start BFGS
// fit. It once did not: the coarse fit ran alpha to its bound and the slow
// fallback hid it.
func TestCoarseOnDemoShop(t *testing.T) {
	if testing.Short() {
		t.Skip("fits 60k customers twice")
	}
	var buf bytes.Buffer
	end := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	if _, err := demo.Generate(demo.Config{Customers: 60000, Seed: 8, End: end, Intensity: 7, Location: time.UTC}, demo.Files{Orders: &buf}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var p Purchases
	for _, r := range rows[1:] {
		if r[4] != "已付款" {
			continue
		}
		id, _ := strconv.ParseInt(r[1][1:], 10, 64)
		at, _ := time.Parse("2006-01-02 15:04:05", r[2])
		v, _ := strconv.ParseFloat(r[3], 64)
		p.Customer, p.Day, p.Amount = append(p.Customer, id), append(p.Day, int32(at.Unix()/86400)), append(p.Amount, v)
	}
	s := Summarize(p, int32(end.Unix()/86400), Week)
	d := newData(&s)
	if len(d.x) <= coarseAbove {
		t.Fatalf("%d triples: too few to take the coarse path", len(d.x))
	}
	coarse := newData(coarsen(&s))
	cf, err := maximize(func(q, g []float64) float64 { return bgnbdLL(coarse, q, g) }, float64(s.Len()),
		[][]float64{{0, 0, 0, 0}, {math.Log(0.5), 1, math.Log(0.5), math.Log(2)}})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range cf.Params {
		if math.Abs(math.Log(v)) > 20 {
			t.Errorf("coarse fit ran %s to %g", BGNBD.ParamNames()[i], v)
		}
	}
	fast, err := FitModel(BGNBD, &s)
	if err != nil {
		t.Fatal(err)
	}
	direct, err := maximize(func(q, g []float64) float64 { return bgnbdLL(d, q, g) }, float64(s.Len()),
		[][]float64{{0, 0, 0, 0}, {math.Log(0.5), 1, math.Log(0.5), math.Log(2)}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range fast.Params {
		if math.Abs(fast.Params[i]-direct.Params[i]) > 5e-5*math.Max(1, direct.Params[i]) {
			t.Errorf("%s: fast %.6f, direct %.6f", BGNBD.ParamNames()[i], fast.Params[i], direct.Params[i])
		}
	}
}
