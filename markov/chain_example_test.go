package markov_test

import (
	"fmt"
	"log"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/journeygraph/journeygraph/markov"
)

func ExampleFit() {
	paths := []markov.Path{
		{Steps: []string{"home", "cart"}, Converted: true, Value: 30, Weight: 2},
		{Steps: []string{"home", "cart", "home"}},
		{Steps: []string{"cart"}},
	}
	c, err := markov.Fit(markov.FromPaths(paths), markov.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range c.Edges() {
		fmt.Printf("%-6s → %-12s n=%g p=%.3f\n", c.Label(e.From), c.Label(e.To), e.Count, e.Prob)
	}
	// Output:
	// (start) → cart         n=1 p=0.250
	// (start) → home         n=3 p=0.750
	// cart   → home         n=1 p=0.250
	// cart   → (conversion) n=2 p=0.500
	// cart   → (exit)       n=1 p=0.250
	// home   → cart         n=3 p=0.750
	// home   → (exit)       n=1 p=0.250
}

func ExampleChain_Absorbing() {
	c, err := markov.NewChain(
		[]string{markov.Start, "a", "b", markov.Conversion, markov.Exit},
		mat.NewDense(5, 5, []float64{
			0, 0.6, 0.4, 0, 0,
			0, 0, 0.5, 0.2, 0.3,
			0, 0.25, 0, 0.25, 0.5,
			0, 0, 0, 1, 0,
			0, 0, 0, 0, 1,
		}))
	if err != nil {
		log.Fatal(err)
	}
	a, err := c.Absorbing()
	if err != nil {
		log.Fatal(err)
	}
	for i := 0; i < c.Transient(); i++ {
		fmt.Printf("%-7s P(conversion)=%.4f steps=%.4f\n", c.Label(i), a.ConversionProbability(i), a.ExpectedSteps(i))
	}
	fmt.Printf("visits per journey: %.2f\n", a.JourneyVisits())
	// Output:
	// (start) P(conversion)=0.3600 steps=2.6000
	// a       P(conversion)=0.3714 steps=1.7143
	// b       P(conversion)=0.3429 steps=1.4286
	// visits per journey: [1.00 0.80 0.80]
}

func ExampleAbsorbing_RemovalEffects() {
	c, err := markov.NewChain(
		[]string{markov.Start, "a", "b", markov.Conversion, markov.Exit},
		mat.NewDense(5, 5, []float64{
			0, 0.6, 0.4, 0, 0,
			0, 0, 0.5, 0.2, 0.3,
			0, 0.25, 0, 0.25, 0.5,
			0, 0, 0, 1, 0,
			0, 0, 0, 0, 1,
		}))
	if err != nil {
		log.Fatal(err)
	}
	a, err := c.Absorbing()
	if err != nil {
		log.Fatal(err)
	}
	rs, err := a.RemovalEffects(nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("p = %.2f\n", a.ConversionRate())
	for _, r := range rs {
		fmt.Printf("without %s: p_s = %.2f, RE = %.4f\n", r.Label, r.P, r.Effect)
	}
	// Output:
	// p = 0.36
	// without a: p_s = 0.10, RE = 0.7222
	// without b: p_s = 0.12, RE = 0.6667
}

func ExampleAttribute() {
	const data = `path;total_conversions;total_conversion_value;total_null
email > search;3;90;1
search;1;20;4
email;0;0;5
`
	res, err := markov.Attribute(markov.NewPathReader(strings.NewReader(data)), markov.Options{}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("p = %.4f (%g of %g journeys)\n", res.ConversionRate, res.Conversions, res.Journeys)
	for _, cr := range res.Credits {
		fmt.Printf("%-6s RE=%.4f markov=%.3f first=%g last=%g linear=%g value=%.2f\n", cr.Label,
			cr.RemovalEffect, cr.Markov.Conversions, cr.FirstTouch.Conversions, cr.LastTouch.Conversions,
			cr.Linear.Conversions, cr.Markov.Value)
	}
	// Output:
	// p = 0.2857 (4 of 14 journeys)
	// email  RE=0.4444 markov=1.231 first=3 last=0 linear=1.5 value=33.85
	// search RE=1.0000 markov=2.769 first=1 last=4 linear=2.5 value=76.15
}

func ExampleAbsorbing_Friction() {
	paths := []markov.Path{
		{Steps: []string{"product", "cart", "pay"}, Converted: true, Weight: 30},
		{Steps: []string{"product", "cart", "shipping", "cart"}, Weight: 20},
		{Steps: []string{"product", "cart", "shipping", "pay"}, Converted: true, Weight: 5},
		{Steps: []string{"product"}, Weight: 45},
	}
	c, err := markov.Fit(markov.FromPaths(paths), markov.Options{})
	if err != nil {
		log.Fatal(err)
	}
	a, err := c.Absorbing()
	if err != nil {
		log.Fatal(err)
	}
	f := a.Friction()
	for _, e := range f.Edges[:3] {
		fmt.Printf("%s → %s: %.1f conversions lost\n", c.Label(e.From), c.Label(e.To), e.Lost)
	}
	for _, s := range f.Steps {
		fmt.Printf("%-8s exit %.2f back-and-forth %.2f\n", c.Label(s.State), s.Exit, s.BackForth)
	}
	// Output:
	// product → (exit): 15.8 conversions lost
	// cart → (exit): 12.7 conversions lost
	// shipping → cart: 1.5 conversions lost
	// cart     exit 0.27 back-and-forth 0.27
	// pay      exit 0.00 back-and-forth 0.00
	// product  exit 0.45 back-and-forth 0.00
	// shipping exit 0.00 back-and-forth 0.27
}

func ExampleChain_Score() {
	paths := []markov.Path{
		{Steps: []string{"home", "product", "cart"}, Converted: true, Weight: 9},
		{Steps: []string{"home", "product"}, Weight: 9},
		{Steps: []string{"home", "cart", "home", "cart"}, Weight: 1},
	}
	c, err := markov.Fit(markov.FromPaths(paths), markov.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range paths {
		s := c.Score(p)
		fmt.Printf("%-28s log L = %6.3f over %d, per step %6.3f\n", strings.Join(p.Steps, " > "), s.LogLikelihood, s.Transitions, s.PerStep)
	}
	// Output:
	// home > product > cart        log L = -0.999 over 4, per step -0.250
	// home > product               log L = -0.799 over 3, per step -0.266
	// home > cart > home > cart    log L = -9.401 over 5, per step -1.880
}
