package graph

import (
	"context"
	"encoding/json"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/journeys"
)

// Journey returns a person's summary and up to limit of their events in
// chain order. The id may be an anonymous id merged into someone: the
// journey of the person it was merged into is returned. The person's
// Aliases are every id merged into them, directly or along a chain of
// merges, sorted.
func (s *Store) Journey(ctx context.Context, id string, limit int) (journeys.Person, []journeys.JourneyEvent, error) {
	var p journeys.Person
	var events []journeys.JourneyEvent
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		alias, err := aliases(ctx, tx, []string{id})
		if err != nil {
			return err
		}
		pid := resolve(alias, id)
		recs, err := run(ctx, tx, "get_person", map[string]any{"id": pid})
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return journeys.Errorf(journeys.ENOTFOUND, "person %q not found", id)
		}
		r := recs[0]
		p = journeys.Person{ID: str(r, "id"), Traits: str(r, "traits")}
		p.Events = int(intOf(r, "events"))
		p.FirstSeen = millis(intOf(r, "first_ts"))
		p.LastSeen = millis(intOf(r, "last_ts"))
		if p.Aliases, err = mergedIDs(ctx, tx, []string{pid}); err != nil {
			return err
		}
		recs, err = run(ctx, tx, "get_journey", map[string]any{"id": pid, "limit": limit})
		if err != nil {
			return err
		}
		events = make([]journeys.JourneyEvent, 0, len(recs))
		for _, r := range recs {
			events = append(events, journeyEvent(pid, r))
		}
		return nil
	})
	if err != nil {
		return journeys.Person{}, nil, wrap("journey", err)
	}
	return p, events, nil
}

func journeyEvent(person string, r *neo4j.Record) journeys.JourneyEvent {
	e := journeys.JourneyEvent{Event: journeys.Event{
		ID: str(r, "id"), Type: str(r, "type"), Person: person, Name: str(r, "name"), Step: str(r, "step"),
		Time: millis(intOf(r, "ts")), Channel: str(r, "channel"), Campaign: str(r, "campaign"),
		Device: str(r, "device"), URL: str(r, "url"), Session: str(r, "session"), Product: str(r, "product"),
	}}
	if v, ok := r.Get("value"); ok {
		e.Value, _ = v.(float64)
	}
	if raw := str(r, "props"); raw != "" {
		_ = json.Unmarshal([]byte(raw), &e.Properties)
	}
	if v, ok := r.Get("gap_s"); ok {
		e.GapSeconds, _ = v.(float64)
	}
	return e
}

func intOf(r *neo4j.Record, key string) int64 {
	v, _ := r.Get(key)
	return toInt64(v)
}

func millis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
