package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/segment"
	"github.com/journeygraph/journeygraph/journeys/survival"
)

// TestSegmentsSurvivalCommand: `segments survival NAME` prints each
// curve's people, events, censored and median, with --vs the log-rank
// test, and --json the report with the curves' points.
func TestSegmentsSurvivalCommand(t *testing.T) {
	store := graphtest.Open(t)
	ctx := context.Background()
	run := graphtest.RunID(t)
	entered := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	sg := &segment.Segmenter{Store: store, Now: func() time.Time { return entered }}
	delays := map[string][]int{"a": {1, 2, 3, 0}, "b": {4, 0, 0}} // days to purchase after entry (0: none)
	for _, g := range []string{"a", "b"} {
		name := run + g
		t.Cleanup(func() { _ = store.DeleteSegment(context.Background(), name) })
		var people []string
		var events []journeys.Event
		for i, d := range delays[g] {
			id := fmt.Sprintf("%s%s%d", run, g, i)
			people = append(people, id)
			at := entered.Add(-time.Hour)
			events = append(events, journeys.Event{ID: journeys.EventID(id, "visit", at, nil), Type: journeys.TypeTrack,
				Person: id, Name: "visit", Step: "visit", Time: at})
			if d > 0 {
				at := entered.Add(time.Duration(d) * 24 * time.Hour)
				events = append(events, journeys.Event{ID: journeys.EventID(id, "purchase", at, nil), Type: journeys.TypeTrack,
					Person: id, Name: "purchase", Step: "purchase", Time: at})
			}
		}
		if _, err := store.WriteEvents(ctx, events); err != nil {
			t.Fatal(err)
		}
		seg := journeys.Segment{Name: name, Where: journeys.Condition{People: people}}
		if _, err := store.SaveSegment(ctx, seg, entered); err != nil {
			t.Fatal(err)
		}
		if _, err := sg.Refresh(ctx, []string{name}, journeys.SegmentScope{Prefix: run}, "test", entered); err != nil {
			t.Fatal(err)
		}
	}
	asOf := entered.Add(10 * 24 * time.Hour).Format(time.RFC3339)
	args := func(extra ...string) []string {
		return append(append([]string{"segments", "survival", "--as-of", asOf}, extra...), append(neo4jArgs(graphtest.Config()), run+"a")...)
	}
	out, err := runCmd(t, args("--vs", run+"b")...)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"time to purchase, in days from entry, as of 2024-05-11T12:00:00Z",
		run + "a       4    3         1         2.00",
		run + "b       3    1         2  not reached",
		"log-rank: chi-square ", "p-value ",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}
	out, err = runCmd(t, args("--json", "--start", "first_seen", "--step", "visit")...)
	var rep survival.Report
	if err != nil || json.Unmarshal([]byte(out), &rep) != nil {
		t.Fatalf("--json: %q %v", out, err)
	}
	// Everyone visited at their first event: time 0, the curve drops to 0.
	if c := rep.Curves[0]; rep.From != "first_seen" || c.People != 4 || c.Done != 4 || c.MedianDays == nil || *c.MedianDays != 0 {
		t.Errorf("--json first_seen visit: %+v, want 4 people done at day 0", rep)
	}
	if _, err := runCmd(t, args("--start", "birth")...); err == nil || !strings.Contains(err.Error(), `--start: "birth" is not entry or first_seen`) {
		t.Errorf("--start birth: %v, want the field named", err)
	}
}
