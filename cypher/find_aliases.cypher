// Resolves ids that were merged into another person.
UNWIND $ids AS id
MATCH (a:Alias {id: id})
RETURN a.id AS id, a.person AS person
