package profile

import (
	"context"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
)

// currentStates returns the scorer of the current hidden-state model of
// scope, nil when there is none (or no model store).
func (p *Profiler) currentStates(ctx context.Context, scope string) (*chain.StateScorer, error) {
	if p.Models == nil {
		return nil, nil
	}
	sc, err := chain.CurrentStateScorer(ctx, p.Models, scope)
	if journeys.ErrorCode(err) == journeys.ENOTFOUND {
		return nil, nil
	}
	return sc, err
}

// StateFeatures returns the features of sc's states, in state order:
// hmm_p_state_<label> (HMMPrefix), the state's label with spaces as "_",
// or its index when the model has no labels or two states share one. The
// propensity models name their hidden-state features the same way.
func StateFeatures(sc *chain.StateScorer) []Feature {
	fs := make([]Feature, sc.States())
	seen := map[string]bool{}
	for k := range fs {
		name := strconv.Itoa(k)
		if sc.Labelled() {
			if l := featureLabel(sc.StateName(k)); l != "" && !seen[l] {
				name = l
			}
		}
		seen[name] = true
		fs[k] = Feature{Name: HMMPrefix + name, Unit: "probability", HMMState: &k,
			Doc: "probability of hidden state " + strconv.Itoa(k) + " (" + sc.StateName(k) + ") of hidden-state model " +
				strconv.Itoa(sc.Version) + " given the person's events before as_of that the model observes (0 when none is)"}
	}
	return fs
}

// featureLabel is a state label as a feature name's part: spaces and
// control characters become "_".
func featureLabel(label string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(label))
}

// hmmQuery is q reading also the events sc observes beyond the steps
// (nil sc: q).
func hmmQuery(q journeys.TouchQuery, sc *chain.StateScorer) journeys.TouchQuery {
	if sc != nil {
		if ev := sc.Events(); len(ev) > 0 {
			q.Events, q.Steps = ev, true
		}
	}
	return q
}

// statesAt writes into dst[cols[k]] the probability of each state k of sc
// given the touches of ts before asOf (epoch ms, touches in chain order);
// they stay 0 when none is observed.
func statesAt(sc *chain.StateScorer, ts journeys.TouchSequence, asOf int64, dst []float64, cols []int) error {
	n := 0
	for n < len(ts.Touches) && ts.Touches[n].TS < asOf {
		n++
	}
	post, ok, err := sc.Posterior(nil, ts.Touches[:n])
	if !ok || err != nil {
		return err
	}
	for k, pk := range post {
		dst[cols[k]] = pk
	}
	return nil
}

// Reading is what a feature's standing out says of a cluster in words,
// "" when it has none beyond its name: "likely in state <label>" for a
// hidden-state feature above the population (z > 0), "unlikely in state
// <label>" below.
func Reading(feature string, z float64) string {
	label, ok := strings.CutPrefix(feature, HMMPrefix)
	switch {
	case !ok || math.Abs(z) <= noZ:
		return ""
	case z > 0:
		return "likely in state " + label
	default:
		return "unlikely in state " + label
	}
}
