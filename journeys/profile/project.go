package profile

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/markov/cluster"
	"gonum.org/v1/gonum/mat"
)

// MaxProjection is the largest sample a Projection may draw.
const MaxProjection = 5000

// Projection is a 2-D picture of a stored clustering: a seeded sample of
// the people with a behaviour vector at the model's as_of, scaled as the
// model scales them, placed in their nearest cluster and projected on the
// sample's first two principal components, with the centroids.
type Projection struct {
	Version   int          `json:"version"`
	AsOf      time.Time    `json:"as_of"`
	People    int          `json:"people"` // everyone with a vector, sampled or not
	Seed      uint64       `json:"seed"`
	Points    []Point      `json:"points"`    // the sample, in id order
	Centroids []Point      `json:"centroids"` // Cluster is the index
	Ratio     []float64    `json:"ratio"`     // each axis's share of the sample's variance
	Axes      [][]AxisLoad `json:"axes"`      // each axis's largest loadings
}

// Point is one person (or centroid) on the projection.
type Point struct {
	Person  string  `json:"person,omitempty"`
	X       float64 `json:"x"`
	Y       float64 `json:"y"`
	Cluster int     `json:"cluster"`
}

// AxisLoad is a feature's weight in a projection axis.
type AxisLoad struct {
	Feature string  `json:"feature"`
	Weight  float64 `json:"weight"`
}

// Project draws the projection of scope's current clustering: a sample of
// at most sample people (reservoir sampling over the people in id order,
// seeded by seed). Errors: EINVALID for a sample outside [2,
// MaxProjection], ENOTFOUND when there is no clustering or fewer than two
// people to draw, EUNAVAILABLE when the store cannot be reached.
func (p *Profiler) Project(ctx context.Context, scope string, sample int, seed uint64) (*Projection, error) {
	if sample < 2 || sample > MaxProjection {
		return nil, journeys.InvalidField("sample", "%d people: from 2 to %d", sample, MaxProjection)
	}
	a, err := p.Assigner(ctx, journeys.ClusterRef{Scope: scope})
	if err != nil {
		return nil, err
	}
	asOf := a.model.AsOf
	set, err := p.Touches.Touches(ctx, hmmQuery(journeys.TouchQuery{Filter: journeys.Filter{To: asOf, PersonPrefix: scope}}, a.states))
	if err != nil {
		return nil, fmt.Errorf("projection: %w", err)
	}
	defer set.Close()
	rnd := rand.New(rand.NewPCG(seed, 0x2d))
	type row struct {
		id string
		x  []float64
	}
	var rows []row
	seen := 0
	for set.Next() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ts := set.At()
		x, ok := a.Vector(ts, asOf)
		if !ok {
			continue
		}
		seen++
		switch {
		case len(rows) < sample:
			rows = append(rows, row{ts.Person, x})
		default:
			if k := rnd.IntN(seen); k < sample {
				rows[k] = row{ts.Person, x}
			}
		}
	}
	if err := set.Err(); err != nil {
		return nil, fmt.Errorf("projection: %w", err)
	}
	if len(rows) < 2 {
		return nil, journeys.Errorf(journeys.ENOTFOUND, "fewer than two people have behaviour before %s", asOf.Format(time.RFC3339))
	}
	slices.SortFunc(rows, func(a, b row) int { return strings.Compare(a.id, b.id) })
	d := len(a.model.Features)
	z := mat.NewDense(len(rows), d, nil)
	for i, r := range rows {
		for j, v := range r.x {
			z.Set(i, j, a.model.Scales[j].Apply(v))
		}
	}
	dims := min(2, d)
	pca, err := cluster.FitPCA(z, dims)
	if err != nil {
		return nil, fmt.Errorf("projection: %w", err)
	}
	pr := &Projection{Version: a.Version, AsOf: asOf, People: seen, Seed: seed, Ratio: pca.Ratio}
	xy := pca.Project(z)
	for i, r := range rows {
		pr.Points = append(pr.Points, point(r.id, xy, i, Nearest(a.model.Centroids, z.RawRowView(i))))
	}
	cz := mat.NewDense(len(a.model.Centroids), d, nil)
	for c, mu := range a.model.Centroids {
		cz.SetRow(c, mu)
	}
	cxy := pca.Project(cz)
	for c := range a.model.Centroids {
		pr.Centroids = append(pr.Centroids, point("", cxy, c, c))
	}
	for k := range dims {
		pr.Axes = append(pr.Axes, loadings(a.model.Features, mat.Col(nil, k, pca.Components), 3))
	}
	return pr, nil
}

// point is row i of xy (one or two columns) as a Point.
func point(id string, xy *mat.Dense, i, c int) Point {
	pt := Point{Person: id, X: xy.At(i, 0), Cluster: c}
	if _, cols := xy.Dims(); cols > 1 {
		pt.Y = xy.At(i, 1)
	}
	return pt
}

// loadings returns the n features weighing most in a component.
func loadings(fs []Feature, w []float64, n int) []AxisLoad {
	out := make([]AxisLoad, len(fs))
	for j, f := range fs {
		out[j] = AxisLoad{Feature: f.Name, Weight: w[j]}
	}
	slices.SortStableFunc(out, func(a, b AxisLoad) int { return cmp.Compare(math.Abs(b.Weight), math.Abs(a.Weight)) })
	return out[:min(n, len(out))]
}
