package psi

import (
	"errors"
	"math"
	"slices"
	"sort"
)

// Epsilon replaces a bin share of 0 in the index (see the package doc).
const Epsilon = 1e-4

// Deciles is the number of quantile bins asked of the reference.
const Deciles = 10

// ErrEmpty is returned when the reference or the actual values are empty:
// there is no distribution to compare.
var ErrEmpty = errors.New("psi: no values to compare")

// Result is the index of one comparison with its bins: Edges are the
// distinct reference deciles, Expected and Actual the shares of each of
// the len(Edges)+1 bins before Epsilon replaces a zero.
type Result struct {
	Index    float64   `json:"psi"`
	Edges    []float64 `json:"edges"`
	Expected []float64 `json:"expected"`
	Actual   []float64 `json:"actual"`
}

// Edges returns the distinct decile edges of reference, in increasing
// order (see the package doc); reference is not changed. It is nil for an
// empty reference.
func Edges(reference []float64) []float64 {
	n := len(reference)
	if n == 0 {
		return nil
	}
	x := slices.Clone(reference)
	sort.Float64s(x)
	edges := make([]float64, 0, Deciles-1)
	for k := 1; k < Deciles; k++ {
		q := x[(k*n+Deciles-1)/Deciles-1] // x₍⌈k·n/10⌉₎, 1-based
		if len(edges) == 0 || q > edges[len(edges)-1] {
			edges = append(edges, q)
		}
	}
	return edges
}

// Shares returns the share of values in each of the len(edges)+1 bins
// (−∞, edges[0]], (edges[0], edges[1]], …, (edges[m−1], +∞).
func Shares(values, edges []float64) []float64 {
	out := make([]float64, len(edges)+1)
	if len(values) == 0 {
		return out
	}
	for _, v := range values {
		out[sort.SearchFloat64s(edges, v)]++ // the first edge ≥ v
	}
	for i := range out {
		out[i] /= float64(len(values))
	}
	return out
}

// Index returns the PSI of expected and actual shares (same length): Σ (a
// − e) ln(a / e), each zero share replaced by Epsilon. It panics when the
// lengths differ.
func Index(expected, actual []float64) float64 {
	if len(expected) != len(actual) {
		panic("psi: shares of different lengths")
	}
	sum := 0.0
	for i := range expected {
		e, a := expected[i], actual[i]
		if e == 0 {
			e = Epsilon
		}
		if a == 0 {
			a = Epsilon
		}
		sum += (a - e) * math.Log(a/e)
	}
	return sum
}

// Compare returns the PSI of actual against reference, binned at the
// reference's deciles; ErrEmpty when either has no values. NaN values
// are a programmer's error and not expected.
func Compare(reference, actual []float64) (Result, error) {
	if len(reference) == 0 || len(actual) == 0 {
		return Result{}, ErrEmpty
	}
	edges := Edges(reference)
	r := Result{Edges: edges, Expected: Shares(reference, edges), Actual: Shares(actual, edges)}
	r.Index = Index(r.Expected, r.Actual)
	return r, nil
}
