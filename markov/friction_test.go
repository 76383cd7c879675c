package markov

import (
	"math"
	"testing"
)

func TestFrictionByHand(t *testing.T) {
	c := absorbHand(t)
	a, err := c.Absorbing()
	if err != nil {
		t.Fatal(err)
	}
	f := a.Friction()
	ia, ib, conv, exit := c.Index("a"), c.Index("b"), c.ConversionState(), c.ExitState()
	// Without counts, traffic is the expected flow per journey y_i·P[i][j],
	// with y = (1, 0.8, 0.8).
	wantEdges := map[[2]int]EdgeFriction{
		{ia, ib}:   {Traffic: 0.4, Delta: -1.0 / 35, Lost: 0.4 / 35},
		{ia, exit}: {Traffic: 0.24, Delta: -13.0 / 35, Lost: 0.24 * 13 / 35},
		{ia, conv}: {Traffic: 0.16, Delta: 22.0 / 35, Lost: -0.16 * 22 / 35},
		{ib, ia}:   {Traffic: 0.2, Delta: 1.0 / 35, Lost: -0.2 / 35},
		{0, ia}:    {Traffic: 0.6, Delta: 13.0/35 - 0.36, Lost: -0.6 * (13.0/35 - 0.36)},
	}
	found := 0
	lost := make(map[int]float64)
	for k, e := range f.Edges {
		if k > 0 && e.Lost > f.Edges[k-1].Lost {
			t.Errorf("edges not sorted by Lost at %d", k)
		}
		lost[e.From] += e.Lost
		w, ok := wantEdges[[2]int{e.From, e.To}]
		if !ok {
			continue
		}
		found++
		if math.Abs(e.Traffic-w.Traffic) > 1e-15 || math.Abs(e.Delta-w.Delta) > 1e-15 || math.Abs(e.Lost-w.Lost) > 1e-15 {
			t.Errorf("edge %s→%s: got %+v, want %+v", c.Label(e.From), c.Label(e.To), e, w)
		}
	}
	if found != len(wantEdges) {
		t.Errorf("found %d of %d edges", found, len(wantEdges))
	}
	for i, l := range lost {
		if math.Abs(l) > 1e-15 {
			t.Errorf("lost out of %s sums to %g, want 0", c.Label(i), l)
		}
	}
	wantSteps := []StepFriction{
		{State: ia, Traffic: 0.8, Conversion: 13.0 / 35, Exit: 0.3, BackForth: 0.125},
		{State: ib, Traffic: 0.8, Conversion: 12.0 / 35, Exit: 0.5, BackForth: 0.125},
	}
	if len(f.Steps) != len(wantSteps) {
		t.Fatalf("got %d steps, want %d", len(f.Steps), len(wantSteps))
	}
	for k, w := range wantSteps {
		g := f.Steps[k]
		if g.State != w.State || math.Abs(g.Traffic-w.Traffic) > 1e-15 || math.Abs(g.Conversion-w.Conversion) > 1e-15 ||
			g.Exit != w.Exit || g.Loop != w.Loop || math.Abs(g.BackForth-w.BackForth) > 1e-15 {
			t.Errorf("step %d: got %+v, want %+v", k, g, w)
		}
	}
	if math.Abs(f.Exit-0.4) > 1e-15 || f.Loop != 0 || math.Abs(f.BackForth-0.125) > 1e-15 {
		t.Errorf("averages: got exit %g loop %g back-forth %g, want 0.4 0 0.125", f.Exit, f.Loop, f.BackForth)
	}
}

func TestFrictionFittedUsesCounts(t *testing.T) {
	paths := []Path{
		{Steps: []string{"home", "cart", "pay"}, Converted: true, Weight: 3},
		{Steps: []string{"home", "cart", "home"}, Weight: 2},
		{Steps: []string{"home", "home"}, Weight: 1},
	}
	c := chainMustFit(t, paths, Options{})
	a, err := c.Absorbing()
	if err != nil {
		t.Fatal(err)
	}
	f := a.Friction()
	home, cart := c.Index("home"), c.Index("cart")
	for _, e := range f.Edges {
		if e.Traffic != c.Count(e.From, e.To) {
			t.Errorf("edge %s→%s: traffic %g, want count %g", c.Label(e.From), c.Label(e.To), e.Traffic, c.Count(e.From, e.To))
		}
	}
	for _, s := range f.Steps {
		switch s.State {
		case home:
			// home: 9 transitions out: →cart 5, →home 1, →exit 3.
			if got, want := s.Loop, 1.0/9; math.Abs(got-want) > 1e-15 {
				t.Errorf("loop(home): got %g, want %g", got, want)
			}
			if got, want := s.Traffic, 9.0; got != want {
				t.Errorf("traffic(home): got %g, want %g", got, want)
			}
			// home→cart→home: 5/9 · 2/5.
			if got, want := s.BackForth, 5.0/9*2/5; math.Abs(got-want) > 1e-15 {
				t.Errorf("back-forth(home): got %g, want %g", got, want)
			}
		case cart:
			if got, want := s.Exit, 0.0; got != want {
				t.Errorf("exit(cart): got %g, want %g", got, want)
			}
		}
	}
}

func TestScore(t *testing.T) {
	c := absorbHand(t)
	tests := []struct {
		name  string
		path  Path
		logL  float64
		steps int
	}{
		{"converted", Path{Steps: []string{"a", "b"}, Converted: true}, math.Log(0.6) + math.Log(0.5) + math.Log(0.25), 3},
		{"exit", Path{Steps: []string{"b"}}, math.Log(0.4) + math.Log(0.5), 2},
		{"loop back", Path{Steps: []string{"a", "b", "a"}}, math.Log(0.6) + math.Log(0.5) + math.Log(0.25) + math.Log(0.3), 4},
		{"impossible edge", Path{Steps: []string{"a", "a"}}, math.Inf(-1), 2},
		{"unknown step", Path{Steps: []string{"z"}}, math.Inf(-1), 1},
		{"empty", Path{Converted: true}, math.Inf(-1), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Score(tt.path)
			if got.Transitions != tt.steps {
				t.Errorf("Transitions: got %d, want %d", got.Transitions, tt.steps)
			}
			if !(got.LogLikelihood == tt.logL || math.Abs(got.LogLikelihood-tt.logL) < 1e-14) {
				t.Errorf("LogLikelihood: got %g, want %g", got.LogLikelihood, tt.logL)
			}
			if want := tt.logL / float64(tt.steps); !(got.PerStep == want || math.Abs(got.PerStep-want) < 1e-14) {
				t.Errorf("PerStep: got %g, want %g", got.PerStep, want)
			}
		})
	}
}

func TestScoreMatchesFitOptions(t *testing.T) {
	paths := []Path{
		{Steps: []string{"a", "a", "b", "c"}, Channel: "mail", Converted: true},
		{Steps: []string{"b", "stop", "c"}, Channel: "ads"},
		{Steps: []string{"a", "b"}, Channel: "mail"},
	}
	for _, opt := range []Options{
		{},
		{Order: 2},
		{Order: 3, CollapseRepeats: true},
		{StartPerChannel: true, Unsubscribe: "stop"},
	} {
		c := chainMustFit(t, paths, opt)
		// The log-likelihood of the training set is Σ n log(n/out) per edge.
		var want float64
		for _, e := range c.Edges() {
			want += e.Count * math.Log(e.Prob)
		}
		var got float64
		for _, p := range paths {
			got += c.Score(p).LogLikelihood
		}
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("%+v: Σ Score: got %g, want %g", opt, got, want)
		}
	}
}
