package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
)

// The first-refresh write benchmark: a segment's first refresh writes an
// entry (MEMBER, the ENTERED history edge with its reason) for every
// member in one transaction. People with one event each under a fixed
// prefix are loaded once and kept (DeletePrefix("bench-apply-<people>-")
// removes them); each iteration saves a new segment and times the
// entries of every person, with a reason of the size the segmenter writes
// (the definition and two explaining events). Run:
//
//	go test ./graph -run '^$' -bench ApplyMembership -benchtime 3x
//
// JOURNEYGRAPH_BENCH_PEOPLE sets the people (default 12,000: the shop
// shape's `new` at 1M events). On a shared machine wall time swings with
// the load: JOURNEYGRAPH_BENCH_NEO4J_PID (the server's pid, e.g. from
// .neo4j/home/neo4j.pid) adds the server's CPU time per entry, which
// swings much less (the server must be the benchmark's alone).
func BenchmarkApplyMembership(b *testing.B) {
	people := 12000
	if v := os.Getenv("JOURNEYGRAPH_BENCH_PEOPLE"); v != "" {
		var err error
		if people, err = strconv.Atoi(v); err != nil {
			b.Fatalf("JOURNEYGRAPH_BENCH_PEOPLE: %v", err)
		}
	}
	s := graphtest.Open(b)
	ctx := context.Background()
	prefix := "bench-apply-" + strconv.Itoa(people) + "-"
	ids := benchApplyPeople(b, s, prefix, people)
	reason := func(p string) json.RawMessage {
		if os.Getenv("SMALL") != "" {
			return json.RawMessage(`{}`)
		}
		r, _ := json.Marshal(map[string]any{"trigger": "refresh", "as_of": t0, "version": 1,
			"definition": json.RawMessage(`{"first_seen":{"within":"30d"}}`),
			"events": []map[string]any{{"id": journeys.EventID(p, "page_view", t0, nil), "step": "page_view", "ts": t0},
				{"id": journeys.EventID(p, "product_view", t0, nil), "step": "product_view", "ts": t0}}})
		return r
	}
	within := journeys.Duration(30 * 24 * time.Hour)
	cpu := serverCPU(b)
	var used time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		name := fmt.Sprintf("%sseg-%d-%d", prefix, time.Now().UnixNano(), i)
		now := time.Now()
		seg, err := s.SaveSegment(ctx, journeys.Segment{Name: name, Where: journeys.Condition{FirstSeen: &journeys.Recency{Within: &within}}}, now)
		if err != nil {
			b.Fatal(err)
		}
		changes := make([]journeys.MembershipChange, len(ids))
		for k, p := range ids {
			r := reason(p)
			changes[k] = journeys.MembershipChange{ID: journeys.NewID(), Kind: journeys.KindEntered, Segment: name,
				Version: seg.Version, Person: p, At: now, Reason: r, Payload: r}
		}
		before := cpu()
		b.StartTimer()
		applied, err := s.ApplyMembership(ctx, seg, now, changes)
		b.StopTimer()
		used += cpu() - before
		if err != nil || len(applied) != len(ids) {
			b.Fatalf("applied %d of %d: %v", len(applied), len(ids), err)
		}
		if err := s.DeleteSegment(ctx, name); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(ids)), "µs/entry")
	if used > 0 {
		b.ReportMetric(float64(used.Microseconds())/float64(b.N*len(ids)), "server-cpu-µs/entry")
	}
}

// benchApplyPeople loads (once) people with one event each and returns
// their ids.
func benchApplyPeople(b *testing.B, s *graph.Store, prefix string, people int) []string {
	b.Helper()
	ctx := context.Background()
	ids := make([]string, people)
	for p := range ids {
		ids[p] = fmt.Sprintf("%sp%06d", prefix, p)
	}
	if n, err := s.PeopleCount(ctx, prefix); err == nil && n == people {
		return ids
	}
	var batch []journeys.Event
	for p, id := range ids {
		batch = append(batch, journeys.Event{ID: journeys.EventID(id, "page_view", t0, nil), Type: journeys.TypeTrack,
			Person: id, Name: "page_view", Step: "page_view", Time: t0})
		if len(batch) >= 5000 || p == people-1 {
			if _, err := s.WriteEvents(ctx, batch); err != nil {
				b.Fatalf("load: %v", err)
			}
			batch = batch[:0]
		}
	}
	return ids
}

// serverCPU returns a reader of the CPU time (user and system) of the
// process JOURNEYGRAPH_BENCH_NEO4J_PID names, or of zero when unset.
func serverCPU(b *testing.B) func() time.Duration {
	pid := os.Getenv("JOURNEYGRAPH_BENCH_NEO4J_PID")
	if pid == "" {
		return func() time.Duration { return 0 }
	}
	return func() time.Duration {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			b.Fatalf("JOURNEYGRAPH_BENCH_NEO4J_PID: %v", err)
		}
		// Fields after the command's closing parenthesis: utime and stime
		// are the 12th and 13th, in clock ticks (100 a second on Linux).
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		ut, _ := strconv.Atoi(f[11])
		st, _ := strconv.Atoi(f[12])
		return time.Duration(ut+st) * 10 * time.Millisecond
	}
}
