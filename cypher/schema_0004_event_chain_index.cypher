// Each person's step events in chain order, answered from the index alone
// (person, time, id and step are all in it): the stream that paths,
// transitions and funnels read (stream_sequences). Events without a step
// (excluded by the step rules) are not in it, which is what that stream
// wants.
CREATE INDEX event_chain_step IF NOT EXISTS FOR (e:Event) ON (e.person, e.ts, e.id, e.step);
