package profile

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/markov/cluster"
	"gonum.org/v1/gonum/mat"
)

// MaxK is the largest number of clusters a query may ask for.
const MaxK = 20

// MaxRestarts is the most k-means restarts a query may ask for.
const MaxRestarts = 50

// DistinctFeatures is how many features a profile lists as setting its
// cluster apart (more when others tie with the last).
const DistinctFeatures = 3

// Query says which groups to look for: k-means for every k in [KMin,
// KMax] on the vectors at AsOf, Restarts seeded restarts each (4 when 0)
// from Seed.
type Query struct {
	AsOf         time.Time // now when zero
	KMin, KMax   int
	Restarts     int
	Seed         uint64
	PersonPrefix string
	MinSize      int // clusters under it are flagged Small (journeys.DefaultMinSegmentSize when 0)
	// Save stores the clustering as the current clusters model of
	// PersonPrefix (Discovery.Version says which).
	Save bool
	// DBSCAN also runs DBSCAN on the scaled vectors (at most MaxDBSCAN
	// people): min_samples twice the features, eps at the knee of the
	// k-distance curve.
	DBSCAN bool
}

// MaxDBSCAN is the most people Query.DBSCAN accepts. In the 20 features
// of a behaviour vector no tree prunes a neighbour search (see
// cluster.FitDBSCAN), so the k-distance curve and DBSCAN cost close to
// O(n²) distances: 20,000 people take about 12 CPU seconds (on both
// cores, in O(n) memory), 100,000 about 25 times as much (more than 8 CPU
// minutes measured; see the README, "Discovering segments").
const MaxDBSCAN = 20_000

// DBSCANSummary is what DBSCAN found beside k-means.
type DBSCANSummary struct {
	Eps float64 `json:"eps"` // suggested from the k-distance curve
	// KDistanceSample is the number of people the curve was drawn from
	// (a seeded sample above KDistanceSample people; 0: everyone).
	KDistanceSample int   `json:"kdistance_sample,omitempty"`
	MinSamples      int   `json:"min_samples"`
	Clusters        int   `json:"clusters"`
	Sizes           []int `json:"sizes"`
	Noise           int   `json:"noise"`
}

// Validate returns an *journeys.Error with code EINVALID naming the field
// at fault.
func (q Query) Validate() error {
	switch {
	case q.KMin < 2:
		return journeys.InvalidField("k", "%d clusters: at least 2", q.KMin)
	case q.KMax > MaxK:
		return journeys.InvalidField("k", "%d clusters: at most %d", q.KMax, MaxK)
	case q.KMax < q.KMin:
		return journeys.InvalidField("k", "range %d-%d runs backwards", q.KMin, q.KMax)
	case q.Restarts < 0 || q.Restarts > MaxRestarts:
		return journeys.InvalidField("restarts", "%d: from 1 to %d", q.Restarts, MaxRestarts)
	case q.MinSize < 0:
		return journeys.InvalidField("min_size", "%d is negative", q.MinSize)
	}
	return nil
}

// ParseKRange parses a k range written "2-8" (or "4" for one k) and
// returns an *journeys.Error with code EINVALID for anything else.
func ParseKRange(s string) (kmin, kmax int, err error) {
	lo, hi, found := strings.Cut(strings.TrimSpace(s), "-")
	if !found {
		hi = lo
	}
	a, errA := strconv.Atoi(strings.TrimSpace(lo))
	b, errB := strconv.Atoi(strings.TrimSpace(hi))
	if errA != nil || errB != nil {
		return 0, 0, journeys.InvalidField("k", "%q is not a range such as 2-8", s)
	}
	return a, b, nil
}

// FeatureSummary is a feature with its population summary in its own
// units.
type FeatureSummary struct {
	Feature
	cluster.Summary
}

// Value is a feature's value in a cluster: in the feature's own units
// (the centroid with the scaling undone: for log features, expm1 of the
// mean log1p) and standardised (Z, its difference to the population mean
// in population standard deviations of the scaled feature).
type Value struct {
	Feature string  `json:"feature"`
	Value   float64 `json:"value"`
	Z       float64 `json:"z"`
	// Reading says it in words when the name does not (Reading: "likely
	// in state ready_to_buy" for a hidden-state feature).
	Reading string `json:"reading,omitempty"`
}

// Profile describes one cluster.
type Profile struct {
	Index    int     `json:"index"`
	Size     int     `json:"size"`
	Share    float64 `json:"share"`
	Label    string  `json:"label"`          // suggested from Distinct
	Name     string  `json:"name,omitempty"` // given by the marketer (Profiler.RenameCluster)
	Small    bool    `json:"small"`          // under the minimum segment size
	Centroid []Value `json:"centroid"`
	Distinct []Value `json:"distinct"` // the features that set it apart most, by |Z| (ties with the last kept)
}

// Discovery is what Discover found: the scores of each k, the chosen k
// (highest silhouette), and the profiles of its clusters.
type Discovery struct {
	AsOf     time.Time        `json:"as_of"`
	People   int              `json:"people"`
	Features []FeatureSummary `json:"features"`
	Scores   []cluster.Score  `json:"scores"`
	K        int              `json:"k"`
	// Silhouette is "exact" or "sampled": computed on a seeded sample of
	// SilhouetteSample people when there are more than cluster.ExactSilhouette.
	Silhouette       string `json:"silhouette"`
	SilhouetteSample int    `json:"silhouette_sample"`
	// SelectionSample, when there are more than cluster.SelectionSample
	// people, is the size of the seeded sample k was chosen on: Scores
	// are of the sample (the silhouette sample drawn from it) and the
	// chosen k was then fitted on everyone; Fit is that fit's score on
	// everyone (its silhouette on SilhouetteSample of them). 0 and nil
	// when every k was fitted on everyone.
	SelectionSample int            `json:"selection_sample,omitempty"`
	Fit             *cluster.Score `json:"fit,omitempty"`
	Seed            uint64         `json:"seed"`
	Restarts        int            `json:"restarts"`
	MinSize         int            `json:"min_size"`
	Profiles        []Profile      `json:"profiles"`
	Version         int            `json:"version,omitempty"` // of the stored model, when saved
	DBSCAN          *DBSCANSummary `json:"dbscan,omitempty"`
	// HMMFeatures says whether the states of a hidden-state model were
	// features (the scope had one), HMMVersion which version.
	HMMFeatures bool `json:"hmm_features"`
	HMMVersion  int  `json:"hmm_version,omitempty"`
	// IDs are the people clustered (in id order) and Labels their clusters.
	IDs    []string `json:"-"`
	Labels []int    `json:"-"`
}

// Discover computes the vectors at q.AsOf, scales them (log1p for counts
// and money, then z-scores), runs k-means for each k of the range (on a
// seeded sample above cluster.SelectionSample people, the chosen k then
// fitted on everyone: see cluster.Choose) and profiles the clusters of
// the k with the highest silhouette; with
// q.Save, it stores them as a model. Errors: EINVALID for a bad query or
// fewer people than KMax + 1, ENOTFOUND when nobody has an own event,
// EUNAVAILABLE when the store cannot be reached.
func (p *Profiler) Discover(ctx context.Context, q Query) (*Discovery, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if q.Restarts == 0 {
		q.Restarts = 4
	}
	if q.MinSize == 0 {
		q.MinSize = journeys.DefaultMinSegmentSize
	}
	v, err := p.Vectors(ctx, VectorQuery{AsOf: q.AsOf, PersonPrefix: q.PersonPrefix})
	if err != nil {
		return nil, err
	}
	n := len(v.People)
	if n <= q.KMax {
		return nil, journeys.InvalidField("k", "%d people: k up to %d needs more than %d", n, q.KMax, q.KMax)
	}
	if q.DBSCAN && n > MaxDBSCAN {
		return nil, journeys.InvalidField("dbscan", "%d people, more than the %d DBSCAN accepts", n, MaxDBSCAN)
	}
	log := make([]bool, len(v.Features))
	for j, f := range v.Features {
		log[j] = f.Log
	}
	z, scales, sums := cluster.Standardize(v.X, log)
	sel, err := cluster.Choose(z, q.KMin, q.KMax, cluster.Options{Restarts: q.Restarts}, rand.NewPCG(q.Seed, 0x15))
	if err != nil {
		return nil, fmt.Errorf("discover segments: %w", err)
	}
	d := &Discovery{AsOf: v.AsOf, People: n, Scores: sel.Scores, K: sel.Scores[sel.Best].K,
		Silhouette: "exact", SilhouetteSample: sel.SampleSize, Seed: q.Seed, Restarts: q.Restarts, MinSize: q.MinSize,
		HMMFeatures: v.HMMVersion > 0, HMMVersion: v.HMMVersion}
	if sel.Sampled {
		d.Silhouette = "sampled"
	}
	if sel.Sample != nil {
		d.SelectionSample, d.Fit = len(sel.Sample), &sel.Full
	}
	for j, f := range v.Features {
		d.Features = append(d.Features, FeatureSummary{Feature: f, Summary: sums[j]})
	}
	km := sel.Model
	d.IDs, d.Labels = v.People, km.Labels
	sizes := make([]int, d.K)
	for _, l := range km.Labels {
		sizes[l]++
	}
	for c := 0; c < d.K; c++ {
		pr := Profile{Index: c, Size: sizes[c], Share: float64(sizes[c]) / float64(n), Small: sizes[c] < q.MinSize}
		for j, f := range v.Features {
			zc := km.Centroids.At(c, j)
			val := scales[j].Invert(zc)
			if math.Abs(val) < 1e-9 {
				val = 0 // rounding of a feature that is 0 throughout the cluster
			}
			pr.Centroid = append(pr.Centroid, Value{Feature: f.Name, Value: val, Z: zc, Reading: Reading(f.Name, zc)})
		}
		pr.Distinct = distinct(pr.Centroid, DistinctFeatures)
		pr.Label = SuggestLabel(pr.Distinct, pr.Centroid)
		d.Profiles = append(d.Profiles, pr)
	}
	if q.DBSCAN {
		if d.DBSCAN, err = dbscan(z); err != nil {
			return nil, err
		}
	}
	if q.Save {
		m := Model{AsOf: d.AsOf, Scope: q.PersonPrefix, Features: v.Features, Scales: scales, Scores: d.Scores,
			Silhouette: d.Silhouette, Seed: d.Seed, Restarts: d.Restarts, HMMVersion: v.HMMVersion}
		for c := 0; c < d.K; c++ {
			m.Centroids = append(m.Centroids, km.Centroids.RawRowView(c))
		}
		if err := p.save(ctx, d, m); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// dbscan runs DBSCAN on the scaled vectors z with min_samples twice the
// features and eps at the knee of their k-distance curve.
func dbscan(z *mat.Dense) (*DBSCANSummary, error) {
	n, f := z.Dims()
	minSamples := min(2*f, n)
	eps := cluster.SuggestEps(cluster.KDistances(z, minSamples))
	if eps <= 0 {
		return nil, journeys.InvalidField("dbscan", "the k-distance curve is flat: no eps to suggest")
	}
	db, err := cluster.FitDBSCAN(z, eps, minSamples)
	if err != nil {
		return nil, fmt.Errorf("dbscan: %w", err)
	}
	s := &DBSCANSummary{Eps: eps, MinSamples: minSamples, Clusters: db.Clusters, Sizes: make([]int, db.Clusters), Noise: db.Noise}
	for _, l := range db.Labels {
		if l != cluster.Noise {
			s.Sizes[l]++
		}
	}
	return s, nil
}
