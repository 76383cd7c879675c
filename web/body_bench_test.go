package web

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// heapPeak samples the live heap every millisecond until stop is called,
// and returns the peak above the heap at the start, in bytes.
func heapPeak() (stop func() uint64) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		if p := peak.Load(); p > base {
			return p - base
		}
		return 0
	}
}

// BenchmarkIngestBody measures what one request of the largest accepted
// body (5 MiB) costs the server, to the store's door (the ingester is a
// fake): time, bytes allocated, and the peak of the live heap above the
// idle server's ("peak-MiB", sampled every millisecond) and the answer's
// size. Run: go test -run '^$' -bench IngestBody -benchtime 3x ./web/
func BenchmarkIngestBody(b *testing.B) {
	const size = 5<<20 - 64
	var events strings.Builder
	events.WriteString("[")
	for i := 0; events.Len() < size-300; i++ {
		if i > 0 {
			events.WriteString(",")
		}
		fmt.Fprintf(&events, `{"userId":"u%d","event":"add_to_cart","timestamp":"2024-05-01T10:00:00Z","properties":{"sku":"X%d","price":9.5},"context":{"channel":"email"}}`, i%5000, i)
	}
	events.WriteString("]")
	cases := []struct {
		name, encoding string
		body           []byte
		status         int
	}{
		{"empty objects 5MiB", "", emptyObjects(size), 400},
		{"events 5MiB", "", []byte(events.String()), 200},
		{"events 5MiB gzip", "gzip", gzipped(b, events.String()), 200},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			var peak uint64
			var answer int
			for b.Loop() {
				s := bigServer(&fakeIngester{})
				stop := heapPeak()
				w := post(s, "/api/v1/events", tc.encoding, tc.body)
				peak = max(peak, stop())
				if w.Code != tc.status {
					b.Fatalf("status %d: %.200s", w.Code, w.Body)
				}
				answer = w.Body.Len()
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
			b.ReportMetric(float64(answer), "answer-bytes")
		})
	}
}
