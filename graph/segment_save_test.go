package graph_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/segment"
)

// TestSegmentCreateIsAtomic creates one name twice at once, several times:
// exactly one create wins and the other answers ECONFLICT, and the stored
// definition is the winner's (before, both "won" and one was overwritten).
func TestSegmentCreateIsAtomic(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	prefix := graphtest.RunID(t)
	a, b := prefix+"a", prefix+"b"
	write(t, s, ev(a, "purchase", 0), ev(b, "purchase", 1))
	sg := &segment.Segmenter{Store: s}
	for round := range 5 {
		name := fmt.Sprintf("%sdup%d", prefix, round)
		t.Cleanup(func() { _ = s.DeleteSegment(context.Background(), name) })
		defs := []journeys.Segment{
			{Name: name, MinSize: 1, Where: journeys.Condition{People: []string{a}}},
			{Name: name, MinSize: 1, Where: journeys.Condition{People: []string{b}}},
		}
		errs := make([]error, len(defs))
		var wg sync.WaitGroup
		for i, d := range defs {
			wg.Go(func() { _, _, errs[i] = sg.Create(ctx, d) })
		}
		wg.Wait()
		var won []int
		for i, err := range errs {
			switch code := journeys.ErrorCode(err); code {
			case "":
				won = append(won, i)
			case journeys.ECONFLICT:
			default:
				t.Fatalf("round %d: create %d: %v", round, i, err)
			}
		}
		if len(won) != 1 {
			t.Fatalf("round %d: %d creates succeeded (errors %v), want exactly 1", round, len(won), errs)
		}
		stored, err := s.Segment(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if want := defs[won[0]].Where.People; !slices.Equal(stored.Where.People, want) || stored.Version != 1 {
			t.Errorf("round %d: stored v%d %v, want v1 %v (the winner's)", round, stored.Version, stored.Where.People, want)
		}
	}
}

// TestSegmentConcurrentSavesKeepTheLastVersion saves four definitions of
// one segment at once, several times: the stored members are always those
// of the version stored last, never an earlier one's.
func TestSegmentConcurrentSavesKeepTheLastVersion(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	prefix := graphtest.RunID(t)
	var people []string
	for i := range 4 {
		people = append(people, fmt.Sprintf("%sp%d", prefix, i))
		write(t, s, ev(people[i], "purchase", i))
	}
	name := prefix + "last"
	t.Cleanup(func() { _ = s.DeleteSegment(context.Background(), name) })
	sg := &segment.Segmenter{Store: s}
	scope := journeys.SegmentScope{Prefix: prefix}
	for round := range 4 {
		var wg sync.WaitGroup
		for i := range people {
			// Each version selects a different pair, so that any mix-up shows.
			pair := []string{people[i], people[(i+round+1)%len(people)]}
			slices.Sort(pair)
			pair = slices.Compact(pair)
			d := journeys.Segment{Name: name, MinSize: 1, Where: journeys.Condition{People: pair}}
			wg.Go(func() {
				if _, _, err := sg.Save(ctx, d); err != nil {
					t.Errorf("save: %v", err)
				}
			})
		}
		wg.Wait()
		stored, err := s.Segment(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		members, err := s.SegmentMembers(ctx, name, scope)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(members, stored.Where.People) {
			t.Errorf("round %d: members %v, but the stored version %d selects %v", round, members, stored.Version, stored.Where.People)
		}
	}
}

// TestApplyMembershipRefusesAStaleVersion applies the changes of an
// evaluation of version 1 after version 2 was stored: nothing is applied
// and the error wraps ErrStale.
func TestApplyMembershipRefusesAStaleVersion(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	prefix := graphtest.RunID(t)
	a := prefix + "a"
	write(t, s, ev(a, "purchase", 0))
	name := prefix + "stale"
	t.Cleanup(func() { _ = s.DeleteSegment(context.Background(), name) })
	now := time.Now()
	v1, err := s.SaveSegment(ctx, journeys.Segment{Name: name, Where: journeys.Condition{People: []string{a}}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveSegment(ctx, journeys.Segment{Name: name, Where: journeys.Condition{Did: &journeys.Match{Step: "purchase"}}}, now); err != nil {
		t.Fatal(err)
	}
	change := journeys.MembershipChange{ID: journeys.NewID(), Kind: journeys.KindEntered, Segment: name, Version: v1.Version,
		Person: a, At: now, Reason: []byte(`{}`), Payload: []byte(`{}`)}
	applied, err := s.ApplyMembership(ctx, v1, now, []journeys.MembershipChange{change})
	if !errors.Is(err, journeys.ErrStale) || journeys.ErrorCode(err) != journeys.ECONFLICT || len(applied) != 0 {
		t.Fatalf("apply of v%d after v2 = %d applied, %v; want none, ECONFLICT wrapping ErrStale", v1.Version, len(applied), err)
	}
	if members, _ := s.SegmentMembers(ctx, name, journeys.SegmentScope{Prefix: prefix}); len(members) != 0 {
		t.Errorf("members after a refused apply: %v", members)
	}
}
