// The ids and names of people's events at given times ($keys: person, ts),
// by id: what an explanation from the journey cache (which holds no event
// ids) names its events with. A seek of the (person, ts, id, step) index
// per key.
UNWIND $keys AS k
MATCH (e:Event {person: k.person, ts: k.ts})
WITH k, e ORDER BY e.id
RETURN k.person AS person, k.ts AS ts, collect(e.id) AS ids, collect(e.name) AS names
