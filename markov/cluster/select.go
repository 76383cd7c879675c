package cluster

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// ExactSilhouette is the most points whose silhouette Choose computes
// exactly; above it, on a seeded sample of this many points.
const ExactSilhouette = 2000

// Score is how well one k fits.
type Score struct {
	K                int     `json:"k"`
	Inertia          float64 `json:"inertia"`
	Silhouette       float64 `json:"silhouette"`
	CalinskiHarabasz float64 `json:"calinski_harabasz"`
}

// Selection is k-means over a range of k: the score of each k, the fit of
// each, and the chosen one (the highest silhouette, the smaller k on
// ties). Sampled says whether the silhouettes were computed on a seeded
// sample of SampleSize points rather than on every point.
type Selection struct {
	Scores     []Score
	Fits       []*KMeans
	Best       int // index into Scores and Fits
	Sampled    bool
	SampleSize int
}

// Choose fits k-means for every k in [kmin, kmax] (Fit with o and src)
// and scores each. It returns an error when kmin < 2, kmax < kmin or x has
// kmax or fewer rows.
func Choose(x *mat.Dense, kmin, kmax int, o Options, src rand.Source) (*Selection, error) {
	n, _ := x.Dims()
	if kmin < 2 || kmax < kmin {
		return nil, fmt.Errorf("cluster: k range %d-%d (k from 2)", kmin, kmax)
	}
	if n <= kmax {
		return nil, fmt.Errorf("cluster: %d points for k up to %d", n, kmax)
	}
	sel := &Selection{SampleSize: n}
	var sample []int
	xs := x
	if n > ExactSilhouette {
		sample = rand.New(src).Perm(n)[:ExactSilhouette]
		slices.Sort(sample)
		xs = mat.NewDense(len(sample), x.RawMatrix().Cols, nil)
		for r, i := range sample {
			xs.SetRow(r, x.RawRowView(i))
		}
		sel.Sampled, sel.SampleSize = true, len(sample)
	}
	for k := kmin; k <= kmax; k++ {
		km, err := Fit(x, k, o, src)
		if err != nil {
			return nil, err
		}
		ch, err := CalinskiHarabasz(x, km.Labels)
		if err != nil {
			ch = 0 // fewer than 2 clusters: identical points
		}
		labels := km.Labels
		if sample != nil {
			labels = make([]int, len(sample))
			for r, i := range sample {
				labels[r] = km.Labels[i]
			}
		}
		sil, err := Silhouette(xs, labels)
		if err != nil {
			sil = 0 // the sample holds one cluster only
		}
		sel.Scores = append(sel.Scores, Score{K: k, Inertia: km.Inertia, Silhouette: sil, CalinskiHarabasz: ch})
		sel.Fits = append(sel.Fits, km)
		if sil > sel.Scores[sel.Best].Silhouette {
			sel.Best = len(sel.Scores) - 1
		}
	}
	return sel, nil
}
