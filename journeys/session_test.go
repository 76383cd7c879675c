package journeys

import (
	"reflect"
	"testing"
	"time"
)

func TestSessionize(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	at := func(mins ...float64) []time.Time {
		var ts []time.Time
		for _, m := range mins {
			ts = append(ts, t0.Add(time.Duration(m*float64(time.Minute))))
		}
		return ts
	}
	tests := []struct {
		name    string
		times   []time.Time
		timeout time.Duration
		want    []int
	}{
		{"empty", nil, 0, []int{}},
		{"one", at(0), 0, []int{0}},
		{"within default timeout", at(0, 10, 39.9), 0, []int{0, 0, 0}},
		{"gap of exactly the timeout stays", at(0, 30), 0, []int{0, 0}},
		{"gap over the timeout splits", at(0, 30.01, 31, 90), 0, []int{0, 1, 1, 2}},
		{"custom timeout", at(0, 5, 11, 12), 5 * time.Minute, []int{0, 0, 1, 1}},
		{"equal times", at(0, 0, 0), time.Minute, []int{0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sessionize(tt.times, tt.timeout); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Sessionize = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSessionizeEvents(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	events := []Event{
		{Time: t0, Session: "s1"},
		{Time: t0.Add(time.Minute), Session: "s1"},
		{Time: t0.Add(2 * time.Minute), Session: "s2"}, // sender started a new session
		{Time: t0.Add(3 * time.Minute)},                // no id: gap rule only
		{Time: t0.Add(4 * time.Minute), Session: "s3"},
		{Time: t0.Add(time.Hour), Session: "s3"}, // same id, but 56 min idle
	}
	if got, want := SessionizeEvents(events, 0), []int{0, 0, 1, 1, 1, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("SessionizeEvents = %v, want %v", got, want)
	}
}
