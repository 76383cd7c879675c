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

// SelectionSample is the most points Choose fits every k on. Above it, k
// is chosen on a seeded sample of this many points and only the chosen k
// is fitted on every point, warm-started from the sample's centroids.
//
// Why 50,000: the fit of every k with its restarts is the bulk of the work
// (9 k × 4 restarts for k = 2..10), so it must not grow with the
// population; 50,000 rows still give the smallest cluster worth a segment
// (a share of 1%) 500 members in the sample, so its centroid is estimated
// within a few hundredths of a standard deviation, while the choice of k
// rests on a 2,000-point silhouette anyway. The full fit then only
// refines centroids that are already close, in a few Lloyd iterations.
const SelectionSample = 50_000

// Score is how well one k fits.
type Score struct {
	K                int     `json:"k"`
	Inertia          float64 `json:"inertia"`
	Silhouette       float64 `json:"silhouette"`
	CalinskiHarabasz float64 `json:"calinski_harabasz"`
}

// Selection is k-means over a range of k: the score of each k, the fit of
// each, the chosen one (the highest silhouette, the smaller k on ties) and
// its fit on every point.
//
// With at most SelectionSample points, every k is fitted on every point:
// Fits[Best] is Model and Scores are of every point. With more, Sample
// holds the rows (ascending) of the seeded sample every k was fitted and
// scored on (Fits' labels are those of the sample's rows), and Model is
// the chosen k fitted on every point from Fits[Best]'s centroids; Full is
// its score on every point (its silhouette on the silhouette sample).
//
// Sampled says whether the silhouettes were computed on a seeded sample of
// SampleSize points rather than on every point (of the selection sample,
// when there is one).
type Selection struct {
	Scores     []Score
	Fits       []*KMeans
	Best       int // index into Scores and Fits
	Sampled    bool
	SampleSize int
	Sample     []int
	Model      *KMeans
	Full       Score
}

// Choose fits k-means for every k in [kmin, kmax] (Fit with o) and scores
// each; see Selection for what it holds above SelectionSample points.
// Below, it draws from src as it always did, k after k; above, it draws
// the sample, then one seed per k, so every k runs on its own source (the
// k run in parallel and the result depends on the seed only, not on
// GOMAXPROCS). It returns an error when kmin < 2, kmax < kmin or x has
// kmax or fewer rows.
func Choose(x *mat.Dense, kmin, kmax int, o Options, src rand.Source) (*Selection, error) {
	n, _ := x.Dims()
	if kmin < 2 || kmax < kmin {
		return nil, fmt.Errorf("cluster: k range %d-%d (k from 2)", kmin, kmax)
	}
	if n <= kmax {
		return nil, fmt.Errorf("cluster: %d points for k up to %d", n, kmax)
	}
	if n > SelectionSample {
		return chooseSampled(x, kmin, kmax, o, src)
	}
	sel := &Selection{}
	xs, sample := silhouetteSample(x, rand.New(src), sel)
	for k := kmin; k <= kmax; k++ {
		km, err := Fit(x, k, o, src)
		if err != nil {
			return nil, err
		}
		sel.add(score(x, xs, sample, km, k), km)
	}
	sel.Model = sel.Fits[sel.Best]
	sel.Full = sel.Scores[sel.Best]
	return sel, nil
}

// chooseSampled is Choose above SelectionSample points.
func chooseSampled(x *mat.Dense, kmin, kmax int, o Options, src rand.Source) (*Selection, error) {
	rnd := rand.New(src)
	rows := rnd.Perm(x.RawMatrix().Rows)[:SelectionSample]
	slices.Sort(rows)
	xf := subset(x, rows)
	sel := &Selection{Sample: rows}
	xs, sil := silhouetteSample(xf, rnd, sel)
	nk := kmax - kmin + 1
	srcs := make([]rand.Source, nk)
	for i := range srcs {
		srcs[i] = rand.NewPCG(rnd.Uint64(), rnd.Uint64())
	}
	fits, scores, errs := make([]*KMeans, nk), make([]Score, nk), make([]error, nk)
	// The largest k first: they take longest, so the workers end together.
	parallel(nk, func(j int) {
		i := nk - 1 - j
		k := kmin + i
		if fits[i], errs[i] = Fit(xf, k, o, srcs[i]); errs[i] == nil {
			scores[i] = score(xf, xs, sil, fits[i], k)
		}
	})
	for i := range fits {
		if errs[i] != nil {
			return nil, errs[i]
		}
		sel.add(scores[i], fits[i])
	}
	o = o.withDefaults()
	p := newPoints(x)
	sel.Model = lloyd(p, sel.Fits[sel.Best].Centroids, o, o.Tol*meanVariance(p))
	full := make([]int, len(sil))
	for r, i := range sil {
		full[r] = rows[i] // the silhouette points as rows of x
	}
	sel.Full = score(x, xs, full, sel.Model, sel.Scores[sel.Best].K)
	return sel, nil
}

// add appends the score and fit of one k, keeping Best the first highest
// silhouette.
func (sel *Selection) add(s Score, km *KMeans) {
	sel.Scores = append(sel.Scores, s)
	sel.Fits = append(sel.Fits, km)
	if s.Silhouette > sel.Scores[sel.Best].Silhouette {
		sel.Best = len(sel.Scores) - 1
	}
}

// silhouetteSample returns the points the silhouettes are computed on: x
// itself (and nil) up to ExactSilhouette rows, else a sample of that many
// rows drawn from rnd (their rows, ascending), recorded in sel.
func silhouetteSample(x *mat.Dense, rnd *rand.Rand, sel *Selection) (*mat.Dense, []int) {
	n, _ := x.Dims()
	sel.SampleSize = n
	if n <= ExactSilhouette {
		return x, nil
	}
	sample := rnd.Perm(n)[:ExactSilhouette]
	slices.Sort(sample)
	sel.Sampled, sel.SampleSize = true, len(sample)
	return subset(x, sample), sample
}

// subset returns the rows of x, in order.
func subset(x *mat.Dense, rows []int) *mat.Dense {
	s := mat.NewDense(len(rows), x.RawMatrix().Cols, nil)
	for r, i := range rows {
		s.SetRow(r, x.RawRowView(i))
	}
	return s
}

// score returns the score of km (fitted with k on x): its inertia and
// Calinski–Harabasz on x, its silhouette on xs (x itself when sample is
// nil, else the rows sample of x).
func score(x, xs *mat.Dense, sample []int, km *KMeans, k int) Score {
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
	return Score{K: k, Inertia: km.Inertia, Silhouette: sil, CalinskiHarabasz: ch}
}
