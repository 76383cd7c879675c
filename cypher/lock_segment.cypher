// Takes the segment's write lock for the rest of the transaction, so that
// concurrent evaluations apply their membership changes one after another.
MATCH (s:Segment {name: $segment})
SET s.evaluated_at = $at
RETURN s.version AS version
