package cluster

import (
	"math"
	"runtime"
)

// treeDims is the most features for which FitDBSCAN searches
// neighbourhoods in a k-d tree; with more it scans every point (in
// parallel, each distance abandoned once its partial sum is past eps). In
// 20 dimensions a tree prunes almost nothing at the eps of the knee: on
// 30,000 behaviour vectors of synth.Shop DBSCAN took 37 s in the tree and
// 4.3 s scanning (scikit-learn's auto choice also scans above 15
// features).
const treeDims = 8

// dbscanScan is FitDBSCAN by scanning: core points (counting neighbours up
// to minSamples), the connected components of the core points (union-find,
// one per worker, merged: a partition does not depend on the order of its
// unions), numbered in the order of their first core point, and each
// border point in the reaching cluster of smallest number — the labels of
// growing the clusters one after the other.
func dbscanScan(p points, eps2 float64, minSamples int) *DBSCAN {
	over := math.Nextafter(eps2, math.Inf(1)) // a partial sum reaching it is past eps2
	near := func(i, j int) bool { return sqDistBelow(p.row(i), p.row(j), over) <= eps2 }
	blocks := (p.n + dbscanBlock - 1) / dbscanBlock
	span := func(blk int) (int, int) { return blk * dbscanBlock, min((blk+1)*dbscanBlock, p.n) }
	order, at := nearOrder(p)
	core := make([]bool, p.n)
	parallel(blocks, func(blk int) {
		from, to := span(blk)
		for i := from; i < to; i++ {
			count := 0
			for m := 0; m < p.n && count < minSamples; m++ {
				if near(i, order[(at[i]+m)%p.n]) {
					count++
				}
			}
			core[i] = count >= minSamples
		}
	})
	ufs := make([]unionFind, runtime.GOMAXPROCS(0))
	parallelWorkers(blocks, func(w, blk int) {
		if ufs[w] == nil {
			ufs[w] = newUnionFind(p.n)
		}
		uf := ufs[w]
		from, to := span(blk)
		for i := from; i < to; i++ {
			if !core[i] {
				continue
			}
			for j := 0; j < i; j++ {
				if core[j] && uf.find(i) != uf.find(j) && near(i, j) {
					uf.union(i, j)
				}
			}
		}
	})
	var uf unionFind
	for _, u := range ufs {
		switch {
		case u == nil:
		case uf == nil:
			uf = u
		default:
			for i := range u {
				uf.union(i, u.find(i))
			}
		}
	}
	if uf == nil {
		uf = newUnionFind(p.n)
	}
	d := &DBSCAN{Labels: make([]int, p.n)}
	label := make([]int, p.n) // by component root, from 1
	for i := range d.Labels {
		d.Labels[i] = Noise
		if !core[i] {
			continue
		}
		r := uf.find(i)
		if label[r] == 0 {
			d.Clusters++
			label[r] = d.Clusters
		}
		d.Labels[i] = label[r] - 1
	}
	parallel(blocks, func(blk int) {
		from, to := span(blk)
		for i := from; i < to; i++ {
			if core[i] {
				continue
			}
			for j := 0; j < p.n; j++ {
				if l := d.Labels[j]; core[j] && (d.Labels[i] == Noise || l < d.Labels[i]) && near(i, j) {
					d.Labels[i] = l
				}
			}
		}
	})
	for _, l := range d.Labels {
		if l == Noise {
			d.Noise++
		}
	}
	return d
}

// nearOrder returns the rows in the order of a k-d tree's leaves, and
// each row's place in it: a scan from a row's place meets its neighbours
// first, so a core point reaches its count soon.
func nearOrder(p points) (order, at []int) {
	order = newKDTree(p).idx
	at = make([]int, p.n)
	for pos, i := range order {
		at[i] = pos
	}
	return order, at
}

// unionFind is a disjoint-set forest over 0..n−1 (parent links, path
// halving).
type unionFind []int32

func newUnionFind(n int) unionFind {
	u := make(unionFind, n)
	for i := range u {
		u[i] = int32(i)
	}
	return u
}

func (u unionFind) find(i int) int {
	for int(u[i]) != i {
		u[i] = u[u[i]]
		i = int(u[i])
	}
	return i
}

func (u unionFind) union(a, b int) {
	ra, rb := u.find(a), u.find(b)
	if ra < rb {
		ra, rb = rb, ra
	}
	u[ra] = int32(rb)
}
