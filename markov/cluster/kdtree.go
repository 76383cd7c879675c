package cluster

import (
	"container/heap"
	"slices"
)

// leafSize is the most rows a k-d tree leaf holds.
const leafSize = 16

// kdTree is a k-d tree over the rows of p, for the neighbour searches of
// DBSCAN and the k-distances. Each node holds a contiguous range of idx
// (row numbers) and the bounding box of those rows; a node of more than
// leafSize rows is split at the median of its widest feature.
//
// Its answers are those of brute force, bit for bit: a point's distance is
// always sqDist(point, query), and a node is skipped only when its box
// distance, summed the way sqDist sums (four interleaved partial sums of
// non-negative squares, each no larger than the point's own, and
// floating-point addition is monotone), already exceeds the limit, so no
// point it holds could be within it.
type kdTree struct {
	p      points
	idx    []int
	nodes  []kdNode
	lo, hi []float64 // node n's box: lo[n*d:(n+1)*d], hi[n*d:(n+1)*d]
}

type kdNode struct {
	from, to    int
	left, right int  // -1 for a leaf
	same        bool // a leaf of identical rows (duplicates are common in behaviour vectors)
}

func newKDTree(p points) *kdTree {
	t := &kdTree{p: p, idx: make([]int, p.n)}
	for i := range t.idx {
		t.idx[i] = i
	}
	if p.n > 0 {
		t.build(0, p.n)
	}
	return t
}

// build adds the node of idx[from:to] (and its subtree) and returns its
// index.
func (t *kdTree) build(from, to int) int {
	d := t.p.d
	n := len(t.nodes)
	t.nodes = append(t.nodes, kdNode{from: from, to: to, left: -1, right: -1})
	lo, hi := slices.Clone(t.p.row(t.idx[from])), slices.Clone(t.p.row(t.idx[from]))
	for _, i := range t.idx[from+1 : to] {
		for j, v := range t.p.row(i) {
			lo[j], hi[j] = min(lo[j], v), max(hi[j], v)
		}
	}
	t.lo, t.hi = append(t.lo, lo...), append(t.hi, hi...)
	dim, spread := 0, 0.0
	for j := 0; j < d; j++ {
		if s := hi[j] - lo[j]; s > spread {
			dim, spread = j, s
		}
	}
	if spread == 0 {
		t.nodes[n].same = true
		return n
	}
	if to-from <= leafSize {
		return n
	}
	part := t.idx[from:to]
	slices.SortFunc(part, func(a, b int) int {
		va, vb := t.p.data[a*d+dim], t.p.data[b*d+dim]
		switch {
		case va < vb:
			return -1
		case va > vb:
			return 1
		}
		return a - b
	})
	mid := from + (to-from)/2
	left := t.build(from, mid)
	right := t.build(mid, to)
	t.nodes[n].left, t.nodes[n].right = left, right
	return n
}

// boxDist returns a lower bound of sqDist(q, x) for every row x in node
// n's box, summed as sqDist sums.
func (t *kdTree) boxDist(q []float64, n int) float64 {
	d := t.p.d
	lo, hi := t.lo[n*d:(n+1)*d], t.hi[n*d:(n+1)*d]
	gap := func(j int) float64 {
		switch {
		case q[j] < lo[j]:
			g := lo[j] - q[j]
			return g * g
		case q[j] > hi[j]:
			g := q[j] - hi[j]
			return g * g
		}
		return 0
	}
	var s0, s1, s2, s3 float64
	j := 0
	for ; j+4 <= d; j += 4 {
		s0 += gap(j)
		s1 += gap(j + 1)
		s2 += gap(j + 2)
		s3 += gap(j + 3)
	}
	for ; j < d; j++ {
		s0 += gap(j)
	}
	return (s0 + s1) + (s2 + s3)
}

// within calls f with every row x (in no particular order) such that
// sqDist(q, x) ≤ eps2 until f returns false.
func (t *kdTree) within(q []float64, eps2 float64, f func(i int) bool) {
	if len(t.nodes) > 0 {
		t.withinNode(q, eps2, 0, f)
	}
}

func (t *kdTree) withinNode(q []float64, eps2 float64, n int, f func(int) bool) bool {
	if t.boxDist(q, n) > eps2 {
		return true
	}
	nd := t.nodes[n]
	if nd.same { // one distance for all
		if sqDist(q, t.p.row(t.idx[nd.from])) > eps2 {
			return true
		}
		for _, i := range t.idx[nd.from:nd.to] {
			if !f(i) {
				return false
			}
		}
		return true
	}
	if nd.left < 0 {
		for _, i := range t.idx[nd.from:nd.to] {
			if sqDist(q, t.p.row(i)) <= eps2 && !f(i) {
				return false
			}
		}
		return true
	}
	return t.withinNode(q, eps2, nd.left, f) && t.withinNode(q, eps2, nd.right, f)
}

// maxHeap holds the k smallest squared distances seen, the largest on top.
type maxHeap []float64

func (h maxHeap) Len() int           { return len(h) }
func (h maxHeap) Less(i, j int) bool { return h[i] > h[j] }
func (h maxHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *maxHeap) Push(x any)        { *h = append(*h, x.(float64)) }
func (h *maxHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// kthNearest returns the k-th smallest sqDist(q, x) over the rows x
// (q's own row among them when q is a row); h is scratch space.
func (t *kdTree) kthNearest(q []float64, k int, h *maxHeap) float64 {
	*h = (*h)[:0]
	t.nearestNode(q, k, 0, h)
	return (*h)[0]
}

func (t *kdTree) nearestNode(q []float64, k, n int, h *maxHeap) {
	if len(*h) == k && t.boxDist(q, n) > (*h)[0] {
		return
	}
	nd := t.nodes[n]
	if nd.same { // one distance for all, at most k of them kept
		dd := sqDist(q, t.p.row(t.idx[nd.from]))
		for range min(nd.to-nd.from, k) {
			if !h.keep(dd, k) {
				break
			}
		}
		return
	}
	if nd.left < 0 {
		for _, i := range t.idx[nd.from:nd.to] {
			h.keep(sqDist(q, t.p.row(i)), k)
		}
		return
	}
	first, second := nd.left, nd.right
	if t.boxDist(q, second) < t.boxDist(q, first) {
		first, second = second, first
	}
	t.nearestNode(q, k, first, h)
	t.nearestNode(q, k, second, h)
}

// keep adds dd to h if it is among the k smallest so far, and reports
// whether it was.
func (h *maxHeap) keep(dd float64, k int) bool {
	switch {
	case len(*h) < k:
		heap.Push(h, dd)
	case dd < (*h)[0]:
		(*h)[0] = dd
		heap.Fix(h, 0)
	default:
		return false
	}
	return true
}
