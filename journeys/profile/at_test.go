package profile

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"gonum.org/v1/gonum/mat"
)

// TestVectorsAtMatchesVectors: one pass at several dates gives, at each,
// the vectors Vectors gives at that date, for the people Keep lets in.
func TestVectorsAtMatchesVectors(t *testing.T) {
	r := &touchReader{seqs: []journeys.TouchSequence{
		{Person: "a", Touches: []journeys.Touch{touch("page_view", 50, 0, channel("ads")), touch("purchase", 20, 0, value(30))}},
		{Person: "b", Touches: []journeys.Touch{touch("product_view", 35, 0), touch("email_open", 5, 0, channel("mail"))}},
		{Person: "c", Touches: []journeys.Touch{touch("page_view", 2, 0, channel("ads"))}},
	}}
	p := &Profiler{Touches: r}
	dates := []time.Time{asOf.AddDate(0, 0, -30), asOf, asOf.AddDate(0, 0, -10)}
	keep := func(i int, person string) bool { return !(i == 1 && person == "a") }
	got, err := p.VectorsAt(context.Background(), DatesQuery{Dates: dates, Keep: keep})
	if err != nil {
		t.Fatal(err)
	}
	if want := asOf; !r.q.Filter.To.Equal(want) {
		t.Errorf("read up to %v, want the last date %v", r.q.Filter.To, want)
	}
	for i, d := range dates {
		want, err := p.Vectors(context.Background(), VectorQuery{AsOf: d})
		if err != nil {
			t.Fatal(err)
		}
		var people []string
		var rows []int
		for j, id := range want.People {
			if keep(i, id) {
				people, rows = append(people, id), append(rows, j)
			}
		}
		if !slices.Equal(got[i].People, people) {
			t.Errorf("date %d: people %v, want %v", i, got[i].People, people)
			continue
		}
		fixed := len(FixedFeatures())
		for k, j := range rows {
			g := mat.Row(nil, k, got[i].X)[:fixed]
			w := mat.Row(nil, j, want.X)[:fixed]
			if !slices.Equal(g, w) {
				t.Errorf("date %d, %s: row %v, want %v", i, people[k], g, w)
			}
		}
	}
	none, err := p.VectorsAt(context.Background(), DatesQuery{Dates: dates[:1], Keep: func(int, string) bool { return false }})
	if err != nil || len(none) != 1 || none[0].X != nil || len(none[0].People) != 0 {
		t.Errorf("nobody kept: %+v %v, want an empty Vectors", none, err)
	}
}
