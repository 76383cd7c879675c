package cluster

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/mat"
)

// PCA is a principal component analysis of points: their mean and the
// leading directions of their spread.
type PCA struct {
	Mean []float64
	// Components holds one unit direction per column, by decreasing
	// variance; the sign of each is fixed so that its largest-magnitude
	// coordinate is positive (the SVD's sign is arbitrary).
	Components *mat.Dense
	// Variance is the variance of the points along each component (divided
	// by n − 1, as scikit-learn's explained_variance_), Ratio its share of
	// the total variance.
	Variance, Ratio []float64
}

// FitPCA finds the first dims principal components of x (one row per
// point), from the thin SVD of the centred x. It panics if dims is not in
// [1, columns]; it returns an error for fewer than two points or an SVD
// that does not converge.
func FitPCA(x mat.Matrix, dims int) (*PCA, error) {
	n, d := x.Dims()
	if dims < 1 || dims > d {
		panic("cluster: PCA dims out of range")
	}
	if n < 2 {
		return nil, errors.New("cluster: PCA needs at least two points")
	}
	mean := make([]float64, d)
	for j := range d {
		for i := range n {
			mean[j] += x.At(i, j)
		}
		mean[j] /= float64(n)
	}
	c := mat.NewDense(n, d, nil)
	for i := range n {
		for j := range d {
			c.Set(i, j, x.At(i, j)-mean[j])
		}
	}
	var svd mat.SVD
	if !svd.Factorize(c, mat.SVDThin) {
		return nil, errors.New("cluster: PCA: SVD did not converge")
	}
	var v mat.Dense
	svd.VTo(&v)
	s := svd.Values(nil)
	total := 0.0
	for _, sv := range s {
		total += sv * sv
	}
	p := &PCA{Mean: mean, Components: mat.NewDense(d, dims, nil)}
	for k := range dims {
		sv := 0.0
		if k < len(s) {
			sv = s[k]
		}
		big, sign := 0.0, 1.0
		for j := range d {
			if a := math.Abs(v.At(j, k)); a > big {
				big, sign = a, math.Copysign(1, v.At(j, k))
			}
		}
		for j := range d {
			p.Components.Set(j, k, sign*v.At(j, k))
		}
		p.Variance = append(p.Variance, sv*sv/float64(n-1))
		ratio := 0.0
		if total > 0 {
			ratio = sv * sv / total
		}
		p.Ratio = append(p.Ratio, ratio)
	}
	return p, nil
}

// Project returns the coordinates of x's rows (points of the same
// features) on the components: (x − mean) · Components.
func (p *PCA) Project(x mat.Matrix) *mat.Dense {
	n, d := x.Dims()
	if d != len(p.Mean) {
		panic("cluster: PCA projection of points with other columns")
	}
	c := mat.NewDense(n, d, nil)
	for i := range n {
		for j := range d {
			c.Set(i, j, x.At(i, j)-p.Mean[j])
		}
	}
	var out mat.Dense
	out.Mul(c, p.Components)
	return &out
}
