package markov

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// randomPaths returns n paths over a few steps and channels, some
// converted with a value, some reaching "unsub", some weighted.
func randomPaths(n int, seed uint64) []Path {
	rng := rand.New(rand.NewPCG(seed, 1))
	steps := []string{"home", "list", "product", "cart", "checkout", "unsub"}
	channels := []string{"web", "email", "ads"}
	paths := make([]Path, n)
	for i := range paths {
		p := Path{Channel: channels[rng.IntN(len(channels))], Converted: rng.IntN(4) == 0}
		for range 1 + rng.IntN(6) {
			p.Steps = append(p.Steps, steps[rng.IntN(len(steps))])
		}
		if p.Converted {
			p.Value = float64(rng.IntN(100))
		}
		if rng.IntN(5) == 0 {
			p.Weight = float64(1 + rng.IntN(3))
		}
		paths[i] = p
	}
	return paths
}

// split cuts paths at the given indexes into FromPaths streams.
func split(paths []Path, cuts ...int) []Sequences {
	var parts []Sequences
	prev := 0
	for _, c := range append(cuts, len(paths)) {
		parts = append(parts, FromPaths(paths[prev:c]))
		prev = c
	}
	return parts
}

func TestFitPartsEqualsFit(t *testing.T) {
	paths := randomPaths(400, 3)
	opts := []Options{
		{},
		{Order: 2},
		{StartPerChannel: true, Unsubscribe: "unsub"},
		{Order: 3, CollapseRepeats: true, Smoothing: 0.5},
	}
	cuts := [][]int{nil, {200}, {0, 400}, {1, 2, 399}, {50, 100, 150, 300}}
	for _, opt := range opts {
		want, err := Fit(FromPaths(paths), opt)
		if err != nil {
			t.Fatal(err)
		}
		wantAt, err := Attribute(FromPaths(paths), opt, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, cut := range cuts {
			t.Run(fmt.Sprintf("%+v/%v", opt, cut), func(t *testing.T) {
				got, err := FitParts(split(paths, cut...), opt)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got.Labels(), want.Labels()) {
					t.Fatalf("labels %q, want %q", got.Labels(), want.Labels())
				}
				if !mat.EqualApprox(got.Counts(), want.Counts(), 1e-9) || !mat.EqualApprox(got.P(), want.P(), 1e-12) {
					t.Errorf("counts or probabilities differ from Fit's")
				}
				for i := range want.Len() {
					if !nearly(got.ConversionValue(i), want.ConversionValue(i)) {
						t.Errorf("value at %s: %g, want %g", want.Label(i), got.ConversionValue(i), want.ConversionValue(i))
					}
				}
				if got.Journeys() != want.Journeys() || got.Conversions() != want.Conversions() || !nearly(got.Value(), want.Value()) {
					t.Errorf("totals %g/%g/%g, want %g/%g/%g", got.Journeys(), got.Conversions(), got.Value(),
						want.Journeys(), want.Conversions(), want.Value())
				}
				at, err := AttributeParts(split(paths, cut...), opt, nil)
				if err != nil {
					t.Fatal(err)
				}
				if len(at.Credits) != len(wantAt.Credits) {
					t.Fatalf("%d credits, want %d", len(at.Credits), len(wantAt.Credits))
				}
				for i, c := range at.Credits {
					w := wantAt.Credits[i]
					if c.Label != w.Label || !nearly(c.Markov.Conversions, w.Markov.Conversions) ||
						!nearly(c.FirstTouch.Value, w.FirstTouch.Value) || !nearly(c.LastTouch.Conversions, w.LastTouch.Conversions) ||
						!nearly(c.Linear.Value, w.Linear.Value) {
						t.Errorf("credit %+v, want %+v", c, w)
					}
				}
			})
		}
	}
}

func TestFitPartsErrors(t *testing.T) {
	if _, err := FitParts(nil, Options{}); err != ErrEmpty {
		t.Errorf("no part: %v, want ErrEmpty", err)
	}
	if _, err := FitParts(split(nil, 0), Options{}); err != ErrEmpty {
		t.Errorf("empty parts: %v, want ErrEmpty", err)
	}
	bad := []Path{{Steps: []string{"a"}}, {Steps: []string{"b"}, Weight: -1}}
	if _, err := FitParts(split(bad, 1), Options{}); err == nil {
		t.Error("a negative weight in the second part: no error")
	}
}

func nearly(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
