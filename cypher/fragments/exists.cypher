EXISTS { MATCH (e:Event {person: p.id}) WHERE {{cond}} }
