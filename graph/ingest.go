package graph

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
)

// WriteEvents stores a batch of events in one transaction, idempotently:
// events whose id is stored already are counted as duplicates and left as
// they are. Each touched person's chain stays exactly sorted by (time, id):
// events that come after the person's last event are appended; any earlier
// one makes the person's chain be rebuilt from their events. Identify and
// alias events merge the anonymous person into the known one first.
func (s *Store) WriteEvents(ctx context.Context, events []journeys.Event) (journeys.WriteResult, error) {
	res, _, err := s.writeEvents(ctx, events, false)
	return res, err
}

// WriteEventsTails is WriteEvents that also returns, for each person the
// write only appended to (not those whose chain it rebuilt), what it
// appended and the person as stored after it (inmem.TailWriter).
func (s *Store) WriteEventsTails(ctx context.Context, events []journeys.Event) (journeys.WriteResult, []inmem.Written, error) {
	return s.writeEvents(ctx, events, true)
}

func (s *Store) writeEvents(ctx context.Context, events []journeys.Event, withTails bool) (journeys.WriteResult, []inmem.Written, error) {
	var res journeys.WriteResult
	if len(events) == 0 {
		return res, nil, nil
	}
	var tails *[]inmem.Written
	if withTails {
		tails = new([]inmem.Written)
	}
	attempt := func(checkAll bool) error {
		return s.write(ctx, stampTimeout, func(tx neo4j.ManagedTransaction) error {
			// Each attempt stamps its people with its own start time: a retry
			// commits later, and a cache's change window counts from the stamp.
			res = journeys.WriteResult{}
			if tails != nil {
				*tails = (*tails)[:0]
			}
			err := s.writeBatch(ctx, tx, events, time.Now().UnixMilli(), checkAll, &res, tails)
			if !checkAll && idTaken(err) {
				// The work's own outcome, not a failed query: the store's
				// ErrorCounter does not count it.
				return errIDTaken
			}
			return err
		})
	}
	err := attempt(false)
	if errors.Is(err, errIDTaken) || idTaken(err) {
		// An id of the batch is stored under another person: look every
		// id up this time (the first attempt was rolled back).
		err = attempt(true)
	}
	if err != nil {
		return journeys.WriteResult{}, nil, wrap("write events", err)
	}
	if tails == nil {
		return res, nil, nil
	}
	return res, *tails, nil
}

// writeBatch writes events in tx; tails, when not nil, receives what was
// appended per person. Unless checkAll, a batch without identify or alias
// events looks up only the ids that may be stored already (writeAppends);
// otherwise every id is looked up first.
func (s *Store) writeBatch(ctx context.Context, tx neo4j.ManagedTransaction, events []journeys.Event, now int64, checkAll bool, res *journeys.WriteResult, tails *[]inmem.Written) error {
	if !checkAll && !slices.ContainsFunc(events, isIdentity) {
		return writeAppends(ctx, tx, events, now, res, tails)
	}
	// Idempotency: drop the repeats and the events stored already.
	evs := firstOfEachID(events, res)
	ids := make([]string, len(evs))
	for i, e := range evs {
		ids[i] = e.ID
	}
	stored, err := storedIDs(ctx, tx, ids)
	if err != nil {
		return err
	}
	fresh := withoutStored(evs, stored, res)
	var identities []journeys.Event
	for _, e := range fresh {
		if isIdentity(e) {
			identities = append(identities, e)
		}
	}
	relink := map[string]bool{}
	if len(identities) > 0 {
		if err := s.applyIdentities(ctx, tx, identities, now, relink); err != nil {
			return err
		}
	}
	if err := resolveAliases(ctx, tx, fresh); err != nil {
		return err
	}
	journeys.SortEvents(fresh)
	return appendEvents(ctx, tx, fresh, now, res, relink, tails)
}

// isIdentity tells whether e is an identify or alias event (a merge).
func isIdentity(e journeys.Event) bool {
	return e.Type == journeys.TypeIdentify || e.Type == journeys.TypeAlias
}

// writeAppends writes a batch without identities, looking up only the ids
// that may be stored already. It locks the batch's people first, which
// gives each one's last stored event: every stored event of a person is in
// their chain, at or before that last one, so an event after it can be
// stored already only under another person, and there the event_id
// constraint refuses it (idTaken: the caller tries again with checkAll).
// A stream of new events, the common case, is then written without one
// lookup per event; a resent batch still finds its duplicates. People
// whose events all prove duplicates are stamped touched all the same
// (their cache entry is read again, nothing more).
func writeAppends(ctx context.Context, tx neo4j.ManagedTransaction, events []journeys.Event, now int64, res *journeys.WriteResult, tails *[]inmem.Written) error {
	evs := firstOfEachID(events, res)
	if err := resolveAliases(ctx, tx, evs); err != nil {
		return err
	}
	journeys.SortEvents(evs)
	last, err := lockPeople(ctx, tx, peopleOf(evs, nil), now)
	if err != nil {
		return err
	}
	var check []string
	for _, e := range evs {
		if t := last[e.Person]; t != nil && !t.before(e) {
			check = append(check, e.ID)
		}
	}
	stored, err := storedIDs(ctx, tx, check)
	if err != nil {
		return err
	}
	fresh := withoutStored(evs, stored, res)
	res.People = peopleOf(fresh, nil)
	return appendLocked(ctx, tx, fresh, last, now, res, map[string]bool{}, tails)
}

// firstOfEachID returns events without the repeats of an id (the first
// is kept), each repeat counted a duplicate in res.
func firstOfEachID(events []journeys.Event, res *journeys.WriteResult) []journeys.Event {
	out := make([]journeys.Event, 0, len(events))
	seen := make(map[string]bool, len(events))
	for _, e := range events {
		if seen[e.ID] {
			res.Duplicates++
			continue
		}
		seen[e.ID] = true
		out = append(out, e)
	}
	return out
}

// storedIDs returns which of ids are stored already (find_events; no query
// for none).
func storedIDs(ctx context.Context, tx neo4j.ManagedTransaction, ids []string) (map[string]bool, error) {
	stored := map[string]bool{}
	if len(ids) == 0 {
		return stored, nil
	}
	recs, err := run(ctx, tx, "find_events", map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		stored[str(r, "id")] = true
	}
	return stored, nil
}

// withoutStored returns the events whose id is not in stored, each other
// one counted a duplicate in res and listed in res.Stored. It reuses the
// backing array of events.
func withoutStored(events []journeys.Event, stored map[string]bool, res *journeys.WriteResult) []journeys.Event {
	fresh := events[:0]
	for _, e := range events {
		if stored[e.ID] {
			res.Duplicates++
			res.Stored = append(res.Stored, e.ID)
			continue
		}
		fresh = append(fresh, e)
	}
	return fresh
}

// errIDTaken is what an attempt of writeAppends returns when Neo4j
// refused one of its events for an id stored already.
var errIDTaken = errors.New("an event id is stored under another person")

// idTaken tells whether err is Neo4j refusing an event whose id is stored
// already (the event_id constraint).
func idTaken(err error) bool {
	var nerr *neo4j.Neo4jError
	return errors.As(err, &nerr) && nerr.Code == "Neo.ClientError.Schema.ConstraintValidationFailed"
}

// lastEvent is a person's last stored event.
type lastEvent struct {
	id string
	ts int64
}

// before tells whether the stored last event comes before e in chain order
// (time, then id).
func (t *lastEvent) before(e journeys.Event) bool {
	ts := e.Time.UnixMilli()
	return t.ts < ts || t.ts == ts && t.id < e.ID
}

// peopleOf returns the sorted people of events (sorted by person) and of
// relink.
func peopleOf(events []journeys.Event, relink map[string]bool) []string {
	people := make([]string, 0)
	for i, e := range events {
		if i == 0 || events[i-1].Person != e.Person {
			people = append(people, e.Person)
		}
	}
	for p := range relink {
		people = append(people, p)
	}
	sort.Strings(people)
	return compact(people)
}

// lockPeople creates the people that do not exist yet, write-locks them in
// id order (lock_people) and returns each one's last stored event.
func lockPeople(ctx context.Context, tx neo4j.ManagedTransaction, people []string, now int64) (map[string]*lastEvent, error) {
	last := make(map[string]*lastEvent, len(people))
	if len(people) == 0 {
		return last, nil
	}
	recs, err := run(ctx, tx, "lock_people", map[string]any{"people": people, "now": now})
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if id := str(r, "last_id"); id != "" {
			ts, _ := r.Get("last_ts")
			last[str(r, "person")] = &lastEvent{id: id, ts: toInt64(ts)}
		}
	}
	return last, nil
}

// appendEvents stores fresh events (sorted by person, time, id) and links
// them into their people's chains; tails, when not nil, receives what was
// appended to each person whose chain was not rebuilt.
func appendEvents(ctx context.Context, tx neo4j.ManagedTransaction, fresh []journeys.Event, now int64, res *journeys.WriteResult, relink map[string]bool, tails *[]inmem.Written) error {
	people := peopleOf(fresh, relink)
	if len(people) == 0 {
		return nil
	}
	res.People = people
	last, err := lockPeople(ctx, tx, people, now)
	if err != nil {
		return err
	}
	return appendLocked(ctx, tx, fresh, last, now, res, relink, tails)
}

// appendLocked is appendEvents once the people are locked, with each one's
// last stored event.
func appendLocked(ctx context.Context, tx neo4j.ManagedTransaction, fresh []journeys.Event, last map[string]*lastEvent, now int64, res *journeys.WriteResult, relink map[string]bool, tails *[]inmem.Written) error {
	var late []map[string]any // events of people whose chain is rebuilt
	var groups []map[string]any
	for start := 0; start < len(fresh); {
		end := start
		for end < len(fresh) && fresh[end].Person == fresh[start].Person {
			end++
		}
		group, person := fresh[start:end], fresh[start].Person
		res.Accepted += len(group)
		start = end
		rows := make([]map[string]any, len(group))
		for i, e := range group {
			rows[i] = EventRow(e, now)
		}
		if t := last[person]; !relink[person] && t != nil && !t.before(group[0]) {
			relink[person] = true // a late event: rebuild this chain
		}
		if relink[person] {
			late = append(late, rows...)
			continue
		}
		groups = append(groups, map[string]any{"person": person, "events": rows})
	}
	if len(groups) > 0 {
		recs, err := run(ctx, tx, "append_events", map[string]any{"groups": groups,
			"tails": tails != nil, "prop": journeys.PropPrefix, "trait": journeys.TraitPrefix, "fields": personFieldNames})
		if err != nil {
			return err
		}
		if tails != nil {
			for _, r := range recs {
				j, err := storedJourney(r)
				if err != nil {
					return err
				}
				*tails = append(*tails, inmem.Written{JourneyTail: inmem.JourneyTail{StoredJourney: j, Events: int(intOf(r, "stored"))},
					PrevID: str(r, "prev_id")})
			}
		}
	}
	if len(late) > 0 {
		if _, err := run(ctx, tx, "create_events", map[string]any{"events": late}); err != nil {
			return err
		}
	}
	if len(relink) > 0 {
		ps := make([]string, 0, len(relink))
		for p := range relink {
			ps = append(ps, p)
		}
		sort.Strings(ps)
		if _, err := run(ctx, tx, "relink_people", map[string]any{"people": ps}); err != nil {
			return err
		}
	}
	return nil
}

// EventRow maps an event to the whitelisted Event node properties, and its
// scalar properties to prop_<key> (journeys.FlatProps). Empty
// values are left out: Neo4j stores no null, and a smaller map is cheaper to
// send. The bulk load (graph/bulk) writes the same properties.
func EventRow(e journeys.Event, now int64) map[string]any {
	row := make(map[string]any, 16)
	row["id"], row["person"], row["type"], row["name"] = e.ID, e.Person, e.Type, e.Name
	row["ts"], row["ingested_ts"] = e.Time.UnixMilli(), now
	for _, f := range [...]struct {
		key, v string
	}{{"step", e.Step}, {"channel", e.Channel}, {"campaign", e.Campaign}, {"device", e.Device},
		{"url", e.URL}, {"session_key", e.Session}, {"product", e.Product}} {
		if f.v != "" {
			row[f.key] = f.v
		}
	}
	if e.Anonymous {
		row["anonymous"] = true
	}
	if e.Value != 0 {
		row["value"] = e.Value
	}
	if len(e.Properties) > 0 {
		if b, err := json.Marshal(e.Properties); err == nil {
			row["props"] = string(b)
		}
		for k, v := range journeys.FlatProps(e.Properties, journeys.PropPrefix) {
			row[k] = v
		}
	}
	return row
}

func str(r *neo4j.Record, key string) string {
	v, _ := r.Get(key)
	s, _ := v.(string)
	return s
}

func toInt64(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	}
	return 0
}

func compact(sorted []string) []string {
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// nullable turns "" into a Cypher null.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
