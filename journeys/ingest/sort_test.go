package ingest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// sortInput returns n events of a few people in shuffled order, with equal
// times (and some equal ids: a sender's messageId reused) among a person's
// events, and properties of every type a reader produces.
func sortInput(n int) []fileEvent {
	rng := rand.New(rand.NewPCG(7, 8))
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	out := make([]fileEvent, n)
	for i := range out {
		e := journeys.Event{
			ID:     fmt.Sprintf("id-%03d", rng.IntN(n/2+1)),
			Type:   journeys.TypeTrack,
			Person: fmt.Sprintf("p%d", rng.IntN(7)),
			Name:   "product_view",
			Time:   t0.Add(time.Duration(rng.IntN(20)) * time.Minute),
			Value:  float64(i) / 4,
		}
		switch i % 11 {
		case 0:
			e.Type, e.Name, e.PreviousID = journeys.TypeIdentify, "identify", fmt.Sprintf("anon%d", i)
		case 1:
			e.Type, e.Name = journeys.TypeIdentify, "identify" // traits only: merges nothing
		}
		if i%3 == 0 {
			e.Properties = map[string]any{"n": json.Number("1.5"), "s": "x", "b": true, "null": nil,
				"list": []any{json.Number("2"), "y"}, "obj": map[string]any{"k": "v"}, "i": int64(i)}
		}
		out[i] = fileEvent{Event: e, Line: 2*i + 3, Seq: int64(i)}
	}
	return out
}

// wantSorted is the order the writer expects: the merging identify events
// first by (time, id), then the rest by journeys.SortEvents' (person, time,
// id), stable, so file order among equal keys.
func wantSorted(in []fileEvent) []fileEvent {
	want := append([]fileEvent(nil), in...)
	sort.SliceStable(want, func(i, j int) bool {
		a, b := want[i].Event, want[j].Event
		if am, bm := a.PreviousID != "", b.PreviousID != ""; am != bm {
			return am
		}
		if a.PreviousID == "" && a.Person != b.Person {
			return a.Person < b.Person
		}
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		return a.ID < b.ID
	})
	return want
}

func TestExternalSort(t *testing.T) {
	in := sortInput(500)
	tests := []struct {
		name     string
		budget   int64
		wantRuns func(int) bool
	}{
		{"in memory", 1 << 30, func(n int) bool { return n == 0 }},
		{"a few runs", 40 << 10, func(n int) bool { return n > 1 && n < maxFanIn }},
		{"a run per event, merged in rounds", 1, func(n int) bool { return n == len(in) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			s := newExternalSort(root, tt.budget)
			for _, e := range in {
				if err := s.Add(e); err != nil {
					t.Fatal(err)
				}
			}
			st, err := s.Sorted()
			if err != nil {
				t.Fatal(err)
			}
			var got []fileEvent
			for st.Next() {
				got = append(got, st.At())
			}
			if err := st.Err(); err != nil {
				t.Fatal(err)
			}
			if !tt.wantRuns(s.Runs()) {
				t.Errorf("%d runs spilled", s.Runs())
			}
			want := wantSorted(in)
			if len(got) != len(want) {
				t.Fatalf("got %d events, want %d", len(got), len(want))
			}
			for i := range want {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Fatalf("event %d = %+v, want %+v", i, got[i], want[i])
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if left, _ := os.ReadDir(root); len(left) != 0 {
				t.Errorf("temporary files left after Close: %v", left)
			}
		})
	}
}

func TestExternalSortCloseBeforeSorted(t *testing.T) {
	root := t.TempDir()
	s := newExternalSort(root, 1)
	for _, e := range sortInput(10) {
		if err := s.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	if left, _ := os.ReadDir(root); len(left) != 1 {
		t.Fatalf("want the sort's folder under the root after spills, got %v", left)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(root); len(left) != 0 {
		t.Errorf("temporary files left after Close: %v", left)
	}
}

func TestExternalSortBadRoot(t *testing.T) {
	s := newExternalSort("/nonexistent/journeygraph-sort-root", 1)
	defer s.Close()
	if err := s.Add(sortInput(1)[0]); err == nil {
		t.Error("spilling under a missing folder: no error")
	}
}
