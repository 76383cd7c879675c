package ingest_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
)

// sinkFunc is a BulkSink calling a function.
type sinkFunc func(journeys.Event) error

func (f sinkFunc) Add(e journeys.Event) error { return f(e) }

// TestImportBulk checks the events a bulk load gets from several files:
// sorted together (merges first, then by person and time), steps set from
// the rules, a messageId seen before (in either file) counted as a
// duplicate of its file and not given, bad rows rejected with their file
// and line.
func TestImportBulk(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.jsonl": `{"type":"track","messageId":"m3","userId":"u2","event":"purchase","timestamp":"2024-05-01T10:00:03Z"}
{"type":"track","messageId":"m1","userId":"u1","event":"add_to_cart","timestamp":"2024-05-01T10:00:02Z"}
{"type":"track","userId":"u1","event":"view","timestamp":"not a time"}
{"type":"alias","messageId":"m9","userId":"u2","previousId":"a7","timestamp":"2024-05-01T10:00:09Z"}
`,
		"b.jsonl": `{"type":"track","messageId":"m1","userId":"u1","event":"add_to_cart","timestamp":"2024-05-01T10:00:02Z"}
{"type":"track","messageId":"m2","userId":"u1","event":"purchase","timestamp":"2024-05-01T10:00:01Z"}
{"type":"track","messageId":"m2","userId":"u1","event":"purchase","timestamp":"2024-05-01T10:00:01Z"}
`,
	}
	var paths []string
	for _, name := range []string{"a.jsonl", "b.jsonl"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(files[name]), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	var rejects bytes.Buffer
	rules := journeys.StepRules{Rules: []journeys.StepRule{{Event: "purchase", Label: "bought"}, {Event: "add_to_cart", Exclude: true}}}
	im := &ingest.Importer{Ingester: &ingest.Ingester{Rules: rules}, TempDir: t.TempDir(), SortMemory: 1, Rejects: &rejects}
	var got []string
	results, err := im.ImportBulk(context.Background(), paths, ingest.Mapping{Format: ingest.FormatSegment}, sinkFunc(func(e journeys.Event) error {
		got = append(got, e.ID+"/"+e.Person+"/"+e.Step)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if want := "m9/u2/alias m2/u1/bought m1/u1/ m3/u2/bought"; strings.Join(got, " ") != want {
		t.Errorf("events: got %s, want %s", strings.Join(got, " "), want)
	}
	want := []ingest.ImportResult{
		{File: paths[0], Read: 4, Accepted: 3, Rejected: 1},
		{File: paths[1], Read: 3, Accepted: 1, Duplicates: 2},
	}
	for i := range want {
		if results[i] != want[i] {
			t.Errorf("file %d: got %+v, want %+v", i, results[i], want[i])
		}
	}
	if !strings.Contains(rejects.String(), paths[0]+",3,timestamp,") {
		t.Errorf("rejects: got %q, want line 3 of a.jsonl", rejects.String())
	}
}
