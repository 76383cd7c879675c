package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
	"github.com/journeygraph/journeygraph/web"
)

// hostileIDs are person ids that are no plain path segment.
var hostileIDs = []string{"a/b", "/lead", "trail/", "100%", "%2F", "what?x=1", "#tag", "with space", "a+b", "ünï/cødé ✓", "=HYPERLINK(\"x\")"}

// TestPeopleWithAnyIDAreReadAndErased: people whose ids hold "/", "%", "?",
// "#", spaces or unicode are read (API and app page) and erased through the
// real router, their ids sent path-escaped, against the real Neo4j.
func TestPeopleWithAnyIDAreReadAndErased(t *testing.T) {
	store := graphtest.Open(t)
	run := graphtest.RunID(t)
	in := &ingest.Ingester{Store: store, Rules: journeys.DefaultStepRules()}
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	var events []journeys.Event
	for _, id := range hostileIDs {
		events = append(events, journeys.Event{ID: journeys.EventID(run+id, "view", at, nil), Type: journeys.TypeTrack,
			Person: run + id, Name: "view", Time: at})
	}
	if res, err := in.Ingest(context.Background(), events); err != nil || res.Accepted != len(hostileIDs) {
		t.Fatalf("ingest: %+v, %v", res, err)
	}
	srv := web.New(web.Config{WriteKeys: []string{"wk"}, ReadKeys: []string{"rk"}, AdminKeys: []string{"ak"}}, in, store, store,
		web.WithErasure(store), web.WithApp(web.AppConfig{Passwords: []string{"s3cret"}}, store))
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	if resp, err := client.PostForm(ts.URL+"/login", url.Values{"password": {"s3cret"}}); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("sign in: %v %v", resp, err)
	}

	call := func(method, path, key string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, ts.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, id := range hostileIDs {
		t.Run(id, func(t *testing.T) {
			esc := url.PathEscape(run + id)
			status, body := call("GET", "/api/v1/people/"+esc+"/journey", "rk")
			var j journeys.Journey
			if err := json.Unmarshal([]byte(body), &j); status != http.StatusOK || err != nil || j.Person.ID != run+id {
				t.Fatalf("GET journey = %d %s, want %q", status, body, run+id)
			}
			for _, page := range []string{"/app/people/" + esc, "/app/people?id=" + url.QueryEscape(run+id)} {
				status, body = call("GET", page, "")
				if want := `<h2 id="person-id">` + template(run+id) + `</h2>`; status != http.StatusOK || !strings.Contains(body, want) {
					t.Errorf("GET %s = %d, page lacks %s", page, status, want)
				}
			}
			status, body = call("DELETE", "/api/v1/people/"+esc, "ak")
			if status != http.StatusOK || !strings.Contains(body, `"events_deleted":1`) {
				t.Fatalf("DELETE = %d %s, want 1 event deleted", status, body)
			}
			if status, body = call("GET", "/api/v1/people/"+esc+"/journey", "rk"); status != http.StatusNotFound {
				t.Errorf("GET journey after DELETE = %d %s, want 404", status, body)
			}
		})
	}
}

// template escapes s as html/template writes text.
func template(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}

// TestBrowserPersonPageOfAnyID: in Chromium, the person page of an id
// holding "/", "?", "#", "%" and a space opens from its escaped path and from
// the search form.
func TestBrowserPersonPageOfAnyID(t *testing.T) {
	store := graphtest.Open(t)
	ctx := browser(t)
	person := graphtest.RunID(t) + "a/b?c#d%e f"
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	in := &ingest.Ingester{Store: store, Rules: journeys.DefaultStepRules()}
	if _, err := in.Ingest(context.Background(), []journeys.Event{{ID: journeys.EventID(person, "view", at, nil),
		Type: journeys.TypeTrack, Person: person, Name: "view", Time: at}}); err != nil {
		t.Fatal(err)
	}
	base := appServer(t, store)
	var shown, viaForm string
	err := chromedp.Run(ctx,
		chromedp.Navigate(base+"/app/people/"+url.PathEscape(person)),
		chromedp.WaitVisible(`input[name=password]`),
		chromedp.SendKeys(`input[name=password]`, "s3cret"), chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`#person-id`), chromedp.Text(`#person-id`, &shown),
		chromedp.Navigate(base+"/app/people"),
		chromedp.WaitVisible(`input[name=id]`),
		chromedp.SendKeys(`input[name=id]`, person), chromedp.Submit(`input[name=id]`),
		chromedp.WaitVisible(`#person-id`), chromedp.Text(`#person-id`, &viaForm),
	)
	if err != nil {
		t.Fatal(err)
	}
	if shown != person || viaForm != person {
		t.Errorf("person page shows %q (path) and %q (form), want %q", shown, viaForm, person)
	}
}
