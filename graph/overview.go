package graph

import (
	"context"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/journeys"
)

var _ journeys.OverviewReader = (*Store)(nil)

// Overview counts events, people, sessions and converters over [from, to),
// in total and per UTC day.
func (s *Store) Overview(ctx context.Context, from, to time.Time, conversion string, sessionTimeout time.Duration) (journeys.Overview, error) {
	o := journeys.Overview{From: from.UTC(), To: to.UTC()}
	params := map[string]any{"from": from.UnixMilli(), "to": to.UnixMilli(), "conversion": conversion,
		"session_gap_s": sessionTimeout.Seconds()}
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "get_overview_days", params)
		if err != nil {
			return err
		}
		o.Days = o.Days[:0]
		o.Events, o.Sessions = 0, 0
		for _, r := range recs {
			d := journeys.DayStats{Day: time.UnixMilli(intOf(r, "day") * 86400000).UTC(),
				Events: int(intOf(r, "events")), People: int(intOf(r, "people")),
				Sessions: int(intOf(r, "sessions")), Converters: int(intOf(r, "converters"))}
			o.Events += d.Events
			o.Sessions += d.Sessions
			o.Days = append(o.Days, d)
		}
		recs, err = run(ctx, tx, "get_overview_totals", map[string]any{"from": params["from"], "to": params["to"], "conversion": conversion})
		if err != nil || len(recs) == 0 {
			return err
		}
		o.People, o.Converters = int(intOf(recs[0], "people")), int(intOf(recs[0], "converters"))
		return nil
	})
	if err != nil {
		return journeys.Overview{}, wrap("overview", err)
	}
	o.FillDays()
	return o, nil
}

// DataRange returns the times of the first and last stored events.
func (s *Store) DataRange(ctx context.Context) (first, last time.Time, err error) {
	err = s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "get_data_range", nil)
		if err != nil || len(recs) == 0 {
			return err
		}
		first, last = millis(intOf(recs[0], "first_ts")), millis(intOf(recs[0], "last_ts"))
		return nil
	})
	return first, last, wrap("data range", err)
}
