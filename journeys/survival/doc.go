// Package survival draws a segment's time-to-event curves from the
// journeys: for everyone who ever entered the segment, the time from their
// start (their first entry into it, or with From first_seen their first
// event) to their first event of a step (purchase by default; unsubscribe
// for churn), as Kaplan–Meier curves with confidence bands and medians,
// and a log-rank test against a second segment (markov/survival does the
// maths, equal to lifelines).
//
// Censoring: a person who has not done the step by the report's as_of is
// censored at as_of. People who left the segment since still count, from
// their entry, with their whole time up to as_of: leaving a segment is not
// an outcome, and cutting them off at their exit would make a segment that
// people leave by doing the step (for instance "carts not bought") look
// as if nobody ever did it. A person is counted once, from their first
// entry before as_of; an event at the very instant of the start counts
// (time 0), events before it do not.
//
// Times are in days. The curve's points are its start, every time at which
// someone did the step and its last time (the curve is flat between them;
// censoring times add nothing to draw).
package survival
