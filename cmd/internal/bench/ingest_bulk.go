package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/bulk"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
)

// bulkServer says where the bulk table's private Neo4j lives: never the
// shared server (import --bulk stops the server it loads).
type bulkServer struct {
	script, dir, lib, heap, pagecache string
	port                              int
	alone                             bool
}

func (b *bulkServer) register(fs *flag.FlagSet) {
	fs.StringVar(&b.script, "neo4j-script", "scripts/neo4j.sh", "the script managing Neo4j (the bulk table runs a private server with it)")
	fs.StringVar(&b.dir, "bulk-dir", ".neo4j-bulkbench", "home of the bulk table's private Neo4j (its database is wiped before each load)")
	fs.IntVar(&b.port, "bulk-port", 7697, "Bolt port of the bulk table's private Neo4j")
	lib := ""
	if found, _ := filepath.Glob(filepath.Join(".neo4j", "lib-*", ".complete")); len(found) > 0 {
		lib = filepath.Dir(found[len(found)-1])
	}
	fs.StringVar(&b.lib, "bulk-lib", lib, "the Neo4j jars of the private server (default: those of .neo4j/; empty fetches them)")
	fs.StringVar(&b.heap, "bulk-heap", "2g", "heap of the private server and of neo4j-admin import")
	fs.StringVar(&b.pagecache, "bulk-pagecache", "1g", "page cache of the private server")
	fs.BoolVar(&b.alone, "bulk-alone", false, "run only the bulk table's --bulk row (the other rows take long at 1M events)")
}

// server returns the private server and its store settings, after checking
// it is not the shared one (shared: the store the other tables use).
func (b *bulkServer) server(shared graph.Config, stderr io.Writer) (*bulk.Server, graph.Config, error) {
	if u, err := url.Parse(shared.URI); err == nil && u.Port() == strconv.Itoa(b.port) {
		return nil, graph.Config{}, fmt.Errorf("--bulk-port %d is the port of %s: the bulk table needs a private server", b.port, shared.URI)
	}
	dir, err := filepath.Abs(b.dir)
	if err != nil {
		return nil, graph.Config{}, err
	}
	if def, _ := filepath.Abs(".neo4j"); dir == def {
		return nil, graph.Config{}, fmt.Errorf("--bulk-dir %s is the shared server's folder: the bulk table needs a private server", b.dir)
	}
	buf := make([]byte, 12)
	_, _ = rand.Read(buf)
	password := hex.EncodeToString(buf)
	env := []string{"NEO4J_LOCAL_DIR=" + dir, "NEO4J_BOLT_PORT=" + strconv.Itoa(b.port), "NEO4J_PASSWORD=" + password,
		"NEO4J_HEAP=" + b.heap, "NEO4J_PAGECACHE=" + b.pagecache}
	if b.lib != "" {
		lib, err := filepath.Abs(b.lib)
		if err != nil {
			return nil, graph.Config{}, err
		}
		env = append(env, "NEO4J_LIB_DIR="+lib)
	}
	srv := &bulk.Server{Script: b.script, Env: env, Out: stderr}
	cfg := graph.Config{URI: "bolt://127.0.0.1:" + strconv.Itoa(b.port), User: "neo4j", Password: password, Database: "neo4j"}
	return srv, cfg, nil
}

// bulkCase is the bulk table's own row: the shuffled file loaded with
// import --bulk into the private server.
var bulkCase = importCase{file: "shuffled", written: "import --bulk (offline)"}

// runBulkTable compares, on the same n events, the bare baseline, the
// sorted import of the time-sorted and of the shuffled file and the HTTP
// batches (on the shared server, as the import table) with import --bulk
// of the shuffled file into a private server, end to end: reading,
// sorting, CSV, neo4j-admin import, start and schema.
func runBulkTable(ctx context.Context, store *graph.Store, shared graph.Config, b *bulkServer, n, rounds, batch, writers int, sortMem int64, stdout, stderr io.Writer) error {
	srv, cfg, err := b.server(shared, stderr)
	if err != nil {
		return err
	}
	dir, paths, n, people, remove, err := tempImportFiles(n)
	if err != nil {
		return err
	}
	defer remove()
	defer func() {
		if err := srv.Wipe(context.Background()); err != nil {
			fmt.Fprintf(stderr, "bench: wipe the private server: %v\n", err)
		}
	}()
	fmt.Fprintf(stdout, "\nbulk load: the same %d email-heavy events of %d people (journeys/synth), JSONL, best of %d; --bulk into a private Neo4j (heap %s, page cache %s), the others into the shared one\n",
		n, people, rounds, b.heap, b.pagecache)
	cases := []importCase{importCases[0], {file: "time-sorted", written: "sorted by person", sortMem: sortMem},
		{file: "shuffled", written: "sorted by person", sortMem: sortMem}, importCases[3], bulkCase}
	if b.alone {
		cases = cases[len(cases)-1:]
	}
	best := make([]time.Duration, len(cases))
	var phases bulk.Result
	for r := 0; r < rounds; r++ {
		for i, c := range cases {
			var d time.Duration
			var res ingest.ImportResult
			if c == bulkCase {
				var br bulk.Result
				d, br, res, err = bulkOnce(ctx, srv, cfg, paths[c.file], sortMem, dir)
				if want := int64(n - res.Duplicates); err == nil && (br.Stored.Events != want || br.Stored.People != int64(people)) {
					err = fmt.Errorf("bench: --bulk stored %d events of %d people, want %d (%d less %d repeats) of %d", br.Stored.Events, br.Stored.People, want, n, res.Duplicates, people)
				}
				if err == nil && (best[i] == 0 || d < best[i]) {
					phases = br
				}
			} else {
				d, res, err = importOnce(ctx, store, paths[c.file], c, batch, writers, dir, stderr)
			}
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
	fmt.Fprintf(stdout, "%-12s %-24s %9s %8s %12s\n", "file", "written", "events/s", "time", "× baseline")
	for i, c := range cases {
		vs := "-"
		if !b.alone {
			vs = fmt.Sprintf("%.2f×", best[0].Seconds()/best[i].Seconds())
		}
		fmt.Fprintf(stdout, "%-12s %-24s %9.0f %6.1f s %12s\n", c.file, c.written, float64(n)/best[i].Seconds(),
			best[i].Seconds(), vs)
	}
	fmt.Fprintf(stdout, "--bulk phases (best round): read, sort and CSV %.1f s (Neo4j stopping meanwhile), rest of the stop and neo4j-admin import %.1f s, start and schema %.1f s\n",
		phases.Write.Seconds(), phases.Import.Seconds(), phases.Start.Seconds())
	return nil
}

// bulkOnce empties the private server (not timed), then loads the file at
// path with import --bulk's loader and returns how long the load took.
func bulkOnce(ctx context.Context, srv *bulk.Server, cfg graph.Config, path string, sortMem int64, dir string) (time.Duration, bulk.Result, ingest.ImportResult, error) {
	if err := srv.Wipe(ctx); err != nil {
		return 0, bulk.Result{}, ingest.ImportResult{}, err
	}
	if err := srv.Start(ctx); err != nil {
		return 0, bulk.Result{}, ingest.ImportResult{}, err
	}
	var results []ingest.ImportResult
	l := &bulk.Loader{Server: srv, Store: cfg, TempDir: dir}
	start := time.Now()
	res, err := l.Load(ctx, func(w *bulk.Writer) error {
		im := &ingest.Importer{Ingester: &ingest.Ingester{Rules: journeys.DefaultStepRules()}, SortMemory: sortMem, TempDir: dir}
		var err error
		results, err = im.ImportBulk(ctx, []string{path}, emailFileMapping, w)
		return err
	})
	d := time.Since(start)
	if err != nil {
		return 0, res, ingest.ImportResult{}, fmt.Errorf("bench: --bulk: %w", err)
	}
	return d, res, results[0], nil
}
