package cypher

import (
	"slices"
	"strings"
	"testing"
)

func TestParams(t *testing.T) {
	tests := []struct {
		name, query string
		want        []string
	}{
		{"none", "RETURN 1", nil},
		{"distinct and sorted", "MATCH (n {id: $id}) WHERE n.ts > $from AND n.id <> $id RETURN n", []string{"from", "id"}},
		{"comment lines ignored", "// uses $nothing\nRETURN $x", []string{"x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Params(tt.query); !slices.Equal(got, tt.want) {
				t.Errorf("Params(%q) = %v, want %v", tt.query, got, tt.want)
			}
		})
	}
}

func TestSchemaIsIdempotentDDL(t *testing.T) {
	stmts := Schema()
	if len(stmts) == 0 {
		t.Fatal("no schema statements")
	}
	for _, s := range stmts {
		create := strings.HasPrefix(s, "CREATE ") && strings.Contains(s, "IF NOT EXISTS")
		drop := strings.HasPrefix(s, "DROP ") && strings.HasSuffix(s, " IF EXISTS")
		if !create && !drop {
			t.Errorf("schema statement is not an idempotent CREATE ... IF NOT EXISTS or DROP ... IF EXISTS: %q", s)
		}
		if strings.Contains(s, "$") {
			t.Errorf("schema statement takes parameters: %q", s)
		}
	}
}

func TestQueriesLoad(t *testing.T) {
	for _, name := range Names() {
		if q := Query(name); q == "" || strings.HasSuffix(q, ";") {
			t.Errorf("query %s is empty or ends with ';'", name)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Query of a missing name did not panic")
		}
	}()
	Query("no_such_query")
}
