package survival_test

import (
	"fmt"

	"github.com/journeygraph/journeygraph/markov/survival"
)

// Six people entered a segment; four bought after 1, 2, 2 and 5 days, two
// had not bought when last seen, after 3 and 6 days.
func ExampleKaplanMeier() {
	c, err := survival.KaplanMeier([]float64{1, 2, 2, 3, 5, 6}, []bool{true, true, true, false, true, false}, 0)
	if err != nil {
		panic(err)
	}
	for i, t := range c.Times {
		fmt.Printf("t=%g at risk %d events %d S=%.3f [%.3f, %.3f]\n", t, c.AtRisk[i], c.Events[i], c.Survival[i], c.Lower[i], c.Upper[i])
	}
	fmt.Println("median", c.Median)
	// Output:
	// t=0 at risk 6 events 0 S=1.000 [1.000, 1.000]
	// t=1 at risk 6 events 1 S=0.833 [0.273, 0.975]
	// t=2 at risk 5 events 2 S=0.500 [0.111, 0.804]
	// t=3 at risk 3 events 0 S=0.500 [0.111, 0.804]
	// t=5 at risk 2 events 1 S=0.250 [0.012, 0.646]
	// t=6 at risk 1 events 0 S=0.250 [0.012, 0.646]
	// median 2
}
