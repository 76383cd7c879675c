EXISTS { MATCH (e:Event {person: p.id}) WHERE {{cond}} AND e.{{key}} IS NOT NULL
  WITH e.{{key}} AS k, count(*) AS n WHERE $_min <= n <= $_max RETURN k }
