package inmem

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// applyNaive is the reference of cacheSnapshot.apply, and what it was
// before: a merge of s's ids and the added ones, a step and a map lookup
// per person.
func applyNaive(s *cacheSnapshot, changes map[string]*cachedPerson, strs []string, metaOf func(*cachedPerson) personMeta) *cacheSnapshot {
	added := make([]string, 0, len(changes))
	for id, p := range changes {
		if p != nil && s.find(id) == nil {
			added = append(added, id)
		}
	}
	slices.Sort(added)
	n := len(s.ids) + len(added)
	out := &cacheSnapshot{ids: make([]string, 0, n), people: make([]*cachedPerson, 0, n), meta: make([]personMeta, 0, n),
		strs: strs}
	push := func(id string, p *cachedPerson, m personMeta) {
		if p != nil {
			out.ids, out.people, out.meta = append(out.ids, id), append(out.people, p), append(out.meta, m)
			out.events += len(p.events)
		}
	}
	i, j := 0, 0
	for i < len(s.ids) || j < len(added) {
		if j == len(added) || (i < len(s.ids) && s.ids[i] < added[j]) {
			id, p, m := s.ids[i], s.people[i], s.meta[i]
			if q, ok := changes[id]; ok {
				p = q
				if q != nil {
					m = metaOf(q)
				}
			}
			push(id, p, m)
			i++
		} else {
			p := changes[added[j]]
			push(added[j], p, metaOf(p))
			j++
		}
	}
	return out
}

// sameSnapshot compares two snapshots' people (an empty slice is nil).
func sameSnapshot(a, b *cacheSnapshot) bool {
	return slices.Equal(a.ids, b.ids) && slices.Equal(a.people, b.people) && slices.Equal(a.meta, b.meta) && a.events == b.events
}

// testSnapshot holds n people "p00000".. with i%4 events each.
func testSnapshot(n int) *cacheSnapshot {
	s := &cacheSnapshot{}
	for i := range n {
		p := &cachedPerson{events: make([]cachedEvent, i%4)}
		s.ids, s.people, s.meta = append(s.ids, fmt.Sprintf("p%05d", 2*i)), append(s.people, p), append(s.meta, personMeta{first: int64(i)})
		s.events += len(p.events)
	}
	return s
}

func testMeta(p *cachedPerson) personMeta { return personMeta{last: int64(len(p.events)) + 1000} }

// randomChanges changes, removes and adds people of s (odd ids are new).
func randomChanges(rng *rand.Rand, s *cacheSnapshot, n int) map[string]*cachedPerson {
	changes := map[string]*cachedPerson{}
	for range n {
		id := fmt.Sprintf("p%05d", rng.IntN(2*len(s.ids)+4))
		switch rng.IntN(3) {
		case 0:
			changes[id] = nil
		default:
			changes[id] = &cachedPerson{events: make([]cachedEvent, rng.IntN(5))}
		}
	}
	return changes
}

// TestSnapshotApply: apply equals the naive merge for updates only,
// removals, additions (before the first, after the last, between), and
// mixes of them, on random changes (seeded).
func TestSnapshotApply(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	fixed := []struct {
		name    string
		changes map[string]*cachedPerson
	}{
		{"nothing", map[string]*cachedPerson{}},
		{"updates only", map[string]*cachedPerson{"p00000": {events: make([]cachedEvent, 9)}, "p00018": {}}},
		{"added first and last", map[string]*cachedPerson{"a": {}, "z": {events: make([]cachedEvent, 2)}}},
		{"added beside an update", map[string]*cachedPerson{"p00003": {}, "p00004": {events: make([]cachedEvent, 1)}}},
		{"removed first and last", map[string]*cachedPerson{"p00000": nil, "p00018": nil}},
		{"removing the absent", map[string]*cachedPerson{"p00001": nil}},
	}
	for _, tc := range fixed {
		s := testSnapshot(10)
		if got, want := s.apply(tc.changes, nil, testMeta), applyNaive(s, tc.changes, nil, testMeta); !sameSnapshot(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, want)
		}
	}
	for round := range 500 {
		s := testSnapshot(rng.IntN(40))
		changes := randomChanges(rng, s, rng.IntN(12))
		before := testSnapshot(len(s.ids))
		got, want := s.apply(changes, nil, testMeta), applyNaive(s, changes, nil, testMeta)
		if !sameSnapshot(got, want) {
			t.Fatalf("round %d, %d people, changes %v:\n got %v %d\nwant %v %d", round, len(s.ids), changes, got.ids, got.events, want.ids, want.events)
		}
		if !reflect.DeepEqual(s.ids, before.ids) || !reflect.DeepEqual(s.meta, before.meta) {
			t.Fatalf("round %d: apply changed the snapshot it read", round)
		}
	}
}

// BenchmarkSnapshotApply: a sync's or a write's few changes applied to a
// million people: apply (copies runs) against the naive merge (a step and
// a map lookup per person). Rerun: go test ./graph/inmem -run '^$' -bench SnapshotApply
func BenchmarkSnapshotApply(b *testing.B) {
	s := testSnapshot(1_000_000)
	rng := rand.New(rand.NewPCG(1, 2))
	updates := map[string]*cachedPerson{}
	for range 100 {
		updates[s.ids[rng.IntN(len(s.ids))]] = &cachedPerson{}
	}
	mixed := randomChanges(rng, s, 100)
	for _, c := range []struct {
		name    string
		changes map[string]*cachedPerson
	}{{"updates", updates}, {"adds-and-removes", mixed}} {
		b.Run(c.name+"/naive", func(b *testing.B) {
			for b.Loop() {
				applyNaive(s, c.changes, nil, testMeta)
			}
		})
		b.Run(c.name+"/apply", func(b *testing.B) {
			for b.Loop() {
				s.apply(c.changes, nil, testMeta)
			}
		})
	}
}
