package web

import (
	"context"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/report"
)

// fakeSequences serves fixed step sequences to a real report.Analytics
// and remembers the last filter asked for.
type fakeSequences struct {
	seqs   []journeys.Sequence
	filter journeys.Filter
	err    error
}

func (f *fakeSequences) Sequences(_ context.Context, filter journeys.Filter, _ bool) (journeys.SequenceSet, error) {
	f.filter = filter
	if f.err != nil {
		return nil, f.err
	}
	return &fakeSequenceSet{seqs: f.seqs, i: -1}, nil
}

type fakeSequenceSet struct {
	seqs []journeys.Sequence
	i    int
}

func (s *fakeSequenceSet) Next() bool            { s.i++; return s.i < len(s.seqs) }
func (s *fakeSequenceSet) At() journeys.Sequence { return s.seqs[s.i] }
func (s *fakeSequenceSet) Err() error            { return nil }
func (s *fakeSequenceSet) Close() error          { return nil }

func steps(person string, names ...string) journeys.Sequence {
	s := journeys.Sequence{Person: person}
	for i, n := range names {
		s.Events = append(s.Events, journeys.StepEvent{Step: n, TS: int64(i) * 60000})
	}
	return s
}

func TestAnalyticsRoutes(t *testing.T) {
	seqs := &fakeSequences{seqs: []journeys.Sequence{
		steps("a", "view", "cart", "buy"), steps("b", "view", "cart"), steps("c", "view"),
	}}
	srv := newTestServer(&fakeIngester{}, &fakeStore{})
	srv.SetAnalyst(&report.Analytics{Store: seqs})
	tests := []struct {
		name, method, path, auth, body string
		status                         int
		want                           string // substring of the body
	}{
		{"paths", "GET", "/api/v1/paths?start=view&depth=2", "Bearer r", "", 200, `{"steps":["view","cart"],"people":2,"percent":66.67,"units":2}`},
		{"paths with a date range", "GET", "/api/v1/paths?from=2024-01-01&to=2024-02-01T00:00:00Z&channel=email", "Bearer r", "", 200, `"people":3`},
		{"paths bad depth", "GET", "/api/v1/paths?depth=99", "Bearer r", "", 400, `"message":"depth: 99 is more than the maximum 20"`},
		{"paths depth not a number", "GET", "/api/v1/paths?depth=x", "Bearer r", "", 400, `"field":"depth"`},
		{"paths bad date", "GET", "/api/v1/paths?from=yesterday", "Bearer r", "", 400, `"field":"from"`},
		{"paths need a key", "GET", "/api/v1/paths", "", "", 401, `"code":"unauthorized"`},
		{"transitions", "GET", "/api/v1/transitions?unit=journey", "Bearer r", "", 200, `{"from":"cart","to":"(exit)","count":1,"people":1,"probability":0.5}`},
		{"transitions bad unit", "GET", "/api/v1/transitions?unit=week", "Bearer r", "", 400, `unit: unknown unit`},
		{"funnel", "POST", "/api/v1/funnels", "Bearer r", `{"steps":["view","cart",{"step":"buy","within":"1h"}],"window":"7d"}`, 200,
			`{"step":"cart","people":2,"drop_off":1,"from_previous":0.6667,"from_first":0.6667`},
		{"funnel bad order", "POST", "/api/v1/funnels", "Bearer r", `{"steps":["view","cart"],"order":"x"}`, 400,
			`"details":[{"row":0,"field":"order","problem":"unknown order mode \"x\" (want strict, ordered or any)"}]`},
		{"funnel bad step window", "POST", "/api/v1/funnels", "Bearer r", `{"steps":["view","cart",{"step":"buy","within":"soon"}]}`, 400, `"code":"invalid"`},
		{"funnel unknown field", "POST", "/api/v1/funnels", "Bearer r", `{"steps":["view","cart"],"windo":"7d"}`, 400, `unknown field`},
		{"dropped", "POST", "/api/v1/funnels/dropped", "Bearer r", `{"funnel":{"steps":["view","cart","buy"]},"step":2,"limit":1}`, 200,
			`"step":2,"step_name":"buy","total":1,"offset":0,"people":[{"id":"b"`},
		{"dropped bad step", "POST", "/api/v1/funnels/dropped", "Bearer r", `{"funnel":{"steps":["view","cart"]},"step":0}`, 400, `"field":"step"`},
		{"dropped bad funnel", "POST", "/api/v1/funnels/dropped", "Bearer r", `{"funnel":{"steps":["view"]},"step":1}`, 400, `"field":"funnel.steps"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(srv, tt.method, tt.path, tt.auth, tt.body)
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("%s %s = %d %s, want %d with %s", tt.method, tt.path, w.Code, w.Body, tt.status, tt.want)
			}
		})
	}
	if seqs.filter.Channel != "" && seqs.filter.Channel != "email" {
		t.Errorf("filter channel %q", seqs.filter.Channel)
	}
	seqs.err = journeys.Errorf(journeys.EUNAVAILABLE, "neo4j down")
	if w := do(srv, "GET", "/api/v1/transitions", "Bearer r", ""); w.Code != 503 {
		t.Errorf("store down: %d %s, want 503", w.Code, w.Body)
	}
	bare := newTestServer(&fakeIngester{}, &fakeStore{})
	if w := do(bare, "GET", "/api/v1/paths", "Bearer r", ""); w.Code != 404 {
		t.Errorf("without an analyst: %d, want 404", w.Code)
	}
}
