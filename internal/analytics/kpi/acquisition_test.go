package kpi

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

func TestAcquisition(t *testing.T) {
	o, s := fixture()
	s.Channel = []string{"douyin", "", "douyin", "wechat"} // the 03-01 and 04-01 acquisition spend is douyin's, 02-29 wechat's
	s.Day = append(s.Day, d("2024-03-10"))                 // baidu spends and wins nobody
	s.Channel = append(s.Channel, "baidu")
	s.Amount = append(s.Amount, 120)
	s.Acquisition = append(s.Acquisition, true)
	ch := map[int64]string{1: "douyin", 2: "wechat", 3: "douyin", 4: "store"}
	rows := Acquisition(o, s, ch, Month, d("2024-01-01"), d("2024-03-31"))
	find := func(c, p string) *ChannelRow {
		for i := range rows {
			if rows[i].Channel == c && rows[i].Period == p {
				return &rows[i]
			}
		}
		return nil
	}
	// douyin in March: C is new (40 of revenue), 300 of spend.
	if r := find("douyin", "2024-03"); r == nil || r.New != 1 || r.Spend != 300 || r.CAC.Value != 300 || r.LTV.Value != 40 || r.PaybackMo.Valid {
		t.Errorf("douyin 2024-03 = %+v", r)
	}
	// wechat in February: B is new (200), 80 of spend: LTV:CAC 2.5, paid back in the first month.
	if r := find("wechat", "2024-02"); r == nil || r.CAC.Value != 80 || r.LTVToCAC.Value != 2.5 || r.PaybackMo.Value != 1 {
		t.Errorf("wechat 2024-02 = %+v", r)
	}
	// douyin in January: A is new with no spend: CAC 0 (organic), LTV:CAC undefined.
	if r := find("douyin", "2024-01"); r == nil || r.CAC.Value != 0 || !r.CAC.Valid || r.LTVToCAC.Valid || r.PaybackMo.Valid || r.LTV.Value != 250 {
		t.Errorf("douyin 2024-01 = %+v", r)
	}
	// baidu in March: spend and no new customer: CAC undefined, never Inf.
	if r := find("baidu", "2024-03"); r == nil || r.Spend != 120 || r.New != 0 || r.CAC.Valid || r.LTV.Valid {
		t.Errorf("baidu 2024-03 = %+v", r)
	}
}

func TestDriversAddUp(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f := func(name string) PeriodFigures {
			buyers := rapid.IntRange(1, 1000).Draw(t, name+"buyers")
			orders := buyers + rapid.IntRange(0, 1000).Draw(t, name+"extra")
			return PeriodFigures{Active: buyers, Orders: orders, Revenue: int64(rapid.IntRange(1, 1e9).Draw(t, name+"rev"))}
		}
		b, n := f("b"), f("n")
		vb := int64(rapid.IntRange(0, 1e6).Draw(t, "vb"))
		vn := int64(rapid.IntRange(0, 1e6).Draw(t, "vn"))
		if vb > 0 && vb < int64(b.Active) {
			vb = int64(b.Active)
		}
		if vn > 0 && vn < int64(n.Active) {
			vn = int64(n.Active)
		}
		fs, ok := Drivers(b, n, vb, vn)
		if !ok {
			t.Fatalf("undefined with positive figures")
		}
		var sum float64
		prod0, prod1 := 1.0, 1.0
		for _, x := range fs {
			sum += x.Contribution
			prod0 *= x.Before
			prod1 *= x.Now
		}
		want := float64(n.Revenue - b.Revenue)
		// Floating point leaves a residue on the scale of the revenue, not
		// of the change: with revenue the same in both periods (a change of
		// 0) the logs of the factors' ratios still cancel only to ~1e-15.
		if math.Abs(sum-want) > math.Max(1e-6*math.Abs(want), 1e-9*math.Max(float64(b.Revenue), float64(n.Revenue))) {
			t.Fatalf("parts sum to %v, change is %v", sum, want)
		}
		if math.Abs(prod0-float64(b.Revenue)) > 1e-6*float64(b.Revenue) || math.Abs(prod1-float64(n.Revenue)) > 1e-6*float64(n.Revenue) {
			t.Fatalf("factors multiply to %v / %v, revenue %v / %v", prod0, prod1, b.Revenue, n.Revenue)
		}
		if (vb > 0 && vn > 0) != (len(fs) == 4) {
			t.Fatalf("%d factors with visitors %d / %d", len(fs), vb, vn)
		}
	})
	if _, ok := Drivers(PeriodFigures{}, PeriodFigures{Active: 1, Orders: 1, Revenue: 5}, 0, 0); ok {
		t.Error("a period with no revenue should leave the decomposition undefined")
	}
}
