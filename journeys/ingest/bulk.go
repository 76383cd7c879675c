package ingest

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// BulkSink receives the events of an offline load (see Importer.ImportBulk).
type BulkSink interface {
	// Add takes the next event. Events come as a sorted import writes
	// them (see compareFileEvents): the events that merge an anonymous id
	// into a person first, by time, then the others by (person, time, id).
	Add(e journeys.Event) error
}

// ImportBulk reads files for an offline load into an empty store: it
// validates and sorts them as ImportFile does (the rejected rows reported
// to Rejects in the same way), sets each event's step from the Ingester's
// rules in force, drops every event whose id came before (a duplicate, as
// the store's idempotent write does) and gives the others to sink, in the
// order a sorted import writes them. The files are sorted together, so a
// person's events may be spread over several. It keeps no checkpoint: an
// interrupted bulk load starts again. It holds every accepted id in memory
// to find duplicates.
func (im *Importer) ImportBulk(ctx context.Context, paths []string, m Mapping, sink BulkSink) ([]ImportResult, error) {
	now := time.Now
	if im.Now != nil {
		now = im.Now
	}
	sorter := newExternalSort(im.TempDir, im.SortMemory)
	defer sorter.Close()
	results := make([]ImportResult, len(paths))
	var seq int64
	good := 0
	for i, path := range paths {
		results[i].File = path
		n, err := im.readBulk(ctx, path, m, now(), i, sorter, &seq, &results[i])
		if err != nil {
			return results, err
		}
		good += n
	}

	stream, err := sorter.Sorted()
	if err != nil {
		return results, fmt.Errorf("bulk import: %w", err)
	}
	rules, release := im.Ingester.rulesInForce()
	defer release()
	steps := newStepMemo(rules)
	// The sink (CSV formatting) runs in a goroutine of its own, fed in
	// batches, while this one merges the sorted runs and sets the steps.
	out := newBulkPipe(sink)
	defer out.stop()
	seen := make(map[string]struct{}, good)
	pos := 0
	for stream.Next() {
		fe := stream.At()
		res := &results[fe.File]
		pos++
		if _, dup := seen[fe.Event.ID]; dup {
			res.Duplicates++
			continue
		}
		seen[fe.Event.ID] = struct{}{}
		if err := out.add(steps.apply(fe.Event)); err != nil {
			return results, fmt.Errorf("bulk import: %w", err)
		}
		res.Accepted++
		if pos%progressEvery == 0 {
			if err := ctx.Err(); err != nil {
				return results, fmt.Errorf("bulk import: %w", err)
			}
			im.progress(ImportProgress{File: res.File, Phase: PhaseWriting, Written: pos, Total: good, ImportResult: *res})
		}
	}
	if err := stream.Err(); err != nil {
		return results, fmt.Errorf("bulk import: %w", err)
	}
	if err := out.close(); err != nil {
		return results, fmt.Errorf("bulk import: %w", err)
	}
	return results, nil
}

// readBulk reads one file of a bulk load into sorter (its events
// numbered from *seq on and marked as file i), reports its rejected rows
// into res, and returns how many events it read.
func (im *Importer) readBulk(ctx context.Context, path string, m Mapping, now time.Time, i int, sorter *externalSort, seq *int64, res *ImportResult) (int, error) {
	info, err := os.Stat(path)
	if err != nil {
		return 0, journeys.Errorf(journeys.EINVALID, "file %s: %v", path, err)
	}
	r, closer, err := OpenFile(path, m, now, im.Limits)
	if err != nil {
		return 0, err
	}
	defer closer.Close()
	r.SetWorkers(runtime.GOMAXPROCS(0))
	defer r.Close()
	for r.Next() {
		if err := sorter.Add(fileEvent{Event: r.Event(), Line: r.Line(), Seq: *seq, File: i}); err != nil {
			return 0, fmt.Errorf("bulk import %s: %w", path, err)
		}
		*seq++
		if *seq%progressEvery == 0 {
			if err := ctx.Err(); err != nil {
				return 0, fmt.Errorf("bulk import %s: %w", path, err)
			}
			if err := im.reject(path, r.Rejected(), 0, res); err != nil {
				return 0, err
			}
			im.progress(ImportProgress{File: path, Phase: PhaseReading, BytesRead: r.BytesRead(), Size: info.Size(), ImportResult: *res})
		}
	}
	if err := r.Err(); err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	if err := im.reject(path, r.Rejected(), 0, res); err != nil {
		return 0, err
	}
	good, bad := r.Counts()
	res.Read = good + bad
	im.progress(ImportProgress{File: path, Phase: PhaseReading, BytesRead: r.BytesRead(), Size: info.Size(), ImportResult: *res})
	return good, nil
}

// progress reports p when the importer has a Progress function.
func (im *Importer) progress(p ImportProgress) {
	if im.Progress != nil {
		im.Progress(p)
	}
}
