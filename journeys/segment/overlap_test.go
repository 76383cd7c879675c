package segment

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
)

func TestMerge(t *testing.T) {
	a, b := []string{"a", "c", "d", "f"}, []string{"b", "c", "f", "g", "h"}
	tests := []struct {
		op   string
		a, b []string
		want []string
	}{
		{OpBoth, a, b, []string{"c", "f"}},
		{OpOnlyA, a, b, []string{"a", "d"}},
		{OpOnlyB, a, b, []string{"b", "g", "h"}},
		{OpBoth, nil, b, nil},
		{OpOnlyB, nil, b, b},
		{OpOnlyA, a, nil, a},
		{OpBoth, a, a, a},
	}
	for _, tc := range tests {
		if got := merge(tc.a, tc.b, tc.op); !slices.Equal(got, tc.want) {
			t.Errorf("merge(%v, %v, %s) = %v, want %v", tc.a, tc.b, tc.op, got, tc.want)
		}
	}
}

// memberLists is a SegmentGetter and MembersPager over sorted member lists.
type memberLists map[string][]string

func (m memberLists) Segment(_ context.Context, name string) (journeys.Segment, error) {
	if _, ok := m[name]; !ok {
		return journeys.Segment{}, journeys.Errorf(journeys.ENOTFOUND, "segment %q not found", name)
	}
	return journeys.Segment{Name: name}, nil
}

func (m memberLists) MembersPage(_ context.Context, name, after string, limit int) ([]journeys.Member, error) {
	var out []journeys.Member
	for _, id := range m[name] {
		if id > after && len(out) < limit {
			out = append(out, journeys.Member{Person: id})
		}
	}
	return out, nil
}

func TestCompareSegments(t *testing.T) {
	big := make([]string, overlapPage+5) // two pages
	for i := range big {
		big[i] = fmt.Sprintf("p%06d", i)
	}
	lists := memberLists{"a": {"p000001", "p000002", "x"}, "b": big, "empty": nil}
	ctx := context.Background()
	got, err := CompareSegments(ctx, lists, lists, []string{"a", "b", "empty"})
	if err != nil {
		t.Fatal(err)
	}
	want := Overlap{
		Segments: []OverlapSegment{{"a", 3}, {"b", overlapPage + 5}, {"empty", 0}},
		Pairs: []OverlapPair{
			{A: "a", B: "b", Both: 2, OnlyA: 1, OnlyB: overlapPage + 3, Jaccard: 2.0 / float64(overlapPage+6)},
			{A: "a", B: "empty", OnlyA: 3},
			{A: "b", B: "empty", OnlyA: overlapPage + 5},
		},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	for _, bad := range []struct {
		names []string
		code  string
	}{
		{[]string{"a"}, journeys.EINVALID},
		{[]string{"a", "a"}, journeys.EINVALID},
		{[]string{"a", "nope"}, journeys.ENOTFOUND},
		{make([]string, MaxOverlapSegments+1), journeys.EINVALID},
	} {
		if _, err := CompareSegments(ctx, lists, lists, bad.names); journeys.ErrorCode(err) != bad.code {
			t.Errorf("%v: %v, want %s", bad.names, err, bad.code)
		}
	}
	if _, err := CombinedMembers(ctx, lists, "a", "b", "xor"); journeys.ErrorCode(err) != journeys.EINVALID {
		t.Errorf("unknown op: %v", err)
	}
}

// TestCombineSelectsTheSetOperation: the definition Combine writes selects,
// on journeys, the members the set operation of the two segments lists.
func TestCombineSelectsTheSetOperation(t *testing.T) {
	m := &inmem.MemSource{People: map[string]inmem.StoredJourney{}}
	at := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	day := int64(24 * time.Hour / time.Millisecond)
	now := at.UnixMilli()
	steps := [][]string{{"view"}, {"view", "add_to_cart"}, {"add_to_cart", "purchase"}, {"purchase"}, {"email_open"}, {}}
	for i, ss := range steps {
		var ts []journeys.Touch
		for k, s := range ss {
			ts = append(ts, inmem.MakeTouch(s, s, now-int64(k+1)*day, "", ""))
		}
		m.Put(fmt.Sprintf("u%d", i), ts...)
	}
	c := &inmem.Cache{Source: m}
	ctx := context.Background()
	a := journeys.Segment{Name: "carted", Where: journeys.Condition{Did: &journeys.Match{Step: "add_to_cart"}}}
	b := journeys.Segment{Name: "bought", Where: journeys.Condition{Did: &journeys.Match{Step: "purchase"}}}
	eval := func(w journeys.Condition) []string {
		t.Helper()
		s := journeys.Segment{Name: "x", Where: w}
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		ids, err := c.EvaluateSegment(ctx, s.Compile(at, nil), journeys.SegmentScope{})
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	sa, sb := eval(a.Where), eval(b.Where)
	for _, op := range []string{OpBoth, OpOnlyA, OpOnlyB} {
		w, err := Combine(a, b, op)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := eval(w), merge(sa, sb, op); !slices.Equal(got, want) || len(want) == 0 {
			t.Errorf("%s: the combined definition selects %v, the set operation lists %v (want equal, not empty)", op, got, want)
		}
	}
}
