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

// sqDist returns ‖a − b‖² (b at least as long as a), summed in four
// interleaved partial sums.
func sqDist(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	j := 0
	for ; j+4 <= len(a); j += 4 {
		d0, d1, d2, d3 := a[j]-b[j], a[j+1]-b[j+1], a[j+2]-b[j+2], a[j+3]-b[j+3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; j < len(a); j++ {
		d := a[j] - b[j]
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// sqDistBelow returns sqDist(a, b) when it is under limit, else some value
// at least limit: it stops summing once the partial sum reaches limit
// (partial sums of squares only grow, in floating point too, and are
// summed as in sqDist, so a value returned under limit is sqDist's).
func sqDistBelow(a, b []float64, limit float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	j := 0
	for ; j+4 <= len(a); j += 4 {
		d0, d1, d2, d3 := a[j]-b[j], a[j+1]-b[j+1], a[j+2]-b[j+2], a[j+3]-b[j+3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
		if (s0+s1)+(s2+s3) >= limit {
			return (s0 + s1) + (s2 + s3)
		}
	}
	for ; j < len(a); j++ {
		d := a[j] - b[j]
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// Fit runs k-means on the rows of x: Restarts times k-means++ seeding
// from src and Lloyd's iterations, keeping the fit of least inertia (the
// first on ties). The seeds are drawn in turn; the restarts run on
// GOMAXPROCS goroutines. It returns an error when k < 1 or x has fewer than k
// rows.
func Fit(x *mat.Dense, k int, o Options, src rand.Source) (*KMeans, error) {
	n, _ := x.Dims()
	if k < 1 || n < k {
		return nil, fmt.Errorf("cluster: k = %d with %d points", k, n)
	}
	o = o.withDefaults()
	p := newPoints(x)
	tol := o.Tol * meanVariance(p)
	// The seeds are drawn one after the other from src, then the
	// restarts run in parallel: the same fits as one after the other.
	seeds := make([]*mat.Dense, o.Restarts)
	for r := range seeds {
		seeds[r] = Seed(x, k, src)
	}
	fits := make([]*KMeans, o.Restarts)
	parallel(o.Restarts, func(r int) { fits[r] = lloyd(p, seeds[r], o, tol) })
	best := fits[0]
	for _, km := range fits[1:] {
		if km.Inertia < best.Inertia {
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
			ci := p.row(idx)
			for i, c := range closest {
				// min(c, sqDist): a sum that reaches c need not finish.
				if dd := sqDistBelow(p.row(i), ci, c); dd < c {
					c = dd
				}
				cand[i] = c
				cp += c
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
// labels returned are those of the final centroids. Each assignment skips
// the points that bounds prove cannot change cluster (Hamerly's bounds: the
// result is Lloyd's). It panics if init has not the columns of x.
func Lloyd(x *mat.Dense, init *mat.Dense, o Options) *KMeans {
	o = o.withDefaults()
	p := newPoints(x)
	return lloyd(p, init, o, o.Tol*meanVariance(p))
}

// lloyd is Lloyd with the absolute tolerance tol.
func lloyd(p points, init *mat.Dense, o Options, tol float64) *KMeans {
	k, d := init.Dims()
	if d != p.d {
		panic("cluster: init columns != x columns")
	}
	cur := mat.DenseCopyOf(init)
	b := newBounds(p.n)
	old := make([]int, p.n)
	for i := range old {
		old[i] = -1
	}
	km := &KMeans{}
	strict := false
	move := make([]float64, k)
	for it := 0; it < o.MaxIter; it++ {
		km.Iter = it + 1
		b.assign(p, cur, it == 0)
		sums, counts := centroidSums(p, b.labels, k)
		relocateEmpty(p, cur, b, sums, counts)
		next := mat.NewDense(k, d, nil)
		shift := 0.0
		for c := 0; c < k; c++ {
			row := next.RawRowView(c)
			for j := range row {
				row[j] = sums[c*d+j] / float64(counts[c])
			}
			sq := sqDist(cur.RawRowView(c), row)
			shift += sq
			move[c] = math.Sqrt(sq)
		}
		cur = next
		if equalInts(b.labels, old) {
			strict, km.Converged = true, true
			break
		}
		b.moved(move)
		if shift <= tol {
			km.Converged = true
			break
		}
		copy(old, b.labels)
	}
	if !strict {
		b.assign(p, cur, false)
	}
	km.Centroids, km.Labels = cur, b.labels
	for i := 0; i < p.n; i++ {
		km.Inertia += sqDist(p.row(i), cur.RawRowView(b.labels[i]))
	}
	return km
}

// bounds are each point's label, an upper bound on the distance to its
// centroid and a lower bound on the distance to any other centroid.
type bounds struct {
	labels       []int
	upper, lower []float64
}

func newBounds(n int) *bounds {
	return &bounds{labels: make([]int, n), upper: make([]float64, n), lower: make([]float64, n)}
}

// block is the number of rows one worker assigns at a time.
const block = 4096

// assign labels every point with its nearest centroid (the first on
// ties): with full, by computing every distance; else only for the points
// whose bounds do not rule out a change.
func (b *bounds) assign(p points, c *mat.Dense, full bool) {
	k, d := c.Dims()
	cent := c.RawMatrix()
	crow := func(ci int) []float64 { return cent.Data[ci*cent.Stride : ci*cent.Stride+d] }
	half := make([]float64, k) // half the distance to the nearest other centroid
	for ci := range half {
		half[ci] = math.Inf(1)
		for cj := 0; cj < k; cj++ {
			if cj != ci {
				half[ci] = math.Min(half[ci], math.Sqrt(sqDist(crow(ci), crow(cj)))/2)
			}
		}
	}
	nearest := func(i int, x []float64) {
		bi, bd, sd := 0, math.Inf(1), math.Inf(1)
		for ci := 0; ci < k; ci++ {
			dd := sqDistBelow(x, crow(ci), sd)
			if dd < bd {
				bi, bd, sd = ci, dd, bd
			} else if dd < sd {
				sd = dd
			}
		}
		b.labels[i], b.upper[i], b.lower[i] = bi, math.Sqrt(bd), math.Sqrt(sd)
	}
	work := func(blk int) {
		for i := blk * block; i < min((blk+1)*block, p.n); i++ {
			x := p.row(i)
			if full {
				nearest(i, x)
				continue
			}
			m := math.Max(half[b.labels[i]], b.lower[i])
			if b.upper[i] <= m {
				continue
			}
			b.upper[i] = math.Sqrt(sqDist(x, crow(b.labels[i])))
			if b.upper[i] > m {
				nearest(i, x)
			}
		}
	}
	parallel((p.n+block-1)/block, work)
}

// moved updates the bounds after centroid c moved by move[c].
func (b *bounds) moved(move []float64) {
	r, first, second := 0, math.Inf(-1), 0.0
	for c, m := range move {
		if m > first {
			r, first, second = c, m, first
		} else if m > second {
			second = m
		}
	}
	if len(move) == 1 {
		second = 0
	}
	for i, l := range b.labels {
		b.upper[i] += move[l]
		if l == r {
			b.lower[i] -= second
		} else {
			b.lower[i] -= first
		}
	}
}

// parallel runs work(0..n-1) on GOMAXPROCS goroutines.
func parallel(n int, work func(int)) {
	parallelWorkers(n, func(_, i int) { work(i) })
}

// parallelWorkers runs work(w, 0..n-1) on min(GOMAXPROCS, n) goroutines,
// w (from 0) saying which goroutine runs it.
func parallelWorkers(n int, work func(w, i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			work(0, i)
		}
		return
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				work(w, i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// centroidSums returns the per-centroid sums of the points (k × d,
// row-major) and counts. Each block of rows is summed in row order on its
// own (in parallel), then the blocks' sums are added in block order, so
// the result does not depend on the number of workers (and, up to one
// block, is the plain sum in point order).
func centroidSums(p points, labels []int, k int) ([]float64, []int) {
	nb := (p.n + block - 1) / block
	if nb <= 1 {
		return blockSums(p, labels, k, 0, p.n, make([]float64, k*p.d), make([]int, k))
	}
	part, partN := make([]float64, nb*k*p.d), make([]int, nb*k)
	parallel(nb, func(blk int) {
		blockSums(p, labels, k, blk*block, min((blk+1)*block, p.n),
			part[blk*k*p.d:(blk+1)*k*p.d], partN[blk*k:(blk+1)*k])
	})
	sums, counts := part[:k*p.d], partN[:k]
	for blk := 1; blk < nb; blk++ {
		for j, v := range part[blk*k*p.d : (blk+1)*k*p.d] {
			sums[j] += v
		}
		for c, v := range partN[blk*k : (blk+1)*k] {
			counts[c] += v
		}
	}
	return sums, counts
}

// blockSums adds the rows from..to−1 into sums and counts by label.
func blockSums(p points, labels []int, k, from, to int, sums []float64, counts []int) ([]float64, []int) {
	for i := from; i < to; i++ {
		l := labels[i]
		s := sums[l*p.d : (l+1)*p.d]
		for j, v := range p.row(i) {
			s[j] += v
		}
		counts[l]++
	}
	return sums, counts
}

// relocateEmpty gives each empty cluster the point farthest from its
// centroid c (farthest first, each point once, never the last point of a
// cluster), moving it out of its cluster's sums.
func relocateEmpty(p points, c *mat.Dense, b *bounds, sums []float64, counts []int) {
	var empty []int
	for ci, n := range counts {
		if n == 0 {
			empty = append(empty, ci)
		}
	}
	if len(empty) == 0 {
		return
	}
	dist := make([]float64, p.n)
	for i, l := range b.labels {
		dist[i] = sqDist(p.row(i), c.RawRowView(l))
	}
	taken := map[int]bool{}
	for _, ci := range empty {
		far := -1
		for i := range dist {
			if !taken[i] && counts[b.labels[i]] > 1 && (far < 0 || dist[i] > dist[far]) {
				far = i
			}
		}
		if far < 0 {
			continue
		}
		taken[far] = true
		x, from := p.row(far), b.labels[far]
		for j, v := range x {
			sums[from*p.d+j] -= v
			sums[ci*p.d+j] = v
		}
		counts[from]--
		counts[ci] = 1
		// Its centroid will be the point itself: distance 0, and no bound
		// on the others (it is recomputed at the next assignment).
		b.labels[far], b.upper[far], b.lower[far] = ci, 0, 0
	}
}

// meanVariance returns the mean over the features of their variance
// (divided by n). It reads the rows in memory order: two passes, the sums
// of each feature taken in row order.
func meanVariance(p points) float64 {
	if p.n == 0 || p.d == 0 {
		return 0
	}
	mean, v := make([]float64, p.d), make([]float64, p.d)
	for i := 0; i < p.n; i++ {
		for j, x := range p.row(i) {
			mean[j] += x
		}
	}
	for j := range mean {
		mean[j] /= float64(p.n)
	}
	for i := 0; i < p.n; i++ {
		for j, x := range p.row(i) {
			dv := x - mean[j]
			v[j] += dv * dv
		}
	}
	total := 0.0
	for _, vj := range v {
		total += vj / float64(p.n)
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
