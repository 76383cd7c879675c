package web_test

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys/webhook"
	"github.com/journeygraph/journeygraph/web"
)

// TestBrowserWebhookDestinations: in the app, a webhook to the cloud
// metadata address is refused with the url named, and a test send to a
// closed port shows "could not deliver", never what answered.
func TestBrowserWebhookDestinations(t *testing.T) {
	store := graphtest.Open(t)
	ctx := browser(t)
	run := graphtest.RunID(t)
	allow, err := webhook.ParseAllowList("127.0.0.1/32") // the closed port below
	if err != nil {
		t.Fatal(err)
	}
	base := appServer(t, store, web.WithWebhooks(store, &webhook.Dispatcher{Store: store, Prefix: run, Allow: allow}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + ln.Addr().String() + "/hook"
	ln.Close()

	run1 := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	run1("sign in",
		chromedp.Navigate(base+"/app/webhooks"), chromedp.WaitVisible(`input[name=password]`),
		chromedp.SendKeys(`input[name=password]`, "s3cret"), chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`#register`))

	const metadata = "http://169.254.169.254/latest/meta-data/"
	var problems string
	run1("register the metadata address",
		chromedp.SetValue(`input[name=url]`, metadata), chromedp.Click(`#register-hook`),
		chromedp.WaitVisible(`ul.problems`), chromedp.Text(`ul.problems`, &problems))
	if !strings.Contains(problems, "url: 169.254.169.254 is a link-local address") {
		t.Errorf("problems = %q, want the url refused as link-local", problems)
	}
	hooks, err := store.Webhooks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hooks {
		if h.URL == metadata {
			t.Errorf("webhook %s to the metadata address was stored", h.ID)
			_ = store.DeleteWebhook(context.Background(), h.ID)
		}
	}
	screenshot(t, ctx, "webhooks-refused")

	var hookID, alert, log string
	run1("register a closed port (allowed)",
		chromedp.SetValue(`input[name=url]`, closedURL), chromedp.Click(`#register-hook`),
		chromedp.WaitVisible(`#secret`), chromedp.Text(`#created-id`, &hookID))
	t.Cleanup(func() { _ = store.DeleteWebhook(context.Background(), hookID) })
	hook := `#hook-` + hookID
	run1("send test", chromedp.Click(hook+` .send-test`), chromedp.WaitVisible(`p.error[role=alert]`),
		chromedp.Text(`p.error[role=alert]`, &alert), chromedp.Text(hook+` table.deliveries`, &log))
	const want = "could not deliver (no HTTP answer)"
	if !strings.Contains(alert, "failed: "+want) || strings.Contains(strings.ToLower(alert), "refused") {
		t.Errorf("alert = %q, want %q and nothing about the port", alert, want)
	}
	if !strings.Contains(log, "failed") || !strings.Contains(log, want) || strings.Contains(strings.ToLower(log), "refused") {
		t.Errorf("delivery log = %q, want the failed test send with %q only", log, want)
	}
}
