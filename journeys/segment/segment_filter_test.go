package segment

import (
	"context"
	"slices"
	"testing"

	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
)

// memMembers is a MemberReader over fixed memberships.
type memMembers map[string][]string

func (m memMembers) Segment(_ context.Context, name string) (journeys.Segment, error) {
	if _, ok := m[name]; !ok {
		return journeys.Segment{}, journeys.Errorf(journeys.ENOTFOUND, "segment %s not found", name)
	}
	return journeys.Segment{Name: name}, nil
}

func (m memMembers) SegmentMembers(_ context.Context, name string, _ journeys.SegmentScope) ([]string, error) {
	return m[name], nil
}

func TestInSegment(t *testing.T) {
	m := &inmem.MemSource{People: map[string]inmem.StoredJourney{}}
	for _, id := range []string{"a", "b", "c"} {
		m.Put(id, inmem.MakeTouch("view", "pv", 1, "", ""))
	}
	r := InSegment{Reader: &inmem.Cache{Source: m}, Members: memMembers{"vip": {"a", "c", "gone"}, "empty": nil}}
	tests := []struct {
		segment string
		want    []string
		code    string
	}{
		{"", []string{"a", "b", "c"}, ""},
		{"vip", []string{"a", "c"}, ""},
		{"empty", nil, ""},
		{"nope", nil, journeys.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.segment, func(t *testing.T) {
			ctx := context.Background()
			f := journeys.Filter{Segment: tt.segment}
			seqs, err := r.Sequences(ctx, f, false)
			touches, err2 := r.Touches(ctx, journeys.TouchQuery{Filter: f})
			if tt.code != "" {
				if journeys.ErrorCode(err) != tt.code || journeys.ErrorCode(err2) != tt.code {
					t.Fatalf("errors %v, %v; want %s", err, err2, tt.code)
				}
				return
			}
			if err != nil || err2 != nil {
				t.Fatal(err, err2)
			}
			var got, got2 []string
			for seqs.Next() {
				got = append(got, seqs.At().Person)
			}
			for touches.Next() {
				got2 = append(got2, touches.At().Person)
			}
			if !slices.Equal(got, tt.want) || !slices.Equal(got2, tt.want) {
				t.Errorf("people %v and %v, want %v", got, got2, tt.want)
			}
			parts, err := r.TouchParts(ctx, journeys.TouchQuery{Filter: f}, 2)
			if err != nil || len(parts) != 2 {
				t.Fatalf("%d parts, %v", len(parts), err)
			}
			var got3 []string
			for _, p := range parts {
				for p.Next() {
					got3 = append(got3, p.At().Person)
				}
			}
			if !slices.Equal(got3, tt.want) {
				t.Errorf("people in two parts %v, want %v", got3, tt.want)
			}
		})
	}
	if _, err := r.Reader.Sequences(context.Background(), journeys.Filter{Segment: "vip"}, false); journeys.ErrorCode(err) != journeys.EINVALID {
		t.Errorf("the cache given a segment: %v, want invalid", err)
	}
}
