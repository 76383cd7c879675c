package report

import (
	"sort"
	"strings"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// Markers that paths and transitions use besides step labels.
const (
	MarkStart = "(start)" // the unit began here: nothing before within the depth
	MarkExit  = "(exit)"  // the unit ended here: nothing after within the depth
	MarkGap   = "(...)"   // steps left out of a path between two steps longer than the depth
)

// Path limits.
const (
	MaxPathDepth     = 20   // longest path asked for
	DefaultPathDepth = 5    // depth when none is given
	DefaultPathLimit = 20   // paths listed when no limit is given
	MaxPathLimit     = 1000 // most paths listed; the rest is "other"
)

// PathQuery asks for the top paths of the units (sessions or journeys) in a
// filter.
//
//   - Neither Start nor End: the first Depth steps of each unit.
//   - Start: the Depth steps from the first Start of each unit.
//   - End: the Depth steps up to and including the first End of each unit,
//     led by MarkStart when the unit has fewer steps than that.
//   - Both: the steps from the first Start to the first End after it (units
//     without such an End are out of scope); a path longer than Depth keeps
//     its first Depth−1 steps, then MarkGap, then End.
//
// A path that has fewer than Depth steps because the unit ended ends with
// MarkExit. Consecutive repeats of a step in one session are collapsed when
// the step rules say so (StepRules.CollapseRepeats).
type PathQuery struct {
	Start  string          `json:"start,omitempty"`
	End    string          `json:"end,omitempty"`
	Depth  int             `json:"depth"` // 1..MaxPathDepth (2.. with both Start and End); DefaultPathDepth when 0
	Unit   journeys.Unit   `json:"unit"`  // session (default) or journey
	Limit  int             `json:"limit"` // paths listed, 1..MaxPathLimit; DefaultPathLimit when 0
	Filter journeys.Filter `json:"filter"`
}

// Normalize fills the defaults and validates q. The error is an *Error with
// code EINVALID whose message and detail name the field ("depth: 25 is more
// than the maximum 20").
func (q *PathQuery) Normalize() error {
	if q.Depth == 0 {
		q.Depth = DefaultPathDepth
	}
	if q.Limit == 0 {
		q.Limit = DefaultPathLimit
	}
	u, err := journeys.ParseUnit("unit", q.Unit)
	if err != nil {
		return err
	}
	q.Unit = u
	minDepth := 1
	if q.Start != "" && q.End != "" {
		minDepth = 2
	}
	switch {
	case q.Depth < minDepth:
		return journeys.InvalidField("depth", "%d is less than %d", q.Depth, minDepth)
	case q.Depth > MaxPathDepth:
		return journeys.InvalidField("depth", "%d is more than the maximum %d", q.Depth, MaxPathDepth)
	case q.Limit < 1 || q.Limit > MaxPathLimit:
		return journeys.InvalidField("limit", "%d is not from 1 to %d", q.Limit, MaxPathLimit)
	}
	if q.Start != "" {
		if err := journeys.ValidStep("start", q.Start); err != nil {
			return err
		}
	}
	if q.End != "" {
		if err := journeys.ValidStep("end", q.End); err != nil {
			return err
		}
	}
	return q.Filter.Validate()
}

// Path is one distinct path and who followed it.
type Path struct {
	Steps []string `json:"steps"`
	// People counts each person in scope once, on the path of their first
	// unit in scope (in time order), so that the paths and Other add up to
	// the people in scope.
	People  int     `json:"people"`
	Percent float64 `json:"percent"` // of the people in scope
	Units   int     `json:"units"`   // every unit in scope that followed the path
}

// PathReport is the answer to a PathQuery. Reconciliation:
// Σ Paths[i].People + Other.People = People.
type PathReport struct {
	Query      PathQuery `json:"query"`
	People     int       `json:"people"`      // people in scope: with at least one unit that has a path
	PeopleSeen int       `json:"people_seen"` // people with events in the filter
	Units      int       `json:"units"`       // units in scope
	Paths      []Path    `json:"paths"`       // the top Limit paths by people, then units, then steps
	Other      Path      `json:"other"`       // the rest, aggregated; Steps holds no step
	OtherPaths int       `json:"other_paths"` // distinct paths in Other
}

// PathCounter accumulates the paths of sequences (one per person) for a
// normalised query; Report returns the result.
type PathCounter struct {
	q      PathQuery
	sp     *journeys.Splitter
	counts map[string]*Path
	people int
	seen   int
	units  int
	// visit, when set, sees every unit counted: the person, their path and
	// whether this unit is the one the person is counted on (NodeCounter).
	visit func(person string, p *Path, counted bool)
}

// NewPathCounter returns a counter for q, which must be normalised (see
// PathQuery.Normalize), with the given step rules' collapsing and session
// timeout.
func NewPathCounter(q PathQuery, rules journeys.StepRules, timeout journeys.Duration) *PathCounter {
	return &PathCounter{q: q, sp: journeys.NewSplitter(q.Unit, time.Duration(timeout), rules.CollapseRepeats), counts: map[string]*Path{}}
}

// Add counts one person's sequence.
func (pc *PathCounter) Add(seq journeys.Sequence) {
	if len(seq.Events) == 0 {
		return
	}
	pc.seen++
	counted := false
	pc.sp.Units(seq.Events, func(unit []journeys.StepEvent) {
		steps, ok := pathOf(unit, pc.q)
		if !ok {
			return
		}
		key := strings.Join(steps, "\x1f")
		p := pc.counts[key]
		if p == nil {
			p = &Path{Steps: steps}
			pc.counts[key] = p
		}
		p.Units++
		pc.units++
		first := !counted
		if first {
			counted = true
			p.People++
			pc.people++
		}
		if pc.visit != nil {
			pc.visit(seq.Person, p, first)
		}
	})
}

// Report returns the top paths and the aggregated rest.
func (pc *PathCounter) Report() PathReport {
	all := make([]*Path, 0, len(pc.counts))
	for _, p := range pc.counts {
		all = append(all, p)
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.People != b.People {
			return a.People > b.People
		}
		if a.Units != b.Units {
			return a.Units > b.Units
		}
		return strings.Join(a.Steps, "\x1f") < strings.Join(b.Steps, "\x1f")
	})
	r := PathReport{Query: pc.q, People: pc.people, PeopleSeen: pc.seen, Units: pc.units, Paths: []Path{}, Other: Path{Steps: []string{}}}
	for i, p := range all {
		if i < pc.q.Limit {
			p.Percent = percent(p.People, pc.people)
			r.Paths = append(r.Paths, *p)
			continue
		}
		r.Other.People += p.People
		r.Other.Units += p.Units
		r.OtherPaths++
	}
	r.Other.Percent = percent(r.Other.People, pc.people)
	return r
}

// pathOf returns the path of one unit under q, and false when the unit is
// out of scope (it lacks the Start or End asked for).
func pathOf(unit []journeys.StepEvent, q PathQuery) ([]string, bool) {
	n := len(unit)
	first := func(step string, from int) int {
		for i := from; i < n; i++ {
			if unit[i].Step == step {
				return i
			}
		}
		return -1
	}
	steps := func(from, to int) []string {
		out := make([]string, 0, to-from+2)
		for _, e := range unit[from:to] {
			out = append(out, e.Step)
		}
		return out
	}
	start := 0
	if q.Start != "" {
		if start = first(q.Start, 0); start < 0 {
			return nil, false
		}
	}
	if q.End == "" {
		end := min(start+q.Depth, n)
		out := steps(start, end)
		if end-start < q.Depth {
			out = append(out, MarkExit)
		}
		return out, true
	}
	if q.Start == "" {
		end := first(q.End, 0)
		if end < 0 {
			return nil, false
		}
		from := end + 1 - q.Depth
		if from < 0 {
			return append([]string{MarkStart}, steps(0, end+1)...), true
		}
		return steps(from, end+1), true
	}
	end := first(q.End, start+1)
	if end < 0 {
		return nil, false
	}
	if end-start+1 <= q.Depth {
		return steps(start, end+1), true
	}
	return append(append(steps(start, start+q.Depth-1), MarkGap), q.End), true
}

// percent returns 100 × part / whole rounded to 2 decimals, 0 for no whole.
func percent(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return round2(100 * float64(part) / float64(whole))
}

// ratio returns part / whole rounded to 4 decimals, 0 for no whole.
func ratio(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return float64(int64(float64(part)/float64(whole)*10000+0.5)) / 10000
}

func round2(v float64) float64 { return float64(int64(v*100+0.5)) / 100 }
