package journeys

import (
	"strings"
	"testing"
	"time"
)

func TestSortEvents(t *testing.T) {
	t0 := time.Date(2024, 4, 1, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		events []Event
		want   string // ids in order
	}{
		{"by person, then time", []Event{
			{ID: "c", Person: "q", Time: t0},
			{ID: "b", Person: "p", Time: t0.Add(time.Second)},
			{ID: "a", Person: "p", Time: t0.Add(2 * time.Second)},
		}, "b a c"},
		{"one millisecond is one time: id order, as the chain", []Event{
			{ID: "b", Person: "p", Time: t0.Add(300 * time.Microsecond)},
			{ID: "a", Person: "p", Time: t0.Add(700 * time.Microsecond)},
		}, "a b"},
		{"the next millisecond comes after", []Event{
			{ID: "a", Person: "p", Time: t0.Add(1200 * time.Microsecond)},
			{ID: "b", Person: "p", Time: t0.Add(900 * time.Microsecond)},
		}, "b a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			SortEvents(tc.events)
			var ids []string
			for _, e := range tc.events {
				ids = append(ids, e.ID)
			}
			if got := strings.Join(ids, " "); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}
