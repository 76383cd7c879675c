package bench

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
)

func TestRunWithoutBenchmark(t *testing.T) {
	for _, args := range [][]string{nil, {"nope"}} {
		var stdout, stderr bytes.Buffer
		err := Run(context.Background(), args, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), `want "bench ingest"`) || !strings.HasPrefix(stderr.String(), "usage: journeygraph bench ingest") {
			t.Errorf("Run(%q) = %v, stderr %q; want the usage and an error", args, err, stderr.String())
		}
	}
}

func TestParseSizes(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []int
		wantErr bool
	}{
		{"one", "1000", []int{1000}, false},
		{"several, spaced", "1000, 5000,20000", []int{1000, 5000, 20000}, false},
		{"zero", "0", nil, true},
		{"not a number", "1,x", nil, true},
		{"empty", "", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSizes("--batch", tt.in)
			if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
				t.Errorf("parseSizes(%q) = %v, %v; want %v (error: %v)", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestPct(t *testing.T) {
	ms := func(n ...int) []time.Duration {
		var out []time.Duration
		for _, x := range n {
			out = append(out, time.Duration(x)*time.Millisecond)
		}
		return out
	}
	xs := ms(9, 1, 8, 2, 7, 3, 6, 4, 5, 10)
	tests := []struct {
		name string
		xs   []time.Duration
		p    int
		want time.Duration
	}{
		{"none", nil, 50, 0},
		{"median", xs, 50, 6 * time.Millisecond},
		{"p90", xs, 90, 10 * time.Millisecond},
		{"max", xs, 100, 10 * time.Millisecond},
		{"min", xs, 0, time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pct(tt.xs, tt.p); got != tt.want {
				t.Errorf("pct(%d) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
	if !slices.Equal(xs, ms(9, 1, 8, 2, 7, 3, 6, 4, 5, 10)) {
		t.Error("pct sorted its argument")
	}
}

func TestImportFilesReadBack(t *testing.T) {
	dir := t.TempDir()
	paths, n, people, err := importFiles(dir, 800, 1)
	if err != nil {
		t.Fatal(err)
	}
	if n < 800 || people < 2 {
		t.Fatalf("%d events of %d people, want at least 800 of several", n, people)
	}
	read := map[string][]string{}
	for _, name := range []string{"time-sorted", "shuffled"} {
		path := paths[name]
		r, closer, err := ingest.OpenFile(path, emailFileMapping, time.Now(), journeys.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
			e := r.Event()
			read[name] = append(read[name], e.ID)
		}
		closer.Close()
		if _, bad := r.Counts(); bad != 0 || r.Err() != nil {
			t.Fatalf("%s: %d rows rejected (%v), %v", name, bad, r.Rejected(), r.Err())
		}
		if len(read[name]) != n {
			t.Fatalf("%s: read %d events, want %d", name, len(read[name]), n)
		}
	}
	if _, err := os.Stat(paths["warm-up"]); err != nil {
		t.Errorf("no warm-up file: %v", err)
	}
	sorted, shuffled := read["time-sorted"], read["shuffled"]
	if slices.Equal(sorted, shuffled) {
		t.Error("the shuffled file is in the sorted file's order")
	}
	slices.Sort(sorted)
	slices.Sort(shuffled)
	if !slices.Equal(sorted, shuffled) {
		t.Error("the two files hold different events")
	}
}

func TestBenchIngestBadTables(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), []string{"ingest", "--tables", "batches,nope"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), `--tables: "nope" is not a table`) {
		t.Errorf("error = %v, want --tables named", err)
	}
}

// TestHTTPBodiesHoldTheFile: the HTTP row of the import table posts the
// events the file import reads, the same to the id (content ids cover
// every field), in file order, batch items to a body.
func TestHTTPBodiesHoldTheFile(t *testing.T) {
	dir := t.TempDir()
	paths, n, _, err := importFiles(dir, 800, 1)
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "p-"
	m := emailFileMapping
	m.PersonPrefix = prefix
	r, closer, err := ingest.OpenFile(paths["time-sorted"], m, time.Now(), journeys.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var want []journeys.Event
	for r.Next() {
		want = append(want, r.Event())
	}
	closer.Close()
	bodies, err := httpBodies(paths["time-sorted"], prefix, 300)
	if err != nil {
		t.Fatal(err)
	}
	if wantBodies := (n + 299) / 300; len(bodies) != wantBodies {
		t.Errorf("%d bodies, want %d", len(bodies), wantBodies)
	}
	var got []journeys.Event
	for i, b := range bodies {
		evs, rej, err := ingest.ParseBatch(b, time.Now(), journeys.Limits{})
		if err != nil || rej.Total != 0 {
			t.Fatalf("body %d: %v, %d rejected: %v", i, err, rej.Total, rej.Rows)
		}
		got = append(got, evs...)
	}
	if len(got) != len(want) {
		t.Fatalf("posted %d events, the file holds %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.ID != w.ID || g.Person != w.Person || g.Name != w.Name || !g.Time.Equal(w.Time) || g.Channel != w.Channel ||
			g.Campaign != w.Campaign || g.Device != w.Device || g.URL != w.URL || g.Product != w.Product || g.Value != w.Value {
			t.Fatalf("event %d: posted %+v, the file holds %+v", i, g, w)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, tt := range []struct {
		xs   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{0.5, 0.9, 0.7, 0.6, 0.8}, 0.7},
	} {
		if got := median(slices.Clone(tt.xs)); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.xs, got, tt.want)
		}
	}
}
