// Erases the events of every person whose id starts with $prefix (a
// namespace, a benchmark or a test run), in bounded transactions: the
// (person, ts) index finds them. graph.Store.DeletePrefix runs it.
MATCH (e:Event)
USING INDEX e:Event(person, ts)
WHERE e.person STARTS WITH $prefix AND e.ts IS NOT NULL
CALL (e) { DETACH DELETE e } IN TRANSACTIONS OF 10000 ROWS
RETURN count(*) AS n
