package cluster

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// Options tune k-means. Zero values take the defaults.
type Options struct {
	Restarts int     // seeded restarts, the best inertia kept (4 when 0)
	MaxIter  int     // Lloyd iterations per restart (300 when 0)
	Tol      float64 // relative centroid-shift tolerance (1e-4 when 0)
}

func (o Options) withDefaults() Options {
	if o.Restarts <= 0 {
		o.Restarts = 4
	}
	if o.MaxIter <= 0 {
		o.MaxIter = 300
	}
	if o.Tol <= 0 {
		o.Tol = 1e-4
	}
	return o
}

// KMeans is a k-means fit: the centroids (k × d), each point's label (its
// centroid's row), the inertia (sum of squared distances to the assigned
// centroids), the Lloyd iterations run and whether they converged.
type KMeans struct {
	Centroids *mat.Dense
	Labels    []int
	Inertia   float64
	Iter      int
	Converged bool
}

// points is a row-major copy-free view of a matrix.
type points struct {
	n, d int
	data []float64
}

func newPoints(x *mat.Dense) points {
	raw := x.RawMatrix()
	if raw.Stride == raw.Cols {
		return points{raw.Rows, raw.Cols, raw.Data[:raw.Rows*raw.Cols]}
	}
	c := mat.DenseCopyOf(x).RawMatrix()
	return points{c.Rows, c.Cols, c.Data}
}

func (p points) row(i int) []float64 { return p.data[i*p.d : (i+1)*p.d] }

func sqDist(a, b []float64) float64 {
	var s float64
	for j, v := range a {
		dv := v - b[j]
		s += dv * dv
	}
	return s
}

// Fit runs k-means on the rows of x: Restarts times k-means++ seeding
// from src and Lloyd's iterations, keeping the fit of least inertia (the
// first on ties). It returns an error when k < 1 or x has fewer than k
// rows.
func Fit(x *mat.Dense, k int, o Options, src rand.Source) (*KMeans, error) {
	n, _ := x.Dims()
	if k < 1 || n < k {
		return nil, fmt.Errorf("cluster: k = %d with %d points", k, n)
	}
	o = o.withDefaults()
	var best *KMeans
	for r := 0; r < o.Restarts; r++ {
		km := Lloyd(x, Seed(x, k, src), o)
		if best == nil || km.Inertia < best.Inertia {
			best = km
		}
	}
	return best, nil
}

// Seed returns k initial centroids drawn from the rows of x by greedy
// k-means++: the first uniformly, each next one the best (least total
// squared distance) of 2 + ⌊ln k⌋ rows drawn with probability
// proportional to their squared distance to the nearest centroid so far.
// It panics if x has fewer than k rows.
func Seed(x *mat.Dense, k int, src rand.Source) *mat.Dense {
	p := newPoints(x)
	if p.n < k || k < 1 {
		panic("cluster: fewer points than k")
	}
	rnd := rand.New(src)
	trials := 2 + int(math.Log(float64(k)))
	c := mat.NewDense(k, p.d, nil)
	first := rnd.IntN(p.n)
	c.SetRow(0, p.row(first))
	closest := make([]float64, p.n)
	for i := range closest {
		closest[i] = sqDist(p.row(i), p.row(first))
	}
	cand, best := make([]float64, p.n), make([]float64, p.n)
	cum := make([]float64, p.n)
	for ci := 1; ci < k; ci++ {
		s := 0.0
		for i, v := range closest {
			s += v
			cum[i] = s
		}
		bestIdx, bestPot := -1, math.Inf(1)
		for t := 0; t < trials; t++ {
			idx := searchCum(cum, rnd.Float64()*s)
			cp := 0.0
			for i := range cand {
				cand[i] = math.Min(closest[i], sqDist(p.row(i), p.row(idx)))
				cp += cand[i]
			}
			if cp < bestPot {
				bestIdx, bestPot = idx, cp
				copy(best, cand)
			}
		}
		c.SetRow(ci, p.row(bestIdx))
		copy(closest, best)
	}
	return c
}

// searchCum returns the first index whose cumulative sum exceeds r (the
// last index when none does).
func searchCum(cum []float64, r float64) int {
	lo, hi := 0, len(cum)-1
	for lo < hi {
		m := (lo + hi) / 2
		if cum[m] > r {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// Lloyd runs Lloyd's iterations on the rows of x from the centroids init
// (k × d, not modified) until no label changes, the centroids move by at
// most Tol times the mean per-feature variance of x (Σ‖Δc‖²), or MaxIter.
// A cluster left empty takes the point farthest from its centroid. The
// labels returned are those of the final centroids. It panics if init has
// not the columns of x.
func Lloyd(x *mat.Dense, init *mat.Dense, o Options) *KMeans {
	o = o.withDefaults()
	p := newPoints(x)
	k, d := init.Dims()
	if d != p.d {
		panic("cluster: init columns != x columns")
	}
	tol := o.Tol * meanVariance(p)
	cur := mat.DenseCopyOf(init)
	labels, old := make([]int, p.n), make([]int, p.n)
	for i := range old {
		old[i] = -1
	}
	dist := make([]float64, p.n)
	km := &KMeans{}
	strict := false
	for it := 0; it < o.MaxIter; it++ {
		km.Iter = it + 1
		sums, counts := assign(p, cur, labels, dist, true)
		next := mat.NewDense(k, d, nil)
		relocateEmpty(p, labels, dist, sums, counts)
		for c := 0; c < k; c++ {
			row := next.RawRowView(c)
			for j := range row {
				row[j] = sums[c*d+j] / float64(counts[c])
			}
		}
		shift := 0.0
		for c := 0; c < k; c++ {
			shift += sqDist(cur.RawRowView(c), next.RawRowView(c))
		}
		cur = next
		if equalInts(labels, old) {
			strict, km.Converged = true, true
			break
		}
		if shift <= tol {
			km.Converged = true
			break
		}
		copy(old, labels)
	}
	if !strict {
		assign(p, cur, labels, dist, false)
	}
	km.Centroids, km.Labels = cur, labels
	for i := 0; i < p.n; i++ {
		km.Inertia += sqDist(p.row(i), cur.RawRowView(labels[i]))
	}
	return km
}

func meanVariance(p points) float64 {
	if p.n == 0 || p.d == 0 {
		return 0
	}
	total := 0.0
	for j := 0; j < p.d; j++ {
		m := 0.0
		for i := 0; i < p.n; i++ {
			m += p.data[i*p.d+j]
		}
		m /= float64(p.n)
		v := 0.0
		for i := 0; i < p.n; i++ {
			dv := p.data[i*p.d+j] - m
			v += dv * dv
		}
		total += v / float64(p.n)
	}
	return total / float64(p.d)
}

func equalInts(a, b []int) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// block is the number of rows one worker assigns at a time; partial sums
// are added in block order, so results do not depend on GOMAXPROCS.
const block = 4096

// assign labels every point with its nearest centroid (the first on ties),
// fills dist with the squared distances and, with sums, returns the
// per-centroid sums of the points (k × d, row-major) and counts.
func assign(p points, c *mat.Dense, labels []int, dist []float64, sums bool) ([]float64, []int) {
	k, d := c.Dims()
	nb := (p.n + block - 1) / block
	type part struct {
		sums   []float64
		counts []int
	}
	parts := make([]part, nb)
	cent := c.RawMatrix()
	work := func(b int) {
		lo, hi := b*block, min((b+1)*block, p.n)
		var pt part
		if sums {
			pt = part{make([]float64, k*d), make([]int, k)}
		}
		for i := lo; i < hi; i++ {
			x := p.row(i)
			bi, bd := 0, math.Inf(1)
			for ci := 0; ci < k; ci++ {
				if dd := sqDist(x, cent.Data[ci*cent.Stride:ci*cent.Stride+d]); dd < bd {
					bi, bd = ci, dd
				}
			}
			labels[i], dist[i] = bi, bd
			if sums {
				s := pt.sums[bi*d : (bi+1)*d]
				for j, v := range x {
					s[j] += v
				}
				pt.counts[bi]++
			}
		}
		parts[b] = pt
	}
	workers := min(runtime.GOMAXPROCS(0), nb)
	if workers <= 1 {
		for b := 0; b < nb; b++ {
			work(b)
		}
	} else {
		var wg sync.WaitGroup
		next := make(chan int)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for b := range next {
					work(b)
				}
			}()
		}
		for b := 0; b < nb; b++ {
			next <- b
		}
		close(next)
		wg.Wait()
	}
	if !sums {
		return nil, nil
	}
	total, counts := make([]float64, k*d), make([]int, k)
	for _, pt := range parts {
		for j, v := range pt.sums {
			total[j] += v
		}
		for j, v := range pt.counts {
			counts[j] += v
		}
	}
	return total, counts
}

// relocateEmpty gives each empty cluster the point farthest from its
// centroid (farthest first, each point once), moving it out of its
// cluster's sums.
func relocateEmpty(p points, labels []int, dist, sums []float64, counts []int) {
	var empty []int
	for c, n := range counts {
		if n == 0 {
			empty = append(empty, c)
		}
	}
	if len(empty) == 0 {
		return
	}
	taken := map[int]bool{}
	for _, c := range empty {
		far := -1
		for i := range dist {
			if !taken[i] && counts[labels[i]] > 1 && (far < 0 || dist[i] > dist[far]) {
				far = i
			}
		}
		if far < 0 {
			continue
		}
		taken[far] = true
		x, from := p.row(far), labels[far]
		for j, v := range x {
			sums[from*p.d+j] -= v
			sums[c*p.d+j] = v
		}
		counts[from]--
		counts[c] = 1
		labels[far], dist[far] = c, 0
	}
}
