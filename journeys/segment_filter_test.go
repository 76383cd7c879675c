package journeys

import (
	"context"
	"slices"
	"testing"
)

// memMembers is a MemberReader over fixed memberships.
type memMembers map[string][]string

func (m memMembers) Segment(_ context.Context, name string) (Segment, error) {
	if _, ok := m[name]; !ok {
		return Segment{}, Errorf(ENOTFOUND, "segment %s not found", name)
	}
	return Segment{Name: name}, nil
}

func (m memMembers) SegmentMembers(_ context.Context, name string, _ SegmentScope) ([]string, error) {
	return m[name], nil
}

func TestInSegment(t *testing.T) {
	m := &memSource{people: map[string]StoredJourney{}}
	for _, id := range []string{"a", "b", "c"} {
		m.put(id, tch("view", "pv", 1, "", ""))
	}
	r := InSegment{Reader: &Cache{Source: m}, Members: memMembers{"vip": {"a", "c", "gone"}, "empty": nil}}
	tests := []struct {
		segment string
		want    []string
		code    string
	}{
		{"", []string{"a", "b", "c"}, ""},
		{"vip", []string{"a", "c"}, ""},
		{"empty", nil, ""},
		{"nope", nil, EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.segment, func(t *testing.T) {
			ctx := context.Background()
			f := Filter{Segment: tt.segment}
			seqs, err := r.Sequences(ctx, f, false)
			touches, err2 := r.Touches(ctx, TouchQuery{Filter: f})
			if tt.code != "" {
				if ErrorCode(err) != tt.code || ErrorCode(err2) != tt.code {
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
			parts, err := r.TouchParts(ctx, TouchQuery{Filter: f}, 2)
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
	if _, err := r.Reader.Sequences(context.Background(), Filter{Segment: "vip"}, false); ErrorCode(err) != EINVALID {
		t.Errorf("the cache given a segment: %v, want invalid", err)
	}
}
