package psi_test

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"testing"

	"github.com/journeygraph/journeygraph/markov/psi"
)

func TestCompareByHand(t *testing.T) {
	ten := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	tests := []struct {
		name              string
		reference, actual []float64
		edges             []float64
		want              float64
	}{
		// Deciles 1..9, every reference share 0.1; the actual has 0.5 in
		// the bins (−∞,1] and (1,2] and none (ε) in the 8 others:
		// 2·(0.5−0.1)·ln 5 + 8·(1e-4−0.1)·ln(1e-4/0.1) = 6.808228348909806.
		{"mass moved down", ten, []float64{1, 1, 1, 1, 1, 2, 2, 2, 2, 2}, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9},
			2*0.4*math.Log(5) + 8*(1e-4-0.1)*math.Log(1e-4/0.1)},
		{"same values", ten, ten, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 0},
		// One distinct edge 2: bins (−∞,2] and (2,∞); reference 1 and 0
		// (ε); actual 0.75 and 0.25: (0.75−1)·ln 0.75 + (0.25−ε)·ln(0.25/ε).
		{"constant reference", []float64{2, 2, 2, 2}, []float64{1, 2, 2, 3}, []float64{2},
			(0.75-1)*math.Log(0.75) + (0.25-1e-4)*math.Log(0.25/1e-4)},
		// n = 3: edges at ranks ⌈k·3/10⌉ = 1,1,1,2,2,2,3,3,3 → 1, 2, 3;
		// reference 1/3,1/3,1/3,0(ε); actual 1/2,0(ε),0(ε),1/2.
		{"three values", []float64{3, 1, 2}, []float64{1, 1, 5, 7}, []float64{1, 2, 3},
			(0.5-1.0/3)*math.Log(0.5*3) + 2*(1e-4-1.0/3)*math.Log(1e-4*3) + (0.5-1e-4)*math.Log(0.5/1e-4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := psi.Compare(tt.reference, tt.actual)
			if err != nil {
				t.Fatal(err)
			}
			if !equal(got.Edges, tt.edges, 0) {
				t.Errorf("edges = %v, want %v", got.Edges, tt.edges)
			}
			if math.Abs(got.Index-tt.want) > 1e-12 {
				t.Errorf("psi = %.15g, want %.15g", got.Index, tt.want)
			}
		})
	}
}

func TestCompareEmpty(t *testing.T) {
	for _, c := range [][2][]float64{{nil, {1}}, {{1}, nil}} {
		if _, err := psi.Compare(c[0], c[1]); !errors.Is(err, psi.ErrEmpty) {
			t.Errorf("Compare(%v, %v): got %v, want ErrEmpty", c[0], c[1], err)
		}
	}
}

// golden is one case of testdata/psi.json, written by
// scripts/peers/psi_reference.py.
type golden struct {
	Name      string    `json:"name"`
	Reference []float64 `json:"reference"`
	Actual    []float64 `json:"actual"`
	Edges     []float64 `json:"edges"`
	Expected  []float64 `json:"expected"`
	Shares    []float64 `json:"actual_shares"`
	PSI       float64   `json:"psi"`
}

func TestCompareMatchesPeer(t *testing.T) {
	b, err := os.ReadFile("testdata/psi.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []golden
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 5 {
		t.Fatalf("%d golden cases, want the peer's", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			got, err := psi.Compare(c.Reference, c.Actual)
			if err != nil {
				t.Fatal(err)
			}
			if !equal(got.Edges, c.Edges, 0) {
				t.Errorf("edges = %v, want %v", got.Edges, c.Edges)
			}
			if !equal(got.Expected, c.Expected, 1e-12) || !equal(got.Actual, c.Shares, 1e-12) {
				t.Errorf("shares = %v / %v, want %v / %v", got.Expected, got.Actual, c.Expected, c.Shares)
			}
			if math.Abs(got.Index-c.PSI) > 1e-12 {
				t.Errorf("psi = %.15g, want %.15g", got.Index, c.PSI)
			}
		})
	}
}

func equal(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}
