package bench

import (
	"io"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/graph"
)

// TestBulkServerIsPrivate checks the bulk table refuses to run on the
// shared server's port or folder: --bulk stops the server it loads.
func TestBulkServerIsPrivate(t *testing.T) {
	shared := graph.Config{URI: "bolt://127.0.0.1:7687"}
	tests := []struct {
		name, dir string
		port      int
		wantErr   string
	}{
		{"private", t.TempDir(), 7697, ""},
		{"the shared port", t.TempDir(), 7687, "--bulk-port 7687 is the port of bolt://127.0.0.1:7687"},
		{"the shared folder", ".neo4j", 7697, "--bulk-dir .neo4j is the shared server's folder"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &bulkServer{script: "scripts/neo4j.sh", dir: tc.dir, port: tc.port, heap: "1g", pagecache: "1g"}
			srv, cfg, err := b.server(shared, io.Discard)
			if tc.wantErr == "" {
				if err != nil || cfg.URI != "bolt://127.0.0.1:7697" || !strings.Contains(strings.Join(srv.Env, " "), "NEO4J_BOLT_PORT=7697") {
					t.Errorf("got %v, %+v; want the private server on 7697", err, cfg)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("got %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}
