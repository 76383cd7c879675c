// Returns the stored traits (JSON) of the people in $people and the time of
// the identify they are as of, for identify to merge new traits into.
UNWIND $people AS pid
MATCH (p:Person {id: pid})
RETURN p.id AS person, p.traits AS traits, p.identified_ts AS ts
