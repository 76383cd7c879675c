// Sets the step of events (null removes it: excluded by the rules) and
// stamps their people as changed ($now), so that caches read them again.
UNWIND $rows AS r
MATCH (e:Event {id: r.id})
SET e.step = r.step
WITH DISTINCT e.person AS pid
MATCH (p:Person {id: pid})
SET p.touched_ts = $now
