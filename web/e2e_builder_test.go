package web_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/journeys/segment"
	"github.com/journeygraph/journeygraph/web"
)

// TestBrowserSegmentBuilder rebuilds two playbook segments in the
// builder of the segment editor, one with the mouse and typing, one with
// the keyboard only, saves them and checks that the saved definitions
// are the built-ins' and that the live count is what the built-ins select
// on planted people; then a nested definition typed into the JSON is
// shown by the builder as nested groups.
func TestBrowserSegmentBuilder(t *testing.T) {
	store := graphtest.Open(t)
	ctx := browser(t)
	run := graphtest.RunID(t)
	bg := context.Background()
	asOf := time.Date(2031, 3, 10, 12, 0, 0, 0, time.UTC)

	// As of asOf: one cart abandoner, two who bought after their add, one
	// hyper-engaged reader, one who clicked once.
	plant := map[string][]string{
		"abandoner":  {"product_view", "add_to_cart"},
		"buyer":      {"add_to_cart", "purchase"},
		"late-buyer": {"add_to_cart", "checkout", "purchase"},
		"engaged":    {"Email Opened", "Email Link Clicked", "Email Link Clicked"},
		"one-click":  {"Email Opened", "Email Link Clicked"},
	}
	var events []journeys.Event
	for who, names := range plant {
		for i, n := range names {
			tm := asOf.Add(-48*time.Hour + time.Duration(i)*time.Hour)
			events = append(events, journeys.Event{ID: journeys.EventID(run+who, n+strconv.Itoa(i), tm, nil), Type: journeys.TypeTrack,
				Person: run + who, Name: n, Time: tm, Channel: "email"})
		}
	}
	if _, err := (&ingest.Ingester{Store: store, Rules: journeys.DefaultStepRules()}).Ingest(bg, events); err != nil {
		t.Fatal(err)
	}
	sg := &segment.Segmenter{Store: scopedStore{store, run}, Now: func() time.Time { return asOf }}
	base := appServer(t, store, web.WithSegments(sg, store), web.WithVocabulary(&inmem.Cache{Source: store, Prefix: run}))
	builtIn := map[string]journeys.Segment{}
	for _, s := range segment.BuiltInSegments() {
		builtIn[s.Name] = s
	}

	do := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// check waits for the builder's reading of the built-in's definition,
	// then compares the live count with what the built-in selects.
	check := func(name string, someone bool) {
		t.Helper()
		want := builtIn[name]
		pv, err := sg.Preview(bg, want, time.Time{}, 20)
		if err != nil {
			t.Fatal(err)
		}
		reading, _ := json.Marshal("People who " + journeys.Describe(want.Where) + ".")
		var count string
		do(name+": live count",
			chromedp.Poll(`document.getElementById("builder-reading").textContent === `+string(reading), nil,
				chromedp.WithPollingTimeout(60*time.Second)),
			chromedp.Text(`#builder-count`, &count))
		if count != strconv.Itoa(pv.Count) || someone && pv.Count == 0 {
			t.Errorf("%s: live count %q, want the built-in's %d (planted: someone %v)", name, count, pv.Count, someone)
		}
	}
	// saved compares a saved definition with the built-in's.
	saved := func(name, builtInName string) {
		t.Helper()
		t.Cleanup(func() { _ = store.DeleteSegment(bg, name) })
		seg, err := store.Segment(bg, name)
		if err != nil {
			t.Fatalf("saved %s: %v", name, err)
		}
		got, _ := json.Marshal(seg.Where)
		want, _ := json.Marshal(builtIn[builtInName].Where)
		if string(got) != string(want) {
			t.Errorf("saved %s:\n got  %s\n want %s", name, got, want)
		}
	}

	do("sign in",
		chromedp.Navigate(base+"/app/segments/new"), chromedp.WaitVisible(`input[name=password]`),
		chromedp.SendKeys(`input[name=password]`, "s3cret"), chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`#builder[data-vocabulary-ready]`))
	var events0 []string
	do("menus from the data", chromedp.Evaluate(`[...document.querySelectorAll("#b-events option")].map(o => o.value)`, &events0))
	if strings.Join(events0, ",") != "Email Link Clicked,Email Opened,add_to_cart,checkout,product_view,purchase" {
		t.Errorf("event names offered: %v", events0)
	}

	// cart_abandoners, with the mouse and typing: the new segment's two
	// rows become one "add to cart not followed by purchase".
	abandoners := run + "abandoners"
	do("build cart_abandoners",
		chromedp.Clear(`#builder-name`), chromedp.SendKeys(`#builder-name`, abandoners),
		chromedp.Click(`#b-1-rm`), chromedp.WaitNotPresent(`#b-1`),
		chromedp.SendKeys(`#b-0-type`, "n"), chromedp.WaitVisible(`#b-0-m2-v`),
		chromedp.SendKeys(`#b-0-m2-v`, "purchase"))
	check(segment.SegmentCartAbandoners, true)
	screenshot(t, ctx, "segment-builder")
	do("save cart_abandoners", chromedp.Click(`#save`), chromedp.WaitVisible(`#saved`))
	saved(abandoners, segment.SegmentCartAbandoners)

	// hyper_engaged, with the keyboard only: Tab to each control, type,
	// arrow keys in a menu, Enter on Save.
	hyper := run + "hyper"
	tabTo := func(id string) {
		t.Helper()
		for range 200 {
			var at string
			do("tab", chromedp.KeyEvent(kb.Tab), chromedp.Evaluate(`document.activeElement.id`, &at))
			if at == id {
				return
			}
		}
		t.Fatalf("Tab never reached #%s", id)
	}
	selectAll := chromedp.KeyEvent("a", chromedp.KeyModifiers(input.ModifierCtrl))
	do("new", chromedp.Navigate(base+"/app/segments/new"), chromedp.WaitVisible(`#builder[data-vocabulary-ready]`))
	tabTo("builder-name")
	do("name", selectAll, chromedp.KeyEvent(hyper))
	tabTo("b-0-m-v")
	do("opened", selectAll, chromedp.KeyEvent("email_open"))
	tabTo("b-1-type")
	do("count", chromedp.KeyEvent(kb.ArrowDown), chromedp.WaitVisible(`#b-1-min`))
	tabTo("b-1-m-v")
	do("clicked", selectAll, chromedp.KeyEvent("email_click"))
	tabTo("b-1-min")
	do("min", chromedp.KeyEvent("2"))
	check(segment.SegmentHyperEngaged, true)
	tabTo("save")
	do("save hyper_engaged", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(`#saved`))
	saved(hyper, segment.SegmentHyperEngaged)

	// JSON typed by hand: the builder shows at_risk_subscribers' nested
	// any / all groups and reads it.
	risk, _ := json.Marshal(journeys.Segment{Name: run + "risk", Where: builtIn[segment.SegmentAtRiskSubscribers].Where})
	var ops []string
	do("hand-written JSON",
		chromedp.Navigate(base+"/app/segments/new"), chromedp.WaitVisible(`#builder[data-vocabulary-ready]`),
		chromedp.Clear(`#definition`), chromedp.SendKeys(`#definition`, string(risk)),
		chromedp.WaitVisible(`#b-1-0-0`),
		chromedp.Evaluate(`[...document.querySelectorAll("#builder fieldset > legend select")].map(s => s.id + "=" + s.value)`, &ops))
	if strings.Join(ops, " ") != "b-op=all b-1-op=any b-1-0-op=all" {
		t.Errorf("groups shown: %v", ops)
	}
	check(segment.SegmentAtRiskSubscribers, false)
	screenshot(t, ctx, "segment-builder-nested")
}
