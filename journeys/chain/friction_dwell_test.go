package chain

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestDwellSiteMedian: the site median found by bisection over the steps'
// sorted gaps is the lower median of all the gaps sorted together.
func TestDwellSiteMedian(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, sizes := range [][]int{{1}, {2}, {1, 1}, {3, 4}, {0, 5, 0}, {10, 1, 7, 300}, {1000, 999}} {
		d := &dwells{gaps: map[string][]int64{}}
		var all []int64
		for i, n := range sizes {
			step := string(rune('a' + i))
			d.gaps[step] = []int64{}
			for range n {
				g := rng.Int64N(5000)
				d.gaps[step] = append(d.gaps[step], g)
				all = append(all, g)
			}
		}
		slices.Sort(all)
		n, med := d.site()
		if n != len(all) || med != float64(all[(len(all)+1)/2-1])/1000 {
			t.Errorf("sizes %v: site = %d, %v; want %d, %v", sizes, n, med, len(all), float64(all[(len(all)+1)/2-1])/1000)
		}
	}
	if n, med := (&dwells{gaps: map[string][]int64{}}).site(); n != 0 || med != 0 {
		t.Errorf("no gaps: %d, %v", n, med)
	}
}
