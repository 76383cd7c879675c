package chain

import (
	"context"
	"fmt"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/markov"
)

// PropensityChain is the propensity chain a hidden-state fit stores with
// its model and writes as people's p_convert and p_unsubscribe: the
// absorbing probabilities of the chain state a person's last unit of
// steps ended in. journeys/propensity fits it at a cutoff to compare
// supervised scores with it on the same people.
type PropensityChain struct {
	prop *propensities
	opt  journeys.PathOptions
}

// FitPropensityChain fits the propensity chain on the step paths of the
// journeys filter keeps, as HiddenStates.Fit does (opt as in PathOptions,
// over steps). Errors: EINVALID for bad options, ENOTFOUND when no journey
// is in scope, EUNAVAILABLE when the store cannot be reached.
func FitPropensityChain(ctx context.Context, r journeys.TouchReader, filter journeys.Filter, opt journeys.PathOptions) (*PropensityChain, error) {
	opt.By = journeys.ByStep
	if err := opt.Normalize(); err != nil {
		return nil, err
	}
	ps, err := newPathSequences(ctx, r, journeys.TouchQuery{Filter: filter}, opt)
	if err != nil {
		return nil, fmt.Errorf("propensity chain: %w", err)
	}
	chain, err := markov.Fit(ps, markovOptions(opt))
	ps.Close()
	if ps.Err() != nil {
		return nil, fmt.Errorf("propensity chain: %w", ps.Err())
	}
	if err != nil {
		return nil, markovError("propensity chain", err)
	}
	prop, err := newPropensities(chain, opt)
	if err != nil {
		return nil, markovError("propensity chain", err)
	}
	return &PropensityChain{prop: prop, opt: opt}, nil
}

// Person returns the propensities of the state s's steps end in (nil when s
// has no step), as HiddenStates.Fit writes them.
func (c *PropensityChain) Person(s journeys.TouchSequence) (conv, unsub *float64) {
	return c.prop.person(s, c.opt)
}
