package cluster

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Silhouette returns the mean silhouette of the rows of x labelled by
// labels (0..k−1), with Euclidean distances, exactly: O(n² d). It returns
// an error unless there are 2 to n−1 distinct labels.
func Silhouette(x *mat.Dense, labels []int) (float64, error) {
	p := newPoints(x)
	k, sizes, err := labelCounts(labels, p.n)
	if err != nil {
		return 0, err
	}
	if k < 2 || k > p.n-1 {
		return 0, fmt.Errorf("cluster: silhouette needs 2 to n−1 clusters, got %d for %d points", k, p.n)
	}
	w := len(sizes)
	sum := make([]float64, p.n*w) // sum[i*w+c]: distances from i to cluster c
	for i := 0; i < p.n; i++ {
		xi := p.row(i)
		for j := i + 1; j < p.n; j++ {
			dd := math.Sqrt(sqDist(xi, p.row(j)))
			sum[i*w+labels[j]] += dd
			sum[j*w+labels[i]] += dd
		}
	}
	total := 0.0
	for i := 0; i < p.n; i++ {
		own := labels[i]
		if sizes[own] <= 1 {
			continue
		}
		a := sum[i*w+own] / float64(sizes[own]-1)
		b := math.Inf(1)
		for c := 0; c < w; c++ {
			if c != own && sizes[c] > 0 {
				b = math.Min(b, sum[i*w+c]/float64(sizes[c]))
			}
		}
		if m := math.Max(a, b); m > 0 {
			total += (b - a) / m
		}
	}
	return total / float64(p.n), nil
}

// CalinskiHarabasz returns the Calinski–Harabasz score of the rows of x
// labelled by labels (0..k−1): [B/(k−1)] / [W/(n−k)] over the clusters'
// means; 1 when W is 0. It returns an error unless there are 2 to n−1
// distinct labels.
func CalinskiHarabasz(x *mat.Dense, labels []int) (float64, error) {
	p := newPoints(x)
	k, sizes, err := labelCounts(labels, p.n)
	if err != nil {
		return 0, err
	}
	if k < 2 || k > p.n-1 {
		return 0, fmt.Errorf("cluster: Calinski–Harabasz needs 2 to n−1 clusters, got %d for %d points", k, p.n)
	}
	width := len(sizes)
	mean := make([]float64, p.d)
	means := make([]float64, width*p.d)
	for i := 0; i < p.n; i++ {
		for j, v := range p.row(i) {
			mean[j] += v
			means[labels[i]*p.d+j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(p.n)
	}
	var between, within float64
	for c, s := range sizes {
		if s == 0 {
			continue
		}
		m := means[c*p.d : (c+1)*p.d]
		for j := range m {
			m[j] /= float64(s)
		}
		between += float64(s) * sqDist(m, mean)
	}
	for i := 0; i < p.n; i++ {
		within += sqDist(p.row(i), means[labels[i]*p.d:(labels[i]+1)*p.d])
	}
	if within == 0 {
		return 1, nil
	}
	return between * float64(p.n-k) / (within * float64(k-1)), nil
}

// labelCounts checks labels (one per point, each ≥ 0) and returns the
// number of distinct labels and the size of each label 0..max.
func labelCounts(labels []int, n int) (int, []int, error) {
	if len(labels) != n {
		return 0, nil, fmt.Errorf("cluster: %d labels for %d points", len(labels), n)
	}
	var sizes []int
	for i, l := range labels {
		if l < 0 {
			return 0, nil, fmt.Errorf("cluster: label %d of point %d is negative", l, i)
		}
		for len(sizes) <= l {
			sizes = append(sizes, 0)
		}
		sizes[l]++
	}
	k := 0
	for _, s := range sizes {
		if s > 0 {
			k++
		}
	}
	return k, sizes, nil
}

// AdjustedRand returns the adjusted Rand index of two labellings of the
// same points: 1 for the same partition (up to relabelling), about 0 for
// independent ones. It panics if the lengths differ.
func AdjustedRand(a, b []int) float64 {
	if len(a) != len(b) {
		panic("cluster: labellings of different lengths")
	}
	type pair struct{ a, b int }
	joint, ca, cb := map[pair]int{}, map[int]int{}, map[int]int{}
	for i := range a {
		joint[pair{a[i], b[i]}]++
		ca[a[i]]++
		cb[b[i]]++
	}
	c2 := func(n int) float64 { return float64(n) * float64(n-1) / 2 }
	var index, sa, sb float64
	for _, n := range joint {
		index += c2(n)
	}
	for _, n := range ca {
		sa += c2(n)
	}
	for _, n := range cb {
		sb += c2(n)
	}
	expected := sa * sb / c2(len(a))
	maxIndex := (sa + sb) / 2
	if maxIndex == expected {
		return 1
	}
	return (index - expected) / (maxIndex - expected)
}
