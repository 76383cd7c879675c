$_min <= COUNT { MATCH (e:Event {person: p.id}) WHERE {{cond}} } <= $_max
