package report_test

import (
	"fmt"
	"strings"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/report"
)

// Paths starting at product_view, two steps deep: every person counted
// once, and the paths plus "other" add up to the people in scope.
func ExamplePathCounter() {
	q := report.PathQuery{Start: "product_view", Depth: 2, Limit: 1}
	if err := q.Normalize(); err != nil {
		panic(err)
	}
	pc := report.NewPathCounter(q, journeys.StepRules{}, 0)
	pc.Add(seq("ann", "page_view@0 product_view@1 add_to_cart@2"))
	pc.Add(seq("bob", "product_view@0 add_to_cart@1 purchase@2"))
	pc.Add(seq("cy", "product_view@0"))
	r := pc.Report()
	for _, p := range r.Paths {
		fmt.Printf("%s: %d people (%.2f%%)\n", strings.Join(p.Steps, " → "), p.People, p.Percent)
	}
	fmt.Printf("other: %d people; in scope: %d\n", r.Other.People, r.People)
	// Output:
	// product_view → add_to_cart: 2 people (66.67%)
	// other: 1 people; in scope: 3
}

// A funnel counts each person once per step, on their attempt that gets
// furthest.
func ExampleFunnelCounter() {
	f := report.Funnel{Steps: []report.FunnelStep{{Step: "product_view"}, {Step: "add_to_cart"}, {Step: "purchase"}}}
	if err := f.Normalize(); err != nil {
		panic(err)
	}
	fc := report.NewFunnelCounter(f, journeys.StepRules{}, 0, 0)
	fc.Add(seq("ann", "product_view@0 add_to_cart@2 purchase@10"))
	fc.Add(seq("bob", "product_view@0 add_to_cart@5"))
	fc.Add(seq("cy", "add_to_cart@0 product_view@1"))
	for _, s := range fc.Report().Steps {
		fmt.Printf("%s: %d people, drop-off %d, %.0f%% of the first\n", s.Step, s.People, s.DropOff, 100*s.FromFirst)
	}
	// Output:
	// product_view: 3 people, drop-off 0, 100% of the first
	// add_to_cart: 2 people, drop-off 1, 67% of the first
	// purchase: 1 people, drop-off 1, 33% of the first
}
