package segment

import (
	"context"
	"fmt"

	"github.com/journeygraph/journeygraph/journeys"
)

// MemberReader lists a segment's current members (graph.Store, or a
// MemberCache over it).
type MemberReader interface {
	// Segment returns the named segment, an *Error with code ENOTFOUND
	// when there is none.
	Segment(ctx context.Context, name string) (journeys.Segment, error)
	SegmentMembers(ctx context.Context, name string, scope journeys.SegmentScope) ([]string, error)
}

// JourneyStreams streams both sequences and touches (graph.Store, Cache).
type JourneyStreams interface {
	journeys.SequenceReader
	journeys.TouchReader
}

// InSegment narrows the streams of Reader to the current members of the
// filter's Segment, so that every report (paths, transitions, funnels,
// friction, attribution, hidden states) can be scoped to a segment. A
// filter without a segment passes through unchanged; Reader itself never
// sees one.
type InSegment struct {
	Reader  JourneyStreams
	Members MemberReader
}

var (
	_ journeys.SequenceReader = InSegment{}
	_ journeys.TouchReader    = InSegment{}
	_ journeys.TouchParter    = InSegment{}
)

// members resolves f.Segment, clearing it: nil when f has none.
func (r InSegment) members(ctx context.Context, f *journeys.Filter) (map[string]bool, error) {
	if f.Segment == "" {
		return nil, nil
	}
	name := f.Segment
	f.Segment = ""
	if _, err := r.Members.Segment(ctx, name); err != nil {
		if journeys.ErrorCode(err) == journeys.ENOTFOUND {
			return nil, journeys.InvalidField("segment", "no segment named %s", journeys.Quote(name))
		}
		return nil, err
	}
	ids, err := r.Members.SegmentMembers(ctx, name, journeys.SegmentScope{Prefix: f.PersonPrefix})
	if err != nil {
		return nil, fmt.Errorf("segment %s: %w", name, err)
	}
	set := make(map[string]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return set, nil
}

// Sequences streams the sequences of f's segment members.
func (r InSegment) Sequences(ctx context.Context, f journeys.Filter, withSessions bool) (journeys.SequenceSet, error) {
	set, err := r.members(ctx, &f)
	if err != nil {
		return nil, err
	}
	inner, err := r.Reader.Sequences(ctx, f, withSessions)
	if err != nil || set == nil {
		return inner, err
	}
	return &memberSequences{SequenceSet: inner, members: set}, nil
}

// Touches streams the touches of q's segment members.
func (r InSegment) Touches(ctx context.Context, q journeys.TouchQuery) (journeys.TouchSet, error) {
	parts, err := r.TouchParts(ctx, q, 1)
	if err != nil {
		return nil, err
	}
	return parts[0], nil
}

// TouchParts streams the touches of q's segment members in up to n parts
// when the reader can split a stream (see touchParts), else in one.
func (r InSegment) TouchParts(ctx context.Context, q journeys.TouchQuery, n int) ([]journeys.TouchSet, error) {
	set, err := r.members(ctx, &q.Filter)
	if err != nil {
		return nil, err
	}
	parts, err := journeys.OpenTouchParts(ctx, r.Reader, q, n)
	if err != nil || set == nil {
		return parts, err
	}
	for i, p := range parts {
		parts[i] = &memberTouches{TouchSet: p, members: set}
	}
	return parts, nil
}

// memberSequences skips the people of a stream who are not members.
type memberSequences struct {
	journeys.SequenceSet
	members map[string]bool
}

func (s *memberSequences) Next() bool {
	for s.SequenceSet.Next() {
		if s.members[s.At().Person] {
			return true
		}
	}
	return false
}

// memberTouches skips the people of a stream who are not members.
type memberTouches struct {
	journeys.TouchSet
	members map[string]bool
}

func (s *memberTouches) Next() bool {
	for s.TouchSet.Next() {
		if s.members[s.At().Person] {
			return true
		}
	}
	return false
}
