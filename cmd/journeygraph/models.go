package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/journeygraph/journeygraph/cmd/internal/app"
	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
)

// modelFlags are the flags of friction, attribution, fit and states: the
// filter (its person prefix is the model scope), the store and the output.
type modelFlags struct {
	filterFlags
	unit, conversion, unsubscribe string
	asJSON                        bool
	neo4j                         *graph.Config
}

func (f *modelFlags) register(fs *flag.FlagSet) {
	f.filterFlags.register(fs)
	fs.StringVar(&f.unit, "unit", "", "session or journey (default: session for steps, journey for channels and campaigns)")
	fs.StringVar(&f.conversion, "conversion", "", "conversion step (default purchase)")
	fs.StringVar(&f.unsubscribe, "unsubscribe", "", `unsubscribe step (default unsubscribe; "-" for none)`)
	fs.BoolVar(&f.asJSON, "json", false, "print JSON")
	f.neo4j = app.Neo4jFlags(fs)
}

// runModels runs friction, attribution, fit or states.
func runModels(ctx context.Context, cmd string, args []string, stdout, stderr io.Writer) error {
	var f modelFlags
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.register(fs)
	by := fs.String("by", "channel", "attribution: channel, campaign or step")
	improbable := fs.Int("improbable", 10, "friction: improbable journeys to list")
	var q journeys.ModelQuery
	events := fs.String("events", "", "fit: comma-separated event names or steps to observe (default: every step)")
	fs.IntVar(&q.States, "states", 0, "fit: number of hidden states (0: choose by BIC)")
	fs.IntVar(&q.MinStates, "min-states", 0, "fit: smallest K tried by BIC (default 2)")
	fs.IntVar(&q.MaxStates, "max-states", 0, "fit: largest K tried by BIC (default 6)")
	fs.Uint64Var(&q.Seed, "seed", 1, "fit: random seed")
	fs.IntVar(&q.MaxSymbols, "max-symbols", 100_000_000, "fit: refuse more observed events than this")
	rename := fs.String("rename", "", "states: INDEX=LABEL renames a state of the current model")
	if err := fs.Parse(args); err != nil {
		return err
	}
	flt, err := f.filter()
	if err != nil {
		return err
	}
	store, err := app.OpenStore(ctx, f.neo4j, app.NewLogger(stderr))
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	a := app.New(store, app.Config{Rules: journeys.DefaultStepRules()})
	chains, hs := a.Chains, a.HiddenStates
	var out any
	switch cmd {
	case "friction":
		out, err = chains.Friction(ctx, chain.FrictionQuery{Filter: flt, Unit: journeys.Unit(f.unit),
			Conversion: f.conversion, Unsubscribe: f.unsubscribe, Improbable: *improbable})
	case "attribution":
		out, err = chains.Attribution(ctx, chain.AttributionQuery{Filter: flt, By: journeys.Touchpoint(*by),
			Unit: journeys.Unit(f.unit), Conversion: f.conversion, Unsubscribe: f.unsubscribe})
	case "fit":
		q.Filter, q.Unit, q.Conversion, q.Unsubscribe = flt, journeys.Unit(f.unit), f.conversion, f.unsubscribe
		if *events != "" {
			q.Events = strings.Split(*events, ",")
		}
		out, err = hs.Fit(ctx, q)
	case "states":
		if *rename != "" {
			idx, label, ok := strings.Cut(*rename, "=")
			var k int
			if _, serr := fmt.Sscan(idx, &k); !ok || serr != nil {
				return fmt.Errorf("--rename: want INDEX=LABEL, got %q", *rename)
			}
			out, err = hs.RenameState(ctx, f.prefix, k, label)
		} else {
			out, err = hs.Current(ctx, f.prefix)
		}
	}
	if err != nil {
		return err
	}
	if f.asJSON {
		return printJSON(stdout, out)
	}
	return printModelTable(stdout, out)
}

// printModelTable prints a report as aligned tables.
func printModelTable(w io.Writer, out any) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	switch r := out.(type) {
	case chain.FrictionReport:
		fmt.Fprintf(tw, "%d people, %.0f journeys, %.0f conversions (%.2f%%); site: exit %.3f, loop %.3f, back-and-forth %.3f, dwell median %.0fs\n\n",
			r.People, r.Journeys, r.Conversions, 100*r.ConversionRate, r.Site.Exit, r.Site.Loop, r.Site.BackForth, r.Site.DwellMedianS)
		fmt.Fprintln(tw, "step\tvisits\tP(conv)\tlost conv\texit\t×site\tloop\t×site\tback-forth\t×site\tdwell s\t×site")
		for _, s := range r.Steps {
			fmt.Fprintf(tw, "%s\t%.0f\t%.4f\t%.1f\t%.3f\t%.2f\t%.3f\t%.2f\t%.3f\t%.2f\t%.0f\t%.2f\n", s.Step, s.Visits, s.Conversion,
				s.LostConversions, s.Exit, s.ExitIndex, s.Loop, s.LoopIndex, s.BackForth, s.BackForthIndex, s.DwellMedianS, s.DwellIndex)
		}
		fmt.Fprintln(tw, "\nedge\ttraffic\tΔP(conv)\tlost")
		for _, e := range r.Edges {
			fmt.Fprintf(tw, "%s → %s\t%.0f\t%+.4f\t%.1f\n", e.From, e.To, e.Traffic, e.Delta, e.Lost)
		}
		fmt.Fprintln(tw, "\nimprobable journey\tperson\tpeople\tper-step log L\tsteps")
		for i, j := range r.Improbable {
			fmt.Fprintf(tw, "%d\t%s\t%d\t%.3f\t%s\n", i+1, j.Person, j.People, j.PerStep, strings.Join(j.Steps, " > "))
		}
	case chain.AttributionReport:
		fmt.Fprintf(tw, "%d people, %.0f journeys, %.0f conversions, value %.2f (by %s, per %s)\n\n",
			r.People, r.Journeys, r.Conversions, r.Value, r.Query.By, r.Query.Unit)
		fmt.Fprintln(tw, "touch\tremoval effect\tmarkov conv\tmarkov value\tfirst conv\tlast conv\tlinear conv")
		for _, c := range r.Touches {
			fmt.Fprintf(tw, "%s\t%.4f\t%.1f\t%.2f\t%.1f\t%.1f\t%.1f\n", c.Touch, c.RemovalEffect, c.Markov.Conversions,
				c.Markov.Value, c.FirstTouch.Conversions, c.LastTouch.Conversions, c.Linear.Conversions)
		}
	case chain.ModelView:
		fmt.Fprintf(tw, "model %s v%d (scope %q), fitted %s: %d states over %d people, %d events; BIC %.1f; fit %.1fs, decode %.1fs\n\n",
			r.Kind, r.Version, r.Scope, r.FittedAt.Format("2006-01-02 15:04"), len(r.States), r.Fit.People, r.Fit.Observations,
			r.Fit.BIC, r.Fit.FitSeconds, r.Fit.DecodeSeconds)
		fmt.Fprintln(tw, "state\tlabel\tpeople\tshare\ttop emissions")
		for _, s := range r.States {
			var top []string
			for _, e := range s.Emissions[:min(3, len(s.Emissions))] {
				top = append(top, fmt.Sprintf("%s %.2f", e.Symbol, e.P))
			}
			fmt.Fprintf(tw, "%d\t%s\t%d\t%.3f\t%s\n", s.Index, s.Label, s.Size, s.Share, strings.Join(top, ", "))
		}
		fmt.Fprintln(tw, "\ntransitions (row → column)")
		for i, row := range r.Transitions {
			cells := make([]string, len(row))
			for j, p := range row {
				cells[j] = fmt.Sprintf("%.3f", p)
			}
			fmt.Fprintf(tw, "%d\t%s\n", i, strings.Join(cells, "\t"))
		}
	}
	return tw.Flush()
}
