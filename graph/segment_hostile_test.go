package graph_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/cypher"
	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/segment"
)

// hostile are texts that would change a query if they ever reached it.
var hostile = []string{
	`x' OR 1=1 //`, `"}) DETACH DELETE n //`, "`; MATCH (n) DETACH DELETE n", `{{predicate}}`, `$evil`,
	`}) RETURN 1 UNION MATCH (n) DETACH DELETE n //`, "\u0000\n/* */", `x\' OR true`,
}

// hostileDefinitions put the hostile texts everywhere a definition carries text.
func hostileDefinitions() []string {
	var defs []string
	for _, h := range hostile {
		b, _ := json.Marshal(h)
		q := string(b)
		defs = append(defs,
			`{"name":"h","where":{"did":`+q+`,"within":"7d"}}`,
			`{"name":"h","where":{"did":{"event":`+q+`,"where":{"channel":`+q+`,"url":{"prefix":`+q+`},"campaign":{"in":[`+q+`]}}}}}`,
			`{"name":"h","where":{"count":{"steps":[`+q+`]},"same":"product","min":2}}`,
			`{"name":"h","where":{"sequence":[`+q+`,`+q+`],"gap":"1h"}}`,
			`{"name":"h","where":{"not_followed":{"first":`+q+`,"then":{"event":`+q+`}},"after":"each"}}`,
			`{"name":"h","where":{"any":[{"state":`+q+`},{"person":{"last_event":`+q+`}}]}}`,
			`{"name":"h","where":{"people":[`+q+`,"a"]}}`,
			`{"name":"h","where":{"all":[{"did":"x"},{"not":{"people":[`+q+`]}}]}}`,
			`{"name":"h","where":{"all":[{"did":{"step":"x","where":{"props.plan":`+q+`}}},{"person":{"traits.email":{"contains":`+q+`}}}]}}`,
			`{"name":"h","where":{"all":[{"rate":{"of":`+q+`,"per":{"event":`+q+`,"where":{"channel":`+q+`}}},"at_least":0.1,"min_base":2},{"did_not":"*","within":"1d"}]}}`,
		)
	}
	return defs
}

// TestHostileDefinitionsAreInert compiles definitions full of injection
// attempts (in the outbound steps of the step rules too): the query text
// never contains them (they travel as parameters), and running the
// queries changes nothing in the graph.
func TestHostileDefinitionsAreInert(t *testing.T) {
	asOf := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	outbound := append(slices.Clone(hostile), defaultOutbound...)
	var texts []string
	for _, def := range hostileDefinitions() {
		seg, err := journeys.ParseSegment([]byte(def))
		if err != nil {
			t.Fatalf("%s: %v", def, err)
		}
		for _, scope := range []journeys.SegmentScope{{}, {Prefix: "x"}, {People: []string{"a"}}} {
			text, params, err := graph.SegmentQuery(seg.Compile(asOf, outbound), scope)
			if err != nil {
				t.Fatalf("%s: %v", def, err)
			}
			for _, h := range hostile {
				if strings.Contains(text, h) {
					t.Fatalf("query text contains %q:\n%s", h, text)
				}
			}
			if strings.Contains(text, "DETACH") || strings.Contains(text, "DELETE") || strings.Contains(text, "//") {
				t.Fatalf("query text has a write or a comment:\n%s", text)
			}
			if len(params) < 3 {
				t.Fatalf("too few parameters %v", params)
			}
			texts = append(texts, text)
		}
	}
	// Run them against the real graph (with a canary person in scope, and the
	// hostile texts as its event names so that they match something).
	s := graphtest.Open(t)
	ctx := context.Background()
	prefix := graphtest.RunID(t)
	var canary []journeys.Event
	for i, h := range hostile {
		e := ev(prefix+"canary", h, i)
		e.Channel, e.URL, e.Campaign = h, h, h
		canary = append(canary, e)
	}
	write(t, s, canary...)
	for _, def := range hostileDefinitions() {
		seg, _ := journeys.ParseSegment([]byte(def))
		if _, err := s.EvaluateSegment(ctx, seg.Compile(asOf, outbound), journeys.SegmentScope{Prefix: prefix}); err != nil {
			t.Fatalf("%s: %v", def, err)
		}
	}
	p, events, err := s.Journey(ctx, prefix+"canary", 100)
	if err != nil || p.Events != len(hostile) || len(events) != len(hostile) {
		t.Errorf("canary after hostile queries: %+v, %d events, %v", p, len(events), err)
	}
	if len(texts) == 0 {
		t.Fatal("nothing compiled")
	}
}

// TestHostileDefinitionsAreRejected checks the parser's limits.
func TestHostileDefinitionsAreRejected(t *testing.T) {
	deep := `{"did":"x"}`
	for range journeys.MaxSegmentDepth + 2 {
		deep = `{"not":` + deep + `}`
	}
	wide := `{"all":[` + strings.Repeat(`{"did":"x"},`, journeys.MaxSegmentNodes) + `{"did":"x"}]}`
	tests := map[string]string{
		"deep nesting":      `{"name":"h","where":` + deep + `}`,
		"too many nodes":    `{"name":"h","where":` + wide + `}`,
		"huge count":        `{"name":"h","where":{"count":"x","min":1e300}}`,
		"huge integer":      `{"name":"h","where":{"count":"x","min":99999999999999999999999}}`,
		"negative count":    `{"name":"h","where":{"count":"x","min":-1}}`,
		"huge window":       `{"name":"h","where":{"did":"x","within":"99999d"}}`,
		"field not listed":  `{"name":"h","where":{"did":{"step":"x","where":{"props.x} DETACH DELETE n //":"y"}}}}`,
		"bad operator":      `{"name":"h","where":{"did":{"step":"x","where":{"channel":{"=~":".*"}}}}}`,
		"name injection":    `{"name":"h'}) DETACH DELETE n //","where":{"did":"x"}}`,
		"same not listed":   `{"name":"h","where":{"count":"x","same":"id} DETACH DELETE n","min":2}}`,
		"unknown kind":      `{"name":"h","where":{"cypher":"MATCH (n) DETACH DELETE n"}}`,
		"propensity label":  `{"name":"h","where":{"propensity":"x} DELETE n","at_least":0.5}}`,
		"long step":         `{"name":"h","where":{"did":"` + strings.Repeat("x", 300) + `"}}`,
		"two kinds in one":  `{"name":"h","where":{"did":"x","did_not":"y"}}`,
		"not an object":     `["MATCH (n) DETACH DELETE n"]`,
		"trailing value":    `{"name":"h","where":{"did":"x"}} {"x":1}`,
		"sequence too long": `{"name":"h","where":{"sequence":["a","b","c","d","e","f"]}}`,
	}
	for name, def := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := journeys.ParseSegment([]byte(def))
			if code := journeys.ErrorCode(err); code != journeys.EINVALID && code != journeys.ETOOLARGE {
				t.Errorf("got %v (code %q), want a rejection", err, code)
			}
		})
	}
	// A hand-built, too deep Pred is refused by the renderer too.
	p := journeys.Pred{Kind: journeys.PredAll}
	for range 40 {
		p = journeys.Pred{Kind: journeys.PredNot, Kids: []journeys.Pred{p}}
	}
	if _, _, err := graph.SegmentQuery(p, journeys.SegmentScope{}); journeys.ErrorCode(err) != journeys.EINVALID {
		t.Errorf("deep Pred: got %v", err)
	}
	bad := journeys.Pred{Kind: journeys.PredPerson, Field: "id} DETACH DELETE n", Op: "eq", Value: 1}
	if _, _, err := graph.SegmentQuery(bad, journeys.SegmentScope{}); journeys.ErrorCode(err) != journeys.EINVALID {
		t.Errorf("unlisted field: got %v", err)
	}
}

// FuzzSegmentQuery: whatever definition parses, its query carries no
// quote, comment or write clause, and every parameter it uses is supplied.
func FuzzSegmentQuery(f *testing.F) {
	for _, s := range segment.BuiltInSegments() {
		b, _ := json.Marshal(s)
		f.Add(b)
	}
	for _, d := range hostileDefinitions()[:18] {
		f.Add([]byte(d))
	}
	asOf := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		seg, err := journeys.ParseSegment(b)
		if err != nil {
			return
		}
		text, params, err := graph.SegmentQuery(seg.Compile(asOf, defaultOutbound), journeys.SegmentScope{})
		if err != nil {
			t.Fatalf("valid definition %s does not render: %v", b, err)
		}
		for _, bad := range []string{"'", `"`, "`", "//", "/*", "DELETE", "CREATE", "MERGE", " SET ", "REMOVE", "CALL db", "LOAD"} {
			if strings.Contains(text, bad) {
				t.Fatalf("query contains %q:\n%s", bad, text)
			}
		}
		for _, p := range cypher.Params(text) {
			if _, ok := params[p]; !ok {
				t.Fatalf("$%s not supplied", p)
			}
		}
	})
}
