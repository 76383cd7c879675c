package chain

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/markov"
)

// Chains answers the reports of absorbing Markov chains fitted on the
// conversion paths streamed from the store: friction and attribution. Each
// report reads the store once, one person at a time (see PathOptions for
// how a person's touches become paths); a store that can split its stream
// (the journey cache) is read in Parts streams at once, each counted on a
// core of its own. Its methods return errors with code EINVALID for a bad
// query (naming the field), ENOTFOUND when no journey matches, and
// EUNAVAILABLE when the store cannot be reached.
type Chains struct {
	Store journeys.TouchReader
	// Parts is how many streams a report reads concurrently from a store
	// that can split one: 0 means one per core (GOMAXPROCS), at most
	// maxParts. Each part keeps its own counts until they are merged.
	Parts int
}

// maxParts bounds the default Parts: each part may hold up to
// maxDistinctPaths paths before the merge, and past a few cores the merge
// costs more than the parts save.
const maxParts = 8

// streamTouches reads q and calls fn with each person's sequence.
func streamTouches(ctx context.Context, r journeys.TouchReader, q journeys.TouchQuery, fn func(journeys.TouchSequence) error) error {
	set, err := r.Touches(ctx, q)
	if err != nil {
		return err
	}
	for set.Next() {
		if err := fn(set.At()); err != nil {
			set.Close()
			return err
		}
	}
	if err := set.Err(); err != nil {
		set.Close()
		return err
	}
	return set.Close()
}

// pathSequences adapts a touch stream to markov.Sequences: every conversion
// path of every person, as PathOptions cut them. onSeq, when set, sees
// each person's sequence and onPath each path before the chain does, both
// on the goroutine calling Next. people is the number of sequences read.
type pathSequences struct {
	set    journeys.TouchSet
	opt    journeys.PathOptions
	onSeq  func(journeys.TouchSequence)
	onPath func(*journeys.ConversionPath)

	paths  []journeys.ConversionPath // of the current sequence
	steps  []string                  // their steps, back to back
	cut    journeys.ConversionPath   // scratch of PathOptions.paths
	i      int
	cur    markov.Path
	err    error
	people int
	// skipped counts the conversion values left out of the paths' values
	// (ConversionPath.SkippedValues).
	skipped int
}

// newPathSequences starts reading q in one stream.
func newPathSequences(ctx context.Context, r journeys.TouchReader, q journeys.TouchQuery, opt journeys.PathOptions) (*pathSequences, error) {
	set, err := r.Touches(ctx, q)
	if err != nil {
		return nil, err
	}
	return &pathSequences{set: set, opt: opt}, nil
}

// Next advances to the next path.
func (ps *pathSequences) Next() bool {
	for ps.i >= len(ps.paths) {
		if !ps.set.Next() {
			ps.err = ps.set.Err()
			return false
		}
		seq := ps.set.At()
		ps.people++
		if ps.onSeq != nil {
			ps.onSeq(seq)
		}
		ps.paths, ps.steps, ps.i = ps.paths[:0], ps.steps[:0], 0
		ps.opt.PathsInto(seq, &ps.cut, func(p *journeys.ConversionPath) {
			n := len(ps.steps)
			ps.steps = append(ps.steps, p.Steps...)
			cp := *p
			cp.Steps = ps.steps[n:len(ps.steps):len(ps.steps)]
			ps.paths = append(ps.paths, cp)
		})
	}
	p := &ps.paths[ps.i]
	ps.i++
	ps.skipped += p.SkippedValues
	if ps.onPath != nil {
		ps.onPath(p)
	}
	ps.cur = markov.Path{Steps: p.Steps, Channel: p.Channel, Converted: p.Converted, Value: p.Value}
	return true
}

// At returns the current path.
func (ps *pathSequences) At() markov.Path { return ps.cur }

// Err returns the stream's error.
func (ps *pathSequences) Err() error { return ps.err }

// Close releases the stream.
func (ps *pathSequences) Close() error { return ps.set.Close() }

// pathParts are the path streams of one query, one per part of its touch
// stream (see touchParts), to be read concurrently.
type pathParts []*pathSequences

// pathParts starts reading q in c.Parts parts (see Chains), when the store
// can split it, else in one.
func (c *Chains) pathParts(ctx context.Context, q journeys.TouchQuery, opt journeys.PathOptions) (pathParts, error) {
	n := c.Parts
	if n <= 0 {
		n = min(runtime.GOMAXPROCS(0), maxParts)
	}
	sets, err := journeys.OpenTouchParts(ctx, c.Store, q, n)
	if err != nil {
		return nil, err
	}
	pp := make(pathParts, len(sets))
	for i, set := range sets {
		pp[i] = &pathSequences{set: set, opt: opt}
	}
	return pp, nil
}

// sequences returns the parts as markov streams.
func (pp pathParts) sequences() []markov.Sequences {
	out := make([]markov.Sequences, len(pp))
	for i, ps := range pp {
		out[i] = ps
	}
	return out
}

// people returns the number of sequences read over all parts.
func (pp pathParts) people() int {
	n := 0
	for _, ps := range pp {
		n += ps.people
	}
	return n
}

// skipped returns the number of conversion values left out over all parts.
func (pp pathParts) skipped() int {
	n := 0
	for _, ps := range pp {
		n += ps.skipped
	}
	return n
}

// Close closes every part.
func (pp pathParts) Close() error {
	var errs []error
	for _, ps := range pp {
		errs = append(errs, ps.Close())
	}
	return errors.Join(errs...)
}

// markovOptions are the chain options matching o.
func markovOptions(o journeys.PathOptions) markov.Options {
	return markov.Options{Order: 1, Unsubscribe: o.UnsubscribeStep()}
}

// markovError maps markov's data errors to the error vocabulary.
func markovError(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case journeys.ErrorCode(err) != journeys.EINTERNAL:
		return fmt.Errorf("%s: %w", op, err)
	case errors.Is(err, markov.ErrEmpty), errors.Is(err, markov.ErrNoStart):
		return journeys.Errorf(journeys.ENOTFOUND, "%s: no journey in scope", op)
	case errors.Is(err, markov.ErrTooManyStates):
		return journeys.Errorf(journeys.EINVALID, "%s: %v", op, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// safeDiv returns a/b, or 0 when b is 0.
func safeDiv(a, b float64) float64 {
	if b == 0 || math.IsNaN(a) {
		return 0
	}
	return a / b
}
