// Package ingest turns what arrives into stored events: HTTP payloads
// (ParseBatch), files in CSV, JSONL or sequence form through a Mapping
// (Reader, Importer, resumable with checkpoints, sorting each file by person
// and time in bounded memory before writing it), and the Ingester that maps
// events to steps and writes them in person-grouped batches, through a
// Coalescer that merges concurrent callers' batches into shared writes. The Rulebook
// holds the server's editable step rules, saves new versions and restamps
// stored events in the background.
package ingest
