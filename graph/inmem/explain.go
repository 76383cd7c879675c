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

// EventKey names the events of a person at one time (epoch ms).
type EventKey struct {
	Person string
	TS     int64
}

// NamedID is an event's id and name.
type NamedID struct {
	ID, Name string
}

// EventNamer is a JourneySource that can name events. The cache holds no
// event ids (they would nearly double its memory), so an explanation asks
// the store for the ids of the few events it shows.
type EventNamer interface {
	// EventIDs returns, for each key whose person has events at that time,
	// those events' ids and names in chain order (by id).
	EventIDs(ctx context.Context, keys []EventKey) (map[EventKey][]NamedID, error)
}

// Explain is the journey cache's answer to the Cypher explanation
// (journeys.SegmentStore.Explain), on the current snapshot: for each
// person it holds, their latest events (at most 10, newest first, ties in
// time by id, descending) among those a leaf selects (its field, values or
// excluded steps, and window; a leaf's Where is not checked, as in the
// reference), and their decoded hidden state. The events' ids come from the
// Source when it is an EventNamer, one query for every person; without
// one, or for an event the store no longer holds, the id is "".
func (c *Cache) Explain(ctx context.Context, people []string, leaves []journeys.EventCond) (map[string]journeys.Explanation, error) {
	s := c.snap.Load()
	if s == nil {
		return nil, journeys.Errorf(journeys.EUNAVAILABLE, "journey cache: not loaded yet")
	}
	out := make(map[string]journeys.Explanation, len(people))
	type pending struct {
		person string
		event  int
		key    EventKey
		nth    int // among the person's events at key.TS
	}
	var need []pending
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
			nth := 0
			for j := k - 1; j >= 0 && p.events[j].ts == e.ts; j-- {
				nth++
			}
			need = append(need, pending{id, len(ex.Events), EventKey{id, e.ts}, nth})
			ex.Events = append(ex.Events, journeys.ExplainedEvent{Name: s.strs[e.name], Step: s.strs[e.step],
				Time: time.UnixMilli(e.ts).UTC(), Product: s.strs[e.product], Channel: s.strs[e.channel]})
		}
		out[id] = ex
	}
	namer, ok := c.Source.(EventNamer)
	if !ok || len(need) == 0 {
		return out, nil
	}
	keys := make([]EventKey, 0, len(need))
	for _, n := range need {
		if len(keys) == 0 || keys[len(keys)-1] != n.key {
			keys = append(keys, n.key)
		}
	}
	named, err := namer.EventIDs(ctx, keys)
	if err != nil {
		return nil, err
	}
	for _, n := range need {
		ev := &out[n.person].Events[n.event]
		ev.ID = pickID(named[n.key], n.nth, ev.Name)
	}
	return out, nil
}

// pickID returns the id of the nth event at a time (in chain order) when
// the store holds it under that name, else the first of that name ("" for
// none): the store may have gained or lost an event since the snapshot.
func pickID(at []NamedID, nth int, name string) string {
	if nth < len(at) && at[nth].Name == name {
		return at[nth].ID
	}
	if i := slices.IndexFunc(at, func(n NamedID) bool { return n.Name == name }); i >= 0 {
		return at[i].ID
	}
	return ""
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
