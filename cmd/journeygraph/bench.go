package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/journeys"
)

const benchUsage = `usage: journeygraph bench ingest [flags]

Loads the same events two ways in one run, for each batch size: the full
path model (dedupe, chains, people) and a bare UNWIND $rows CREATE (:Event)
baseline, and prints events/s for each and their ratio. Everything written
is deleted afterwards.
`

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "ingest" {
		fmt.Fprint(stderr, benchUsage)
		return fmt.Errorf("bench: want \"bench ingest\"")
	}
	fs := flag.NewFlagSet("bench ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("file", "../shared/datasets/taobao_userbehavior_sample/UserBehavior_head_814users.csv.gz", "event file to load")
	preset := fs.String("preset", "taobao", "column mapping of the file")
	batches := fs.String("batch", "1000,5000,20000", "comma-separated batch sizes to compare")
	cfg := neo4jFlags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	sizes, err := parseSizes(*batches)
	if err != nil {
		return err
	}
	m, err := chooseMapping(*preset, "")
	if err != nil {
		return err
	}
	events, err := readAll(*file, m)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg, newLogger(stderr))
	if err != nil {
		return err
	}
	defer store.Close(context.Background())

	fmt.Fprintf(stdout, "ingest benchmark: %d events of %s\n", len(events), *file)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "batch\tfull model ev/s\tbaseline ev/s\tratio\t")
	for _, size := range sizes {
		full, base, err := benchOnce(ctx, store, events, size)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%d\t%.0f\t%.0f\t%.2f\t\n", size, full, base, full/base)
	}
	return tw.Flush()
}

// benchOnce loads events with the full model and with the baseline, both in
// batches of size, under fresh ids, and returns events/s for each.
func benchOnce(ctx context.Context, store *graph.Store, events []journeys.Event, size int) (full, base float64, err error) {
	prefix := "bench-" + randomKey()[:8] + "-"
	run := make([]journeys.Event, len(events))
	people := map[string]bool{}
	for i, e := range events {
		e.ID, e.Person = prefix+e.ID, prefix+e.Person
		run[i] = e
		people[e.Person] = true
	}
	defer func() {
		ids := make([]string, 0, len(people))
		for p := range people {
			ids = append(ids, p)
		}
		for start := 0; start < len(ids); start += 100 {
			if _, derr := store.DeletePeople(context.Background(), ids[start:min(start+100, len(ids))]); derr != nil && err == nil {
				err = derr
			}
		}
		if derr := store.DeleteBaseline(context.Background()); derr != nil && err == nil {
			err = derr
		}
	}()
	journeys.SortEvents(run)

	start := time.Now()
	for i := 0; i < len(run); i += size {
		if err := store.CreateBaseline(ctx, run[i:min(i+size, len(run))]); err != nil {
			return 0, 0, err
		}
	}
	base = float64(len(run)) / time.Since(start).Seconds()

	in := &journeys.Ingester{Store: store, Rules: journeys.DefaultStepRules(), BatchSize: size}
	start = time.Now()
	res, err := in.Ingest(ctx, run)
	if err != nil {
		return 0, 0, err
	}
	full = float64(len(run)) / time.Since(start).Seconds()
	if res.Accepted+res.Duplicates != len(run) {
		return 0, 0, fmt.Errorf("bench: stored %d + %d duplicates of %d events", res.Accepted, res.Duplicates, len(run))
	}
	return full, base, nil
}

func readAll(path string, m journeys.Mapping) ([]journeys.Event, error) {
	r, closer, err := journeys.OpenFile(path, m, time.Now(), journeys.Limits{})
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	var events []journeys.Event
	for r.Next() {
		events = append(events, r.Event())
	}
	return events, r.Err()
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("--batch: %q is not a positive whole number", f)
		}
		out = append(out, n)
	}
	return out, nil
}
