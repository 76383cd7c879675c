package report

import (
	"context"
	"fmt"
	"math"
)

// FunnelDroppedIDs returns the ids of everyone who dropped at q.Step,
// sorted; q.Offset and q.Limit are not used. It is the list a static
// segment of them is saved from (StaticSegment).
func (a *Analytics) FunnelDroppedIDs(ctx context.Context, q DroppedQuery) ([]string, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	fc := NewFunnelCounter(q.Funnel, a.rules(), a.SessionTimeout, q.Step)
	if err := a.each(ctx, q.Funnel.Filter, a.rules().CollapseRepeats, fc.Add); err != nil {
		return nil, fmt.Errorf("funnel dropped: %w", err)
	}
	page := fc.Dropped(0, math.MaxInt)
	ids := make([]string, len(page.People))
	for i, p := range page.People {
		ids[i] = p.ID
	}
	return ids, nil
}
