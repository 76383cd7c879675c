package markov

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// attrDataPath is ChannelAttribution's example data, in shared/ beside the
// repository, or the file named by $ATTRIBUTION_DATA.
var attrDataPath = filepath.Join("..", "..", "shared", "datasets", "channelattribution_paths", "Data.csv")

func init() {
	if p := os.Getenv("ATTRIBUTION_DATA"); p != "" {
		attrDataPath = p
	}
}

// attrData returns Data.csv; it skips the test when the file is absent,
// unless CI=true.
func attrData(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile(attrDataPath)
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("read data: %v", err)
		}
		tb.Skipf("no data: %v", err)
	}
	return b
}

// attrDirect computes p_s and V_s the slow way: zero the columns of the
// removed states in Q (their traffic goes to exit), drop the start states
// among them and solve the modified system from scratch.
func attrDirect(tb testing.TB, c *Chain, removed []int) (p, v float64) {
	tb.Helper()
	nt := c.Transient()
	gone := make([]bool, nt)
	for _, i := range removed {
		gone[i] = true
	}
	a := mat.NewDense(nt, nt, nil)
	rhs := mat.NewDense(nt, 2, nil)
	for i := 0; i < nt; i++ {
		for j := 0; j < nt; j++ {
			if !gone[j] {
				a.Set(i, j, -c.Prob(i, j))
			}
		}
		a.Set(i, i, a.At(i, i)+1)
		rhs.Set(i, 0, c.Prob(i, c.ConversionState()))
		rhs.Set(i, 1, c.Prob(i, c.ConversionState())*c.ConversionValue(i))
	}
	var x mat.Dense
	if err := x.Solve(a, rhs); err != nil {
		tb.Fatal(err)
	}
	for k, s := range c.Starts() {
		if !gone[s] {
			p += c.StartWeights()[k] * x.At(s, 0)
			v += c.StartWeights()[k] * x.At(s, 1)
		}
	}
	return p, v
}

// attrCheckDirect compares RemovalEffects with attrDirect for every set.
func attrCheckDirect(t *testing.T, c *Chain, group func(string) string, tol float64) {
	t.Helper()
	a, err := c.Absorbing()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := a.RemovalEffects(group)
	if err != nil {
		t.Fatal(err)
	}
	sets := c.removalSets(group)
	if len(rs) != len(sets) {
		t.Fatalf("got %d removals, want %d", len(rs), len(sets))
	}
	for _, r := range rs {
		p, v := attrDirect(t, c, sets[r.Label])
		if math.Abs(r.P-p) > tol || math.Abs(r.Value-v) > tol*math.Max(1, math.Abs(v)) {
			t.Errorf("%s: got p_s %.15g V_s %.15g, want %.15g %.15g", r.Label, r.P, r.Value, p, v)
		}
		if want := 1 - p/a.ConversionRate(); math.Abs(r.Effect-want) > tol/a.ConversionRate() {
			t.Errorf("%s: got RE %.15g, want %.15g", r.Label, r.Effect, want)
		}
	}
}

func TestRemovalEffectsByHand(t *testing.T) {
	a, err := absorbHand(t).Absorbing()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := a.RemovalEffects(nil)
	if err != nil {
		t.Fatal(err)
	}
	// Without a: start→b→conversion only, p_a = 0.4·0.25 = 0.1.
	// Without b: start→a→conversion only, p_b = 0.6·0.2 = 0.12.
	want := []Removal{
		{Label: "a", States: 1, P: 0.1, Effect: 1 - 0.1/0.36},
		{Label: "b", States: 1, P: 0.12, Effect: 1 - 0.12/0.36},
	}
	if len(rs) != len(want) {
		t.Fatalf("got %d removals, want %d", len(rs), len(want))
	}
	for i, w := range want {
		g := rs[i]
		if g.Label != w.Label || g.States != w.States || math.Abs(g.P-w.P) > 1e-15 || math.Abs(g.Effect-w.Effect) > 1e-14 {
			t.Errorf("removal %d: got %+v, want %+v", i, g, w)
		}
	}
}

// attrRandomChain returns a random chain with one start, n step states in
// groups channels (labels "cGG/sNNN") and deg successors per state.
func attrRandomChain(tb testing.TB, n, groups, deg int, src rand.Source) *Chain {
	tb.Helper()
	rnd := rand.New(src)
	size := n + 3
	labels := make([]string, size)
	labels[0], labels[n+1], labels[n+2] = Start, Conversion, Exit
	for i := 1; i <= n; i++ {
		labels[i] = fmt.Sprintf("c%02d/s%03d", (i-1)%groups, i-1)
	}
	p := mat.NewDense(size, size, nil)
	for i := 0; i <= n; i++ {
		row := p.RawRowView(i)
		for range deg {
			row[1+rnd.IntN(n)] += rnd.Float64()
		}
		if i > 0 {
			row[n+1] += 0.3 * rnd.Float64()
			row[n+2] += 0.5 * rnd.Float64()
		}
		sum := 0.0
		for _, v := range row {
			sum += v
		}
		for j := range row {
			row[j] /= sum
		}
	}
	p.Set(n+1, n+1, 1)
	p.Set(n+2, n+2, 1)
	c, err := NewChain(labels, p)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func attrChannelOf(step string) string {
	ch, _, _ := strings.Cut(step, "/")
	return ch
}

func TestRemovalEffectsMatchDirectSolve(t *testing.T) {
	t.Run("random 60x6", func(t *testing.T) {
		c := attrRandomChain(t, 60, 6, 8, rand.NewPCG(3, 4))
		attrCheckDirect(t, c, attrChannelOf, 1e-12)
	})
	t.Run("random steps", func(t *testing.T) {
		c := attrRandomChain(t, 40, 4, 5, rand.NewPCG(5, 6))
		attrCheckDirect(t, c, nil, 1e-12)
	})
	data := attrData(t)
	for _, opt := range []Options{
		{},
		{Order: 2},
		{Order: 3, CollapseRepeats: true},
		{StartPerChannel: true, Smoothing: 0.5},
	} {
		t.Run(fmt.Sprintf("Data.csv %+v", opt), func(t *testing.T) {
			c, err := Fit(NewPathReader(bytes.NewReader(data)), opt)
			if err != nil {
				t.Fatal(err)
			}
			attrCheckDirect(t, c, nil, 1e-12)
		})
	}
}

// TestConversionRateIsEmpirical checks the exact p against the observed
// conversion rate (equal by flow conservation when there is no smoothing).
func TestConversionRateIsEmpirical(t *testing.T) {
	data := attrData(t)
	var conversions, journeys, value float64
	for r := NewPathReader(bytes.NewReader(data)); r.Next(); {
		p := r.At()
		journeys += p.Weight
		if p.Converted {
			conversions += p.Weight
			value += p.Value
		}
	}
	// Totals stated in shared/datasets/channelattribution_paths/SOURCE.md.
	if conversions != 19785 || journeys != 19785+68602 || math.Abs(value-74802.972) > 1e-3 {
		t.Fatalf("totals: got %g conversions, %g journeys, value %g", conversions, journeys, value)
	}
	for _, opt := range []Options{{}, {Order: 2}, {CollapseRepeats: true}, {StartPerChannel: true}} {
		c, err := Fit(NewPathReader(bytes.NewReader(data)), opt)
		if err != nil {
			t.Fatal(err)
		}
		a, err := c.Absorbing()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := a.ConversionRate(), conversions/journeys; math.Abs(got-want) > 1e-12 {
			t.Errorf("%+v: p: got %.15g, want %.15g", opt, got, want)
		}
		if got, want := a.ExpectedValue(), value/journeys; math.Abs(got-want) > 1e-12 {
			t.Errorf("%+v: V: got %.15g, want %.15g", opt, got, want)
		}
	}
}

// TestRemovalEffectIsVisitShareOfConversions checks the exact RE(s)
// against its probabilistic meaning, the share of converting journeys that
// visit s, by simulating 200,000 journeys of the fitted chain (seeded);
// tolerance 4.5 binomial standard errors.
func TestRemovalEffectIsVisitShareOfConversions(t *testing.T) {
	c, err := Fit(NewPathReader(bytes.NewReader(attrData(t))), Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.Absorbing()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := a.RemovalEffects(nil)
	if err != nil {
		t.Fatal(err)
	}
	paths := chainSample(c, 200000, rand.NewPCG(11, 12))
	visits := make(map[string]float64)
	var conv float64
	for _, p := range paths {
		if !p.Converted {
			continue
		}
		conv++
		seen := make(map[string]bool)
		for _, s := range p.Steps {
			if !seen[s] {
				seen[s] = true
				visits[s]++
			}
		}
	}
	for _, r := range rs {
		share := visits[r.Label] / conv
		se := math.Sqrt(r.Effect * (1 - r.Effect) / conv)
		if math.Abs(share-r.Effect) > 4.5*se+1e-12 {
			t.Errorf("%s: RE %.5f, simulated visit share %.5f ± %.5f", r.Label, r.Effect, share, 4.5*se)
		}
	}
}

func TestRemovalSetsOfFittedChain(t *testing.T) {
	paths := []Path{
		{Steps: []string{"a", "b"}, Converted: true},
		{Steps: []string{"b"}},
	}
	tests := []struct {
		name string
		opt  Options
		want map[string][]string
	}{
		{"order 1", Options{}, map[string][]string{"a": {"a"}, "b": {"b"}}},
		{"order 2", Options{Order: 2}, map[string][]string{"a": {"a", "a > b"}, "b": {"a > b", "b"}}},
		{"start per channel", Options{StartPerChannel: true}, map[string][]string{
			"a": {"(start:a)", "a"}, "b": {"(start:b)", "b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := chainMustFit(t, paths, tt.opt)
			sets := c.removalSets(nil)
			got := make(map[string][]string)
			for g, s := range sets {
				for _, i := range s {
					got[g] = append(got[g], c.Label(i))
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAttributeGroupsAndUnsubscribe(t *testing.T) {
	paths := []Path{
		{Steps: []string{"email/a", "ads/x", "email/b"}, Converted: true, Value: 30, Weight: 3},
		{Steps: []string{"ads/x"}, Converted: true, Value: 10, Weight: 1},
		{Steps: []string{"email/a", "stop"}, Converted: true, Value: 99, Weight: 2}, // absorbed by stop
		{Steps: []string{"ads/x", "email/b"}, Weight: 4},
	}
	res, err := Attribute(FromPaths(paths), Options{Unsubscribe: "stop"}, attrChannelOf)
	if err != nil {
		t.Fatal(err)
	}
	if res.Conversions != 4 || res.Value != 40 || res.Journeys != 10 {
		t.Errorf("totals: got %g conversions, %g value, %g journeys; want 4, 40, 10", res.Conversions, res.Value, res.Journeys)
	}
	want := map[string][3]Touch{ // first, last, linear
		"ads":   {{1, 10}, {1, 10}, {1 + 1, 10 + 10}},
		"email": {{3, 30}, {3, 30}, {2, 20}},
	}
	if len(res.Credits) != len(want) {
		t.Fatalf("got %d credits, want %d: %+v", len(res.Credits), len(want), res.Credits)
	}
	var sum, sumV float64
	for _, cr := range res.Credits {
		w := want[cr.Label]
		got := [3]Touch{cr.FirstTouch, cr.LastTouch, cr.Linear}
		for k := range got {
			if math.Abs(got[k].Conversions-w[k].Conversions) > 1e-12 || math.Abs(got[k].Value-w[k].Value) > 1e-12 {
				t.Errorf("%s touch %d: got %+v, want %+v", cr.Label, k, got[k], w[k])
			}
		}
		sum += cr.Markov.Conversions
		sumV += cr.Markov.Value
	}
	if math.Abs(sum-4) > 1e-12 || math.Abs(sumV-40) > 1e-12 {
		t.Errorf("Markov credits sum to %g conversions and %g value, want 4 and 40", sum, sumV)
	}
	c := chainMustFit(t, paths, Options{Unsubscribe: "stop"})
	attrCheckDirect(t, c, attrChannelOf, 1e-12)
}
