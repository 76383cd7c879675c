// Stores new events. Each row is a map of whitelisted property names built by
// graph.eventRow; the chain edges are written by link_events or relink_people.
UNWIND $events AS row
CREATE (e:Event)
SET e = row
