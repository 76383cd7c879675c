package inmem

import (
	"context"
	"slices"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// explainEvents is how many events an explanation lists per person, as the
// Cypher reference (explain_members.cypher) does.
const explainEvents = 10

// Explain is the journey cache's answer to the Cypher explanation
// (journeys.SegmentStore.Explain), on the current snapshot: for each
// person it holds, their latest events (at most 10, newest first, ties in
// time by id, descending) among those a leaf selects (its field, values or
// excluded steps, and window; a leaf's Where is not checked, as in the
// reference), and their decoded hidden state, without a query: the cache
// holds the events' ids ("" when its source gave none).
func (c *Cache) Explain(_ context.Context, people []string, leaves []journeys.EventCond) (map[string]journeys.Explanation, error) {
	s := c.snap.Load()
	if s == nil {
		return nil, journeys.Errorf(journeys.EUNAVAILABLE, "journey cache: not loaded yet")
	}
	out := make(map[string]journeys.Explanation, len(people))
	for _, id := range people {
		p := s.find(id)
		if p == nil {
			continue
		}
		var ex journeys.Explanation
		fields := propValues(s.strs, p.props[:p.attrs])
		ex.State, _ = fields["hmm_state"].(string)
		ex.StateP, _ = fields["hmm_state_p"].(float64)
		for k := len(p.events) - 1; k >= 0 && len(ex.Events) < explainEvents; k-- {
			e := &p.events[k]
			if !selected(s.strs, e, leaves) {
				continue
			}
			ex.Events = append(ex.Events, journeys.ExplainedEvent{ID: p.ids.at(k), Name: s.strs[e.name], Step: s.strs[e.step],
				Time: time.UnixMilli(e.ts).UTC(), Product: s.strs[e.product], Channel: s.strs[e.channel]})
		}
		out[id] = ex
	}
	return out, nil
}

// selected reports whether a leaf selects e: in its window, and of its
// steps or names, or (field "") any step but the excluded ones.
func selected(strs []string, e *cachedEvent, leaves []journeys.EventCond) bool {
	for i := range leaves {
		l := &leaves[i]
		if e.ts < l.From || e.ts >= l.To {
			continue
		}
		switch l.Field {
		case "step":
			if e.step != 0 && slices.Contains(l.Values, strs[e.step]) {
				return true
			}
		case "name":
			if e.name != 0 && slices.Contains(l.Values, strs[e.name]) {
				return true
			}
		case "":
			if e.step != 0 && !slices.Contains(l.Exclude, strs[e.step]) {
				return true
			}
		}
	}
	return false
}
