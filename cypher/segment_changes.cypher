// A segment's change feed: its ENTERED and LEFT edges with a sequence
// number above $after, in that order, at most $limit. The numbers grow
// with each change applied (lock_segment.cypher), so a reader that keeps
// the last one it saw resumes where it stopped.
CALL () {
  MATCH (p:Person)-[h:ENTERED]->()
  WHERE h.segment = $segment AND h.seq > $after
  RETURN p.id AS person, 'entered' AS kind, h ORDER BY h.seq LIMIT $limit
  UNION ALL
  MATCH (p:Person)-[h:LEFT]->()
  WHERE h.segment = $segment AND h.seq > $after
  RETURN p.id AS person, 'left' AS kind, h ORDER BY h.seq LIMIT $limit
}
RETURN h.seq AS seq, h.id AS id, kind, person, h.at AS at, h.version AS version, h.reason AS reason,
       coalesce(h.control, false) AS control
ORDER BY seq
LIMIT $limit
