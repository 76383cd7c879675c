package inmem

import "math"

// Stored returns the journey the cache holds for id, as of its last sync
// (it does not sync), and whether it holds the person: every event with
// its details, the person's fields, the id of the last event and the
// person's stamps. Integer values come back as int64. Tests compare a
// synced cache with one freshly loaded through it.
func (c *Cache) Stored(id string) (StoredJourney, bool) {
	s := c.snap.Load()
	if s == nil {
		return StoredJourney{}, false
	}
	return s.stored(id)
}

// stored is Stored on s.
func (s *cacheSnapshot) stored(id string) (StoredJourney, bool) {
	p := s.find(id)
	if p == nil {
		return StoredJourney{}, false
	}
	j := StoredJourney{Person: id, Touched: p.touched, LastID: p.lastID, Rewritten: p.rewritten,
		Fields: propValues(s.strs, p.props[:p.attrs])}
	for k := range p.events {
		e := &p.events[k]
		j.Touches = append(j.Touches, e.touch(s.strs))
		j.Details = append(j.Details, EventDetail{Product: s.strs[e.product], Props: propValues(s.strs, p.eventProps(k))})
	}
	return j, true
}

// propValues returns props by name (nil when none).
func propValues(strs []string, props []cachedProp) map[string]any {
	if len(props) == 0 {
		return nil
	}
	m := make(map[string]any, len(props))
	for _, p := range props {
		var v any
		switch p.kind {
		case propString:
			v = strs[p.bits]
		case propInt:
			v = int64(p.bits)
		case propFloat:
			v = math.Float64frombits(p.bits)
		case propBool:
			v = p.bits == 1
		}
		m[strs[p.key]] = v
	}
	return m
}
