package bench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"slices"
	"time"

	"github.com/journeygraph/journeygraph/cmd/internal/app"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
	"github.com/journeygraph/journeygraph/journeys/report"
	"github.com/journeygraph/journeygraph/journeys/synth"
)

const analyticsUsage = `usage: journeygraph bench analytics [flags]

Generates --events events of realistic journeys (journeys/synth's Shop,
seeded: sessions of page, product, cart, checkout and purchase steps,
channels, devices), loads them
under the prefix bench-analytics-<events>-<seed>- (kept with --keep and then
reused by the next run), and prints the latency of each report over them:
paths, transitions, funnels, friction and attribution, each run --runs times
reading from Neo4j directly (store) and from the server's journey cache
(cache, loaded once first), with the ratio of the best times; the two must
give the same answers. Then it fits a hidden-state model (K=4) and decodes
and writes every person's state, reading the journeys from each source.
`

// runAnalytics runs "bench analytics" with its flags.
func runAnalytics(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench analytics", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, analyticsUsage); fs.PrintDefaults() }
	events := fs.Int("events", 1_000_000, "events to generate")
	seed := fs.Uint64("seed", 1, "generator seed")
	runs := fs.Int("runs", 3, "runs of each report")
	keep := fs.Bool("keep", false, "keep the generated events for the next run (else they are deleted)")
	cfg := app.Neo4jFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := app.OpenStore(ctx, cfg, app.NewLogger(stderr))
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	prefix := fmt.Sprintf("bench-analytics-%d-%d-", *events, *seed)
	// The same services read from Neo4j directly (fromStore) and from the
	// server's journey cache (fromCache, loaded once below).
	fromStore := app.New(store, app.Config{Rules: journeys.DefaultStepRules()})
	fromCache := app.New(store, app.Config{Rules: journeys.DefaultStepRules(), Cache: true, CachePrefix: prefix})
	if _, _, err := store.Journey(ctx, prefix+"p0000000", 1); journeys.ErrorCode(err) == journeys.ENOTFOUND {
		evs := synth.ShopEvents(synth.ShopConfig{Seed: *seed, Prefix: prefix, Events: *events})
		fmt.Fprintf(stdout, "loading %d generated events of %d people...\n", len(evs), countPeople(evs))
		start := time.Now()
		if _, err := fromStore.Ingester.Ingest(ctx, evs); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "loaded in %v (%.0f events/s)\n", time.Since(start).Round(time.Second), float64(len(evs))/time.Since(start).Seconds())
	} else if err != nil {
		return err
	} else {
		fmt.Fprintf(stdout, "reusing the events kept under %s\n", prefix)
	}
	if !*keep {
		defer func() {
			if n, err := store.DeletePrefix(context.Background(), prefix); err != nil {
				fmt.Fprintf(stderr, "clean up %s: %v\n", prefix, err)
			} else {
				fmt.Fprintf(stdout, "deleted %d events\n", n)
			}
		}()
	}
	flt := journeys.Filter{PersonPrefix: prefix}
	cache := fromCache.Cache
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	if err := cache.Load(ctx); err != nil {
		return err
	}
	loadTime := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	people, cached := cache.Stats()
	fmt.Fprintf(stdout, "cache: loaded %d people, %d events in %v (%.0f events/s), heap +%d MiB\n", people, cached,
		loadTime.Round(time.Millisecond), float64(cached)/loadTime.Seconds(), (int64(after.HeapAlloc)-int64(before.HeapAlloc))>>20)
	var syncs []time.Duration
	for range 11 {
		start := time.Now()
		if err := cache.Sync(ctx); err != nil {
			return err
		}
		syncs = append(syncs, time.Since(start))
	}
	slices.Sort(syncs)
	fmt.Fprintf(stdout, "cache: sync with nothing changed, median of 11: %v (each report pays it)\n", syncs[5].Round(100*time.Microsecond))
	from := map[string]*app.App{"store": fromStore, "cache": fromCache}
	var a *report.Analytics
	var ch *chain.Chains
	funnel := func(order string) report.Funnel {
		return report.Funnel{Order: order, Window: journeys.Duration(7 * 24 * time.Hour), Filter: flt, Exclude: []string{"remove_from_cart"},
			Steps: []report.FunnelStep{{Step: "product_view"}, {Step: "add_to_cart"}, {Step: "checkout"}, {Step: "purchase"}}}
	}
	reports := []struct {
		name string
		run  func() (string, error)
	}{
		{"paths: first 5 steps of sessions", func() (string, error) {
			r, err := a.Paths(ctx, report.PathQuery{Depth: 5, Filter: flt})
			return fmt.Sprintf("%d people, %d paths + other", r.People, len(r.Paths)), err
		}},
		{"paths: from product_view, depth 10, journeys", func() (string, error) {
			r, err := a.Paths(ctx, report.PathQuery{Start: "product_view", Depth: 10, Unit: journeys.UnitJourney, Filter: flt})
			return fmt.Sprintf("%d people, %d other paths", r.People, r.OtherPaths), err
		}},
		{"paths: between add_to_cart and purchase", func() (string, error) {
			r, err := a.Paths(ctx, report.PathQuery{Start: "add_to_cart", End: "purchase", Depth: 6, Filter: flt})
			return fmt.Sprintf("%d people", r.People), err
		}},
		{"transitions: sessions", func() (string, error) {
			r, err := a.Transitions(ctx, report.TransitionQuery{Filter: flt})
			return fmt.Sprintf("%d edges, %d sessions", len(r.Edges), r.Units), err
		}},
		{"transitions: journeys, channel email", func() (string, error) {
			f := flt
			f.Channel = "email"
			r, err := a.Transitions(ctx, report.TransitionQuery{Unit: journeys.UnitJourney, Filter: f})
			return fmt.Sprintf("%d edges", len(r.Edges)), err
		}},
		{"funnel: ordered, 4 steps, exclusion", func() (string, error) {
			r, err := a.Funnel(ctx, funnel(report.OrderOrdered))
			return fmt.Sprintf("%d → %d", r.Steps[0].People, r.Steps[3].People), err
		}},
		{"funnel: strict", func() (string, error) {
			r, err := a.Funnel(ctx, funnel(report.OrderStrict))
			return fmt.Sprintf("%d → %d", r.Steps[0].People, r.Steps[3].People), err
		}},
		{"funnel: any order", func() (string, error) {
			r, err := a.Funnel(ctx, funnel(report.OrderAny))
			return fmt.Sprintf("%d → %d", r.Steps[0].People, r.Steps[3].People), err
		}},
		{"funnel: dropped at checkout, page 1", func() (string, error) {
			p, err := a.FunnelDropped(ctx, report.DroppedQuery{Funnel: funnel(report.OrderOrdered), Step: 2})
			return fmt.Sprintf("%d dropped", p.Total), err
		}},
		{"friction: sessions", func() (string, error) {
			r, err := ch.Friction(ctx, chain.FrictionQuery{Filter: flt})
			return fmt.Sprintf("%d steps, %d edges", len(r.Steps), len(r.Edges)), err
		}},
		{"attribution: channels", func() (string, error) {
			r, err := ch.Attribution(ctx, chain.AttributionQuery{Filter: flt, By: journeys.ByChannel})
			return fmt.Sprintf("%d conversions", int(r.Conversions)), err
		}},
	}
	// One line per report as soon as it is measured (no tabwriter: it
	// would hold every line until the end).
	fmt.Fprintf(stdout, "%-46s %9s %9s %9s %9s %7s  %s\n", "report", "store", "(median)", "cache", "(median)", "ratio", "answer")
	for _, r := range reports {
		var best, median [2]time.Duration
		var answers [2]string
		for k, name := range []string{"store", "cache"} {
			a, ch = from[name].Analytics, from[name].Chains
			var times []time.Duration
			for i := 0; i < max(*runs, 1); i++ {
				start := time.Now()
				ans, err := r.run()
				if err != nil {
					return fmt.Errorf("%s (%s): %w", r.name, name, err)
				}
				times = append(times, time.Since(start))
				answers[k] = ans
			}
			slices.Sort(times)
			best[k], median[k] = times[0], times[len(times)/2]
		}
		if answers[0] != answers[1] {
			return fmt.Errorf("%s: the store answers %q, the cache %q", r.name, answers[0], answers[1])
		}
		fmt.Fprintf(stdout, "%-46s %9v %9v %9v %9v %6.0fx  %s\n", r.name, best[0].Round(time.Millisecond), median[0].Round(time.Millisecond),
			best[1].Round(time.Millisecond), median[1].Round(time.Millisecond), float64(best[0])/float64(best[1]), answers[0])
	}
	// Hidden states: one fit (K=4, one restart) and the decode of every
	// person, whose state, probability and propensities are written to
	// Neo4j, reading the journeys from each source once.
	defer store.DeleteModels(context.Background(), prefix)
	fmt.Fprintf(stdout, "\n%-46s %9s %9s %9s  %s\n", "hidden states, K=4", "fit", "decode", "total", "people")
	for _, name := range []string{"store", "cache"} {
		start := time.Now()
		v, err := from[name].HiddenStates.Fit(ctx, journeys.ModelQuery{Filter: flt, States: 4, Seed: 1, Restarts: 1})
		if err != nil {
			return fmt.Errorf("hidden states (%s): %w", name, err)
		}
		fmt.Fprintf(stdout, "%-46s %8.2fs %8.2fs %9v  %d decoded and written\n", "fit and decode every person ("+name+")",
			v.Fit.FitSeconds, v.Fit.DecodeSeconds, time.Since(start).Round(time.Millisecond), v.Fit.People)
	}
	return nil
}

// countPeople counts the people of events grouped by person.
func countPeople(evs []journeys.Event) int {
	n := 0
	for i, e := range evs {
		if i == 0 || evs[i-1].Person != e.Person {
			n++
		}
	}
	return n
}
