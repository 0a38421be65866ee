package report

import (
	"context"
	"time"

	"github.com/kithcrm/kith/internal/analytics/kpi"
	"github.com/kithcrm/kith/internal/order"
)

func kpiSpend(sp *SpendRows) *kpi.Spend {
	s := &kpi.Spend{Day: sp.Day, Channel: sp.Channel, Amount: sp.Amount, Acquisition: make([]bool, len(sp.Day))}
	for i, k := range sp.Kind {
		s.Acquisition[i] = order.IsAcquisition(k)
	}
	return s
}

// CACReport is acquisition cost and value per channel and period, with the
// retention side per period.
type CACReport struct {
	Channels  []kpi.ChannelRow
	Retention []kpi.PeriodFigures
	Currency  string
}

// CAC computes the report from the period holding from to o.AsOf.
func CAC(ctx context.Context, src AcquisitionSource, o Options, from time.Time) (*CACReport, error) {
	ord, s, cur, err := ordersAndSpend(ctx, src, o)
	if err != nil {
		return nil, err
	}
	ch, err := src.CustomerChannels(ctx)
	if err != nil {
		return nil, err
	}
	to := localDay(o.AsOf, o.Location)
	r := &CACReport{Channels: kpi.Acquisition(ord, s, ch, o.Period, localDay(from, o.Location), to), Currency: cur}
	r.Retention = kpi.FiguresRange(ord, s, o.Period, o.Period.Index(localDay(from, o.Location)), o.Period.Index(to), to)
	return r, nil
}

// DriverReport is the revenue driver tree between two periods.
type DriverReport struct {
	Before, Now    kpi.PeriodFigures
	VisitorsBefore int64
	VisitorsNow    int64
	Factors        []kpi.Factor
	Defined        bool
	Currency       string
}

// Drivers compares the period holding o.AsOf with the previous one, or the
// same period a year before (yoy).
func Drivers(ctx context.Context, src AcquisitionSource, o Options, yoy bool) (*DriverReport, error) {
	ord, cur, err := orders(ctx, src, o)
	if err != nil {
		return nil, err
	}
	to := localDay(o.AsOf, o.Location)
	idx := o.Period.Index(to)
	prev := idx - 1
	if yoy {
		prev = o.Period.Index(localDay(o.AsOf.AddDate(-1, 0, 0), o.Location))
	}
	r := &DriverReport{Currency: cur}
	r.Now = kpi.Figures(ord, nil, o.Period, idx, to)
	r.Before = kpi.Figures(ord, nil, o.Period, prev, to)
	day := func(d int32) time.Time { return time.Unix(int64(d)*86400, 0).UTC() }
	if r.VisitorsNow, err = src.Visitors(ctx, day(r.Now.Start), day(r.Now.End)); err != nil {
		return nil, err
	}
	if r.VisitorsBefore, err = src.Visitors(ctx, day(r.Before.Start), day(r.Before.End)); err != nil {
		return nil, err
	}
	r.Factors, r.Defined = kpi.Drivers(r.Before, r.Now, r.VisitorsBefore, r.VisitorsNow)
	return r, nil
}
