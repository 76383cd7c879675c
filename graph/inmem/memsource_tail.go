package inmem

import (
	"cmp"
	"context"
	"maps"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// memEventID is the id of the event t of person: journeys.EventID of its
// name and time.
func memEventID(person string, t journeys.Touch) string {
	return journeys.EventID(person, t.Name, time.UnixMilli(t.TS), nil)
}

// lastID returns the id of j's last event ("" for none).
func lastID(j StoredJourney) string {
	if len(j.Touches) == 0 {
		return ""
	}
	return memEventID(j.Person, j.Touches[len(j.Touches)-1])
}

// after compares the event t of person with the end (TS, ID).
func after(person string, t journeys.Touch, end JourneyEnd) bool {
	return cmp.Or(cmp.Compare(t.TS, end.TS), cmp.Compare(memEventID(person, t), end.ID)) > 0
}

// JourneyTails returns the people of ends that exist, each with the events
// after its end.
func (m *MemSource) JourneyTails(_ context.Context, ends []JourneyEnd) ([]JourneyTail, error) {
	var out []JourneyTail
	for _, end := range ends {
		j, ok := m.People[end.Person]
		if !ok {
			continue
		}
		m.tails++
		t := JourneyTail{StoredJourney: StoredJourney{Person: j.Person, Touched: j.Touched, Fields: j.Fields,
			Rewritten: j.Rewritten, LastID: lastID(j)}, Events: len(j.Touches)}
		for i, tc := range j.Touches {
			if after(j.Person, tc, end) {
				t.Touches = append(t.Touches, tc)
				if j.Details != nil {
					t.Details = append(t.Details, j.Details[i])
				}
			}
		}
		t.IDs = memIDs(j.Person, t.Touches)
		out = append(out, t)
	}
	return out, nil
}

// Add adds events to id's journey (creating the person if new), each in
// chain order (by time, then id): after the last, as most events come, or
// spliced in, as a late one is. Details, when given, go with the touches
// of the same index. The person is stamped touched.
func (m *MemSource) Add(id string, ts []journeys.Touch, details []EventDetail) {
	now := m.tick()
	j, ok := m.People[id]
	if !ok {
		j = StoredJourney{Person: id, Rewritten: now}
	}
	j.Touches = append([]journeys.Touch(nil), j.Touches...)
	if j.Details != nil || details != nil {
		j.Details = append(make([]EventDetail, 0, len(j.Touches)+len(ts)), j.Details...)
		j.Details = append(j.Details, make([]EventDetail, len(j.Touches)-len(j.Details))...)
	}
	for i, t := range ts {
		end := JourneyEnd{TS: t.TS, ID: memEventID(id, t)}
		k := len(j.Touches)
		for k > 0 && after(id, j.Touches[k-1], end) {
			k--
		}
		j.Touches = append(j.Touches[:k], append([]journeys.Touch{t}, j.Touches[k:]...)...)
		if j.Details != nil {
			var d EventDetail
			if i < len(details) {
				d = details[i]
			}
			j.Details = append(j.Details[:k], append([]EventDetail{d}, j.Details[k:]...)...)
		}
	}
	j.Touched = now
	m.People[id] = j
}

// SetFields sets id's fields (a trait or model write), stamping them
// touched.
func (m *MemSource) SetFields(id string, fields map[string]any) {
	j := m.People[id]
	j.Fields, j.Touched = maps.Clone(fields), m.tick()
	m.People[id] = j
}

// Merge moves anon's events to known, in chain order, and deletes anon (an
// identity merge).
func (m *MemSource) Merge(known, anon string) {
	a := m.People[anon]
	delete(m.People, anon)
	m.Add(known, a.Touches, a.Details)
}

// Restep sets the step of every event of id to step(event), stamping the
// person touched and rewritten.
func (m *MemSource) Restep(id string, step func(journeys.Touch) string) {
	j := m.People[id]
	j.Touches = append([]journeys.Touch(nil), j.Touches...)
	for k := range j.Touches {
		j.Touches[k].Step = step(j.Touches[k])
	}
	now := m.tick()
	j.Touched, j.Rewritten = now, now
	m.People[id] = j
}
