// Sets the step of events (null removes it: excluded by the rules) and
// stamps their people as changed ($now), so that caches read them again:
// touched_ts, and steps_ts, which tells inmem.Cache that the events it
// holds changed (it reads them whole, not only those added).
UNWIND $rows AS r
MATCH (e:Event {id: r.id})
SET e.step = r.step
WITH DISTINCT e.person AS pid
MATCH (p:Person {id: pid})
SET p.touched_ts = $now, p.steps_ts = $now
