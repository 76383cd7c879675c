EXISTS { MATCH (a:Event {person: p.id}) WHERE {{first}}
  WITH a ORDER BY a.ts DESC, a.id DESC LIMIT 1
  WHERE NOT EXISTS { MATCH (b:Event {person: p.id}) WHERE {{then}} AND {{after}} AND b.ts - a.ts <= $_gap }
  RETURN a }
