package cluster

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// Summary describes one feature over the population, in the feature's own
// units.
type Summary struct {
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
}

// Scale is how one feature is scaled: z = (f(x) − Center)/Spread, where
// f(x) = log1p(max(x, 0)) when Log, else x.
type Scale struct {
	Log    bool    `json:"log"`
	Center float64 `json:"center"`
	Spread float64 `json:"spread"`
}

// Apply returns the scaled value of x.
func (s Scale) Apply(x float64) float64 {
	if s.Log {
		x = math.Log1p(math.Max(x, 0))
	}
	return (x - s.Center) / s.Spread
}

// Invert returns the value in the feature's own units whose scaled value
// is z.
func (s Scale) Invert(z float64) float64 {
	x := z*s.Spread + s.Center
	if s.Log {
		x = math.Expm1(x)
	}
	return x
}

// Standardize returns x scaled column by column (log[j] marks the columns
// mapped by log1p first), the scales used and the summary of each raw
// column. It panics if len(log) is not the number of columns (x is not
// empty: gonum has no empty matrices).
func Standardize(x mat.Matrix, log []bool) (*mat.Dense, []Scale, []Summary) {
	n, d := x.Dims()
	if len(log) != d {
		panic("cluster: len(log) != columns")
	}
	z := mat.NewDense(n, d, nil)
	scales, sums := make([]Scale, d), make([]Summary, d)
	for j := 0; j < d; j++ {
		sum := Summary{Min: math.Inf(1), Max: math.Inf(-1)}
		var s, ss, m float64
		for i := 0; i < n; i++ {
			v := x.At(i, j)
			sum.Min, sum.Max = math.Min(sum.Min, v), math.Max(sum.Max, v)
			s += v
		}
		sum.Mean = s / float64(n)
		for i := 0; i < n; i++ {
			dv := x.At(i, j) - sum.Mean
			ss += dv * dv
		}
		sum.SD = math.Sqrt(ss / float64(n))
		sc := Scale{Log: log[j]}
		for i := 0; i < n; i++ {
			v := sc.f(x.At(i, j))
			z.Set(i, j, v)
			m += v
		}
		sc.Center = m / float64(n)
		ss = 0
		for i := 0; i < n; i++ {
			dv := z.At(i, j) - sc.Center
			ss += dv * dv
		}
		sc.Spread = math.Sqrt(ss / float64(n))
		if !(sc.Spread > 1e-12) {
			sc.Spread = 1
		}
		for i := 0; i < n; i++ {
			z.Set(i, j, (z.At(i, j)-sc.Center)/sc.Spread)
		}
		scales[j], sums[j] = sc, sum
	}
	return z, scales, sums
}

func (s Scale) f(x float64) float64 {
	if s.Log {
		return math.Log1p(math.Max(x, 0))
	}
	return x
}
