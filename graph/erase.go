package graph

import (
	"context"
	"sort"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/journeys"
)

// minDeletePrefix is the shortest prefix DeletePrefix accepts, so that a
// slip never erases everyone.
const minDeletePrefix = 4

// DeletePrefix erases every person whose id starts with prefix, their
// events, the aliases merged into them and the webhook deliveries about
// them, in bounded transactions, and the deliveries to webhooks and the
// step rule sets whose id starts with prefix; it returns how many events
// went. It is meant for namespaces, benchmark and
// test runs: the (person, ts) index finds the events, where DeletePeople
// looks people up one by one. A prefix shorter than 4 bytes is refused
// (EINVALID). A failure part-way leaves the rest for a re-run.
func (s *Store) DeletePrefix(ctx context.Context, prefix string) (int, error) {
	if len(prefix) < minDeletePrefix {
		return 0, journeys.Errorf(journeys.EINVALID, "delete prefix %q: want at least %d bytes", prefix, minDeletePrefix)
	}
	sess := s.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: s.db, AccessMode: neo4j.AccessModeWrite})
	defer sess.Close(context.Background())
	n := 0
	for _, q := range []string{"delete_prefix_events", "delete_prefix_deliveries", "delete_prefix_people", "delete_prefix_aliases", "delete_prefix_step_rules"} {
		// CALL ... IN TRANSACTIONS runs only in an implicit transaction.
		params := map[string]any{"prefix": prefix}
		res, err := sess.Run(ctx, queryText(q, params), params)
		if err != nil {
			return n, wrap("delete prefix", err)
		}
		rec, err := res.Single(ctx)
		if err != nil {
			return n, wrap("delete prefix", err)
		}
		if q == "delete_prefix_events" {
			n = int(intOf(rec, "n"))
		}
	}
	return n, nil
}

// DeletePeople erases people with everything merged into them, and returns
// how many events were deleted. Each id may be a person or an id merged into
// one (an anonymous id, or a person later merged into another): it is
// resolved along its aliases to the person its events now belong to (a→b→c:
// c). Erasing that person deletes, in one transaction:
//
//   - every alias whose chain of merges ends at them (a→b and b→c), so that
//     no erased id resolves any more: a later event for a or b starts a new
//     person holding only that event;
//   - the events of the person and of every merged id (their chains);
//   - the person's segment memberships with their history;
//   - the webhook deliveries that name the person or a merged id.
//
// A journey cache finds them gone at its next sync (the person count
// disagrees).
func (s *Store) DeletePeople(ctx context.Context, ids []string) (int, error) {
	var n int64
	err := s.write(ctx, 0, func(tx neo4j.ManagedTransaction) error {
		alias, err := aliases(ctx, tx, ids)
		if err != nil {
			return err
		}
		people := map[string]bool{}
		for _, id := range ids {
			people[resolve(alias, id)] = true
		}
		merged, err := mergedIDs(ctx, tx, keys(people))
		if err != nil {
			return err
		}
		for _, id := range merged {
			people[id] = true
		}
		recs, err := run(ctx, tx, "delete_people", map[string]any{"ids": keys(people)})
		if err == nil && len(recs) > 0 {
			n = intOf(recs[0], "events")
		}
		return err
	})
	return int(n), wrap("delete people", err)
}

// mergedIDs returns, sorted, every id whose chain of aliases ends at one of
// people (transitively: a merged into b merged into c gives a and b for c).
func mergedIDs(ctx context.Context, tx neo4j.ManagedTransaction, people []string) ([]string, error) {
	seen := map[string]bool{}
	for _, p := range people {
		seen[p] = true
	}
	var out []string
	for next := people; len(next) > 0; {
		recs, err := run(ctx, tx, "find_merged_ids", map[string]any{"people": next})
		if err != nil {
			return nil, err
		}
		next = nil
		for _, r := range recs {
			if id := str(r, "id"); !seen[id] {
				seen[id] = true
				out = append(out, id)
				next = append(next, id)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}
