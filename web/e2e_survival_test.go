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

// TestBrowserSegmentSurvival: a segment's page draws the Kaplan–Meier
// curve of its people's time from entry to purchase (server-side SVG: a
// step line over its band) with the median; naming a second segment in the
// form adds its curve and the log-rank test, and an unknown one is
// reported in the section.
func TestBrowserSegmentSurvival(t *testing.T) {
	store := graphtest.Open(t)
	ctx := browser(t)
	run := graphtest.RunID(t)
	// Entered ten days ago; purchases 1 to 5 days after entry.
	entered := time.Now().UTC().Add(-10 * 24 * time.Hour).Truncate(time.Second)
	fast, slow := run+"fast", run+"slow"
	t.Cleanup(func() {
		_ = store.DeleteSegment(context.Background(), fast)
		_ = store.DeleteSegment(context.Background(), slow)
	})
	groups := map[string][]int{ // segment → days to purchase of each member (0: none)
		fast: {1, 2, 3, 0},
		slow: {5, 0, 0},
	}
	ing := &ingest.Ingester{Store: store, Rules: journeys.DefaultStepRules()}
	sg := &segment.Segmenter{Store: scopedStore{store, run}, Now: func() time.Time { return entered }}
	var purchases []journeys.Event
	for _, name := range []string{fast, slow} {
		var people []string
		for i, d := range groups[name] {
			id := fmt.Sprintf("%s%d", name, i)
			people = append(people, id)
			at := entered.Add(-time.Hour)
			if _, err := ing.Ingest(context.Background(), []journeys.Event{{ID: journeys.EventID(id, "product_view", at, nil),
				Type: journeys.TypeTrack, Person: id, Name: "product_view", Time: at}}); err != nil {
				t.Fatal(err)
			}
			if d > 0 {
				at := entered.Add(time.Duration(d) * 24 * time.Hour)
				purchases = append(purchases, journeys.Event{ID: journeys.EventID(id, "purchase", at, nil), Type: journeys.TypeTrack,
					Person: id, Name: "purchase", Time: at})
			}
		}
		if _, _, err := sg.Save(context.Background(), journeys.Segment{Name: name, Where: journeys.Condition{People: people}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ing.Ingest(context.Background(), purchases); err != nil {
		t.Fatal(err)
	}
	base := appServer(t, store, web.WithSegments(sg, store))

	var table string
	var curves int
	if err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/app/segments/"+fast), chromedp.WaitVisible(`input[name=password]`),
		chromedp.SendKeys(`input[name=password]`, "s3cret"), chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`#survival svg.survival polyline.km`),
		chromedp.Text(`#survival-table`, &table),
		chromedp.Evaluate(`document.querySelectorAll('#survival svg.survival polygon.band').length`, &curves),
	); err != nil {
		t.Fatal(err)
	}
	fields := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	// 4 people, 3 purchased; S(2 days) = 0.5: the median.
	if got, want := fields(table), fast+" 4 3 1 2.0"; !strings.Contains(got, want) {
		t.Errorf("survival table %q, want a row %q", got, want)
	}
	if curves != 1 {
		t.Errorf("%d bands drawn, want 1", curves)
	}
	screenshot(t, ctx, "segment-survival")

	// Compare with the slow segment: two curves and the log-rank test.
	var logrank string
	if err := chromedp.Run(ctx,
		chromedp.SendKeys(`#survival-form input[name=vs]`, slow), chromedp.Submit(`#survival-form input[name=vs]`),
		chromedp.WaitVisible(`#survival-logrank`),
		chromedp.Text(`#survival-table`, &table), chromedp.Text(`#survival-logrank`, &logrank),
		chromedp.Evaluate(`document.querySelectorAll('#survival svg.survival polyline.km').length`, &curves),
	); err != nil {
		t.Fatal(err)
	}
	if got, want := fields(table), slow+" 3 1 2 not reached"; !strings.Contains(got, want) || curves != 2 {
		t.Errorf("with vs: table %q (%d curves), want two curves and a row %q", got, curves, want)
	}
	if !strings.Contains(logrank, "χ²") || !strings.Contains(logrank, "p-value") {
		t.Errorf("log-rank %q, want the statistic and the p-value", logrank)
	}
	screenshot(t, ctx, "segment-survival-vs")

	// An unknown vs segment: said in the section, the page still there.
	var problem string
	if err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/app/segments/"+fast+"?vs="+run+"nope"), chromedp.WaitVisible(`#survival-error`),
		chromedp.Text(`#survival-error`, &problem),
	); err != nil {
		t.Fatal(err)
	}
	if want := `vs: no segment "` + run + `nope"`; problem != want {
		t.Errorf("error %q, want %q", problem, want)
	}
}
