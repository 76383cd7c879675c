MATCH (s:Event) USING INDEX s:Event({{field}}, ts) WHERE s.{{field}} IN $_values AND s.ts >= $_from AND s.ts < $_to RETURN s.person AS pid
