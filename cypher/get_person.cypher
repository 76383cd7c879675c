// One person's summary (the ids merged into them come from find_merged_ids).
MATCH (p:Person {id: $id})
RETURN p.id AS id, p.events AS events, p.first_ts AS first_ts, p.last_ts AS last_ts,
       p.traits AS traits
