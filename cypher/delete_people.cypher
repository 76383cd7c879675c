// Erases people: their events (and so their chains), their aliases, the
// webhook deliveries about them (their payloads name them) and the person
// nodes with their memberships. Returns how many events went.
UNWIND $ids AS pid
OPTIONAL MATCH (e:Event {person: pid})
DETACH DELETE e
WITH pid, count(e) AS events
OPTIONAL MATCH (a:Alias {person: pid})
DETACH DELETE a
WITH pid, events
OPTIONAL MATCH (d:Delivery {person: pid})
DETACH DELETE d
WITH DISTINCT pid, events
OPTIONAL MATCH (p:Person {id: pid})
DETACH DELETE p
RETURN sum(events) AS events
