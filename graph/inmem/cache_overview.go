package inmem

import (
	"context"
	"math"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

var _ journeys.OverviewReader = (*Cache)(nil)

// Overview counts events, people, session starts and converters over
// [from, to), in total and per UTC day, from memory, as graph.Store's
// Overview does from Neo4j: an event starts a session when the person's
// previous event (in or out of the range) is more than sessionTimeout
// before it, or there is none.
func (c *Cache) Overview(ctx context.Context, from, to time.Time, conversion string, sessionTimeout time.Duration) (journeys.Overview, error) {
	s, err := c.current(ctx)
	if err != nil {
		return journeys.Overview{}, err
	}
	o := journeys.Overview{From: from.UTC(), To: to.UTC()}
	ef := eventFilter{from: from.UnixMilli(), to: to.UnixMilli()}
	gap := sessionTimeout.Milliseconds()
	const dayMs = 86400000
	days := map[int64]*journeys.DayStats{}
	for _, p := range s.people {
		first, end := ef.bounds(p)
		w := p.events[first:end]
		if len(w) == 0 {
			continue
		}
		o.People++
		converted, lastDay, lastConvDay := false, int64(math.MinInt64), int64(math.MinInt64)
		for k := range w {
			e := &w[k]
			day := floorDiv(e.ts, dayMs)
			d := days[day]
			if d == nil {
				d = &journeys.DayStats{Day: time.UnixMilli(day * dayMs).UTC()}
				days[day] = d
			}
			d.Events++
			if day != lastDay {
				d.People++
				lastDay = day
			}
			if i := first + k; i == 0 || e.ts-p.events[i-1].ts > gap {
				d.Sessions++
			}
			if conversion != "" && s.strs[e.step] == conversion {
				converted = true
				if day != lastConvDay {
					d.Converters++
					lastConvDay = day
				}
			}
		}
		o.Events += len(w)
		if converted {
			o.Converters++
		}
	}
	for _, d := range days {
		o.Sessions += d.Sessions
		o.Days = append(o.Days, *d)
	}
	o.FillDays()
	return o, nil
}

// floorDiv is a / b rounded down (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// DataRange returns the times of the first and last cached events.
func (c *Cache) DataRange(ctx context.Context) (first, last time.Time, err error) {
	s, err := c.current(ctx)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for _, p := range s.people {
		if n := len(p.events); n > 0 {
			lo, hi = min(lo, p.events[0].ts), max(hi, p.events[n-1].ts)
		}
	}
	if hi == math.MinInt64 {
		return time.Time{}, time.Time{}, nil
	}
	return time.UnixMilli(lo).UTC(), time.UnixMilli(hi).UTC(), nil
}
