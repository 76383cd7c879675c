package markov

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// SymbolSequences is a re-iterable stream of symbol sequences, the input of
// Baum–Welch. Each EM iteration calls Reset and then Next/At until Next
// returns false, then Err. At may reuse its slice after the next call to
// Next, so a fit over millions of events never holds them all at once.
type SymbolSequences interface {
	// Reset rewinds the stream to its first sequence.
	Reset() error
	// Next advances to the next sequence and reports whether there is one.
	Next() bool
	// At returns the current sequence of symbols in 0..M-1.
	At() []int
	// Err returns the error that stopped Next, if any.
	Err() error
}

// SymbolSequencesOf returns a SymbolSequences over an in-memory slice.
func SymbolSequencesOf(seqs [][]int) SymbolSequences {
	return &hmmSliceSequences{seqs: seqs, i: -1}
}

type hmmSliceSequences struct {
	seqs [][]int
	i    int
}

func (s *hmmSliceSequences) Reset() error { s.i = -1; return nil }
func (s *hmmSliceSequences) Next() bool   { s.i++; return s.i < len(s.seqs) }
func (s *hmmSliceSequences) At() []int    { return s.seqs[s.i] }
func (s *hmmSliceSequences) Err() error   { return nil }

// hmmBatchSymbols is the number of symbols after which a batch of sequences
// is handed to a worker. The reduction is done in batch order, so results
// do not depend on the number of workers.
const hmmBatchSymbols = 4096

type hmmBatch struct {
	idx  int
	syms []int
	ends []int
	acc  *hmmAcc
	err  error
}

func (b *hmmBatch) run(f *hmmFlat, w *hmmWork) {
	b.acc.reset()
	b.err = nil
	start := 0
	for _, end := range b.ends {
		if err := f.estep(w, b.acc, b.syms[start:end]); err != nil {
			b.err = err
			return
		}
		start = end
	}
}

// EStep rewinds seqs and adds the expected counts and log-likelihood of all
// its sequences under h to s (see HMMStats), using up to workers goroutines
// (0 means GOMAXPROCS). Sequences are cut into batches of about 4096 symbols,
// processed in parallel and summed in stream order, so the result is the same
// for any number of workers. It returns the first error of seqs, a symbol out
// of range or a sequence of zero probability under h.
func (h *HMM) EStep(s *HMMStats, seqs SymbolSequences, workers int) error {
	f := h.hmmFlatten()
	if sr, sc := s.Emit.Dims(); len(s.Start) != f.k || sr != f.k || sc != f.m {
		panic(fmt.Sprintf("markov: stats are %d states × %d symbols, model %d × %d", len(s.Start), sc, f.k, f.m))
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if err := seqs.Reset(); err != nil {
		return fmt.Errorf("markov: reset sequences: %w", err)
	}
	total := hmmNewAcc(f.k, f.m)
	var err error
	if workers == 1 {
		err = hmmEStepSerial(f, total, seqs)
	} else {
		err = hmmEStepParallel(f, total, seqs, workers)
	}
	if err != nil {
		return err
	}
	s.addAcc(total, f.a)
	return nil
}

// hmmFill appends sequences from seqs to b until it holds hmmBatchSymbols
// symbols or seqs ends, and reports whether b holds any sequence.
func hmmFill(b *hmmBatch, seqs SymbolSequences) bool {
	b.syms, b.ends = b.syms[:0], b.ends[:0]
	for len(b.syms) < hmmBatchSymbols && seqs.Next() {
		seq := seqs.At()
		if len(seq) == 0 {
			continue
		}
		b.syms = append(b.syms, seq...)
		b.ends = append(b.ends, len(b.syms))
	}
	return len(b.ends) > 0
}

func hmmEStepSerial(f *hmmFlat, total *hmmAcc, seqs SymbolSequences) error {
	b := &hmmBatch{acc: hmmNewAcc(f.k, f.m)}
	w := hmmNewWork(f.k)
	for hmmFill(b, seqs) {
		b.run(f, w)
		if b.err != nil {
			return b.err
		}
		total.add(b.acc)
	}
	if err := seqs.Err(); err != nil {
		return fmt.Errorf("markov: read sequences: %w", err)
	}
	return nil
}

// hmmEStepParallel reads batches on the calling goroutine, runs them on
// workers goroutines and sums their statistics into total in batch order.
func hmmEStepParallel(f *hmmFlat, total *hmmAcc, seqs SymbolSequences, workers int) error {
	nb := 2*workers + 2
	free := make(chan *hmmBatch, nb)
	for range nb {
		free <- &hmmBatch{acc: hmmNewAcc(f.k, f.m)}
	}
	work := make(chan *hmmBatch, nb)
	done := make(chan *hmmBatch, nb)
	var failed atomic.Bool

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := hmmNewWork(f.k)
			for b := range work {
				if !failed.Load() {
					b.run(f, w)
				}
				done <- b
			}
		}()
	}

	var firstErr error
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		pending := make(map[int]*hmmBatch, nb)
		next := 0
		for b := range done {
			pending[b.idx] = b
			for {
				p, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				next++
				if p.err != nil && firstErr == nil {
					firstErr = p.err
					failed.Store(true)
				}
				if firstErr == nil {
					total.add(p.acc)
				}
				free <- p
			}
		}
	}()

	n := 0
	for !failed.Load() {
		b := <-free
		if !hmmFill(b, seqs) {
			free <- b
			break
		}
		b.idx = n
		n++
		work <- b
	}
	close(work)
	wg.Wait()
	close(done)
	<-collected
	if firstErr == nil && failed.Load() {
		firstErr = fmt.Errorf("markov: e-step failed")
	}
	if firstErr != nil {
		return firstErr
	}
	if err := seqs.Err(); err != nil {
		return fmt.Errorf("markov: read sequences: %w", err)
	}
	return nil
}
