// Records a segment's drift check: its day, the figures above their
// thresholds (the alert state) and the figures as JSON.
MATCH (s:Segment {name: $segment})
SET s.drift_day = $day, s.drift_crossed = $crossed, s.drift_figures = $figures
RETURN s.name AS name
