package journeys

import (
	"context"
	"sort"
)

// WriteResult counts what storing a batch did.
type WriteResult struct {
	Accepted   int        `json:"accepted"`   // events stored for the first time (identity events included)
	Duplicates int        `json:"duplicates"` // events whose id was stored already, or repeated in the batch
	Rejected   []RowError `json:"rejected"`   // items the store refused (for example a conflicting alias)
	People     []string   `json:"-"`          // people whose journey changed (after identity merges), sorted per batch
}

// Add folds o into r.
func (r *WriteResult) Add(o WriteResult) {
	r.Accepted += o.Accepted
	r.Duplicates += o.Duplicates
	r.Rejected = append(r.Rejected, o.Rejected...)
	r.People = append(r.People, o.People...)
}

// EventWriter stores events in the path graph. WriteEvents is idempotent by
// event id, splices late events into each person's chain at their time and
// applies identify/alias merges. It returns an error with code EUNAVAILABLE
// when the store cannot be reached; nothing is acknowledged then.
type EventWriter interface {
	WriteEvents(ctx context.Context, events []Event) (WriteResult, error)
}

// DefaultBatchSize is the number of events written per transaction. It was
// measured, not guessed: see the README's ingest figures.
const DefaultBatchSize = 5000

// Ingester takes validated events, maps them to journey steps, drops repeats
// within a batch and writes them in batches grouped by person and sorted by
// time.
type Ingester struct {
	Store     EventWriter
	Rules     StepRules
	BatchSize int // DefaultBatchSize when 0
}

// Ingest writes events and returns what was stored. Batches are committed in
// order; when one fails, the result so far is returned with the error, and
// re-sending everything is safe (ingest is idempotent).
func (in *Ingester) Ingest(ctx context.Context, events []Event) (WriteResult, error) {
	var res WriteResult
	seen := make(map[string]bool, len(events))
	batch := make([]Event, 0, len(events))
	for _, e := range events {
		if seen[e.ID] {
			res.Duplicates++
			continue
		}
		seen[e.ID] = true
		if label, keep := in.Rules.Step(e); keep {
			e.Step = label
		} else {
			e.Step = ""
		}
		batch = append(batch, e)
	}
	SortEvents(batch)
	size := in.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	for start := 0; start < len(batch); start += size {
		end := min(start+size, len(batch))
		r, err := in.Store.WriteEvents(ctx, batch[start:end])
		res.Add(r)
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// SortEvents orders events by person, then time, then id: the order of a
// person's chain.
func SortEvents(events []Event) {
	sort.SliceStable(events, func(i, j int) bool {
		a, b := &events[i], &events[j]
		if a.Person != b.Person {
			return a.Person < b.Person
		}
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		return a.ID < b.ID
	})
}
