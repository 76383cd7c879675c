package chain

import (
	"fmt"
	"strings"
	"testing"
)

func TestJourneyHeapKeepsTheLeastLikely(t *testing.T) {
	h := &journeyHeap{}
	for i, ps := range []float64{-1, -5, -3, -0.5, -4, -5} {
		h.offer(ImprobableJourney{Person: fmt.Sprint(i), PerStep: ps}, 3)
	}
	var got []string
	for _, j := range h.sorted() {
		got = append(got, fmt.Sprintf("%s:%g", j.Person, j.PerStep))
	}
	if want := "1:-5 5:-5 4:-4"; strings.Join(got, " ") != want {
		t.Errorf("kept %v, want %s", got, want)
	}
}
