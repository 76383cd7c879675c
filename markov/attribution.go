package markov

import (
	"fmt"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Removal is the effect of removing one channel (or step, or group of
// steps) s: every transition into a state that contains s is redirected to
// Exit, and journeys entering through s are lost.
type Removal struct {
	// Label is the removed channel.
	Label string
	// States is the number of transient states removed.
	States int
	// P is p_s, the conversion probability of a journey without s.
	P float64
	// Effect is RE(s) = 1 − p_s / p (0 when p = 0).
	Effect float64
	// Value is V_s, the expected conversion value of a journey without s.
	Value float64
	// ValueEffect is 1 − V_s / V (0 when V = 0).
	ValueEffect float64
}

// RemovalEffects returns the exact removal effect of every channel,
// sorted by label. group maps a step label to its channel (nil means the
// step label itself; "" means the step belongs to no channel); a state
// belongs to the channels of all the steps it remembers, and a start state
// "(start:CH)" to the channel of CH.
//
// With S the removed transient states, x = B[:, conversion], y = π^T N and
// N_SS the S×S block of N (columns obtained by solves with the one LU of
// I − Q), it uses p_s = p − y_S · N_SS⁻¹ x_S, and the same with x replaced
// by the expected values z for V_s. It returns ErrNoStart if the chain has
// no start state.
func (a *Absorbing) RemovalEffects(group func(step string) string) ([]Removal, error) {
	c := a.c
	if len(c.starts) == 0 {
		return nil, ErrNoStart
	}
	sets := c.removalSets(group)
	labels := make([]string, 0, len(sets))
	for l := range sets {
		labels = append(labels, l)
	}
	slices.Sort(labels)

	// Columns of N for every state in some set: (I − Q) X = E_U.
	nt := c.nt
	col := make([]int, nt) // state → column of X, or -1
	for i := range col {
		col[i] = -1
	}
	var u []int
	for _, l := range labels {
		for _, i := range sets[l] {
			if col[i] < 0 {
				col[i] = len(u)
				u = append(u, i)
			}
		}
	}
	out := make([]Removal, 0, len(labels))
	if len(u) == 0 {
		return out, nil
	}
	e := mat.NewDense(nt, len(u), nil)
	for k, i := range u {
		e.Set(i, k, 1)
	}
	var x mat.Dense
	if err := a.lu.SolveTo(&x, false, e); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSingular, err)
	}

	for _, l := range labels {
		s := sets[l]
		m := len(s)
		nss := mat.NewDense(m, m, nil)
		rhs := mat.NewDense(m, 2, nil)
		for r, i := range s {
			for q, j := range s {
				nss.Set(r, q, x.At(i, col[j]))
			}
			rhs.Set(r, 0, a.x.AtVec(i))
			rhs.Set(r, 1, a.z.AtVec(i))
		}
		var sol mat.Dense
		if err := sol.Solve(nss, rhs); err != nil {
			return nil, fmt.Errorf("%w: removing %q: %v", ErrSingular, l, err)
		}
		ps, vs := a.p, a.v
		for r, i := range s {
			ps -= a.y.AtVec(i) * sol.At(r, 0)
			vs -= a.y.AtVec(i) * sol.At(r, 1)
		}
		out = append(out, Removal{
			Label:       l,
			States:      m,
			P:           ps,
			Effect:      effect(ps, a.p),
			Value:       vs,
			ValueEffect: effect(vs, a.v),
		})
	}
	return out, nil
}

// effect returns 1 − after/before, or 0 when before is 0.
func effect(after, before float64) float64 {
	if before == 0 {
		return 0
	}
	return 1 - after/before
}

// removalSets maps each channel to the transient states it removes.
func (c *Chain) removalSets(group func(string) string) map[string][]int {
	if group == nil {
		group = func(s string) string { return s }
	}
	sets := make(map[string][]int)
	var seen []string
	for i := 0; i < c.nt; i++ {
		seen = seen[:0]
		add := func(g string) {
			if g == "" || slices.Contains(seen, g) {
				return
			}
			seen = append(seen, g)
			sets[g] = append(sets[g], i)
		}
		if c.tuples[i] != nil {
			for _, s := range c.tuples[i] {
				add(group(s))
			}
		} else if c.channel[i] != "" {
			add(group(c.channel[i]))
		}
	}
	return sets
}

// Touch is conversions and value credited to a channel by a rule.
type Touch struct {
	Conversions, Value float64
}

// Credit is the attribution of one channel.
type Credit struct {
	// Label is the channel.
	Label string
	// RemovalEffect and ValueRemovalEffect are RE(s) for conversions and
	// for value.
	RemovalEffect, ValueRemovalEffect float64
	// Markov is the removal-effect attribution:
	// RE(s)/Σ RE × conversions, and the same for value.
	Markov Touch
	// FirstTouch, LastTouch and Linear are the heuristic attributions:
	// everything to the first or the last touch of each converted path, or
	// an equal share to each of its touches (repeats included).
	FirstTouch, LastTouch, Linear Touch
}

// Attribution is the credit of every channel for the observed conversions.
type Attribution struct {
	// Journeys, Conversions and Value are the observed totals.
	Journeys, Conversions, Value float64
	// ConversionRate is the exact p of the fitted chain.
	ConversionRate float64
	// Credits holds one entry per channel, sorted by label.
	Credits []Credit
}

// Attribute fits a chain on seqs and attributes the observed conversions
// and value to channels, in one pass over seqs: the Markov attribution by
// removal effects (ChannelAttribution's markov_model convention,
// conversions × RE(s)/Σ RE) and first-touch, last-touch and linear
// attributions. group maps a step to its channel as in RemovalEffects.
func Attribute(seqs Sequences, opt Options, group func(step string) string) (*Attribution, error) {
	return AttributeParts([]Sequences{seqs}, opt, group)
}

// AttributeParts is Attribute over several streams of paths, each read on
// a goroutine of its own as in FitParts: the attribution is the one
// Attribute returns on all their paths.
func AttributeParts(parts []Sequences, opt Options, group func(step string) string) (*Attribution, error) {
	if group == nil {
		group = func(s string) string { return s }
	}
	b, err := countParts(parts, opt, true)
	if err != nil {
		return nil, err
	}
	c, err := b.chain()
	if err != nil {
		return nil, err
	}
	an, err := c.Absorbing()
	if err != nil {
		return nil, err
	}
	res, err := an.Attribution(group)
	if err != nil {
		return nil, err
	}
	at := make(map[string]int, len(res.Credits))
	for i, cr := range res.Credits {
		at[cr.Label] = i
	}
	for id, t := range b.touch {
		g := group(b.steps[id])
		if g == "" {
			continue
		}
		i, ok := at[g]
		if !ok { // a channel with no state, such as the unsubscribe step
			i = len(res.Credits)
			at[g] = i
			res.Credits = append(res.Credits, Credit{Label: g})
		}
		cr := &res.Credits[i]
		cr.FirstTouch.Conversions += t[0].Conversions
		cr.FirstTouch.Value += t[0].Value
		cr.LastTouch.Conversions += t[1].Conversions
		cr.LastTouch.Value += t[1].Value
		cr.Linear.Conversions += t[2].Conversions
		cr.Linear.Value += t[2].Value
	}
	slices.SortFunc(res.Credits, func(x, y Credit) int {
		switch {
		case x.Label < y.Label:
			return -1
		case x.Label > y.Label:
			return 1
		}
		return 0
	})
	return res, nil
}

// Attribution returns the removal-effect attribution of the chain's
// observed conversions and value (heuristic fields zero):
//
//	conversions(s) = RE(s) / Σ_c RE(c) × conversions
//	value(s)       = REᵥ(s) / Σ_c REᵥ(c) × value
func (a *Absorbing) Attribution(group func(step string) string) (*Attribution, error) {
	rs, err := a.RemovalEffects(group)
	if err != nil {
		return nil, err
	}
	c := a.c
	res := &Attribution{
		Journeys:       c.journeys,
		Conversions:    c.conversions,
		Value:          c.value,
		ConversionRate: a.p,
		Credits:        make([]Credit, len(rs)),
	}
	var sum, sumV float64
	for _, r := range rs {
		sum += r.Effect
		sumV += r.ValueEffect
	}
	for i, r := range rs {
		cr := Credit{Label: r.Label, RemovalEffect: r.Effect, ValueRemovalEffect: r.ValueEffect}
		if sum > 0 {
			cr.Markov.Conversions = r.Effect / sum * c.conversions
		}
		if sumV > 0 {
			cr.Markov.Value = r.ValueEffect / sumV * c.value
		}
		res.Credits[i] = cr
	}
	return res, nil
}
