package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/journeygraph/journeygraph/cmd/internal/app"
	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/report"
)

// reportFlags are the flags every report command shares: the filter, the
// step rules, the store and the output format.
type reportFlags struct {
	filterFlags
	asJSON bool
	steps  *string
	neo4j  *graph.Config
}

// filterFlags are the scope flags every report takes.
type filterFlags struct {
	from, to, channel, device, prefix, segment string
}

func (f *filterFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.from, "from", "", "only events at or after this time (2006-01-02, RFC 3339 or epoch)")
	fs.StringVar(&f.to, "to", "", "only events before this time")
	fs.StringVar(&f.channel, "channel", "", "only events of this channel")
	fs.StringVar(&f.device, "device", "", "only events of this device")
	fs.StringVar(&f.prefix, "person-prefix", "", "only people whose id starts with this (also the scope of a model)")
	fs.StringVar(&f.segment, "segment", "", "only the current members of this segment")
}

func (f *reportFlags) register(fs *flag.FlagSet) {
	f.filterFlags.register(fs)
	fs.BoolVar(&f.asJSON, "json", false, "print the report as JSON")
	f.steps = app.StepRulesFlag(fs)
	f.neo4j = app.Neo4jFlags(fs)
}

// open opens the store and assembles the services over it (openApp).
func (f *reportFlags) open(ctx context.Context, stderr io.Writer) (a *app.App, closeStore func(), err error) {
	return openApp(ctx, *f.steps, f.neo4j, stderr)
}

// openApp opens the store of neo4j and assembles the services over it,
// reading journeys from Neo4j with the step rules of the --steps file
// steps (the built-in rules when ""). closeStore closes the store.
func openApp(ctx context.Context, steps string, neo4j *graph.Config, stderr io.Writer) (a *app.App, closeStore func(), err error) {
	rules, err := app.LoadStepRules(steps)
	if err != nil {
		return nil, nil, err
	}
	store, err := app.OpenStore(ctx, neo4j, app.NewLogger(stderr))
	if err != nil {
		return nil, nil, err
	}
	return app.New(store, app.Config{Rules: rules}), func() { store.Close(context.Background()) }, nil
}

func (f *filterFlags) filter() (journeys.Filter, error) {
	flt := journeys.Filter{Channel: f.channel, Device: f.device, PersonPrefix: f.prefix, Segment: f.segment}
	var err error
	if flt.From, err = parseWhen("--from", f.from); err != nil {
		return flt, err
	}
	flt.To, err = parseWhen("--to", f.to)
	return flt, err
}

// parseWhen reads a date (2006-01-02) or what journeys.ParseTime accepts.
func parseWhen(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	t, err := journeys.ParseTime(v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %s", name, journeys.ErrorMessage(err))
	}
	return t, nil
}

// runReport parses the flags, opens the store and runs fn.
func runReport(ctx context.Context, name string, args []string, stdout, stderr io.Writer, extra func(*flag.FlagSet),
	fn func(a *report.Analytics, flt journeys.Filter) (any, func(io.Writer) error, error)) error {
	var f reportFlags
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.register(fs)
	extra(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	flt, err := f.filter()
	if err != nil {
		return err
	}
	a, closeStore, err := f.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer closeStore()
	rep, table, err := fn(a.Analytics, flt)
	if err != nil {
		return err
	}
	if f.asJSON {
		return printJSON(stdout, rep)
	}
	return table(stdout)
}

func runPaths(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var q report.PathQuery
	var unit string
	return runReport(ctx, "paths", args, stdout, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&q.Start, "start", "", "paths starting at this step")
		fs.StringVar(&q.End, "end", "", "paths ending at this step")
		fs.IntVar(&q.Depth, "depth", report.DefaultPathDepth, fmt.Sprintf("steps per path (1 to %d)", report.MaxPathDepth))
		fs.IntVar(&q.Limit, "limit", report.DefaultPathLimit, "paths listed; the rest is other")
		fs.StringVar(&unit, "unit", "session", "session or journey")
	}, func(a *report.Analytics, flt journeys.Filter) (any, func(io.Writer) error, error) {
		q.Unit, q.Filter = journeys.Unit(unit), flt
		rep, err := a.Paths(ctx, q)
		return rep, func(w io.Writer) error { return pathsTable(w, rep) }, err
	})
}

func pathsTable(w io.Writer, r report.PathReport) error {
	fmt.Fprintf(w, "%d people in scope (of %d seen), %d %ss\n", r.People, r.PeopleSeen, r.Units, r.Query.Unit)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "people\t%\tunits\tpath")
	for _, p := range r.Paths {
		fmt.Fprintf(tw, "%d\t%.2f\t%d\t%s\n", p.People, p.Percent, p.Units, strings.Join(p.Steps, " → "))
	}
	fmt.Fprintf(tw, "%d\t%.2f\t%d\tother (%d paths)\n", r.Other.People, r.Other.Percent, r.Other.Units, r.OtherPaths)
	return tw.Flush()
}

func runTransitions(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var unit string
	return runReport(ctx, "transitions", args, stdout, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&unit, "unit", "session", "session or journey")
	}, func(a *report.Analytics, flt journeys.Filter) (any, func(io.Writer) error, error) {
		rep, err := a.Transitions(ctx, report.TransitionQuery{Unit: journeys.Unit(unit), Filter: flt})
		return rep, func(w io.Writer) error { return transitionsTable(w, rep) }, err
	})
}

func transitionsTable(w io.Writer, r report.TransitionReport) error {
	fmt.Fprintf(w, "%d people, %d %ss, %d edges\n", r.People, r.Units, r.Query.Unit, len(r.Edges))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "from\tto\tcount\tpeople\tP(to|from)\tmedian gap\tp90 gap")
	for _, e := range r.Edges {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.4f\t%s\t%s\n", e.From, e.To, e.Count, e.People, e.Probability, seconds(e.MedianGapS), seconds(e.P90GapS))
	}
	return tw.Flush()
}

func seconds(s *float64) string {
	if s == nil {
		return "-"
	}
	return (time.Duration(*s * float64(time.Second))).Round(time.Second).String()
}

func runFunnel(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var def, names, within, window, order, exclude string
	var dropped, offset, limit int
	return runReport(ctx, "funnel", args, stdout, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&def, "def", "", "JSON file holding the funnel definition (as POST /api/v1/funnels takes)")
		fs.StringVar(&names, "funnel", "", "comma-separated steps, e.g. product_view,add_to_wishlist?,add_to_cart,purchase (? marks an optional step)")
		fs.StringVar(&within, "within", "", "comma-separated per-step windows, e.g. ,1h,30m (first empty)")
		fs.StringVar(&window, "window", "", "conversion window from entering the funnel (default 30d)")
		fs.StringVar(&order, "order", "", "strict, ordered (default) or any")
		fs.StringVar(&exclude, "exclude", "", "comma-separated exclusion steps")
		fs.IntVar(&dropped, "dropped", 0, "list the people who dropped at this step (1 = the second step)")
		fs.IntVar(&offset, "offset", 0, "with --dropped: people to skip")
		fs.IntVar(&limit, "limit", report.DefaultDroppedLimit, "with --dropped: people listed")
	}, func(a *report.Analytics, flt journeys.Filter) (any, func(io.Writer) error, error) {
		f, err := funnelFromFlags(def, names, within, window, order, exclude)
		if err != nil {
			return nil, nil, err
		}
		if f.Filter == (journeys.Filter{}) {
			f.Filter = flt
		}
		if dropped > 0 {
			page, err := a.FunnelDropped(ctx, report.DroppedQuery{Funnel: f, Step: dropped, Offset: offset, Limit: limit})
			return page, func(w io.Writer) error { return droppedTable(w, page) }, err
		}
		rep, err := a.Funnel(ctx, f)
		return rep, func(w io.Writer) error { return funnelTable(w, rep) }, err
	})
}

// funnelFromFlags reads --def, then lets the other flags add to it.
func funnelFromFlags(def, names, within, window, order, exclude string) (report.Funnel, error) {
	var f report.Funnel
	if def != "" {
		b, err := os.ReadFile(def)
		if err != nil {
			return f, err
		}
		if err := json.Unmarshal(b, &f); err != nil {
			return f, fmt.Errorf("--def %s: %v", def, err)
		}
	}
	if names != "" {
		f.Steps = report.ParseFunnelSteps(names)
	}
	if within != "" {
		for i, w := range strings.Split(within, ",") {
			d, err := journeys.ParseDuration(w)
			if err != nil {
				return f, fmt.Errorf("--within: %s", journeys.ErrorMessage(err))
			}
			if i < len(f.Steps) {
				f.Steps[i].Within = d
			}
		}
	}
	if window != "" {
		d, err := journeys.ParseDuration(window)
		if err != nil {
			return f, fmt.Errorf("--window: %s", journeys.ErrorMessage(err))
		}
		f.Window = d
	}
	if order != "" {
		f.Order = order
	}
	if exclude != "" {
		f.Exclude = strings.Split(exclude, ",")
	}
	if len(f.Steps) == 0 {
		return f, fmt.Errorf("funnel: give --funnel a,b,c or --def FILE")
	}
	return f, nil
}

func funnelTable(w io.Writer, r report.FunnelReport) error {
	fmt.Fprintf(w, "funnel (%s, window %s), %d people seen\n", r.Funnel.Order, r.Funnel.Window, r.PeopleSeen)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tstep\tpeople\tdrop-off\tfrom prev\tfrom first\tmedian time\tp90 time")
	for i, s := range r.Steps {
		med, p90 := "-", "-"
		if d := s.TimeToConvert; d != nil && d.Count > 0 {
			med, p90 = seconds(&d.MedianS), seconds(&d.P90S)
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%.2f%%\t%.2f%%\t%s\t%s\n", i, s.Step, s.People, s.DropOff, 100*s.FromPrevious, 100*s.FromFirst, med, p90)
	}
	return tw.Flush()
}

func droppedTable(w io.Writer, p report.DroppedPage) error {
	fmt.Fprintf(w, "%d people dropped before step %d (%s); showing %d from %d\n", p.Total, p.Step, p.StepName, len(p.People), p.Offset)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "person\treached previous step at")
	for _, x := range p.People {
		fmt.Fprintf(tw, "%s\t%s\n", x.ID, x.ReachedAt.Format(time.RFC3339))
	}
	if p.NextOffset != nil {
		fmt.Fprintf(tw, "(more: --offset %d)\n", *p.NextOffset)
	}
	return tw.Flush()
}
