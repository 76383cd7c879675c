package inmem

import (
	"math"
	"slices"
	"sort"

	"github.com/journeygraph/journeygraph/journeys"
)

// evaluator evaluates a plan on one person at a time; each goroutine has
// its own (the scratch slices).
type evaluator struct {
	strs []string
	p    *cachedPerson
	i    int32 // the person's index in the snapshot
	keys []uint32
	// touches is the scratch of cluster blocks: the person's events as
	// touches.
	touches []journeys.Touch
}

// eval returns the truth of n for the current person, in Cypher's
// three-valued logic: only all/any/not of person comparisons can be
// unknown; the event blocks are EXISTS or COUNT subqueries, true or false.
func (ev *evaluator) eval(n *plan) tri {
	switch n.kind {
	case journeys.PredAll:
		out := tru
		for k := range n.kids {
			switch ev.eval(&n.kids[k]) {
			case fls:
				return fls
			case unk:
				out = unk
			}
		}
		return out
	case journeys.PredAny:
		out := fls
		for k := range n.kids {
			switch ev.eval(&n.kids[k]) {
			case tru:
				return tru
			case unk:
				out = unk
			}
		}
		return out
	case journeys.PredNot:
		return ev.eval(&n.kids[0]).not()
	case journeys.PredPerson:
		l := val{}
		if a, ok := lookup(ev.p.props[:ev.p.attrs], n.attr); ok {
			l = propVal(a)
		}
		return n.cmp.test(l, ev.strs)
	case journeys.PredPeople:
		_, ok := slices.BinarySearch(n.people, ev.i)
		return triOf(ok)
	case journeys.PredExists:
		return triOf(ev.exists(&n.ev[0]))
	case journeys.PredCount:
		c := ev.count(&n.ev[0], n.max)
		return triOf(n.min <= c && c <= n.max)
	case journeys.PredSame:
		return triOf(ev.same(n))
	case journeys.PredSequence:
		return triOf(ev.sequence(n))
	case journeys.PredNotFollowed:
		return triOf(ev.notFollowed(n))
	case journeys.PredRate:
		return triOf(ev.rate(n))
	case journeys.PredCluster:
		return triOf(ev.cluster(n) == n.cluster.Index)
	}
	return fls // unreachable: the planner refuses other kinds
}

// bounds returns the index range of the person's events in [from, to),
// without a search when the window starts before the first event or ends
// after the last (as most do).
func (ev *evaluator) bounds(from, to int64) (lo, hi int) {
	es := ev.p.events
	n := len(es)
	if n == 0 || es[0].ts >= from {
		lo = 0
	} else {
		lo = sort.Search(n, func(i int) bool { return es[i].ts >= from })
	}
	if n == 0 || es[n-1].ts < to {
		return lo, n
	}
	return lo, lo + sort.Search(n-lo, func(i int) bool { return es[lo+i].ts >= to })
}

// matches reports whether event k (in c's window) meets c.
func (ev *evaluator) matches(c *evCond, k int) bool {
	e := &ev.p.events[k]
	switch c.match {
	case matchOwn:
		if e.step == 0 || slices.Contains(c.ids, e.step) {
			return false
		}
	case matchStep:
		if !slices.Contains(c.ids, e.step) {
			return false
		}
	default:
		if !slices.Contains(c.ids, e.name) {
			return false
		}
	}
	for w := range c.where {
		if c.where[w].test(ev.field(k, c.where[w].field, c.where[w].key), ev.strs) != tru {
			return false
		}
	}
	return true
}

// field returns the value of an event field of event k (propNull when it
// has none).
func (ev *evaluator) field(k int, f eventField, key uint32) val {
	e := &ev.p.events[k]
	switch f {
	case fieldChannel:
		return strVal(e.channel)
	case fieldCampaign:
		return strVal(e.campaign)
	case fieldDevice:
		return strVal(e.device)
	case fieldURL:
		return strVal(e.url)
	case fieldProduct:
		return strVal(e.product)
	case fieldValue:
		if e.value == 0 {
			return val{}
		}
		return val{kind: propFloat, bits: math.Float64bits(e.value)}
	}
	if p, ok := lookup(ev.p.eventProps(k), key); ok {
		return propVal(p)
	}
	return val{}
}

func (ev *evaluator) exists(c *evCond) bool {
	if c.never {
		return false
	}
	lo, hi := ev.bounds(c.from, c.to)
	for k := lo; k < hi; k++ {
		if ev.matches(c, k) {
			return true
		}
	}
	return false
}

// count returns the number of events meeting c, or stops above limit.
func (ev *evaluator) count(c *evCond, limit int64) int64 {
	if c.never {
		return 0
	}
	lo, hi := ev.bounds(c.from, c.to)
	n := int64(0)
	for k := lo; k < hi && n <= limit; k++ {
		if ev.matches(c, k) {
			n++
		}
	}
	return n
}

// same: some value of the key field has min..max matching events.
func (ev *evaluator) same(n *plan) bool {
	c := &n.ev[0]
	if c.never {
		return false
	}
	lo, hi := ev.bounds(c.from, c.to)
	keys := ev.keys[:0]
	for k := lo; k < hi; k++ {
		if v := ev.field(k, n.key, 0); v.kind != propNull && ev.matches(c, k) {
			keys = append(keys, uint32(v.bits))
		}
	}
	ev.keys = keys
	slices.Sort(keys)
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		if c := int64(j - i); n.min <= c && c <= n.max {
			return true
		}
		i = j
	}
	return false
}

// sequence: events meeting ev[0], ev[1]... in chain order, the last at
// most gap after the first. From each start (in order) the earliest chain
// ends soonest, and the chain of a later start never ends before that of
// an earlier one, so each condition's cursor only moves forward: O(events
// × conditions).
func (ev *evaluator) sequence(n *plan) bool {
	conds := n.ev
	var pos, los, his [journeys.MaxSequenceSteps]int
	for j := range conds {
		if conds[j].never {
			return false
		}
		los[j], his[j] = ev.bounds(conds[j].from, conds[j].to)
	}
	es := ev.p.events
	for first := los[0]; first < his[0]; first++ {
		if !ev.matches(&conds[0], first) {
			continue
		}
		prev := first
		for j := 1; j < len(conds); j++ {
			q := max(pos[j], prev+1, los[j])
			for q < his[j] && !ev.matches(&conds[j], q) {
				q++
			}
			if q >= his[j] {
				return false // no chain from this start, nor from any later one
			}
			pos[j], prev = q, q
		}
		if es[prev].ts-es[first].ts <= n.gap {
			return true
		}
	}
	return false
}

// notFollowed: an ev[0] (the last, any, or each of them) with no ev[1]
// after it in chain order within gap. The first ev[1] after an event is
// the soonest, so only it is looked at.
func (ev *evaluator) notFollowed(n *plan) bool {
	first, then := &n.ev[0], &n.ev[1]
	if first.never {
		return false
	}
	es := ev.p.events
	lo1, hi1 := ev.bounds(first.from, first.to)
	lo2, hi2 := ev.bounds(then.from, then.to)
	if then.never {
		lo2, hi2 = 0, 0
	}
	followed := func(a, b int) bool { return b >= 0 && es[b].ts-es[a].ts <= n.gap }
	if n.after == "last" {
		for a := hi1 - 1; a >= lo1; a-- {
			if ev.matches(first, a) {
				return !followed(a, ev.next(then, max(a+1, lo2), hi2))
			}
		}
		return false
	}
	// any, each: walk back from the end of first's window, knowing the
	// nearest ev[1] after the current event.
	next := ev.next(then, max(hi1, lo2), hi2)
	seen := false
	for a := hi1 - 1; a >= lo1; a-- {
		if ev.matches(first, a) {
			f := followed(a, next)
			if n.after == "any" && !f {
				return true
			}
			if n.after == "each" && f {
				return false
			}
			seen = true
		}
		if a >= lo2 && a < hi2 && ev.matches(then, a) {
			next = a
		}
	}
	return n.after == "each" && seen
}

// next returns the first event in [from, hi) meeting c, or -1.
func (ev *evaluator) next(c *evCond, from, hi int) int {
	for k := from; k < hi; k++ {
		if ev.matches(c, k) {
			return k
		}
	}
	return -1
}

// rate: with of and per the events meeting ev[0] and ev[1], per ≥ minBase
// and rateMin ≤ of/per ≤ rateMax.
func (ev *evaluator) rate(n *plan) bool {
	per := ev.count(&n.ev[1], math.MaxInt64)
	if per < n.minBase {
		return false
	}
	r := float64(ev.count(&n.ev[0], math.MaxInt64)) / float64(per)
	return n.rateMin <= r && r <= n.rateMax
}

// cluster returns the cluster of the person's behaviour vector at the
// block's as_of (-1 for none), computed from their events in the cache.
func (ev *evaluator) cluster(n *plan) int {
	ev.touches = ev.touches[:0]
	for k := range ev.p.events {
		ev.touches = append(ev.touches, ev.p.events[k].touch(ev.strs))
	}
	return n.cluster.Assigner.Assign(journeys.TouchSequence{Touches: ev.touches}, n.cluster.AsOf)
}
