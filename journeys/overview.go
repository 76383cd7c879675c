package journeys

import (
	"context"
	"time"
)

// Overview sums up activity over a date range.
type Overview struct {
	From           time.Time  `json:"from"`
	To             time.Time  `json:"to"`
	Events         int        `json:"events"`
	People         int        `json:"people"`
	Sessions       int        `json:"sessions"`   // events that start a session (no previous event within the session timeout)
	Converters     int        `json:"converters"` // people with at least one conversion step in the range
	ConversionRate float64    `json:"conversion_rate"`
	Days           []DayStats `json:"days"` // one per UTC day of the range, zeros included
}

// DayStats is one day of an Overview.
type DayStats struct {
	Day        time.Time `json:"day"`
	Events     int       `json:"events"`
	People     int       `json:"people"`
	Sessions   int       `json:"sessions"`
	Converters int       `json:"converters"`
}

// OverviewReader reads activity over a range [from, to). DataRange returns
// the times of the first and last stored events (zero times when there are
// none).
type OverviewReader interface {
	Overview(ctx context.Context, from, to time.Time, conversion string, sessionTimeout time.Duration) (Overview, error)
	DataRange(ctx context.Context) (first, last time.Time, err error)
}

// FillDays completes o.Days so that every UTC day of [o.From, o.To) has an
// entry, in order, and computes the conversion rate.
func (o *Overview) FillDays() {
	byDay := make(map[int64]DayStats, len(o.Days))
	for _, d := range o.Days {
		byDay[d.Day.Unix()] = d
	}
	days := []DayStats{}
	for d := o.From.UTC().Truncate(24 * time.Hour); d.Before(o.To); d = d.Add(24 * time.Hour) {
		s, ok := byDay[d.Unix()]
		if !ok {
			s = DayStats{Day: d}
		}
		days = append(days, s)
	}
	o.Days = days
	if o.People > 0 {
		o.ConversionRate = float64(o.Converters) / float64(o.People)
	}
}
