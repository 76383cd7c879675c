package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/journeygraph/journeygraph/cmd/internal/app"
	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/journeys/synth"
)

// importCase is one row of the file-import table: a file imported one way.
type importCase struct {
	file     string // "time-sorted" or "shuffled"
	written  string // how the import writes it
	sortMem  int64  // ingest.Importer.SortMemory
	baseline bool   // bare UNWIND … CREATE instead of the path model
	http     bool   // POSTed to the events API in batches, in file order
}

// importCases are the rows of the file-import table, in the order run: the
// bare baseline, the sorted import of both files, then the file-order
// import of both (what import did before it sorted).
var importCases = []importCase{
	{file: "time-sorted", written: "bare CREATE (baseline)", sortMem: -1, baseline: true},
	{file: "time-sorted", written: "sorted by person", sortMem: 0},
	{file: "shuffled", written: "sorted by person", sortMem: 0},
	{file: "time-sorted", written: "HTTP batches", http: true},
	{file: "time-sorted", written: "file order", sortMem: -1},
	{file: "shuffled", written: "file order", sortMem: -1},
}

// emailFileMapping maps the JSONL rows writeEventFile writes.
var emailFileMapping = ingest.Mapping{Format: ingest.FormatJSONL, Person: "user", Time: "ts", Name: "event",
	Channel: "channel", Campaign: "campaign", Device: "device", URL: "url", Product: "product", Value: "value"}

// importRow is one line of the generated files (ids left out: each import
// runs under its own person prefix, and content ids follow the person).
type importRow struct {
	User     string  `json:"user"`
	TS       string  `json:"ts"`
	Event    string  `json:"event"`
	Channel  string  `json:"channel,omitempty"`
	Campaign string  `json:"campaign,omitempty"`
	Device   string  `json:"device,omitempty"`
	URL      string  `json:"url,omitempty"`
	Product  string  `json:"product,omitempty"`
	Value    float64 `json:"value,omitempty"`
}

// writeEventFile writes events as JSONL rows to path.
func writeEventFile(path string, events []journeys.Event) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, e := range events {
		if err := enc.Encode(importRow{User: e.Person, TS: e.Time.Format(time.RFC3339Nano), Event: e.Name, Channel: e.Channel,
			Campaign: e.Campaign, Device: e.Device, URL: e.URL, Product: e.Product, Value: e.Value}); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// warmUpEvents is the size of the warm-up file.
const warmUpEvents = 5000

// tempImportFiles is importFiles into a new temporary folder, returned
// with it; remove deletes the folder.
func tempImportFiles(n int) (dir string, paths map[string]string, count, people int, remove func(), err error) {
	if dir, err = os.MkdirTemp("", "journeygraph-bench-"); err != nil {
		return "", nil, 0, 0, nil, err
	}
	remove = func() { os.RemoveAll(dir) }
	if paths, count, people, err = importFiles(dir, n, 1); err != nil {
		remove()
		return "", nil, 0, 0, nil, fmt.Errorf("bench: write files: %w", err)
	}
	return dir, paths, count, people, remove, nil
}

// importFiles generates n email-heavy events (journeys/synth; n and the
// last person's), writes them to a file sorted by time and to a shuffled
// one, and the first warmUpEvents of the sorted one to a warm-up file, and
// returns their paths (by those names), the number of events and of people.
func importFiles(dir string, n int, seed uint64) (paths map[string]string, count, people int, err error) {
	events := synth.EmailEvents(synth.EmailConfig{Seed: seed, Events: n})
	seen := map[string]bool{}
	for _, e := range events {
		seen[e.Person] = true
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].Time.Before(events[j].Time) })
	paths = map[string]string{"time-sorted": filepath.Join(dir, "time-sorted.jsonl"), "shuffled": filepath.Join(dir, "shuffled.jsonl")}
	if err := writeEventFile(paths["time-sorted"], events); err != nil {
		return nil, 0, 0, err
	}
	paths["warm-up"] = filepath.Join(dir, "warm-up.jsonl")
	if err := writeEventFile(paths["warm-up"], events[:min(len(events), warmUpEvents)]); err != nil {
		return nil, 0, 0, err
	}
	rand.New(rand.NewPCG(seed, 1)).Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
	if err := writeEventFile(paths["shuffled"], events); err != nil {
		return nil, 0, 0, err
	}
	return paths, len(events), len(seen), nil
}

// runImportTable imports the same n events from files each way of
// importCases, every one under its own person prefix (deleted afterwards),
// rounds times over (the cases interleaved, so that a busy machine slows
// them alike), and prints for each its best time, events/s, and the ratios
// to the baseline and to the time-sorted file imported the same way.
func runImportTable(ctx context.Context, store *graph.Store, n, rounds, batch, writers int, sortMem int64, stdout, stderr io.Writer) error {
	dir, paths, n, people, remove, err := tempImportFiles(n)
	if err != nil {
		return err
	}
	defer remove()
	fmt.Fprintf(stdout, "\nimport from files: the same %d email-heavy events of %d people (journeys/synth), JSONL, batch %d, %d writers, best of %d\n",
		n, people, batch, writers, rounds)
	// The first import of a process pays for planning its queries: a
	// warm-up of the full model and of the baseline spares the first case.
	for _, c := range importCases[:2] {
		c.file = "warm-up"
		if _, _, err := importOnce(ctx, store, paths[c.file], c, batch, writers, dir, stderr); err != nil {
			return err
		}
	}
	best := make([]time.Duration, len(importCases))
	for r := 0; r < rounds; r++ {
		for i, c := range importCases {
			if c.sortMem == 0 {
				c.sortMem = sortMem
			}
			d, res, err := importOnce(ctx, store, paths[c.file], c, batch, writers, dir, stderr)
			if err != nil {
				return err
			}
			// A large file repeats a few events (the same person, event
			// and second): every way must take each once.
			if res.Accepted+res.Duplicates != n || res.Rejected != 0 {
				return fmt.Errorf("bench: %s file, %s: %d accepted, %d duplicates, %d rejected of %d events", c.file, c.written, res.Accepted, res.Duplicates, res.Rejected, n)
			}
			fmt.Fprintf(stderr, "round %d: %s file, %s: %.1f s\n", r+1, c.file, c.written, d.Seconds())
			if best[i] == 0 || d < best[i] {
				best[i] = d
			}
		}
	}
	fmt.Fprintf(stdout, "%-12s %-24s %9s %8s %12s %15s\n", "file", "written", "events/s", "time", "vs baseline", "vs time-sorted")
	for i, c := range importCases {
		vsSorted := ""
		if !c.baseline {
			for j := range importCases[:i+1] {
				if importCases[j].written == c.written {
					vsSorted = fmt.Sprintf("%.2f×", best[i].Seconds()/best[j].Seconds())
					break
				}
			}
		}
		fmt.Fprintf(stdout, "%-12s %-24s %9.0f %6.1f s %11.2f× %15s\n", c.file, c.written, float64(n)/best[i].Seconds(),
			best[i].Seconds(), best[i].Seconds()/best[0].Seconds(), vsSorted)
	}
	return nil
}

// importOnce imports the file at path one way under a fresh prefix, deletes
// what it wrote, and returns how long the import took.
func importOnce(ctx context.Context, store *graph.Store, path string, c importCase, batch, writers int, dir string, stderr io.Writer) (time.Duration, ingest.ImportResult, error) {
	prefix := "bench-import-" + randomTag() + "-"
	defer func() {
		if _, err := store.DeletePrefix(context.Background(), prefix); err != nil {
			fmt.Fprintf(stderr, "bench: delete %s: %v\n", prefix, err)
		}
	}()
	in := app.New(store, app.Config{Rules: journeys.DefaultStepRules(), BatchSize: batch, Writers: writers}).Ingester
	if c.http {
		return postFile(ctx, store, in, path, prefix, batch, writers)
	}
	if c.baseline {
		bin := *in
		bin.Store = baselineWriter{store}
		in = &bin
	}
	stateDir, err := os.MkdirTemp(dir, "state-")
	if err != nil {
		return 0, ingest.ImportResult{}, err
	}
	im := &ingest.Importer{Ingester: in, BatchSize: batch, StateDir: stateDir, SortMemory: c.sortMem, TempDir: dir}
	m := emailFileMapping
	m.PersonPrefix = prefix
	start := time.Now()
	res, err := im.ImportFile(ctx, path, m)
	if err != nil {
		return 0, res, fmt.Errorf("bench: import %s file (%s): %w", c.file, c.written, err)
	}
	return time.Since(start), res, nil
}
