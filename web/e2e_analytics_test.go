package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/journeys/report"
	"github.com/journeygraph/journeygraph/journeys/segment"
	"github.com/journeygraph/journeygraph/web"
)

// loadTaobao ingests the Taobao excerpt with every person and event id
// prefixed by run, deleted (with the run's models) when the test ends.
func loadTaobao(t *testing.T, store *graph.Store, run string) {
	t.Helper()
	events := graphtest.DemoEvents(t, "taobao_200users.csv.gz", "taobao", run)
	t.Cleanup(func() { _ = store.DeleteModels(context.Background(), run) })
	if _, err := (&ingest.Ingester{Store: store, Rules: journeys.DefaultStepRules()}).Ingest(context.Background(), events); err != nil {
		t.Fatalf("ingest: %v", err)
	}
}

// texts returns the text of every element matching a CSS selector.
func texts(ctx context.Context, sel string) ([]string, error) {
	var out []string
	err := chromedp.Run(ctx, chromedp.Evaluate(fmt.Sprintf(`[...document.querySelectorAll(%q)].map(e => e.textContent.trim())`, sel), &out))
	return out, err
}

func TestBrowserAnalyticsPages(t *testing.T) {
	store := graphtest.Open(t)
	ctx := browser(t)
	run := graphtest.RunID(t)
	loadTaobao(t, store, run)
	bg := context.Background()
	scope := journeys.Filter{PersonPrefix: run}
	analyst := &report.Analytics{Store: store, Rules: journeys.DefaultStepRules()}
	chains := &chain.Chains{Store: store}
	hs := &chain.HiddenStates{Touches: store, Models: store, People: store}
	model, err := hs.Fit(bg, journeys.ModelQuery{Filter: scope, States: 3, Seed: 7, Restarts: 1, MaxIter: 20})
	if err != nil {
		t.Fatalf("fit: %v", err)
	}
	segName := strings.TrimSuffix(run, "-") + ".map_node"
	t.Cleanup(func() { _ = store.DeleteSegment(context.Background(), segName) })
	base := appServer(t, store, web.WithModels(chains, hs), web.WithSegments(&segment.Segmenter{Store: store}, store),
		func(s *web.Server) { s.SetAnalyst(analyst) })
	pp := "person_prefix=" + url.QueryEscape(run)

	// Journey map: sign in on the way, then the people drawn are the path report's.
	var people string
	err = chromedp.Run(ctx,
		chromedp.Navigate(base+"/app/map?"+pp+"&step=product_view&depth=3"),
		chromedp.WaitVisible(`input[name=password]`),
		chromedp.SendKeys(`input[name=password]`, "s3cret"), chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`svg.sankey`), chromedp.Text(`#map-people`, &people))
	if err != nil {
		t.Fatal(err)
	}
	paths, err := analyst.Paths(bg, report.PathQuery{Start: "product_view", Depth: 3, Limit: 200, Filter: scope})
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%d", paths.People); strings.ReplaceAll(people, ",", "") != want || paths.People == 0 {
		t.Errorf("journey map people = %s, want %s", people, want)
	}
	nodes, err := texts(ctx, `svg.sankey rect.node[data-col="0"] title`)
	if err != nil || len(nodes) != 1 || !strings.HasPrefix(nodes[0], fmt.Sprintf("product_view: %s people (100.0%%)", commas(paths.People))) {
		t.Errorf("first column = %q (%v), want product_view with every person", nodes, err)
	}
	screenshot(t, ctx, "journeymap")
	// A node lists the paths through it, and the people behind it: as many
	// as the node counts (plus any on rarer paths the map leaves out), the
	// first page linked to their person pages.
	const node = `svg.sankey a.node-link rect[data-col="1"]`
	var nodeStep, nodeCount, total string
	var listed []string
	err = chromedp.Run(ctx, chromedp.AttributeValue(node, "data-step", &nodeStep, nil), chromedp.AttributeValue(node, "data-people", &nodeCount, nil),
		chromedp.Click(node), chromedp.WaitVisible(`#through table`), chromedp.WaitVisible(`#node-people`), chromedp.Text(`#node-total`, &total))
	if err != nil {
		t.Fatalf("open a node: %v", err)
	}
	np, err := analyst.NodePeople(bg, report.NodeQuery{Path: report.PathQuery{Start: "product_view", Depth: 3, Limit: 200, Filter: scope},
		Column: 1, Step: nodeStep, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if listed, err = texts(ctx, `#node-people-list a[href^="/app/people/"]`); err != nil {
		t.Fatal(err)
	}
	if total != commas(np.Total) || nodeCount != fmt.Sprint(np.Drawn) || np.Total == 0 || strings.Join(listed, " ") != strings.Join(np.People, " ") {
		t.Errorf("node %s: %s people listed (node %s, %d shown), want %d (node %d, %d shown)", nodeStep, total, nodeCount, len(listed), np.Total, np.Drawn, len(np.People))
	}
	screenshot(t, ctx, "journeymap-node")
	// Saved as a segment: its page counts as many members as were listed.
	var members string
	err = chromedp.Run(ctx, chromedp.SetValue(`#save-segment input[name=name]`, segName), chromedp.Click(`#save-people`),
		chromedp.WaitVisible(`#seg-members`), chromedp.Text(`#seg-members`, &members))
	if err != nil || members != total {
		t.Errorf("segment saved from the node has %q members (%v), want %s", members, err, total)
	}
	if seg, err := store.Segment(bg, segName); err != nil || seg.Members != np.Total || len(seg.Where.People) != np.Total {
		t.Errorf("stored segment %s: %d members, %d ids (%v), want %d", segName, seg.Members, len(seg.Where.People), err, np.Total)
	}
	screenshot(t, ctx, "segment-from-map")

	// Funnel builder: the numbers shown are the service's for the same funnel.
	err = chromedp.Run(ctx,
		chromedp.Navigate(base+"/app/funnels?"+pp),
		chromedp.WaitVisible(`input[name=steps]`),
		chromedp.SendKeys(`input[name=steps]`, "product_view, add_to_cart, purchase"),
		chromedp.SetValue(`select[name=order]`, "ordered"),
		chromedp.Submit(`input[name=steps]`),
		chromedp.WaitVisible(`#funnel-table`))
	if err != nil {
		t.Fatal(err)
	}
	fn := report.Funnel{Steps: []report.FunnelStep{{Step: "product_view"}, {Step: "add_to_cart"}, {Step: "purchase"}}, Order: "ordered", Filter: scope}
	rep, err := analyst.Funnel(bg, fn)
	if err != nil {
		t.Fatal(err)
	}
	for _, col := range []struct {
		sel  string
		want func(s report.FunnelStepReport) string
	}{
		{"td.people", func(s report.FunnelStepReport) string { return commas(s.People) }},
		{"td.dropoff", func(s report.FunnelStepReport) string { return commas(s.DropOff) }},
		{"td.fromprev", func(s report.FunnelStepReport) string { return fmt.Sprintf("%.1f%%", s.FromPrevious*100) }},
		{"td.fromfirst", func(s report.FunnelStepReport) string { return fmt.Sprintf("%.1f%%", s.FromFirst*100) }},
	} {
		got, err := texts(ctx, "#funnel-table "+col.sel)
		var want []string
		for _, s := range rep.Steps {
			want = append(want, col.want(s))
		}
		if err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("funnel %s = %q (%v), want %q", col.sel, got, err, want)
		}
	}
	if rep.Steps[1].DropOff == 0 || rep.Steps[2].TimeToConvert == nil {
		t.Fatalf("funnel report too thin to test: %+v", rep.Steps)
	}
	var dropped string
	err = chromedp.Run(ctx, chromedp.Click(`a.dropped-link`), chromedp.WaitVisible(`#dropped`), chromedp.Text(`#dropped h2`, &dropped))
	if want := fmt.Sprintf("Dropped before add_to_cart: %s people", commas(rep.Steps[1].DropOff)); err != nil || dropped != want {
		t.Errorf("dropped list heading %q (%v), want %q", dropped, err, want)
	}
	screenshot(t, ctx, "funnels")

	// Friction.
	fr, err := chains.Friction(bg, chain.FrictionQuery{Filter: scope, Edges: 10})
	if err != nil {
		t.Fatal(err)
	}
	var frPeople string
	err = chromedp.Run(ctx, chromedp.Navigate(base+"/app/friction?"+pp), chromedp.WaitVisible(`#friction-steps`), chromedp.Text(`#fr-people`, &frPeople))
	if err != nil || frPeople != commas(fr.People) {
		t.Errorf("friction people %q (%v), want %d", frPeople, err, fr.People)
	}
	if rows, err := texts(ctx, `#friction-steps tbody tr td:first-child`); err != nil || len(rows) != len(fr.Steps) || rows[0] != fr.Steps[0].Step {
		t.Errorf("friction steps %q (%v), want %d starting with %s", rows, err, len(fr.Steps), fr.Steps[0].Step)
	}
	if links, err := texts(ctx, `#improbable a[href^="/app/people/"]`); err != nil || len(links) != len(fr.Improbable) {
		t.Errorf("improbable journeys linked: %d (%v), want %d", len(links), err, len(fr.Improbable))
	}
	screenshot(t, ctx, "friction")

	// The friction page's link draws the map with the losing transitions
	// marked: every marked band is one of the report's losing edges.
	losing := map[string]bool{}
	for _, e := range fr.Edges {
		if e.Lost > 0 {
			losing[e.From+" → "+e.To] = true
		}
	}
	var marked []string
	err = chromedp.Run(ctx, chromedp.Click(`#friction-map`, chromedp.ByQuery), chromedp.WaitVisible(`svg.sankey`),
		chromedp.Evaluate(`[...document.querySelectorAll("svg.sankey path.band.friction")].map(p => p.dataset.from + " → " + p.dataset.to)`, &marked))
	if err != nil || len(marked) == 0 {
		t.Fatalf("map with friction marked %d bands (%v), want some", len(marked), err)
	}
	for _, m := range marked {
		if !losing[m] {
			t.Errorf("band %s is marked but is not a losing edge of the friction report", m)
		}
	}
	screenshot(t, ctx, "journeymap-friction")

	// Attribution: the step table's Markov credits are the service's.
	at, err := chains.Attribution(bg, chain.AttributionQuery{Filter: scope, By: journeys.ByStep})
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Run(ctx, chromedp.Navigate(base+"/app/attribution?"+pp), chromedp.WaitVisible(`#attr-step`))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, tc := range at.Touches {
		want = append(want, fmt.Sprintf("%.2f", tc.Markov.Conversions))
	}
	if got, err := texts(ctx, `#attr-step td.markov-conv`); err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("step attribution %q (%v), want %q", got, err, want)
	}
	screenshot(t, ctx, "attribution")

	// Hidden states: sizes as fitted; a state renamed through the form.
	err = chromedp.Run(ctx, chromedp.Navigate(base+"/app/states?"+pp), chromedp.WaitVisible(`#states-table`))
	if err != nil {
		t.Fatal(err)
	}
	want = nil
	for _, s := range model.States {
		want = append(want, commas(s.Size))
	}
	if got, err := texts(ctx, `#states-table td.state-size`); err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("state sizes %q (%v), want %q", got, err, want)
	}
	if circles, err := texts(ctx, `svg.states circle.state title`); err != nil || len(circles) != len(model.States) {
		t.Errorf("state circles %d (%v), want %d", len(circles), err, len(model.States))
	}
	err = chromedp.Run(ctx,
		chromedp.SetValue(`#states-table tbody tr:first-child input[name=label]`, "browsers <b>"),
		chromedp.Submit(`#states-table tbody tr:first-child input[name=label]`),
		chromedp.WaitVisible(`#states-table`))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := texts(ctx, `#states-table td.state-label`); err != nil || len(got) == 0 || got[0] != "browsers <b>" {
		t.Errorf("labels after rename %q (%v)", got, err)
	}
	if cur, err := hs.Current(bg, run); err != nil || cur.States[0].Label != "browsers <b>" {
		t.Errorf("stored label after rename: %v", err)
	}
	screenshot(t, ctx, "states")

	// A person's page shows their decoded state, as stored.
	summary, err := hs.Person(bg, run+"1")
	if err != nil || summary.Model.State == nil {
		t.Fatalf("stored model of %s1: %+v (%v)", run, summary.Model, err)
	}
	var state string
	err = chromedp.Run(ctx, chromedp.Navigate(base+"/app/people/"+url.PathEscape(run+"1")),
		chromedp.WaitVisible(`#person-state`), chromedp.Text(`#person-state`, &state))
	if err != nil || state != *summary.Model.State {
		t.Errorf("person page state = %q (%v), want %q", state, err, *summary.Model.State)
	}

	// Phone width: the pages do not scroll sideways (wide tables and the
	// map scroll inside their cards).
	err = chromedp.Run(ctx, chromedp.EmulateViewport(390, 844))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/app/map?step=product_view&depth=4&", "/app/funnels?steps=product_view,add_to_cart,purchase&", "/app/friction?", "/app/attribution?", "/app/states?"} {
		var width int
		err := chromedp.Run(ctx, chromedp.Navigate(base+p+pp), chromedp.WaitVisible(`main`),
			chromedp.Evaluate(`document.documentElement.scrollWidth`, &width))
		if err != nil || width > 390 {
			t.Errorf("%s at 390px: page %dpx wide (%v)", p, width, err)
		}
	}
	screenshot(t, ctx, "states-phone")
}

// commas writes n as the pages do (1,234).
func commas(n int) string {
	s := fmt.Sprintf("%d", n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
