// A person's webhook deliveries (erasure deletes them with the person).
CREATE INDEX delivery_person IF NOT EXISTS FOR (d:Delivery) ON (d.person);
