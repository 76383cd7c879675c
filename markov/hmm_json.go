package markov

import (
	"encoding/json"
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// hmmJSON is the persisted form of an HMM. Floats are written by
// encoding/json in their shortest round-trip form, so a model loads back
// bit for bit.
type hmmJSON struct {
	States       int         `json:"states"`
	Symbols      int         `json:"symbols"`
	Initial      []float64   `json:"initial"`
	Transitions  [][]float64 `json:"transitions"`
	Emissions    [][]float64 `json:"emissions"`
	SymbolNames  []string    `json:"symbol_names,omitempty"`
	StateNames   []string    `json:"state_names,omitempty"`
	StateWeights []float64   `json:"state_weights,omitempty"`
}

// MarshalJSON encodes h as
//
//	{"states":K,"symbols":M,"initial":[π],"transitions":[[A rows]],
//	 "emissions":[[B rows]],"symbol_names":[…],"state_names":[…],"state_weights":[…]}
//
// omitting the optional tables when nil. It has a value receiver so that an
// HMM held by value in another struct is encoded the same way. It returns an
// error if h is not valid (see Validate).
func (h HMM) MarshalJSON() ([]byte, error) {
	if err := h.Validate(); err != nil {
		return nil, err
	}
	k, m := h.States(), h.Symbols()
	j := hmmJSON{
		States: k, Symbols: m,
		Initial:      h.Pi,
		Transitions:  make([][]float64, k),
		Emissions:    make([][]float64, k),
		SymbolNames:  h.SymbolNames,
		StateNames:   h.StateNames,
		StateWeights: h.StateWeights,
	}
	for i := 0; i < k; i++ {
		j.Transitions[i] = h.A.RawRowView(i)
		j.Emissions[i] = h.B.RawRowView(i)
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes a model written by MarshalJSON into h and validates
// it (see Validate).
func (h *HMM) UnmarshalJSON(data []byte) error {
	var j hmmJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return fmt.Errorf("markov: decode hmm: %w", err)
	}
	if j.States < 1 || j.Symbols < 1 {
		return fmt.Errorf("markov: decode hmm: %d states and %d symbols", j.States, j.Symbols)
	}
	a, err := hmmDenseOf(j.Transitions, j.States, j.States, "transitions")
	if err != nil {
		return err
	}
	b, err := hmmDenseOf(j.Emissions, j.States, j.Symbols, "emissions")
	if err != nil {
		return err
	}
	n := HMM{Pi: j.Initial, A: a, B: b, SymbolNames: j.SymbolNames, StateNames: j.StateNames, StateWeights: j.StateWeights}
	if err := n.Validate(); err != nil {
		return fmt.Errorf("markov: decode hmm: %w", err)
	}
	*h = n
	return nil
}

func hmmDenseOf(rows [][]float64, r, c int, what string) (*mat.Dense, error) {
	if len(rows) != r {
		return nil, fmt.Errorf("markov: decode hmm: %s has %d rows, want %d", what, len(rows), r)
	}
	d := mat.NewDense(r, c, nil)
	for i, row := range rows {
		if len(row) != c {
			return nil, fmt.Errorf("markov: decode hmm: %s row %d has %d columns, want %d", what, i, len(row), c)
		}
		d.SetRow(i, row)
	}
	return d, nil
}
