package graph

import (
	"context"
	"fmt"
	"slices"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
)

var _ inmem.TailSource = (*Store)(nil)

// PeopleAfter returns up to limit ids of people whose id starts with prefix,
// after the cursor, in id order (from the unique index alone).
func (s *Store) PeopleAfter(ctx context.Context, prefix, after string, limit int) ([]string, error) {
	var ids []string
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		recs, err := run(ctx, tx, "page_people", map[string]any{"prefix": prefix, "after": after, "limit": limit})
		if err != nil {
			return err
		}
		ids = make([]string, len(recs))
		for i, r := range recs {
			ids[i] = str(r, "id")
		}
		return nil
	})
	return ids, wrap("people", err)
}

// Journeys returns every event of the people ids that exist, in chain
// order, with the time each person was last changed, each event's product
// and stored properties, and the person's fields and traits
// (stream_journeys.cypher).
func (s *Store) Journeys(ctx context.Context, ids []string) ([]inmem.StoredJourney, error) {
	var out []inmem.StoredJourney
	err := s.readJourneys(ctx, "stream_journeys", map[string]any{"ids": ids}, func() { out = out[:0] },
		func(j inmem.StoredJourney, _ *neo4j.Record) { out = append(out, j) })
	return out, wrap("journeys", err)
}

// readJourneys runs a query whose rows are stored journeys (with the
// property prefixes and person fields as parameters) in one read
// transaction, and calls add with each. Each attempt of the transaction
// (the driver retries transient errors) calls reset first, so that add's
// rows are never counted twice.
func (s *Store) readJourneys(ctx context.Context, name string, params map[string]any, reset func(), add func(inmem.StoredJourney, *neo4j.Record)) error {
	params["prop"], params["trait"], params["fields"] = journeys.PropPrefix, journeys.TraitPrefix, personFieldNames
	return s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		reset()
		recs, err := run(ctx, tx, name, params)
		if err != nil {
			return err
		}
		for _, r := range recs {
			j, err := storedJourney(r)
			if err != nil {
				return err
			}
			add(j, r)
		}
		return nil
	})
}

// personFieldNames are the Person properties a cached journey holds
// (journeys.PersonFields: the Person node properties of the same names),
// besides the traits.
var personFieldNames = func() []string {
	out := make([]string, 0, len(journeys.PersonFields))
	for f := range journeys.PersonFields {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}()

// storedJourney decodes one row of stream_journeys: the columns of
// stream_touches, plus the person's touched time, each event's product and
// stored properties, and the person's fields and traits.
func storedJourney(r *neo4j.Record) (inmem.StoredJourney, error) {
	seq, err := touchSequence(r)
	if err != nil {
		return inmem.StoredJourney{}, err
	}
	j := inmem.StoredJourney{Person: seq.Person, Touched: intOf(r, "touched"), Touches: seq.Touches,
		Details: make([]inmem.EventDetail, len(seq.Touches)), LastID: str(r, "last_id"), Rewritten: intOf(r, "rewritten")}
	products, _ := r.Get("products")
	keys, _ := r.Get("prop_keys")
	vals, _ := r.Get("prop_values")
	pl, _ := products.([]any)
	kl, _ := keys.([]any)
	vl, _ := vals.([]any)
	if len(pl) != len(j.Details) || len(kl) != len(j.Details) || len(vl) != len(j.Details) {
		return j, fmt.Errorf("journeys: person %q: %d products, %d property lists, %d events", j.Person, len(pl), len(kl), len(j.Details))
	}
	for i := range j.Details {
		j.Details[i].Product, _ = pl[i].(string)
		j.Details[i].Props = propMap(kl[i], vl[i])
	}
	if ids, ok := r.Get("ids"); ok {
		il, _ := ids.([]any)
		j.IDs = make([]string, len(il))
		for i := range il {
			j.IDs[i], _ = il[i].(string)
		}
	}
	fk, _ := r.Get("field_keys")
	fv, _ := r.Get("field_values")
	j.Fields = propMap(fk, fv)
	return j, nil
}

// JourneyTails returns the people of ends that exist, each with only the
// events after its end, and the number of events they have in all
// (stream_journey_tails.cypher).
func (s *Store) JourneyTails(ctx context.Context, ends []inmem.JourneyEnd) ([]inmem.JourneyTail, error) {
	rows := make([]map[string]any, len(ends))
	for i, e := range ends {
		rows[i] = map[string]any{"person": e.Person, "ts": e.TS, "id": e.ID}
	}
	var out []inmem.JourneyTail
	err := s.readJourneys(ctx, "stream_journey_tails", map[string]any{"ends": rows}, func() { out = out[:0] },
		func(j inmem.StoredJourney, r *neo4j.Record) {
			out = append(out, inmem.JourneyTail{StoredJourney: j, Events: int(intOf(r, "stored"))})
		})
	return out, wrap("journey tails", err)
}

// propMap zips a list of property names with their values (nil when
// empty).
func propMap(keys, vals any) map[string]any {
	kl, _ := keys.([]any)
	vl, _ := vals.([]any)
	if len(kl) == 0 || len(kl) != len(vl) {
		return nil
	}
	m := make(map[string]any, len(kl))
	for i, k := range kl {
		if name, ok := k.(string); ok {
			m[name] = vl[i]
		}
	}
	return m
}

// TouchedSince returns the people whose id starts with prefix and whose
// touched_ts is at or after since.
func (s *Store) TouchedSince(ctx context.Context, prefix string, since int64) (map[string]int64, error) {
	out := map[string]int64{}
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		clear(out)
		recs, err := run(ctx, tx, "touched_people", map[string]any{"since": since, "prefix": prefix})
		if err != nil {
			return err
		}
		for _, r := range recs {
			out[str(r, "id")] = intOf(r, "touched")
		}
		return nil
	})
	return out, wrap("touched people", err)
}

// PeopleCount returns the number of people whose id starts with prefix
// (for everyone from Neo4j's count store).
func (s *Store) PeopleCount(ctx context.Context, prefix string) (int, error) {
	var n int
	err := s.read(ctx, func(tx neo4j.ManagedTransaction) error {
		q, params := "count_people", map[string]any{}
		if prefix != "" {
			q, params = "count_people_prefix", map[string]any{"prefix": prefix}
		}
		recs, err := run(ctx, tx, q, params)
		if err != nil {
			return err
		}
		n = int(intOf(recs[0], "n"))
		return nil
	})
	return n, wrap("count people", err)
}
