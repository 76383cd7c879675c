package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/journeygraph/journeygraph/cmd/internal/app"
)

// runRestep applies (edited) step rules to every stored event, so that
// paths, funnels, chains and segments use them without a re-import. serve
// and import must then be given the same --steps.
func runRestep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	steps := app.StepRulesFlag(fs)
	prefix := fs.String("person-prefix", "", "only the events of people whose id starts with this")
	cfg := app.Neo4jFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	rules, err := app.LoadStepRules(*steps)
	if err != nil {
		return err
	}
	store, err := app.OpenStore(ctx, cfg, app.NewLogger(stderr))
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	read, changed, err := store.Restep(ctx, rules, *prefix)
	fmt.Fprintf(stdout, "restep: read %d events, changed the step of %d\n", read, changed)
	return err
}
