package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
)

// demoFiles are the real data excerpts shipped in testdata/demo, with the
// preset that reads each.
var demoFiles = []struct{ file, preset string }{
	{"taobao_200users.csv.gz", "taobao"},
	{"rees46_6000events.csv.gz", "rees46"},
}

// runDemo imports the demo data (a re-run finds it imported and skips it),
// then serves.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var sf serveFlags
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf.register(fs)
	dir := fs.String("data", filepath.Join("testdata", "demo"), "folder holding the demo files")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := newLogger(stderr)
	store, err := openStore(ctx, sf.neo4j, log)
	if err != nil {
		return err
	}
	for _, d := range demoFiles {
		f := importFlags{preset: d.preset, rejects: filepath.Join(".journeygraph-import", "demo-rejected.csv"),
			stateDir: ".journeygraph-import", steps: sf.steps, neo4j: sf.neo4j}
		if _, err := importFiles(ctx, &f, store, []string{filepath.Join(*dir, d.file)}, stdout, stderr, log); err != nil {
			store.Close(context.Background())
			return fmt.Errorf("demo import: %w", err)
		}
	}
	store.Close(context.Background())
	return serve(ctx, &sf, log, stdout)
}
