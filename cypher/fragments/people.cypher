p.id IN $_ids
