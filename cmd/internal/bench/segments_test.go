package bench

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/segment"
)

func TestGoal(t *testing.T) {
	tests := []struct {
		name   string
		events int
		want   time.Duration
	}{
		{"below a million: the 1M goal", 20_000, 100 * time.Millisecond},
		{"a million", 1_000_000, 100 * time.Millisecond},
		{"ten million", 10_000_000, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := goal(goalEvaluate, tt.events); got != tt.want {
				t.Errorf("goal(100 ms, %d) = %v, want %v", tt.events, got, tt.want)
			}
		})
	}
}

func TestDiffIDs(t *testing.T) {
	tests := []struct {
		name         string
		a, b         []string
		onlyA, onlyB []string
	}{
		{"same", []string{"a", "b"}, []string{"a", "b"}, nil, nil},
		{"both sides", []string{"a", "c", "d"}, []string{"b", "c", "e"}, []string{"a", "d"}, []string{"b", "e"}},
		{"one empty", nil, []string{"x"}, nil, []string{"x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := diffIDs(tt.a, tt.b)
			if !slices.Equal(a, tt.onlyA) || !slices.Equal(b, tt.onlyB) {
				t.Errorf("diffIDs = %v, %v; want %v, %v", a, b, tt.onlyA, tt.onlyB)
			}
		})
	}
}

func TestDataShapes(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{{"both", []string{"shop", "email"}}, {"email", []string{"email"}}, {"shop", []string{"shop"}}, {"web", nil}} {
		got, err := dataShapes(tt.in)
		var names []string
		for _, s := range got {
			names = append(names, s.name)
		}
		if !slices.Equal(names, tt.want) || (err != nil) != (tt.want == nil) {
			t.Errorf("dataShapes(%q) = %v, %v; want %v", tt.in, names, err, tt.want)
		}
	}
}

// TestGeneratedSource loads a Cache from generated journeys and checks it
// holds them all, pages included, and evaluates on them.
func TestGeneratedSource(t *testing.T) {
	ctx := context.Background()
	for _, sh := range allShapes {
		t.Run(sh.name, func(t *testing.T) {
			src, d := generatedSource(sh, "g-", 30_000, 1)
			if len(d.people) <= 1000 && sh.name == "shop" {
				t.Fatalf("%d people: want more than a page", len(d.people))
			}
			c := &inmem.Cache{Source: src, Prefix: "g-"}
			if err := c.Load(ctx); err != nil {
				t.Fatal(err)
			}
			if people, events := c.Stats(); people != len(d.people) || events != d.events {
				t.Errorf("cache holds %d people, %d events; want %d, %d", people, events, len(d.people), d.events)
			}
			for _, j := range src.People {
				for i := 1; i < len(j.Touches); i++ {
					if j.Touches[i].TS < j.Touches[i-1].TS {
						t.Fatalf("%s: touch %d before the one before it", j.Person, i)
					}
				}
			}
			i := slices.IndexFunc(segment.BuiltInSegments(), func(s journeys.Segment) bool { return s.Name == segment.SegmentUnsubscribed })
			unsub := segment.BuiltInSegments()[i]
			ids, err := c.EvaluateSegment(ctx, unsub.Compile(sh.asOf, journeys.DefaultStepRules().OutboundSteps()), journeys.SegmentScope{Prefix: "g-"})
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			for _, j := range src.People {
				if slices.ContainsFunc(j.Touches, func(t journeys.Touch) bool { return t.Step == "unsubscribe" }) {
					want++
				}
			}
			if len(ids) != want {
				t.Errorf("unsubscribed: %d members, want %d", len(ids), want)
			}
		})
	}
}

func TestStaticSourcePeopleAfter(t *testing.T) {
	s := &staticSource{MemSource: &inmem.MemSource{}, ids: []string{"a1", "b1", "b2", "b3", "c1"}}
	tests := []struct {
		prefix, after string
		limit         int
		want          []string
	}{
		{"b", "", 10, []string{"b1", "b2", "b3"}},
		{"b", "b1", 10, []string{"b2", "b3"}},
		{"b", "b1", 1, []string{"b2"}},
		{"", "b3", 10, []string{"c1"}},
		{"d", "", 10, []string{}},
	}
	for _, tt := range tests {
		got, _ := s.PeopleAfter(context.Background(), tt.prefix, tt.after, tt.limit)
		if !slices.Equal(got, tt.want) {
			t.Errorf("PeopleAfter(%q, %q, %d) = %v, want %v", tt.prefix, tt.after, tt.limit, got, tt.want)
		}
	}
}

// TestSegmentsInMemoryOnly runs the benchmark above --neo4j-max, which
// needs no Neo4j.
func TestSegmentsInMemoryOnly(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), []string{"segments", "--events", "3000,5000", "--neo4j-max", "0", "--runs", "1"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("Run: %v (stderr %q)", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"shop shape, 30", "email shape, 50", "cypher: skipped (", "MiB per 1M events"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, b := range segment.BuiltInSegments() {
		if got := strings.Count(out, "\n"+b.Name+" "); got != 4 {
			t.Errorf("%s: %d rows, want 4 (2 shapes × 2 sizes)", b.Name, got)
		}
	}
}
