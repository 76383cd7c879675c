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
	"github.com/journeygraph/journeygraph/journeys/uplift"
)

// TestSegmentsUpliftCommand: `segments uplift NAME` prints the groups and
// the statistics of a segment with a holdout, and --json the report.
func TestSegmentsUpliftCommand(t *testing.T) {
	store := graphtest.Open(t)
	ctx := context.Background()
	run := graphtest.RunID(t)
	entered := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	seg, err := journeys.ParseSegment([]byte(`{"name":"` + run + `s","holdout":{"share":0.5,"salt":"cli"},"where":{"did":"add_to_cart"}}`))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.DeleteSegment(context.Background(), seg.Name) })
	var want [2][2]int // [treated, control][people, converted]
	var events, purchases []journeys.Event
	for i := range 12 {
		id := fmt.Sprintf("%sp%02d", run, i)
		at := entered.Add(-time.Hour)
		events = append(events, journeys.Event{ID: journeys.EventID(id, "add_to_cart", at, nil), Type: journeys.TypeTrack,
			Person: id, Name: "add_to_cart", Step: "add_to_cart", Time: at})
		g := 0
		if seg.Control(id) {
			g = 1
		}
		want[g][0]++
		if i%3 == 0 {
			at := entered.Add(48 * time.Hour)
			purchases = append(purchases, journeys.Event{ID: journeys.EventID(id, "purchase", at, nil), Type: journeys.TypeTrack,
				Person: id, Name: "purchase", Step: "purchase", Time: at})
			want[g][1]++
		}
	}
	if _, err := store.WriteEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	if _, err := store.SaveSegment(ctx, seg, entered); err != nil {
		t.Fatal(err)
	}
	sg := &segment.Segmenter{Store: store, Now: func() time.Time { return entered }}
	if _, err := sg.Refresh(ctx, []string{seg.Name}, journeys.SegmentScope{Prefix: run}, "test", entered); err != nil {
		t.Fatal(err)
	}
	if _, err := store.WriteEvents(ctx, purchases); err != nil {
		t.Fatal(err)
	}

	out, err := runCmd(t, append([]string{"segments", "uplift", "--days", "3"}, append(neo4jArgs(graphtest.Config()), seg.Name)...)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		`(holdout: share 0.5, salt "cli"): purchase within 3 days of entry`,
		fmt.Sprintf("treated  %6d  %9d", want[0][0], want[0][1]),
		fmt.Sprintf("control  %6d  %9d", want[1][0], want[1][1]),
		"difference ", "people per group to detect it",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}
	out, err = runCmd(t, append([]string{"segments", "uplift", "--json", "--days", "1"}, append(neo4jArgs(graphtest.Config()), seg.Name)...)...)
	var rep uplift.Report
	if err != nil || json.Unmarshal([]byte(out), &rep) != nil {
		t.Fatalf("--json: %q %v", out, err)
	}
	if rep.Days != 1 || rep.Treated.People != want[0][0] || rep.Treated.Converted != 0 || rep.Control.Converted != 0 {
		t.Errorf("--json --days 1: %+v, want no conversion within a day", rep)
	}
	if _, err := runCmd(t, append([]string{"segments", "uplift", "--days", "0"}, append(neo4jArgs(graphtest.Config()), seg.Name)...)...); err == nil ||
		!strings.Contains(err.Error(), "--days: 0 is not from 1 to 365") {
		t.Errorf("--days 0: %v, want the field named", err)
	}
}
