package graph

import (
	"context"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/journeys"
)

// SurvivalTimes returns, by person, when each person who entered
// q.Segment before q.AsOf started and when they first did q.Step after
// (journeys.SurvivalQuery); people who left the segment since are kept.
func (s *Store) SurvivalTimes(ctx context.Context, q journeys.SurvivalQuery) ([]journeys.SurvivalTime, error) {
	var out []journeys.SurvivalTime
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "segment_survival_times", map[string]any{"segment": q.Segment, "step": q.Step,
			"as_of": q.AsOf.UnixMilli(), "first_seen": q.FromFirstSeen})
		if err != nil {
			return err
		}
		out = make([]journeys.SurvivalTime, len(recs))
		for i, r := range recs {
			out[i] = journeys.SurvivalTime{Person: str(r, "person"), Start: time.UnixMilli(intOf(r, "start")).UTC()}
			if v, ok := r.Get("done"); ok && v != nil {
				out[i].Done = time.UnixMilli(toInt64(v)).UTC()
			}
		}
		return nil
	})
	return out, wrap("survival times", err)
}
