// The ids merged directly into each of $people: one step back along the
// alias chains that end at them (a merged into b, b into c: a is found from
// b, b from c).
UNWIND $people AS pid
MATCH (a:Alias {person: pid})
RETURN a.id AS id
