// Sets the step of events (null removes it: excluded by the rules).
UNWIND $rows AS r
MATCH (e:Event {id: r.id})
SET e.step = r.step
