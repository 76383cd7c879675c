package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
)

// neo4jArgs points a command at the test Neo4j.
func neo4jArgs(cfg graph.Config) []string {
	return []string{"--neo4j-uri", cfg.URI, "--neo4j-user", cfg.User, "--neo4j-password", cfg.Password, "--neo4j-database", cfg.Database}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func runCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut)
	if err != nil {
		t.Logf("stderr: %s", errOut.String())
	}
	return out.String(), err
}

func TestImportReportsRejectedRowsAndIsIdempotent(t *testing.T) {
	store := graphtest.Open(t)
	dir := t.TempDir()
	run := graphtest.RunID(t)
	data := writeFile(t, dir, "events.csv", `uid,ts,action,price
u1,2024-05-01T10:00:00Z,view,1.5
,2024-05-01T10:01:00Z,view,1
u1,2019-13-01,cart,1
u1,2024-05-01T10:02:00Z,,1
u2,1714557720,cart,2
u1,2024-05-01T10:03:00Z,purchase,9.99
u2,2099-01-01T00:00:00Z,view,1
`)
	mapping := writeFile(t, dir, "mapping.json", fmt.Sprintf(
		`{"format":"csv","header":true,"person":"uid","time":"ts","name":"action","value":"price","person_prefix":%q}`, run))
	rejects := filepath.Join(dir, "rejected.csv")
	args := append([]string{"import", "--mapping", mapping, "--rejects", rejects, "--state-dir", filepath.Join(dir, "state")},
		neo4jArgs(graphtest.Config())...)

	out, err := runCmd(t, append(args, data)...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "read 7, accepted 3, duplicates 0, rejected 4") {
		t.Errorf("summary = %q, want read 7, accepted 3, rejected 4", out)
	}
	f, _ := os.Open(rejects)
	rows, _ := csv.NewReader(f).ReadAll()
	f.Close()
	var lines []string
	for _, r := range rows {
		lines = append(lines, r[1]+" "+r[2])
	}
	if want := []string{"3 uid", "4 ts", "5 action", "8 ts"}; strings.Join(lines, ",") != strings.Join(want, ",") {
		t.Errorf("rejected (line field) = %v, want %v", lines, want)
	}

	// A re-run finds the file done: the same whole-file summary, nothing written.
	out, err = runCmd(t, append(args, data)...)
	if err != nil || !strings.Contains(out, "accepted 3, duplicates 0, rejected 4 (resumed)") {
		t.Errorf("re-run: %q, %v; want the same counts, resumed", out, err)
	}
	// Reading it all again stores nothing twice.
	out, err = runCmd(t, append(append(args, "--no-resume", "--rejects", filepath.Join(dir, "r2.csv")), data)...)
	if err != nil || !strings.Contains(out, "accepted 0, duplicates 3, rejected 4") {
		t.Errorf("--no-resume: %q, %v; want 3 duplicates", out, err)
	}
	_, events, err := store.Journey(context.Background(), run+"u1", 10)
	if err != nil || len(events) != 2 || events[1].Name != "purchase" || events[1].Value != 9.99 {
		t.Errorf("journey of u1 = %+v (%v), want view then purchase worth 9.99", events, err)
	}
}

func TestServeEndToEnd(t *testing.T) {
	graphtest.Open(t) // skips or fails like every integration test
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		args := append([]string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--write-keys", "wk", "--read-keys", "rk"},
			neo4jArgs(graphtest.Config())...)
		done <- run(ctx, args, pw, io.Discard)
		pw.Close()
	}()
	base, adminKey, metricsURL := "", "", ""
	sc := bufio.NewScanner(pr)
	for (base == "" || metricsURL == "") && sc.Scan() {
		if strings.HasPrefix(sc.Text(), "admin key (") {
			adminKey = sc.Text()[strings.LastIndex(sc.Text(), " ")+1:]
		}
		if _, rest, ok := strings.Cut(sc.Text(), "serving on "); ok {
			base = strings.Fields(rest)[0]
		}
		if _, rest, ok := strings.Cut(sc.Text(), "metrics on "); ok {
			metricsURL = strings.Fields(rest)[0]
		}
	}
	go io.Copy(io.Discard, pr)
	if base == "" {
		t.Fatalf("server did not start: %v", <-done)
	}
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v", err)
		}
	}()

	person := graphtest.RunID(t) + "u"
	body := fmt.Sprintf(`{"batch":[
	  {"type":"track","userId":%[1]q,"event":"product_view","timestamp":"2024-05-01T10:00:00Z","properties":{"sku":"A1"}},
	  {"type":"track","userId":%[1]q,"event":"add_to_cart","timestamp":"2024-05-01T10:05:00Z"},
	  {"type":"track","event":"add_to_cart","timestamp":"2024-05-01T10:05:00Z"}]}`, person)
	status, got := httpDo(t, "POST", base+"/api/v1/events", "wk", body)
	if status != 200 || !strings.Contains(got, `"accepted":2`) || !strings.Contains(got, `"row":2`) {
		t.Fatalf("POST events: %d %s, want 2 accepted and row 2 rejected", status, got)
	}
	status, got = httpDo(t, "POST", base+"/api/v1/events", "wk", body)
	if status != 200 || !strings.Contains(got, `"duplicates":2`) {
		t.Errorf("re-POST: %d %s, want 2 duplicates", status, got)
	}
	status, got = httpDo(t, "GET", base+"/api/v1/people/"+person+"/journey", "rk", "")
	if status != 200 || !strings.Contains(got, `"steps":["product_view","add_to_cart"]`) {
		t.Errorf("journey: %d %s, want one session product_view, add_to_cart", status, got)
	}
	// The segment builder's menus answer at once, loaded cache or not.
	if status, got = httpDo(t, "GET", base+"/api/v1/segment-vocabulary", "rk", ""); status != 200 || !strings.Contains(got, `"add_to_cart"`) {
		t.Errorf("segment vocabulary: %d %.300s, want the steps", status, got)
	}
	// Roles: the read key erases no one; the generated admin key does.
	if status, got = httpDo(t, "DELETE", base+"/api/v1/people/"+person, "rk", ""); status != 403 {
		t.Errorf("erase with the read key: %d %s, want 403", status, got)
	}
	if !strings.HasPrefix(adminKey, "jga_") {
		t.Fatalf("admin key printed: %q, want a generated jga_ key", adminKey)
	}
	if status, got = httpDo(t, "DELETE", base+"/api/v1/people/"+person, adminKey, ""); status != 200 {
		t.Errorf("erase with the admin key: %d %s, want 200", status, got)
	}
	if status, _ = httpDo(t, "GET", base+"/readyz", "", ""); status != 200 {
		t.Errorf("readyz: %d", status)
	}

	// Metrics: behind a read key on the main address, without one on
	// --metrics-addr.
	if status, _ = httpDo(t, "GET", base+"/metrics", "", ""); status != 401 {
		t.Errorf("/metrics without a key: %d, want 401", status)
	}
	if status, _ = httpDo(t, "GET", base+"/metrics", "rk", ""); status != 200 {
		t.Errorf("/metrics with the read key: %d, want 200", status)
	}
	status, got = httpDo(t, "GET", metricsURL, "", "")
	if status != 200 {
		t.Fatalf("%s: %d %s", metricsURL, status, got)
	}
	for series, want := range map[string]string{ // two posts of 2 good events and 1 bad row
		`journeygraph_events_total{outcome="accepted"}`:                                       "2",
		`journeygraph_events_total{outcome="duplicate"}`:                                      "2",
		`journeygraph_events_total{outcome="rejected"}`:                                       "2",
		`journeygraph_http_requests_total{method="POST",route="/api/v1/events",status="200"}`: "2",
		`journeygraph_http_requests_total{method="GET",route="/metrics",status="401"}`:        "1",
	} {
		if !strings.Contains(got, "\n"+series+" "+want+"\n") {
			t.Errorf("scrape: want %s %s", series, want)
		}
	}
	for _, name := range []string{"journeygraph_journey_cache_lag_seconds", "journeygraph_ingest_batch_duration_seconds_count", "go_goroutines", "process_cpu_seconds_total"} {
		if !strings.Contains(got, "\n"+name+" ") {
			t.Errorf("scrape lacks %s", name)
		}
	}
}

func httpDo(t *testing.T, method, url, key, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	c := &http.Client{Timeout: 30 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestRestepCommand(t *testing.T) {
	store := graphtest.Open(t)
	dir := t.TempDir()
	run := graphtest.RunID(t)
	data := writeFile(t, dir, "events.csv", "uid,ts,action\nu1,2024-05-01T10:00:00Z,view\nu1,2024-05-01T10:01:00Z,help\n")
	mapping := writeFile(t, dir, "m.json", fmt.Sprintf(`{"format":"csv","header":true,"person":"uid","time":"ts","name":"action","person_prefix":%q}`, run))
	if _, err := runCmd(t, append([]string{"import", "--mapping", mapping, "--state-dir", dir, "--rejects", filepath.Join(dir, "r.csv")},
		append(neo4jArgs(graphtest.Config()), data)...)...); err != nil {
		t.Fatal(err)
	}
	rules := writeFile(t, dir, "steps.json", `{"rules":[{"label":"browse","event":"view"},{"label":"x","event":"help","exclude":true}]}`)
	out, err := runCmd(t, append([]string{"restep", "--steps", rules, "--person-prefix", run}, neo4jArgs(graphtest.Config())...)...)
	if err != nil || !strings.Contains(out, "read 2 events, changed the step of 2") {
		t.Fatalf("restep: %q, %v", out, err)
	}
	_, events, err := store.Journey(context.Background(), run+"u1", 10)
	if err != nil || len(events) != 2 || events[0].Step != "browse" || events[1].Step != "" {
		t.Errorf("steps after restep: %+v (%v), want browse then excluded", events, err)
	}
}
