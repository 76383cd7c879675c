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
// path before the chain does (on the reader's goroutine, in Next); onSeq
// each person's sequence (on the producer's). The paths are cut on a
// goroutine of their own, started by the first Next, and handed over in
// batches, so that cutting them overlaps with what the reader does with
// them: the two use the two cores. people is final once Next has returned
// false or Close has returned.
type pathSequences struct {
	set    TouchSet
	opt    PathOptions
	onSeq  func(TouchSequence)
	onPath func(*ConversionPath)

	batches chan pathBatch // nil until the first Next
	done    chan struct{}  // closed by Close: the producer stops
	closed  bool
	batch   pathBatch
	i       int
	cur     markov.Path
	err     error
	people  int // written by the producer
	units   int
}

// pathBatch is a batch of paths (and, for onPath, the conversion paths
// they come from), or the error that ended the stream.
type pathBatch struct {
	paths []markov.Path
	conv  []ConversionPath
	err   error
}

// pathBatchSize is how many paths the producer hands over at a time.
const pathBatchSize = 512

// newPathSequences starts reading q.
func newPathSequences(ctx context.Context, r TouchReader, q TouchQuery, opt PathOptions) (*pathSequences, error) {
	set, err := r.Touches(ctx, q)
	if err != nil {
		return nil, err
	}
	return &pathSequences{set: set, opt: opt, done: make(chan struct{})}, nil
}

// produce cuts the paths of every sequence and sends them in batches until
// the stream ends or Close.
func (ps *pathSequences) produce() {
	defer close(ps.batches)
	send := func(b pathBatch) bool {
		select {
		case ps.batches <- b:
			return true
		case <-ps.done:
			return false
		}
	}
	var batch pathBatch
	for ps.set.Next() {
		seq := ps.set.At()
		ps.people++
		if ps.onSeq != nil {
			ps.onSeq(seq)
		}
		ps.opt.Paths(seq, func(p *ConversionPath) {
			steps := append([]string(nil), p.Steps...)
			batch.paths = append(batch.paths, markov.Path{Steps: steps, Channel: p.Channel, Converted: p.Converted, Value: p.Value})
			if ps.onPath != nil {
				cp := *p
				cp.Steps = steps
				batch.conv = append(batch.conv, cp)
			}
		})
		if len(batch.paths) >= pathBatchSize {
			if !send(batch) {
				return
			}
			batch = pathBatch{}
		}
	}
	if err := ps.set.Err(); err != nil {
		send(pathBatch{err: err})
		return
	}
	if len(batch.paths) > 0 {
		send(batch)
	}
}

// Next advances to the next path.
func (ps *pathSequences) Next() bool {
	if ps.batches == nil {
		ps.batches = make(chan pathBatch, 4)
		go ps.produce()
	}
	for ps.i >= len(ps.batch.paths) {
		if ps.err != nil {
			return false
		}
		b, ok := <-ps.batches
		if !ok {
			return false
		}
		if b.err != nil {
			ps.err = b.err
			return false
		}
		ps.batch, ps.i = b, 0
	}
	ps.cur = ps.batch.paths[ps.i]
	if ps.onPath != nil {
		ps.onPath(&ps.batch.conv[ps.i])
	}
	ps.i++
	ps.units++
	return true
}

// At returns the current path.
func (ps *pathSequences) At() markov.Path { return ps.cur }

// Err returns the stream's error.
func (ps *pathSequences) Err() error { return ps.err }

// Close stops the producer, waits for it, and releases the stream.
func (ps *pathSequences) Close() error {
	if !ps.closed {
		ps.closed = true
		close(ps.done)
		if ps.batches != nil {
			for range ps.batches {
			}
		}
	}
	return ps.set.Close()
}

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
