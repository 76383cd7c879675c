package graph

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/cypher"
	"github.com/journeygraph/journeygraph/journeys"
)

// Segment queries are composed at run time from the fixed fragments of
// cypher/fragments (see cypher.Fragment for the hole syntax): every value
// of a definition travels as a parameter, and the only identifiers placed in
// the text come from the whitelists below. A definition therefore cannot
// change what a query does, only which rows it selects.

// eventProps maps the event fields a compiled segment may name to the Event
// node properties (journeys.EventFields, plus step and name).
var eventProps = map[string]string{
	"step": "step", "name": "name", "channel": "channel", "campaign": "campaign", "device": "device",
	"url": "url", "product": "product", "value": "value",
}

// personProps maps journeys.PersonFields to Person node properties.
var personProps = map[string]string{
	"events": "events", "last_event": "last_event", "hmm_state": "hmm_state", "hmm_state_p": "hmm_state_p",
	"p_convert": "p_convert", "p_unsubscribe": "p_unsubscribe",
}

// cypherOps maps comparison operators to Cypher.
var cypherOps = map[string]string{
	"eq": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<=",
	"in": "IN", "prefix": "STARTS WITH", "contains": "CONTAINS",
}

// maxRenderDepth bounds recursion on hand-built predicates (definitions
// are capped at journeys.MaxSegmentDepth by the parser).
const maxRenderDepth = 32

// segRender renders a Pred to Cypher text plus parameters.
type segRender struct {
	params map[string]any
	n      int
	prefix string          // the scope's id prefix
	only   map[string]bool // the scope's people, when it lists them
}

// narrow returns the ids of a people list that the scope can hold: the
// query selects no one else, so "p.id IN ids" keeps its truth for everyone
// it looks at, and a static list of 100,000 ids does not travel in full
// with the re-evaluation of a few people after an ingest.
func (r *segRender) narrow(ids []string) []string {
	out := make([]string, 0, min(len(ids), max(len(r.only), 16)))
	for _, id := range ids {
		if strings.HasPrefix(id, r.prefix) && (r.only == nil || r.only[id]) {
			out = append(out, id)
		}
	}
	return out
}

// frag renders one fragment: its $_ parameters get a fresh prefix and the
// values in local, its {{holes}} the given text.
func (r *segRender) frag(name string, holes map[string]string, local map[string]any) string {
	r.n++
	prefix := "f" + strconv.Itoa(r.n) + "_"
	text := strings.ReplaceAll(cypher.Fragment(name), "$_", "$"+prefix)
	for k, v := range local {
		r.params[prefix+k] = v
	}
	for k, v := range holes {
		text = strings.ReplaceAll(text, "{{"+k+"}}", v)
	}
	if strings.Contains(text, "{{") {
		panic(fmt.Sprintf("graph: fragment %s: unfilled hole in %q", name, text))
	}
	return text
}

func (r *segRender) pred(p journeys.Pred, depth int) (string, error) {
	if depth > maxRenderDepth {
		return "", journeys.Errorf(journeys.EINVALID, "segment: nested deeper than %d", maxRenderDepth)
	}
	switch p.Kind {
	case journeys.PredAll, journeys.PredAny:
		if len(p.Kids) == 0 {
			return strconv.FormatBool(p.Kind == journeys.PredAll), nil
		}
		parts := make([]string, len(p.Kids))
		for i, k := range p.Kids {
			s, err := r.pred(k, depth+1)
			if err != nil {
				return "", err
			}
			parts[i] = "(" + s + ")"
		}
		glue := " AND "
		if p.Kind == journeys.PredAny {
			glue = " OR "
		}
		return strings.Join(parts, glue), nil
	case journeys.PredNot:
		if len(p.Kids) != 1 {
			return "", journeys.Errorf(journeys.EINVALID, "segment: not takes one condition")
		}
		s, err := r.pred(p.Kids[0], depth+1)
		return "NOT (" + s + ")", err
	case journeys.PredPerson:
		return r.compare("p", personProps, journeys.FieldComparison{Field: p.Field, Op: p.Op, Value: p.Value})
	case journeys.PredPeople:
		return r.frag("people", nil, map[string]any{"ids": r.narrow(p.People)}), nil
	}
	return r.events(p)
}

// events renders the building blocks over a person's events.
func (r *segRender) events(p journeys.Pred) (string, error) {
	need := map[journeys.PredKind]int{journeys.PredExists: 1, journeys.PredCount: 1, journeys.PredSame: 1, journeys.PredNotFollowed: 2,
		journeys.PredRate: 2}
	if n, ok := need[p.Kind]; ok && len(p.Events) != n || p.Kind == journeys.PredSequence && (len(p.Events) < 2 || len(p.Events) > journeys.MaxSequenceSteps) {
		return "", journeys.Errorf(journeys.EINVALID, "segment: %s with %d event conditions", p.Kind, len(p.Events))
	}
	switch p.Kind {
	case journeys.PredExists, journeys.PredCount, journeys.PredSame:
		cond, err := r.eventCond("e", p.Events[0])
		if err != nil {
			return "", err
		}
		switch p.Kind {
		case journeys.PredExists:
			return r.frag("exists", map[string]string{"cond": cond}, nil), nil
		case journeys.PredCount:
			return r.frag("count", map[string]string{"cond": cond}, map[string]any{"min": p.Min, "max": p.Max}), nil
		}
		key, ok := eventProps[p.Key]
		if !ok || key == "step" || key == "name" || key == "value" {
			return "", journeys.Errorf(journeys.EINVALID, "segment: cannot group by %q", p.Key)
		}
		return r.frag("same", map[string]string{"cond": cond, "key": key}, map[string]any{"min": p.Min, "max": p.Max}), nil
	case journeys.PredSequence:
		nodes, conds := make([]string, len(p.Events)), make([]string, 0, 2*len(p.Events))
		for i, ec := range p.Events {
			v := "e" + strconv.Itoa(i)
			nodes[i] = r.frag("sequence_node", map[string]string{"v": v}, nil)
			c, err := r.eventCond(v, ec)
			if err != nil {
				return "", err
			}
			conds = append(conds, c)
			if i > 0 {
				conds = append(conds, r.frag("after", map[string]string{"a": "e" + strconv.Itoa(i-1), "b": v}, nil))
			}
		}
		return r.frag("sequence", map[string]string{"nodes": strings.Join(nodes, ", "), "conds": strings.Join(conds, " AND "),
			"last": "e" + strconv.Itoa(len(p.Events)-1)}, map[string]any{"gap": p.Gap}), nil
	case journeys.PredNotFollowed:
		first, err := r.eventCond("a", p.Events[0])
		if err != nil {
			return "", err
		}
		then, err := r.eventCond("b", p.Events[1])
		if err != nil {
			return "", err
		}
		name := map[string]string{"last": "not_followed_last", "any": "not_followed_any", "each": "not_followed_each"}[p.After]
		if name == "" {
			return "", journeys.Errorf(journeys.EINVALID, "segment: after %q is not last, each or any", p.After)
		}
		after := r.frag("after", map[string]string{"a": "a", "b": "b"}, nil)
		return r.frag(name, map[string]string{"first": first, "then": then, "after": after}, map[string]any{"gap": p.Gap}), nil
	case journeys.PredRate:
		return r.rate(p)
	}
	return "", journeys.Errorf(journeys.EINVALID, "segment: unknown condition kind %q", p.Kind)
}

// rate renders of/per: both counted over the person's events in one pass,
// the ratio compared as a float (an unbounded end travels as the largest
// float).
func (r *segRender) rate(p journeys.Pred) (string, error) {
	if math.IsNaN(p.RateMin) || math.IsNaN(p.RateMax) {
		return "", journeys.Errorf(journeys.EINVALID, "segment: rate bound is not a number")
	}
	of, err := r.eventCond("e", p.Events[0])
	if err != nil {
		return "", err
	}
	per, err := r.eventCond("e", p.Events[1])
	if err != nil {
		return "", err
	}
	finite := func(f float64) float64 { return max(-math.MaxFloat64, min(f, math.MaxFloat64)) }
	return r.frag("rate", map[string]string{"of": of, "per": per},
		map[string]any{"min": finite(p.RateMin), "max": finite(p.RateMax), "min_base": max(1, p.MinBase)}), nil
}

// eventCond renders the conditions on one event variable v.
func (r *segRender) eventCond(v string, ec journeys.EventCond) (string, error) {
	parts := []string{r.frag("window", map[string]string{"v": v}, map[string]any{"from": ec.From, "to": ec.To})}
	switch ec.Field {
	case "":
		if len(ec.Exclude) == 0 {
			parts = append(parts, r.frag("event_any", map[string]string{"v": v}, nil))
			break
		}
		parts = append(parts, r.frag("event_own", map[string]string{"v": v}, map[string]any{"exclude": ec.Exclude}))
	case "step", "name":
		if len(ec.Values) == 0 {
			return "", journeys.Errorf(journeys.EINVALID, "segment: no %s to match", ec.Field)
		}
		parts = append(parts, r.frag("event_in", map[string]string{"v": v, "field": eventProps[ec.Field]}, map[string]any{"values": ec.Values}))
	default:
		return "", journeys.Errorf(journeys.EINVALID, "segment: cannot match events on %q", ec.Field)
	}
	for _, w := range ec.Where {
		if w.Field == "step" || w.Field == "name" {
			return "", journeys.Errorf(journeys.EINVALID, "segment: compare %s with step/steps/event/events", w.Field)
		}
		s, err := r.compare(v, eventProps, w)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " AND "), nil
}

// compare renders v.field op $value with field and op from the whitelists,
// or, for an event property or person trait ("props.k", "traits.k"),
// v[$key] op $value with the stored property's name as a parameter.
func (r *segRender) compare(v string, props map[string]string, c journeys.FieldComparison) (string, error) {
	op, ok := cypherOps[c.Op]
	if !ok {
		return "", journeys.Errorf(journeys.EINVALID, "segment: unknown operator %q", c.Op)
	}
	if key, ok := journeys.StoredProp(c.Field); ok {
		if (v == "p") != strings.HasPrefix(c.Field, journeys.TraitsField) {
			return "", journeys.Errorf(journeys.EINVALID, "segment: field %q does not belong here", c.Field)
		}
		return r.frag("compare_key", map[string]string{"v": v, "op": op}, map[string]any{"key": key, "value": c.Value}), nil
	}
	prop, ok := props[c.Field]
	if !ok {
		return "", journeys.Errorf(journeys.EINVALID, "segment: unknown field %q", c.Field)
	}
	return r.frag("compare", map[string]string{"v": v, "field": prop, "op": op}, map[string]any{"value": c.Value}), nil
}

// seed is an index-backed source of candidate people: those with events of
// these steps or names in [from, to), or (field "") the listed people.
type seed struct {
	field    string
	values   []string
	from, to int64
}

// seedsOf returns sources whose union holds every person p can select, or
// nil when there are none (p must be tested on every person). An "all"
// needs one child's seeds (the narrowest window wins), an "any" every
// child's.
func seedsOf(p journeys.Pred) []seed {
	switch p.Kind {
	case journeys.PredAll:
		var best []seed
		for _, k := range p.Kids {
			if s := seedsOf(k); s != nil && (best == nil || width(s) < width(best)) {
				best = s
			}
		}
		return best
	case journeys.PredAny:
		var all []seed
		for _, k := range p.Kids {
			s := seedsOf(k)
			if s == nil {
				return nil
			}
			all = append(all, s...)
		}
		return all
	case journeys.PredPeople:
		return []seed{{values: p.People}}
	case journeys.PredExists, journeys.PredSame, journeys.PredSequence, journeys.PredNotFollowed:
	case journeys.PredCount:
		if p.Min < 1 {
			return nil
		}
	case journeys.PredRate: // a member has at least MinBase ≥ 1 per events
		return eventSeeds(p.Events[1])
	default:
		return nil
	}
	return eventSeeds(p.Events[0])
}

// eventSeeds returns the seed of the events of ec, or nil when ec matches
// no index (any event).
func eventSeeds(ec journeys.EventCond) []seed {
	if ec.Field != "step" && ec.Field != "name" {
		return nil
	}
	return []seed{{field: ec.Field, values: ec.Values, from: ec.From, to: ec.To}}
}

// width sums the seeds' time spans (an unbounded one counts as infinite; a
// list of people as nothing: it is the narrowest source there is).
func width(ss []seed) float64 {
	w := 0.0
	for _, s := range ss {
		if s.field != "" {
			w += float64(s.to) - float64(s.from)
		}
	}
	return w
}

// SegmentQuery returns the Cypher query selecting the people in scope for
// whom p holds, and its parameters (for inspection: EvaluateSegment runs
// it). The error is EINVALID for a Pred naming fields, operators or kinds
// outside the whitelists.
func SegmentQuery(p journeys.Pred, scope journeys.SegmentScope) (string, map[string]any, error) {
	return renderSegment(p, scope)
}

// renderSegment returns the query selecting the people in scope for whom p
// holds, and its parameters.
func renderSegment(p journeys.Pred, scope journeys.SegmentScope) (string, map[string]any, error) {
	r := &segRender{params: map[string]any{"prefix": scope.Prefix}, prefix: scope.Prefix}
	if scope.People != nil {
		r.only = make(map[string]bool, len(scope.People))
		for _, id := range scope.People {
			r.only[id] = true
		}
	}
	pred, err := r.pred(p, 0)
	if err != nil {
		return "", nil, err
	}
	if scope.People != nil {
		r.params["people"] = scope.People
		return r.frag("match_people", map[string]string{"predicate": pred}, nil), r.params, nil
	}
	seeds := seedsOf(p)
	if seeds == nil {
		return r.frag("match_scan", map[string]string{"predicate": pred}, nil), r.params, nil
	}
	parts := make([]string, len(seeds))
	for i, s := range seeds {
		if s.field == "" {
			parts[i] = r.frag("seed_people", nil, map[string]any{"ids": r.narrow(s.values)})
			continue
		}
		parts[i] = r.frag("seed", map[string]string{"field": eventProps[s.field]},
			map[string]any{"values": s.values, "from": s.from, "to": s.to})
	}
	return r.frag("match_seeded", map[string]string{"seeds": strings.Join(parts, " UNION "), "predicate": pred}, nil), r.params, nil
}

// EvaluateSegment returns the people in scope for whom p holds, sorted.
func (s *Store) EvaluateSegment(ctx context.Context, p journeys.Pred, scope journeys.SegmentScope) ([]string, error) {
	if scope.People != nil && len(scope.People) == 0 {
		return nil, nil
	}
	p, err := s.withClusterPeople(ctx, p, scope)
	if err != nil {
		return nil, err
	}
	text, params, err := renderSegment(p, scope)
	if err != nil {
		return nil, err
	}
	var ids []string
	err = s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := runText(ctx, tx, "evaluate segment", text, params)
		if err != nil {
			return err
		}
		ids = make([]string, len(recs))
		for i, r := range recs {
			ids[i] = str(r, "id")
		}
		return nil
	})
	return ids, wrap("evaluate segment", err)
}

// runText runs a query composed from fragments, checking first (like run)
// that every $parameter it uses is supplied.
func runText(ctx context.Context, tx neo4j.ManagedTransaction, label, text string, params map[string]any) ([]*neo4j.Record, error) {
	for _, p := range cypher.Params(text) {
		if _, ok := params[p]; !ok {
			panic(fmt.Sprintf("graph: %s: parameter $%s not supplied", label, p))
		}
	}
	res, err := tx.Run(ctx, text, params)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	recs, err := res.Collect(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	return recs, nil
}
