// Command journeygraph is the customer-journey analyser: it serves the API
// and web app, imports event files and runs benchmarks.
//
//	journeygraph serve   [flags]           serve the HTTP API on --addr
//	journeygraph import  [flags] FILE...   import CSV/JSONL/seq files (gzip too)
//	journeygraph demo    [flags]           import the demo data, then serve
//	journeygraph restep  --steps FILE      apply edited step rules to the stored events
//	journeygraph bench ingest [flags]      ingest throughput vs a bare CREATE baseline
//	journeygraph bench analytics [flags]   report latencies on generated journeys (1M events)
//	journeygraph paths|transitions|funnel  journey reports as tables (or --json)
//	journeygraph segments list|show|save|preview|refresh|members|export|history
//	journeygraph friction|attribution|fit|states  chain reports and hidden-state models (or --json)
//	journeygraph bench segments [flags]    segment recompute, webhook latency, members lookup
//	journeygraph clusters --k 2-8 [--as-of T]  discover segments: k-means on behaviour vectors
//	journeygraph propensity fit --target convert --horizon 30d [--cutoff T]  supervised propensity, validated out of time
//
// Neo4j is reached through NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD and
// NEO4J_DATABASE (or the matching flags); without them, the local server of
// scripts/neo4j.sh is used.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/journeygraph/journeygraph/cmd/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "journeygraph:", err)
		}
		os.Exit(1)
	}
}

const usage = `usage: journeygraph <command> [flags]

commands:
  serve        serve the HTTP API and the web app
  import       import event files (csv, jsonl, seq; .gz too)
  demo         import the demo data shipped in testdata/demo, then serve
  restep       apply edited step rules (--steps FILE) to every stored event
  paths        top paths from, to or between steps
  transitions  the step transition graph
  funnel       a funnel with drop-off and time to convert
  segments     segments: list, show, save, preview, refresh, members, export, history
  friction     steps ranked by lost conversions, improbable journeys
  attribution  Markov removal effects beside first/last touch (--by channel|campaign|step)
  fit          fit a hidden-state model, decode and store every person
  states       the current model's states (--rename INDEX=LABEL)
  clusters     discover segments: behaviour vectors, k-means over --k 2-8, profiles
  propensity   fit|show a supervised P(convert|unsubscribe), validated out of time
  bench        benchmarks: bench ingest, bench analytics, bench segments

run "journeygraph <command> -h" for the flags of a command.
`

// run is main without the process: the end-to-end tests call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "import":
		return runImport(ctx, args[1:], stdout, stderr)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "restep":
		return runRestep(ctx, args[1:], stdout, stderr)
	case "paths":
		return runPaths(ctx, args[1:], stdout, stderr)
	case "transitions":
		return runTransitions(ctx, args[1:], stdout, stderr)
	case "funnel":
		return runFunnel(ctx, args[1:], stdout, stderr)
	case "segments":
		return runSegments(ctx, args[1:], stdout, stderr)
	case "friction", "attribution", "fit", "states":
		return runModels(ctx, args[0], args[1:], stdout, stderr)
	case "clusters":
		return runClusters(ctx, args[1:], stdout, stderr)
	case "propensity":
		return runPropensity(ctx, args[1:], stdout, stderr)
	case "bench":
		return bench.Run(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// printJSON writes v as indented JSON (the commands' --json output).
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
