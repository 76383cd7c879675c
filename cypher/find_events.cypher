// Which of $ids are stored already (idempotent ingest).
UNWIND $ids AS id
MATCH (e:Event {id: id})
RETURN e.id AS id
