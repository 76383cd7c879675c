EXISTS { MATCH (a:Event {person: p.id}) WHERE {{first}}
  AND NOT EXISTS { MATCH (b:Event {person: p.id}) WHERE {{then}} AND {{after}} AND b.ts - a.ts <= $_gap } }
