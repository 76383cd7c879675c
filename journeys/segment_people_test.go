package journeys_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/segment"
)

// idList returns n distinct ids "p000001"..., as JSON list items.
func idList(from, n int) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf(`"p%06d"`, from+i)
	}
	return strings.Join(ids, ",")
}

func TestParsePeople(t *testing.T) {
	long := strings.Repeat("x", 201)
	bad30 := strings.TrimSuffix(strings.Repeat(`"",`, 30), ",")
	tests := []struct {
		name string
		def  string // the where clause
		want []string
		code string   // error code; "" when valid
		msgs []string // details wanted ("path: problem" prefixes)
	}{
		{"sorted without duplicates", `{"people": ["b", "a", "b", "c'} DETACH DELETE n //"]}`,
			[]string{"a", "b", "c'} DETACH DELETE n //"}, "", nil},
		{"combined with all and not", `{"all": [{"did": "purchase"}, {"not": {"people": ["x"]}}]}`, nil, "", nil},
		{"the maximum", `{"people": [` + idList(0, journeys.MaxSegmentPeople) + `]}`, nil, "", nil},
		{"duplicates do not count towards the maximum", `{"people": [` + idList(0, journeys.MaxSegmentPeople) + `,"p000000"]}`, nil, "", nil},
		{"not a list", `{"people": "a"}`, nil, journeys.EINVALID, []string{"where.people: want a list of person ids"}},
		{"empty list", `{"all": [{"did": "a"}, {"people": []}]}`, nil, journeys.EINVALID, []string{"where.all[1].people: empty"}},
		{"bad ids", `{"people": ["a", 7, "", "` + long + `", null]}`, nil, journeys.EINVALID, []string{
			"where.people[1]: want a person id (a string)", "where.people[2]: empty person id",
			"where.people[3]: person id longer than 200 bytes", "where.people[4]: want a person id"}},
		{"many bad ids are counted", `{"people": [` + bad30 + `]}`, nil, journeys.EINVALID, []string{
			"where.people[19]: empty person id", "where.people: 10 more bad person ids"}},
		{"no options", `{"people": ["a"], "within": "7d"}`, nil, journeys.EINVALID, []string{"where.within: not an option of people"}},
		{"two kinds", `{"people": ["a"], "did": "x"}`, nil, journeys.EINVALID, []string{"where: has both did and people"}},
		{"too many in one list", `{"people": [` + idList(0, journeys.MaxSegmentPeople+1) + `]}`, nil, journeys.EINVALID, []string{
			"where.people: more than 100000 person ids in the definition (100001 with this list)"}},
		{"too many over two lists", `{"any": [{"people": [` + idList(0, 60000) + `]}, {"people": [` + idList(60000, 60000) + `]}]}`, nil, journeys.EINVALID, []string{
			"where.any[1].people: more than 100000 person ids in the definition (120000 with this list)"}},
		{"too many bytes", `{"people": ["` + strings.Repeat(`x", "`, journeys.MaxStaticSegmentBytes/5) + `"]}`, nil, journeys.ETOOLARGE, nil},
		{"whitespace beside a people list", `{"people": ["a"]}` + strings.Repeat(" ", journeys.MaxSegmentBytes), nil, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seg, err := journeys.ParseSegment([]byte(`{"name": "s", "where": ` + tt.def + `}`))
			if code := journeys.ErrorCode(err); code != tt.code {
				t.Fatalf("error %v (code %q), want code %q", err, code, tt.code)
			}
			if err != nil {
				var got []string
				if e, ok := err.(*journeys.Error); ok {
					for _, d := range e.Details {
						got = append(got, d.Error())
					}
				}
				for _, w := range tt.msgs {
					if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w) }) {
						t.Errorf("no detail %q in\n%s", w, strings.Join(got, "\n"))
					}
				}
				return
			}
			if tt.want != nil && !slices.Equal(seg.Where.People, tt.want) {
				t.Errorf("people = %q, want %q", seg.Where.People, tt.want)
			}
		})
	}
}

func TestParseSegmentSizeApartFromPeople(t *testing.T) {
	pad := strings.Repeat(" ", journeys.MaxSegmentBytes)
	tests := []struct {
		name, def string
		code      string
	}{
		{"small", `{"name": "s", "where": {"did": "a"}}`, ""},
		{"large without people", `{"name": "s", "where": {"did": "a"}}` + pad, journeys.ETOOLARGE},
		{"large with people", `{"name": "s", "where": {"people": [` + idList(0, 20000) + `]}}`, ""},
		{"large with people, and a large rest", `{"name": "s", "where": {"any": [{"people": ["a"]}` +
			strings.Repeat(`, {"did": {"steps": [`+strings.Repeat(`"`+strings.Repeat("s", 150)+`",`, 99)+`"x"]}}`, 5) + `]}}`, journeys.ETOOLARGE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := journeys.ParseSegment([]byte(tt.def))
			if code := journeys.ErrorCode(err); code != tt.code {
				t.Errorf("got %v (code %q), want code %q", err, code, tt.code)
			}
		})
	}
}

func TestCompilePeople(t *testing.T) {
	seg := journeys.StaticSegment("s", "", []string{"b", "a", "b"})
	if err := seg.Validate(); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(seg)
	back, err := journeys.ParseSegment(b)
	if err != nil {
		t.Fatal(err)
	}
	p := back.Compile(time.Now(), nil)
	if p.Kind != journeys.PredPeople || !slices.Equal(p.People, []string{"a", "b"}) || len(p.Leaves()) != 0 {
		t.Errorf("compiled %+v (leaves %v), want people [a b] and no leaves", p, p.Leaves())
	}
	if err := journeys.StaticSegment("s", "", nil).Validate(); journeys.ErrorCode(err) != journeys.EINVALID {
		t.Errorf("empty static segment: %v, want EINVALID", err)
	}
}

// fakeSegmentStore evaluates every definition to people and records the
// membership changes applied.
type fakeSegmentStore struct {
	people  []string
	applied []journeys.MembershipChange
}

func (f *fakeSegmentStore) SaveSegment(_ context.Context, s journeys.Segment, _ time.Time) (journeys.Segment, error) {
	s.Version = 1
	return s, nil
}
func (f *fakeSegmentStore) CreateSegment(ctx context.Context, s journeys.Segment, now time.Time) (journeys.Segment, error) {
	return f.SaveSegment(ctx, s, now)
}
func (f *fakeSegmentStore) Segment(context.Context, string) (journeys.Segment, error) {
	return journeys.Segment{}, journeys.Errorf(journeys.ENOTFOUND, "not found")
}
func (f *fakeSegmentStore) Segments(context.Context) ([]journeys.Segment, error) { return nil, nil }
func (f *fakeSegmentStore) DeleteSegment(context.Context, string) error          { return nil }
func (f *fakeSegmentStore) EvaluateSegment(context.Context, journeys.Pred, journeys.SegmentScope) ([]string, error) {
	return f.people, nil
}
func (f *fakeSegmentStore) SegmentMembers(context.Context, string, journeys.SegmentScope) ([]string, error) {
	return nil, nil
}
func (f *fakeSegmentStore) Explain(context.Context, []string, []journeys.EventCond) (map[string]journeys.Explanation, error) {
	return nil, nil
}
func (f *fakeSegmentStore) ApplyMembership(_ context.Context, _ journeys.Segment, _ time.Time, cs []journeys.MembershipChange) ([]journeys.MembershipChange, error) {
	f.applied = append(f.applied, cs...)
	return cs, nil
}

// TestStaticSegmentReasons: the reason of each entry (and its webhook)
// records the size of a people list, not the list.
func TestStaticSegmentReasons(t *testing.T) {
	store := &fakeSegmentStore{people: []string{"a", "b"}}
	sg := &segment.Segmenter{Store: store}
	seg := journeys.StaticSegment("s", "", []string{"a", "b", "ghost"})
	seg.Where = journeys.Condition{All: []journeys.Condition{seg.Where, {Did: &journeys.Match{Step: "purchase"}}}}
	_, res, err := sg.Save(context.Background(), seg)
	if err != nil || res.Entered != 2 || res.Warning != "" {
		t.Fatalf("save: %+v, %v; want 2 entered and no size warning", res, err)
	}
	for _, c := range store.applied {
		var r struct{ Definition json.RawMessage }
		if err := json.Unmarshal(c.Reason, &r); err != nil {
			t.Fatal(err)
		}
		if want := `{"all":[{"people":{"count":3}},{"did":"purchase"}]}`; string(r.Definition) != want {
			t.Errorf("reason definition %s, want %s", r.Definition, want)
		}
		if strings.Contains(string(c.Payload), "ghost") {
			t.Errorf("webhook payload lists the ids: %s", c.Payload)
		}
	}
}
