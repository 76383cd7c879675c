package markov

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// SymbolName returns the name of symbol m: SymbolNames[m] if set, otherwise
// its number.
func (h *HMM) SymbolName(m int) string {
	if m >= 0 && m < len(h.SymbolNames) && h.SymbolNames[m] != "" {
		return h.SymbolNames[m]
	}
	return strconv.Itoa(m)
}

// StateName returns the name of state k: StateNames[k] if set, otherwise
// "s" followed by its number.
func (h *HMM) StateName(k int) string {
	if k >= 0 && k < len(h.StateNames) && h.StateNames[k] != "" {
		return h.StateNames[k]
	}
	return "s" + strconv.Itoa(k)
}

// Rename sets the name of state k. It returns an error if k is out of range
// or another state already has that name.
func (h *HMM) Rename(k int, name string) error {
	if k < 0 || k >= h.States() {
		return fmt.Errorf("markov: state %d out of range [0,%d)", k, h.States())
	}
	for j := 0; j < h.States(); j++ {
		if j != k && h.StateName(j) == name {
			return fmt.Errorf("markov: state %d is already named %q", j, name)
		}
	}
	if h.StateNames == nil {
		h.StateNames = make([]string, h.States())
		for j := range h.StateNames {
			h.StateNames[j] = h.StateName(j)
		}
	}
	h.StateNames[k] = name
	return nil
}

// Characteristic returns up to top symbols most characteristic of state k,
// best first. The overall frequency of symbol m is
//
//	f_m = Σ_j w_j B[j][m]
//
// with w = StateWeights (uniform when nil), its lift in state k is
// B[k][m] / f_m, and its score is B[k][m] · log(B[k][m] / f_m), its term in
// the Kullback–Leibler divergence of B[k] from f. Only symbols with a
// positive score (lift > 1) are returned; ties go to the lower symbol.
func (h *HMM) Characteristic(k, top int) []int {
	freq := h.hmmSymbolFreq()
	row := h.B.RawRowView(k)
	type cand struct {
		sym   int
		score float64
	}
	var cs []cand
	for o, b := range row {
		if b > 0 && freq[o] > 0 && b > freq[o] {
			cs = append(cs, cand{o, b * math.Log(b/freq[o])})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].score > cs[j].score })
	if len(cs) > top {
		cs = cs[:top]
	}
	out := make([]int, len(cs))
	for i, c := range cs {
		out[i] = c.sym
	}
	return out
}

// AutoLabel names every state by its top most characteristic symbols (see
// Characteristic) joined with "+", e.g. "email_open+email_click"; a symbol
// after the first is kept only if its score is at least half the first's. A state
// with no characteristic symbol falls back to its most likely symbol. When
// two states get the same label, the later ones get a suffix "#2", "#3"…
// The names can be changed afterwards with Rename.
func (h *HMM) AutoLabel(top int) {
	if top < 1 {
		top = 1
	}
	k := h.States()
	names := make([]string, k)
	seen := make(map[string]int, k)
	for s := 0; s < k; s++ {
		syms := h.Characteristic(s, top)
		for i := 1; i < len(syms); i++ {
			if h.hmmScore(s, syms[i]) < h.hmmScore(s, syms[0])/2 {
				syms = syms[:i]
				break
			}
		}
		if len(syms) == 0 {
			best, arg := -1.0, 0
			for o, b := range h.B.RawRowView(s) {
				if b > best {
					best, arg = b, o
				}
			}
			syms = []int{arg}
		}
		parts := make([]string, len(syms))
		for i, o := range syms {
			parts[i] = h.SymbolName(o)
		}
		name := strings.Join(parts, "+")
		seen[name]++
		if n := seen[name]; n > 1 {
			name += "#" + strconv.Itoa(n)
		}
		names[s] = name
	}
	h.StateNames = names
}

// hmmSymbolFreq returns f_m = Σ_j w_j B[j][m].
func (h *HMM) hmmSymbolFreq() []float64 {
	kk, m := h.States(), h.Symbols()
	freq := make([]float64, m)
	for j := 0; j < kk; j++ {
		w := 1 / float64(kk)
		if len(h.StateWeights) == kk {
			w = h.StateWeights[j]
		}
		for o, b := range h.B.RawRowView(j) {
			freq[o] += w * b
		}
	}
	return freq
}

// hmmScore returns B[k][m] · log(B[k][m] / f_m).
func (h *HMM) hmmScore(k, m int) float64 {
	b := h.B.At(k, m)
	return b * math.Log(b/h.hmmSymbolFreq()[m])
}
