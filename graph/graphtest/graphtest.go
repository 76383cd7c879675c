// Package graphtest opens the real Neo4j for integration tests. There is no
// mock database: tests talk to the server scripts/neo4j.sh starts (or to the
// one NEO4J_URI names).
package graphtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/ingest"
)

// Config returns the Neo4j settings for tests: NEO4J_URI, NEO4J_USER,
// NEO4J_PASSWORD and NEO4J_DATABASE when set, else the local server of
// scripts/neo4j.sh (bolt://127.0.0.1:$NEO4J_BOLT_PORT, password from
// .neo4j/password).
func Config() graph.Config {
	cfg := graph.Config{
		URI:      os.Getenv("NEO4J_URI"),
		User:     envOr("NEO4J_USER", "neo4j"),
		Password: os.Getenv("NEO4J_PASSWORD"),
		Database: envOr("NEO4J_DATABASE", "neo4j"),
		MaxRetry: 5 * time.Second,
	}
	if cfg.URI == "" {
		cfg.URI = "bolt://127.0.0.1:" + envOr("NEO4J_BOLT_PORT", "7687")
	}
	if cfg.Password == "" {
		if b, err := os.ReadFile(filepath.Join(RepoRoot(), ".neo4j", "password")); err == nil {
			cfg.Password = strings.TrimSpace(string(b))
		}
	}
	return cfg
}

// Open returns a store on the real Neo4j, closed when the test ends. Under
// -short the test is skipped; when Neo4j cannot be reached the test fails if
// CI=true (CI must never skip integration tests) and is skipped otherwise,
// with the command that starts Neo4j.
func Open(tb testing.TB) *graph.Store {
	tb.Helper()
	if testing.Short() {
		tb.Skip("integration test: needs Neo4j (skipped with -short)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := graph.Open(ctx, Config())
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("Neo4j unreachable under CI=true: %v", err)
		}
		tb.Skipf("Neo4j unreachable (start it with scripts/neo4j.sh start): %v", err)
	}
	tb.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// RunID returns a fresh prefix for the ids a test writes, so tests sharing
// the one Neo4j database never see each other's people and events. When
// the test ends, everything under the prefix is deleted (Store.DeletePrefix:
// people, events, aliases, deliveries, step rule sets), so that runs do not
// pile up in the database the demo also uses; set
// JOURNEYGRAPH_KEEP_TEST_DATA=1 to keep it for a look.
func RunID(tb testing.TB) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := strings.NewReplacer("/", "_", " ", "_").Replace(tb.Name())
	prefix := "t-" + name + "-" + hex.EncodeToString(b) + "-"
	tb.Cleanup(func() { deletePrefix(tb, prefix) })
	return prefix
}

// cleaner is the store deleting the tests' prefixes, opened once.
var cleaner struct {
	once  sync.Once
	store *graph.Store
	err   error
}

// deletePrefix deletes what a test wrote under prefix, unless asked not to
// or Neo4j cannot be reached (then the test wrote nothing there).
func deletePrefix(tb testing.TB, prefix string) {
	if os.Getenv("JOURNEYGRAPH_KEEP_TEST_DATA") != "" || testing.Short() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cleaner.once.Do(func() { cleaner.store, cleaner.err = graph.Open(ctx, Config()) })
	if cleaner.err != nil {
		return
	}
	if _, err := cleaner.store.DeletePrefix(ctx, prefix); err != nil {
		tb.Logf("deleting the test's data under %s: %v", prefix, err)
	}
}

// RepoRoot is the repository's root folder.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// DemoEvents reads testdata/demo/FILE with the named preset and prefixes
// every person and event id with prefix (a RunID), so that a test's copy of
// the demo data is its own.
func DemoEvents(tb testing.TB, file, preset, prefix string) []journeys.Event {
	tb.Helper()
	m, ok := ingest.Preset(preset)
	if !ok {
		tb.Fatalf("no preset %q", preset)
	}
	r, closer, err := ingest.OpenFile(filepath.Join(RepoRoot(), "testdata", "demo", file), m, time.Now(), journeys.Limits{})
	if err != nil {
		tb.Fatal(err)
	}
	defer closer.Close()
	var events []journeys.Event
	for r.Next() {
		e := r.Event()
		e.ID, e.Person = prefix+e.ID, prefix+e.Person
		events = append(events, e)
	}
	if err := r.Err(); err != nil {
		tb.Fatal(err)
	}
	return events
}
