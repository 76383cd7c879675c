package bench

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph/bulk"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
)

// BenchmarkBulkCSV times import --bulk's first phase without Neo4j:
// reading the shuffled file of the bulk table (100,000 email-heavy
// events), sorting it and writing the neo4j-admin CSV files. Profile it
// with -cpuprofile.
func BenchmarkBulkCSV(b *testing.B) {
	dir := b.TempDir()
	paths, n, _, err := importFiles(dir, 100_000, 1)
	if err != nil {
		b.Fatal(err)
	}
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := os.MkdirTemp(dir, "csv-")
		if err != nil {
			b.Fatal(err)
		}
		w, err := bulk.NewWriter(out, time.UnixMilli(0))
		if err != nil {
			b.Fatal(err)
		}
		im := &ingest.Importer{Ingester: &ingest.Ingester{Rules: journeys.DefaultStepRules()}, TempDir: dir}
		res, err := im.ImportBulk(context.Background(), []string{paths["shuffled"]}, emailFileMapping, w)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.Close(); err != nil {
			b.Fatal(err)
		}
		if res[0].Accepted != n {
			b.Fatalf("accepted %d of %d", res[0].Accepted, n)
		}
		os.RemoveAll(out)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	// CPU seconds (every goroutine's) per event: unlike the time, hardly
	// changed by the other processes of a busy machine.
	b.ReportMetric((cpuTime()-cpu0).Seconds()*1e6/float64(n)/float64(b.N), "cpu-µs/event")
}

// cpuTime returns the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
