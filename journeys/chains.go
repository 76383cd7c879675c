package journeys

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/journeygraph/journeygraph/markov"
)

// Chains answers the reports of absorbing Markov chains fitted on the
// conversion paths streamed from the store: friction and attribution. Each
// report reads the store once, one person at a time (see PathOptions for
// how a person's touches become paths). Its methods return errors with code
// EINVALID for a bad query (naming the field), ENOTFOUND when no journey
// matches, and EUNAVAILABLE when the store cannot be reached.
type Chains struct {
	Store TouchReader
}

// streamTouches reads q and calls fn with each person's sequence.
func streamTouches(ctx context.Context, r TouchReader, q TouchQuery, fn func(TouchSequence) error) error {
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
// path of every person, as PathOptions cut them. onPath, when set, sees each
// path before the chain does; onSeq each person's sequence.
type pathSequences struct {
	set    TouchSet
	opt    PathOptions
	onSeq  func(TouchSequence)
	onPath func(*ConversionPath)
	queue  []markov.Path // paths of the current person not yet read
	cur    markov.Path
	err    error
	people int
	units  int
}

// newPathSequences starts reading q.
func newPathSequences(ctx context.Context, r TouchReader, q TouchQuery, opt PathOptions) (*pathSequences, error) {
	set, err := r.Touches(ctx, q)
	if err != nil {
		return nil, err
	}
	return &pathSequences{set: set, opt: opt}, nil
}

// Next advances to the next path.
func (ps *pathSequences) Next() bool {
	for len(ps.queue) == 0 {
		if ps.err != nil || !ps.set.Next() {
			if ps.err == nil {
				ps.err = ps.set.Err()
			}
			return false
		}
		seq := ps.set.At()
		ps.people++
		if ps.onSeq != nil {
			ps.onSeq(seq)
		}
		ps.opt.Paths(seq, func(p *ConversionPath) {
			if ps.onPath != nil {
				ps.onPath(p)
			}
			ps.queue = append(ps.queue, markov.Path{Steps: append([]string(nil), p.Steps...),
				Channel: p.Channel, Converted: p.Converted, Value: p.Value})
		})
	}
	ps.cur, ps.queue = ps.queue[0], ps.queue[1:]
	ps.units++
	return true
}

// At returns the current path.
func (ps *pathSequences) At() markov.Path { return ps.cur }

// Err returns the stream's error.
func (ps *pathSequences) Err() error { return ps.err }

// Close releases the stream.
func (ps *pathSequences) Close() error { return ps.set.Close() }

// markovOptions are the chain options matching o.
func (o PathOptions) markovOptions() markov.Options {
	return markov.Options{Order: 1, Unsubscribe: o.unsubscribe()}
}

// markovError maps markov's data errors to the error vocabulary.
func markovError(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case ErrorCode(err) != EINTERNAL:
		return fmt.Errorf("%s: %w", op, err)
	case errors.Is(err, markov.ErrEmpty), errors.Is(err, markov.ErrNoStart):
		return Errorf(ENOTFOUND, "%s: no journey in scope", op)
	case errors.Is(err, markov.ErrTooManyStates):
		return Errorf(EINVALID, "%s: %v", op, err)
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
