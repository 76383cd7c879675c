package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"gonum.org/v1/gonum/mat"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/journeys/profile"
	"github.com/journeygraph/journeygraph/journeys/segment"
	"github.com/journeygraph/journeygraph/markov"
	"github.com/journeygraph/journeygraph/web"
)

// TestBrowserClusters: the clusters page of a stored clustering shows the
// silhouette and Calinski–Harabasz curves, the projection of its people
// and the profiles with the small cluster flagged; an admin names the
// buyers' cluster (the name shows in the table) and saves it as a segment,
// which opens with the buyers as members and reads with the name.
func TestBrowserClusters(t *testing.T) {
	store := graphtest.Open(t)
	ctx := browser(t)
	run := graphtest.RunID(t)
	asOf := time.Date(2032, 4, 1, 12, 0, 0, 0, time.UTC)
	at := func(days float64) time.Time { return asOf.Add(-time.Duration(days * float64(24*time.Hour))) }
	var events []journeys.Event
	add := func(person, name string, tm time.Time, value float64) {
		events = append(events, journeys.Event{ID: journeys.EventID(person, name, tm, nil), Type: journeys.TypeTrack,
			Person: person, Name: name, Time: tm, Value: value, Channel: "web"})
	}
	for i := range 30 { // recent buyers
		p := fmt.Sprintf("%sb%02d", run, i)
		for k := range 3 + i%3 {
			d := 1 + float64(k) + float64(i%4)/10
			add(p, "product_view", at(d), 0)
			add(p, "add_to_cart", at(d-0.01), 0)
			add(p, "purchase", at(d-0.02), 30+float64(i))
		}
	}
	for i := range 30 { // lapsed browsers
		add(fmt.Sprintf("%sl%02d", run, i), "page_view", at(150+float64(i)), 0)
	}
	for i := range 6 { // a few heavy cart builders: too few to act on
		p := fmt.Sprintf("%sc%02d", run, i)
		for k := range 20 {
			add(p, "add_to_cart", at(0.5+float64(k)/3), 0)
			add(p, "checkout", at(0.49+float64(k)/3), 0)
		}
	}
	if _, err := (&ingest.Ingester{Store: store, Rules: journeys.DefaultStepRules()}).Ingest(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	prof := &profile.Profiler{Touches: store, Models: store}
	t.Cleanup(func() { _ = store.DeleteModels(context.Background(), run) })
	d, err := prof.Discover(context.Background(), profile.Query{AsOf: asOf, KMin: 2, KMax: 4, Seed: 1, PersonPrefix: run, MinSize: 20, Save: true})
	if err != nil {
		t.Fatal(err)
	}
	if d.K != 3 {
		t.Fatalf("k = %d, want the 3 planted groups", d.K)
	}
	buyers := -1
	for i, id := range d.IDs {
		if id == run+"b00" {
			buyers = d.Labels[i]
		}
	}
	sg := &segment.Segmenter{Store: scopedStore{store, run}, Clusters: prof, Now: func() time.Time { return asOf }}
	base := appServer(t, store, web.WithSegments(sg, store), web.WithClusters(prof))
	segName := run + "buyers"
	t.Cleanup(func() { _ = store.DeleteSegment(context.Background(), segName) })
	run1 := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	page := base + "/app/clusters?person_prefix=" + url.QueryEscape(run)
	var curves, dots, small, rows int
	var note string
	run1("sign in and open the page",
		chromedp.Navigate(page), chromedp.WaitVisible(`input[name=password]`),
		chromedp.SendKeys(`input[name=password]`, "s3cret"), chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`#clusters-table`),
		chromedp.Evaluate(`document.querySelectorAll('#curves svg.curve').length`, &curves),
		chromedp.Evaluate(`document.querySelectorAll('#projection svg.scatter circle.pt').length`, &dots),
		chromedp.Evaluate(`document.querySelectorAll('#clusters-table .cluster-small').length`, &small),
		chromedp.Evaluate(`document.querySelectorAll('#clusters-table tbody tr').length`, &rows),
		chromedp.Text(`#projection-note`, &note))
	if curves != 2 || dots != 66 || small != 1 || rows != 3 {
		t.Errorf("page: %d curves, %d dots, %d small clusters, %d rows; want 2, 66, 1, 3", curves, dots, small, rows)
	}
	if !strings.Contains(note, "66 of 66 people") {
		t.Errorf("projection note %q", note)
	}
	screenshot(t, ctx, "clusters")
	row := fmt.Sprintf(`#clusters-table tr[data-index="%d"]`, buyers)
	var name string
	run1("rename the buyers' cluster",
		chromedp.SetValue(row+` input[name=name]`, "loyal buyers"), chromedp.Submit(row+` input[name=name]`),
		chromedp.WaitVisible(`#clusters-table`), chromedp.Text(row+` .cluster-name`, &name))
	if name != "loyal buyers" {
		t.Errorf("name after rename %q", name)
	}
	var members, reading string
	run1("save it as a segment",
		chromedp.SetValue(row+` input[name=segment]`, segName), chromedp.Click(row+` button.save-segment`),
		chromedp.WaitVisible(`#seg-members`), chromedp.Text(`#seg-members`, &members),
		chromedp.Click(`#preview`), chromedp.WaitVisible(`#preview-reading`), chromedp.Text(`#preview-reading`, &reading))
	if members != "30" {
		t.Errorf("segment members %q, want the 30 buyers", members)
	}
	if !strings.Contains(reading, `"loyal buyers"`) {
		t.Errorf("reading %q, want the cluster's name", reading)
	}
}

// TestBrowserClustersHiddenStates: a clustering fitted while the people
// have a hidden-state model says so on the page, with the model's version,
// and reads its state features in words: two groups whose events differ
// only in order (a purchase after a product view, or before it) are set
// apart by the state they are likely in.
func TestBrowserClustersHiddenStates(t *testing.T) {
	store := graphtest.Open(t)
	ctx := browser(t)
	run := graphtest.RunID(t)
	asOf := time.Date(2032, 5, 1, 12, 0, 0, 0, time.UTC)
	var events []journeys.Event
	add := func(person, name string, days float64) {
		tm := asOf.Add(-time.Duration(days * float64(24*time.Hour)))
		events = append(events, journeys.Event{ID: journeys.EventID(person, name, tm, nil), Type: journeys.TypeTrack,
			Person: person, Name: name, Time: tm, Channel: "web"})
	}
	for i := range 20 {
		buyer, looker := fmt.Sprintf("%sb%02d", run, i), fmt.Sprintf("%sl%02d", run, i)
		add(buyer, "product_view", 2)
		add(buyer, "purchase", 1)
		add(looker, "purchase", 2)
		add(looker, "product_view", 1)
	}
	if _, err := (&ingest.Ingester{Store: store, Rules: journeys.DefaultStepRules()}).Ingest(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.DeleteModels(context.Background(), run) })
	// A hidden-state model whose states each emit one step: a person is
	// ready to buy after a purchase, browsing after a product view.
	h, err := markov.NewHMM([]float64{0.5, 0.5}, mat.NewDense(2, 2, []float64{0.7, 0.3, 0.2, 0.8}), mat.NewDense(2, 2, []float64{1, 0, 0, 1}))
	if err != nil {
		t.Fatal(err)
	}
	h.SymbolNames, h.StateNames = []string{"product_view", "purchase"}, []string{"browsing", "ready to buy"}
	hj, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	hmm, err := store.CreateModel(context.Background(), journeys.ModelRecord{Kind: journeys.ModelKindHMM, Scope: run, HMM: string(hj), Meta: `{"query": {}}`,
		States: []journeys.StateRecord{{Index: 0, Label: "browsing"}, {Index: 1, Label: "ready to buy"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.FinishModel(context.Background(), journeys.ModelKindHMM, run, hmm, []int{20, 20}); err != nil {
		t.Fatal(err)
	}
	prof := &profile.Profiler{Touches: store, Models: store}
	d, err := prof.Discover(context.Background(), profile.Query{AsOf: asOf, KMin: 2, KMax: 2, Seed: 1, PersonPrefix: run, MinSize: 1, Save: true})
	if err != nil {
		t.Fatal(err)
	}
	if !d.HMMFeatures || d.HMMVersion != hmm {
		t.Fatalf("discovery: hidden-state features %v of model %d, want model %d's", d.HMMFeatures, d.HMMVersion, hmm)
	}
	buyers := d.Labels[slices.Index(d.IDs, run+"b00")]
	base := appServer(t, store, web.WithClusters(prof))
	var note, apart, label string
	row := fmt.Sprintf(`#clusters-table tr[data-index="%d"]`, buyers)
	if err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/app/clusters?person_prefix="+url.QueryEscape(run)), chromedp.WaitVisible(`input[name=password]`),
		chromedp.SendKeys(`input[name=password]`, "s3cret"), chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`#clusters-table`),
		chromedp.Evaluate(textOf(`#hmm-features`), &note), chromedp.Evaluate(textOf(row+` .cluster-apart`), &apart),
		chromedp.Evaluate(textOf(row+` .cluster-label`), &label)); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("hidden-state model v%d", hmm); !strings.Contains(note, want) {
		t.Errorf("note %q, want it to name %s", note, want)
	}
	if !strings.Contains(apart, "likely in state ready_to_buy") || strings.Contains(apart, "hmm_p_state") {
		t.Errorf("the buyers' cluster is set apart by %q, want it read as likely in state ready_to_buy", apart)
	}
	if !strings.Contains(label, "likely in state ready_to_buy") {
		t.Errorf("label %q", label)
	}
	screenshot(t, ctx, "clusters-hidden-states")

	// The hidden-state model deleted, the clustering can no longer place
	// people: the page says so where the projection was, and still shows
	// the saved profiles.
	if err := store.DeleteModel(context.Background(), journeys.ModelKindHMM, run, hmm); err != nil {
		t.Fatal(err)
	}
	var off string
	var rows int
	if err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/app/clusters?person_prefix="+url.QueryEscape(run)), chromedp.WaitVisible(`#clusters-table`),
		chromedp.Evaluate(textOf(`#projection-off`), &off),
		chromedp.Evaluate(`document.querySelectorAll("#clusters-table tbody tr").length`, &rows)); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("hidden-state model %d, which no longer exists", hmm); !strings.Contains(off, want) {
		t.Errorf("projection notice %q, want it to say %q", off, want)
	}
	if rows != 2 {
		t.Errorf("%d profile rows after the model was deleted, want the 2 saved", rows)
	}
}

// textOf is a script answering the text of the first element sel selects,
// "" when there is none (where chromedp.Text would wait for one).
func textOf(sel string) string {
	return fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, sel)
}
