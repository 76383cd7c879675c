package segment

import (
	"context"
	"fmt"
	"slices"

	"github.com/journeygraph/journeygraph/journeys"
)

// Overlap limits.
const (
	// MaxOverlapSegments bounds the segments compared at once (the matrix
	// grows with their square).
	MaxOverlapSegments = 12
	overlapPage        = 10000
)

// Overlap is how a few segments' current members overlap.
type Overlap struct {
	Segments []OverlapSegment `json:"segments"`
	Pairs    []OverlapPair    `json:"pairs"` // each pair once, A before B in Segments' order
}

// OverlapSegment is one compared segment and its size.
type OverlapSegment struct {
	Name    string `json:"name"`
	Members int    `json:"members"`
}

// OverlapPair is the overlap of two segments: members of both, of A only,
// of B only, and the Jaccard index |A∩B| / |A∪B| (0 when both are empty).
type OverlapPair struct {
	A       string  `json:"a"`
	B       string  `json:"b"`
	Both    int     `json:"both"`
	OnlyA   int     `json:"only_a"`
	OnlyB   int     `json:"only_b"`
	Jaccard float64 `json:"jaccard"`
}

// Set operations of two segments (Combine, CombinedMembers).
const (
	OpBoth  = "both"   // members of A and of B
	OpOnlyA = "only_a" // members of A, not of B
	OpOnlyB = "only_b" // members of B, not of A
)

// CompareSegments reads the current members of the named segments (2 to
// MaxOverlapSegments, each once; ENOTFOUND for an unknown one through
// segs) and returns their pairwise overlap.
func CompareSegments(ctx context.Context, segs SegmentGetter, members MembersPager, names []string) (Overlap, error) {
	if err := checkOverlapNames(names); err != nil {
		return Overlap{}, err
	}
	sets := make([][]string, len(names))
	out := Overlap{Segments: make([]OverlapSegment, len(names))}
	for i, n := range names {
		if _, err := segs.Segment(ctx, n); err != nil {
			return Overlap{}, err
		}
		ids, err := allMembers(ctx, members, n)
		if err != nil {
			return Overlap{}, err
		}
		sets[i], out.Segments[i] = ids, OverlapSegment{Name: n, Members: len(ids)}
	}
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			both := len(merge(sets[i], sets[j], OpBoth))
			p := OverlapPair{A: names[i], B: names[j], Both: both, OnlyA: len(sets[i]) - both, OnlyB: len(sets[j]) - both}
			if union := both + p.OnlyA + p.OnlyB; union > 0 {
				p.Jaccard = float64(both) / float64(union)
			}
			out.Pairs = append(out.Pairs, p)
		}
	}
	return out, nil
}

// SegmentGetter reads a stored segment (ENOTFOUND when unknown).
type SegmentGetter interface {
	Segment(ctx context.Context, name string) (journeys.Segment, error)
}

func checkOverlapNames(names []string) error {
	if len(names) < 2 || len(names) > MaxOverlapSegments {
		return journeys.Errorf(journeys.EINVALID, "segments: compare 2 to %d segments, not %d", MaxOverlapSegments, len(names))
	}
	for i, n := range names {
		if n == "" {
			return journeys.Errorf(journeys.EINVALID, "segments[%d]: empty name", i)
		}
		if slices.Index(names, n) != i {
			return journeys.Errorf(journeys.EINVALID, "segments[%d]: %q is listed twice", i, n)
		}
	}
	return nil
}

// CombinedMembers returns the current members of a set operation of two
// segments (op: OpBoth, OpOnlyA or OpOnlyB), sorted. The caller has read
// the two segments (an unknown name has no members to tell from an empty
// segment's).
func CombinedMembers(ctx context.Context, members MembersPager, a, b, op string) ([]string, error) {
	if err := checkOp(op); err != nil {
		return nil, err
	}
	if err := checkOverlapNames([]string{a, b}); err != nil {
		return nil, err
	}
	var sets [2][]string
	for i, n := range []string{a, b} {
		ids, err := allMembers(ctx, members, n)
		if err != nil {
			return nil, err
		}
		sets[i] = ids
	}
	return merge(sets[0], sets[1], op), nil
}

// Combine returns the definition of a set operation of two segments: all
// of A's and B's conditions (OpBoth), or one's and not the other's. Saved,
// it is a segment like any other, evaluated on the journeys (it does not
// follow later edits of A or B).
func Combine(a, b journeys.Segment, op string) (journeys.Condition, error) {
	if err := checkOp(op); err != nil {
		return journeys.Condition{}, err
	}
	wa, wb := a.Where, b.Where
	switch op {
	case OpBoth:
		return journeys.Condition{All: []journeys.Condition{wa, wb}}, nil
	case OpOnlyA:
		return journeys.Condition{All: []journeys.Condition{wa, {Not: &wb}}}, nil
	default:
		return journeys.Condition{All: []journeys.Condition{wb, {Not: &wa}}}, nil
	}
}

func checkOp(op string) error {
	switch op {
	case OpBoth, OpOnlyA, OpOnlyB:
		return nil
	}
	return journeys.Errorf(journeys.EINVALID, "op: %q is not %s, %s or %s", op, OpBoth, OpOnlyA, OpOnlyB)
}

// allMembers reads every current member of a segment, sorted by id.
func allMembers(ctx context.Context, members MembersPager, name string) ([]string, error) {
	var ids []string
	for after := ""; ; {
		page, err := members.MembersPage(ctx, name, after, overlapPage)
		if err != nil {
			return nil, fmt.Errorf("members of %s: %w", name, err)
		}
		for _, m := range page {
			ids = append(ids, m.Person)
		}
		if len(page) < overlapPage {
			return ids, nil
		}
		after = page[len(page)-1].Person
	}
}

// merge returns, of two sorted sets, the ids of both (OpBoth), of a only
// (OpOnlyA) or of b only (OpOnlyB), sorted.
func merge(a, b []string, op string) []string {
	var out []string
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			if op == OpOnlyA {
				out = append(out, a[i])
			}
			i++
		case i == len(a) || b[j] < a[i]:
			if op == OpOnlyB {
				out = append(out, b[j])
			}
			j++
		default:
			if op == OpBoth {
				out = append(out, a[i])
			}
			i, j = i+1, j+1
		}
	}
	return out
}
