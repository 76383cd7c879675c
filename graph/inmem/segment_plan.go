package inmem

import (
	"math"
	"slices"
	"strings"

	"github.com/journeygraph/journeygraph/journeys"
)

// A plan is a journeys.Pred checked as graph checks it before rendering
// Cypher (the same kinds, fields and operators are refused, with
// EINVALID), with every string resolved to the snapshot's interned ids
// once: evaluating it never touches a string map.

// maxPlanDepth is graph's bound on the nesting of hand-built predicates.
const maxPlanDepth = 32

// plan is one compiled node of a Pred.
type plan struct {
	kind  journeys.PredKind
	kids  []plan
	ev    []evCond
	min   int64 // count, same
	max   int64
	key   eventField // same: the field grouped by
	gap   int64      // sequence, not_followed
	after string     // not_followed
	// person
	attr uint32 // the person property's interned name (noID: nobody has it)
	cmp  comparison
	// people: the snapshot indexes of the listed people, sorted
	people []int32
	// rate
	rateMin, rateMax float64
	minBase          int64
	// cluster: the resolved block
	cluster *journeys.ClusterPred
}

// eventField is a field an event condition compares or groups by.
type eventField uint8

// Event fields: the built-in ones (journeys.EventFields) and stored
// properties (props.<key>).
const (
	fieldChannel eventField = iota + 1
	fieldCampaign
	fieldDevice
	fieldURL
	fieldProduct
	fieldValue
	fieldProp
)

// eventFields maps the event fields a compiled segment may compare to
// theirs (graph's whitelist, less step and name).
var eventFields = map[string]eventField{"channel": fieldChannel, "campaign": fieldCampaign, "device": fieldDevice,
	"url": fieldURL, "product": fieldProduct, "value": fieldValue}

// personFields is graph's whitelist of person properties.
var personFields = map[string]bool{"events": true, "last_event": true, "hmm_state": true, "hmm_state_p": true,
	"p_convert": true, "p_unsubscribe": true}

// Ways an event condition selects events.
const (
	matchOwn  = iota // any event with a step not in ids (Field "")
	matchStep        // step in ids
	matchName        // name in ids
)

// evCond is a compiled EventCond.
type evCond struct {
	from, to int64
	match    int
	ids      []uint32 // matchStep, matchName: the values; matchOwn: the excluded steps
	never    bool     // matchStep, matchName: no value is interned, nothing matches
	where    []evCompare
}

// evCompare is one comparison of an event field.
type evCompare struct {
	field eventField
	key   uint32 // fieldProp: the stored property's interned name
	comparison
}

// planner compiles Preds against one snapshot's strings.
type planner struct {
	snap *cacheSnapshot
	id   func(string) uint32 // interned id, noID when absent
}

func (pl *planner) plan(p journeys.Pred, depth int) (plan, error) {
	if depth > maxPlanDepth {
		return plan{}, journeys.Errorf(journeys.EINVALID, "segment: nested deeper than %d", maxPlanDepth)
	}
	n := plan{kind: p.Kind}
	switch p.Kind {
	case journeys.PredAll, journeys.PredAny, journeys.PredNot:
		if p.Kind == journeys.PredNot && len(p.Kids) != 1 {
			return plan{}, journeys.Errorf(journeys.EINVALID, "segment: not takes one condition")
		}
		n.kids = make([]plan, len(p.Kids))
		for i, k := range p.Kids {
			var err error
			if n.kids[i], err = pl.plan(k, depth+1); err != nil {
				return plan{}, err
			}
		}
		return n, nil
	case journeys.PredPerson:
		return pl.person(p)
	case journeys.PredPeople:
		for _, id := range p.People {
			if i, ok := slices.BinarySearch(pl.snap.ids, id); ok {
				n.people = append(n.people, int32(i))
			}
		}
		slices.Sort(n.people)
		n.people = slices.Compact(n.people)
		return n, nil
	case journeys.PredCluster:
		if p.Cluster == nil || p.Cluster.Assigner == nil {
			return plan{}, journeys.Errorf(journeys.EINVALID, "segment: cluster block without its model")
		}
		n.cluster = p.Cluster
		return n, nil
	}
	return pl.events(p)
}

// person compiles a comparison of a person property or trait.
func (pl *planner) person(p journeys.Pred) (plan, error) {
	c, err := newComparison(journeys.FieldComparison{Field: p.Field, Op: p.Op, Value: p.Value}, pl.id)
	if err != nil {
		return plan{}, err
	}
	name := p.Field
	if key, ok := journeys.StoredProp(p.Field); ok {
		if !strings.HasPrefix(p.Field, journeys.TraitsField) {
			return plan{}, journeys.Errorf(journeys.EINVALID, "segment: field %q does not belong here", p.Field)
		}
		name = key
	} else if !personFields[p.Field] {
		return plan{}, journeys.Errorf(journeys.EINVALID, "segment: unknown field %q", p.Field)
	}
	return plan{kind: p.Kind, attr: pl.id(name), cmp: c}, nil
}

// events compiles the building blocks over a person's events.
func (pl *planner) events(p journeys.Pred) (plan, error) {
	need := map[journeys.PredKind]int{journeys.PredExists: 1, journeys.PredCount: 1, journeys.PredSame: 1,
		journeys.PredNotFollowed: 2, journeys.PredRate: 2}
	want, known := need[p.Kind]
	switch {
	case p.Kind == journeys.PredSequence:
		if len(p.Events) < 2 || len(p.Events) > journeys.MaxSequenceSteps {
			return plan{}, journeys.Errorf(journeys.EINVALID, "segment: %s with %d event conditions", p.Kind, len(p.Events))
		}
	case !known:
		return plan{}, journeys.Errorf(journeys.EINVALID, "segment: unknown condition kind %q", p.Kind)
	case len(p.Events) != want:
		return plan{}, journeys.Errorf(journeys.EINVALID, "segment: %s with %d event conditions", p.Kind, len(p.Events))
	}
	n := plan{kind: p.Kind, min: p.Min, max: p.Max, gap: p.Gap, after: p.After,
		rateMin: p.RateMin, rateMax: p.RateMax, minBase: max(p.MinBase, 1)}
	for _, ec := range p.Events {
		c, err := pl.eventCond(ec)
		if err != nil {
			return plan{}, err
		}
		n.ev = append(n.ev, c)
	}
	switch p.Kind {
	case journeys.PredSame:
		if n.key = eventFields[p.Key]; n.key == 0 || n.key == fieldValue {
			return plan{}, journeys.Errorf(journeys.EINVALID, "segment: cannot group by %q", p.Key)
		}
	case journeys.PredNotFollowed:
		if p.After != "last" && p.After != "any" && p.After != "each" {
			return plan{}, journeys.Errorf(journeys.EINVALID, "segment: after %q is not last, each or any", p.After)
		}
	case journeys.PredRate:
		if math.IsNaN(p.RateMin) || math.IsNaN(p.RateMax) {
			return plan{}, journeys.Errorf(journeys.EINVALID, "segment: rate bound is not a number")
		}
	}
	return n, nil
}

// eventCond compiles the conditions on one event.
func (pl *planner) eventCond(ec journeys.EventCond) (evCond, error) {
	c := evCond{from: ec.From, to: ec.To}
	values := ec.Values
	switch ec.Field {
	case "":
		c.match, values = matchOwn, ec.Exclude
	case "step", "name":
		if len(ec.Values) == 0 {
			return evCond{}, journeys.Errorf(journeys.EINVALID, "segment: no %s to match", ec.Field)
		}
		c.match = matchStep
		if ec.Field == "name" {
			c.match = matchName
		}
	default:
		return evCond{}, journeys.Errorf(journeys.EINVALID, "segment: cannot match events on %q", ec.Field)
	}
	for _, v := range values {
		// "" is the id of no step: an event without one is not in the list.
		if id := pl.id(v); id != noID && id != 0 && !slices.Contains(c.ids, id) {
			c.ids = append(c.ids, id)
		}
	}
	c.never = c.match != matchOwn && len(c.ids) == 0
	for _, w := range ec.Where {
		if w.Field == "step" || w.Field == "name" {
			return evCond{}, journeys.Errorf(journeys.EINVALID, "segment: compare %s with step/steps/event/events", w.Field)
		}
		cmp, err := newComparison(w, pl.id)
		if err != nil {
			return evCond{}, err
		}
		ew := evCompare{comparison: cmp}
		if key, ok := journeys.StoredProp(w.Field); ok {
			if strings.HasPrefix(w.Field, journeys.TraitsField) {
				return evCond{}, journeys.Errorf(journeys.EINVALID, "segment: field %q does not belong here", w.Field)
			}
			ew.field, ew.key = fieldProp, pl.id(key)
		} else if ew.field = eventFields[w.Field]; ew.field == 0 {
			return evCond{}, journeys.Errorf(journeys.EINVALID, "segment: unknown field %q", w.Field)
		}
		c.where = append(c.where, ew)
	}
	return c, nil
}
