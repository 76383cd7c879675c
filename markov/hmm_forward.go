package markov

import (
	"errors"
	"fmt"
	"math"
)

// hmmFlat is a read-only, cache-friendly copy of a model's parameters used
// by the inner loops: row-major A, its transpose and B transposed so that the
// K emission probabilities of one symbol are contiguous.
type hmmFlat struct {
	k, m int
	pi   []float64 // K
	a    []float64 // K×K, a[i*K+j] = A[i][j]
	at   []float64 // K×K, at[j*K+i] = A[i][j]
	bt   []float64 // M×K, bt[o*K+k] = B[k][o]
}

func (h *HMM) hmmFlatten() *hmmFlat {
	k, m := h.States(), h.Symbols()
	if r, c := h.A.Dims(); r != k || c != k {
		panic(fmt.Sprintf("markov: transition matrix is %d×%d, want %d×%d", r, c, k, k))
	}
	if r, _ := h.B.Dims(); r != k {
		panic(fmt.Sprintf("markov: emission matrix has %d rows, want %d", r, k))
	}
	f := &hmmFlat{
		k: k, m: m,
		pi: append([]float64(nil), h.Pi...),
		a:  make([]float64, k*k),
		at: make([]float64, k*k),
		bt: make([]float64, m*k),
	}
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			v := h.A.At(i, j)
			f.a[i*k+j] = v
			f.at[j*k+i] = v
		}
		for o := 0; o < m; o++ {
			f.bt[o*k+i] = h.B.At(i, o)
		}
	}
	return f
}

// hmmAcc accumulates sufficient statistics in flat form. trans holds
// Σ_t α̂_t(i)·w_{t+1}(j) with w_{t+1}(j) = B[j][o_{t+1}] β̂_{t+1}(j) / c_{t+1};
// the expected transition counts are A[i][j] times it, a product taken once
// when the accumulator is turned into HMMStats.
type hmmAcc struct {
	start []float64 // K
	trans []float64 // K×K (see above)
	emitT []float64 // M×K, emitT[o*K+k] = Σ_t γ_t(k) [o_t = o]
	ll    float64
	nseq  int
	nobs  int
}

func hmmNewAcc(k, m int) *hmmAcc {
	return &hmmAcc{start: make([]float64, k), trans: make([]float64, k*k), emitT: make([]float64, m*k)}
}

func (a *hmmAcc) reset() {
	clear(a.start)
	clear(a.trans)
	clear(a.emitT)
	a.ll, a.nseq, a.nobs = 0, 0, 0
}

func (a *hmmAcc) add(b *hmmAcc) {
	for i, v := range b.start {
		a.start[i] += v
	}
	for i, v := range b.trans {
		a.trans[i] += v
	}
	for i, v := range b.emitT {
		a.emitT[i] += v
	}
	a.ll += b.ll
	a.nseq += b.nseq
	a.nobs += b.nobs
}

// hmmWork is the per-goroutine scratch space of the forward–backward pass.
type hmmWork struct {
	alpha []float64 // T×K scaled forward variables α̂
	scale []float64 // T scaling factors c_t
	beta  []float64 // K
	next  []float64 // K
	w     []float64 // K
}

func hmmNewWork(k int) *hmmWork {
	return &hmmWork{beta: make([]float64, k), next: make([]float64, k), w: make([]float64, k)}
}

func (w *hmmWork) grow(t, k int) {
	if cap(w.alpha) < t*k {
		w.alpha = make([]float64, t*k, 2*t*k)
		w.scale = make([]float64, t, 2*t)
	}
	w.alpha = w.alpha[:t*k]
	w.scale = w.scale[:t]
}

// hmmErrZeroProb is wrapped by the error of a sequence the model cannot emit.
var hmmErrZeroProb = errors.New("markov: sequence has zero probability under the model")

func hmmZeroProb(t int) error {
	return fmt.Errorf("%w at position %d (consider a Dirichlet prior)", hmmErrZeroProb, t)
}

// forward runs the scaled forward pass (Rabiner 1989, §V.A):
//
//	α̃_1(i) = π_i B[i][o_1],             c_1 = Σ_i α̃_1(i),  α̂_1 = α̃_1 / c_1
//	α̃_t(j) = Σ_i α̂_{t-1}(i) A[i][j] B[j][o_t],  c_t = Σ_j α̃_t(j),  α̂_t = α̃_t / c_t
//	log P(o) = Σ_t log c_t
//
// storing α̂ and c in w. Symbols must already be in range.
func (f *hmmFlat) forward(w *hmmWork, seq []int) (float64, error) {
	k := f.k
	w.grow(len(seq), k)
	var ll float64
	prod := 1.0 // product of the c_t not yet folded into ll
	for t, o := range seq {
		cur := w.alpha[t*k : (t+1)*k]
		bo := f.bt[o*k : (o+1)*k]
		var c float64
		if t == 0 {
			for i := range cur {
				v := f.pi[i] * bo[i]
				cur[i] = v
				c += v
			}
		} else {
			prev := w.alpha[(t-1)*k : t*k]
			for j := range cur {
				col := f.at[j*k : (j+1)*k]
				col = col[:len(prev)]
				var s float64
				for i, p := range prev {
					s += p * col[i]
				}
				v := s * bo[j]
				cur[j] = v
				c += v
			}
		}
		if !(c > 0) || math.IsInf(c, 0) {
			return math.Inf(-1), hmmZeroProb(t)
		}
		inv := 1 / c
		for i := range cur {
			cur[i] *= inv
		}
		w.scale[t] = c
		if c < 1e-30 {
			ll += math.Log(c)
			continue
		}
		prod *= c
		if prod < 1e-250 {
			ll += math.Log(prod)
			prod = 1
		}
	}
	return ll + math.Log(prod), nil
}

// backward runs the scaled backward pass after forward and adds the
// sequence's expected counts to acc:
//
//	β̂_T(i) = 1
//	w_{t+1}(j) = B[j][o_{t+1}] β̂_{t+1}(j) / c_{t+1}
//	β̂_t(i) = Σ_j A[i][j] w_{t+1}(j)
//	γ_t(i) = α̂_t(i) β̂_t(i)
//	ξ_t(i,j) = α̂_t(i) A[i][j] w_{t+1}(j)
func (f *hmmFlat) backward(w *hmmWork, acc *hmmAcc, seq []int) {
	k := f.k
	beta, next := w.beta, w.next
	for i := range beta {
		beta[i] = 1
	}
	for t := len(seq) - 1; t >= 0; t-- {
		o := seq[t]
		at := w.alpha[t*k : (t+1)*k]
		em := acc.emitT[o*k : (o+1)*k]
		em = em[:len(at)]
		beta = beta[:len(at)]
		for i, a := range at {
			em[i] += a * beta[i]
		}
		if t == 0 {
			for i, a := range at {
				acc.start[i] += a * beta[i]
			}
			break
		}
		inv := 1 / w.scale[t]
		bo := f.bt[o*k : (o+1)*k]
		ww := w.w[:len(bo)]
		for j, b := range bo {
			ww[j] = b * beta[j] * inv
		}
		prev := w.alpha[(t-1)*k : t*k]
		next = next[:len(prev)]
		for i, p := range prev {
			tr := acc.trans[i*k : (i+1)*k]
			tr = tr[:len(ww)]
			row := f.a[i*k : (i+1)*k]
			row = row[:len(ww)]
			var s float64
			for j, v := range ww {
				tr[j] += p * v
				s += row[j] * v
			}
			next[i] = s
		}
		beta, next = next, beta
	}
}

// estep adds the expected counts and log-likelihood of seq to acc.
func (f *hmmFlat) estep(w *hmmWork, acc *hmmAcc, seq []int) error {
	if len(seq) == 0 {
		return nil
	}
	if err := hmmCheckSymbols(seq, f.m); err != nil {
		return err
	}
	ll, err := f.forward(w, seq)
	if err != nil {
		return err
	}
	f.backward(w, acc, seq)
	acc.ll += ll
	acc.nseq++
	acc.nobs += len(seq)
	return nil
}
