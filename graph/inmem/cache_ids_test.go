package inmem

import (
	"slices"
	"testing"
)

func TestEventIDs(t *testing.T) {
	hexA, hexB := "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"
	tests := []struct {
		name       string
		first, add []string
		packed     bool
	}{
		{"hex ids are packed", []string{hexA}, []string{hexB}, true},
		{"nothing yet", nil, []string{hexA, hexB}, true},
		{"upper case is kept as written", []string{hexA}, []string{"0123456789ABCDEF0123456789ABCDEF"}, false},
		{"a tracker's message id", []string{hexA, hexB}, []string{"msg-42"}, false},
		{"after strings, strings", []string{"msg-1"}, []string{hexA}, false},
		{"an unknown id", []string{hexA}, []string{""}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := eventIDs{}.with(tc.first)
			y := x.with(tc.add)
			want := append(slices.Clone(tc.first), tc.add...)
			got := make([]string, y.len())
			for k := range got {
				got[k] = y.at(k)
			}
			if !slices.Equal(got, want) || (y.strs == nil) != tc.packed || y.at(len(want)) != "" {
				t.Errorf("ids %q (packed %v), want %q (packed %v)", got, y.strs == nil, want, tc.packed)
			}
			for k, id := range tc.first { // x, which a snapshot may hold, is unchanged
				if x.at(k) != id || x.len() != len(tc.first) {
					t.Errorf("the first ids changed: %q at %d, want %q", x.at(k), k, id)
				}
			}
		})
	}
}
