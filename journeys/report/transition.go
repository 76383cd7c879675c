package report

import (
	"slices"
	"sort"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// TransitionQuery asks for the full transition graph of the units
// (sessions or journeys) in a filter.
type TransitionQuery struct {
	Unit   journeys.Unit   `json:"unit"` // session (default) or journey
	Filter journeys.Filter `json:"filter"`
}

// Normalize fills the defaults and validates q (an *Error with code
// EINVALID naming the field).
func (q *TransitionQuery) Normalize() error {
	u, err := journeys.ParseUnit("unit", q.Unit)
	if err != nil {
		return err
	}
	q.Unit = u
	return q.Filter.Validate()
}

// Transition is one edge of the transition graph: a step followed by the
// next step in a unit, or MarkStart → the first step, or the last step →
// MarkExit. Count is how many times the edge was taken, People by how many
// people; Probability is P(To | From) = Count / Σ Count of the edges leaving
// From (exit included). Gaps are the time between the two steps' events
// (when repeats are collapsed, from the first event of the run); the
// virtual edges have none.
type Transition struct {
	From        string   `json:"from"`
	To          string   `json:"to"`
	Count       int      `json:"count"`
	People      int      `json:"people"`
	Probability float64  `json:"probability"`
	MedianGapS  *float64 `json:"median_gap_s,omitempty"` // nearest-rank median (see Percentile)
	P90GapS     *float64 `json:"p90_gap_s,omitempty"`
}

// TransitionReport is the answer to a TransitionQuery. Reconciliation: the
// Count of the edges leaving MarkStart adds up to Units, and for every step
// the edges entering it and the edges leaving it add up to the same count.
type TransitionReport struct {
	Query  TransitionQuery `json:"query"`
	People int             `json:"people"` // people with a unit
	Units  int             `json:"units"`
	Edges  []Transition    `json:"edges"` // by From, then Count (descending), then To
}

type edgeKey struct{ from, to string }

type edgeAcc struct {
	count, people int
	lastPerson    int // index of the last person counted, so people are distinct
	gaps          []float64
}

// TransitionCounter accumulates the transitions of sequences (one per
// person); Report returns the graph.
type TransitionCounter struct {
	q      TransitionQuery
	sp     *journeys.Splitter
	edges  map[edgeKey]*edgeAcc
	people int
	units  int
}

// NewTransitionCounter returns a counter for q, which must be normalised,
// with the given step rules' collapsing and session timeout.
func NewTransitionCounter(q TransitionQuery, rules journeys.StepRules, timeout journeys.Duration) *TransitionCounter {
	return &TransitionCounter{q: q, sp: journeys.NewSplitter(q.Unit, time.Duration(timeout), rules.CollapseRepeats), edges: map[edgeKey]*edgeAcc{}}
}

// Add counts one person's sequence.
func (tc *TransitionCounter) Add(seq journeys.Sequence) {
	if len(seq.Events) == 0 {
		return
	}
	tc.people++
	person := tc.people
	tc.sp.Units(seq.Events, func(unit []journeys.StepEvent) {
		tc.units++
		tc.edge(MarkStart, unit[0].Step, person, -1)
		for i := 1; i < len(unit); i++ {
			tc.edge(unit[i-1].Step, unit[i].Step, person, float64(unit[i].TS-unit[i-1].TS)/1000)
		}
		tc.edge(unit[len(unit)-1].Step, MarkExit, person, -1)
	})
}

func (tc *TransitionCounter) edge(from, to string, person int, gap float64) {
	k := edgeKey{from, to}
	a := tc.edges[k]
	if a == nil {
		a = &edgeAcc{}
		tc.edges[k] = a
	}
	a.count++
	if a.lastPerson != person {
		a.lastPerson = person
		a.people++
	}
	if gap >= 0 {
		a.gaps = append(a.gaps, gap)
	}
}

// Report returns every edge, sorted by From, then Count (descending), then To.
func (tc *TransitionCounter) Report() TransitionReport {
	out := map[string]int{}
	for k, a := range tc.edges {
		out[k.from] += a.count
	}
	r := TransitionReport{Query: tc.q, People: tc.people, Units: tc.units, Edges: make([]Transition, 0, len(tc.edges))}
	for k, a := range tc.edges {
		t := Transition{From: k.from, To: k.to, Count: a.count, People: a.people, Probability: ratio(a.count, out[k.from])}
		if len(a.gaps) > 0 {
			slices.Sort(a.gaps)
			med, p90 := journeys.Percentile(a.gaps, 50), journeys.Percentile(a.gaps, 90)
			t.MedianGapS, t.P90GapS = &med, &p90
		}
		r.Edges = append(r.Edges, t)
	}
	sort.Slice(r.Edges, func(i, j int) bool {
		a, b := r.Edges[i], r.Edges[j]
		if a.From != b.From {
			return a.From < b.From
		}
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.To < b.To
	})
	return r
}
