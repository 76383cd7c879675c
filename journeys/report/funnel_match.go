package report

import (
	"sort"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// funnelMatch is how far one person's attempt got: Level steps (0: never
// entered); for each reached step k, the time it was reached (epoch ms) and
// the seconds from entering the funnel to reaching it.
type funnelMatch struct {
	level     int
	reachedAt []int64
	ttc       []float64
}

// matcher finds a person's funnel attempt (see Funnel for the rules).
type matcher struct {
	f       *Funnel
	window  int64 // ms
	within  []int64
	exclude map[string]bool
	excl    []int // excl[x]: excluded events in unit[:x]
	pos     [][]int
}

func newMatcher(f *Funnel) *matcher {
	m := &matcher{f: f, window: f.Window.Milliseconds(), exclude: map[string]bool{}}
	for _, s := range f.Steps {
		m.within = append(m.within, s.Within.Milliseconds())
	}
	for _, x := range f.Exclude {
		m.exclude[x] = true
	}
	return m
}

// match returns the attempt of one journey (events in chain order).
func (m *matcher) match(ev []journeys.StepEvent) funnelMatch {
	m.excl = append(m.excl[:0], 0)
	for _, e := range ev {
		n := m.excl[len(m.excl)-1]
		if m.exclude[e.Step] {
			n++
		}
		m.excl = append(m.excl, n)
	}
	// The furthest any attempt could get: up to the first step never done.
	present := map[string]int{}
	for _, e := range ev {
		present[e.Step]++
	}
	possible, need := 0, map[string]int{}
	for _, s := range m.f.Steps {
		need[s.Step]++
		if present[s.Step] < need[s.Step] {
			break
		}
		possible++
	}
	if possible == 0 {
		return funnelMatch{}
	}
	if m.f.Order == OrderAny {
		return m.matchAny(ev, possible)
	}
	var best funnelMatch
	for p0, e := range ev {
		if e.Step != m.f.Steps[0].Step {
			continue
		}
		var a funnelMatch
		if m.f.Order == OrderStrict {
			a = m.strict(ev, p0)
		} else {
			a = m.ordered(ev, p0)
		}
		if a.level > best.level {
			best = a
		}
		if best.level == possible {
			break
		}
	}
	return best
}

// clean reports whether no excluded event lies strictly between i and j.
func (m *matcher) clean(i, j int) bool { return m.excl[j] == m.excl[i+1] }

// strict matches step k at position p0+k.
func (m *matcher) strict(ev []journeys.StepEvent, p0 int) funnelMatch {
	t0 := ev[p0].TS
	a := funnelMatch{level: 1, reachedAt: []int64{t0}, ttc: []float64{0}}
	for k := 1; k < len(m.f.Steps); k++ {
		j := p0 + k
		if j >= len(ev) || ev[j].Step != m.f.Steps[k].Step || ev[j].TS-t0 > m.window ||
			(m.within[k] > 0 && ev[j].TS-ev[j-1].TS > m.within[k]) {
			break
		}
		a.level++
		a.reachedAt = append(a.reachedAt, ev[j].TS)
		a.ttc = append(a.ttc, float64(ev[j].TS-t0)/1000)
	}
	return a
}

// ordered runs the attempt entering at p0. Forward, it finds the positions
// where each step can be matched (F[k]); backward, those from which the
// furthest level stays reachable (G[k]); then it takes, step by step, the
// earliest of those after the previous match.
func (m *matcher) ordered(ev []journeys.StepEvent, p0 int) funnelMatch {
	t0 := ev[p0].TS
	end := p0
	for end < len(ev) && ev[end].TS-t0 <= m.window {
		end++
	}
	if len(m.pos) < len(m.f.Steps) {
		m.pos = make([][]int, len(m.f.Steps))
	}
	F := m.pos
	F[0] = append(F[0][:0], p0)
	level := 1
	for k := 1; k < len(m.f.Steps); k++ {
		F[k] = F[k][:0]
		prev, pi, cand := F[k-1], 0, -1
		for j := prev[0] + 1; j < end; j++ {
			for pi < len(prev) && prev[pi] < j {
				cand = prev[pi]
				pi++
			}
			if ev[j].Step == m.f.Steps[k].Step && m.link(ev, cand, j, k) {
				F[k] = append(F[k], j)
			}
		}
		if len(F[k]) == 0 {
			break
		}
		level++
	}
	// Backward: keep in F[k] the positions linked to a kept one of F[k+1].
	for k := level - 2; k >= 0; k-- {
		next, kept := F[k+1], F[k][:0]
		for _, i := range F[k] {
			n := sort.SearchInts(next, i+1)
			if n < len(next) && m.link(ev, i, next[n], k+1) {
				kept = append(kept, i)
			}
		}
		F[k] = kept
	}
	a := funnelMatch{level: level, reachedAt: []int64{t0}, ttc: []float64{0}}
	c := p0
	for k := 1; k < level; k++ {
		c = F[k][sort.SearchInts(F[k], c+1)]
		a.reachedAt = append(a.reachedAt, ev[c].TS)
		a.ttc = append(a.ttc, float64(ev[c].TS-t0)/1000)
	}
	return a
}

// link reports whether step k at j may follow the previous step at i.
func (m *matcher) link(ev []journeys.StepEvent, i, j, k int) bool {
	return i >= 0 && i < j && m.clean(i, j) && (m.within[k] == 0 || ev[j].TS-ev[i].TS <= m.within[k])
}

// matchAny finds, for k = 1..possible, the shortest stretch free of
// excluded events holding the first k steps; level is the largest k whose
// stretch fits in the window.
func (m *matcher) matchAny(ev []journeys.StepEvent, possible int) funnelMatch {
	a := funnelMatch{}
	for k := 1; k <= possible; k++ {
		need := map[string]int{}
		for _, s := range m.f.Steps[:k] {
			need[s.Step]++
		}
		span, endTS, ok := shortestCover(ev, need, m.exclude)
		if !ok || span > m.window {
			break
		}
		a.level = k
		a.reachedAt = append(a.reachedAt, endTS)
		a.ttc = append(a.ttc, float64(span)/1000)
	}
	return a
}

// shortestCover returns the shortest time span (ms) of a run of events,
// holding no excluded event, that contains need[s] events of each step s;
// endTS is the time of its last event (the earliest such run on ties).
func shortestCover(ev []journeys.StepEvent, need map[string]int, exclude map[string]bool) (span, endTS int64, ok bool) {
	have := map[string]int{}
	missing := 0
	for _, n := range need {
		missing += n
	}
	lo := 0
	for hi, e := range ev {
		if exclude[e.Step] {
			clear(have)
			missing = 0
			for _, n := range need {
				missing += n
			}
			lo = hi + 1
			continue
		}
		if have[e.Step] < need[e.Step] {
			missing--
		}
		have[e.Step]++
		for missing == 0 {
			if d := e.TS - ev[lo].TS; !ok || d < span {
				span, endTS, ok = d, e.TS, true
			}
			s := ev[lo].Step
			have[s]--
			if have[s] < need[s] {
				missing++
			}
			lo++
		}
	}
	return span, endTS, ok
}

// FunnelCounter accumulates a funnel over sequences (one per person);
// Report returns the per-step counts and Dropped the people who dropped at
// one step.
type FunnelCounter struct {
	f           Funnel
	req         Funnel // f without its optional steps: what the matcher matches
	reqIdx      []int  // reqIdx[r]: index in f of req's step r
	prevReq     []int  // prevReq[k]: index in f of the required step before step k (-1 for the first)
	m           *matcher
	sp          *journeys.Splitter
	seen        int
	reached     []int
	ttc         [][]float64
	droppedStep int
	dropped     []DroppedPerson
}

// NewFunnelCounter returns a counter for f, which must be normalised, with
// the given step rules' collapsing and session timeout (which bounds the
// sessions repeats are collapsed in). With droppedStep ≥ 1 it also collects
// the people who dropped at that step.
func NewFunnelCounter(f Funnel, rules journeys.StepRules, timeout journeys.Duration, droppedStep int) *FunnelCounter {
	fc := &FunnelCounter{f: f, sp: journeys.NewSplitter(journeys.UnitJourney, time.Duration(timeout), rules.CollapseRepeats),
		reached: make([]int, len(f.Steps)), ttc: make([][]float64, len(f.Steps)), droppedStep: droppedStep}
	fc.req = f
	fc.req.Steps = nil
	last := -1
	for k, s := range f.Steps {
		fc.prevReq = append(fc.prevReq, last)
		if !s.Optional {
			fc.req.Steps = append(fc.req.Steps, s)
			fc.reqIdx = append(fc.reqIdx, k)
			last = k
		}
	}
	fc.m = newMatcher(&fc.req)
	return fc
}

// reachedSteps maps an attempt on the required steps to the steps of f:
// at[k] is when step k was reached, -1 when it was not (see Funnel for
// optional steps); reach[k] the reached steps' seconds from entering.
func (fc *FunnelCounter) reachedSteps(unit []journeys.StepEvent, a funnelMatch, at []int64, ttc []float64) {
	for k := range at {
		at[k] = -1
	}
	for r := 0; r < a.level; r++ {
		at[fc.reqIdx[r]], ttc[fc.reqIdx[r]] = a.reachedAt[r], a.ttc[r]
	}
	if len(fc.req.Steps) == len(fc.f.Steps) || a.level == 0 {
		return
	}
	t0 := a.reachedAt[0]
	for k, s := range fc.f.Steps {
		p := fc.prevReq[k]
		if !s.Optional || at[p] < 0 {
			continue
		}
		end := t0 + fc.req.Window.Milliseconds()
		for n := k + 1; n < len(fc.f.Steps); n++ {
			if !fc.f.Steps[n].Optional {
				if at[n] >= 0 {
					end = at[n]
				}
				break
			}
		}
		for _, e := range unit {
			if e.TS > end {
				break
			}
			if e.TS >= at[p] && e.Step == s.Step {
				at[k], ttc[k] = e.TS, float64(e.TS-t0)/1000
				break
			}
		}
	}
}

// Add counts one person's sequence.
func (fc *FunnelCounter) Add(seq journeys.Sequence) {
	if len(seq.Events) == 0 {
		return
	}
	fc.seen++
	at, ttc := make([]int64, len(fc.f.Steps)), make([]float64, len(fc.f.Steps))
	fc.sp.Units(seq.Events, func(unit []journeys.StepEvent) {
		fc.reachedSteps(unit, fc.m.match(unit), at, ttc)
		for k := range at {
			if at[k] < 0 {
				continue
			}
			fc.reached[k]++
			if k > 0 {
				fc.ttc[k] = append(fc.ttc[k], ttc[k])
			}
		}
		if d := fc.droppedStep; d > 0 && d < len(at) && at[d] < 0 && at[fc.prevReq[d]] >= 0 {
			fc.dropped = append(fc.dropped, DroppedPerson{ID: seq.Person, ReachedAt: time.UnixMilli(at[fc.prevReq[d]]).UTC()})
		}
	})
}

// Report returns the funnel's per-step answer.
func (fc *FunnelCounter) Report() FunnelReport {
	r := FunnelReport{Funnel: fc.f, PeopleSeen: fc.seen, Steps: make([]FunnelStepReport, len(fc.f.Steps))}
	for k, s := range fc.f.Steps {
		st := FunnelStepReport{Step: s.Step, People: fc.reached[k], Optional: s.Optional, FromPrevious: 1,
			FromFirst: ratio(fc.reached[k], fc.reached[0])}
		if k > 0 {
			p := fc.prevReq[k]
			st.DropOff = fc.reached[p] - fc.reached[k]
			st.FromPrevious = ratio(fc.reached[k], fc.reached[p])
			d := journeys.Summarise(fc.ttc[k])
			st.TimeToConvert = &d
		}
		r.Steps[k] = st
	}
	return r
}

// Dropped returns the people who dropped at the step given to
// NewFunnelCounter, sorted by id, and the page asked for.
func (fc *FunnelCounter) Dropped(offset, limit int) DroppedPage {
	sort.Slice(fc.dropped, func(i, j int) bool { return fc.dropped[i].ID < fc.dropped[j].ID })
	p := DroppedPage{Step: fc.droppedStep, Total: len(fc.dropped), Offset: offset, People: []DroppedPerson{}}
	if fc.droppedStep > 0 && fc.droppedStep < len(fc.f.Steps) {
		p.StepName = fc.f.Steps[fc.droppedStep].Step
	}
	if offset < len(fc.dropped) {
		end := min(offset+limit, len(fc.dropped))
		p.People = append(p.People, fc.dropped[offset:end]...)
		if end < len(fc.dropped) {
			p.NextOffset = &end
		}
	}
	return p
}
