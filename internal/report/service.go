package report

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kithcrm/kith/internal/analytics/rfm"
)

// Backend is what the report service needs: every source plus a version
// that moves with any write reports can see.
type Backend interface {
	Source
	AcquisitionSource
	DataVersion(ctx context.Context) (int64, error)
}

// Service computes reports for a server, remembering results while the
// data version stands still: a dashboard seen by twenty people costs one
// computation, and concurrent requests for the same report wait for the
// one in flight instead of each starting their own.
type Service struct {
	src Backend
	mu  sync.Mutex
	// version the entries were computed under; entries are dropped when
	// the data moves.
	version int64
	entries map[string]*entry
}

type entry struct {
	done chan struct{}
	v    any
	err  error
}

// maxEntries bounds the cache: distinct parameter sets beyond it start a
// fresh cache rather than growing without limit.
const maxEntries = 512

// NewService returns a caching report service over src.
func NewService(src Backend) *Service {
	return &Service{src: src, entries: map[string]*entry{}}
}

func optionsKey(o Options) string {
	return fmt.Sprintf("%s|%s|%s|%d", o.AsOf.Format("2006-01-02"), o.Period, o.Location, o.ChurnWindow)
}

func cached[T any](ctx context.Context, s *Service, key string, compute func() (T, error)) (T, error) {
	var zero T
	version, err := s.src.DataVersion(ctx)
	if err != nil {
		return zero, err
	}
	s.mu.Lock()
	if version != s.version || len(s.entries) >= maxEntries {
		s.version, s.entries = version, map[string]*entry{}
	}
	e, ok := s.entries[key]
	if !ok {
		e = &entry{done: make(chan struct{})}
		s.entries[key] = e
		s.mu.Unlock()
		// Computed without the request's cancellation: other requests may
		// be waiting for this result.
		e.v, e.err = compute()
		close(e.done)
		if e.err != nil {
			s.mu.Lock()
			if s.entries[key] == e {
				delete(s.entries, key)
			}
			s.mu.Unlock()
		}
	} else {
		s.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return zero, ctx.Err()
		}
	}
	if e.err != nil {
		return zero, e.err
	}
	return e.v.(T), nil
}

// Overview is RetentionOverview, cached.
func (s *Service) Overview(ctx context.Context, o Options) (*Overview, error) {
	return cached(ctx, s, "overview|"+optionsKey(o), func() (*Overview, error) {
		return RetentionOverview(context.WithoutCancel(ctx), s.src, o)
	})
}

// Trend is Trend, cached.
func (s *Service) Trend(ctx context.Context, o Options, from time.Time) (*TrendReport, error) {
	return cached(ctx, s, "trend|"+optionsKey(o)+"|"+from.Format("2006-01-02"), func() (*TrendReport, error) {
		return Trend(context.WithoutCancel(ctx), s.src, o, from)
	})
}

// Cohorts is CohortReport, cached.
func (s *Service) Cohorts(ctx context.Context, o Options) (*CohortMatrix, error) {
	return cached(ctx, s, "cohorts|"+optionsKey(o), func() (*CohortMatrix, error) {
		return CohortReport(context.WithoutCancel(ctx), s.src, o)
	})
}

// CAC is CAC, cached.
func (s *Service) CAC(ctx context.Context, o Options, from time.Time) (*CACReport, error) {
	return cached(ctx, s, "cac|"+optionsKey(o)+"|"+from.Format("2006-01-02"), func() (*CACReport, error) {
		return CAC(context.WithoutCancel(ctx), s.src, o, from)
	})
}

// Drivers is Drivers, cached.
func (s *Service) Drivers(ctx context.Context, o Options, yoy bool) (*DriverReport, error) {
	return cached(ctx, s, fmt.Sprintf("drivers|%s|%t", optionsKey(o), yoy), func() (*DriverReport, error) {
		return Drivers(context.WithoutCancel(ctx), s.src, o, yoy)
	})
}

// RFM is RFM, cached; list names a segment whose members to look up.
func (s *Service) RFM(ctx context.Context, o Options, compareTo time.Time, list rfm.Segment) (*RFMReport, error) {
	key := fmt.Sprintf("rfm|%s|%s|%s", optionsKey(o), compareTo.Format("2006-01-02"), list)
	return cached(ctx, s, key, func() (*RFMReport, error) {
		return RFM(context.WithoutCancel(ctx), s.src, o, compareTo, list)
	})
}

// Classes is ValueTenure, cached.
func (s *Service) Classes(ctx context.Context, o Options) (*ClassReport, error) {
	return cached(ctx, s, "classes|"+optionsKey(o), func() (*ClassReport, error) {
		return ValueTenure(context.WithoutCancel(ctx), s.src, o)
	})
}

// Pareto is RevenueConcentration, cached.
func (s *Service) Pareto(ctx context.Context, o Options) (*Pareto, error) {
	return cached(ctx, s, "pareto|"+optionsKey(o), func() (*Pareto, error) {
		return RevenueConcentration(context.WithoutCancel(ctx), s.src, o)
	})
}

// LastPurchase is the time of the latest paid order (zero without orders),
// cached: the UI shows a shop whose data stops before today as of its last
// day rather than an empty current period.
func (s *Service) LastPurchase(ctx context.Context) (time.Time, error) {
	return cached(ctx, s, "last-purchase", func() (time.Time, error) {
		p, err := s.src.Purchases(context.WithoutCancel(ctx), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC))
		if err != nil {
			return time.Time{}, err
		}
		var last int64
		for _, at := range p.At {
			last = max(last, at)
		}
		if last == 0 {
			return time.Time{}, nil
		}
		return time.Unix(last, 0).UTC(), nil
	})
}
