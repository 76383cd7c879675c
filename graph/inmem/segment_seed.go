package inmem

import (
	"slices"

	"github.com/journeygraph/journeygraph/journeys"
)

// A filter is a cheap necessary condition of a plan, tested on a person's
// meta before the plan is evaluated on their events: a block that needs an
// event of some steps or names in a window admits only people whose mask
// has the bit of one of those ids (stepBits) and whose events span some of
// the window; a people list admits its people; all needs every kid's
// filter, any some kid's. A nil filter admits everyone (a not, a person
// comparison, a count that may be 0...).
type filter struct {
	kind     journeys.PredKind // PredAll, PredAny, or a leaf: PredPeople, PredExists (an event seed)
	kids     []*filter
	people   []int32 // PredPeople: snapshot indexes, sorted
	mask     uint64  // PredExists: the ids' bits; 0 for any event of the person's own
	from, to int64
}

// filterOf returns the filter of n (nil: everyone), with the bits of t.
func filterOf(n *plan, t *stepBits) *filter {
	switch n.kind {
	case journeys.PredAll:
		f := &filter{kind: journeys.PredAll}
		for k := range n.kids {
			if kf := filterOf(&n.kids[k], t); kf != nil {
				f.kids = append(f.kids, kf)
			}
		}
		if len(f.kids) == 0 {
			return nil
		}
		return f
	case journeys.PredAny:
		f := &filter{kind: journeys.PredAny}
		for k := range n.kids {
			kf := filterOf(&n.kids[k], t)
			if kf == nil {
				return nil
			}
			f.kids = append(f.kids, kf)
		}
		return f // an empty any admits no one, as it holds for no one
	case journeys.PredPeople:
		return &filter{kind: journeys.PredPeople, people: n.people}
	case journeys.PredExists, journeys.PredSame, journeys.PredNotFollowed:
		return eventSeed(&n.ev[0], t)
	case journeys.PredCount:
		if n.min >= 1 {
			return eventSeed(&n.ev[0], t)
		}
	case journeys.PredRate:
		return eventSeed(&n.ev[1], t) // per ≥ minBase ≥ 1
	case journeys.PredSequence:
		f := &filter{kind: journeys.PredAll}
		for k := range n.ev {
			f.kids = append(f.kids, eventSeed(&n.ev[k], t))
		}
		return f
	}
	return nil
}

// eventSeed is the filter of "an event meeting c".
func eventSeed(c *evCond, t *stepBits) *filter {
	f := &filter{kind: journeys.PredExists, from: c.from, to: c.to}
	if c.match != matchOwn {
		for _, id := range c.ids {
			b, _ := t.get(id)
			f.mask |= b
		}
		if f.mask == 0 { // no one's step or name
			return &filter{kind: journeys.PredAny}
		}
	}
	return f
}

// admits reports whether the person of snapshot index i, of meta m,
// passes f.
func (f *filter) admits(m *personMeta, i int32) bool {
	if f == nil {
		return true
	}
	switch f.kind {
	case journeys.PredAll:
		for _, k := range f.kids {
			if !k.admits(m, i) {
				return false
			}
		}
		return true
	case journeys.PredAny:
		for _, k := range f.kids {
			if k.admits(m, i) {
				return true
			}
		}
		return false
	case journeys.PredPeople:
		_, ok := slices.BinarySearch(f.people, i)
		return ok
	}
	return m.first < f.to && m.last >= f.from && (f.mask == 0 || m.mask&f.mask != 0)
}

// peopleOnly returns, when f admits only people of its lists, a sorted
// superset of them: the candidates, instead of every person in scope.
func (f *filter) peopleOnly() ([]int32, bool) {
	if f == nil {
		return nil, false
	}
	switch f.kind {
	case journeys.PredPeople:
		return f.people, true
	case journeys.PredAll:
		var best []int32
		found := false
		for _, k := range f.kids {
			if ps, ok := k.peopleOnly(); ok && (!found || len(ps) < len(best)) {
				best, found = ps, true
			}
		}
		return best, found
	case journeys.PredAny:
		var all []int32
		for _, k := range f.kids {
			ps, ok := k.peopleOnly()
			if !ok {
				return nil, false
			}
			all = append(all, ps...)
		}
		slices.Sort(all)
		return slices.Compact(all), true
	}
	return nil, false
}
