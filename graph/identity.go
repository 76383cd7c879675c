package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/journeys"
)

// maxAliasDepth bounds how many merges are followed to resolve an id
// (a merged into b, b later merged into c...).
const maxAliasDepth = 8

// applyIdentities merges the anonymous people named by identify and alias
// events into the known ones (their events move, their chains are rebuilt
// by time) and stores the latest traits. An anonymous id merged already is
// left where it is: merges are never undone by a later conflicting event.
func (s *Store) applyIdentities(ctx context.Context, tx neo4j.ManagedTransaction, ids []journeys.Event, now int64, relink map[string]bool) error {
	names := map[string]bool{}
	for _, e := range ids {
		names[e.Person] = true
		if e.PreviousID != "" {
			names[e.PreviousID] = true
		}
	}
	alias, err := aliases(ctx, tx, keys(names))
	if err != nil {
		return err
	}
	var merges []map[string]any
	people := map[string]bool{}
	identified := map[string][]journeys.Event{} // identify events with traits, by person
	for _, e := range ids {
		known := resolve(alias, e.Person)
		if len(e.Properties) > 0 && e.Type == journeys.TypeIdentify {
			identified[known] = append(identified[known], e)
			people[known] = true
		}
		anon := e.PreviousID
		if anon == "" || anon == known {
			continue
		}
		if to, merged := alias[anon]; merged {
			if resolve(alias, to) != known {
				s.log.WithField("anonymous_id", anon).WithField("merged_into", to).
					WithField("ignored_person", known).Warn("identity: id merged already; later merge ignored")
			}
			continue
		}
		merges = append(merges, map[string]any{"anon": anon, "known": known})
		alias[anon] = known
		people[anon], people[known] = true, true
		relink[known] = true
	}
	if len(people) == 0 {
		return nil
	}
	if _, err := run(ctx, tx, "lock_people", map[string]any{"people": keys(people), "now": now}); err != nil {
		return err
	}
	if len(merges) > 0 {
		if _, err := run(ctx, tx, "merge_people", map[string]any{"merges": merges, "now": now}); err != nil {
			return err
		}
	}
	if len(identified) > 0 {
		return setTraits(ctx, tx, identified)
	}
	return nil
}

// setTraits merges the traits of each person's identify events into the
// stored ones, in time order (journeys.MergeTraits), and stores them.
func setTraits(ctx context.Context, tx neo4j.ManagedTransaction, identified map[string][]journeys.Event) error {
	recs, err := run(ctx, tx, "get_traits", map[string]any{"people": keys(identified)})
	if err != nil {
		return err
	}
	rows := make([]map[string]any, 0, len(recs))
	for _, r := range recs {
		person := str(r, "person")
		var traits map[string]any
		if s := str(r, "traits"); s != "" {
			d := json.NewDecoder(strings.NewReader(s))
			d.UseNumber()
			_ = d.Decode(&traits) // a document that is not an object counts as none
		}
		at := intOf(r, "ts")
		evs := identified[person]
		slices.SortStableFunc(evs, func(a, b journeys.Event) int { return a.Time.Compare(b.Time) })
		for _, e := range evs {
			ts := e.Time.UnixMilli()
			traits, at = journeys.MergeTraits(traits, at, e.Properties, ts), max(at, ts)
		}
		b, err := json.Marshal(traits)
		if err != nil {
			return fmt.Errorf("traits of %s: %w", person, err)
		}
		rows = append(rows, map[string]any{"person": person, "json": string(b), "ts": at,
			"flat": journeys.FlatProps(traits, journeys.TraitPrefix)})
	}
	_, err = run(ctx, tx, "set_traits", map[string]any{"traits": rows})
	return err
}

// resolveAliases rewrites each event's person to the person its id was
// merged into, if any.
func resolveAliases(ctx context.Context, tx neo4j.ManagedTransaction, events []journeys.Event) error {
	names := map[string]bool{}
	for _, e := range events {
		names[e.Person] = true
	}
	alias, err := aliases(ctx, tx, keys(names))
	if err != nil || len(alias) == 0 {
		return err
	}
	for i := range events {
		events[i].Person = resolve(alias, events[i].Person)
	}
	return nil
}

// aliases returns id → person for the ids (and the ids those point to,
// transitively) that were merged into someone.
func aliases(ctx context.Context, tx neo4j.ManagedTransaction, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for depth := 0; depth < maxAliasDepth && len(ids) > 0; depth++ {
		recs, err := run(ctx, tx, "find_aliases", map[string]any{"ids": ids})
		if err != nil {
			return nil, err
		}
		ids = ids[:0]
		for _, r := range recs {
			id, to := str(r, "id"), str(r, "person")
			out[id] = to
			if _, seen := out[to]; !seen {
				ids = append(ids, to)
			}
		}
	}
	return out, nil
}

func resolve(alias map[string]string, id string) string {
	for i := 0; i < maxAliasDepth; i++ {
		to, ok := alias[id]
		if !ok || to == id {
			return id
		}
		id = to
	}
	return id
}

// keys returns the keys of m, sorted.
func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
