package bulk_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/bulk"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
)

// privateServer starts a Neo4j of its own through scripts/neo4j.sh (its
// home under a temporary folder, a free Bolt port, the usual jars), never
// the shared one, and stops it when the test ends. It skips only when Java
// or the jars are absent, and not under CI=true.
func privateServer(t *testing.T) (*bulk.Server, graph.Config) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: starts a private Neo4j (skipped with -short)")
	}
	root := graphtest.RepoRoot()
	lib := os.Getenv("NEO4J_LIB_DIR")
	if lib == "" {
		found, _ := filepath.Glob(filepath.Join(root, ".neo4j", "lib-*", ".complete"))
		if len(found) > 0 {
			lib = filepath.Dir(found[len(found)-1])
		}
	}
	_, javaErr := exec.LookPath("java")
	if lib == "" || javaErr != nil {
		msg := "needs Java and the Neo4j jars of scripts/neo4j.sh (run scripts/neo4j.sh start once)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	if shared := os.Getenv("NEO4J_BOLT_PORT"); port == shared || port == "7687" {
		t.Fatalf("free port %s is the shared server's", port)
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	password := hex.EncodeToString(b)
	var out bytes.Buffer
	srv := &bulk.Server{
		Script: filepath.Join(root, "scripts", "neo4j.sh"),
		Env: []string{"NEO4J_LOCAL_DIR=" + t.TempDir(), "NEO4J_BOLT_PORT=" + port, "NEO4J_LIB_DIR=" + lib,
			"NEO4J_HEAP=512m", "NEO4J_PAGECACHE=128m", "NEO4J_PASSWORD=" + password},
		Out: &out,
	}
	ctx := context.Background()
	t.Cleanup(func() {
		if err := srv.Stop(context.Background()); err != nil {
			t.Errorf("stopping the private Neo4j: %v", err)
		}
		if t.Failed() {
			t.Logf("scripts/neo4j.sh output:\n%s", out.String())
		}
	})
	if err := srv.Start(ctx); err != nil {
		t.Fatalf("starting a private Neo4j: %v\n%s", err, out.String())
	}
	return srv, graph.Config{URI: "bolt://127.0.0.1:" + port, User: "neo4j", Password: password, Database: "neo4j", MaxRetry: 10 * time.Second}
}

// segmentRows returns Segment JSONL rows: people browsing anonymously and
// identifying (their anonymous events join them), traits, messageId
// duplicates, exact repeats, events in one
// millisecond, properties with quotes, line breaks, empty strings and a
// key that is a number for some events and a string for others, and bad
// rows.
func segmentRows() []string {
	t0 := time.Date(2024, 4, 1, 8, 0, 0, 0, time.UTC)
	ts := func(t time.Time) string { return t.Format(time.RFC3339Nano) }
	var rows []string
	for i := 0; i < 60; i++ {
		anon, user := fmt.Sprintf("anon-%02d", i), fmt.Sprintf("user-%02d", i)
		if i%2 == 1 {
			anon = "zz-" + anon
		}
		start := t0.Add(time.Duration(i) * 7 * time.Minute)
		at := func(min float64) time.Time { return start.Add(time.Duration(min * float64(time.Minute))) }
		for k := 0; k < 5; k++ {
			rows = append(rows, fmt.Sprintf(`{"type":"page","anonymousId":%q,"timestamp":%q,"context":{"page":{"url":"https://shop.example/p/%d"}}}`, anon, ts(at(float64(k))), k))
		}
		if i%4 != 3 {
			rows = append(rows, fmt.Sprintf(`{"type":"identify","userId":%q,"anonymousId":%q,"timestamp":%q,"traits":{"plan":"p%d","seats":%d}}`, user, anon, ts(at(5)), i%3, i))
		}
		if i%6 == 0 {
			rows = append(rows, fmt.Sprintf(`{"type":"identify","userId":%q,"timestamp":%q,"traits":{"plan":"gold","city":"Köln"}}`, user, ts(at(9))))
		}
		for k := 0; k < 6; k++ {
			size := `"size":3`
			if k%2 == 1 {
				size = `"size":"XL"`
			}
			row := fmt.Sprintf(`{"type":"track","userId":%q,"event":"%s","timestamp":%q,"properties":{"price":%d.5,%s,"note":"say \"hi\"\nbye","empty":""}}`,
				user, []string{"product_view", "add_to_cart", "purchase"}[k%3], ts(at(6+float64(k))), k, size)
			rows = append(rows, row)
			if k == 2 && i%5 == 0 {
				rows = append(rows, row) // an exact repeat: a second event
			}
		}
		// Two events in one millisecond: the chain orders them by id.
		same := ts(at(12).Add(300 * time.Microsecond))
		rows = append(rows, fmt.Sprintf(`{"type":"track","messageId":"m-%02d-b","userId":%q,"event":"share","timestamp":%q}`, i, user, same))
		rows = append(rows, fmt.Sprintf(`{"type":"track","messageId":"m-%02d-a","userId":%q,"event":"like","timestamp":%q}`, i, user, ts(at(12).Add(700*time.Microsecond))))
		// A resent message: a duplicate.
		rows = append(rows, fmt.Sprintf(`{"type":"track","messageId":"m-%02d-a","userId":%q,"event":"like","timestamp":%q}`, i, user, ts(at(12).Add(700*time.Microsecond))))
		rows = append(rows, fmt.Sprintf(`{"type":"track","anonymousId":%q,"event":"email_open","timestamp":%q}`, anon, ts(at(7.5))))
		if i%9 == 4 {
			rows = append(rows, fmt.Sprintf(`{"type":"track","userId":%q,"event":"view","timestamp":"not a time"}`, user), `{"type":"track",`)
		}
	}
	return rows
}

// writeShuffled writes rows shuffled to a file.
func writeShuffled(t *testing.T, rows []string) string {
	t.Helper()
	rows = append([]string(nil), rows...)
	mrand.New(mrand.NewPCG(13, 14)).Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	path := filepath.Join(t.TempDir(), "shuffled.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// snapshot returns the whole database as sorted lines: every node with its
// labels and properties but the times the write stamps (created_ts,
// touched_ts, ingested_ts), every relationship with its end nodes' ids
// and properties, every index (online) and every constraint: the schema
// is compared as well as the data.
func snapshot(t *testing.T, cfg graph.Config) []string {
	t.Helper()
	ctx := context.Background()
	driver, err := neo4j.NewDriverWithContext(cfg.URI, neo4j.BasicAuth(cfg.User, cfg.Password, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer driver.Close(ctx)
	var lines []string
	for _, q := range []string{
		"MATCH (n) RETURN labels(n) AS kind, properties(n) AS props",
		"MATCH (a)-[r]->(b) RETURN [type(r), a.id, b.id] AS kind, properties(r) AS props",
		"SHOW INDEXES YIELD name, state, type, labelsOrTypes, properties WHERE type <> 'LOOKUP' RETURN ['index', name, state] AS kind, {on: labelsOrTypes, properties: properties} AS props",
		"SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties RETURN ['constraint', name, type] AS kind, {on: labelsOrTypes, properties: properties} AS props",
	} {
		res, err := neo4j.ExecuteQuery(ctx, driver, q, nil, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(cfg.Database))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Records {
			kind, _ := r.Get("kind")
			v, _ := r.Get("props")
			props := v.(map[string]any)
			for _, k := range []string{"created_ts", "touched_ts", "ingested_ts"} {
				delete(props, k)
			}
			keys := make([]string, 0, len(props))
			for k := range props {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var b strings.Builder
			fmt.Fprintf(&b, "%v", kind)
			for _, k := range keys {
				fmt.Fprintf(&b, " %s=%#v", k, props[k])
			}
			lines = append(lines, b.String())
		}
	}
	sort.Strings(lines)
	return lines
}

// checkChains runs Store.CheckChain on every person.
func checkChains(t *testing.T, store *graph.Store, lines []string) {
	t.Helper()
	n := 0
	for _, l := range lines {
		id, ok := strings.CutPrefix(l, `[Person] `)
		if !ok {
			continue
		}
		i := strings.Index(id, ` id="`)
		id = id[i+5:]
		id = id[:strings.IndexByte(id, '"')]
		if _, err := store.CheckChain(context.Background(), id); err != nil {
			t.Errorf("chain of %s: %v", id, err)
		}
		n++
	}
	if n == 0 {
		t.Error("no person checked")
	}
}

// TestBulkEqualsImport imports the same shuffled file into a private Neo4j
// twice: with the normal (sorted) import, then, the database emptied, with
// the bulk load; the two graphs are the same (people with their counts
// and traits, events with every property and step, aliases, chains with
// their gaps), every chain passes CheckChain, and the files' counts and
// rejected rows are the same. It checks that the load refuses a database
// holding events and a server the script does not manage.
func TestBulkEqualsImport(t *testing.T) {
	srv, cfg := privateServer(t)
	ctx := context.Background()
	paths := []string{writeShuffled(t, segmentRows())}
	m := ingest.Mapping{Format: ingest.FormatSegment}
	rules := journeys.DefaultStepRules()

	store, err := graph.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var normalRejects bytes.Buffer
	im := &ingest.Importer{Ingester: &ingest.Ingester{Store: store, Rules: rules}, BatchSize: 50,
		StateDir: t.TempDir(), TempDir: t.TempDir(), Rejects: &normalRejects}
	var normal []ingest.ImportResult
	for _, p := range paths {
		res, err := im.ImportFile(ctx, p, m)
		if err != nil {
			t.Fatal(err)
		}
		normal = append(normal, res)
	}
	want := snapshot(t, cfg)
	checkChains(t, store, want)

	load := func(uri string) (bulk.Result, []ingest.ImportResult, string, error) {
		c := cfg
		c.URI = uri
		var rejects bytes.Buffer
		bim := &ingest.Importer{Ingester: &ingest.Ingester{Rules: rules}, TempDir: t.TempDir(), SortMemory: 16 << 10, Rejects: &rejects}
		var results []ingest.ImportResult
		l := &bulk.Loader{Server: srv, Store: c, TempDir: t.TempDir()}
		res, err := l.Load(ctx, func(w *bulk.Writer) error {
			var err error
			results, err = bim.ImportBulk(ctx, paths, m, w)
			return err
		})
		return res, results, rejects.String(), err
	}
	if _, _, _, err := load(cfg.URI); journeys.ErrorCode(err) != journeys.ECONFLICT || !strings.Contains(err.Error(), "use import without --bulk") {
		t.Errorf("bulk load into a database holding events: got %v, want a conflict saying to use import without --bulk", err)
	}
	if _, _, _, err := load("bolt://127.0.0.1:1"); journeys.ErrorCode(err) != journeys.EINVALID || !strings.Contains(err.Error(), "is not the Neo4j") {
		t.Errorf("bulk load into a server the script does not manage: got %v, want EINVALID naming it", err)
	}

	if _, err := neo4j.ExecuteQuery(ctx, mustDriver(t, cfg), "MATCH (n) DETACH DELETE n", nil, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(cfg.Database)); err != nil {
		t.Fatal(err)
	}
	store.Close(ctx)
	res, results, rejects, err := load(cfg.URI)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stored.Events != res.Files.Events || res.Stored.People != res.Files.People {
		t.Errorf("stored %+v, written %+v", res.Stored, res.Files.Counts)
	}
	for i := range normal {
		normal[i].Resumed = false
		if normal[i] != results[i] {
			t.Errorf("file %d: import counted %+v, bulk %+v", i, normal[i], results[i])
		}
	}
	if rejects != normalRejects.String() {
		t.Errorf("rejected rows differ:\nimport %s\nbulk   %s", normalRejects.String(), rejects)
	}
	got := snapshot(t, cfg)
	if diff := firstDiff(got, want); diff != "" {
		t.Errorf("bulk graph differs from the imported one (%d lines, want %d): %s", len(got), len(want), diff)
	}
	store, err = graph.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(ctx)
	checkChains(t, store, got)
	// The server stopped cleanly for the load and neo4j-admin exited
	// cleanly: both kept their class-data archive (scripts/neo4j.sh cds),
	// which the server's start after the import mapped.
	for _, name := range []string{"server", "admin"} {
		found, _ := filepath.Glob(filepath.Join(envOf(srv, "NEO4J_LOCAL_DIR"), "cds-*-"+name+".jsa"))
		if len(found) != 1 {
			t.Errorf("class-data archive of the %s: found %v, want one", name, found)
		}
	}
}

// envOf returns the value of key in the server's environment.
func envOf(srv *bulk.Server, key string) string {
	for _, kv := range srv.Env {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	return ""
}

// mustDriver returns a driver on cfg, closed when the test ends.
func mustDriver(t *testing.T, cfg graph.Config) neo4j.DriverWithContext {
	d, err := neo4j.NewDriverWithContext(cfg.URI, neo4j.BasicAuth(cfg.User, cfg.Password, ""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close(context.Background()) })
	return d
}

// firstDiff describes the first line in which got and want differ.
func firstDiff(got, want []string) string {
	for i := 0; i < max(len(got), len(want)); i++ {
		g, w := "(none)", "(none)"
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			return fmt.Sprintf("line %d:\ngot  %s\nwant %s", i, g, w)
		}
	}
	return ""
}
