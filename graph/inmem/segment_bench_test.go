package inmem

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/segment"
)

// The cache is an evaluator the segment service can use.
var _ segment.Evaluator = (*Cache)(nil)

// benchAsOf is the as_of of the generated journeys and of the benchmarked
// segments.
var benchAsOf = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

// genSource returns a MemSource holding genJourneys' people (with their
// events' details and their fields).
func genSource(events int) *MemSource {
	m := &MemSource{People: map[string]StoredJourney{}}
	for _, g := range genJourneys(1, events, benchAsOf.UnixMilli()) {
		j := StoredJourney{Person: g.id, Touched: 1, Touches: g.touches, Fields: g.fields,
			Details: make([]EventDetail, len(g.touches))}
		for i := range j.Details {
			j.Details[i] = EventDetail{Product: g.products[i], Props: g.props[i]}
		}
		m.People[g.id] = j
	}
	return m
}

// BenchmarkEvaluateSegment evaluates each built-in segment, and a
// definition of 120 building blocks (wideSegment), (at benchAsOf, with
// DefaultOutbound) over 1M generated events held in memory, the whole
// cache in scope: the evaluation proper, without the sync before it (a
// query of the people changed lately, in Neo4j; a pass over every person,
// in a MemSource). Run:
//
//	go test ./graph/inmem -run '^$' -bench EvaluateSegment -benchtime 20x
func BenchmarkEvaluateSegment(b *testing.B) {
	c := &Cache{Source: genSource(1_000_000)}
	ctx := context.Background()
	if err := c.Load(ctx); err != nil {
		b.Fatal(err)
	}
	people, events := c.Stats()
	b.Logf("%d people, %d events", people, events)
	segs := append(segment.BuiltInSegments(), wideSegment(b))
	for _, seg := range segs {
		p := seg.Compile(benchAsOf, journeys.DefaultOutbound)
		b.Run(seg.Name, func(b *testing.B) {
			var members int
			for b.Loop() {
				ids, err := c.evaluateSegment(ctx, p, journeys.SegmentScope{})
				if err != nil {
					b.Fatal(err)
				}
				members = len(ids)
			}
			b.ReportMetric(float64(members), "members")
		})
	}
}

// wideSegment is a definition of 120 building blocks (the size of a preview
// that took Neo4j over 120 s in a review): any of 60 counts, sequences and
// not-followed blocks over every step and several windows, and none of 60
// others, so that no block narrows the candidates and every person is
// evaluated against them all.
func wideSegment(tb testing.TB) journeys.Segment {
	steps := []string{"page_view", "product_view", "add_to_cart", "checkout", "purchase",
		"email_sent", "email_open", "email_click", "unsubscribe", "*"}
	windows := []string{"1d", "7d", "30d", "90d", "365d", "3650d"}
	var blocks []string
	for i := range 120 {
		a, b, w := steps[i%len(steps)], steps[(i/len(steps)+i+1)%len(steps)], windows[i%len(windows)]
		switch i % 4 {
		case 0:
			blocks = append(blocks, fmt.Sprintf(`{"count": %q, "min": %d, "within": %q}`, a, 1+i%5, w))
		case 1:
			blocks = append(blocks, fmt.Sprintf(`{"sequence": [%q, %q], "gap": "1d", "within": %q}`, a, b, w))
		case 2:
			blocks = append(blocks, fmt.Sprintf(`{"not_followed": {"first": %q, "then": %q}, "within": %q}`, a, b, w))
		default:
			blocks = append(blocks, fmt.Sprintf(`{"rate": {"of": %q, "per": %q}, "at_least": 0.%d, "within": %q}`, a, b, 1+i%9, w))
		}
	}
	def := fmt.Sprintf(`{"name": "wide_120", "where": {"any": [{"any": [%s]}, {"not": {"any": [%s]}}]}}`,
		strings.Join(blocks[:60], ","), strings.Join(blocks[60:], ","))
	seg, err := journeys.ParseSegment([]byte(def))
	if err != nil {
		tb.Fatal(err)
	}
	return seg
}

// BenchmarkCacheMemory loads 1M generated events (100,000 people; an
// email-heavy mix with products, campaigns, properties on sends and
// purchases, person fields and traits) and reports the heap the cache
// holds. Run:
//
//	go test ./graph/inmem -run '^$' -bench CacheMemory -benchtime 1x
func BenchmarkCacheMemory(b *testing.B) {
	m := genSource(1_000_000)
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		c := &Cache{Source: m}
		if err := c.Load(context.Background()); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		_, events := c.Stats()
		mib := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
		b.ReportMetric(mib*1e6/float64(events), "MiB/1M-events")
		runtime.KeepAlive(c)
	}
}
