package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/journeygraph/journeygraph/cmd/internal/app"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/synth"
)

// demoFiles are the real data excerpts shipped in testdata/demo, with the
// preset that reads each.
var demoFiles = []struct{ file, preset string }{
	{"taobao_200users.csv.gz", "taobao"},
	{"rees46_6000events.csv.gz", "rees46"},
}

// demoAsOf is just after the last event of the demo excerpts (REES46's
// 2019-10-01 02:30:06): the synthetic email journeys are planted around it
// and segments are evaluated from it.
var demoAsOf = time.Date(2019, 10, 1, 3, 0, 0, 0, time.UTC)

// runDemo imports the demo data (again each time: ingest is idempotent, so
// a re-run stores nothing twice and a wiped database gets it back), fits a
// hidden-state model when there is none, then serves.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var sf serveFlags
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf.register(fs)
	dir := fs.String("data", filepath.Join("testdata", "demo"), "folder holding the demo files")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := app.NewLogger(stderr)
	if err := loadDemo(ctx, &sf, *dir, stdout, stderr, log); err != nil {
		return err
	}
	// The demo data is years old: evaluate segments as of its end, so that
	// "in the last 7 days" means something.
	if sf.segments.asOf == "" {
		sf.segments.asOf = demoAsOf.Format(time.RFC3339)
		fmt.Fprintf(stdout, "segments are evaluated as of %s, the end of the demo data (--segments-as-of)\n", sf.segments.asOf)
	}
	return serve(ctx, &sf, log, stdout)
}

// loadDemo imports the demo files of dir, adds the synthetic email
// journeys and fits a hidden-state model when there is none, on a store
// of its own.
func loadDemo(ctx context.Context, sf *serveFlags, dir string, stdout, stderr io.Writer, log *logrus.Logger) error {
	store, err := app.OpenStore(ctx, sf.neo4j, log)
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	for _, d := range demoFiles {
		f := importFlags{preset: d.preset, rejects: filepath.Join(".journeygraph-import", "demo-rejected.csv"),
			stateDir: ".journeygraph-import", noResume: true, steps: sf.steps, neo4j: sf.neo4j}
		if _, err := importFiles(ctx, &f, store, []string{filepath.Join(dir, d.file)}, stdout, stderr, log); err != nil {
			return fmt.Errorf("demo import: %w", err)
		}
	}
	rules, err := app.RulesInForce(ctx, *sf.steps, store)
	if err != nil {
		return err
	}
	a := app.New(store, app.Config{Rules: rules})
	// The public datasets hold no email events: add seeded synthetic email
	// journeys (people "synthetic-...": opens, clicks, unsubscribes, lapsed
	// subscribers...) around the last real event, so that the email segments
	// have members too. Same seed, same ids: a re-run stores nothing twice.
	d := synth.Generate(synth.Config{Seed: 1, AsOf: demoAsOf, Prefix: "synthetic-", PerKind: 10, Noise: 5})
	res, err := a.Ingester.Ingest(ctx, d.Events)
	if err != nil {
		return fmt.Errorf("demo email journeys: %w", err)
	}
	fmt.Fprintf(stdout, "synthetic email journeys: %d people, accepted %d, duplicates %d\n", len(d.Kinds), res.Accepted, res.Duplicates)
	// Show hidden states from the start: fit a model once, if none exists.
	if _, err := a.HiddenStates.Current(ctx, ""); journeys.ErrorCode(err) == journeys.ENOTFOUND {
		m, err := a.HiddenStates.Fit(ctx, journeys.ModelQuery{})
		if err != nil {
			return fmt.Errorf("demo model: %w", err)
		}
		fmt.Fprintf(stdout, "fitted a hidden-state model with %d states on the demo data\n", len(m.States))
	}
	return nil
}
