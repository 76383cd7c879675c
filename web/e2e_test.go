package web_test

import (
	"context"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/web"
)

// browser starts headless Chromium (Debian's package, installed by
// scripts/chromium.sh) and returns a context driving one tab.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	if path == "" {
		for _, name := range []string{"chromium", "chromium-browser"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium not found under CI=true: scripts/chromium.sh installs it")
		}
		t.Skip("chromium not found: run scripts/chromium.sh")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path),
		chromedp.NoSandbox, chromedp.Flag("headless", "new"), chromedp.WindowSize(1280, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancel3)
	return ctx
}

// screenshot saves the page to web/testdata/screenshots (git-ignored).
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("testdata", "screenshots")
	_ = os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// appServer serves the web app on the real store.
func appServer(t *testing.T, store *graph.Store, opts ...web.Option) string {
	t.Helper()
	opts = append(opts, web.WithApp(web.AppConfig{Passwords: []string{"s3cret"}}, store))
	srv := web.New(web.Config{WriteKeys: []string{"wk"}, ReadKeys: []string{"rk"}},
		&ingest.Ingester{Store: store, Rules: journeys.DefaultStepRules()}, store, store, opts...)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL
}

func TestBrowserSignInOverviewAndPerson(t *testing.T) {
	store := graphtest.Open(t)
	ctx := browser(t)
	run := graphtest.RunID(t)
	person := run + "shopper"
	// A day no other test (or earlier run) writes to.
	t0 := time.Date(1940, 1, 1, 20, 0, 0, 0, time.UTC).AddDate(0, 0, rand.IntN(10000))
	day := t0.Format("2006-01-02")
	var events []journeys.Event
	for i, name := range []string{"product_view", "add_to_cart", "checkout", "purchase"} {
		tm := t0.Add(time.Duration(i) * time.Minute)
		events = append(events, journeys.Event{ID: journeys.EventID(person, name, tm, nil), Type: journeys.TypeTrack,
			Person: person, Name: name, Time: tm, Product: "sku-<b>1</b>"})
	}
	in := &ingest.Ingester{Store: store, Rules: journeys.DefaultStepRules()}
	if _, err := in.Ingest(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	base := appServer(t, store)

	var loc, body string
	err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/app/people/"+person),
		chromedp.WaitVisible(`input[name=password]`),
		chromedp.Location(&loc),
	)
	if err != nil || !strings.Contains(loc, "/login") {
		t.Fatalf("unsigned visit: at %s (%v), want the sign-in page", loc, err)
	}
	screenshot(t, ctx, "login")
	// A wrong password is refused.
	err = chromedp.Run(ctx,
		chromedp.SendKeys(`input[name=password]`, "nope"), chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`.error`), chromedp.Text(`.error`, &body))
	if err != nil || !strings.Contains(body, "wrong password") {
		t.Fatalf("wrong password: %q (%v)", body, err)
	}
	// The right one leads back to the page asked for.
	err = chromedp.Run(ctx,
		chromedp.SendKeys(`input[name=password]`, "s3cret"), chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`#person-id`), chromedp.Text(`main`, &body))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{person, "product_view → add_to_cart → checkout → purchase", "sku-<b>1</b>"} {
		if !strings.Contains(body, want) {
			t.Errorf("person page lacks %q (escaped markup must show as text):\n%s", want, body)
		}
	}
	screenshot(t, ctx, "person")

	err = chromedp.Run(ctx,
		chromedp.Navigate(base+"/app?from="+day+"&to="+day),
		chromedp.WaitVisible(`#kpi-events`), chromedp.Text(`.kpis`, &body))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Events\n4", "People\n1", "Sessions\n1", "100.0%"} {
		if !strings.Contains(body, want) {
			t.Errorf("overview KPIs lack %q:\n%s", want, body)
		}
	}
	var points []string
	if err := chromedp.Run(ctx, chromedp.Evaluate(`[...document.querySelectorAll("svg.chart circle title")].map(e => e.textContent)`, &points)); err != nil ||
		len(points) != 1 || !strings.HasSuffix(points[0], ": 4") {
		t.Errorf("trend chart points = %q (%v), want one day with 4 events", points, err)
	}
	screenshot(t, ctx, "overview")
}

// TestBrowserReadKeySignIn: signed in with the read key, the app does not
// offer the Webhooks page, which the read role would be refused; signing
// out leads back to the sign-in page. (TestReadSignInShowsNoChangeForms
// checks every form that saves.)
func TestBrowserReadKeySignIn(t *testing.T) {
	store := graphtest.Open(t)
	ctx := browser(t)
	base := appServer(t, store)
	var loc string
	var nav []string
	err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/app/people"),
		chromedp.WaitVisible(`input[name=password]`),
		chromedp.SendKeys(`input[name=password]`, "rk"), chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`form.logout button`),
		chromedp.Location(&loc),
		chromedp.Evaluate(`[...document.querySelectorAll("nav a")].map(a => a.textContent.trim())`, &nav),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(loc, "/app/people") || strings.Contains(strings.Join(nav, ","), "Webhooks") || !strings.Contains(strings.Join(nav, ","), "Segments") {
		t.Errorf("read key: at %s, navigation %v; want /app/people, Segments and no Webhooks", loc, nav)
	}
	screenshot(t, ctx, "read-role")
	err = chromedp.Run(ctx,
		chromedp.Click(`form.logout button`), chromedp.WaitVisible(`input[name=password]`),
		chromedp.Navigate(base+"/app"), chromedp.WaitVisible(`input[name=password]`), chromedp.Location(&loc))
	if err != nil || !strings.Contains(loc, "/login") {
		t.Errorf("after signing out: at %s (%v), want the sign-in page", loc, err)
	}
}
