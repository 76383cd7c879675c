// How many events, people and nodes of any kind are stored (each from the
// count store: no scan).
CALL () { MATCH (e:Event) RETURN count(e) AS events }
CALL () { MATCH (p:Person) RETURN count(p) AS people }
CALL () { MATCH (n) RETURN count(n) AS nodes }
RETURN events, people, nodes
