package propensity

import (
	"context"
	"fmt"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
	"github.com/journeygraph/journeygraph/journeys/profile"
)

// Chain-state features, after the behaviour vectors'.
const (
	featChainConvert     = "chain_p_convert"
	featChainUnsubscribe = "chain_p_unsubscribe"
)

// window is the people at one cutoff: their features in a fixed column
// order, and the chain-state propensities (also features).
type window struct {
	asOf     time.Time
	people   []string
	features []string
	log      []bool
	x        *mat.Dense
	// chain is nil when no chain could be fitted before asOf; then the
	// chain features are 0. chainMissing counts the people it had no
	// score for (0 too).
	chain        *chain.PropensityChain
	chainMissing int
	// states is the hidden-state model of the hmm_p_state_k features (nil
	// for none).
	states *chain.StateScorer
}

// window computes the people's features at asOf. With columns (the
// training window's feature names), it builds them in that order: a
// channel share the window lacks is 0 (one it has beyond them is left out).
// scorer (stateScorer, read once per fit so that every window uses the
// same model; nil for none) gives the hidden-state features.
func (s *Service) window(ctx context.Context, q Query, asOf time.Time, columns []string, scorer *chain.StateScorer) (*window, error) {
	prof := &profile.Profiler{Touches: s.Touches, Outbound: s.Outbound}
	v, err := prof.Vectors(ctx, profile.VectorQuery{AsOf: asOf, PersonPrefix: q.PersonPrefix})
	if err != nil {
		return nil, fmt.Errorf("propensity: vectors at %s: %w", asOf.Format(time.RFC3339), err)
	}
	own := map[string]int{}
	logs := map[string]bool{}
	for j, f := range v.Features {
		own[f.Name] = j
		logs[f.Name] = f.Log
	}
	states := stateFeatures(scorer)
	if columns == nil {
		for _, f := range v.Features {
			columns = append(columns, f.Name)
		}
		columns = append(columns, featChainConvert, featChainUnsubscribe)
		for _, f := range states {
			columns = append(columns, f.Name)
		}
	}
	w := &window{asOf: asOf, people: v.People, features: columns, log: make([]bool, len(columns)), states: scorer}
	n := len(v.People)
	w.x = mat.NewDense(n, len(columns), nil)
	chainCol := map[string]int{}
	stateOf := map[string]int{} // hidden-state feature → state
	for _, f := range states {
		stateOf[f.Name] = *f.HMMState
	}
	hmmCol := map[int]int{} // hidden state → column
	for j, name := range columns {
		w.log[j] = logs[name]
		if name == featChainConvert || name == featChainUnsubscribe {
			chainCol[name] = j
			continue
		}
		if k, ok := stateOf[name]; ok {
			hmmCol[k] = j
			continue
		}
		src, ok := own[name]
		if !ok {
			continue
		}
		for i := 0; i < n; i++ {
			w.x.Set(i, j, v.X.At(i, src))
		}
	}
	if err := s.chainFeatures(ctx, q, w, chainCol); err != nil {
		return nil, err
	}
	if scorer != nil && len(hmmCol) > 0 {
		if err := s.hmmFeatures(ctx, q, w, scorer, hmmCol); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// stateFeatures are the hidden-state features of scorer's model (none for
// nil): hmm_p_state_<label> is the probability that the person is in that
// state of the scope's current hidden-state model (journeygraph fit),
// given their events before the cutoff, named as the behaviour vectors name
// them (profile.StateFeatures).
func stateFeatures(scorer *chain.StateScorer) []profile.Feature {
	if scorer == nil {
		return nil
	}
	return profile.StateFeatures(scorer)
}

// stateScorer returns the scorer of the current hidden-state model of
// q's scope, nil when there is none (or no model store).
func (s *Service) stateScorer(ctx context.Context, q Query) *chain.StateScorer {
	if s.Models == nil {
		return nil
	}
	sc, err := chain.CurrentStateScorer(ctx, s.Models, q.PersonPrefix)
	if err != nil {
		return nil
	}
	return sc
}

// hmmFeatures fills the hidden-state columns with each person's state
// probabilities given their events before w.asOf (0 for the people with
// no observed event, and for a state the model lacks).
func (s *Service) hmmFeatures(ctx context.Context, q Query, w *window, sc *chain.StateScorer, cols map[int]int) error {
	row := make(map[string]int, len(w.people))
	for i, p := range w.people {
		row[p] = i
	}
	var post []float64
	var perr error
	err := s.each(ctx, journeys.TouchQuery{Filter: journeys.Filter{To: w.asOf, PersonPrefix: q.PersonPrefix}}, func(ts journeys.TouchSequence) {
		i, ok := row[ts.Person]
		if !ok || perr != nil {
			return
		}
		if post, ok, perr = sc.Posterior(post, ts.Touches); !ok {
			return
		}
		for k, p := range post {
			if j, ok := cols[k]; ok {
				w.x.Set(i, j, p)
			}
		}
	})
	if err == nil {
		err = perr
	}
	if err != nil {
		return fmt.Errorf("propensity: hidden states at %s: %w", w.asOf.Format(time.RFC3339), err)
	}
	return nil
}

// chainFeatures fits the propensity chain on the journeys before w.asOf
// and fills its two columns with each person's chain-state propensities.
func (s *Service) chainFeatures(ctx context.Context, q Query, w *window, cols map[string]int) error {
	filter := journeys.Filter{To: w.asOf, PersonPrefix: q.PersonPrefix}
	opt := journeys.PathOptions{Conversion: q.Step}
	if q.Target == TargetUnsubscribe {
		opt = journeys.PathOptions{Unsubscribe: q.Step}
	}
	c, err := chain.FitPropensityChain(ctx, s.Touches, filter, opt)
	if journeys.ErrorCode(err) == journeys.ENOTFOUND {
		w.chainMissing = len(w.people)
		return nil // no journey to learn a chain from: the columns stay 0
	}
	if err != nil {
		return fmt.Errorf("propensity: chain at %s: %w", w.asOf.Format(time.RFC3339), err)
	}
	w.chain = c
	row := make(map[string]int, len(w.people))
	for i, p := range w.people {
		row[p] = i
	}
	seen := 0
	err = s.each(ctx, journeys.TouchQuery{Filter: filter}, func(ts journeys.TouchSequence) {
		i, ok := row[ts.Person]
		if !ok {
			return
		}
		conv, unsub := c.Person(ts)
		if conv == nil {
			return
		}
		seen++
		w.x.Set(i, cols[featChainConvert], *conv)
		w.x.Set(i, cols[featChainUnsubscribe], *unsub)
	})
	w.chainMissing = len(w.people) - seen
	return err
}

// chainScores returns the chain-state propensity of the target per person.
func (w *window) chainScores(target string) []float64 {
	col := featChainConvert
	if target == TargetUnsubscribe {
		col = featChainUnsubscribe
	}
	for j, f := range w.features {
		if f == col {
			return mat.Col(nil, j, w.x)
		}
	}
	return make([]float64, len(w.people))
}

// labels returns 1 for the people of w who reached the target step in
// [from, to), else 0.
func (w *window) labels(reached map[string][]int64, from, to time.Time) []float64 {
	y := make([]float64, len(w.people))
	f, t := from.UnixMilli(), to.UnixMilli()
	for i, p := range w.people {
		for _, ts := range reached[p] {
			if ts >= f && ts < t {
				y[i] = 1
				break
			}
		}
	}
	return y
}

// labels reads the times each person reached q.Step in [from, to).
func (s *Service) labels(ctx context.Context, q Query, from, to time.Time) (map[string][]int64, error) {
	out := map[string][]int64{}
	err := s.each(ctx, journeys.TouchQuery{Filter: journeys.Filter{From: from, To: to, PersonPrefix: q.PersonPrefix}},
		func(ts journeys.TouchSequence) {
			for _, t := range ts.Touches {
				if t.Step == q.Step {
					out[ts.Person] = append(out[ts.Person], t.TS)
				}
			}
		})
	if err != nil {
		return nil, fmt.Errorf("propensity: labels: %w", err)
	}
	return out, nil
}

// each streams the touch sequences of tq.
func (s *Service) each(ctx context.Context, tq journeys.TouchQuery, fn func(journeys.TouchSequence)) error {
	set, err := s.Touches.Touches(ctx, tq)
	if err != nil {
		return err
	}
	defer set.Close()
	for set.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		fn(set.At())
	}
	return set.Err()
}
