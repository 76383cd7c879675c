package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// fakeSegments is a SegmentService and SegmentReader over a map.
type fakeSegments struct {
	segs     map[string]journeys.Segment
	members  []journeys.Member
	changes  []journeys.SegmentChange
	emails   map[string]string // person → email trait
	outcomes []journeys.EntryOutcome
	survival map[string][]journeys.SurvivalTime // by segment
}

func (f *fakeSegments) Preview(_ context.Context, s journeys.Segment, asOf time.Time, sample int) (journeys.Preview, error) {
	return journeys.Preview{Count: 3, Sample: []string{"a", "b", "c"}[:min(sample, 3)], AsOf: asOf, Warning: "small"}, nil
}
func (f *fakeSegments) Save(_ context.Context, s journeys.Segment) (journeys.Segment, journeys.RefreshResult, error) {
	s.Version = 1
	f.segs[s.Name] = s
	return s, journeys.RefreshResult{Segment: s.Name, Entered: 2}, nil
}

// Create is Save unless the name is taken, as the segment service decides.
func (f *fakeSegments) Create(ctx context.Context, s journeys.Segment) (journeys.Segment, journeys.RefreshResult, error) {
	if _, ok := f.segs[s.Name]; ok {
		return journeys.Segment{}, journeys.RefreshResult{}, journeys.Errorf(journeys.ECONFLICT, "segment %q exists", s.Name)
	}
	return f.Save(ctx, s)
}

// Delete refuses built-ins, as the segment service does.
func (f *fakeSegments) Delete(_ context.Context, name string) error {
	s, ok := f.segs[name]
	switch {
	case !ok:
		return journeys.Errorf(journeys.ENOTFOUND, "segment %q not found", name)
	case s.BuiltIn:
		return journeys.Errorf(journeys.ECONFLICT, "segment %q is built in and cannot be deleted", name)
	}
	delete(f.segs, name)
	return nil
}

func (f *fakeSegments) Refresh(context.Context, []string, journeys.SegmentScope, string, time.Time) ([]journeys.RefreshResult, error) {
	return []journeys.RefreshResult{{}}, nil
}
func (f *fakeSegments) Segment(_ context.Context, name string) (journeys.Segment, error) {
	s, ok := f.segs[name]
	if !ok {
		return s, journeys.Errorf(journeys.ENOTFOUND, "segment %q not found", name)
	}
	return s, nil
}
func (f *fakeSegments) Segments(context.Context) ([]journeys.Segment, error) { return nil, nil }
func (f *fakeSegments) MembersPage(_ context.Context, _, after string, limit int) ([]journeys.Member, error) {
	var out []journeys.Member
	for _, m := range f.members {
		if m.Person > after && len(out) < limit {
			out = append(out, m)
		}
	}
	return out, nil
}
func (f *fakeSegments) MemberContacts(ctx context.Context, segment, after string, limit int) ([]journeys.MemberContact, error) {
	page, _ := f.MembersPage(ctx, segment, after, limit)
	out := make([]journeys.MemberContact, len(page))
	for i, m := range page {
		out[i] = journeys.MemberContact{Member: m, Email: f.emails[m.Person]}
	}
	return out, nil
}
func (f *fakeSegments) MembersAt(context.Context, string, time.Time, string, int) ([]journeys.Member, error) {
	return nil, nil
}
func (f *fakeSegments) History(context.Context, string, journeys.HistoryQuery) ([]journeys.HistoryEntry, error) {
	return nil, nil
}
func (f *fakeSegments) Changes(_ context.Context, _ string, after int64, limit int) ([]journeys.SegmentChange, error) {
	var out []journeys.SegmentChange
	for _, c := range f.changes {
		if c.Seq > after && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}
func (f *fakeSegments) EntryOutcomes(context.Context, journeys.OutcomeQuery) ([]journeys.EntryOutcome, error) {
	return f.outcomes, nil
}
func (f *fakeSegments) SurvivalTimes(_ context.Context, q journeys.SurvivalQuery) ([]journeys.SurvivalTime, error) {
	return f.survival[q.Segment], nil
}
func (f *fakeSegments) PersonSegments(context.Context, string) ([]journeys.PersonSegment, error) {
	return []journeys.PersonSegment{{Segment: "vip"}}, nil
}

func TestSegmentRoutes(t *testing.T) {
	f := &fakeSegments{segs: map[string]journeys.Segment{"vip": {Name: "vip", BuiltIn: true}}}
	for i := range 7 {
		f.members = append(f.members, journeys.Member{Person: string(rune('a' + i)), Version: 1})
		f.changes = append(f.changes, journeys.SegmentChange{Seq: int64(2 * (i + 1)), Kind: journeys.KindEntered, Person: string(rune('a' + i))})
	}
	s := New(Config{WriteKeys: []string{"w"}, ReadKeys: []string{"r"}, AdminKeys: []string{"a"}}, &fakeIngester{}, &fakeStore{}, &fakeStore{}, WithSegments(f, f))
	good := `{"name":"mine","where":{"did":"purchase","within":"7d"}}`
	tests := []struct {
		name, method, path, auth, body string
		status                         int
		contains                       string
	}{
		{"create needs the admin key", "POST", "/api/v1/segments", "Bearer r", good, http.StatusForbidden, "forbidden"},
		{"create", "POST", "/api/v1/segments", "Bearer a", good, http.StatusCreated, `"entered":2`},
		{"create twice", "POST", "/api/v1/segments", "Bearer a", good, http.StatusConflict, "exists"},
		{"bad definition names the node", "PUT", "/api/v1/segments/x", "Bearer a", `{"where":{"all":[{"did":"a"},{"did":"b","within":"7x"}]}}`,
			http.StatusBadRequest, `"field":"where.all[1].within","problem":"\"7x\" is not a duration`},
		{"path and body names differ", "PUT", "/api/v1/segments/x", "Bearer a", good, http.StatusBadRequest, "differs"},
		{"preview with the read key", "POST", "/api/v1/segments/preview?sample=2", "Bearer r", good, http.StatusOK, `"sample":["a","b"]`},
		{"get unknown", "GET", "/api/v1/segments/nope", "Bearer r", "", http.StatusNotFound, "not_found"},
		{"built-in cannot be deleted", "DELETE", "/api/v1/segments/vip", "Bearer a", "", http.StatusConflict, "built in"},
		{"members page", "GET", "/api/v1/segments/vip/members?limit=3&after=b", "Bearer r", "", http.StatusOK, `"next_after":"e"`},
		{"bad limit", "GET", "/api/v1/segments/vip/members?limit=0", "Bearer r", "", http.StatusBadRequest, "limit"},
		{"changes from the start", "GET", "/api/v1/segments/vip/changes?limit=3", "Bearer r", "", http.StatusOK, `"seq":6,"id":"","kind":"entered","person":"c"`},
		{"changes: the next page", "GET", "/api/v1/segments/vip/changes?limit=3&after=6", "Bearer r", "", http.StatusOK, `"more":true,"next":"12"`},
		{"changes: the end", "GET", "/api/v1/segments/vip/changes?after=14", "Bearer r", "", http.StatusOK, `"changes":[],"more":false,"next":"14"`},
		{"changes: a bad cursor", "GET", "/api/v1/segments/vip/changes?after=x1", "Bearer r", "", http.StatusBadRequest, `after: \"x1\" is not a cursor`},
		{"changes of an unknown segment", "GET", "/api/v1/segments/nope/changes", "Bearer r", "", http.StatusNotFound, "not_found"},
		{"person segments", "GET", "/api/v1/people/p1/segments", "Bearer r", "", http.StatusOK, `"segment":"vip"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(s, tt.method, tt.path, tt.auth, tt.body)
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.contains) {
				t.Errorf("got %d %s, want %d containing %s", w.Code, w.Body.String(), tt.status, tt.contains)
			}
		})
	}
	w := do(s, "GET", "/api/v1/segments/vip/members.csv", "Bearer r", "")
	if lines := strings.Split(strings.TrimSpace(w.Body.String()), "\n"); w.Code != http.StatusOK || len(lines) != 8 || lines[0] != "id,email,first_name,last_name,name,entered_at,version" {
		t.Errorf("csv: %d %q", w.Code, w.Body.String())
	}
	var env struct {
		Error struct{ Details []journeys.RowError }
	}
	w = do(s, "POST", "/api/v1/segments/preview", "Bearer r", `{"name":"x","where":{"any":[{"did":1},{"propensity":"x","at_least":2}]}}`)
	if json.Unmarshal(w.Body.Bytes(), &env); len(env.Error.Details) < 3 {
		t.Errorf("want every problem listed: %s", w.Body.String())
	}
}
