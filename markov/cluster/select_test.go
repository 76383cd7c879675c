package cluster

import (
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestChooseOnASampleDescribesEveryPoint: above SelectionSample points, k
// is chosen on the sample, and the model returned is the chosen k's fit
// on every point: Lloyd's run on every point from the sample's best
// centroids, each point labelled with its nearest returned centroid, the
// inertia and scores those of every point.
func TestChooseOnASampleDescribesEveryPoint(t *testing.T) {
	n := SelectionSample + 10_000
	x, truth := planted(n, 6, 4, 3)
	sel, err := Choose(x, 2, 6, Options{Restarts: 2}, rand.NewPCG(5, 6))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(sel.Sample); got != SelectionSample {
		t.Fatalf("selection sample: got %d rows, want %d", got, SelectionSample)
	}
	if got := len(sel.Fits[0].Labels); got != SelectionSample {
		t.Errorf("a k's fit holds %d labels, want the sample's %d", got, SelectionSample)
	}
	if k := sel.Scores[sel.Best].K; k != 4 {
		t.Errorf("chosen k: got %d, want the planted 4 (scores %+v)", k, sel.Scores)
	}
	m := sel.Model
	if len(m.Labels) != n {
		t.Fatalf("model labels: got %d, want every point's (%d)", len(m.Labels), n)
	}
	if ari := AdjustedRand(m.Labels, truth); ari < 0.95 {
		t.Errorf("adjusted Rand index of the full fit against the planted groups: got %.3f, want ≥ 0.95", ari)
	}
	inertia := 0.0
	for i := 0; i < n; i++ {
		best, bd := 0, math.Inf(1)
		for c := 0; c < 4; c++ {
			if dd := sqDist(x.RawRowView(i), m.Centroids.RawRowView(c)); dd < bd {
				best, bd = c, dd
			}
		}
		if m.Labels[i] != best {
			t.Fatalf("point %d: label %d, but its nearest returned centroid is %d", i, m.Labels[i], best)
		}
		inertia += bd
	}
	if !relClose(m.Inertia, inertia, 1e-9) {
		t.Errorf("model inertia: got %.10g, want every point's %.10g", m.Inertia, inertia)
	}
	ch, err := CalinskiHarabasz(x, m.Labels)
	if err != nil {
		t.Fatal(err)
	}
	if sel.Full.K != 4 || sel.Full.Inertia != m.Inertia || !relClose(sel.Full.CalinskiHarabasz, ch, 1e-12) {
		t.Errorf("full score: got %+v, want k 4, inertia %.10g, CH %.10g", sel.Full, m.Inertia, ch)
	}
	warm := sel.Fits[sel.Best].Centroids
	labels, want := plainLloyd(x, warm, 300, 1e-4*meanVariance(newPoints(x)))
	if !equalInts(labels, m.Labels) || !relClose(m.Inertia, want, 1e-9) {
		t.Errorf("model inertia %.10g, want %.10g of plain Lloyd on every point from the sample's centroids (labels equal: %v)",
			m.Inertia, want, equalInts(labels, m.Labels))
	}
	// Lloyd's stopping rule leaves the fit within its tolerance of the
	// fixed point: running on to no label change moves the inertia by
	// less than a millionth.
	_, fixed := plainLloyd(x, m.Centroids, 300, 0)
	if !relClose(fixed, m.Inertia, 1e-6) {
		t.Errorf("Lloyd to no label change from the returned centroids: inertia %.10g, model %.10g", fixed, m.Inertia)
	}
}

// TestChooseIsDeterministic: the same seed gives the same selection on one
// core or two, on every point and on a sample.
func TestChooseIsDeterministic(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
	}{
		{"every point", 3000},
		{"sampled", SelectionSample + 5000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, _ := planted(tc.n, 5, 3, 9)
			run := func(procs int) *Selection {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				sel, err := Choose(x, 2, 5, Options{Restarts: 3}, rand.NewPCG(1, 2))
				if err != nil {
					t.Fatal(err)
				}
				return sel
			}
			one, two := run(1), run(2)
			if !reflect.DeepEqual(one.Scores, two.Scores) || one.Best != two.Best || !reflect.DeepEqual(one.Sample, two.Sample) {
				t.Errorf("scores: GOMAXPROCS 1 %+v (best %d), 2 %+v (best %d)", one.Scores, one.Best, two.Scores, two.Best)
			}
			if !mat.Equal(one.Model.Centroids, two.Model.Centroids) || !equalInts(one.Model.Labels, two.Model.Labels) ||
				one.Model.Inertia != two.Model.Inertia || one.Full != two.Full {
				t.Errorf("model: GOMAXPROCS 1 inertia %.12g, 2 inertia %.12g", one.Model.Inertia, two.Model.Inertia)
			}
		})
	}
}
