package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/drift"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/journeys/profile"
	"github.com/journeygraph/journeygraph/journeys/segment"
	"github.com/journeygraph/journeygraph/web"
)

// TestBrowserSegmentDrift: a segment of 10 quiet people becomes, in one
// save, a segment of 10 busy people. Its page draws the size and PSI
// chart (an SVG with the PSI days above the threshold marked), says it
// drifted on the PSI, and its editor keeps the drift thresholds through a
// save.
func TestBrowserSegmentDrift(t *testing.T) {
	store := graphtest.Open(t)
	ctx := browser(t)
	run := graphtest.RunID(t)
	name := run + "drift"
	start := time.Date(2031, 5, 1, 12, 0, 0, 0, time.UTC)
	t.Cleanup(func() { _ = store.DeleteSegment(context.Background(), name) })
	var quiet, busy []string
	var events []journeys.Event
	add := func(id, step string, at time.Time) {
		events = append(events, journeys.Event{ID: journeys.EventID(id, step, at, nil), Type: journeys.TypeTrack, Person: id, Name: step, Time: at})
	}
	for i := range 10 {
		q, b := fmt.Sprintf("%sq%02d", run, i), fmt.Sprintf("%sb%02d", run, i)
		quiet, busy = append(quiet, q), append(busy, b)
		for d := -100; d <= 8; d++ { // 90-day windows full: the same features every day
			add(q, "page_view", start.AddDate(0, 0, d))
			add(b, "product_view", start.AddDate(0, 0, d))
			add(b, "add_to_cart", start.AddDate(0, 0, d).Add(time.Minute))
		}
	}
	ing := &ingest.Ingester{Store: store, Rules: journeys.DefaultStepRules()}
	if _, err := ing.Ingest(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	var now time.Time
	sg := &segment.Segmenter{Store: scopedStore{store, run}, Now: func() time.Time { return now }}
	save := func(people []string, at time.Time) {
		t.Helper()
		ids, _ := json.Marshal(people)
		seg, err := journeys.ParseSegment([]byte(`{"name":"` + name + `","drift":{"psi":0.25,"reference":"3d"},"where":{"people":` + string(ids) + `}}`))
		if err != nil {
			t.Fatal(err)
		}
		now = at
		if _, _, err := sg.Save(context.Background(), seg); err != nil {
			t.Fatal(err)
		}
	}
	save(quiet, start)
	save(busy, start.AddDate(0, 0, 5))
	now = start.AddDate(0, 0, 6)
	mon := &drift.Monitor{Segments: store, Vectors: &profile.Profiler{Touches: store}, Alerts: store, PersonPrefix: run,
		Now: func() time.Time { return now }}
	base := appServer(t, store, web.WithSegments(sg, store), web.WithDrift(mon))

	var svg, summary, crossed, def string
	var overDots int
	if err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/app/segments/"+name), chromedp.WaitVisible(`input[name=password]`),
		chromedp.SendKeys(`input[name=password]`, "s3cret"), chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`#drift svg.chart`),
		chromedp.OuterHTML(`#drift svg.chart`, &svg), chromedp.Text(`#drift-now`, &summary), chromedp.Text(`#drift-crossed`, &crossed),
		chromedp.Evaluate(`document.querySelectorAll('#drift circle.over').length`, &overDots),
		chromedp.Value(`textarea[name=definition]`, &def),
	); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(svg, `class="line size"`) || !strings.Contains(svg, `class="line psi"`) || !strings.Contains(svg, `class="threshold"`) {
		t.Errorf("drift chart lacks the size line, the PSI line or the threshold:\n%s", svg)
	}
	// The busy members were in on days 5 and 6, against quiet references.
	if overDots != 2 {
		t.Errorf("%d PSI days above the threshold, want 2", overDots)
	}
	if !strings.Contains(summary, "Now 10 members, 10 at the reference (+0.0%); PSI") || !strings.Contains(crossed, "psi") {
		t.Errorf("summary %q, crossed %q: want 10 members against 10 and the PSI crossed", summary, crossed)
	}
	if !strings.Contains(def, `"drift"`) || !strings.Contains(def, `"reference": "3d"`) {
		t.Errorf("editor definition lacks the drift thresholds:\n%s", def)
	}
	if err := chromedp.Run(ctx, chromedp.Click(`#save`), chromedp.WaitVisible(`#saved`)); err != nil {
		t.Fatal(err)
	}
	if got, err := store.Segment(context.Background(), name); err != nil || got.Drift == nil || got.Drift.PSI != 0.25 {
		t.Errorf("after saving from the editor: drift %+v (%v), want kept", got.Drift, err)
	}
}
