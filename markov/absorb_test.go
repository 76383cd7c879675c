package markov

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// absorbRuin returns the gambler's-ruin chain on 0..n: from i, up with
// probability p, down otherwise; n is Conversion and 0 is Exit.
func absorbRuin(tb testing.TB, n int, p float64) *Chain {
	tb.Helper()
	labels := make([]string, n+1)
	m := mat.NewDense(n+1, n+1, nil)
	for i := 0; i <= n; i++ {
		labels[i] = fmt.Sprint(i)
		switch i {
		case 0:
			labels[i] = Exit
			m.Set(i, i, 1)
		case n:
			labels[i] = Conversion
			m.Set(i, i, 1)
		default:
			m.Set(i, i+1, p)
			m.Set(i, i-1, 1-p)
		}
	}
	c, err := NewChain(labels, m)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestAbsorbingGamblersRuin(t *testing.T) {
	tests := []struct {
		n int
		p float64
	}{
		{5, 0.5}, {10, 0.5}, {7, 0.3}, {12, 0.55}, {20, 0.9},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("n=%d p=%g", tt.n, tt.p), func(t *testing.T) {
			c := absorbRuin(t, tt.n, tt.p)
			a, err := c.Absorbing()
			if err != nil {
				t.Fatal(err)
			}
			q := 1 - tt.p
			n := float64(tt.n)
			var got, want, gotT, wantT []float64
			for i := 1; i < tt.n; i++ {
				s := c.Index(fmt.Sprint(i))
				x := float64(i)
				var win, steps float64
				if tt.p == 0.5 {
					win, steps = x/n, x*(n-x)
				} else {
					r := q / tt.p
					win = (1 - math.Pow(r, x)) / (1 - math.Pow(r, n))
					steps = x/(q-tt.p) - n/(q-tt.p)*win
				}
				got = append(got, a.ConversionProbability(s))
				want = append(want, win)
				gotT = append(gotT, a.ExpectedSteps(s))
				wantT = append(wantT, steps)
				if sum := a.Absorption(s, c.ConversionState()) + a.Absorption(s, c.ExitState()); math.Abs(sum-1) > 1e-12 {
					t.Errorf("B row %d sums to %g", i, sum)
				}
			}
			if !floats.EqualApprox(got, want, 1e-12) {
				t.Errorf("conversion probabilities: got %v, want %v", got, want)
			}
			if !floats.EqualApprox(gotT, wantT, 1e-9) {
				t.Errorf("expected steps: got %v, want %v", gotT, wantT)
			}
		})
	}
}

// absorbHand is a chain worked by hand:
//
//	start → a 0.6, b 0.4
//	a → b 0.5, conversion 0.2, exit 0.3
//	b → a 0.25, conversion 0.25, exit 0.5
//
// c_a = 13/35, c_b = 12/35, p = 0.36; t = (2.6, 12/7, 10/7);
// visits from start (1, 0.8, 0.8).
func absorbHand(tb testing.TB) *Chain {
	tb.Helper()
	c, err := NewChain([]string{Start, "a", "b", Conversion, Exit}, mat.NewDense(5, 5, []float64{
		0, 0.6, 0.4, 0, 0,
		0, 0, 0.5, 0.2, 0.3,
		0, 0.25, 0, 0.25, 0.5,
		0, 0, 0, 1, 0,
		0, 0, 0, 0, 1,
	}))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestAbsorbingByHand(t *testing.T) {
	c := absorbHand(t)
	a, err := c.Absorbing()
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want float64
	}{
		{"c(start)", a.ConversionProbability(0), 0.36},
		{"c(a)", a.ConversionProbability(1), 13.0 / 35},
		{"c(b)", a.ConversionProbability(2), 12.0 / 35},
		{"c(conversion)", a.ConversionProbability(3), 1},
		{"c(exit)", a.ConversionProbability(4), 0},
		{"p", a.ConversionRate(), 0.36},
		{"exit(a)", a.Absorption(1, 4), 22.0 / 35},
		{"t(start)", a.ExpectedSteps(0), 2.6},
		{"t(a)", a.ExpectedSteps(1), 12.0 / 7},
		{"t(b)", a.ExpectedSteps(2), 10.0 / 7},
		{"t(exit)", a.ExpectedSteps(4), 0},
	}
	for _, ck := range checks {
		if math.Abs(ck.got-ck.want) > 1e-14 {
			t.Errorf("%s: got %.17g, want %.17g", ck.name, ck.got, ck.want)
		}
	}
	if got, want := a.JourneyVisits(), []float64{1, 0.8, 0.8}; !floats.EqualApprox(got, want, 1e-14) {
		t.Errorf("JourneyVisits: got %v, want %v", got, want)
	}
	if got, want := a.Visits(0), []float64{1, 0.8, 0.8}; !floats.EqualApprox(got, want, 1e-14) {
		t.Errorf("Visits(start): got %v, want %v", got, want)
	}
	// N from the solves equals the inverse, and its rows are the visits.
	var n mat.Dense
	a.FundamentalTo(&n)
	for i := 0; i < c.Transient(); i++ {
		if got, want := n.RawRowView(i), a.Visits(i); !floats.EqualApprox(got, want, 1e-14) {
			t.Errorf("N row %d: got %v, want %v", i, got, want)
		}
	}
	var iq, prod mat.Dense
	iq.Sub(eye(3), c.P().(*mat.Dense).Slice(0, 3, 0, 3))
	prod.Mul(&iq, &n)
	if !mat.EqualApprox(&prod, eye(3), 1e-14) {
		t.Errorf("(I−Q)N = %v, want I", mat.Formatted(&prod))
	}
}

func eye(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		m.Set(i, i, 1)
	}
	return m
}

func TestAbsorbingErrors(t *testing.T) {
	// a ↔ b never reach the absorbing state.
	c, err := NewChain([]string{Start, "a", "b", Exit}, mat.NewDense(4, 4, []float64{
		0, 0, 0, 1,
		0, 0, 1, 0,
		0, 1, 0, 0,
		0, 0, 0, 1,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Absorbing(); !errors.Is(err, ErrSingular) {
		t.Errorf("trapped states: got %v, want ErrSingular", err)
	}
	// Only absorbing states.
	c, err = NewChain([]string{Exit}, mat.NewDense(1, 1, []float64{1}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Absorbing(); !errors.Is(err, ErrEmpty) {
		t.Errorf("no transient state: got %v, want ErrEmpty", err)
	}
	// No start: absorbing analysis works, removal effects do not.
	c, err = NewChain([]string{"a", Conversion, Exit}, mat.NewDense(3, 3, []float64{
		0.5, 0.25, 0.25,
		0, 1, 0,
		0, 0, 1,
	}))
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.Absorbing()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := a.ConversionProbability(0), 0.5; math.Abs(got-want) > 1e-15 {
		t.Errorf("c(a): got %g, want %g", got, want)
	}
	if _, err := a.RemovalEffects(nil); !errors.Is(err, ErrNoStart) {
		t.Errorf("RemovalEffects without start: got %v, want ErrNoStart", err)
	}
}
