package profile

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// DatesQuery asks for vectors at several times in one pass over the
// journeys: at Dates[i], the vectors of the people for whom Keep(i,
// person) holds (everyone when Keep is nil), among those whose id starts
// with PersonPrefix.
type DatesQuery struct {
	Dates        []time.Time
	PersonPrefix string
	Keep         func(i int, person string) bool
}

// VectorsAt computes q's vectors, one Vectors per date (in q.Dates' order),
// streaming the journeys once; a Vectors with no people has a nil X. The
// channel-share columns are each date's own top channels. Errors:
// EUNAVAILABLE when the store cannot be reached.
func (p *Profiler) VectorsAt(ctx context.Context, q DatesQuery) ([]*Vectors, error) {
	if len(q.Dates) == 0 {
		return nil, nil
	}
	accs := make([]*accumulator, len(q.Dates))
	outbound := p.Outbound.Steps()
	for i, d := range q.Dates {
		accs[i] = newAccumulator(d.UTC(), outbound)
	}
	last := slices.MaxFunc(q.Dates, func(a, b time.Time) int { return a.Compare(b) })
	set, err := p.Touches.Touches(ctx, journeys.TouchQuery{Filter: journeys.Filter{To: last.UTC(), PersonPrefix: q.PersonPrefix}})
	if err != nil {
		return nil, fmt.Errorf("behaviour vectors: %w", err)
	}
	defer set.Close()
	for set.Next() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ts := set.At()
		for i, acc := range accs {
			if q.Keep == nil || q.Keep(i, ts.Person) {
				acc.add(ts)
			}
		}
	}
	if err := set.Err(); err != nil {
		return nil, fmt.Errorf("behaviour vectors: %w", err)
	}
	out := make([]*Vectors, len(accs))
	for i, acc := range accs {
		if len(acc.people) == 0 {
			out[i] = &Vectors{AsOf: time.UnixMilli(acc.rows.asOf).UTC(), Features: Features(nil)}
			continue
		}
		out[i] = acc.vectors()
	}
	return out, nil
}

// FixedFeatures returns the features every vector holds whatever its date
// (the channel shares, which depend on each date's top channels, left
// out); they are the first columns of every Vectors.
func FixedFeatures() []Feature { return slices.Clone(fixedFeatures) }
