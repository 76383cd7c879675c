package inmem

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// MemSource is a TailSource over journeys held in a map, counting the
// journeys and tails it is asked for: the store of unit tests that need a
// Cache without Neo4j. Its methods change journeys as the graph store's
// writes do (Put rewrites a journey, Add adds events, SetFields sets the
// person's fields); an event's id is EventID of its person, name and time.
type MemSource struct {
	People map[string]StoredJourney
	reads  int
	tails  int
	clock  int64
}

var _ TailSource = (*MemSource)(nil)

// PeopleAfter lists the ids after after, in order.
func (m *MemSource) PeopleAfter(_ context.Context, prefix, after string, limit int) ([]string, error) {
	var ids []string
	for id := range m.People {
		if id > after && strings.HasPrefix(id, prefix) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids[:min(limit, len(ids))], nil
}

// Journeys returns the journeys of ids that exist.
func (m *MemSource) Journeys(_ context.Context, ids []string) ([]StoredJourney, error) {
	var out []StoredJourney
	for _, id := range ids {
		if j, ok := m.People[id]; ok {
			j.LastID = lastID(j)
			j.IDs = memIDs(id, j.Touches)
			out = append(out, j)
			m.reads++
		}
	}
	return out, nil
}

// TouchedSince returns the people stamped at or after since.
func (m *MemSource) TouchedSince(_ context.Context, prefix string, since int64) (map[string]int64, error) {
	out := map[string]int64{}
	for id, j := range m.People {
		if j.Touched >= since && strings.HasPrefix(id, prefix) {
			out[id] = j.Touched
		}
	}
	return out, nil
}

// PeopleCount counts the people under prefix.
func (m *MemSource) PeopleCount(_ context.Context, prefix string) (int, error) {
	n := 0
	for id := range m.People {
		if strings.HasPrefix(id, prefix) {
			n++
		}
	}
	return n, nil
}

// Put stores a journey stamped with the next millisecond from now on,
// touched and rewritten (as a restep or a re-created person is).
func (m *MemSource) Put(id string, ts ...journeys.Touch) {
	now := m.tick()
	m.People[id] = StoredJourney{Person: id, Touched: now, Touches: ts, Rewritten: now}
}

// tick returns the next millisecond from now on.
func (m *MemSource) tick() int64 {
	m.clock = max(m.clock+1, time.Now().UnixMilli())
	return m.clock
}

// MakeTouch is a track touch of step and name at ts (epoch ms) in session
// "s", with its URL and value derived from name and ts.
func MakeTouch(step, name string, ts int64, channel, device string) journeys.Touch {
	return journeys.Touch{StepEvent: journeys.StepEvent{Step: step, TS: ts, Session: "s"}, Name: name, Type: "track",
		Channel: channel, Device: device, URL: "/" + name, Value: float64(ts)}
}

// memIDs returns the ids of a person's touches (EventID of person, name and
// time).
func memIDs(person string, ts []journeys.Touch) []string {
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = memEventID(person, t)
	}
	return ids
}
