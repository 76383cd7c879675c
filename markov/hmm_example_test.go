package markov_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"

	"gonum.org/v1/gonum/mat"

	"github.com/journeygraph/journeygraph/markov"
)

// exampleHMM is a two-state model over the events open(0), click(1), buy(2).
func exampleHMM() *markov.HMM {
	h, err := markov.NewHMM([]float64{0.6, 0.4},
		mat.NewDense(2, 2, []float64{
			0.7, 0.3,
			0.4, 0.6,
		}),
		mat.NewDense(2, 3, []float64{
			0.5, 0.4, 0.1,
			0.1, 0.3, 0.6,
		}))
	if err != nil {
		panic(err)
	}
	h.SymbolNames = []string{"open", "click", "buy"}
	return h
}

func ExampleHMM_LogLikelihood() {
	h := exampleHMM()
	ll, err := h.LogLikelihood([]int{0, 1, 2})
	if err != nil {
		panic(err)
	}
	fmt.Printf("log P = %.6f, P = %.5f\n", ll, math.Exp(ll))
	// Output:
	// log P = -3.316489, P = 0.03628
}

func ExampleHMM_Viterbi() {
	h := exampleHMM()
	path, lp, err := h.Viterbi([]int{0, 1, 2})
	if err != nil {
		panic(err)
	}
	fmt.Printf("path %v, P = %.5f\n", path, math.Exp(lp))
	// Output:
	// path [0 0 1], P = 0.01512
}

func ExampleHMM_NextEvent() {
	h := exampleHMM()
	belief, _ := h.Filter(nil, []int{0, 1, 2})
	next, err := h.NextEvent(nil, []int{0, 1, 2})
	if err != nil {
		panic(err)
	}
	fmt.Printf("belief %.4f\n", belief)
	for m, p := range next {
		fmt.Printf("%-5s %.4f\n", h.SymbolName(m), p)
	}
	// Output:
	// belief [0.2121 0.7879]
	// open  0.2855
	// click 0.3464
	// buy   0.3682
}

func ExampleBaumWelch() {
	// Browsers open and click; buyers click and buy.
	var seqs [][]int
	for i := 0; i < 200; i++ {
		seqs = append(seqs, []int{0, 1, 0, 1, 0}, []int{1, 2, 2, 1, 2})
	}
	h, res, err := markov.BaumWelch(markov.SymbolSequencesOf(seqs), 2, 3, markov.BaumWelchConfig{
		Restarts: 3,
		Prior:    markov.HMMPrior{Emit: 0.01},
		Src:      rand.NewPCG(1, 2),
	})
	if err != nil {
		panic(err)
	}
	h.SymbolNames = []string{"open", "click", "buy"}
	h.AutoLabel(2)
	fmt.Println("converged:", res.Converged)
	for k := 0; k < h.States(); k++ {
		fmt.Printf("state %d %-5s B=%.2f\n", k, h.StateName(k), h.B.RawRowView(k))
	}
	// Output:
	// converged: true
	// state 0 open  B=[0.62 0.38 0.00]
	// state 1 buy   B=[0.00 0.41 0.59]
}

func ExampleSelectHMM() {
	// Two regimes that rarely switch: K=2 should win over K=1 and K=3.
	seqs := make([][]int, 300)
	rnd := rand.New(rand.NewPCG(5, 5))
	for i := range seqs {
		regime := i % 2
		for t := 0; t < 10; t++ {
			if rnd.Float64() < 0.1 {
				regime = 1 - regime
			}
			sym := 2 * regime
			if rnd.Float64() < 0.2 {
				sym = 1
			}
			seqs[i] = append(seqs[i], sym)
		}
	}
	best, cands, err := markov.SelectHMM(markov.SymbolSequencesOf(seqs), 3, 1, 3,
		markov.BaumWelchConfig{Restarts: 2, Src: rand.NewPCG(1, 1)})
	if err != nil {
		panic(err)
	}
	for _, c := range cands {
		fmt.Printf("K=%d p=%d\n", c.K, c.Params)
	}
	fmt.Println("best K:", best.States())
	// Output:
	// K=1 p=2
	// K=2 p=7
	// K=3 p=14
	// best K: 2
}

func ExampleHMM_MarshalJSON() {
	h := exampleHMM()
	h.AutoLabel(1)
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(h); err != nil {
		panic(err)
	}
	// Output:
	// {"states":2,"symbols":3,"initial":[0.6,0.4],"transitions":[[0.7,0.3],[0.4,0.6]],"emissions":[[0.5,0.4,0.1],[0.1,0.3,0.6]],"symbol_names":["open","click","buy"],"state_names":["open","buy"]}
}
