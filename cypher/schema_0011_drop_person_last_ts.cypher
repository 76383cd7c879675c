// No query looks people up by their last event's time (segments read
// recency from the journey cache, and the data range scans people), so
// the index only cost every event write an update per person: databases
// made before it was dropped lose it here.
DROP INDEX person_last_ts IF EXISTS;
