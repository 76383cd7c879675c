package ingest

import (
	"context"
	"sync"

	"github.com/journeygraph/journeygraph/journeys"
)

// DefaultBatchSize is the most events written per transaction. It was
// measured, not guessed: see the README's ingest figures.
const DefaultBatchSize = 5000

// DefaultWriters is how many transactions an Ingester runs at once: Neo4j
// runs each transaction on one core, so two keep a 2-core server busy.
const DefaultWriters = 2

// minChunk is the smallest batch worth a transaction of its own.
const minChunk = 500

// Ingester takes validated events, maps them to journey steps, drops repeats
// within a batch and writes them in batches grouped by person and sorted by
// time, several at once.
type Ingester struct {
	Store journeys.EventWriter
	Rules journeys.StepRules
	// Book, when set, gives the rules instead of Rules: its current ones
	// at the start of each Ingest, held (Rulebook.Use) until its batches
	// are written so that a restep of newer rules runs after them.
	Book      *Rulebook
	BatchSize int // DefaultBatchSize when 0
	Writers   int // DefaultWriters when 0
}

// Ingest writes events and returns what was stored once every batch is
// committed. Batches do not split a person unless the person alone exceeds
// a batch, and run Writers at a time (the store locks each batch's people,
// so batches sharing one serialise). When a batch fails, the error is
// returned with what was stored; re-sending everything is safe (ingest is
// idempotent).
func (in *Ingester) Ingest(ctx context.Context, events []journeys.Event) (journeys.WriteResult, error) {
	var res journeys.WriteResult
	rules, release := in.rulesInForce()
	defer release()
	seen := make(map[string]bool, len(events))
	batch := make([]journeys.Event, 0, len(events))
	for _, e := range events {
		if seen[e.ID] {
			res.Duplicates++
			continue
		}
		seen[e.ID] = true
		batch = append(batch, withStep(rules, e))
	}
	journeys.SortEvents(batch)
	writers := in.Writers
	if writers <= 0 {
		writers = DefaultWriters
	}
	size := in.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	// Spread a batch over the writers, but not into slivers.
	size = min(size, max(minChunk, (len(batch)+writers-1)/writers))
	chunks := chunkByPerson(batch, size)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
		next     = make(chan []journeys.Event)
	)
	for w := 0; w < min(writers, len(chunks)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				r, err := in.Store.WriteEvents(ctx, c)
				mu.Lock()
				res.Add(r)
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	sent := 0
feed:
	for _, c := range chunks {
		select {
		case next <- c:
			sent++
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr == nil && sent < len(chunks) {
		// Cancelled before every batch was sent: what was not sent is not
		// stored, and saying otherwise would let an import skip it.
		firstErr = context.Cause(ctx)
	}
	return res, firstErr
}

// rulesInForce returns the step rules to map events with (the Book's
// current ones when there is a Book, held until release is called).
func (in *Ingester) rulesInForce() (rules journeys.StepRules, release func()) {
	if in.Book == nil {
		return in.Rules, func() {}
	}
	saved, release := in.Book.Use()
	return saved.StepRules, release
}

// withStep returns e with the step the rules give it ("" when they exclude
// it).
func withStep(rules journeys.StepRules, e journeys.Event) journeys.Event {
	if label, keep := rules.Step(e); keep {
		e.Step = label
	} else {
		e.Step = ""
	}
	return e
}

// chunkByPerson cuts events (sorted by person) into batches of at most size,
// cutting between two people where it can.
func chunkByPerson(events []journeys.Event, size int) [][]journeys.Event {
	var chunks [][]journeys.Event
	for start := 0; start < len(events); {
		end := min(start+size, len(events))
		if end < len(events) {
			cut := end
			for cut > start && events[cut].Person == events[cut-1].Person {
				cut--
			}
			if cut > start {
				end = cut
			}
		}
		chunks = append(chunks, events[start:end])
		start = end
	}
	return chunks
}
