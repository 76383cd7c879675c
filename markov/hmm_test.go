package markov

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"
)

// hmmTwoState is the hand-worked model of the tests:
//
//	π = (0.6, 0.4)
//	A = | 0.7 0.3 |      B = | 0.5 0.4 0.1 |
//	    | 0.4 0.6 |          | 0.1 0.3 0.6 |
func hmmTwoState(tb testing.TB) *HMM {
	tb.Helper()
	h, err := NewHMM([]float64{0.6, 0.4},
		mat.NewDense(2, 2, []float64{0.7, 0.3, 0.4, 0.6}),
		mat.NewDense(2, 3, []float64{0.5, 0.4, 0.1, 0.1, 0.3, 0.6}))
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func TestHMMLogLikelihoodByHand(t *testing.T) {
	h := hmmTwoState(t)
	for _, tc := range []struct {
		name string
		seq  []int
		want float64 // P(seq), worked below
	}{
		{"empty", nil, 1},
		// α_1 = (0.6·0.5, 0.4·0.1) = (0.30, 0.04)
		{"one", []int{0}, 0.34},
		// o = (0, 1, 2):
		// α_1 = (0.30, 0.04)
		// α_2(0) = (0.30·0.7 + 0.04·0.4)·0.4 = 0.226·0.4 = 0.0904
		// α_2(1) = (0.30·0.3 + 0.04·0.6)·0.3 = 0.114·0.3 = 0.0342
		// α_3(0) = (0.0904·0.7 + 0.0342·0.4)·0.1 = 0.07696·0.1 = 0.007696
		// α_3(1) = (0.0904·0.3 + 0.0342·0.6)·0.6 = 0.04764·0.6 = 0.028584
		// P = 0.007696 + 0.028584 = 0.03628
		{"three", []int{0, 1, 2}, 0.03628},
		// o = (2, 2): α_1 = (0.06, 0.24)
		// α_2(0) = (0.06·0.7 + 0.24·0.4)·0.1 = 0.0138
		// α_2(1) = (0.06·0.3 + 0.24·0.6)·0.6 = 0.0972
		// P = 0.111
		{"two", []int{2, 2}, 0.111},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := h.LogLikelihood(tc.seq)
			if err != nil {
				t.Fatal(err)
			}
			if want := math.Log(tc.want); !scalar.EqualWithinAbsOrRel(got, want, 1e-12, 1e-12) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestHMMFilterAndNextEventByHand(t *testing.T) {
	h := hmmTwoState(t)
	// From α_3 above: belief = (0.007696, 0.028584) / 0.03628.
	belief, err := h.Filter(nil, []int{0, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{0.007696 / 0.03628, 0.028584 / 0.03628}; !floats.EqualApprox(belief, want, 1e-12) {
		t.Errorf("belief: got %v, want %v", belief, want)
	}
	// belief·A = (b0·0.7 + b1·0.4, b0·0.3 + b1·0.6); next = (belief·A)·B.
	b0, b1 := belief[0], belief[1]
	s0, s1 := b0*0.7+b1*0.4, b0*0.3+b1*0.6
	want := []float64{s0*0.5 + s1*0.1, s0*0.4 + s1*0.3, s0*0.1 + s1*0.6}
	got, err := h.NextEvent(nil, []int{0, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if !floats.EqualApprox(got, want, 1e-12) {
		t.Errorf("next event: got %v, want %v", got, want)
	}
	if sum := floats.Sum(got); math.Abs(sum-1) > 1e-12 {
		t.Errorf("next event sums to %v", sum)
	}
	// Empty sequence: belief is π.
	got, err = h.Filter(nil, nil)
	if err != nil || !floats.Equal(got, []float64{0.6, 0.4}) {
		t.Errorf("empty filter: got %v, %v, want π", got, err)
	}
}

func TestHMMViterbiByHand(t *testing.T) {
	h := hmmTwoState(t)
	for _, tc := range []struct {
		name     string
		seq      []int
		wantPath []int
		wantP    float64
	}{
		{"empty", nil, []int{}, 1},
		// δ_1 = (0.30, 0.04)
		// δ_2(0) = max(0.30·0.7, 0.04·0.4)·0.4 = 0.084  (ψ=0)
		// δ_2(1) = max(0.30·0.3, 0.04·0.6)·0.3 = 0.027  (ψ=0)
		// δ_3(0) = max(0.084·0.7, 0.027·0.4)·0.1 = 0.00588 (ψ=0)
		// δ_3(1) = max(0.084·0.3, 0.027·0.6)·0.6 = 0.01512 (ψ=0)
		// q_3 = 1, q_2 = ψ_3(1) = 0, q_1 = ψ_2(0) = 0
		{"0 1 2", []int{0, 1, 2}, []int{0, 0, 1}, 0.01512},
		// δ_1 = (0.06, 0.24)
		// δ_2 = (max(0.042, 0.096)·0.1, max(0.018, 0.144)·0.6) = (0.0096, 0.0864), ψ = (1, 1)
		// δ_3 = (max(0.00672, 0.03456)·0.1, max(0.00288, 0.05184)·0.6) = (0.003456, 0.031104)
		{"2 2 2", []int{2, 2, 2}, []int{1, 1, 1}, 0.031104},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, lp, err := h.Viterbi(tc.seq)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(path, tc.wantPath) {
				t.Errorf("path: got %v, want %v", path, tc.wantPath)
			}
			if want := math.Log(tc.wantP); !scalar.EqualWithinAbsOrRel(lp, want, 1e-12, 1e-12) {
				t.Errorf("log P: got %v, want %v", lp, want)
			}
		})
	}
}

// TestHMMAccumulateBruteForce checks the scaled forward–backward statistics
// against an enumeration of all K^T state paths.
func TestHMMAccumulateBruteForce(t *testing.T) {
	src := rand.NewPCG(1, 2)
	h := NewRandomHMM(3, 4, src)
	rnd := rand.New(src)
	for _, T := range []int{1, 2, 5} {
		seq := make([]int, T)
		for i := range seq {
			seq[i] = rnd.IntN(4)
		}
		got := NewHMMStats(3, 4)
		if err := h.Accumulate(got, seq); err != nil {
			t.Fatal(err)
		}
		want := hmmBruteStats(h, seq)
		if !scalar.EqualWithinAbsOrRel(got.LogLikelihood, want.LogLikelihood, 1e-12, 1e-12) {
			t.Errorf("T=%d log L: got %v, want %v", T, got.LogLikelihood, want.LogLikelihood)
		}
		if !floats.EqualApprox(got.Start, want.Start, 1e-12) {
			t.Errorf("T=%d start: got %v, want %v", T, got.Start, want.Start)
		}
		if !mat.EqualApprox(got.Trans, want.Trans, 1e-12) {
			t.Errorf("T=%d trans: got %v, want %v", T, mat.Formatted(got.Trans), mat.Formatted(want.Trans))
		}
		if !mat.EqualApprox(got.Emit, want.Emit, 1e-12) {
			t.Errorf("T=%d emit: got %v, want %v", T, mat.Formatted(got.Emit), mat.Formatted(want.Emit))
		}
		if got.Sequences != 1 || got.Observations != T {
			t.Errorf("T=%d counts: got %d, %d, want 1, %d", T, got.Sequences, got.Observations, T)
		}
	}
}

// hmmBruteStats returns the expected counts of seq by enumerating every path.
func hmmBruteStats(h *HMM, seq []int) *HMMStats {
	k, T := h.States(), len(seq)
	s := NewHMMStats(k, h.Symbols())
	path := make([]int, T)
	var total float64
	var walk func(t int)
	walk = func(t int) {
		if t < T {
			for i := 0; i < k; i++ {
				path[t] = i
				walk(t + 1)
			}
			return
		}
		p := h.Pi[path[0]] * h.B.At(path[0], seq[0])
		for u := 1; u < T; u++ {
			p *= h.A.At(path[u-1], path[u]) * h.B.At(path[u], seq[u])
		}
		total += p
		s.Start[path[0]] += p
		for u := 0; u < T; u++ {
			s.Emit.Set(path[u], seq[u], s.Emit.At(path[u], seq[u])+p)
			if u > 0 {
				s.Trans.Set(path[u-1], path[u], s.Trans.At(path[u-1], path[u])+p)
			}
		}
	}
	walk(0)
	floats.Scale(1/total, s.Start)
	s.Trans.Scale(1/total, s.Trans)
	s.Emit.Scale(1/total, s.Emit)
	s.LogLikelihood = math.Log(total)
	s.Sequences, s.Observations = 1, T
	return s
}

func TestHMMErrors(t *testing.T) {
	h := hmmTwoState(t)
	if _, err := h.LogLikelihood([]int{0, 3}); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("symbol out of range: got %v", err)
	}
	if _, _, err := h.Viterbi([]int{-1}); err == nil {
		t.Error("viterbi: want error for negative symbol")
	}
	z := h.Clone()
	z.B.SetRow(0, []float64{1, 0, 0})
	z.B.SetRow(1, []float64{1, 0, 0})
	if ll, err := z.LogLikelihood([]int{0, 2}); err == nil || !math.IsInf(ll, -1) {
		t.Errorf("zero probability: got %v, %v", ll, err)
	}
	if _, _, err := z.Viterbi([]int{2}); err == nil {
		t.Error("viterbi zero probability: want error")
	}
	for _, tc := range []struct {
		name string
		pi   []float64
		a, b []float64
	}{
		{"pi sum", []float64{0.5, 0.4}, []float64{1, 0, 0, 1}, []float64{1, 1}},
		{"negative", []float64{1.5, -0.5}, []float64{1, 0, 0, 1}, []float64{1, 1}},
		{"row sum", []float64{0.5, 0.5}, []float64{1, 0, 0.5, 0.4}, []float64{1, 1}},
		{"nan", []float64{0.5, 0.5}, []float64{1, 0, 0, 1}, []float64{math.NaN(), 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewHMM(tc.pi, mat.NewDense(2, 2, tc.a), mat.NewDense(2, 1, tc.b)); err == nil {
				t.Error("got nil error, want one")
			}
		})
	}
	defer func() {
		if r := recover(); r == nil || !strings.HasPrefix(r.(string), "markov:") {
			t.Errorf("shape mismatch: got panic %v, want markov: panic", r)
		}
	}()
	NewHMM([]float64{1}, mat.NewDense(2, 2, nil), mat.NewDense(1, 1, []float64{1}))
}

func TestHMMJSONRoundTrip(t *testing.T) {
	h := NewRandomHMM(4, 5, rand.NewPCG(7, 7))
	h.SymbolNames = []string{"a", "b", "c", "d", "e"}
	h.StateWeights = []float64{0.1, 0.2, 0.3, 0.4}
	h.AutoLabel(2)
	data, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var got HMM
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	hmmBitsEqual(t, "pi", got.Pi, h.Pi)
	hmmBitsEqual(t, "A", got.A.RawMatrix().Data, h.A.RawMatrix().Data)
	hmmBitsEqual(t, "B", got.B.RawMatrix().Data, h.B.RawMatrix().Data)
	hmmBitsEqual(t, "weights", got.StateWeights, h.StateWeights)
	if !reflect.DeepEqual(got.StateNames, h.StateNames) || !reflect.DeepEqual(got.SymbolNames, h.SymbolNames) {
		t.Errorf("names: got %v %v, want %v %v", got.StateNames, got.SymbolNames, h.StateNames, h.SymbolNames)
	}
	again, err := json.Marshal(struct{ M HMM }{got})
	again = []byte(strings.TrimSuffix(strings.TrimPrefix(string(again), `{"M":`), "}"))
	if err != nil || string(again) != string(data) {
		t.Errorf("second encoding differs:\n%s\n%s", again, data)
	}
	for _, bad := range []string{
		`{"states":2,"symbols":1,"initial":[0.5,0.5],"transitions":[[1,0]],"emissions":[[1],[1]]}`,
		`{"states":1,"symbols":1,"initial":[2],"transitions":[[1]],"emissions":[[1]]}`,
		`{"states":0}`,
		`[`,
	} {
		if err := json.Unmarshal([]byte(bad), &got); err == nil {
			t.Errorf("%s: got nil error", bad)
		}
	}
}

func hmmBitsEqual(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Errorf("%s[%d]: got %v, want %v (bits differ)", what, i, got[i], want[i])
		}
	}
}

func TestHMMAutoLabel(t *testing.T) {
	// State 0 emits mostly "open" and "click", state 1 mostly "buy".
	h, err := NewHMM([]float64{0.5, 0.5},
		mat.NewDense(2, 2, []float64{0.5, 0.5, 0.5, 0.5}),
		mat.NewDense(2, 4, []float64{
			0.45, 0.40, 0.05, 0.10,
			0.05, 0.05, 0.80, 0.10,
		}))
	if err != nil {
		t.Fatal(err)
	}
	h.SymbolNames = []string{"open", "click", "buy", "browse"}
	h.AutoLabel(2)
	if want := []string{"open+click", "buy"}; !reflect.DeepEqual(h.StateNames, want) {
		t.Errorf("labels: got %v, want %v", h.StateNames, want)
	}
	if err := h.Rename(1, "buyers"); err != nil {
		t.Fatal(err)
	}
	if got := h.StateName(1); got != "buyers" {
		t.Errorf("renamed: got %q, want %q", got, "buyers")
	}
	if err := h.Rename(0, "buyers"); err == nil {
		t.Error("duplicate name: got nil error")
	}
	// Identical states get distinct labels.
	h.B.SetRow(1, h.B.RawRowView(0))
	h.AutoLabel(1)
	if want := []string{"open", "open#2"}; !reflect.DeepEqual(h.StateNames, want) {
		t.Errorf("labels: got %v, want %v", h.StateNames, want)
	}
}

func TestHMMBIC(t *testing.T) {
	h := NewRandomHMM(3, 5, rand.NewPCG(1, 1))
	// p = (3−1) + 3·2 + 3·4 = 20
	if got := h.NumParams(); got != 20 {
		t.Errorf("params: got %d, want 20", got)
	}
	if got, want := h.BIC(-100, 50), 200+20*math.Log(50); !scalar.EqualWithinAbsOrRel(got, want, 1e-12, 1e-12) {
		t.Errorf("BIC: got %v, want %v", got, want)
	}
}
