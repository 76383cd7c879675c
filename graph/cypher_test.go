package graph

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/cypher"
)

// TestEveryQueryIsUsed fails when a .cypher file (query or fragment) is no
// longer used by any code (run checks at each call that every $param is
// supplied).
func TestEveryQueryIsUsed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(b)
	}
	for _, name := range cypher.Names() {
		if !strings.Contains(src.String(), `"`+name+`"`) {
			t.Errorf("cypher/%s.cypher is not used by package graph", name)
		}
	}
	// Segment queries are composed of fragments (runText checks their
	// parameters at each call).
	for _, name := range cypher.FragmentNames() {
		if !strings.Contains(src.String(), `"`+name+`"`) {
			t.Errorf("cypher/fragments/%s.cypher is not used by package graph", name)
		}
	}
}
