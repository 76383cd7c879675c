package inmem

import (
	"context"

	"github.com/journeygraph/journeygraph/journeys"
)

// StoredJourney is one person's whole journey as the store holds it: every
// event (excluded ones too, with Step ""), in chain order, and the time the
// store last changed the person (Touched, epoch ms).
type StoredJourney struct {
	Person  string
	Touched int64
	Touches []journeys.Touch
	// Details, when not nil, holds what segments compare on each touch
	// besides the Touch (same index): its product and stored properties.
	Details []EventDetail
	// IDs, when not nil, holds each touch's event id (same index).
	IDs []string
	// Fields are the person's stored properties that segments compare, by
	// node property name: those of journeys.PersonFields the person has
	// (events, hmm_state...) and the scalar traits (trait_<key>).
	Fields map[string]any
	// LastID is the id of the last event ("" for none). Events are in
	// chain order: by time, then id.
	LastID string
	// Rewritten changes whenever the store changes the person's stored
	// events other than by adding events (a restep), or creates the person
	// anew: a tail read (TailSource) is only trusted while it stays.
	Rewritten int64
}

// JourneySource is what a Cache reads from the store.
type JourneySource interface {
	// PeopleAfter returns up to limit ids of people whose id starts with
	// prefix, after the cursor, in id order.
	PeopleAfter(ctx context.Context, prefix, after string, limit int) ([]string, error)
	// Journeys returns the journeys of the people ids that exist (in any
	// order; people without events have no touches).
	Journeys(ctx context.Context, ids []string) ([]StoredJourney, error)
	// TouchedSince returns each person whose id starts with prefix that the
	// store changed at or after since (epoch ms), with that time.
	TouchedSince(ctx context.Context, prefix string, since int64) (map[string]int64, error)
	// PeopleCount returns the number of people whose id starts with prefix.
	PeopleCount(ctx context.Context, prefix string) (int, error)
}

// TailSource is a JourneySource that can also read only the end of
// journeys: a sync reads the events a changed person gained after those it
// holds, instead of the whole journey, when the store only appended to it
// (the common case: new events are later than a person's last). A Cache
// whose Source is not a TailSource reads whole journeys.
type TailSource interface {
	JourneySource
	// JourneyTails returns, for each end whose person exists (in any
	// order), the person as the store holds them, with only the events
	// after the end (in chain order), and how many events the store holds
	// for them in all.
	JourneyTails(ctx context.Context, ends []JourneyEnd) ([]JourneyTail, error)
}

// JourneyEnd names where a held journey ends: the person, and the time and
// id of their last event (math.MinInt64 and "" when they have none).
type JourneyEnd struct {
	Person string
	TS     int64
	ID     string
}

// JourneyTail is a person as the store holds them, with only the events
// after a JourneyEnd: Touches and Details are those events, in chain order;
// Touched, Fields and Rewritten are the person's, and LastID the id of
// their last event if the tail has events. Events is how many events the
// store holds for the person in all.
type JourneyTail struct {
	StoredJourney
	Events int
}
