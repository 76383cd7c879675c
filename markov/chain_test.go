package markov

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// chainMustFit fits paths with opt or fails the test.
func chainMustFit(tb testing.TB, paths []Path, opt Options) *Chain {
	tb.Helper()
	c, err := Fit(FromPaths(paths), opt)
	if err != nil {
		tb.Fatalf("Fit: %v", err)
	}
	return c
}

// chainProb returns P[from][to] by labels, failing on unknown labels.
func chainProb(tb testing.TB, c *Chain, from, to string) float64 {
	tb.Helper()
	i, j := c.Index(from), c.Index(to)
	if i < 0 || j < 0 {
		tb.Fatalf("no state %q or %q in %q", from, to, c.Labels())
	}
	return c.Prob(i, j)
}

func TestFitCountsAndProbabilities(t *testing.T) {
	paths := []Path{
		{Steps: []string{"a", "b"}, Converted: true, Value: 10, Weight: 2},
		{Steps: []string{"a", "a", "c"}},
		{Steps: []string{"b"}, Weight: 3},
	}
	c := chainMustFit(t, paths, Options{})
	wantLabels := []string{Start, "a", "b", "c", Conversion, Exit}
	if got := c.Labels(); !equalStrings(got, wantLabels) {
		t.Fatalf("labels: got %q, want %q", got, wantLabels)
	}
	if got, want := c.Transient(), 4; got != want {
		t.Errorf("Transient: got %d, want %d", got, want)
	}
	tests := []struct {
		from, to     string
		count, shown float64
	}{
		{Start, "a", 3, 3.0 / 6},
		{Start, "b", 3, 3.0 / 6},
		{"a", "a", 1, 1.0 / 4},
		{"a", "b", 2, 2.0 / 4},
		{"a", "c", 1, 1.0 / 4},
		{"b", Conversion, 2, 2.0 / 5},
		{"b", Exit, 3, 3.0 / 5},
		{"c", Exit, 1, 1},
		{Conversion, Conversion, 0, 1},
		{"c", "a", 0, 0},
	}
	for _, tt := range tests {
		i, j := c.Index(tt.from), c.Index(tt.to)
		if got := c.Count(i, j); got != tt.count {
			t.Errorf("Count(%s→%s): got %g, want %g", tt.from, tt.to, got, tt.count)
		}
		if got := c.Prob(i, j); math.Abs(got-tt.shown) > 1e-15 {
			t.Errorf("Prob(%s→%s): got %g, want %g", tt.from, tt.to, got, tt.shown)
		}
	}
	if got, want := c.Journeys(), 6.0; got != want {
		t.Errorf("Journeys: got %g, want %g", got, want)
	}
	if got, want := c.Conversions(), 2.0; got != want {
		t.Errorf("Conversions: got %g, want %g", got, want)
	}
	if got, want := c.ConversionValue(c.Index("b")), 5.0; got != want {
		t.Errorf("ConversionValue(b): got %g, want %g", got, want)
	}
	if got, want := c.StartWeights(), []float64{1}; got[0] != want[0] {
		t.Errorf("StartWeights: got %v, want %v", got, want)
	}
	if got, want := c.Out(c.Index("a")), 4.0; got != want {
		t.Errorf("Out(a): got %g, want %g", got, want)
	}
	if got, want := len(c.Edges()), 8; got != want {
		t.Errorf("len(Edges): got %d, want %d", got, want)
	}
}

func TestFitOptions(t *testing.T) {
	paths := []Path{
		{Steps: []string{"a", "a", "b"}, Channel: "email", Converted: true},
		{Steps: []string{"b", "a"}, Channel: "ads"},
		{Steps: []string{"a", "stop", "b"}, Converted: true},
	}
	tests := []struct {
		name     string
		opt      Options
		from, to string
		want     float64
	}{
		{"order1", Options{}, "a", "a", 1.0 / 4},
		{"collapse", Options{CollapseRepeats: true}, "a", "a", 0},
		{"collapse keeps others", Options{CollapseRepeats: true}, "a", "b", 1.0 / 3},
		{"order2 prefix", Options{Order: 2}, "a", "a > a", 1.0 / 2},
		{"order2 tuple", Options{Order: 2}, "a > a", "a > b", 1},
		{"order2 conversion", Options{Order: 2}, "a > b", Conversion, 1},
		{"order3 short", Options{Order: 3}, "b > a", Exit, 1},
		{"start per channel", Options{StartPerChannel: true}, "(start:email)", "a", 1},
		{"start per channel default first step", Options{StartPerChannel: true}, "(start:a)", "a", 1},
		{"unsubscribe", Options{Unsubscribe: "stop"}, "a", Unsubscribe, 1.0 / 4},
		{"unsubscribe drops rest", Options{Unsubscribe: "stop"}, "b", Conversion, 1.0 / 2},
		{"step without unsubscribe", Options{}, "stop", "b", 1},
		// a: 4 observed transitions + α to each of a, b, stop and the 2 absorbing states.
		{"smoothing", Options{Smoothing: 1}, "a", "b", (1.0 + 1) / (4 + 3 + 2)},
		{"smoothing unseen", Options{Smoothing: 1}, "a", Conversion, 1.0 / 9},
		{"smoothing start", Options{Smoothing: 0.5}, Start, "stop", 0.5 / (3 + 0.5*5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := chainMustFit(t, paths, tt.opt)
			if got := chainProb(t, c, tt.from, tt.to); math.Abs(got-tt.want) > 1e-15 {
				t.Errorf("P[%s][%s]: got %g, want %g", tt.from, tt.to, got, tt.want)
			}
			for i := 0; i < c.Len(); i++ {
				if s := mat.Sum(c.P().(*mat.Dense).RowView(i)); math.Abs(s-1) > 1e-12 {
					t.Errorf("row %q sums to %g", c.Label(i), s)
				}
			}
		})
	}
}

func TestFitOrder2Smoothing(t *testing.T) {
	// Only shifts of a state's tuple get the pseudo-count.
	paths := []Path{
		{Steps: []string{"a", "b", "c"}, Converted: true},
		{Steps: []string{"b", "c", "a"}},
	}
	c := chainMustFit(t, paths, Options{Order: 2, Smoothing: 1})
	// a > b: observed a>b→b>c once; allowed: b>c (observed state, shift), absorbing ×2.
	if got, want := chainProb(t, c, "a > b", "b > c"), 2.0/4; math.Abs(got-want) > 1e-15 {
		t.Errorf("P[a>b][b>c]: got %g, want %g", got, want)
	}
	if got := chainProb(t, c, "a > b", "c > a"); got != 0 {
		t.Errorf("P[a>b][c>a]: got %g, want 0 (not a shift)", got)
	}
}

func TestFitErrors(t *testing.T) {
	tests := []struct {
		name  string
		paths []Path
		is    error
	}{
		{"empty", nil, ErrEmpty},
		{"negative weight", []Path{{Steps: []string{"a"}, Weight: -1}}, nil},
		{"NaN value", []Path{{Steps: []string{"a"}, Converted: true, Value: math.NaN()}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Fit(FromPaths(tt.paths), Options{})
			if err == nil {
				t.Fatal("got nil error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("got %v, want %v", err, tt.is)
			}
		})
	}
	many := []Path{{Steps: []string{"a", "b", "c", "d"}}}
	if _, err := Fit(FromPaths(many), Options{MaxStates: 5}); !errors.Is(err, ErrTooManyStates) {
		t.Errorf("7 states, MaxStates 5: got %v, want ErrTooManyStates", err)
	}
	if _, err := Fit(&chainFailing{}, Options{}); err == nil || err.Error() != "disk full" {
		t.Errorf("iterator error: got %v, want disk full", err)
	}
}

type chainFailing struct{ n int }

func (f *chainFailing) Next() bool { f.n++; return f.n < 3 }
func (f *chainFailing) At() Path   { return Path{Steps: []string{"a"}} }
func (f *chainFailing) Err() error { return errors.New("disk full") }

func TestNewChainErrors(t *testing.T) {
	tests := []struct {
		name string
		p    []float64
		is   error
	}{
		{"row sum", []float64{0.5, 0.4, 0, 1}, nil},
		{"negative", []float64{1.5, -0.5, 0, 1}, nil},
		{"no absorbing", []float64{0.5, 0.5, 0.5, 0.5}, ErrNoAbsorbing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewChain([]string{"a", Exit}, mat.NewDense(2, 2, tt.p))
			if err == nil {
				t.Fatal("got nil error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("got %v, want %v", err, tt.is)
			}
		})
	}
	if _, err := NewChain([]string{"a", "a"}, mat.NewDense(2, 2, []float64{0, 1, 0, 1})); err == nil {
		t.Error("duplicate labels: got nil error")
	}
	defer func() {
		if r := recover(); r == nil {
			t.Error("shape mismatch: no panic")
		}
	}()
	NewChain([]string{"a"}, mat.NewDense(2, 2, nil))
}

// TestFitConverges samples journeys from a known chain with a seeded
// source and checks every estimated probability within 4.5 standard errors
// sqrt(p(1−p)/n_i), and the conversion probabilities within 0.01.
func TestFitConverges(t *testing.T) {
	labels := []string{Start, "a", "b", "c", Conversion, Exit}
	truth := mat.NewDense(6, 6, []float64{
		0, 0.5, 0.3, 0.2, 0, 0,
		0, 0.1, 0.4, 0.2, 0.1, 0.2,
		0, 0.3, 0, 0.3, 0.05, 0.35,
		0, 0.2, 0.2, 0.2, 0.3, 0.1,
		0, 0, 0, 0, 1, 0,
		0, 0, 0, 0, 0, 1,
	})
	want, err := NewChain(labels, truth)
	if err != nil {
		t.Fatal(err)
	}
	src := rand.NewPCG(1, 2)
	paths := chainSample(want, 20000, src)
	got := chainMustFit(t, paths, Options{})
	for _, from := range labels[:4] {
		i := got.Index(from)
		n := got.Out(i)
		for _, to := range labels[1:] {
			p := chainProb(t, want, from, to)
			se := math.Sqrt(p * (1 - p) / n)
			if d := math.Abs(chainProb(t, got, from, to) - p); d > 4.5*se+1e-12 {
				t.Errorf("P[%s][%s]: got %.4f, want %.4f ± %.4f", from, to, chainProb(t, got, from, to), p, 4.5*se)
			}
		}
	}
	wa, _ := want.Absorbing()
	ga, err := got.Absorbing()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range labels[:4] {
		w, g := wa.ConversionProbability(want.Index(l)), ga.ConversionProbability(got.Index(l))
		if math.Abs(w-g) > 0.01 {
			t.Errorf("conversion probability of %s: got %.4f, want %.4f", l, g, w)
		}
	}
}

// chainSample walks n journeys through c from its first start state.
func chainSample(c *Chain, n int, src rand.Source) []Path {
	rnd := rand.New(src)
	paths := make([]Path, 0, n)
	for range n {
		i := c.Starts()[0]
		var steps []string
		for !c.IsAbsorbing(i) {
			u, acc := rnd.Float64(), 0.0
			next := c.Len() - 1
			for j := 0; j < c.Len(); j++ {
				acc += c.Prob(i, j)
				if u < acc {
					next = j
					break
				}
			}
			i = next
			if !c.IsAbsorbing(i) {
				steps = append(steps, c.Label(i))
			}
		}
		paths = append(paths, Path{Steps: steps, Converted: c.Label(i) == Conversion})
	}
	return paths
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
