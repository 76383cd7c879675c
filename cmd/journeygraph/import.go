package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sirupsen/logrus"

	"github.com/journeygraph/journeygraph/cmd/internal/app"
	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/journeys/ingest"
)

// importFlags are the flags of import (and demo).
type importFlags struct {
	preset, mapping, rejects, stateDir string
	batch                              int
	noResume                           bool
	sortMemory                         sortMemory
	sortDir                            string
	steps                              *string
	neo4j                              *graph.Config
}

func (f *importFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.preset, "preset", "", "column mapping of a known dataset: "+strings.Join(ingest.PresetNames(), ", ")+" (default: detected from the header)")
	fs.StringVar(&f.mapping, "mapping", "", "JSON file with a column mapping (instead of --preset)")
	fs.StringVar(&f.rejects, "rejects", "rejected.csv", "CSV file receiving rejected rows with their reasons (appended)")
	fs.StringVar(&f.stateDir, "state-dir", ".journeygraph-import", "folder of the checkpoints that make an import resumable")
	fs.IntVar(&f.batch, "batch", ingest.DefaultBatchSize, "events per transaction")
	fs.BoolVar(&f.noResume, "no-resume", false, "ignore checkpoints and read every file from the start")
	f.sortMemory = ingest.DefaultSortMemory
	fs.Var(&f.sortMemory, "sort-memory", "memory for sorting each file by person and time before writing it, past which it spills to temporary files (512MiB, 2GiB...); off writes in file order")
	fs.StringVar(&f.sortDir, "sort-dir", "", "folder of the sort's temporary files, removed afterwards (default: the system's temporary folder)")
	f.steps = app.StepRulesFlag(fs)
	f.neo4j = app.Neo4jFlags(fs)
}

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f importFlags
	var b bulkFlags
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.register(fs)
	b.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("import: no file given")
	}
	log := app.NewLogger(stderr)
	if b.on {
		return importBulk(ctx, &f, &b, fs.Args(), stdout, stderr, log)
	}
	store, err := app.OpenStore(ctx, f.neo4j, log)
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	_, err = importFiles(ctx, &f, store, fs.Args(), stdout, stderr, log)
	return err
}

// importFiles imports files one after the other and prints a summary line
// per file. It stops at the first file that fails; running again resumes.
func importFiles(ctx context.Context, f *importFlags, store *graph.Store, files []string, stdout, stderr io.Writer, log logrus.FieldLogger) ([]ingest.ImportResult, error) {
	m, err := app.Mapping(f.preset, f.mapping)
	if err != nil {
		return nil, err
	}
	rules, err := app.RulesInForce(ctx, *f.steps, store)
	if err != nil {
		return nil, err
	}
	a := app.New(store, app.Config{Rules: rules, BatchSize: f.batch})
	if err := os.MkdirAll(filepath.Dir(f.rejects), 0o755); err != nil {
		return nil, fmt.Errorf("rejects file: %w", err)
	}
	rejects, err := os.OpenFile(f.rejects, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("rejects file: %w", err)
	}
	defer rejects.Close()
	bar := newProgress(stderr)
	im := &ingest.Importer{
		Ingester:  a.Ingester,
		BatchSize: f.batch, StateDir: f.stateDir, Resume: !f.noResume,
		Rejects: rejects, Progress: bar.update,
		SortMemory: int64(f.sortMemory), TempDir: f.sortDir,
	}
	var results []ingest.ImportResult
	for _, path := range files {
		res, err := im.ImportFile(ctx, path, m)
		bar.done()
		if err != nil {
			return results, err
		}
		results = append(results, res)
		note := ""
		if res.Resumed {
			note = " (resumed)"
		}
		fmt.Fprintf(stdout, "%s: read %d, accepted %d, duplicates %d, rejected %d%s\n",
			path, res.Read, res.Accepted, res.Duplicates, res.Rejected, note)
		if res.Rejected > 0 {
			fmt.Fprintf(stdout, "  rejected rows and reasons: %s\n", f.rejects)
		}
		log.WithFields(logrus.Fields{"file": path, "accepted": res.Accepted, "duplicates": res.Duplicates,
			"rejected": res.Rejected}).Debug("imported")
	}
	return results, nil
}

// sortMemory is the value of --sort-memory: bytes, or -1 for off.
type sortMemory int64

// String prints the size in the largest unit that divides it.
func (s *sortMemory) String() string {
	n := int64(*s)
	if n < 0 {
		return "off"
	}
	for _, u := range []struct {
		name string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10)
}

// Set reads a size such as 512MiB, 2GiB, 64MB or 1000000 (bytes), or off.
func (s *sortMemory) Set(v string) error {
	v = strings.TrimSpace(v)
	if strings.EqualFold(v, "off") {
		*s = -1
		return nil
	}
	units := []struct {
		suffix string
		size   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	num, mult := v, int64(1)
	for _, u := range units {
		if len(v) > len(u.suffix) && strings.EqualFold(v[len(v)-len(u.suffix):], u.suffix) {
			num, mult = strings.TrimSpace(v[:len(v)-len(u.suffix)]), u.size
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/mult {
		return fmt.Errorf("%q is not a size: want a positive number of bytes with an optional unit (512MiB, 2GiB), or off", v)
	}
	*s = sortMemory(n * mult)
	return nil
}
