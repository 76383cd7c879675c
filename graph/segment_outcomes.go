package graph

import (
	"context"
	"math"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/journeys"
)

// EntryOutcomes returns, by person, the outcome of each person's first
// entry into q.Segment in [q.From, q.To) (zero times: unbounded): whether
// they were in the control group and whether an event of step q.Step
// followed within q.Within.
func (s *Store) EntryOutcomes(ctx context.Context, q journeys.OutcomeQuery) ([]journeys.EntryOutcome, error) {
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	if !q.From.IsZero() {
		from = q.From.UnixMilli()
	}
	if !q.To.IsZero() {
		to = q.To.UnixMilli()
	}
	var out []journeys.EntryOutcome
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "segment_entry_outcomes", map[string]any{"segment": q.Segment, "from": from, "to": to,
			"step": q.Step, "within": q.Within.Milliseconds()})
		if err != nil {
			return err
		}
		out = make([]journeys.EntryOutcome, len(recs))
		for i, r := range recs {
			out[i] = journeys.EntryOutcome{Person: str(r, "person"), At: millis(intOf(r, "at")),
				Control: boolOf(r, "control"), Converted: boolOf(r, "converted")}
		}
		return nil
	})
	return out, wrap("entry outcomes", err)
}
