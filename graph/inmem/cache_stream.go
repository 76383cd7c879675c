package inmem

import (
	"context"
	"errors"
	"sort"

	"github.com/journeygraph/journeygraph/journeys"
)

// eventFilter keeps the events of a Filter (time range, channel, device).
type eventFilter struct {
	from, to        int64
	channel, device string
}

func newEventFilter(f journeys.Filter) eventFilter {
	from, to := f.Range()
	return eventFilter{from: from, to: to, channel: f.Channel, device: f.Device}
}

// window returns the events of p in [from, to).
func (ef eventFilter) window(p *cachedPerson) []cachedEvent {
	lo, hi := ef.bounds(p)
	return p.events[lo:hi]
}

// bounds returns the index range of the events of p in [from, to).
func (ef eventFilter) bounds(p *cachedPerson) (lo, hi int) {
	ev := p.events
	lo = sort.Search(len(ev), func(i int) bool { return ev[i].ts >= ef.from })
	hi = lo + sort.Search(len(ev)-lo, func(i int) bool { return ev[lo+i].ts >= ef.to })
	return lo, hi
}

func (ef eventFilter) keep(s *cacheSnapshot, e *cachedEvent) bool {
	return (ef.channel == "" || s.strs[e.channel] == ef.channel) && (ef.device == "" || s.strs[e.device] == ef.device)
}

// Sequences implements SequenceReader from memory, after a Sync.
func (c *Cache) Sequences(ctx context.Context, f journeys.Filter, withSessions bool) (journeys.SequenceSet, error) {
	if err := errors.Join(f.Validate(), f.NoSegment()); err != nil {
		return nil, err
	}
	s, err := c.current(ctx)
	if err != nil {
		return nil, err
	}
	lo, hi := s.scope(f.PersonPrefix)
	return &cacheSequences{s: s, ef: newEventFilter(f), sessions: withSessions, i: lo - 1, hi: hi}, nil
}

// cacheSequences iterates the step sequences of a snapshot.
type cacheSequences struct {
	s        *cacheSnapshot
	ef       eventFilter
	sessions bool
	i, hi    int
	cur      journeys.Sequence
}

func (it *cacheSequences) Next() bool {
	s := it.s
	for it.i++; it.i < it.hi; it.i++ {
		it.cur.Person, it.cur.Events = s.ids[it.i], it.cur.Events[:0]
		for k, w := 0, it.ef.window(s.people[it.i]); k < len(w); k++ {
			e := &w[k]
			if e.step == 0 || !it.ef.keep(s, e) {
				continue
			}
			se := journeys.StepEvent{Step: s.strs[e.step], TS: e.ts}
			if it.sessions {
				se.Session = s.strs[e.session]
			}
			it.cur.Events = append(it.cur.Events, se)
		}
		if len(it.cur.Events) > 0 {
			return true
		}
	}
	return false
}

func (it *cacheSequences) At() journeys.Sequence { return it.cur }
func (it *cacheSequences) Err() error            { return nil }
func (it *cacheSequences) Close() error          { it.i = it.hi; return nil }

// Touches implements TouchReader from memory, after a Sync.
func (c *Cache) Touches(ctx context.Context, q journeys.TouchQuery) (journeys.TouchSet, error) {
	parts, err := c.TouchParts(ctx, q, 1)
	if err != nil {
		return nil, err
	}
	return parts[0], nil
}

// TouchParts streams q from memory, after a Sync, as n streams of
// consecutive people (by id) holding about as many events each: together
// they are Touches' stream, and they can be read concurrently.
func (c *Cache) TouchParts(ctx context.Context, q journeys.TouchQuery, n int) ([]journeys.TouchSet, error) {
	if err := errors.Join(q.Filter.Validate(), q.Filter.NoSegment()); err != nil {
		return nil, err
	}
	s, err := c.current(ctx)
	if err != nil {
		return nil, err
	}
	var names map[string]bool
	if len(q.Events) > 0 {
		names = map[string]bool{}
		for _, n := range q.Events {
			names[n] = true
		}
	}
	lo, hi := s.scope(q.Filter.PersonPrefix)
	cuts := s.split(lo, hi, max(1, n))
	parts := make([]journeys.TouchSet, len(cuts)-1)
	for k := range parts {
		parts[k] = &cacheTouches{s: s, ef: newEventFilter(q.Filter), all: q.AllSteps(), every: q.Every,
			names: names, i: cuts[k] - 1, hi: cuts[k+1]}
	}
	return parts, nil
}

var _ journeys.TouchParter = (*Cache)(nil)

// split cuts the people [lo, hi) into n ranges of about as many events
// each: range k is [cuts[k], cuts[k+1]).
func (s *cacheSnapshot) split(lo, hi, n int) (cuts []int) {
	total := 0
	for i := lo; i < hi; i++ {
		total += len(s.people[i].events)
	}
	cuts = append(cuts, lo)
	seen := 0
	for i := lo; i < hi && len(cuts) < n; i++ {
		if seen += len(s.people[i].events); seen*n >= total*len(cuts) {
			cuts = append(cuts, i+1)
		}
	}
	for len(cuts) <= n {
		cuts = append(cuts, hi)
	}
	return cuts
}

// cacheTouches iterates the touch sequences of a snapshot.
type cacheTouches struct {
	s     *cacheSnapshot
	ef    eventFilter
	all   bool            // every event with a step
	every bool            // every event
	names map[string]bool // and those with one of these names or steps
	i, hi int
	cur   journeys.TouchSequence
}

func (it *cacheTouches) Next() bool {
	s := it.s
	for it.i++; it.i < it.hi; it.i++ {
		it.cur.Person, it.cur.Touches = s.ids[it.i], it.cur.Touches[:0]
		for k, w := 0, it.ef.window(s.people[it.i]); k < len(w); k++ {
			e := &w[k]
			if !it.every && !(it.all && e.step != 0) && !it.names[s.strs[e.name]] && !(e.step != 0 && it.names[s.strs[e.step]]) {
				continue
			}
			if !it.ef.keep(s, e) {
				continue
			}
			it.cur.Touches = append(it.cur.Touches, e.touch(s.strs))
		}
		if len(it.cur.Touches) > 0 {
			return true
		}
	}
	return false
}

// touch returns e with its strings.
func (e *cachedEvent) touch(strs []string) journeys.Touch {
	return journeys.Touch{StepEvent: journeys.StepEvent{Step: strs[e.step], TS: e.ts, Session: strs[e.session]},
		Type: strs[e.typ], Name: strs[e.name], URL: strs[e.url], Channel: strs[e.channel],
		Campaign: strs[e.campaign], Device: strs[e.device], Value: e.value}
}

func (it *cacheTouches) At() journeys.TouchSequence { return it.cur }
func (it *cacheTouches) Err() error                 { return nil }
func (it *cacheTouches) Close() error               { it.i = it.hi; return nil }
