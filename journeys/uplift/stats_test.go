package uplift_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/journeygraph/journeygraph/journeys/uplift"
)

// reference is one case of testdata/reference.json, written by
// scripts/peers/uplift_reference.py with statsmodels.
type reference struct {
	Name       string   `json:"name"`
	Treated    [2]int   `json:"treated"` // people, converted
	Control    [2]int   `json:"control"`
	Z          float64  `json:"z"`
	PValue     float64  `json:"p_value"`
	CILow      float64  `json:"ci_low"`
	CIHigh     float64  `json:"ci_high"`
	SampleSize *float64 `json:"sample_size"` // before rounding up; null when the rates are equal
}

func TestCompareMatchesStatsmodels(t *testing.T) {
	b, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var refs []reference
	if err := json.Unmarshal(b, &refs); err != nil {
		t.Fatal(err)
	}
	if len(refs) < 5 {
		t.Fatalf("%d reference cases, want the peer's", len(refs))
	}
	const tol = 1e-9
	for _, r := range refs {
		t.Run(r.Name, func(t *testing.T) {
			treated, control := uplift.NewGroup(r.Treated[0], r.Treated[1]), uplift.NewGroup(r.Control[0], r.Control[1])
			st, ok := uplift.Compare(treated, control)
			if !ok {
				t.Fatal("Compare: not ok")
			}
			for _, c := range []struct {
				what      string
				got, want float64
			}{
				{"difference", st.Difference, treated.Rate - control.Rate},
				{"z", st.Z, r.Z}, {"p-value", st.PValue, r.PValue},
				{"ci low", st.CILow, r.CILow}, {"ci high", st.CIHigh, r.CIHigh},
			} {
				if math.Abs(c.got-c.want) > tol {
					t.Errorf("%s = %.12g, want %.12g", c.what, c.got, c.want)
				}
			}
			want := 0
			if r.SampleSize != nil {
				want = int(math.Ceil(*r.SampleSize - 1e-9))
			}
			if st.SampleSize != want {
				t.Errorf("sample size = %d, want %d (statsmodels %v)", st.SampleSize, want, r.SampleSize)
			}
		})
	}
}

func TestCompareNeedsBothGroups(t *testing.T) {
	tests := []struct {
		name             string
		treated, control uplift.Group
	}{
		{"no control", uplift.NewGroup(100, 10), uplift.NewGroup(0, 0)},
		{"no treated", uplift.NewGroup(0, 0), uplift.NewGroup(100, 10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if st, ok := uplift.Compare(tt.treated, tt.control); ok {
				t.Errorf("got %+v, want not ok", st)
			}
		})
	}
	// Nobody converted in either group: no variance, z 0, p-value 1.
	st, ok := uplift.Compare(uplift.NewGroup(50, 0), uplift.NewGroup(50, 0))
	if !ok || st.Z != 0 || st.PValue != 1 || st.SampleSize != 0 || st.CILow != 0 || st.CIHigh != 0 {
		t.Errorf("no conversions: %+v %v, want z 0, p 1, no sample size", st, ok)
	}
}
