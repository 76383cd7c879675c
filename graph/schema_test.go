package graph_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
)

// TestSchemaConcurrentCreate: several clients applying the same schema to a
// database that lacks it (test packages, or two servers, starting at once)
// all succeed. "IF NOT EXISTS" alone lets the losers of the race fail with
// EquivalentSchemaRuleAlreadyExists, which once failed CI.
func TestSchemaConcurrentCreate(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	id := rand.Uint32()
	var stmts []string
	for i := range 4 {
		stmts = append(stmts, fmt.Sprintf(
			"CREATE INDEX schema_race_%d_%d IF NOT EXISTS FOR (n:SchemaRace%d) ON (n.p%d)", id, i, id, i))
	}
	drop := func() {
		for i := range stmts {
			if err := graph.ApplySchema(s, ctx, []string{
				fmt.Sprintf("DROP INDEX schema_race_%d_%d IF EXISTS", id, i)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Cleanup(drop)
	for round := range 5 {
		drop()
		var wg sync.WaitGroup
		errs := make([]error, 6)
		for c := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[c] = graph.ApplySchema(s, ctx, stmts)
			}()
		}
		wg.Wait()
		for c, err := range errs {
			if err != nil {
				t.Fatalf("round %d, client %d: %v", round, c, err)
			}
		}
	}
}
