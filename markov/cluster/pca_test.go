package cluster

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

func TestPCA(t *testing.T) {
	tests := []struct {
		name      string
		x         *mat.Dense
		dims      int
		component []float64 // the first component
		ratio     []float64
		variance  []float64
	}{
		{
			// A line y = 2x: one direction holds all the variance.
			name: "line", dims: 2,
			x:         mat.NewDense(4, 2, []float64{0, 0, 1, 2, 2, 4, 3, 6}),
			component: []float64{1 / math.Sqrt(5), 2 / math.Sqrt(5)},
			ratio:     []float64{1, 0},
			variance:  []float64{5 * 5.0 / 3, 0}, // var(x) = 5/3, along (1,2)/√5 it is 5·var(x)
		},
		{
			// Independent axes with variances 4 and 1 (±2, ±1 on a cross).
			name: "cross", dims: 1,
			x:         mat.NewDense(4, 2, []float64{2, 0, -2, 0, 0, 1, 0, -1}),
			component: []float64{1, 0},
			ratio:     []float64{0.8},
			variance:  []float64{8.0 / 3},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := FitPCA(tc.x, tc.dims)
			if err != nil {
				t.Fatal(err)
			}
			if got := mat.Col(nil, 0, p.Components); !floats.EqualApprox(got, tc.component, 1e-9) {
				t.Errorf("component 0 = %v, want %v", got, tc.component)
			}
			if !floats.EqualApprox(p.Ratio, tc.ratio, 1e-9) || !floats.EqualApprox(p.Variance, tc.variance, 1e-9) {
				t.Errorf("ratio %v variance %v, want %v %v", p.Ratio, p.Variance, tc.ratio, tc.variance)
			}
		})
	}
}

// TestPCAProjection: the projections on the components are uncorrelated,
// centred, with the components' variances, and the components orthonormal.
func TestPCAProjection(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n, d := 300, 5
	x := mat.NewDense(n, d, nil)
	for i := range n {
		a, b := r.NormFloat64(), r.NormFloat64()
		x.SetRow(i, []float64{3*a + 1, a - b, 0.1 * r.NormFloat64(), 2 * b, 7})
	}
	p, err := FitPCA(x, 3)
	if err != nil {
		t.Fatal(err)
	}
	var gram mat.Dense
	gram.Mul(p.Components.T(), p.Components)
	if !mat.EqualApprox(&gram, eye(3), 1e-9) {
		t.Errorf("components not orthonormal: %v", mat.Formatted(&gram))
	}
	z := p.Project(x)
	for a := range 3 {
		ca := mat.Col(nil, a, z)
		if m := floats.Sum(ca) / float64(n); math.Abs(m) > 1e-9 {
			t.Errorf("component %d: mean %g", a, m)
		}
		for b := range 3 {
			cov := floats.Dot(ca, mat.Col(nil, b, z)) / float64(n-1)
			want := 0.0
			if a == b {
				want = p.Variance[a]
			}
			if math.Abs(cov-want) > 1e-9*math.Max(1, want) {
				t.Errorf("cov(%d, %d) = %g, want %g", a, b, cov, want)
			}
		}
	}
	if p.Variance[0] < p.Variance[1] || p.Variance[1] < p.Variance[2] {
		t.Errorf("variances not decreasing: %v", p.Variance)
	}
	if _, err := FitPCA(mat.NewDense(1, 2, []float64{1, 2}), 1); err == nil {
		t.Error("one point: no error")
	}
}

func eye(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := range n {
		m.Set(i, i, 1)
	}
	return m
}
