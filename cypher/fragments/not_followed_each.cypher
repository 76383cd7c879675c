(EXISTS { MATCH (a:Event {person: p.id}) WHERE {{first}} }
  AND NOT EXISTS { MATCH (a:Event {person: p.id}), (b:Event {person: p.id})
    WHERE {{first}} AND {{then}} AND {{after}} AND b.ts - a.ts <= $_gap })
