package cluster

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// bruteDBSCAN is FitDBSCAN with every pair's distance computed, the
// reference of TestDBSCANTreeEqualsBruteForce (FitDBSCAN before its k-d
// tree).
func bruteDBSCAN(x *mat.Dense, eps float64, minSamples int) []int {
	p := newPoints(x)
	neighbours := make([][]int, p.n)
	for i := 0; i < p.n; i++ {
		neighbours[i] = append(neighbours[i], i)
		for j := i + 1; j < p.n; j++ {
			if math.Sqrt(sqDist(p.row(i), p.row(j))) <= eps { // a neighbour: distance at most eps
				neighbours[i] = append(neighbours[i], j)
				neighbours[j] = append(neighbours[j], i)
			}
		}
	}
	labels := make([]int, p.n)
	for i := range labels {
		labels[i] = Noise
	}
	clusters := 0
	var stack []int
	for i := 0; i < p.n; i++ {
		if labels[i] != Noise || len(neighbours[i]) < minSamples {
			continue
		}
		stack = append(stack[:0], i)
		for len(stack) > 0 {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if labels[j] != Noise {
				continue
			}
			labels[j] = clusters
			if len(neighbours[j]) >= minSamples {
				for _, k := range neighbours[j] {
					if labels[k] == Noise {
						stack = append(stack, k)
					}
				}
			}
		}
		clusters++
	}
	return labels
}

// bruteKDistances is KDistances with every pair's distance computed.
func bruteKDistances(x *mat.Dense, k int) []float64 {
	out := bruteKDistancesAll(x, k)
	slices.Sort(out)
	return out
}

// bruteKDistancesAll is each point's k-distance, in row order.
func bruteKDistancesAll(x *mat.Dense, k int) []float64 {
	p := newPoints(x)
	out := make([]float64, p.n)
	row := make([]float64, p.n)
	for i := 0; i < p.n; i++ {
		for j := 0; j < p.n; j++ {
			row[j] = sqDist(p.row(i), p.row(j))
		}
		row[i] = 0
		out[i] = math.Sqrt(quickSelect(row, k-1))
	}
	return out
}

// quickSelect returns the k-th smallest (from 0) of v, reordering v.
func quickSelect(v []float64, k int) float64 {
	lo, hi := 0, len(v)-1
	for lo < hi {
		pivot := v[(lo+hi)/2]
		i, j := lo, hi
		for i <= j {
			for v[i] < pivot {
				i++
			}
			for v[j] > pivot {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	return v[k]
}

// TestDBSCANTreeEqualsBruteForce: the k-d tree finds the neighbours brute
// force finds, so the k-distances and the labels are the same, with
// distances at exactly eps (integer grids), duplicated points, a
// constant feature and 20 features.
func TestDBSCANTreeEqualsBruteForce(t *testing.T) {
	rnd := rand.New(rand.NewPCG(15, 15))
	gauss := func(n, d, groups int) *mat.Dense {
		x := mat.NewDense(n, d, nil)
		for i := 0; i < n; i++ {
			g := float64(rnd.IntN(groups))
			for j := 0; j < d; j++ {
				x.Set(i, j, 3*g*float64(j%2)+rnd.NormFloat64())
			}
		}
		return x
	}
	grid := func(n, d, side int) *mat.Dense {
		x := mat.NewDense(n, d, nil)
		for i := 0; i < n; i++ {
			for j := 0; j < d; j++ {
				x.Set(i, j, float64(rnd.IntN(side)))
			}
		}
		return x
	}
	repeat := func(x *mat.Dense, times int) *mat.Dense {
		n, d := x.Dims()
		y := mat.NewDense(n*times, d, nil)
		for i := 0; i < n*times; i++ {
			y.SetRow(i, x.RawRowView((i*7)%n)) // interleaved copies
		}
		return y
	}
	constant := gauss(600, 4, 3)
	for i := 0; i < 600; i++ {
		constant.Set(i, 2, 1.5)
	}
	for _, tc := range []struct {
		name       string
		x          *mat.Dense
		eps        []float64
		minSamples int
	}{
		{"gaussian groups, 2 features", gauss(1200, 2, 3), []float64{0.1, 0.3, 1}, 5},
		{"grid, ties at exactly eps", grid(1500, 3, 10), []float64{1, 2, math.Sqrt(2), 3}, 6},
		{"grid, 1 feature", grid(400, 1, 40), []float64{1, 2}, 4},
		{"duplicates", repeat(gauss(300, 3, 2), 4), []float64{0.05, 0.4}, 4},
		{"duplicates on a grid", repeat(grid(200, 2, 6), 3), []float64{1, 1.5}, 7},
		{"many copies of few points", repeat(gauss(30, 3, 2), 40), []float64{0.3, 1}, 10},
		{"all the same point", repeat(mat.NewDense(1, 3, []float64{1, 2, 3}), 50), []float64{0.5}, 10},
		{"a constant feature", constant, []float64{0.5, 1}, 8},
		{"20 features", gauss(1500, 20, 4), []float64{3, 4.5, 6}, 40},
		{"one point", mat.NewDense(1, 2, []float64{1, 1}), []float64{1}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, _ := tc.x.Dims()
			for _, k := range []int{1, min(tc.minSamples, n), n} {
				got, want := KDistances(tc.x, k), bruteKDistances(tc.x, k)
				if !slices.Equal(got, want) {
					t.Errorf("k-distances k=%d: got %v…, want %v…", k, got[:min(5, n)], want[:min(5, n)])
				}
			}
			if n > 3 {
				rows := []int{n - 1, 0, n / 2}
				got, all := kDistancesOf(tc.x, rows, tc.minSamples), bruteKDistancesAll(tc.x, tc.minSamples)
				want := []float64{all[n-1], all[0], all[n/2]}
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("k-distances of rows %v: got %v, want %v", rows, got, want)
				}
			}
			for _, eps := range tc.eps {
				db, err := FitDBSCAN(tc.x, eps, tc.minSamples)
				if err != nil {
					t.Fatal(err)
				}
				want := bruteDBSCAN(tc.x, eps, tc.minSamples)
				if !slices.Equal(db.Labels, want) {
					t.Errorf("eps %g: labels differ from brute force (%d clusters, %d noise)", eps, db.Clusters, db.Noise)
				}
				if c := slices.Max(want) + 1; db.Clusters != c {
					t.Errorf("eps %g: %d clusters, want %d", eps, db.Clusters, c)
				}
			}
		})
	}
}

// TestSqBound: sqBound(eps) is the largest squared distance whose root is
// at most eps.
func TestSqBound(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	eps := []float64{1, 2, math.Sqrt(2), 1e-300, 1e150, math.SmallestNonzeroFloat64}
	for range 10000 {
		eps = append(eps, math.Exp(r.NormFloat64()*3))
	}
	for _, e := range eps {
		b := sqBound(e)
		if math.Sqrt(b) > e || math.Sqrt(math.Nextafter(b, math.Inf(1))) <= e {
			t.Fatalf("sqBound(%.17g) = %.17g: want the largest x with sqrt(x) <= eps", e, b)
		}
	}
}

// TestDBSCANKneeTie: two points whose distance is eps exactly (eps being
// the root of their squared distance, as at the knee of the k-distance
// curve) are neighbours, though eps*eps rounds below that squared
// distance; in the tree (few features) and in the scan (many).
func TestDBSCANKneeTie(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 9))
	// A squared distance whose root, squared again, rounds below it (a
	// float's own square never does: two coordinates are needed).
	var a, b, eps float64
	for range 1_000_000 {
		a, b = 1+r.Float64(), 1+r.Float64()
		if e := math.Sqrt(sqDist([]float64{0, 0}, []float64{a, b})); e*e < sqDist([]float64{0, 0}, []float64{a, b}) {
			eps = e
			break
		}
	}
	if eps == 0 {
		t.Fatal("no such pair found")
	}
	for _, d := range []int{2, treeDims + 1} {
		x := mat.NewDense(2, d, nil)
		x.Set(1, 0, a)
		x.Set(1, 1, b)
		db, err := FitDBSCAN(x, eps, 2)
		if err != nil {
			t.Fatal(err)
		}
		if db.Clusters != 1 || db.Noise != 0 {
			t.Errorf("%d features, eps %.17g (eps² %.17g): %d clusters, %d noise; want 1, 0", d, eps, eps*eps, db.Clusters, db.Noise)
		}
	}
}
