package profile

import (
	"context"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/synth"
	"github.com/journeygraph/journeygraph/markov/cluster"
	"gonum.org/v1/gonum/mat"
)

// shopTouches are the journeys of synth.Shop's first events (1M events
// hold about 102,000 people), as touch sequences in person order.
func shopTouches(b *testing.B, events int) []journeys.TouchSequence {
	b.Helper()
	g := synth.NewShop(synth.ShopConfig{Seed: 15, Events: events})
	var seqs []journeys.TouchSequence
	for g.Next() {
		evs := g.At()
		ts := make([]journeys.Touch, len(evs))
		for i, e := range evs {
			ts[i] = journeys.Touch{StepEvent: journeys.StepEvent{Step: e.Name, TS: e.Time.UnixMilli(), Session: e.Session},
				Type: e.Type, Name: e.Name, Channel: e.Channel, Device: e.Device, Value: e.Value}
		}
		seqs = append(seqs, journeys.TouchSequence{Person: evs[0].Person, Touches: ts})
	}
	return seqs
}

var benchAsOf = time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)

// BenchmarkDiscover times behaviour vectors and k-means over 1M events of
// synth.Shop (about 102,000 people): vectors alone; k-means alone on the
// scaled vectors (cluster.Choose: k = 2..10, 4 restarts each, on a seeded
// sample of cluster.SelectionSample people then the chosen k on everyone;
// silhouettes on a 2,000-person sample, Calinski–Harabasz), then the
// full fit alone; DBSCAN on the first MaxDBSCAN people
// (JOURNEYGRAPH_BENCH_DBSCAN_ROWS sets another number: k-distances, eps
// at their knee, FitDBSCAN), which
// scripts/peers/cluster_bench.sh compares with scikit-learn on the same
// matrix (written to $CLUSTER_BENCH_MATRIX when set: n, d as int64 then
// the rows as float64, little-endian); then the whole Discover.
//
//	go test -run '^$' -bench Discover -benchtime 3x ./journeys/profile/
func BenchmarkDiscover(b *testing.B) { benchDiscover(b, 1_000_000) }

// BenchmarkDiscover1M is BenchmarkDiscover on 10M events of synth.Shop:
// about 1,025,000 people (their touches take about 2 GB). Beside the
// wall time of each part it reports the CPU seconds (user + system of the
// process) per run, which a loaded machine does not inflate as much.
//
//	go test -run '^$' -bench Discover1M -benchtime 1x -timeout 30m ./journeys/profile/
func BenchmarkDiscover1M(b *testing.B) { benchDiscover(b, 10_000_000) }

func benchDiscover(b *testing.B, events int) {
	p := &Profiler{Touches: &touchReader{seqs: shopTouches(b, events)}}
	ctx := context.Background()
	v, err := p.Vectors(ctx, VectorQuery{AsOf: benchAsOf})
	if err != nil {
		b.Fatal(err)
	}
	log := make([]bool, len(v.Features))
	for j, f := range v.Features {
		log[j] = f.Log
	}
	z, _, _ := cluster.Standardize(v.X, log)
	if path := os.Getenv("CLUSTER_BENCH_MATRIX"); path != "" {
		writeMatrix(b, path, z)
	}
	b.Run("vectors", func(b *testing.B) {
		defer cpuMetric(b)()
		for b.Loop() {
			v, err := p.Vectors(ctx, VectorQuery{AsOf: benchAsOf})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(len(v.People)), "people")
		}
	})
	b.Run("kmeans", func(b *testing.B) {
		defer cpuMetric(b)()
		for b.Loop() {
			if _, err := cluster.Choose(z, 2, 10, cluster.Options{Restarts: 4}, rand.NewPCG(1, 0x15)); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The last part of kmeans alone: the chosen k fitted on everyone from
	// the sample's centroids (nothing when there is no sample).
	sel, err := cluster.Choose(z, 2, 10, cluster.Options{Restarts: 4}, rand.NewPCG(1, 0x15))
	if err != nil {
		b.Fatal(err)
	}
	if sel.Sample != nil {
		b.Run("kmeans-full-fit", func(b *testing.B) {
			defer cpuMetric(b)()
			for b.Loop() {
				km := cluster.Lloyd(z, sel.Fits[sel.Best].Centroids, cluster.Options{})
				b.ReportMetric(float64(km.Iter), "iter")
			}
		})
	}
	if n, d := z.Dims(); n <= 200_000 { // the first MaxDBSCAN people (JOURNEYGRAPH_BENCH_DBSCAN_ROWS)
		rows := MaxDBSCAN
		if v := os.Getenv("JOURNEYGRAPH_BENCH_DBSCAN_ROWS"); v != "" {
			var err error
			if rows, err = strconv.Atoi(v); err != nil || rows < 2 {
				b.Fatalf("JOURNEYGRAPH_BENCH_DBSCAN_ROWS=%q: want a number of people", v)
			}
		}
		zd := z.Slice(0, min(n, rows), 0, d).(*mat.Dense)
		b.Run("dbscan", func(b *testing.B) {
			defer cpuMetric(b)()
			for b.Loop() {
				s, err := dbscan(zd)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(s.Eps, "eps")
				b.ReportMetric(float64(s.Clusters), "clusters")
				b.ReportMetric(float64(s.Noise), "noise")
			}
		})
	}
	b.Run("k=2-10", func(b *testing.B) {
		defer cpuMetric(b)()
		for b.Loop() {
			d, err := p.Discover(ctx, Query{AsOf: benchAsOf, KMin: 2, KMax: 10, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(d.People), "people")
			b.ReportMetric(float64(d.K), "k")
		}
	})
}

// cpuMetric starts counting the process's CPU time; the function it
// returns reports it per run as "cpu-s/op".
func cpuMetric(b *testing.B) func() {
	start := cpuSeconds(b)
	return func() {
		b.ReportMetric((cpuSeconds(b)-start)/float64(b.N), "cpu-s/op")
	}
}

func cpuSeconds(b *testing.B) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// writeMatrix writes z as n, d (int64) then its rows (float64),
// little-endian.
func writeMatrix(b *testing.B, path string, z *mat.Dense) {
	b.Helper()
	n, d := z.Dims()
	buf := binary.LittleEndian.AppendUint64(nil, uint64(n))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(d))
	for i := 0; i < n; i++ {
		for _, x := range z.RawRowView(i) {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(x))
		}
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		b.Fatal(err)
	}
}
