package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/journeys/report"
	"github.com/journeygraph/journeygraph/web"
)

// The paths explorer: edit the step rules in place, preview them (a bad
// rule names its field), save them, and see the stored journeys restepped.
func TestBrowserPathsExplorerEditsStepRules(t *testing.T) {
	store := graphtest.Open(t)
	ctx := browser(t)
	run := graphtest.RunID(t)
	bg := context.Background()
	t0 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	var events []journeys.Event
	for i, p := range []string{"a", "b", "c"} {
		for k, u := range []string{"/p/1", "/help", "/cart"}[:3-i] {
			tm := t0.Add(time.Duration(10*i+k) * time.Minute)
			e := journeys.Event{Type: journeys.TypePage, Name: journeys.NamePageView, Person: run + p, URL: "https://shop.example" + u, Time: tm}
			e.ID = journeys.EventID(e.Person, e.Name+u, tm, nil)
			events = append(events, e)
		}
	}
	cache := &inmem.Cache{Source: store, Prefix: run}
	book := &ingest.Rulebook{Store: store.StepRules(run), Restep: store, Touches: cache, Prefix: run}
	if cur, err := book.Open(bg, journeys.StepRules{}); err != nil {
		t.Fatal(err)
	} else if cur.Version != 1 || book.Current().Version != 1 {
		t.Fatalf("Open: %+v, current %+v", cur, book.Current())
	}
	if _, err := (&ingest.Ingester{Store: store, Book: book}).Ingest(bg, events); err != nil {
		t.Fatal(err)
	}
	analyst := &report.Analytics{Store: cache, Book: book}
	base := appServer(t, store, web.WithStepRules(book), func(s *web.Server) { s.SetAnalyst(analyst) })
	page := base + "/app/paths?person_prefix=" + url.QueryEscape(run) + "&unit=journey&depth=5"

	var current []string
	err := chromedp.Run(ctx,
		chromedp.Navigate(page),
		chromedp.WaitVisible(`input[name=password]`),
		chromedp.SendKeys(`input[name=password]`, "s3cret"), chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`#current-paths`))
	if err == nil {
		current, err = texts(ctx, `#current-paths td.path`)
	}
	if err != nil {
		t.Fatal(err)
	}
	if want := "page_view → page_view → page_view → (exit)"; !contains(current, want) {
		t.Fatalf("paths under the rules in force = %q, want %q among them", current, want)
	}
	// A bad rule is named by its field, and the edited text is kept.
	bad := `{"rules": [{"label": "product", "url": "re:("}]}`
	var problem string
	err = chromedp.Run(ctx,
		chromedp.SetValue(`textarea[name=rules]`, bad), chromedp.Click(`#preview-rules`),
		chromedp.WaitVisible(`.error`), chromedp.Text(`.error`, &problem))
	if err != nil || !strings.Contains(problem, "rules[0].url") {
		t.Fatalf("bad rule: %q (%v), want the field rules[0].url named", problem, err)
	}
	rules := `{"rules": [{"label": "product", "url": "*/p/*"}, {"url": "*/help", "exclude": true}, {"label": "cart", "url": "*/cart"}]}`
	var preview []string
	err = chromedp.Run(ctx,
		chromedp.SetValue(`textarea[name=rules]`, rules), chromedp.Click(`#preview-rules`),
		chromedp.WaitVisible(`#preview-paths`))
	if err == nil {
		preview, err = texts(ctx, `#preview-paths td.path`)
	}
	if err != nil {
		t.Fatal(err)
	}
	// a: /p/1 /help /cart; b: /p/1 /help; c: /p/1 — help excluded.
	for _, want := range []string{"product → cart → (exit)", "product → (exit)"} {
		if !contains(preview, want) {
			t.Errorf("preview paths = %q, want %q among them", preview, want)
		}
	}
	if book.Current().Version != 1 {
		t.Fatalf("a preview saved the rules (version %d)", book.Current().Version)
	}
	screenshot(t, ctx, "paths")
	// Save: the rules become version 2, and once the stored events are
	// restepped the report equals the preview.
	var notice string
	err = chromedp.Run(ctx, chromedp.Click(`#save-rules`), chromedp.WaitVisible(`#saved`), chromedp.Text(`#saved`, &notice))
	if err != nil || !strings.Contains(notice, "version 2") {
		t.Fatalf("save: %q (%v)", notice, err)
	}
	book.Wait()
	if st := book.Status(); st.Error != "" || st.Changed != 6 {
		t.Fatalf("restep: %+v, want 6 events changed", st)
	}
	if err := chromedp.Run(ctx, chromedp.Navigate(page), chromedp.WaitVisible(`#current-paths`)); err != nil {
		t.Fatal(err)
	}
	after, err := texts(ctx, `#current-paths td.path`)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(after) != fmt.Sprint(preview) {
		t.Errorf("paths after saving = %q, want the preview's %q", after, preview)
	}
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}
