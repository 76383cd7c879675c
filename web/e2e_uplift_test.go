package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/journeys/segment"
	"github.com/journeygraph/journeygraph/web"
)

// TestBrowserSegmentHoldoutAndUplift: the page of a segment with a holdout
// shows its uplift (treated and control counts, the statistics), marks the
// control members, and its editor keeps the holdout through a save.
func TestBrowserSegmentHoldoutAndUplift(t *testing.T) {
	store := graphtest.Open(t)
	ctx := browser(t)
	run := graphtest.RunID(t)
	name := run + "holdout"
	entered := time.Date(2031, 4, 10, 12, 0, 0, 0, time.UTC)
	t.Cleanup(func() { _ = store.DeleteSegment(context.Background(), name) })
	seg, err := journeys.ParseSegment([]byte(`{"name":"` + name + `","holdout":{"share":0.5,"salt":"e2e"},"where":{"did":"add_to_cart"}}`))
	if err != nil {
		t.Fatal(err)
	}
	var want [2][2]int // [treated, control][people, converted]
	var carts, purchases []journeys.Event
	for i := range 10 {
		id := fmt.Sprintf("%sp%02d", run, i)
		at := entered.Add(-time.Hour)
		carts = append(carts, journeys.Event{ID: journeys.EventID(id, "add_to_cart", at, nil), Type: journeys.TypeTrack,
			Person: id, Name: "add_to_cart", Time: at})
		g := 0
		if seg.Control(id) {
			g = 1
		}
		want[g][0]++
		if i%2 == 0 {
			at := entered.Add(24 * time.Hour)
			purchases = append(purchases, journeys.Event{ID: journeys.EventID(id, "purchase", at, nil), Type: journeys.TypeTrack,
				Person: id, Name: "purchase", Time: at})
			want[g][1]++
		}
	}
	if want[0][0] == 0 || want[1][0] == 0 {
		t.Fatalf("groups %v: the test needs both", want)
	}
	ing := &ingest.Ingester{Store: store, Rules: journeys.DefaultStepRules()}
	if _, err := ing.Ingest(context.Background(), carts); err != nil {
		t.Fatal(err)
	}
	sg := &segment.Segmenter{Store: scopedStore{store, run}, Now: func() time.Time { return entered }}
	if _, _, err := sg.Save(context.Background(), seg); err != nil {
		t.Fatal(err)
	}
	if _, err := ing.Ingest(context.Background(), purchases); err != nil {
		t.Fatal(err)
	}
	base := appServer(t, store, web.WithSegments(sg, store))

	var treated, control, stats, members, def string
	if err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/app/segments/"+name), chromedp.WaitVisible(`input[name=password]`),
		chromedp.SendKeys(`input[name=password]`, "s3cret"), chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`#uplift`),
		chromedp.Text(`#uplift-treated`, &treated), chromedp.Text(`#uplift-control`, &control), chromedp.Text(`#uplift-stats`, &stats),
		chromedp.Text(`#members table`, &members), chromedp.Value(`textarea[name=definition]`, &def),
	); err != nil {
		t.Fatal(err)
	}
	fields := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	if got, w := fields(treated), fmt.Sprintf("treated %d %d", want[0][0], want[0][1]); !strings.HasPrefix(got, w) {
		t.Errorf("treated row %q, want %q…", got, w)
	}
	if got, w := fields(control), fmt.Sprintf("control %d %d", want[1][0], want[1][1]); !strings.HasPrefix(got, w) {
		t.Errorf("control row %q, want %q…", got, w)
	}
	if !strings.Contains(stats, "95% interval") || !strings.Contains(stats, "p-value") {
		t.Errorf("stats %q, want the interval and the p-value", stats)
	}
	if got := strings.Count(members, "control"); got != want[1][0] {
		t.Errorf("%d members marked control, want %d:\n%s", got, want[1][0], members)
	}
	if !strings.Contains(def, `"holdout"`) || !strings.Contains(def, `"salt": "e2e"`) {
		t.Errorf("editor definition lacks the holdout:\n%s", def)
	}
	// Saving from the editor keeps the holdout.
	if err := chromedp.Run(ctx, chromedp.Click(`#save`), chromedp.WaitVisible(`#saved`)); err != nil {
		t.Fatal(err)
	}
	if got, err := store.Segment(context.Background(), name); err != nil || got.Holdout == nil || got.Holdout.Salt != "e2e" {
		t.Errorf("after saving from the editor: holdout %+v (%v), want kept", got.Holdout, err)
	}
}
