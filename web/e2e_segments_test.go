package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/journeys/segment"
	"github.com/journeygraph/journeygraph/journeys/webhook"
	"github.com/journeygraph/journeygraph/web"
)

// scopedStore evaluates segments only for the people under one id prefix,
// so a test's saves and previews never touch other tests' membership in
// the shared database.
type scopedStore struct {
	*graph.Store
	prefix string
}

func (s scopedStore) EvaluateSegment(ctx context.Context, p journeys.Pred, scope journeys.SegmentScope) ([]string, error) {
	scope.Prefix = s.prefix
	return s.Store.EvaluateSegment(ctx, p, scope)
}

func (s scopedStore) SegmentMembers(ctx context.Context, name string, scope journeys.SegmentScope) ([]string, error) {
	scope.Prefix = s.prefix
	return s.Store.SegmentMembers(ctx, name, scope)
}

// received is one request a webhook receiver got.
type received struct {
	header http.Header
	body   []byte
}

// awaitFetch makes chromedp.Evaluate wait for a promise.
func awaitFetch(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }

func TestBrowserSegmentsAndWebhooks(t *testing.T) {
	store := graphtest.Open(t)
	ctx := browser(t)
	run := graphtest.RunID(t)
	name := run + "abandoners"
	asOf := time.Date(2031, 3, 10, 12, 0, 0, 0, time.UTC)
	t.Cleanup(func() { _ = store.DeleteSegment(context.Background(), name) })

	// Two cart abandoners and a buyer, as of asOf.
	plant := map[string][]string{
		"abandoner-1": {"product_view", "add_to_cart"},
		"abandoner-2": {"add_to_cart", "checkout"},
		"buyer":       {"add_to_cart", "checkout", "purchase"},
	}
	var events []journeys.Event
	for who, names := range plant {
		for i, n := range names {
			tm := asOf.Add(-48*time.Hour + time.Duration(i)*time.Minute)
			events = append(events, journeys.Event{ID: journeys.EventID(run+who, n, tm, nil), Type: journeys.TypeTrack,
				Person: run + who, Name: n, Time: tm, Product: "sku-1"})
		}
	}
	// One abandoner told us who they are: the CSV export carries it.
	idAt, traits := asOf.Add(-72*time.Hour), map[string]any{"email": "a1@example.com", "firstName": "Ann"}
	events = append(events, journeys.Event{ID: journeys.EventID(run+"abandoner-1", journeys.NameIdentify, idAt, traits),
		Type: journeys.TypeIdentify, Person: run + "abandoner-1", Name: journeys.NameIdentify, Time: idAt, Properties: traits})
	if _, err := (&ingest.Ingester{Store: store, Rules: journeys.DefaultStepRules()}).Ingest(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	sg := &segment.Segmenter{Store: scopedStore{store, run}, Now: func() time.Time { return asOf }}
	// Only its Send is used; the receiver is on loopback, which webhooks
	// reach only when allowed.
	disp := &webhook.Dispatcher{Store: store, Prefix: run, Allow: webhook.AllowList{Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}}
	base := appServer(t, store, web.WithSegments(sg, store), web.WithWebhooks(store, disp))

	// Sign in on the way to the segments page.
	var body string
	run1 := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	run1("sign in",
		chromedp.Navigate(base+"/app/segments"), chromedp.WaitVisible(`input[name=password]`),
		chromedp.SendKeys(`input[name=password]`, "s3cret"), chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`#new-segment`))

	// A bad definition: the message names the JSON path of the bad node.
	bad := `{"name": "` + name + `", "where": {"all": [{"did": "add_to_cart"}, {"did_not": "purchase", "within": "7x"}]}}`
	run1("bad preview",
		chromedp.Click(`#new-segment`), chromedp.WaitVisible(`textarea[name=definition]`),
		chromedp.SetValue(`textarea[name=definition]`, bad), chromedp.Click(`#preview`),
		chromedp.WaitVisible(`#editor-error`), chromedp.Text(`#editor-error`, &body))
	if !strings.Contains(body, `where.all[1].within: "7x" is not a duration`) {
		t.Errorf("editor error = %q, want the path-named problem", body)
	}
	screenshot(t, ctx, "segment-invalid")

	// A good one: preview (count, sample, min-size warning), then save.
	good := `{"name": "` + name + `", "min_size": 5,
  "where": {"not_followed": {"first": "add_to_cart", "then": "purchase"}, "within": "7d", "after": "last"}}`
	var count, warning, sample string
	run1("good preview",
		chromedp.SetValue(`textarea[name=definition]`, good), chromedp.Click(`#preview`),
		chromedp.WaitVisible(`#preview-result`), chromedp.Text(`#preview-count`, &count),
		chromedp.Text(`#preview-warning`, &warning), chromedp.Text(`#preview-result .sample`, &sample))
	if count != "2" || !strings.Contains(warning, "below the minimum size 5") ||
		!strings.Contains(sample, run+"abandoner-1") || !strings.Contains(sample, run+"abandoner-2") || strings.Contains(sample, run+"buyer") {
		t.Errorf("preview: count %q, warning %q, sample %q", count, warning, sample)
	}
	screenshot(t, ctx, "segment-preview")
	var members, history string
	run1("save",
		chromedp.Click(`#save`), chromedp.WaitVisible(`#saved`),
		chromedp.Text(`#seg-members`, &count), chromedp.Text(`#members table`, &members), chromedp.Text(`#history-table`, &history))
	if count != "2" || !strings.Contains(members, run+"abandoner-2") || strings.Contains(members, run+"buyer") ||
		strings.Count(history, "entered") != 2 {
		t.Errorf("saved segment: members %q:\n%s\nhistory:\n%s", count, members, history)
	}
	screenshot(t, ctx, "segment")

	// The CSV export, fetched inside the signed-in browser.
	var csv string
	run1("csv", chromedp.Evaluate(`fetch(document.querySelector("#csv").href).then(r => r.text())`, &csv, awaitFetch))
	rows := strings.Split(strings.TrimSpace(csv), "\n")
	if len(rows) != 3 || rows[0] != "id,email,first_name,last_name,name,entered_at,version" ||
		!strings.HasPrefix(rows[1], run+"abandoner-1,a1@example.com,Ann,,,") ||
		!strings.HasPrefix(rows[2], run+"abandoner-2,") {
		t.Errorf("csv export:\n%s", csv)
	}

	// At phone width the page does not scroll sideways.
	var scrollW int
	run1("phone", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(`#members`),
		chromedp.Evaluate(`document.documentElement.scrollWidth`, &scrollW))
	if scrollW > 390 {
		t.Errorf("segment page at 390px is %dpx wide", scrollW)
	}
	screenshot(t, ctx, "segment-phone")
	run1("desktop", chromedp.EmulateViewport(1280, 900))

	// The list shows it with its size; the person page shows their segments.
	run1("list", chromedp.Navigate(base+"/app/segments"), chromedp.WaitVisible(`#custom-segments`),
		chromedp.Text(`#custom-segments`, &body))
	if !strings.Contains(body, name) {
		t.Errorf("segments list lacks %s:\n%s", name, body)
	}
	screenshot(t, ctx, "segments")
	run1("person", chromedp.Navigate(base+"/app/people/"+run+"abandoner-1"), chromedp.WaitVisible(`#person-segments`),
		chromedp.Text(`#person-segments`, &body))
	if !strings.Contains(body, name) {
		t.Errorf("person page segments = %q, want %s", body, name)
	}
	screenshot(t, ctx, "person-segments")

	// A webhook to a loopback receiver, and a signed test delivery.
	got := make(chan received, 4)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- received{r.Header.Clone(), b}
	}))
	t.Cleanup(recv.Close)
	var secret, hookID string
	run1("register webhook",
		chromedp.Navigate(base+"/app/webhooks"), chromedp.WaitVisible(`#register`),
		chromedp.SetValue(`input[name=url]`, recv.URL+"/hook"), chromedp.SetValue(`select[name=segment]`, name),
		chromedp.Click(`#register-hook`), chromedp.WaitVisible(`#secret`),
		chromedp.Text(`#secret`, &secret), chromedp.Text(`#created-id`, &hookID))
	if secret == "" || hookID == "" {
		t.Fatalf("no secret (%q) or id (%q) shown", secret, hookID)
	}
	t.Cleanup(func() { _ = store.DeleteWebhook(context.Background(), hookID) })
	hook := `#hook-` + hookID
	run1("send test", chromedp.Click(hook+` .send-test`), chromedp.WaitVisible(`#hook-notice`),
		chromedp.Text(hook+` table.deliveries`, &body))
	select {
	case r := <-got:
		if err := webhook.VerifySignature(secret, r.header.Get(webhook.HeaderSignature), r.header.Get(webhook.HeaderTimestamp),
			r.body, time.Now(), 0); err != nil {
			t.Errorf("test delivery signature: %v", err)
		}
		if r.header.Get(webhook.HeaderEventType) != "test" {
			t.Errorf("event type %q, want test", r.header.Get(webhook.HeaderEventType))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the receiver got no test delivery")
	}
	if !strings.Contains(body, "test") || !strings.Contains(body, "delivered") || !strings.Contains(body, "200") {
		t.Errorf("delivery log lacks the test send:\n%s", body)
	}
	// The test send is in the stored log: a fresh page shows it.
	run1("reload webhooks", chromedp.Navigate(base+"/app/webhooks"), chromedp.WaitVisible(hook),
		chromedp.Text(hook+` table.deliveries`, &body))
	if !strings.Contains(body, "test") || !strings.Contains(body, "delivered") {
		t.Errorf("reloaded delivery log lacks the test send:\n%s", body)
	}
	screenshot(t, ctx, "webhooks")
	run1("webhooks at phone width", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/app/webhooks"),
		chromedp.WaitVisible(hook), chromedp.Evaluate(`document.documentElement.scrollWidth`, &scrollW))
	if scrollW > 390 {
		t.Errorf("webhooks page at 390px is %dpx wide", scrollW)
	}
	screenshot(t, ctx, "webhooks-phone")
}

// TestSegmentPagesUnconfigured checks the pages answer with a message, not
// an error, when segments and webhooks are not served.
func TestSegmentPagesUnconfigured(t *testing.T) {
	srv := web.New(web.Config{}, nil, nil, nil, web.WithApp(web.AppConfig{Passwords: []string{"pw"}}, nil))
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	if _, err := client.PostForm(ts.URL+"/login", url.Values{"password": {"pw"}, "next": {"/app/segments"}}); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/app/segments":               "Segments are not configured",
		"/app/segments/new":           "Segments are not configured",
		"/app/segments/x":             "Segments are not configured",
		"/app/segments/x/members.csv": "Segments are not configured",
		"/app/webhooks":               "Webhooks are not configured",
	} {
		resp, err := client.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), want) {
			t.Errorf("GET %s: %d, want 200 with %q:\n%s", path, resp.StatusCode, want, b)
		}
	}
}
