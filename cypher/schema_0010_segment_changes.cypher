// The change feed of a segment (segment_changes.cypher) reads its ENTERED
// and LEFT edges in the order of their sequence number.
CREATE INDEX entered_segment_seq IF NOT EXISTS FOR ()-[h:ENTERED]-() ON (h.segment, h.seq);
CREATE INDEX left_segment_seq IF NOT EXISTS FOR ()-[h:LEFT]-() ON (h.segment, h.seq);
