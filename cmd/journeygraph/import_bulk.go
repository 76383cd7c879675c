package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sirupsen/logrus"

	"github.com/journeygraph/journeygraph/cmd/internal/app"
	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/bulk"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
)

// bulkFlags are import's flags of a bulk load.
type bulkFlags struct {
	on     bool
	script string
}

func (b *bulkFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&b.on, "bulk", false, "load an EMPTY database offline, much faster: write the graph as CSV files, stop the Neo4j of scripts/neo4j.sh, run neo4j-admin database import (database neo4j replaced), start it again and apply the schema; refused for a database holding anything or a Neo4j the script does not manage")
	fs.StringVar(&b.script, "neo4j-script", "scripts/neo4j.sh", "the script managing the local Neo4j (--bulk stops and starts it)")
}

// importBulk loads files into an empty database offline (import --bulk)
// and prints a summary line per file and one for the load.
func importBulk(ctx context.Context, f *importFlags, b *bulkFlags, files []string, stdout, stderr io.Writer, log logrus.FieldLogger) error {
	m, err := app.Mapping(f.preset, f.mapping)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f.rejects), 0o755); err != nil {
		return fmt.Errorf("rejects file: %w", err)
	}
	rejects, err := os.OpenFile(f.rejects, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("rejects file: %w", err)
	}
	defer rejects.Close()
	bar := newProgress(stderr)
	var rules journeys.StepRules
	loader := &bulk.Loader{Server: &bulk.Server{Script: b.script, Out: stderr}, Store: *f.neo4j, TempDir: f.sortDir, Log: log,
		Before: func(ctx context.Context, store *graph.Store) (err error) {
			rules, err = app.RulesInForce(ctx, *f.steps, store)
			return err
		}}
	var results []ingest.ImportResult
	res, err := loader.Load(ctx, func(w *bulk.Writer) error {
		im := &ingest.Importer{
			Ingester: &ingest.Ingester{Rules: rules}, Rejects: rejects, Progress: bar.update,
			SortMemory: int64(f.sortMemory), TempDir: f.sortDir,
		}
		var err error
		results, err = im.ImportBulk(ctx, files, m, w)
		bar.done()
		return err
	})
	for _, r := range results {
		fmt.Fprintf(stdout, "%s: read %d, accepted %d, duplicates %d, rejected %d\n",
			r.File, r.Read, r.Accepted, r.Duplicates, r.Rejected)
		if r.Rejected > 0 {
			fmt.Fprintf(stdout, "  rejected rows and reasons: %s\n", f.rejects)
		}
	}
	if err != nil {
		return err
	}
	total := res.Write + res.Import + res.Start
	fmt.Fprintf(stdout, "bulk: stored %d people, %d events (%s) in %.1fs: read, sort and CSV %.1fs, neo4j-admin import %.1fs, start and schema %.1fs; %.0f events/s\n",
		res.Stored.People, res.Stored.Events, res.Files.Counts, total.Seconds(), res.Write.Seconds(),
		res.Import.Seconds(), res.Start.Seconds(), float64(res.Stored.Events)/max(total.Seconds(), 1e-3))
	return nil
}
