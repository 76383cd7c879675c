package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/graph/graphtest"
)

func TestImportBadSortMemory(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"import", "--sort-memory", "12XB", "events.csv"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "sort-memory") || !strings.Contains(err.Error(), `"12XB" is not a size`) {
		t.Errorf("error = %v, want one naming --sort-memory and the bad value", err)
	}
}

// TestImportBulkRefusesUnmanagedServer checks import --bulk names the
// server it will not stop and says what to do instead, before reading
// anything or touching any server.
func TestImportBulkRefusesUnmanagedServer(t *testing.T) {
	t.Setenv("NEO4J_LOCAL_DIR", t.TempDir())
	t.Setenv("NEO4J_BOLT_PORT", "17999")
	t.Setenv("NEO4J_PASSWORD", "unused")
	script := filepath.Join(graphtest.RepoRoot(), "scripts", "neo4j.sh")
	for _, uri := range []string{"neo4j+s://abc.databases.neo4j.io", "bolt://127.0.0.1:7687"} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), []string{"import", "--bulk", "--neo4j-script", script, "--neo4j-uri", uri, "events.jsonl"}, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), uri+" is not the Neo4j") || !strings.Contains(err.Error(), "use import without --bulk") {
			t.Errorf("%s: error = %v, want one naming the server and saying to use import without --bulk", uri, err)
		}
	}
}
