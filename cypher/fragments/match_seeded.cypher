CALL { {{seeds}} }
WITH DISTINCT pid WHERE pid STARTS WITH $prefix
MATCH (p:Person {id: pid}) WHERE {{predicate}}
RETURN p.id AS id ORDER BY id
