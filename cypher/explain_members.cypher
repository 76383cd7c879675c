// Why people matched: their 10 latest events among the definition's positive
// event conditions ($leaves: field "step"/"name"/"" and values, from, to;
// field "" is any event whose step is not in exclude), and their decoded
// hidden state.
UNWIND $people AS pid
MATCH (p:Person {id: pid})
RETURN p.id AS person, p.hmm_state AS state, p.hmm_state_p AS state_p,
       COLLECT {
         UNWIND $leaves AS l
         MATCH (e:Event {person: p.id})
         WHERE e.ts >= l.from AND e.ts < l.to
           AND ((l.field = 'step' AND e.step IN l.values) OR (l.field = 'name' AND e.name IN l.values)
                OR (l.field = '' AND e.step IS NOT NULL AND NOT e.step IN l.exclude))
         WITH DISTINCT e
         ORDER BY e.ts DESC, e.id DESC
         LIMIT 10
         RETURN e {.id, .name, .step, .ts, .product, .channel}
       } AS events
