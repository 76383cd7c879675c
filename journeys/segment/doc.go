// Package segment keeps segment membership current. The Segmenter
// evaluates a definition (journeys.Segment compiled to a journeys.Pred) for
// some people or everyone, diffs against the stored membership and records
// who entered and left, with reasons and webhook deliveries; it owns the
// rules of saving (names are unique, built-ins read-only). The
// SegmentingIngester re-evaluates the people each write touched,
// BuiltInSegments are the playbook segments, InSegment scopes a report to a
// segment's members and MemberCache serves member pages.
package segment
