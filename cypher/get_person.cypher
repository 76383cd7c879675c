// One person's summary and the anonymous ids merged into them.
MATCH (p:Person {id: $id})
OPTIONAL MATCH (a:Alias {person: $id})
RETURN p.id AS id, p.events AS events, p.first_ts AS first_ts, p.last_ts AS last_ts,
       p.traits AS traits, collect(a.id) AS aliases
