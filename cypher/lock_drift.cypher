// Takes a segment's write lock for the rest of a drift check's
// transaction, so that two checks of the same day record it once, and
// returns its drift state (day null before the first check).
MATCH (s:Segment {name: $segment})
SET s.drift_checking = $now
RETURN s.drift_day AS day, coalesce(s.drift_crossed, []) AS crossed
