// Write-locks the people of a segment's membership changes in id order
// ($people sorted), before the changes are made one kind after the other
// (entries, then exits): an event write locks its people in the same order
// (lock_people), so the two cannot deadlock. members_ts is the time of the
// person's latest membership change.
UNWIND $people AS pid
MATCH (p:Person {id: pid})
SET p.members_ts = $at
