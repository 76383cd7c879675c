// Erases people: their events (and so their chains), their aliases and the
// person nodes. Returns how many events went.
UNWIND $ids AS pid
OPTIONAL MATCH (e:Event {person: pid})
DETACH DELETE e
WITH pid, count(e) AS events
OPTIONAL MATCH (a:Alias {person: pid})
DETACH DELETE a
WITH pid, events
OPTIONAL MATCH (p:Person {id: pid})
DETACH DELETE p
RETURN sum(events) AS events
