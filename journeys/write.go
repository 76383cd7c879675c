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
	// Stored holds the ids of the events found stored already (counted in
	// Duplicates; repeats within the batch are not listed), so that a
	// write merging several callers' batches (Coalescer) can count each
	// caller's duplicates.
	Stored []string `json:"-"`
}

// Add folds o into r.
func (r *WriteResult) Add(o WriteResult) {
	r.Accepted += o.Accepted
	r.Duplicates += o.Duplicates
	r.Rejected = append(r.Rejected, o.Rejected...)
	r.People = append(r.People, o.People...)
	r.Stored = append(r.Stored, o.Stored...)
}

// EventWriter stores events in the path graph. WriteEvents is idempotent by
// event id, splices late events into each person's chain at their time and
// applies identify/alias merges. It returns an error with code EUNAVAILABLE
// when the store cannot be reached; nothing is acknowledged then.
type EventWriter interface {
	WriteEvents(ctx context.Context, events []Event) (WriteResult, error)
}

// SortEvents orders events by person, then time, then id: the order of a
// person's chain. Times are compared to the millisecond, as the store
// keeps them: two events in one millisecond are in id order.
func SortEvents(events []Event) {
	sort.SliceStable(events, func(i, j int) bool {
		a, b := &events[i], &events[j]
		if a.Person != b.Person {
			return a.Person < b.Person
		}
		if at, bt := a.Time.UnixMilli(), b.Time.UnixMilli(); at != bt {
			return at < bt
		}
		return a.ID < b.ID
	})
}
