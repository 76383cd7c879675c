({{v}}:Event {person: p.id})
