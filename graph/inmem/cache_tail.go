package inmem

import (
	"context"
	"fmt"
	"math"

	"github.com/journeygraph/journeygraph/journeys"
)

// refresh reads the stale people into changes (nil for those the source no
// longer has). With a TailSource, a person that old holds is read from the
// end of their held journey: the events after it, and their fields. The
// tail is kept only when it proves the store merely added events after
// the held ones: Rewritten is unchanged (no restep, not created anew) and
// the held events plus the tail's are as many as the store holds (an event
// spliced in before the held end, by a late write or an identity merge,
// or events gone, show as more or fewer). Anyone else is read whole: people
// old does not hold, and those whose tail does not prove it.
func (c *Cache) refresh(ctx context.Context, old *cacheSnapshot, stale []string, changes map[string]*cachedPerson) error {
	src, ok := c.Source.(TailSource)
	if !ok {
		return c.read(ctx, stale, changes)
	}
	var whole []string
	ends := make([]JourneyEnd, 0, len(stale))
	for _, id := range stale {
		p := old.find(id)
		switch {
		case p == nil || (len(p.events) > 0 && p.lastID == ""):
			whole = append(whole, id)
		case len(p.events) == 0:
			ends = append(ends, JourneyEnd{Person: id, TS: math.MinInt64})
		default:
			ends = append(ends, JourneyEnd{Person: id, TS: p.events[len(p.events)-1].ts, ID: p.lastID})
		}
	}
	for len(ends) > 0 {
		page := ends[:min(cachePage, len(ends))]
		ends = ends[len(page):]
		tails, err := src.JourneyTails(ctx, page)
		if err != nil {
			return fmt.Errorf("cache sync: %w", err)
		}
		for _, e := range page {
			changes[e.Person] = nil
		}
		for i := range tails {
			t := &tails[i]
			p := old.find(t.Person)
			if _, asked := changes[t.Person]; !asked || p == nil || t.Rewritten != p.rewritten ||
				len(p.events)+len(t.Touches) != t.Events || (len(t.Touches) > 0 && t.LastID == "") {
				whole = append(whole, t.Person)
				continue
			}
			changes[t.Person] = c.extend(p, t)
		}
	}
	return c.read(ctx, whole, changes)
}

// extend returns a new person: p with t's events after its own, and t's
// touched time and fields. p, which a snapshot may hold, is left as it is.
func (c *Cache) extend(p *cachedPerson, t *JourneyTail) *cachedPerson {
	q := &cachedPerson{touched: t.Touched, lastID: p.lastID, rewritten: t.Rewritten}
	if len(t.Touches) > 0 {
		q.lastID = t.LastID
	}
	if n := len(p.props) - int(p.attrs) + countProps(t.StoredJourney); n > 0 {
		q.props = make([]cachedProp, 0, n)
	}
	q.props = c.appendProps(q.props, t.Fields)
	q.attrs = uint32(len(q.props))
	q.props = append(q.props, p.props[p.attrs:]...)
	if q.attrs == p.attrs && len(t.Touches) == 0 {
		q.events, q.ids = p.events, p.ids // the events are immutable, and their props ends did not move
		return q
	}
	q.ids = p.ids.with(idsOf(t.StoredJourney))
	q.events = make([]cachedEvent, len(p.events), len(p.events)+len(t.Touches))
	copy(q.events, p.events)
	for k := range q.events {
		q.events[k].props = q.events[k].props - p.attrs + q.attrs
	}
	c.appendEvents(q, t.Touches, t.Details)
	return q
}

// appendEvents interns touches, and their details when given (same
// index), onto the events and props of p.
func (c *Cache) appendEvents(p *cachedPerson, touches []journeys.Touch, details []EventDetail) {
	for i, t := range touches {
		e := cachedEvent{ts: t.TS, value: t.Value, step: c.strs.id(t.Step), typ: c.strs.id(t.Type),
			name: c.strs.id(t.Name), url: c.strs.id(t.URL), session: c.strs.id(t.Session),
			channel: c.strs.id(t.Channel), campaign: c.strs.id(t.Campaign), device: c.strs.id(t.Device)}
		if i < len(details) {
			e.product = c.strs.id(details[i].Product)
			p.props = c.appendProps(p.props, details[i].Props)
		}
		e.props = uint32(len(p.props))
		p.events = append(p.events, e)
	}
}
