package chain

import (
	"context"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/markov"
)

// FrictionQuery asks where journeys lose conversions. The chain is fitted on
// step paths (PathOptions with By = step) of the units in Filter.
type FrictionQuery struct {
	Filter      journeys.Filter `json:"filter"`
	Unit        journeys.Unit   `json:"unit"`        // session (default) or journey
	Conversion  string          `json:"conversion"`  // DefaultConversion when ""
	Unsubscribe string          `json:"unsubscribe"` // DefaultUnsubscribe when "", none when NoUnsubscribe
	Collapse    bool            `json:"collapse,omitempty"`
	// MinLength is the fewest steps an improbable journey has (default 3).
	MinLength int `json:"min_length"`
	// Improbable is how many improbable journeys to list (default 20, at
	// most 1000); Edges how many edges (default 20, at most 1000).
	Improbable int `json:"improbable"`
	Edges      int `json:"edges"`
	// EdgesOnly skips what the steps and edges do not need: the dwell
	// times (left zero) and the improbable journeys (left empty).
	EdgesOnly bool `json:"edges_only,omitempty"`
}

// maxListed bounds Improbable and Edges.
const maxListed = 1000

// Normalize fills the defaults and validates q (an *Error with code
// EINVALID naming the field).
func (q *FrictionQuery) Normalize() error {
	if err := q.Filter.Validate(); err != nil {
		return err
	}
	opt := q.pathOptions()
	if err := opt.Normalize(); err != nil {
		return err
	}
	q.Unit, q.Conversion, q.Unsubscribe = opt.Unit, opt.Conversion, opt.Unsubscribe
	for _, f := range []struct {
		name string
		v    *int
		def  int
	}{{"min_length", &q.MinLength, 3}, {"improbable", &q.Improbable, 20}, {"edges", &q.Edges, 20}} {
		if *f.v < 0 || *f.v > maxListed {
			return journeys.InvalidField(f.name, "%d is not from 0 to %d", *f.v, maxListed)
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	return nil
}

func (q *FrictionQuery) pathOptions() journeys.PathOptions {
	return journeys.PathOptions{Unit: q.Unit, By: journeys.ByStep, Conversion: q.Conversion, Unsubscribe: q.Unsubscribe, Collapse: q.Collapse}
}

// StepFriction is the friction of one step. The *Index fields compare a
// measure with its site average (1 is average, 2 twice as much).
type StepFriction struct {
	Step string `json:"step"`
	// Visits is the number of times a journey left the step.
	Visits float64 `json:"visits"`
	// Conversion is P(conversion) from the step under the chain.
	Conversion float64 `json:"conversion"`
	// LostConversions sums −Δ·traffic over the edges out of the step that
	// lower the conversion probability (exit included): the conversions
	// lost there. Steps are ranked by it.
	LostConversions float64 `json:"lost_conversions"`
	Exit            float64 `json:"exit"` // P(exit | step)
	ExitIndex       float64 `json:"exit_index"`
	Loop            float64 `json:"loop"` // P(step → same step)
	LoopIndex       float64 `json:"loop_index"`
	BackForth       float64 `json:"back_forth"` // Σ_j P(step → j)·P(j → step)
	BackForthIndex  float64 `json:"back_forth_index"`
	// Dwells is the number of times the step was followed by another step
	// in the same session; DwellMedianS the median of those gaps.
	Dwells       int     `json:"dwells"`
	DwellMedianS float64 `json:"dwell_median_s"`
	DwellIndex   float64 `json:"dwell_index"`
}

// EdgeFriction is what taking one transition does to conversion.
type EdgeFriction struct {
	From    string  `json:"from"`
	To      string  `json:"to"`
	Traffic float64 `json:"traffic"`
	Delta   float64 `json:"delta"` // P(conversion | To) − P(conversion | From)
	Lost    float64 `json:"lost"`  // −Delta × Traffic
}

// SiteFriction holds the site averages the steps are compared with.
type SiteFriction struct {
	Exit         float64 `json:"exit"`
	Loop         float64 `json:"loop"`
	BackForth    float64 `json:"back_forth"`
	Dwells       int     `json:"dwells"`
	DwellMedianS float64 `json:"dwell_median_s"`
}

// ImprobableJourney is a path that is unlikely under the fitted chain:
// candidates for review (confused navigation, bots, tracking bugs).
type ImprobableJourney struct {
	Person    string   `json:"person"` // the first person (by id) who took it
	People    int      `json:"people"` // how many units took exactly this path
	Start     int64    `json:"start_ms"`
	Steps     []string `json:"steps"`
	Converted bool     `json:"converted"`
	// LogLikelihood is Σ log P over its transitions, start to end;
	// PerStep divides it by the transitions (the ranking, lowest first).
	LogLikelihood float64 `json:"log_likelihood"`
	PerStep       float64 `json:"per_step"`
}

// FrictionReport is the answer to a FrictionQuery.
type FrictionReport struct {
	Query          FrictionQuery       `json:"query"`
	People         int                 `json:"people"`
	Journeys       float64             `json:"journeys"`
	Conversions    float64             `json:"conversions"`
	ConversionRate float64             `json:"conversion_rate"`
	Site           SiteFriction        `json:"site"`
	Steps          []StepFriction      `json:"steps"`
	Edges          []EdgeFriction      `json:"edges"`
	Improbable     []ImprobableJourney `json:"improbable"`
	// SkippedValues counts the conversion values that were not finite
	// numbers (see AttributionReport); friction does not use values, and
	// says so only to show the data holds some.
	SkippedValues int `json:"skipped_values,omitempty"`
}

// Friction fits the chain of q and returns its friction report. It reads
// the store once (in parts, see Chains): the distinct paths of at least
// MinLength steps are kept to be scored after the fit; beyond
// maxDistinctPaths of them, a second read scores every unit instead.
func (c *Chains) Friction(ctx context.Context, q FrictionQuery) (FrictionReport, error) {
	if err := q.Normalize(); err != nil {
		return FrictionReport{}, err
	}
	opt := q.pathOptions()
	_ = opt.Normalize()
	tq := journeys.TouchQuery{Filter: q.Filter}
	pp, err := c.pathParts(ctx, tq, opt)
	if err != nil {
		return FrictionReport{}, err
	}
	dws := make([]*dwells, len(pp))
	dps := make([]*distinctPaths, len(pp))
	for i, ps := range pp {
		dws[i], dps[i] = newDwells(opt), newDistinctPaths(q.MinLength)
		if !q.EdgesOnly {
			ps.onSeq, ps.onPath = dws[i].add, dps[i].add
		}
	}
	chain, err := markov.FitParts(pp.sequences(), markovOptions(opt))
	pp.Close()
	if err != nil {
		return FrictionReport{}, markovError("friction", err)
	}
	// The dwells are merged and sorted on one core while the other
	// analyses the chain and scores the distinct paths.
	dw := dws[0]
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() {
		for _, o := range dws[1:] {
			dw.merge(o)
		}
		dw.sortGaps()
	})
	dp := dps[0]
	for _, o := range dps[1:] {
		dp.merge(o)
	}
	an, err := chain.Absorbing()
	if err != nil {
		return FrictionReport{}, markovError("friction", err)
	}
	rep := FrictionReport{Query: q, People: pp.people(), Journeys: chain.Journeys(),
		Conversions: chain.Conversions(), ConversionRate: an.ConversionRate(), SkippedValues: pp.skipped()}
	fr := an.Friction()
	for _, e := range fr.Edges[:min(q.Edges, len(fr.Edges))] {
		rep.Edges = append(rep.Edges, EdgeFriction{From: chain.Label(e.From), To: chain.Label(e.To),
			Traffic: e.Traffic, Delta: e.Delta, Lost: e.Lost})
	}
	switch {
	case q.EdgesOnly:
	case dp.overflow:
		rep.Improbable, err = c.rescore(ctx, tq, opt, chain, q)
		if err != nil {
			return FrictionReport{}, err
		}
	default:
		rep.Improbable = dp.improbable(chain, q.Improbable)
	}
	wg.Wait()
	rep.Site = SiteFriction{Exit: fr.Exit, Loop: fr.Loop, BackForth: fr.BackForth}
	rep.Site.Dwells, rep.Site.DwellMedianS = dw.site()
	rep.Steps = stepFriction(chain, fr, dw, rep.Site)
	return rep, nil
}

// stepFriction ranks the steps of fr by lost conversions.
func stepFriction(chain *markov.Chain, fr markov.Friction, dw *dwells, site SiteFriction) []StepFriction {
	lost := make(map[int]float64)
	for _, e := range fr.Edges {
		if e.Lost > 0 {
			lost[e.From] += e.Lost
		}
	}
	out := make([]StepFriction, 0, len(fr.Steps))
	for _, s := range fr.Steps {
		step := chain.Label(s.State)
		n, med := dw.step(step)
		out = append(out, StepFriction{
			Step: step, Visits: s.Traffic, Conversion: s.Conversion, LostConversions: lost[s.State],
			Exit: s.Exit, ExitIndex: safeDiv(s.Exit, site.Exit),
			Loop: s.Loop, LoopIndex: safeDiv(s.Loop, site.Loop),
			BackForth: s.BackForth, BackForthIndex: safeDiv(s.BackForth, site.BackForth),
			Dwells: n, DwellMedianS: med, DwellIndex: safeDiv(med, site.DwellMedianS),
		})
	}
	slices.SortStableFunc(out, func(a, b StepFriction) int {
		if a.LostConversions != b.LostConversions {
			if a.LostConversions > b.LostConversions {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Step, b.Step)
	})
	return out
}

// dwells collects, per step, the gaps (seconds) to the next step event of
// the same session.
type dwells struct {
	timeout int64
	gaps    map[string][]int64 // milliseconds
	sorted  bool               // every step's gaps are sorted
}

func newDwells(o journeys.PathOptions) *dwells {
	return &dwells{timeout: o.SessionTimeout.Milliseconds(), gaps: make(map[string][]int64)}
}

func (d *dwells) add(seq journeys.TouchSequence) {
	ts := seq.Touches
	for i := 0; i+1 < len(ts); i++ {
		if !journeys.NewSession(ts[i], ts[i+1], d.timeout) {
			d.gaps[ts[i].Step] = append(d.gaps[ts[i].Step], ts[i+1].TS-ts[i].TS)
		}
	}
}

// merge adds the gaps of o (over other people) to d.
func (d *dwells) merge(o *dwells) {
	for step, g := range o.gaps {
		d.gaps[step] = append(d.gaps[step], g...)
	}
	d.sorted = false
}

// sortGaps sorts every step's gaps, once.
func (d *dwells) sortGaps() {
	if !d.sorted {
		for _, g := range d.gaps {
			slices.Sort(g)
		}
		d.sorted = true
	}
}

// step returns the count and (lower) median gap after step.
func (d *dwells) step(step string) (int, float64) {
	d.sortGaps()
	g := d.gaps[step]
	if len(g) == 0 {
		return 0, 0
	}
	return len(g), float64(g[(len(g)+1)/2-1]) / 1000
}

// site returns the count and (lower) median gap over all steps: the k-th
// smallest gap of the steps' sorted lists, found by bisecting on the value
// rather than by sorting them all together again.
func (d *dwells) site() (int, float64) {
	d.sortGaps()
	n, lo, hi := 0, int64(math.MaxInt64), int64(math.MinInt64)
	for _, g := range d.gaps {
		if len(g) > 0 {
			n += len(g)
			lo, hi = min(lo, g[0]), max(hi, g[len(g)-1])
		}
	}
	if n == 0 {
		return 0, 0
	}
	k := (n + 1) / 2
	for lo < hi { // the smallest v with at least k gaps ≤ v
		mid := lo + (hi-lo)/2
		c := 0
		for _, g := range d.gaps {
			c += sort.Search(len(g), func(i int) bool { return g[i] > mid })
		}
		if c >= k {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return n, float64(lo) / 1000
}
