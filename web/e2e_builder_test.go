package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/journeys/propensity"
	"github.com/journeygraph/journeygraph/journeys/segment"
	"github.com/journeygraph/journeygraph/markov/logit"
	"github.com/journeygraph/journeygraph/web"
)

// builderFixture is a signed-out browser, an app serving segments over
// planted people (evaluated as of a fixed time) and the built-ins.
type builderFixture struct {
	t       *testing.T
	ctx     context.Context
	run     string // the id prefix of the test's people and segments
	store   *graph.Store
	base    string
	sg      *segment.Segmenter
	builtIn map[string]journeys.Segment
}

// newBuilderFixture plants, as of a fixed time: a cart abandoner, two who
// bought after their add, a hyper-engaged reader, one who clicked once, a
// prospect (the same product viewed 3 times), a VIP (3 purchases), an
// unsubscriber and someone mailed 5 times who never opened.
// More options (opts) are given to the app server.
func newBuilderFixture(t *testing.T, opts ...web.Option) *builderFixture {
	store := graphtest.Open(t)
	ctx := browser(t)
	run := graphtest.RunID(t)
	asOf := time.Date(2031, 3, 10, 12, 0, 0, 0, time.UTC)
	plant := map[string][]string{
		"abandoner":  {"product_view", "add_to_cart"},
		"buyer":      {"add_to_cart", "purchase"},
		"late-buyer": {"add_to_cart", "checkout", "purchase"},
		"engaged":    {"Email Opened", "Email Link Clicked", "Email Link Clicked"},
		"one-click":  {"Email Opened", "Email Link Clicked"},
		"prospect":   {"product_view", "product_view", "product_view"},
		"vip":        {"purchase", "purchase", "purchase"},
		"unsub":      {"Email Opened", "unsubscribe"},
		"mailed":     {"Email Sent", "Email Sent", "Email Sent", "Email Sent", "Email Sent"},
	}
	var events []journeys.Event
	for who, names := range plant {
		for i, n := range names {
			tm := asOf.Add(-48*time.Hour + time.Duration(i)*time.Hour)
			events = append(events, journeys.Event{ID: journeys.EventID(run+who, n+strconv.Itoa(i), tm, nil), Type: journeys.TypeTrack,
				Person: run + who, Name: n, Time: tm, Channel: "email", Product: "sku-1"})
		}
	}
	if _, err := (&ingest.Ingester{Store: store, Rules: journeys.DefaultStepRules()}).Ingest(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	f := &builderFixture{t: t, ctx: ctx, run: run, store: store, builtIn: map[string]journeys.Segment{}}
	// Segments are evaluated from memory, as serve does.
	cache := &inmem.Cache{Source: store, Prefix: run}
	if err := cache.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.sg = &segment.Segmenter{Store: scopedStore{store, run}, Engine: scopedEngine{cache, run}, Now: func() time.Time { return asOf }}
	f.base = appServer(t, store, append([]web.Option{web.WithSegments(f.sg, store), web.WithVocabulary(cache)}, opts...)...)
	for _, s := range segment.BuiltInSegments() {
		f.builtIn[s.Name] = s
	}
	return f
}

// scopedEngine evaluates segments in the journey cache for the people
// under one id prefix.
type scopedEngine struct {
	cache  *inmem.Cache
	prefix string
}

func (e scopedEngine) EvaluateSegment(ctx context.Context, p journeys.Pred, scope journeys.SegmentScope) ([]string, error) {
	scope.Prefix = e.prefix
	return e.cache.EvaluateSegment(ctx, p, scope)
}

// do runs the actions, failing the test with what on an error.
func (f *builderFixture) do(what string, actions ...chromedp.Action) {
	f.t.Helper()
	if err := chromedp.Run(f.ctx, actions...); err != nil {
		f.t.Fatalf("%s: %v", what, err)
	}
}

// check waits for the builder's reading of the built-in's definition, then
// compares the live count with what the built-in selects (someone: not 0).
func (f *builderFixture) check(name string, someone bool) {
	f.t.Helper()
	want := f.builtIn[name]
	pv, err := f.sg.Preview(context.Background(), want, time.Time{}, 20)
	if err != nil {
		f.t.Fatal(err)
	}
	reading, _ := json.Marshal("People who " + journeys.Describe(want.Where) + ".")
	var count string
	f.do(name+": live count",
		chromedp.Poll(`document.getElementById("builder-reading").textContent === `+string(reading), nil,
			chromedp.WithPollingTimeout(60*time.Second)),
		chromedp.Text(`#builder-count`, &count))
	if count != strconv.Itoa(pv.Count) || someone && pv.Count == 0 {
		f.t.Errorf("%s: live count %q, want the built-in's %d (planted: someone %v)", name, count, pv.Count, someone)
	}
}

// edited compares the definition in the editor's JSON with the built-in's.
func (f *builderFixture) edited(name string) {
	f.t.Helper()
	var text string
	f.do(name+": JSON", chromedp.Value(`#definition`, &text))
	seg, err := journeys.ParseSegment([]byte(text))
	if err != nil {
		f.t.Fatalf("%s: the builder wrote %s: %v", name, text, err)
	}
	got, _ := json.Marshal(seg.Where)
	want, _ := json.Marshal(f.builtIn[name].Where)
	if string(got) != string(want) {
		f.t.Errorf("%s: the builder wrote\n %s\nwant\n %s", name, got, want)
	}
}

// saved compares a saved definition with the built-in's.
func (f *builderFixture) saved(name, builtInName string) {
	f.t.Helper()
	bg := context.Background()
	f.t.Cleanup(func() { _ = f.store.DeleteSegment(bg, name) })
	seg, err := f.store.Segment(bg, name)
	if err != nil {
		f.t.Fatalf("saved %s: %v", name, err)
	}
	got, _ := json.Marshal(seg.Where)
	want, _ := json.Marshal(f.builtIn[builtInName].Where)
	if string(got) != string(want) {
		f.t.Errorf("saved %s:\n got  %s\n want %s", name, got, want)
	}
}

// signIn opens a new segment's editor, signing in on the way.
func (f *builderFixture) signIn() {
	f.do("sign in",
		chromedp.Navigate(f.base+"/app/segments/new"), chromedp.WaitVisible(`input[name=password]`),
		chromedp.SendKeys(`input[name=password]`, "s3cret"), chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`#builder[data-vocabulary-ready]`))
}

// TestBrowserSegmentBuilder rebuilds two playbook segments in the
// builder of the segment editor, one with the mouse and typing, one with
// the keyboard only, saves them and checks that the saved definitions
// are the built-ins' and that the live count is what the built-ins select
// on planted people; then a nested definition typed into the JSON is
// shown by the builder as nested groups.
func TestBrowserSegmentBuilder(t *testing.T) {
	f := newBuilderFixture(t)
	ctx, base, builtIn, do, check, saved := f.ctx, f.base, f.builtIn, f.do, f.check, f.saved
	run := f.run
	f.signIn()
	var events0 []string
	do("menus from the data", chromedp.Evaluate(`[...document.querySelectorAll("#b-events option")].map(o => o.value)`, &events0))
	if strings.Join(events0, ",") != "Email Link Clicked,Email Opened,Email Sent,add_to_cart,checkout,product_view,purchase,unsubscribe" {
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

// TestBrowserSegmentBuilderPlaybook rebuilds six more playbook segments
// from the new segment's starting definition (did add_to_cart, did not
// purchase, both in the last 7 days) by clicking and typing in the
// builder: the JSON it writes is the built-in's, and the live count is
// what the built-in selects.
func TestBrowserSegmentBuilderPlaybook(t *testing.T) {
	f := newBuilderFixture(t)
	f.signIn()
	retype := func(sel, text string) chromedp.Action {
		return chromedp.Tasks{chromedp.Clear(sel), chromedp.SendKeys(sel, text)}
	}
	fresh := chromedp.Tasks{chromedp.Navigate(f.base + "/app/segments/new"), chromedp.WaitVisible(`#builder[data-vocabulary-ready]`)}
	removeSecond := chromedp.Tasks{chromedp.Click(`#b-1-rm`), chromedp.WaitNotPresent(`#b-1`)}
	tests := []struct {
		name    string
		someone bool // the planted people hold a member
		build   chromedp.Tasks
	}{
		{segment.SegmentProspectsToRelaunch, true, chromedp.Tasks{
			chromedp.SendKeys(`#b-0-type`, "c"), chromedp.WaitVisible(`#b-0-min`),
			retype(`#b-0-m-v`, "product_view"), chromedp.SendKeys(`#b-0-min`, "3"), chromedp.SendKeys(`#b-0-same`, "p")}},
		{segment.SegmentVIP, true, chromedp.Tasks{removeSecond,
			chromedp.SendKeys(`#b-0-type`, "c"), chromedp.WaitVisible(`#b-0-min`),
			retype(`#b-0-m-v`, "purchase"), chromedp.SendKeys(`#b-0-min`, "3"), retype(`#b-0-within`, "365d")}},
		{segment.SegmentUnsubscribed, true, chromedp.Tasks{removeSecond,
			retype(`#b-0-m-v`, "unsubscribe"), chromedp.SendKeys(`#b-0-win`, "a"), chromedp.WaitNotPresent(`#b-0-within`)}},
		{segment.SegmentNew, true, chromedp.Tasks{removeSecond,
			chromedp.SendKeys(`#b-0-type`, "f"), chromedp.WaitVisible(`#b-0-dur`), chromedp.SendKeys(`#b-0-dur`, "7d")}},
		{segment.SegmentNeverEngaged, true, chromedp.Tasks{
			retype(`#b-0-m-v`, "email_sent"), chromedp.SendKeys(`#b-0-win`, "a"), chromedp.WaitNotPresent(`#b-0-within`),
			chromedp.SendKeys(`#b-1-m-by`, "a"), chromedp.WaitVisible(`#b-1-m-v`), retype(`#b-1-m-v`, "email_open, email_click"),
			chromedp.SendKeys(`#b-1-win`, "a"), chromedp.WaitNotPresent(`#b-1-within`)}},
		{segment.SegmentSunset, true, chromedp.Tasks{
			chromedp.SendKeys(`#b-0-type`, kb.ArrowDown), // did → did not
			retype(`#b-0-m-v`, "unsubscribe"), chromedp.SendKeys(`#b-0-win`, "a"), chromedp.WaitNotPresent(`#b-0-within`),
			chromedp.SendKeys(`#b-1-type`, "c"), chromedp.WaitVisible(`#b-1-min`),
			retype(`#b-1-m-v`, "email_sent"), chromedp.SendKeys(`#b-1-min`, "5"), retype(`#b-1-within`, "90d"),
			chromedp.Click(`#b-add`), chromedp.WaitVisible(`#b-2-type`),
			chromedp.SendKeys(`#b-2-type`, kb.ArrowDown),
			chromedp.SendKeys(`#b-2-m-by`, "a"), chromedp.WaitVisible(`#b-2-m-v`), retype(`#b-2-m-v`, "email_open, email_click"),
			retype(`#b-2-within`, "90d")}},
	}
	for _, tt := range tests {
		f.do(tt.name+": build", fresh, tt.build)
		f.edited(tt.name)
		f.check(tt.name, tt.someone)
	}
	screenshot(t, f.ctx, "segment-builder-sunset")
}

// TestBrowserSegmentBuilderRoundTrip: every building block, written into
// the JSON, is shown by the builder and written back unchanged by its
// next change (a condition added, then removed).
func TestBrowserSegmentBuilderRoundTrip(t *testing.T) {
	f := newBuilderFixture(t)
	f.signIn()
	wheres := []string{
		`{"sequence": ["product_view", {"steps": ["add_to_cart", "add_to_wishlist"]}, "checkout"], "gap": "1h", "within": "7d"}`,
		`{"not_followed": {"first": "checkout", "then": {"event": "Order Completed"}}, "after": "any", "gap": "1d", "within": "30d"}`,
		`{"not_followed": {"first": "add_to_cart", "then": "purchase"}, "after": "each"}`,
		`{"any": [{"last_seen": {"more_than": "30d"}}, {"first_seen": {"within": "12h"}}, {"last": "purchase", "more_than": "90d"}]}`,
		`{"rate": {"of": "email_open", "per": "email_sent"}, "at_least": 0.3, "at_most": 0.9, "within": "90d", "min_base": 5}`,
		`{"all": [{"state": "browsers"}, {"states": ["a", "b"]}, {"propensity": "convert", "at_least": 0.25}]}`,
		`{"person": {"events": {"gte": 100}, "last_event": "purchase", "traits.country": {"in": ["BE", "FR"]}, "traits.vip": true}}`,
		`{"all": [{"people": ["u1", "u2"]}, {"not": {"people": ["u3"]}}]}`,
		`{"all": [{"cluster": {"index": 2}}, {"not": {"cluster": {"index": 0, "model": 3, "scope": "shop:"}}}]}`,
		`{"did": {"event": "Order Completed", "where": {"channel": "email", "value": {"gt": 10}, "props.plan": {"prefix": "pro"}}}, "ago": {"from": "90d", "to": "30d"}}`,
		`{"did": {"events": ["a", "b"], "where": {"campaign": {"in": ["spring", "summer"]}}}}`,
		`{"count": {"step": "*", "where": {"device": {"ne": "mobile"}}}, "max": 4, "same": "url", "within": "1d12h"}`,
		`{"all": [{"did": "purchase"}, {"not": {"any": [{"did": "unsubscribe"}, {"did_not": "*", "within": "30d"}]}}]}`,
		`{"any": [{"did": "a"}, {"all": [{"did": "b"}, {"not": {"did": "c"}}]}]}`,
	}
	for _, s := range segment.BuiltInSegments() {
		w, _ := json.Marshal(s.Where)
		wheres = append(wheres, string(w))
	}
	for _, where := range wheres {
		want, err := journeys.ParseSegment([]byte(`{"name": "x", "where": ` + where + `}`))
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		def, _ := json.Marshal(map[string]any{"name": "x", "where": json.RawMessage(where)})
		var n int
		f.do("load "+where,
			chromedp.Navigate(f.base+"/app/segments/new"), chromedp.WaitVisible(`#builder[data-vocabulary-ready]`),
			chromedp.SetValue(`#definition`, string(def)),
			chromedp.Evaluate(`document.getElementById("definition").dispatchEvent(new Event("input")); document.querySelectorAll("#b > .b-row, #b > fieldset").length`, &n))
		f.do("add a condition and remove it",
			chromedp.Click(`#b-add`), chromedp.WaitVisible(fmt.Sprintf(`#b-%d-rm`, n)),
			chromedp.Click(fmt.Sprintf(`#b-%d-rm`, n)), chromedp.WaitNotPresent(fmt.Sprintf(`#b-%d`, n)))
		var text string
		var raw int
		f.do("read back", chromedp.Value(`#definition`, &text), chromedp.Evaluate(`document.querySelectorAll("#builder .b-raw").length`, &raw))
		got, err := journeys.ParseSegment([]byte(text))
		if err != nil {
			t.Errorf("%s: the builder wrote %s: %v", where, text, err)
			continue
		}
		g, _ := json.Marshal(got.Where)
		w, _ := json.Marshal(want.Where)
		if string(g) != string(w) || raw != 0 {
			t.Errorf("round trip (%d nodes kept as JSON):\n got  %s\n want %s", raw, g, w)
		}
	}
}

// storedPropensity is a propensity report store holding one validated
// P(convert) model.
type storedPropensity struct{}

func (storedPropensity) Current(_ context.Context, target, _ string) (*propensity.Report, error) {
	if target != propensity.TargetConvert {
		return nil, journeys.Errorf(journeys.ENOTFOUND, "no %s model", target)
	}
	return &propensity.Report{Target: target, Horizon: "30d", Winner: "model", Written: 40, Version: 3,
		Model: propensity.Validation{Thresholds: []logit.Threshold{{Threshold: 0.5, Precision: 0.45, Recall: 0.7}, {Threshold: 0.7, Precision: 0.6, Recall: 0.4}}}}, nil
}

// TestBrowserSegmentBuilderPropensityExpectation: a propensity condition
// typed into the editor shows, under the live count, the precision and
// recall its threshold can be expected to give, from the stored
// validation of the score people hold.
func TestBrowserSegmentBuilderPropensityExpectation(t *testing.T) {
	f := newBuilderFixture(t, web.WithPropensity(storedPropensity{}))
	f.signIn()
	def, _ := json.Marshal(map[string]any{"name": f.run + "likely", "where": map[string]any{"all": []any{
		map[string]any{"did": "product_view"}, map[string]any{"propensity": "convert", "at_least": 0.75}}}})
	want := "P(convert) ≥ 0.75: expected precision 60%, recall 40% (validated out of time at 0.7 over 30d, model v3)."
	var got string
	f.do("propensity condition",
		chromedp.Clear(`#definition`), chromedp.SendKeys(`#definition`, string(def)),
		chromedp.Poll(`document.getElementById("builder-propensity").textContent !== ""`, nil, chromedp.WithPollingTimeout(60*time.Second)),
		chromedp.Text(`#builder-propensity`, &got))
	if got != want {
		t.Errorf("expectation shown %q, want %q", got, want)
	}
}
