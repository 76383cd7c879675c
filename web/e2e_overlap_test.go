package web_test

import (
	"context"
	"net/url"
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

// TestBrowserSegmentOverlap: two segments compared on the overlap page
// show their members in both and the Jaccard index; a cell's link opens
// the editor with the intersection's definition, whose preview counts
// those members, and the difference's likewise.
func TestBrowserSegmentOverlap(t *testing.T) {
	store := graphtest.Open(t)
	ctx := browser(t)
	run := graphtest.RunID(t)
	asOf := time.Date(2031, 3, 10, 12, 0, 0, 0, time.UTC)
	// carted: c1, c2, c3; bought: c2, c3, b1. Both: 2; either: 4.
	plant := map[string][]string{
		"c1": {"add_to_cart"}, "c2": {"add_to_cart", "purchase"}, "c3": {"add_to_cart", "purchase"}, "b1": {"purchase"},
	}
	var events []journeys.Event
	for who, names := range plant {
		for i, n := range names {
			tm := asOf.Add(-48*time.Hour + time.Duration(i)*time.Minute)
			events = append(events, journeys.Event{ID: journeys.EventID(run+who, n, tm, nil), Type: journeys.TypeTrack,
				Person: run + who, Name: n, Time: tm})
		}
	}
	if _, err := (&ingest.Ingester{Store: store, Rules: journeys.DefaultStepRules()}).Ingest(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	sg := &segment.Segmenter{Store: scopedStore{store, run}, Now: func() time.Time { return asOf }}
	carted, bought := run+"carted", run+"bought"
	for name, step := range map[string]string{carted: "add_to_cart", bought: "purchase"} {
		t.Cleanup(func() { _ = store.DeleteSegment(context.Background(), name) })
		if _, _, err := sg.Save(context.Background(), journeys.Segment{Name: name, Where: journeys.Condition{Did: &journeys.Match{Step: step}}}); err != nil {
			t.Fatal(err)
		}
	}
	base := appServer(t, store, web.WithSegments(sg, store))
	run1 := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	run1("sign in",
		chromedp.Navigate(base+"/app/segments"), chromedp.WaitVisible(`input[name=password]`),
		chromedp.SendKeys(`input[name=password]`, "s3cret"), chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`#compare-segments`))
	cell := `#overlap-matrix td[data-row="` + carted + `"][data-col="` + bought + `"]`
	var text string
	run1("compare",
		chromedp.Click(`#compare-segments`), chromedp.WaitVisible(`#compare`),
		chromedp.Click(`input[value="`+carted+`"]`), chromedp.Click(`input[value="`+bought+`"]`),
		chromedp.Click(`#compare`), chromedp.WaitVisible(cell), chromedp.Text(cell, &text))
	if !strings.HasPrefix(text, "2 J 0.50") || !strings.Contains(text, "1 row only") {
		t.Errorf("cell carted × bought = %q, want 2 in both, Jaccard 0.50, 1 carted only", text)
	}
	screenshot(t, ctx, "segment-overlap")
	var count, sample string
	run1("both as a new segment",
		chromedp.Click(cell+` a.new-both`), chromedp.WaitVisible(`textarea[name=definition]`),
		chromedp.Click(`#preview`), chromedp.WaitVisible(`#preview-result`),
		chromedp.Text(`#preview-count`, &count), chromedp.Text(`#preview-result .sample`, &sample))
	if count != "2" || !strings.Contains(sample, run+"c2") || !strings.Contains(sample, run+"c3") {
		t.Errorf("preview of both: count %q, sample %q", count, sample)
	}
	run1("carted only as a new segment",
		chromedp.Navigate(base+"/app/segment-overlap?names="+url.QueryEscape(carted)+"&names="+url.QueryEscape(bought)),
		chromedp.WaitVisible(cell),
		chromedp.Click(cell+` a.new-only`), chromedp.WaitVisible(`textarea[name=definition]`),
		chromedp.Click(`#preview`), chromedp.WaitVisible(`#preview-result`),
		chromedp.Text(`#preview-count`, &count), chromedp.Text(`#preview-result .sample`, &sample))
	if count != "1" || !strings.Contains(sample, run+"c1") {
		t.Errorf("preview of carted only: count %q, sample %q", count, sample)
	}
}
