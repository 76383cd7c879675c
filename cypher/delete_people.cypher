// Erases people and every id merged into them: $ids holds the people and
// the anonymous ids of every alias chain that ends at one of them. Deletes
// the events of any of the ids (and so their chains), the aliases of the
// merged ids, the webhook deliveries that name any of them (their payloads
// do) and the person nodes with their memberships and history. Returns how
// many events went.
UNWIND $ids AS pid
OPTIONAL MATCH (e:Event {person: pid})
DETACH DELETE e
WITH pid, count(e) AS events
OPTIONAL MATCH (a:Alias {id: pid})
DETACH DELETE a
WITH pid, events
OPTIONAL MATCH (d:Delivery {person: pid})
DETACH DELETE d
WITH DISTINCT pid, events
OPTIONAL MATCH (p:Person {id: pid})
DETACH DELETE p
RETURN sum(events) AS events
