// Takes the segment's write lock for the rest of the transaction, so that
// concurrent evaluations apply their membership changes one after another,
// and reserves $n sequence numbers for the changes: they are base + 1 to
// base + $n (the change feed's order; numbers of changes not applied are
// skipped).
MATCH (s:Segment {name: $segment})
SET s.evaluated_at = $at, s.change_seq = coalesce(s.change_seq, 0) + $n
RETURN s.version AS version, s.change_seq - $n AS base
