package logit

import (
	"bufio"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestAUC(t *testing.T) {
	tests := []struct {
		name string
		p, y []float64
		want float64
		err  error
	}{
		{"perfect", []float64{0.1, 0.2, 0.8, 0.9}, []float64{0, 0, 1, 1}, 1, nil},
		{"reversed", []float64{0.9, 0.8, 0.2, 0.1}, []float64{0, 0, 1, 1}, 0, nil},
		{"all tied", []float64{0.5, 0.5, 0.5, 0.5}, []float64{0, 1, 0, 1}, 0.5, nil},
		{"one tie across classes", []float64{0.1, 0.5, 0.5, 0.9}, []float64{0, 0, 1, 1}, 0.875, nil},
		{"one class", []float64{0.1, 0.2}, []float64{1, 1}, 0, ErrOneClass},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AUC(tc.p, tc.y)
			if !errors.Is(err, tc.err) || math.Abs(got-tc.want) > 1e-15 {
				t.Errorf("AUC = %g, %v; want %g, %v", got, err, tc.want, tc.err)
			}
		})
	}
}

func TestPrecisionRecallEdges(t *testing.T) {
	tests := []struct {
		name string
		p, y []float64
		t    float64
		want Threshold
	}{
		{"none predicted", []float64{0.1, 0.2}, []float64{0, 1}, 0.5, Threshold{Threshold: 0.5}},
		{"at the threshold counts", []float64{0.5, 0.2}, []float64{1, 0}, 0.5, Threshold{Threshold: 0.5, Predicted: 1, TruePositives: 1, Precision: 1, Recall: 1}},
		{"no positive", []float64{0.9, 0.2}, []float64{0, 0}, 0.5, Threshold{Threshold: 0.5, Predicted: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PrecisionRecall(tc.p, tc.y, []float64{tc.t})[0]; got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestFitOneClass(t *testing.T) {
	x := mat.NewDense(3, 1, []float64{1, 2, 3})
	if _, err := Fit(x, []float64{1, 1, 1}, Settings{}); !errors.Is(err, ErrOneClass) {
		t.Errorf("err = %v, want ErrOneClass", err)
	}
}

// synthetic returns n standardised rows of d features and labels drawn
// from a logistic model with seeded weights.
func synthetic(n, d int, seed uint64) (*mat.Dense, []float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := mat.NewDense(n, d, nil)
	w := make([]float64, d)
	for j := range w {
		w[j] = rng.NormFloat64() * 0.5
	}
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		row := x.RawRowView(i)
		z := -1.0
		for j := range row {
			row[j] = rng.NormFloat64()
			z += row[j] * w[j]
		}
		if rng.Float64() < sigmoid(z) {
			y[i] = 1
		}
	}
	return x, y
}

// BenchmarkFitScore1M fits and scores 1M people with 20 features (the
// behaviour vectors' count with four channels), as journeys/propensity
// does. With PROPENSITY_BENCH_MATRIX set it first writes the matrix and
// labels there (little-endian float64: n, d, the rows, the labels), which
// scripts/peers/propensity_bench.sh times scikit-learn on.
func BenchmarkFitScore1M(b *testing.B) {
	x, y := synthetic(1_000_000, 20, 1)
	if path := os.Getenv("PROPENSITY_BENCH_MATRIX"); path != "" {
		if err := writeMatrix(path, x, y); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		m, err := Fit(x, y, Settings{GradTol: 1e-6})
		if err != nil {
			b.Fatal(err)
		}
		p := m.Predict(nil, x)
		if _, err := AUC(p, y); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(m.Iterations), "iterations")
	}
}

func writeMatrix(path string, x *mat.Dense, y []float64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	n, d := x.Dims()
	vals := append([]float64{float64(n), float64(d)}, x.RawMatrix().Data...)
	if err := binary.Write(w, binary.LittleEndian, append(vals, y...)); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
