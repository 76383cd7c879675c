// Events of given steps (or names) in a time range: the seeds of segment
// queries ("did add_to_cart within 7d"), one composite seek whether the
// step or the window is the narrower.
CREATE INDEX event_step_ts IF NOT EXISTS FOR (e:Event) ON (e.step, e.ts);
CREATE INDEX event_name_ts IF NOT EXISTS FOR (e:Event) ON (e.name, e.ts);
