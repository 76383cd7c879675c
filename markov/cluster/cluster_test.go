package cluster

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestStandardize(t *testing.T) {
	x := mat.NewDense(4, 2, []float64{
		0, 5,
		1, 5,
		3, 5,
		7, 5,
	})
	z, scales, sums := Standardize(x, []bool{true, false})
	if got, want := sums[0], (Summary{Mean: 2.75, SD: math.Sqrt(7.1875), Min: 0, Max: 7}); math.Abs(got.Mean-want.Mean) > 1e-12 || math.Abs(got.SD-want.SD) > 1e-12 || got.Min != want.Min || got.Max != want.Max {
		t.Errorf("summary: got %+v, want %+v", got, want)
	}
	if scales[1].Spread != 1 {
		t.Errorf("constant feature spread: got %g, want 1", scales[1].Spread)
	}
	for i := 0; i < 4; i++ {
		if z.At(i, 1) != 0 {
			t.Errorf("constant feature z[%d]: got %g, want 0", i, z.At(i, 1))
		}
		if got, want := scales[0].Invert(z.At(i, 0)), x.At(i, 0); math.Abs(got-want) > 1e-12 {
			t.Errorf("Invert(Apply(%g)): got %g", want, got)
		}
		if got, want := scales[0].Apply(x.At(i, 0)), z.At(i, 0); math.Abs(got-want) > 1e-12 {
			t.Errorf("Apply(%g): got %g, want %g", x.At(i, 0), got, want)
		}
	}
	var m, v float64
	for i := 0; i < 4; i++ {
		m += z.At(i, 0) / 4
	}
	for i := 0; i < 4; i++ {
		v += (z.At(i, 0) - m) * (z.At(i, 0) - m) / 4
	}
	if math.Abs(m) > 1e-12 || math.Abs(v-1) > 1e-12 {
		t.Errorf("log feature scaled: mean %g, variance %g, want 0 and 1", m, v)
	}
}

func TestErrors(t *testing.T) {
	x := mat.NewDense(3, 1, []float64{0, 1, 2})
	if _, err := Fit(x, 4, Options{}, rand.NewPCG(1, 1)); err == nil {
		t.Error("Fit with k > n: no error")
	}
	if _, err := Fit(x, 0, Options{}, rand.NewPCG(1, 1)); err == nil {
		t.Error("Fit with k = 0: no error")
	}
	for _, r := range [][2]int{{1, 2}, {3, 2}, {2, 3}} {
		if _, err := Choose(x, r[0], r[1], Options{}, rand.NewPCG(1, 1)); err == nil {
			t.Errorf("Choose k %d-%d on 3 points: no error", r[0], r[1])
		}
	}
	for name, labels := range map[string][]int{"one cluster": {0, 0, 0}, "n clusters": {0, 1, 2}, "negative": {0, -1, 1}, "short": {0, 1}} {
		if _, err := Silhouette(x, labels); err == nil {
			t.Errorf("Silhouette %s: no error", name)
		}
		if _, err := CalinskiHarabasz(x, labels); err == nil {
			t.Errorf("CalinskiHarabasz %s: no error", name)
		}
	}
}

func TestLloydRelocatesEmptyCluster(t *testing.T) {
	x := mat.NewDense(4, 1, []float64{0, 1, 10, 11})
	init := mat.NewDense(2, 1, []float64{0.5, 100}) // no point nearest 100
	km := Lloyd(x, init, Options{})
	if !samePartition(km.Labels, []int{0, 0, 1, 1}) {
		t.Errorf("labels: got %v, want {0,1} and {10,11}", km.Labels)
	}
	if math.Abs(km.Inertia-1) > 1e-12 {
		t.Errorf("inertia: got %g, want 1", km.Inertia)
	}
}

func TestChooseSamplesSilhouette(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 7))
	n := ExactSilhouette + 500
	x := mat.NewDense(n, 2, nil)
	truth := make([]int, n)
	for i := 0; i < n; i++ {
		truth[i] = i % 3
		x.Set(i, 0, float64(truth[i]*10)+rnd.NormFloat64())
		x.Set(i, 1, rnd.NormFloat64())
	}
	sel, err := Choose(x, 2, 4, Options{Restarts: 2}, rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	if !sel.Sampled || sel.SampleSize != ExactSilhouette {
		t.Errorf("Sampled, SampleSize: got %v, %d, want true, %d", sel.Sampled, sel.SampleSize, ExactSilhouette)
	}
	if k := sel.Scores[sel.Best].K; k != 3 {
		t.Errorf("chosen k: got %d, want 3", k)
	}
	if ari := AdjustedRand(sel.Fits[sel.Best].Labels, truth); ari < 0.95 {
		t.Errorf("adjusted Rand index: got %.3f, want ≥ 0.95", ari)
	}
}

func TestAdjustedRand(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b []int
		want float64
	}{
		{"same", []int{0, 0, 1, 1}, []int{0, 0, 1, 1}, 1},
		{"relabelled", []int{0, 0, 1, 1}, []int{5, 5, 2, 2}, 1},
		{"sklearn doc", []int{0, 0, 1, 1}, []int{0, 0, 1, 2}, 0.5714285714285715},
		{"crossed", []int{0, 0, 1, 1}, []int{0, 1, 0, 1}, -0.5},
	} {
		if got := AdjustedRand(tc.a, tc.b); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: got %g, want %g", tc.name, got, tc.want)
		}
	}
}

// plainLloyd is Lloyd's algorithm without bounds, the reference of
// TestLloydBoundsChangeNothing.
func plainLloyd(x, init *mat.Dense, maxIter int, tol float64) ([]int, float64) {
	n, d := x.Dims()
	k, _ := init.Dims()
	c := mat.DenseCopyOf(init)
	labels, old := make([]int, n), make([]int, n)
	nearest := func() {
		for i := 0; i < n; i++ {
			best, bd := 0, math.Inf(1)
			for ci := 0; ci < k; ci++ {
				if dd := sqDist(x.RawRowView(i), c.RawRowView(ci)); dd < bd {
					best, bd = ci, dd
				}
			}
			labels[i] = best
		}
	}
	for i := range old {
		old[i] = -1
	}
	strict := false
	for it := 0; it < maxIter; it++ {
		nearest()
		next := mat.NewDense(k, d, nil)
		counts := make([]float64, k)
		for i, l := range labels {
			counts[l]++
			for j := 0; j < d; j++ {
				next.Set(l, j, next.At(l, j)+x.At(i, j))
			}
		}
		shift := 0.0
		for ci := 0; ci < k; ci++ {
			for j := 0; j < d; j++ {
				next.Set(ci, j, next.At(ci, j)/counts[ci])
			}
			shift += sqDist(c.RawRowView(ci), next.RawRowView(ci))
		}
		c = next
		if equalInts(labels, old) {
			strict = true
			break
		}
		if shift <= tol {
			break
		}
		copy(old, labels)
	}
	if !strict {
		nearest()
	}
	inertia := 0.0
	for i, l := range labels {
		inertia += sqDist(x.RawRowView(i), c.RawRowView(l))
	}
	return labels, inertia
}

func TestLloydBoundsChangeNothing(t *testing.T) {
	rnd := rand.New(rand.NewPCG(11, 11))
	for _, tc := range []struct{ n, d, k int }{{3000, 5, 7}, {9000, 3, 4}, {500, 12, 10}} {
		x := mat.NewDense(tc.n, tc.d, nil)
		for i := 0; i < tc.n; i++ {
			g := float64(rnd.IntN(tc.k))
			for j := 0; j < tc.d; j++ {
				x.Set(i, j, g*0.8*float64(j%2)+rnd.NormFloat64())
			}
		}
		init := Seed(x, tc.k, rand.NewPCG(5, uint64(tc.n)))
		o := Options{MaxIter: 500, Tol: 1e-9}
		km := Lloyd(x, init, o)
		labels, inertia := plainLloyd(x, init, o.MaxIter, o.Tol*meanVariance(newPoints(x)))
		if !equalInts(km.Labels, labels) || math.Abs(km.Inertia-inertia) > 1e-9*inertia {
			t.Errorf("n=%d d=%d k=%d: bounded Lloyd (inertia %.10g, %d iterations) differs from plain (%.10g)", tc.n, tc.d, tc.k, km.Inertia, km.Iter, inertia)
		}
	}
}

func TestScoresWithASingleton(t *testing.T) {
	// Expected from scikit-learn 1.9.1: silhouette_score and
	// calinski_harabasz_score of these points and labels (a point alone in
	// its cluster has silhouette 0).
	x := mat.NewDense(5, 1, []float64{0, 1, 2.5, 10, 11})
	labels := []int{0, 0, 0, 1, 2}
	sil, err := Silhouette(x, labels)
	if err != nil || math.Abs(sil-0.48388888888888887) > 1e-12 {
		t.Errorf("silhouette: got %.17g, %v, want 0.48388888888888887", sil, err)
	}
	ch, err := CalinskiHarabasz(x, labels)
	if err != nil || math.Abs(ch-33.16842105263157) > 1e-9 {
		t.Errorf("Calinski–Harabasz: got %.17g, %v, want 33.16842105263157", ch, err)
	}
}

func TestSuggestEps(t *testing.T) {
	for _, tc := range []struct {
		name  string
		curve []float64
		want  float64
	}{
		{"elbow", []float64{1, 1.1, 1.2, 1.3, 1.4, 3, 6, 10}, 1.4},
		{"flat", []float64{2, 2, 2, 2}, 0},
		{"short", []float64{1, 2}, 0},
		{"straight line", []float64{1, 2, 3, 4}, 1},
	} {
		if got := SuggestEps(tc.curve); got != tc.want {
			t.Errorf("%s: got %g, want %g", tc.name, got, tc.want)
		}
	}
}

func TestDBSCANErrorsAndNoise(t *testing.T) {
	x := mat.NewDense(6, 1, []float64{0, 0.1, 0.2, 5, 5.1, 20})
	if _, err := FitDBSCAN(x, 0, 2); err == nil {
		t.Error("eps 0: no error")
	}
	if _, err := FitDBSCAN(x, 1, 0); err == nil {
		t.Error("min_samples 0: no error")
	}
	db, err := FitDBSCAN(x, 0.5, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []int{0, 0, 0, 1, 1, Noise}
	if !equalInts(db.Labels, want) || db.Clusters != 2 || db.Noise != 1 {
		t.Errorf("got %+v, want labels %v, 2 clusters, 1 noise", db, want)
	}
}
