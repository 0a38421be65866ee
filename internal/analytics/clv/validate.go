package clv

import (
	"math"
	"sort"
)

// Validation compares models fitted on a calibration period with what the
// customers did in the holdout period that followed.
type Validation struct {
	Unit            Unit
	CalibrationEnd  int32 // last day of calibration
	End             int32 // last day of the holdout
	HoldoutDays     int
	Customers       int
	ActualPurchases float64 // repeat purchase days in the holdout
	Models          []ModelCheck
	// ByFrequency is actual vs predicted holdout purchases per customer by
	// calibration frequency 0..6 and 7+ (index 7).
	ByFrequency []FrequencyRow
	// Weekly is cumulative and incremental repeat purchases per holdout week.
	Weekly []WeekRow
}

// ModelCheck is one model's fit and holdout error.
type ModelCheck struct {
	Fit              *Fit
	Predicted        float64 // total expected holdout purchases
	MAE              float64 // mean absolute error per customer
	MeanAbsByFreqErr float64 // mean |predicted-actual| over the frequency rows
}

// FrequencyRow is one calibration-frequency bucket.
type FrequencyRow struct {
	X         int // 7 means 7 or more
	Customers int
	Actual    float64   // mean holdout purchases
	Predicted []float64 // mean expected, per model in Models order
}

// WeekRow is one week of the holdout.
type WeekRow struct {
	Week                           int
	Actual, ActualCumulative       float64
	Predicted, PredictedCumulative []float64 // per model
}

// Validate fits every transaction model on purchases up to calEnd and
// checks their predictions against the holdout (calEnd, end].
func Validate(p Purchases, calEnd, end int32, unit Unit) (*Validation, error) {
	if end <= calEnd {
		return nil, errorf("holdout must end after the calibration (%d <= %d)", end, calEnd)
	}
	cal := Summarize(p, calEnd, unit)
	if cal.Len() == 0 {
		return nil, errorf("no customer bought in the calibration period")
	}
	v := &Validation{Unit: unit, CalibrationEnd: calEnd, End: end, HoldoutDays: int(end - calEnd), Customers: cal.Len()}
	// Actual holdout repeat purchase days per customer, and their days.
	actual := make([]float64, cal.Len())
	weeks := (v.HoldoutDays + 6) / 7
	actualWeek := make([]float64, weeks)
	idx := map[int64]int{}
	for i, c := range cal.Customer {
		idx[c] = i
	}
	for i := 0; i < len(p.Customer); {
		j := i
		for j < len(p.Customer) && p.Customer[j] == p.Customer[i] {
			j++
		}
		if ci, ok := idx[p.Customer[i]]; ok {
			last := int32(math.MinInt32)
			for k := i; k < j; k++ {
				d := p.Day[k]
				if d > calEnd && d <= end && d != last {
					actual[ci]++
					actualWeek[int(d-calEnd-1)/7]++
					last = d
				}
			}
		}
		i = j
	}
	for _, a := range actual {
		v.ActualPurchases += a
	}
	models := []ModelName{BGNBD, PNBD, MBGNBD}
	buckets := make([]FrequencyRow, 8)
	for b := range buckets {
		buckets[b] = FrequencyRow{X: b, Predicted: make([]float64, len(models))}
	}
	for i := range cal.X {
		b := min(int(cal.X[i]), 7)
		buckets[b].Customers++
		buckets[b].Actual += actual[i]
	}
	v.Weekly = make([]WeekRow, weeks)
	for w := range v.Weekly {
		v.Weekly[w] = WeekRow{Week: w + 1, Actual: actualWeek[w], Predicted: make([]float64, len(models)), PredictedCumulative: make([]float64, len(models))}
	}
	g := cal.grouped()
	for m, name := range models {
		f, err := FitModel(name, &cal)
		if err != nil {
			return nil, err
		}
		check := ModelCheck{Fit: f}
		// Expected purchases at each week's end: given alive per (x, T),
		// times P(alive) per triple.
		pr := pairsOf(&g)
		given := make([][]float64, len(pr.x))
		parallel(len(pr.x), 8, func(i int) {
			given[i] = make([]float64, weeks)
			for w := 0; w < weeks; w++ {
				days := math.Min(float64(7*(w+1)), float64(v.HoldoutDays))
				given[i][w] = f.expectedIfAlive(days/unit.Days(), pr.x[i], pr.t[i])
			}
		})
		cum := make([][]float64, len(g.x))
		parallel(len(g.x), 256, func(i int) {
			a := f.PAlive(g.x[i], g.tx[i], g.t[i])
			cum[i] = make([]float64, weeks)
			for w := range cum[i] {
				cum[i][w] = a * given[pr.of[i]][w]
			}
		})
		for i := range cal.X {
			e := cum[g.of[i]][weeks-1]
			check.Predicted += e
			check.MAE += math.Abs(e - actual[i])
			buckets[min(int(cal.X[i]), 7)].Predicted[m] += e
			for w := 0; w < weeks; w++ {
				v.Weekly[w].PredictedCumulative[m] += cum[g.of[i]][w]
			}
		}
		check.MAE /= float64(cal.Len())
		v.Models = append(v.Models, check)
	}
	for b := range buckets {
		if n := float64(buckets[b].Customers); n > 0 {
			buckets[b].Actual /= n
			for m := range models {
				buckets[b].Predicted[m] /= n
			}
		}
	}
	for m := range v.Models {
		sum, n := 0.0, 0
		for _, b := range buckets {
			if b.Customers > 0 {
				sum += math.Abs(b.Predicted[m] - b.Actual)
				n++
			}
		}
		v.Models[m].MeanAbsByFreqErr = sum / float64(max(n, 1))
	}
	v.ByFrequency = buckets
	cumActual := 0.0
	for w := range v.Weekly {
		cumActual += v.Weekly[w].Actual
		v.Weekly[w].ActualCumulative = cumActual
		for m := range models {
			prev := 0.0
			if w > 0 {
				prev = v.Weekly[w-1].PredictedCumulative[m]
			}
			v.Weekly[w].Predicted[m] = v.Weekly[w].PredictedCumulative[m] - prev
		}
	}
	return v, nil
}

// Best is the model with the smallest holdout MAE.
func (v *Validation) Best() *ModelCheck {
	ms := append([]ModelCheck(nil), v.Models...)
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].MAE < ms[j].MAE })
	for i := range v.Models {
		if v.Models[i].Fit.Model == ms[0].Fit.Model {
			return &v.Models[i]
		}
	}
	return nil
}
