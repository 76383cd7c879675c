package markov

import (
	"math"
	"slices"
	"strings"
)

// EdgeFriction is what one transition i→j does to conversion.
type EdgeFriction struct {
	From, To int
	// Traffic is the observed number of transitions, or for a chain built
	// by NewChain the expected number per journey, y_i·P[i][j].
	Traffic float64
	// Delta is c_j − c_i, the change of conversion probability c = B[·][conversion]
	// that taking the edge causes.
	Delta float64
	// Lost is −Delta × Traffic, the conversions lost on the edge (negative
	// when the edge gains conversions). The Lost of the edges out of a
	// state sum to zero when traffic is proportional to P (no smoothing).
	Lost float64
}

// StepFriction describes one transient state.
type StepFriction struct {
	State int
	// Traffic is the observed number of visits (transitions out), or the
	// expected number per journey y_i for a chain built by NewChain.
	Traffic float64
	// Conversion is c_i = B[i][conversion].
	Conversion float64
	// Exit is P[i][exit], the probability of leaving from here.
	Exit float64
	// Loop is P[i][i], the rate of repeating the step.
	Loop float64
	// BackForth is Σ_{j≠i} P[i][j]·P[j][i], the probability of i→j→i.
	BackForth float64
}

// Friction gathers the friction measures of a chain.
type Friction struct {
	// Edges are the transitions out of transient states, most lost
	// conversions first.
	Edges []EdgeFriction
	// Steps are the transient states other than starts, in state order.
	Steps []StepFriction
	// Exit, Loop and BackForth are the traffic-weighted averages over
	// Steps, the site averages to compare each step with.
	Exit, Loop, BackForth float64
}

// Friction returns the friction of every edge and step of the chain.
func (a *Absorbing) Friction() Friction {
	c := a.c
	nt, n := c.nt, c.Len()
	traffic := func(i, j int) float64 {
		if c.n != nil {
			return c.n.At(i, j)
		}
		return a.y.AtVec(i) * c.p.At(i, j)
	}
	var f Friction
	var tot float64
	for i := 0; i < nt; i++ {
		ci := a.ConversionProbability(i)
		var out float64
		for j := 0; j < n; j++ {
			tr := traffic(i, j)
			if tr == 0 {
				continue
			}
			out += tr
			d := a.ConversionProbability(j) - ci
			f.Edges = append(f.Edges, EdgeFriction{From: i, To: j, Traffic: tr, Delta: d, Lost: -d * tr})
		}
		if c.tuples[i] == nil {
			continue // start state
		}
		s := StepFriction{State: i, Traffic: out, Conversion: ci, Loop: c.p.At(i, i)}
		if c.exit >= 0 {
			s.Exit = c.p.At(i, c.exit)
		}
		for j := 0; j < nt; j++ {
			if j != i {
				s.BackForth += c.p.At(i, j) * c.p.At(j, i)
			}
		}
		f.Steps = append(f.Steps, s)
		tot += out
		f.Exit += out * s.Exit
		f.Loop += out * s.Loop
		f.BackForth += out * s.BackForth
	}
	if tot > 0 {
		f.Exit /= tot
		f.Loop /= tot
		f.BackForth /= tot
	}
	slices.SortStableFunc(f.Edges, func(x, y EdgeFriction) int {
		switch {
		case x.Lost > y.Lost:
			return -1
		case x.Lost < y.Lost:
			return 1
		}
		return 0
	})
	return f
}

// Score is the likelihood of one path under a chain.
type Score struct {
	// LogLikelihood is Σ log P[s_t][s_t+1] over the path's transitions,
	// from its start state to its absorbing state; −Inf if it takes a
	// transition or reaches a state the chain does not have.
	LogLikelihood float64
	// Transitions is the number of transitions scored.
	Transitions int
	// PerStep is LogLikelihood / Transitions, comparable across lengths.
	PerStep float64
}

// Score returns the log-likelihood of p under c, mapping p to states as
// Fit does. Low PerStep values flag improbable (confused) journeys.
func (c *Chain) Score(p Path) Score {
	var sc Score
	k := c.Order()
	prev, ok := c.index[c.startLabel(p.entry())]
	step := func(to int, ok bool) bool {
		sc.Transitions++
		if !ok || prev < 0 || c.p.At(prev, to) == 0 {
			sc.LogLikelihood = math.Inf(-1)
			return false
		}
		sc.LogLikelihood += math.Log(c.p.At(prev, to))
		prev = to
		return true
	}
	if !ok {
		prev = -1
	}
	var tuple []string
	last := ""
	absorbed := false
	for i, s := range p.Steps {
		if c.opt.Unsubscribe != "" && s == c.opt.Unsubscribe {
			to, ok := c.index[Unsubscribe]
			step(to, ok)
			absorbed = true
			break
		}
		if c.opt.CollapseRepeats && i > 0 && s == last {
			continue
		}
		last = s
		if len(tuple) == k {
			tuple = tuple[1:]
		}
		tuple = append(tuple, s)
		to, ok := c.index[strings.Join(tuple, TupleSep)]
		if !step(to, ok) {
			break
		}
	}
	if !absorbed && !math.IsInf(sc.LogLikelihood, -1) {
		end := Exit
		if p.Converted {
			end = Conversion
		}
		to, ok := c.index[end]
		step(to, ok)
	}
	if sc.Transitions > 0 {
		sc.PerStep = sc.LogLikelihood / float64(sc.Transitions)
	}
	return sc
}
