package bench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/journeygraph/journeygraph/cmd/internal/app"
	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
)

const ingestUsage = `usage: journeygraph bench ingest [flags]

Loads the same events two ways in one run, for each batch size: the full
path model (dedupe, chains, people) and a bare UNWIND $rows CREATE (:Event)
baseline (same properties and indexes), and prints events/s for each and
their ratio. Then (table "import") imports the same generated events from a
time-sorted and from a shuffled JSONL file, sorted by person first and in
file order, and the time-sorted one POSTed to the events API in batches,
against the bare baseline. Table "http" POSTs the time-sorted file in
bodies of each --http-bodies size from --http-clients clients, to the
server's Ingester (concurrent requests coalesced into shared writes) and to
one where each request writes alone. Table "bulk" loads the shuffled file with
import --bulk into a private Neo4j of its own (--bulk-dir, --bulk-port;
never the shared server, which --bulk would stop) end to end, beside the
baseline, the sorted import of both files and the HTTP batches. Everything
written is deleted afterwards.
`

// runIngest runs "bench ingest" (args: "ingest" and its flags).
func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "ingest" {
		fmt.Fprint(stderr, ingestUsage)
		return fmt.Errorf("bench: want \"bench ingest\"")
	}
	fs := flag.NewFlagSet("bench ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("file", "../shared/datasets/taobao_userbehavior_sample/UserBehavior_head_814users.csv.gz", "event file to load")
	preset := fs.String("preset", "taobao", "column mapping of the file")
	batches := fs.String("batch", "1000,5000,20000", "comma-separated batch sizes to compare")
	writers := fs.String("writers", "1,2", "comma-separated numbers of concurrent writers to compare")
	tables := fs.String("tables", "batches,import", "tables to run: batches (the file by batch size and writers), import (files sorted and shuffled), bulk (import --bulk into a private server), http (bodies by size, coalesced or not)")
	httpBodies := fs.String("http-bodies", "1,50,5000", "comma-separated events a body of the http table")
	httpClients := fs.Int("http-clients", 16, "concurrent clients of the http table")
	httpEvents := fs.Int("http-events", 10000, "events of the http table's file")
	importEvents := fs.Int("import-events", 20000, "events of the import table's files")
	rounds := fs.Int("rounds", 1, "times each case runs: the import and bulk tables show the best time, the batch table the median of each round's ratio")
	sortMiB := fs.Int("sort-mib", ingest.DefaultSortMemory>>20, "the import table's sort memory, in MiB")
	cfg := app.Neo4jFlags(fs)
	var bs bulkServer
	bs.register(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	run := map[string]bool{}
	for _, t := range strings.Split(*tables, ",") {
		if t = strings.TrimSpace(t); t != "batches" && t != "import" && t != "bulk" && t != "http" {
			return fmt.Errorf("--tables: %q is not a table (want batches, import, bulk, http)", t)
		}
		run[t] = true
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"--import-events", *importEvents}, {"--rounds", *rounds}, {"--sort-mib", *sortMiB}, {"--http-clients", *httpClients}, {"--http-events", *httpEvents}} {
		if f.v < 1 {
			return fmt.Errorf("%s: %d is not a positive whole number", f.name, f.v)
		}
	}
	sizes, err := parseSizes("--batch", *batches)
	if err != nil {
		return err
	}
	ws, err := parseSizes("--writers", *writers)
	if err != nil {
		return err
	}
	bodies, err := parseSizes("--http-bodies", *httpBodies)
	if err != nil {
		return err
	}
	m, err := app.Mapping(*preset, "")
	if err != nil {
		return err
	}
	store, err := app.OpenStore(ctx, cfg, app.NewLogger(stderr))
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	if run["batches"] {
		if err := runBatchTable(ctx, store, *file, m, sizes, ws, *rounds, stdout); err != nil {
			return err
		}
	}
	if run["import"] {
		if err := runImportTable(ctx, store, *importEvents, *rounds, ingest.DefaultBatchSize, ingest.DefaultWriters, int64(*sortMiB)<<20, stdout, stderr); err != nil {
			return err
		}
	}
	if run["http"] {
		if err := runHTTPTable(ctx, store, *httpEvents, bodies, *httpClients, *rounds, stdout, stderr); err != nil {
			return err
		}
	}
	if run["bulk"] {
		return runBulkTable(ctx, store, *cfg, &bs, *importEvents, *rounds, ingest.DefaultBatchSize, ingest.DefaultWriters, int64(*sortMiB)<<20, stdout, stderr)
	}
	return nil
}

// runBatchTable loads the events of file with the full model and the
// baseline for every batch size and number of writers, rounds times (one
// after the other in each round, in alternating order), and prints the
// median events/s of each and the median and range of the rounds' ratios:
// on a 2-core machine one run of either swings by half, and a round's
// ratio compares two runs made moments apart.
func runBatchTable(ctx context.Context, store *graph.Store, file string, m ingest.Mapping, sizes, ws []int, rounds int, stdout io.Writer) error {
	events, err := readAll(file, m)
	if err != nil {
		return err
	}

	fmt.Fprintf(stdout, "ingest benchmark: %d events of %s, %d rounds (medians)\n", len(events), file, rounds)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "batch\twriters\tfull model ev/s\tbaseline ev/s\tratio\tratio range\t")
	for _, w := range ws {
		for _, size := range sizes {
			var full, base, ratio []float64
			for r := range rounds {
				f, b, err := benchOnce(ctx, store, events, size, w, r%2 == 1)
				if err != nil {
					return err
				}
				full, base, ratio = append(full, f), append(base, b), append(ratio, f/b)
			}
			fmt.Fprintf(tw, "%d\t%d\t%.0f\t%.0f\t%.2f\t%.2f–%.2f\t\n", size, w, median(full), median(base), median(ratio),
				slices.Min(ratio), slices.Max(ratio))
		}
	}
	return tw.Flush()
}

// median returns the median of xs (not empty), which it sorts.
func median(xs []float64) float64 {
	slices.Sort(xs)
	if n := len(xs); n%2 == 0 {
		return (xs[n/2-1] + xs[n/2]) / 2
	}
	return xs[len(xs)/2]
}

// benchOnce loads events with the full model and with the baseline (the
// full model first when fullFirst), both in batches of size, each under
// fresh ids and people, and returns events/s for each.
func benchOnce(ctx context.Context, store *graph.Store, events []journeys.Event, size, writers int, fullFirst bool) (full, base float64, err error) {
	tag := randomTag()
	var people []string
	fresh := func(prefix string) []journeys.Event {
		out := make([]journeys.Event, len(events))
		seen := map[string]bool{}
		for i, e := range events {
			e.ID, e.Person = prefix+e.ID, prefix+e.Person
			out[i] = e
			if !seen[e.Person] {
				seen[e.Person] = true
				people = append(people, e.Person)
			}
		}
		journeys.SortEvents(out)
		return out
	}
	baseline, model := fresh("bench-base-"+tag+"-"), fresh("bench-full-"+tag+"-")
	defer func() {
		for start := 0; start < len(people); start += 100 {
			if _, derr := store.DeletePeople(context.Background(), people[start:min(start+100, len(people))]); derr != nil && err == nil {
				err = derr
			}
		}
	}()

	// Both go through the app's Ingester (same batches, same concurrent
	// writers, same step rules): only the store operation differs.
	in := app.New(store, app.Config{Rules: journeys.DefaultStepRules(), BatchSize: size, Writers: writers}).Ingester
	bin := *in
	bin.Store = baselineWriter{store}
	runBase := func() error {
		start := time.Now()
		if _, err := bin.Ingest(ctx, baseline); err != nil {
			return err
		}
		base = float64(len(baseline)) / time.Since(start).Seconds()
		return nil
	}
	runFull := func() error {
		start := time.Now()
		res, err := in.Ingest(ctx, model)
		if err != nil {
			return err
		}
		full = float64(len(model)) / time.Since(start).Seconds()
		if res.Accepted+res.Duplicates != len(model) {
			return fmt.Errorf("bench: stored %d + %d duplicates of %d events", res.Accepted, res.Duplicates, len(model))
		}
		return nil
	}
	order := []func() error{runBase, runFull}
	if fullFirst {
		order[0], order[1] = runFull, runBase
	}
	for _, f := range order {
		if err := f(); err != nil {
			return 0, 0, err
		}
	}
	return full, base, nil
}

// readAll reads every event of the file at path.
func readAll(path string, m ingest.Mapping) ([]journeys.Event, error) {
	r, closer, err := ingest.OpenFile(path, m, time.Now(), journeys.Limits{})
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

// parseSizes reads a comma-separated list of positive whole numbers, the
// value of the flag name.
func parseSizes(name, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s: %q is not a positive whole number", name, f)
		}
		out = append(out, n)
	}
	return out, nil
}

// baselineWriter stores events the baseline way, so that the baseline goes
// through the same Ingester as the full model.
type baselineWriter struct{ store *graph.Store }

// WriteEvents creates the events as bare nodes (graph.Store.CreateBaseline).
func (b baselineWriter) WriteEvents(ctx context.Context, events []journeys.Event) (journeys.WriteResult, error) {
	if err := b.store.CreateBaseline(ctx, events); err != nil {
		return journeys.WriteResult{}, err
	}
	return journeys.WriteResult{Accepted: len(events)}, nil
}
