package journeys

import (
	"math"
	"slices"
	"time"
)

// PredKind is the kind of one node of a compiled segment.
type PredKind string

// Kinds of compiled predicates. Every building block of a Condition compiles
// to a tree of these few primitives, which is all the store must render.
const (
	PredAll         PredKind = "all"          // every Kid holds (true when none)
	PredAny         PredKind = "any"          // some Kid holds
	PredNot         PredKind = "not"          // Kids[0] does not hold
	PredExists      PredKind = "exists"       // an event matches Events[0]
	PredCount       PredKind = "count"        // Min ≤ events matching Events[0] ≤ Max
	PredSame        PredKind = "same"         // some value of the event field Key has Min..Max events matching Events[0]
	PredSequence    PredKind = "sequence"     // events matching Events[0], Events[1]... in chain order, last − first ≤ Gap
	PredNotFollowed PredKind = "not_followed" // an Events[0] (which: After) with no Events[1] after it within Gap
	PredPerson      PredKind = "person"       // person property Field Op Value
	PredPeople      PredKind = "people"       // the person's id is one of People
	// PredRate: with of = events matching Events[0] and per = events
	// matching Events[1] (both in their windows), per ≥ MinBase (at least
	// 1) and RateMin ≤ of / per ≤ RateMax.
	PredRate PredKind = "rate"
	// PredCluster: Cluster.Assigner places the person's touches at
	// Cluster.AsOf in cluster Cluster.Index.
	PredCluster PredKind = "cluster"
)

// Pred is a compiled segment condition: the windows are absolute (epoch
// milliseconds, resolved against as_of), the names are checked against the
// whitelists, and every value is ready to travel as a query parameter.
type Pred struct {
	Kind   PredKind
	Kids   []Pred
	Events []EventCond
	Min    int64
	Max    int64
	Key    string   // PredSame: an entry of SameFields
	Gap    int64    // ms; math.MaxInt64 when unbounded
	After  string   // PredNotFollowed: "last", "each" or "any"
	Field  string   // PredPerson: an entry of PersonFields
	Op     string   // PredPerson: eq, ne, in, gt, gte, lt, lte, prefix, contains
	Value  any      // PredPerson
	People []string // PredPeople: person ids, sorted and distinct
	// PredRate: the bounds of of/per (RateMax is +Inf when unbounded) and
	// the smallest base (per count) that can match, at least 1.
	RateMin, RateMax float64
	MinBase          int64
	// PredCluster: the block, its as_of and, once ResolveClusters has run,
	// its model.
	Cluster *ClusterPred
}

// EventCond selects a person's events: time in [From, To) (epoch ms) and,
// by Field, step or raw name in Values; Field "" means any event of the
// person's own: one with a step that is not in Exclude (the outbound
// steps, such as email_sent, that the marketer's systems emit to a person;
// see StepRules.Outbound). Where holds comparisons on EventFields, all of
// which must hold.
type EventCond struct {
	Field   string // "step", "name" or "" (any of the person's own events)
	Values  []string
	Exclude []string // Field "": steps that are not the person's activity, sorted
	From    int64
	To      int64
	Where   []FieldComparison
}

// FieldComparison is one whitelisted field compared with a value.
type FieldComparison struct {
	Field string
	Op    string
	Value any
}

// Unbounded window ends.
const (
	minMillis = math.MinInt64
	maxMillis = math.MaxInt64
)

// Compile turns the segment's condition into a Pred for the given as_of
// time. Windows "within D" become [as_of − D, as_of]; "ago {from, to}"
// becomes [as_of − from, as_of − to); no window is (−∞, as_of]: events
// after as_of never count, so a past answer can be reproduced. outbound
// lists the steps that are not the person's own activity
// (StepRules.OutboundSteps): every condition on any event ("*",
// last_seen, first_seen, and so "did nothing" and new) leaves them out
// through EventCond.Exclude; nil leaves nothing out. The segment must be
// valid (ParseSegment).
func (s Segment) Compile(asOf time.Time, outbound []string) Pred {
	c := segCompiler{asOf: asOf.UnixMilli()}
	if len(outbound) > 0 {
		c.exclude = slices.Compact(slices.Sorted(slices.Values(outbound)))
	}
	return c.cond(s.Where)
}

// segCompiler compiles conditions at one as_of; exclude (sorted, shared
// by every EventCond it fills and never modified) are the outbound steps.
type segCompiler struct {
	asOf    int64
	exclude []string
}

func (c segCompiler) cond(x Condition) Pred {
	from, to := c.window(x.Within, x.Ago)
	switch {
	case len(x.All) > 0:
		return Pred{Kind: PredAll, Kids: c.conds(x.All)}
	case len(x.Any) > 0:
		return Pred{Kind: PredAny, Kids: c.conds(x.Any)}
	case x.Not != nil:
		return not(c.cond(*x.Not))
	case x.Did != nil:
		return Pred{Kind: PredExists, Events: []EventCond{c.eventCond(*x.Did, from, to)}}
	case x.DidNot != nil:
		return not(Pred{Kind: PredExists, Events: []EventCond{c.eventCond(*x.DidNot, from, to)}})
	case x.Count != nil:
		p := Pred{Kind: PredCount, Events: []EventCond{c.eventCond(*x.Count, from, to)}, Min: 0, Max: math.MaxInt64}
		if x.Same != "" {
			p.Kind, p.Key, p.Min = PredSame, x.Same, 1
		}
		if x.Min != nil {
			p.Min = *x.Min
		}
		if x.Max != nil {
			p.Max = *x.Max
		}
		if p.Kind == PredCount && p.Min == 1 && p.Max == math.MaxInt64 {
			p.Kind = PredExists // cheaper: stops at the first event
		}
		return p
	case len(x.Sequence) > 0:
		p := Pred{Kind: PredSequence, Gap: gapOf(x.Gap)}
		for _, m := range x.Sequence {
			p.Events = append(p.Events, c.eventCond(m, from, to))
		}
		return p
	case x.NotFollowed != nil:
		after := x.After
		if after == "" {
			after = "last"
		}
		// Then may come any time after First (even after First's window) up to as_of.
		return Pred{Kind: PredNotFollowed, After: after, Gap: gapOf(x.Gap), Events: []EventCond{
			c.eventCond(x.NotFollowed.First, from, to), c.eventCond(x.NotFollowed.Then, from, c.asOf+1)}}
	case x.LastSeen != nil:
		return c.recency(Match{}, x.LastSeen, true)
	case x.FirstSeen != nil:
		return c.recency(Match{}, x.FirstSeen, false)
	case x.Last != nil:
		return c.recency(*x.Last, &Recency{MoreThan: x.MoreThan}, true)
	case x.State != "":
		return Pred{Kind: PredPerson, Field: "hmm_state", Op: "eq", Value: x.State}
	case len(x.States) > 0:
		vals := make([]any, len(x.States))
		for i, s := range x.States {
			vals[i] = s
		}
		return Pred{Kind: PredPerson, Field: "hmm_state", Op: "in", Value: vals}
	case x.Propensity != "":
		return Pred{Kind: PredPerson, Field: "p_" + x.Propensity, Op: "gte", Value: *x.AtLeast}
	case len(x.Person) > 0:
		var kids []Pred
		for _, f := range sortedKeys(x.Person) {
			kids = append(kids, Pred{Kind: PredPerson, Field: f, Op: x.Person[f].Op, Value: x.Person[f].Value})
		}
		if len(kids) == 1 {
			return kids[0]
		}
		return Pred{Kind: PredAll, Kids: kids}
	case len(x.People) > 0:
		return Pred{Kind: PredPeople, People: x.People}
	case x.Rate != nil:
		return c.rate(x, from, to)
	case x.Cluster != nil:
		return Pred{Kind: PredCluster, Cluster: &ClusterPred{ClusterRef: *x.Cluster, AsOf: time.UnixMilli(c.asOf).UTC()}}
	}
	return Pred{Kind: PredAll} // unreachable for a valid segment
}

func (c segCompiler) conds(xs []Condition) []Pred {
	out := make([]Pred, len(xs))
	for i, x := range xs {
		out[i] = c.cond(x)
	}
	return out
}

// window resolves within/ago to [from, to) in epoch ms.
func (c segCompiler) window(within *Duration, ago *AgoRange) (from, to int64) {
	switch {
	case within != nil:
		return c.asOf - within.Milliseconds(), c.asOf + 1
	case ago != nil:
		return c.asOf - ago.From.Milliseconds(), c.asOf - ago.To.Milliseconds()
	}
	return minMillis, c.asOf + 1
}

// recency compiles last_seen, first_seen and last. With more_than D, "last
// (seen) more than D ago" is: did it before as_of − D, and not since; "first
// seen more than D ago" is: did it before as_of − D. With within D, "last
// seen within D" is: did it in the last D; "first seen within D" is: did it
// in the last D and never before.
func (c segCompiler) recency(m Match, r *Recency, last bool) Pred {
	if r.MoreThan != nil {
		cut := c.asOf - r.MoreThan.Milliseconds()
		before := Pred{Kind: PredExists, Events: []EventCond{c.eventCond(m, minMillis, cut)}}
		if !last {
			return before
		}
		since := Pred{Kind: PredExists, Events: []EventCond{c.eventCond(m, cut, c.asOf+1)}}
		return Pred{Kind: PredAll, Kids: []Pred{before, not(since)}}
	}
	cut := c.asOf - r.Within.Milliseconds()
	recent := Pred{Kind: PredExists, Events: []EventCond{c.eventCond(m, cut, c.asOf+1)}}
	if last {
		return recent
	}
	before := Pred{Kind: PredExists, Events: []EventCond{c.eventCond(m, minMillis, cut)}}
	return Pred{Kind: PredAll, Kids: []Pred{recent, not(before)}}
}

// rate compiles a rate block: of and per over the same window, the bounds
// defaulting to [0, +Inf) and the base to 1.
func (c segCompiler) rate(x Condition, from, to int64) Pred {
	p := Pred{Kind: PredRate, RateMin: 0, RateMax: math.Inf(1), MinBase: 1,
		Events: []EventCond{c.eventCond(x.Rate.Of, from, to), c.eventCond(x.Rate.Per, from, to)}}
	if x.AtLeast != nil {
		p.RateMin = *x.AtLeast
	}
	if x.AtMost != nil {
		p.RateMax = *x.AtMost
	}
	if x.MinBase != nil {
		p.MinBase = max(1, *x.MinBase)
	}
	return p
}

func not(p Pred) Pred { return Pred{Kind: PredNot, Kids: []Pred{p}} }

func gapOf(d *Duration) int64 {
	if d == nil {
		return maxMillis
	}
	return d.Milliseconds()
}

// eventCond turns a Match into an EventCond over [from, to). The zero Match
// (and the step "*") is any of the person's own events: any event with a
// step that is not outbound.
func (c segCompiler) eventCond(m Match, from, to int64) EventCond {
	ec := EventCond{From: from, To: to}
	switch {
	case m.Step == "*" || m.Step == "" && len(m.Steps) == 0 && m.Event == "" && len(m.Events) == 0:
		ec.Exclude = c.exclude
	case m.Step != "":
		ec.Field, ec.Values = "step", []string{m.Step}
	case len(m.Steps) > 0:
		ec.Field, ec.Values = "step", m.Steps
	case m.Event != "":
		ec.Field, ec.Values = "name", []string{m.Event}
	case len(m.Events) > 0:
		ec.Field, ec.Values = "name", m.Events
	}
	for _, f := range sortedKeys(m.Where) {
		ec.Where = append(ec.Where, FieldComparison{Field: f, Op: m.Where[f].Op, Value: m.Where[f].Value})
	}
	return ec
}

// Leaves returns the event conditions of the positive building blocks (those
// not under a not): the events that explain why someone is a member.
func (p Pred) Leaves() []EventCond {
	var out []EventCond
	var walk func(p Pred)
	walk = func(p Pred) {
		switch p.Kind {
		case PredNot, PredPerson, PredPeople, PredCluster:
			return
		case PredAll, PredAny:
			for _, k := range p.Kids {
				walk(k)
			}
		case PredNotFollowed, PredRate:
			out = append(out, p.Events[0]) // rate: the of events
		case PredCount:
			if p.Min > 0 {
				out = append(out, p.Events...)
			}
		default:
			out = append(out, p.Events...)
		}
	}
	walk(p)
	return out
}
