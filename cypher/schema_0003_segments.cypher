// Segments, their membership and history, webhooks and the delivery outbox.
CREATE CONSTRAINT segment_name IF NOT EXISTS FOR (s:Segment) REQUIRE s.name IS UNIQUE;
CREATE CONSTRAINT webhook_id IF NOT EXISTS FOR (w:Webhook) REQUIRE w.id IS UNIQUE;
CREATE CONSTRAINT delivery_id IF NOT EXISTS FOR (d:Delivery) REQUIRE d.id IS UNIQUE;
// Members of a segment in id order (paging, CSV export, scoped diffs).
CREATE INDEX member_segment_person IF NOT EXISTS FOR ()-[m:MEMBER]-() ON (m.segment, m.person);
// Membership history by segment and time.
CREATE INDEX entered_segment_at IF NOT EXISTS FOR ()-[h:ENTERED]-() ON (h.segment, h.at);
CREATE INDEX left_segment_at IF NOT EXISTS FOR ()-[h:LEFT]-() ON (h.segment, h.at);
// The outbox: due deliveries, and each webhook's delivery log.
CREATE INDEX delivery_due IF NOT EXISTS FOR (d:Delivery) ON (d.status, d.next_at);
CREATE INDEX delivery_webhook IF NOT EXISTS FOR (d:Delivery) ON (d.webhook, d.created_at);
