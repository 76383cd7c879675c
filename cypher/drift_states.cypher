// Every checked segment's drift state: the day of its last drift check
// and the figures that were above their thresholds then.
MATCH (s:Segment)
WHERE s.drift_day IS NOT NULL
RETURN s.name AS name, s.drift_day AS day, coalesce(s.drift_crossed, []) AS crossed
