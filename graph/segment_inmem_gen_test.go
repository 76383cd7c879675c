package graph_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// The generators of the differential test of segment evaluation
// (TestInmemSegmentsMatchCypher): journeys crowded on the edges the
// compiled windows and gaps fall on, and random definitions over every
// building block, drawn from the same few values so that they select some
// people and not others.

// diffEdges are the durations the definitions use (windows, gaps,
// recency): the events fall on them, a millisecond either side, and
// between.
var diffEdges = []time.Duration{time.Millisecond, time.Minute, time.Hour, 24 * time.Hour, 7 * 24 * time.Hour,
	30 * 24 * time.Hour, 90 * 24 * time.Hour}

// The vocabulary of the differential test is its own (steps and names
// that no other data holds, mapped by diffRules as DefaultStepRules maps
// Segment's names), and so is its time (diffAsOf, 2003): the reference's
// index seeks by step, name or time then read only the test's events,
// whatever else the shared database holds.

// diffNames are the raw event names: steps themselves, mapped onto steps
// by diffRules, or neither ("d_ping" is its own step).
var diffNames = []string{"d_view", "d_product", "D Product Viewed", "d_cart", "D Product Added", "d_checkout",
	"d_buy", "D Order Completed", "D Email Sent", "d_sent", "D Email Opened", "d_click", "D Unsubscribed", "d_ping"}

// diffSteps are the steps a definition matches (d_signup: nobody's).
var diffSteps = []string{"d_view", "d_product", "d_cart", "d_checkout", "d_buy", "d_sent", "d_open", "d_click",
	"d_unsub", "d_ping", "d_signup"}

// diffRules map the names onto the steps; views of checkout pages are
// checkouts or purchases; identify and alias are no step.
var diffRules = journeys.StepRules{Rules: []journeys.StepRule{
	{Event: "identify", Exclude: true},
	{Event: "alias", Exclude: true},
	{Label: "d_buy", Event: "d_view", URL: "*/checkout/complete*"},
	{Label: "d_checkout", Event: "d_view", URL: "*/checkout*"},
	{Label: "d_product", Event: "D Product Viewed"},
	{Label: "d_cart", Event: "D Product Added"},
	{Label: "d_buy", Event: "D Order Completed"},
	{Label: "d_sent", Event: "D Email Sent"},
	{Label: "d_open", Event: "D Email Opened"},
	{Label: "d_unsub", Event: "D Unsubscribed"},
}}

// diffOutbound are the outbound step lists definitions are compiled with.
var diffOutbound = [][]string{nil, {"d_sent"}, {"d_sent", "d_ping"}}

// Value pools of the generated events and comparisons.
var (
	diffChannels  = []string{"web", "email", "ads"}
	diffCampaigns = []string{"c1", "c2", "c3"}
	diffDevices   = []string{"mobile", "desktop"}
	diffURLs      = []string{"/p/1", "/p/2", "/checkout", "/checkout/complete", "/home"}
	diffProducts  = []string{"sku-1", "sku-2", "sku-3"}
	diffValues    = []float64{5, 10, 19.9}
	diffPlans     = []string{"pro", "free", ""}
	diffStates    = []string{"s1", "s2", "s3"}
	diffCountries = []string{"BE", "FR", "DE"}
	diffProbs     = []float64{0, 0.5, 0.7, 0.9}
)

// diffData is a generated population: events ingested first, then the
// identity events (merges, traits), then late events (before others of
// their person), and the model scores.
type diffData struct {
	events, identities, late []journeys.Event
	scores                   []journeys.PersonScores
	people                   []string // the known people's ids
}

// diffGen draws a population, and definitions: their structure from r,
// their values from v (see segment).
type diffGen struct {
	r, v   *rand.Rand
	asOf   time.Time
	prefix string
	n      int // events made
	// clusters, when not 0, is the number of clusters of the run's
	// clustering model, which cluster blocks name (drawn beside people
	// lists: the reference renders both as a people list).
	clusters int
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// when returns a time on or near an edge before as_of, or just after it.
func (g *diffGen) when() time.Time {
	r := g.r
	switch r.IntN(10) {
	case 0:
		return g.asOf.Add(time.Duration(r.IntN(2)) * time.Millisecond) // as_of itself, or just after
	case 1:
		return g.asOf.Add(time.Hour) // after as_of: never counts
	case 2, 3:
		return g.asOf.Add(-time.Duration(r.Int64N(int64(120 * 24 * time.Hour))))
	}
	t := g.asOf.Add(-pick(r, diffEdges))
	if r.IntN(2) == 0 {
		t = t.Add(-pick(r, diffEdges)) // an edge away from an edge: gaps fall on it
	}
	return t.Add(time.Duration(r.IntN(3)-1) * time.Millisecond)
}

// event returns a track event of person at t, with fields drawn from the
// pools, and an id whose order is unrelated to time (ties are ordered by
// id).
func (g *diffGen) event(person string, t time.Time) journeys.Event {
	r := g.r
	g.n++
	e := journeys.Event{ID: fmt.Sprintf("%se%08x", g.prefix, r.Uint32()), Type: journeys.TypeTrack, Person: person,
		Name: pick(r, diffNames), Time: t.UTC()}
	maybe := func(pool []string) string {
		if r.IntN(3) == 0 {
			return ""
		}
		return pick(r, pool)
	}
	e.Channel, e.Device, e.URL = maybe(diffChannels), maybe(diffDevices), maybe(diffURLs)
	if strings.HasPrefix(e.Name, "D Email") || r.IntN(4) == 0 {
		e.Campaign = maybe(diffCampaigns)
	}
	if r.IntN(2) == 0 {
		e.Product = pick(r, diffProducts)
	}
	if r.IntN(3) == 0 {
		e.Value = pick(r, diffValues)
	}
	if r.IntN(3) == 0 {
		e.Properties = g.props()
	}
	return e
}

// props are event properties (or traits): text, integers and floats that
// compare equal, booleans, an empty text.
func (g *diffGen) props() map[string]any {
	r := g.r
	p := map[string]any{}
	if r.IntN(2) == 0 {
		p["plan"] = pick(r, diffPlans)
	}
	switch r.IntN(3) {
	case 0:
		p["seats"] = int64(1 + r.IntN(3))
	case 1:
		p["seats"] = float64(1 + r.IntN(3))
	}
	if r.IntN(3) == 0 {
		p["gift"] = r.IntN(2) == 0
	}
	if r.IntN(4) == 0 {
		p["country"] = pick(r, diffCountries)
	}
	return p
}

// generate returns the population: people known by id, some of whom were
// anonymous first (merged by identify or alias), with repeats, ties,
// traits, scores and late events.
func (g *diffGen) generate(people int) diffData {
	r := g.r
	var d diffData
	for i := range people {
		id := fmt.Sprintf("%su%03d", g.prefix, i)
		d.people = append(d.people, id)
		var last journeys.Event
		for k := range r.IntN(9) {
			t := g.when()
			if k > 0 && r.IntN(6) == 0 {
				t = last.Time // a tie, ordered by id
			}
			e := g.event(id, t)
			if k > 0 && r.IntN(6) == 0 { // a repeat: same name and product
				e.Name, e.Product = last.Name, last.Product
			}
			d.events, last = append(d.events, e), e
		}
		if r.IntN(4) == 0 { // anonymous first, merged
			anon := fmt.Sprintf("%sanon%03d", g.prefix, i)
			for range 1 + r.IntN(3) {
				e := g.event(anon, g.when())
				e.Anonymous = true
				d.events = append(d.events, e)
			}
			typ, name := journeys.TypeIdentify, journeys.NameIdentify
			if r.IntN(2) == 0 {
				typ, name = journeys.TypeAlias, journeys.NameAlias
			}
			d.identities = append(d.identities, journeys.Event{ID: fmt.Sprintf("%si%03d", g.prefix, i), Type: typ,
				Person: id, PreviousID: anon, Name: name, Time: g.when().UTC()})
		}
		for k := range r.IntN(3) { // traits, merged by time
			e := journeys.Event{ID: fmt.Sprintf("%st%03d-%d", g.prefix, i, k), Type: journeys.TypeIdentify, Person: id,
				Name: journeys.NameIdentify, Time: g.when().UTC(), Properties: g.props()}
			d.identities = append(d.identities, e)
		}
		if r.IntN(5) == 0 && len(d.events) > 0 { // a late event: before this person's others
			d.late = append(d.late, g.event(id, g.asOf.Add(-200*24*time.Hour)))
		}
		if r.IntN(10) < 6 {
			d.scores = append(d.scores, g.scores(id))
		}
	}
	return d
}

func (g *diffGen) scores(id string) journeys.PersonScores {
	r := g.r
	s := journeys.PersonScores{Person: id}
	p := func() *float64 {
		if r.IntN(4) == 0 {
			return nil
		}
		x := pick(r, diffProbs)
		return &x
	}
	if r.IntN(4) > 0 {
		st := pick(r, diffStates)
		s.State = &st
	}
	s.StateP, s.PConvert, s.PUnsubscribe = p(), p(), p()
	return s
}

// segment returns a random definition, valid (parsed from its JSON), or an
// error when the generator made one the parser refuses. Its structure
// (kinds, nesting, fields, operators) comes from g.r and its values
// (steps, names, windows, bounds, compared values) from g.v, so that
// re-drawing only g.v gives definitions that render the same Cypher text
// (values travel as parameters), which Neo4j plans once.
func (g *diffGen) segment(people []string) (journeys.Segment, []byte, error) {
	seg := journeys.Segment{Name: "diff", Where: g.cond(0, people)}
	b, err := json.Marshal(seg)
	if err != nil {
		return journeys.Segment{}, nil, err
	}
	parsed, err := journeys.ParseSegment(b)
	return parsed, b, err
}

func (g *diffGen) dur() *journeys.Duration {
	d := journeys.Duration(pick(g.v, diffEdges))
	return &d
}

func (g *diffGen) count(lo, hi int) *int64 {
	n := int64(lo + g.v.IntN(hi-lo+1))
	return &n
}

// cond returns a random condition at depth (all/any/not down to 2).
func (g *diffGen) cond(depth int, people []string) journeys.Condition {
	r, v := g.r, g.v
	if depth < 2 && r.IntN(10) < 4 {
		kids := make([]journeys.Condition, 1+r.IntN(3))
		for i := range kids {
			kids[i] = g.cond(depth+1, people)
		}
		switch r.IntN(3) {
		case 0:
			return journeys.Condition{All: kids}
		case 1:
			return journeys.Condition{Any: kids}
		}
		return journeys.Condition{Not: &kids[0]}
	}
	var c journeys.Condition
	switch r.IntN(15) {
	case 0:
		m := g.match()
		c.Did = &m
	case 1:
		m := g.match()
		c.DidNot = &m
	case 2, 3:
		m := g.match()
		c.Count = &m
		hasMin := r.IntN(2) == 0
		hasMax := !hasMin || r.IntN(2) == 0
		lo := 0
		if hasMin {
			c.Min = g.count(0, 3)
			lo = int(*c.Min)
		}
		if hasMax {
			c.Max = g.count(lo, lo+2)
		}
		if r.IntN(2) == 0 {
			c.Same = pick(r, journeys.SameFields)
		}
	case 4, 5:
		n := 2 + r.IntN(2) // a long sequence is rare: Cypher matches every tuple of events
		if r.IntN(10) == 0 {
			n = 4 + r.IntN(2)
		}
		for range n {
			c.Sequence = append(c.Sequence, g.match())
		}
		if r.IntN(2) == 0 {
			c.Gap = g.dur()
		}
	case 6, 7:
		c.NotFollowed = &journeys.FollowPair{First: g.match(), Then: g.match()}
		c.After = pick(r, []string{"", "last", "any", "each"})
		if r.IntN(2) == 0 {
			c.Gap = g.dur()
		}
	case 8:
		rc := &journeys.Recency{}
		if r.IntN(2) == 0 {
			rc.MoreThan = g.dur()
		} else {
			rc.Within = g.dur()
		}
		if r.IntN(2) == 0 {
			c.LastSeen = rc
		} else {
			c.FirstSeen = rc
		}
		return c
	case 9:
		m := g.match()
		c.Last, c.MoreThan = &m, g.dur()
		return c
	case 10:
		if r.IntN(2) == 0 {
			c.State = pick(v, diffStates)
		} else {
			c.States = []string{pick(v, diffStates), pick(v, diffStates)}
		}
		return c
	case 11:
		c.Propensity = pick(r, []string{"convert", "unsubscribe"})
		p := pick(v, diffProbs)
		c.AtLeast = &p
		return c
	case 12:
		c.Person = map[string]journeys.Comparison{}
		for range 1 + r.IntN(2) {
			f, cmp := g.personComparison()
			c.Person[f] = cmp
		}
		return c
	case 13:
		c.Rate = &journeys.RatePair{Of: g.match(), Per: g.match()}
		lo := pick(v, []float64{0, 0.25, 0.5, 1})
		hasMin := r.IntN(3) > 0
		if hasMin {
			c.AtLeast = &lo
		}
		if !hasMin || r.IntN(2) == 0 {
			hi := lo + pick(v, []float64{0, 0.5, 1})
			c.AtMost = &hi
		}
		if r.IntN(2) == 0 {
			c.MinBase = g.count(1, 3)
		}
	default:
		if g.clusters > 0 && v.IntN(2) == 0 {
			c.Cluster = &journeys.ClusterRef{Index: v.IntN(g.clusters), Scope: g.prefix}
			return c
		}
		for range 1 + v.IntN(4) {
			c.People = append(c.People, pick(v, people))
		}
		c.People = append(c.People, g.prefix+"nobody")
		return c
	}
	g.window(&c)
	return c
}

// window sets a random window (or none).
func (g *diffGen) window(c *journeys.Condition) {
	switch g.r.IntN(3) {
	case 0:
		c.Within = g.dur()
	case 1:
		a, b := pick(g.v, diffEdges), pick(g.v, diffEdges)
		if a == b {
			return
		}
		c.Ago = &journeys.AgoRange{From: journeys.Duration(max(a, b)), To: journeys.Duration(min(a, b))}
	}
}

// match returns a random event match: by step ("*" too), steps, name or
// names, with comparisons on event fields and properties.
func (g *diffGen) match() journeys.Match {
	r, v := g.r, g.v
	var m journeys.Match
	switch r.IntN(6) {
	case 0:
		m.Step = "*"
	case 1:
		m.Steps = []string{pick(v, diffSteps), pick(v, diffSteps)}
	case 2:
		m.Event = pick(v, append(diffNames, "identify", "alias"))
	case 3:
		m.Events = []string{pick(v, diffNames), pick(v, diffNames)}
	default:
		m.Step = pick(v, diffSteps)
	}
	if r.IntN(3) == 0 {
		m.Where = map[string]journeys.Comparison{}
		for range 1 + r.IntN(2) {
			f, cmp := g.eventComparison()
			m.Where[f] = cmp
		}
	}
	return m
}

// eventComparison returns a comparison of an event field or property.
func (g *diffGen) eventComparison() (string, journeys.Comparison) {
	texts := map[string][]string{"channel": diffChannels, "campaign": diffCampaigns, "device": diffDevices,
		"url": diffURLs, "product": diffProducts}
	switch f := pick(g.r, []string{"channel", "campaign", "device", "url", "product", "value", "props.plan",
		"props.seats", "props.gift", "props.country", "props.none"}); f {
	case "value":
		return f, g.numberComparison(diffValues)
	case "props.plan", "props.seats", "props.gift", "props.country", "props.none":
		return f, g.anyComparison()
	default:
		return f, g.textComparison(texts[f])
	}
}

// personComparison returns a comparison of a person field or trait.
func (g *diffGen) personComparison() (string, journeys.Comparison) {
	switch f := pick(g.r, []string{"events", "last_event", "hmm_state", "hmm_state_p", "p_convert", "p_unsubscribe",
		"traits.plan", "traits.seats", "traits.gift", "traits.country", "traits.none"}); f {
	case "events":
		return f, g.numberComparison([]float64{0, 1, 2, 5, 10})
	case "last_event":
		return f, g.textComparison(diffNames)
	case "hmm_state":
		return f, g.textComparison(diffStates)
	case "hmm_state_p", "p_convert", "p_unsubscribe":
		return f, g.numberComparison(diffProbs)
	default:
		return f, g.anyComparison()
	}
}

func (g *diffGen) textComparison(pool []string) journeys.Comparison {
	r, v := g.r, g.v
	x := pick(v, pool)
	switch r.IntN(5) {
	case 0:
		return journeys.Comparison{Op: "ne", Value: x}
	case 1:
		return journeys.Comparison{Op: "in", Value: []any{x, pick(v, pool)}}
	case 2:
		return journeys.Comparison{Op: "prefix", Value: x[:v.IntN(len(x)+1)]}
	case 3:
		return journeys.Comparison{Op: "contains", Value: x[v.IntN(len(x)):]}
	}
	return journeys.Comparison{Op: "eq", Value: x}
}

func (g *diffGen) numberComparison(pool []float64) journeys.Comparison {
	r, v := g.r, g.v
	x := pick(v, pool)
	if r.IntN(4) == 0 {
		return journeys.Comparison{Op: "in", Value: []any{x, pick(v, pool)}}
	}
	return journeys.Comparison{Op: pick(r, []string{"eq", "ne", "gt", "gte", "lt", "lte"}), Value: x}
}

// anyComparison compares a property of any type: text, number or boolean
// values, with the operators each allows.
func (g *diffGen) anyComparison() journeys.Comparison {
	r, v := g.r, g.v
	switch r.IntN(4) {
	case 0:
		return g.numberComparison([]float64{1, 2, 3})
	case 1:
		return journeys.Comparison{Op: pick(r, []string{"eq", "ne"}), Value: v.IntN(2) == 0}
	case 2:
		return journeys.Comparison{Op: "in", Value: []any{pick(v, diffPlans), 2.0, true, pick(v, diffCountries)}}
	}
	return g.textComparison(append(slices.Clone(diffPlans[:2]), diffCountries...))
}

// rate returns a random rate predicate over the event conditions of
// compiled definitions, with bounds and bases the parser does not write
// (a base of 0 counts as 1).
func (g *diffGen) rate(conds []journeys.EventCond) journeys.Pred {
	v := g.v
	lo := pick(v, []float64{0, 0.25, 0.5, 1})
	return journeys.Pred{Kind: journeys.PredRate, Events: []journeys.EventCond{pick(v, conds), pick(v, conds)},
		RateMin: lo, RateMax: lo + pick(v, []float64{0, 0.5, 1, math.Inf(1)}), MinBase: int64(v.IntN(4))}
}
