package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/journeygraph/journeygraph/cmd/internal/app"
	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/segment"
)

const segmentsUsage = `usage: journeygraph bench segments [flags]

For each data shape of --shape and each size of --events, generates the
events (journeys/synth, seeded) and measures every built-in segment,
evaluated as of the end of the data:
  shop   synth.Shop web-shop journeys with products (about 10 events a
         person), as of 2024-03-01;
  email  synth.Email subscribers over six months (about 77 events a
         person, two thirds of them email_sent), as of 2024-07-01.
Up to --neo4j-max events, they are loaded into Neo4j under
bench-segments-<shape>-<events>-<seed>- (kept with --keep and reused by the
next run; deleted otherwise) and the journey cache is loaded from there;
each segment is then
  - evaluated in memory (the cache; median of --runs) and in Cypher (the
    store; one run, stopped after --cypher-timeout), the two member lists
    compared;
  - refreshed by the Segmenter with the in-memory engine: first (writing
    every entry with its history), then steady (nothing changes);
then the event-to-webhook latency is measured while events stream in at
--stream a second (--stream-to: to new people, then to the generated
ones; with --keep, what they add stays), the segment hook evaluating in
memory (--webhook-engine cypher: by the store, for comparison), and
members lookup under load (GET /api/v1/segments/NAME/members at --rate
requests/s for --duration, NAME the largest segment). Larger sizes are
evaluated in memory only, by a cache over the generated journeys (no
Neo4j).

Goals at 1M events, the same below and linear above: evaluate <= 100 ms
(<= 1 s at 10M), first refresh <= 2 s, steady refresh <= 1 s; and
event-to-webhook p95 <= 100 ms.
`

// Goals at a million events (evaluate, first and steady refresh; see
// goal) and of the event-to-webhook latency.
const (
	goalEvaluate = 100 * time.Millisecond
	goalFirst    = 2 * time.Second
	goalSteady   = time.Second
	goalWebhook  = 100 * time.Millisecond
)

// segmentsOptions are the flags of bench segments.
type segmentsOptions struct {
	seed                   uint64
	neo4jMax, runs         int
	cypherTimeout          time.Duration
	keep                   bool
	webhooks, stream, rate int
	streamTo               []string
	webhookEngine          string
	streamFor, duration    time.Duration
}

// runSegments runs "bench segments" with its flags.
func runSegments(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench segments", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, segmentsUsage); fs.PrintDefaults() }
	shapeFlag := fs.String("shape", "both", "data shape: shop, email or both")
	events := fs.String("events", "1000000", "comma-separated numbers of events to generate (about)")
	var o segmentsOptions
	fs.Uint64Var(&o.seed, "seed", 1, "generator seed")
	fs.IntVar(&o.neo4jMax, "neo4j-max", 2_000_000, "largest number of events loaded into Neo4j; above it, in memory only")
	fs.IntVar(&o.runs, "runs", 3, "in-memory evaluations of each segment (the median is shown)")
	fs.DurationVar(&o.cypherTimeout, "cypher-timeout", 3*time.Minute, "limit of one Cypher evaluation")
	fs.BoolVar(&o.keep, "keep", false, "keep the events loaded into Neo4j for the next run (else they are deleted)")
	fs.IntVar(&o.webhooks, "webhooks", 200, "event-to-webhook samples")
	fs.IntVar(&o.stream, "stream", 2000, "events per second streamed in while the webhook latency is measured")
	streamTo := fs.String("stream-to", "existing,new", "whose events are streamed in, one webhook measure each: existing (the generated people), new (one new person per event)")
	fs.DurationVar(&o.streamFor, "stream-for", 2*time.Minute, "longest stream of one webhook measure (it stops earlier once --webhooks samples were taken)")
	fs.StringVar(&o.webhookEngine, "webhook-engine", "memory", "the segment hook's engine in the webhook measure: memory (the journey cache) or cypher (the store), for comparison")
	fs.IntVar(&o.rate, "rate", 2000, "members lookups per second")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "members lookup load duration")
	cfg := app.Neo4jFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	sizes, err := parseSizes("--events", *events)
	if err != nil {
		return err
	}
	shapes, err := dataShapes(*shapeFlag)
	if err != nil {
		return err
	}
	if o.webhookEngine != "memory" && o.webhookEngine != "cypher" {
		return fmt.Errorf(`--webhook-engine: %q is neither "memory" nor "cypher"`, o.webhookEngine)
	}
	for _, to := range strings.Split(*streamTo, ",") {
		if to = strings.TrimSpace(to); to != "existing" && to != "new" {
			return fmt.Errorf(`--stream-to: %q is neither "existing" nor "new"`, to)
		}
		o.streamTo = append(o.streamTo, to)
	}
	var store *graph.Store
	if slices.Min(sizes) <= o.neo4jMax {
		if store, err = app.OpenStore(ctx, cfg, app.NewLogger(io.Discard)); err != nil {
			return err
		}
		defer store.Close(context.Background())
	}
	for _, sh := range shapes {
		for _, n := range sizes {
			if n <= o.neo4jMax {
				err = benchSegmentsStored(ctx, store, sh, n, o, stdout)
			} else {
				err = benchSegmentsInMemory(ctx, sh, n, o, stdout)
			}
			if err != nil {
				return fmt.Errorf("%s, %d events: %w", sh.name, n, err)
			}
		}
	}
	return nil
}

// benchSegmentsStored loads n events of sh into Neo4j (unless kept from
// an earlier run), then measures every built-in segment in memory and in
// Cypher, its refreshes, the webhook latency and members lookup.
func benchSegmentsStored(ctx context.Context, store *graph.Store, sh dataShape, n int, o segmentsOptions, stdout io.Writer) error {
	prefix := fmt.Sprintf("bench-segments-%s-%d-%d-", sh.name, n, o.seed)
	a := app.New(store, app.Config{Rules: journeys.DefaultStepRules()})
	d, err := loadStored(ctx, a, sh, prefix, n, o.seed, stdout)
	if err != nil {
		return err
	}
	var names []string
	defer func() {
		for _, name := range names {
			_ = store.DeleteSegment(context.Background(), name)
		}
		if !o.keep {
			if n, err := store.DeletePrefix(context.Background(), prefix); err == nil {
				fmt.Fprintf(stdout, "deleted %d events\n", n)
			} else {
				fmt.Fprintf(stdout, "clean up %s: %v\n", prefix, err)
			}
		}
	}()
	cache := &inmem.Cache{Source: store, Prefix: prefix}
	if err := loadCache(ctx, cache, stdout); err != nil {
		return err
	}
	ts := &timedStore{SegmentStore: store}
	a.Segmenter.Engine = explainTimed{cache, ts}
	a.Segmenter.Store = ts
	scope := journeys.SegmentScope{Prefix: prefix}
	outbound := journeys.DefaultStepRules().OutboundSteps()
	fmt.Fprintf(stdout, "\n%s shape, %d events of %d people, as of %s: in memory (journey cache) and in Cypher (Neo4j)%s\n",
		sh.name, d.events, len(d.people), sh.asOf.Format(time.DateOnly), loadAverage())
	printHeader(stdout, d.events, true)
	largest, most := "", -1
	for _, b := range segment.BuiltInSegments() {
		b.Name, b.BuiltIn = prefix+b.Name, false
		if err := store.DeleteSegment(ctx, b.Name); err != nil && journeys.ErrorCode(err) != journeys.ENOTFOUND {
			return err
		}
		if _, err := store.SaveSegment(ctx, b, sh.asOf); err != nil {
			return err
		}
		names = append(names, b.Name)
		pred := b.Compile(sh.asOf, outbound)
		r := segmentRow{name: b.Name[len(prefix):], events: d.events}
		ids, err := r.evaluateInMemory(ctx, cache, pred, scope, o.runs)
		if err != nil {
			return err
		}
		if err := r.evaluateCypher(ctx, store, pred, scope, o.cypherTimeout, ids); err != nil {
			return err
		}
		start := time.Now()
		ts.reset()
		first, err := a.Segmenter.Refresh(ctx, []string{b.Name}, scope, "bench", sh.asOf)
		if err != nil {
			return err
		}
		r.first, r.entered, r.refreshed = time.Since(start), first[0].Entered, true
		if r.first > goal(goalFirst, d.events)/2 {
			r.notes = append(r.notes, fmt.Sprintf("first refresh of %d entries: members read %s, explain %s (memory), write %s (Neo4j); the rest %s",
				r.entered, dur(ts.members), dur(ts.explain), dur(ts.apply), dur(r.first-ts.members-ts.explain-ts.apply)))
		}
		start = time.Now()
		steady, err := a.Segmenter.Refresh(ctx, []string{b.Name}, scope, "bench", sh.asOf)
		if err != nil {
			return err
		}
		r.steady = time.Since(start)
		if c := steady[0].Entered + steady[0].Left; c > 0 {
			r.notes = append(r.notes, fmt.Sprintf("the steady refresh changed %d entries", c))
		}
		r.print(stdout)
		if r.members > most {
			largest, most = b.Name, r.members
		}
	}
	fmt.Fprintln(stdout, "(memory = EvaluateSegment on the cache, with the sync before it; cypher = the store's query;")
	fmt.Fprintln(stdout, " first refresh = evaluate in memory, explain and write every entry with its history; steady = evaluate, read the members, no change)")
	// New people first: their stream leaves the generated journeys as
	// they are.
	for _, to := range []string{"new", "existing"} {
		if !slices.Contains(o.streamTo, to) {
			continue
		}
		if err := benchWebhookLatency(ctx, store, cache, prefix, d.people, to, o, stdout); err != nil {
			return err
		}
	}
	return benchMembersLookup(ctx, a, largest, o.rate, o.duration, stdout)
}

// benchSegmentsInMemory measures every built-in segment of n generated
// events of sh in memory only, from a cache over the generated journeys.
func benchSegmentsInMemory(ctx context.Context, sh dataShape, n int, o segmentsOptions, stdout io.Writer) error {
	prefix := fmt.Sprintf("bench-segments-%s-%d-%d-", sh.name, n, o.seed)
	start := time.Now()
	src, d := generatedSource(sh, prefix, n, o.seed)
	fmt.Fprintf(stdout, "generated %d events of %d people in %v (not loaded into Neo4j)\n", d.events, len(d.people), time.Since(start).Round(time.Second))
	cache := &inmem.Cache{Source: src, Prefix: prefix}
	if err := loadCache(ctx, cache, stdout); err != nil {
		return err
	}
	scope := journeys.SegmentScope{Prefix: prefix}
	outbound := journeys.DefaultStepRules().OutboundSteps()
	fmt.Fprintf(stdout, "\n%s shape, %d events of %d people, as of %s: in memory only%s\n", sh.name, d.events, len(d.people), sh.asOf.Format(time.DateOnly), loadAverage())
	fmt.Fprintf(stdout, "cypher: skipped (%d events > --neo4j-max %d); refreshes: skipped (they write to Neo4j)\n", d.events, o.neo4jMax)
	printHeader(stdout, d.events, false)
	for _, b := range segment.BuiltInSegments() {
		r := segmentRow{name: b.Name, events: d.events}
		if _, err := r.evaluateInMemory(ctx, cache, b.Compile(sh.asOf, outbound), scope, o.runs); err != nil {
			return err
		}
		r.print(stdout)
	}
	fmt.Fprintln(stdout, "(memory = EvaluateSegment on the cache, with the sync before it)")
	return nil
}

// timedStore is a segment store that times what a refresh asks of it
// besides the definition: reading the members, explaining the entries,
// writing the changes.
type timedStore struct {
	journeys.SegmentStore
	members, explain, apply time.Duration
}

func (t *timedStore) reset() { t.members, t.explain, t.apply = 0, 0, 0 }

// SegmentMembers reads the members, timed.
func (t *timedStore) SegmentMembers(ctx context.Context, name string, scope journeys.SegmentScope) ([]string, error) {
	start := time.Now()
	defer func() { t.members += time.Since(start) }()
	return t.SegmentStore.SegmentMembers(ctx, name, scope)
}

// Explain explains the entries, timed.
func (t *timedStore) Explain(ctx context.Context, people []string, leaves []journeys.EventCond) (map[string]journeys.Explanation, error) {
	start := time.Now()
	defer func() { t.explain += time.Since(start) }()
	return t.SegmentStore.Explain(ctx, people, leaves)
}

// explainTimed is the journey cache as the segmenter's engine, its
// explanations timed in t.
type explainTimed struct {
	*inmem.Cache
	t *timedStore
}

// Explain explains the entries from the cache, timed.
func (e explainTimed) Explain(ctx context.Context, people []string, leaves []journeys.EventCond) (map[string]journeys.Explanation, error) {
	start := time.Now()
	defer func() { e.t.explain += time.Since(start) }()
	return e.Cache.Explain(ctx, people, leaves)
}

// ApplyMembership writes the changes, timed.
func (t *timedStore) ApplyMembership(ctx context.Context, s journeys.Segment, at time.Time, changes []journeys.MembershipChange) ([]journeys.MembershipChange, error) {
	start := time.Now()
	defer func() { t.apply += time.Since(start) }()
	return t.SegmentStore.ApplyMembership(ctx, s, at, changes)
}

// segmentRow is one line of a table: one segment's figures.
type segmentRow struct {
	name            string
	events, members int
	memory          time.Duration
	cypher          time.Duration
	cypherState     string // "": not run, "ok", "timed out", or the error
	first, steady   time.Duration
	entered         int
	refreshed       bool
	notes           []string
}

// evaluateInMemory evaluates pred runs times on cache and keeps the
// median time; it returns the members.
func (r *segmentRow) evaluateInMemory(ctx context.Context, cache *inmem.Cache, pred journeys.Pred, scope journeys.SegmentScope, runs int) ([]string, error) {
	var times []time.Duration
	var ids []string
	for range max(runs, 1) {
		start := time.Now()
		got, err := cache.EvaluateSegment(ctx, pred, scope)
		if err != nil {
			return nil, fmt.Errorf("%s in memory: %w", r.name, err)
		}
		times, ids = append(times, time.Since(start)), got
	}
	slices.Sort(times)
	r.memory, r.members = times[len(times)/2], len(ids)
	return ids, nil
}

// evaluateCypher evaluates pred by the store within limit, and notes how
// its members differ from those in memory (want). An evaluation that
// fails otherwise than by its limit is noted, not returned: the other
// segments are still measured.
func (r *segmentRow) evaluateCypher(ctx context.Context, store *graph.Store, pred journeys.Pred, scope journeys.SegmentScope, limit time.Duration, want []string) error {
	cctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	start := time.Now()
	got, err := store.EvaluateSegment(cctx, pred, scope)
	r.cypher = time.Since(start)
	switch {
	case err != nil && ctx.Err() != nil:
		return ctx.Err()
	case err != nil && (cctx.Err() != nil || r.cypher >= limit-time.Second):
		r.cypherState = "timed out"
	case err != nil:
		r.cypherState = "failed"
		r.notes = append(r.notes, "cypher: "+firstLine(err.Error()))
	default:
		r.cypherState = "ok"
		onlyMem, onlyCypher := diffIDs(want, got)
		if len(onlyMem)+len(onlyCypher) > 0 {
			r.notes = append(r.notes, fmt.Sprintf("MEMBERS DIFFER: %d in memory only (%s), %d in Cypher only (%s)",
				len(onlyMem), strings.Join(onlyMem[:min(3, len(onlyMem))], " "), len(onlyCypher), strings.Join(onlyCypher[:min(3, len(onlyCypher))], " ")))
		}
	}
	return nil
}

// diffIDs returns the ids only in a and only in b (both sorted).
func diffIDs(a, b []string) (onlyA, onlyB []string) {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			onlyA = append(onlyA, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			onlyB = append(onlyB, b[j])
			j++
		default:
			i, j = i+1, j+1
		}
	}
	return onlyA, onlyB
}

// firstLine returns s up to its first line break, at most 160 bytes.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 160 {
		s = s[:160] + "..."
	}
	return s
}

// The table's layout.
const rowFormat = "%-22s %8s %16s %20s %10s %16s %16s\n"

// printHeader prints the column names and the goals at events (of the
// refreshes when they are measured).
func printHeader(w io.Writer, events int, refreshes bool) {
	first, steady := "", ""
	if refreshes {
		first, steady = "goal <= "+dur(goal(goalFirst, events)), "goal <= "+dur(goal(goalSteady, events))
	}
	fmt.Fprintf(w, rowFormat, "segment", "members", "memory", "cypher", "cypher/mem", "first refresh", "steady refresh")
	fmt.Fprintf(w, rowFormat, "", "", "goal <= "+dur(goal(goalEvaluate, events)), "", "", first, steady)
}

// goal scales a goal at a million events to events, linearly above a
// million (100 ms at 1M, 1 s at 10M), the same below.
func goal(atMillion time.Duration, events int) time.Duration {
	return time.Duration(float64(atMillion) * max(1, float64(events)/1e6))
}

// print writes the row, then its notes.
func (r *segmentRow) print(w io.Writer) {
	cypher, ratio := "-", "-"
	switch r.cypherState {
	case "ok":
		cypher, ratio = dur(r.cypher), fmt.Sprintf("%.0fx", float64(r.cypher)/float64(r.memory))
	case "timed out":
		cypher, ratio = fmt.Sprintf("> %.0f s (timed out)", r.cypher.Seconds()), fmt.Sprintf("> %.0fx", float64(r.cypher)/float64(r.memory))
	case "failed":
		cypher = "failed"
	}
	first, steady := "-", "-"
	if r.refreshed {
		first, steady = dur(r.first)+mark(r.first, goal(goalFirst, r.events)), dur(r.steady)+mark(r.steady, goal(goalSteady, r.events))
	}
	fmt.Fprintf(w, rowFormat, r.name, fmt.Sprint(r.members), dur(r.memory)+mark(r.memory, goal(goalEvaluate, r.events)), cypher, ratio, first, steady)
	for _, n := range r.notes {
		fmt.Fprintf(w, "    %s: %s\n", r.name, n)
	}
}

// mark says whether d meets its goal.
func mark(d, goal time.Duration) string {
	if d <= goal {
		return " ok"
	}
	return " MISS"
}

// dur formats d in ms (one decimal below 10 ms), or in s from 10 s.
func dur(d time.Duration) string {
	switch ms := float64(d) / float64(time.Millisecond); {
	case ms < 10:
		return fmt.Sprintf("%.1f ms", ms)
	case ms < 10_000:
		return fmt.Sprintf("%.0f ms", ms)
	default:
		return fmt.Sprintf("%.1f s", ms/1000)
	}
}

// loadAverage returns "; load average " and the machine's load averages
// over 1, 5 and 15 minutes, or "" where /proc/loadavg cannot be read.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return "; load average " + strings.Join(f[:3], " ")
	}
	return ""
}

// errNoShape is the error of an unknown --shape.
var errNoShape = errors.New(`--shape: want "shop", "email" or "both"`)
