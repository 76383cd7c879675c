package cluster

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Noise is the DBSCAN label of a point in no cluster.
const Noise = -1

// DBSCAN is a density-based clustering: each point's label (0, 1, ... in
// the order of the clusters' first core point, or Noise), the number of
// clusters and of noise points.
type DBSCAN struct {
	Labels   []int
	Clusters int
	Noise    int
}

// FitDBSCAN clusters the rows of x: a point is core when at least
// minSamples points (itself included) lie within eps of it (Euclidean,
// distance ≤ eps); clusters are the core points connected through each
// other's neighbourhoods, with the non-core points they reach (a border
// point joins the first cluster, by its first core point, that reaches
// it); the rest is noise. The neighbourhoods are found by brute force,
// O(n² d). It returns an error unless eps > 0 and minSamples ≥ 1.
func FitDBSCAN(x *mat.Dense, eps float64, minSamples int) (*DBSCAN, error) {
	if !(eps > 0) || math.IsInf(eps, 1) {
		return nil, fmt.Errorf("cluster: eps %g is not positive", eps)
	}
	if minSamples < 1 {
		return nil, fmt.Errorf("cluster: min_samples %d is under 1", minSamples)
	}
	p := newPoints(x)
	eps2 := eps * eps
	neighbours := make([][]int, p.n)
	for i := 0; i < p.n; i++ {
		neighbours[i] = append(neighbours[i], i)
		for j := i + 1; j < p.n; j++ {
			if sqDist(p.row(i), p.row(j)) <= eps2 {
				neighbours[i] = append(neighbours[i], j)
				neighbours[j] = append(neighbours[j], i)
			}
		}
	}
	d := &DBSCAN{Labels: make([]int, p.n)}
	for i := range d.Labels {
		d.Labels[i] = Noise
	}
	var stack []int
	for i := 0; i < p.n; i++ {
		if d.Labels[i] != Noise || len(neighbours[i]) < minSamples {
			continue
		}
		stack = append(stack[:0], i)
		for len(stack) > 0 {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if d.Labels[j] != Noise {
				continue
			}
			d.Labels[j] = d.Clusters
			if len(neighbours[j]) >= minSamples {
				for _, k := range neighbours[j] {
					if d.Labels[k] == Noise {
						stack = append(stack, k)
					}
				}
			}
		}
		d.Clusters++
	}
	for _, l := range d.Labels {
		if l == Noise {
			d.Noise++
		}
	}
	return d, nil
}

// KDistances returns, sorted ascending, each point's distance to its k-th
// nearest point counting itself as the first (k = minSamples makes the
// points whose value is ≤ eps the core points of FitDBSCAN). It panics
// unless 1 ≤ k ≤ the number of rows.
func KDistances(x *mat.Dense, k int) []float64 {
	p := newPoints(x)
	if k < 1 || k > p.n {
		panic("cluster: k out of range for KDistances")
	}
	out := make([]float64, p.n)
	row := make([]float64, p.n)
	for i := 0; i < p.n; i++ {
		for j := 0; j < p.n; j++ {
			row[j] = sqDist(p.row(i), p.row(j))
		}
		row[i] = 0
		out[i] = math.Sqrt(quickSelect(row, k-1))
	}
	slices.Sort(out)
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

// SuggestEps returns the knee of a k-distance curve (sorted ascending):
// the value farthest below the straight line from its first to its last
// point, where the distances start to climb. It returns 0 for fewer than 3
// values or a flat curve.
func SuggestEps(curve []float64) float64 {
	n := len(curve)
	if n < 3 || curve[n-1] == curve[0] {
		return 0
	}
	x0, y0 := 0.0, curve[0]
	dx, dy := float64(n-1), curve[n-1]-curve[0]
	norm := math.Hypot(dx, dy)
	best, bestGap := 0, -1.0
	for i, y := range curve {
		// distance below the chord (positive under it)
		gap := (dy*(float64(i)-x0) - dx*(y-y0)) / norm
		if gap > bestGap {
			best, bestGap = i, gap
		}
	}
	return curve[best]
}
