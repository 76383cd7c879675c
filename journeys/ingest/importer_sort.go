package ingest

import (
	"context"
	"fmt"
	"os"

	"github.com/journeygraph/journeygraph/journeys"
)

// progressEvery is how many events are read between two progress reports
// (and context checks) of the reading phase.
const progressEvery = 2000

// importSorted imports a file in two phases: it reads every row, reporting
// the rejected ones with their line numbers, and sorts the good events by
// (person, time, id) in bounded memory; then it writes the sorted events in
// batches, with a checkpoint after each committed batch. A resumed run reads
// and sorts the file again (the order is the same: ties are broken by the
// position in the file) and skips the events committed before, and the
// rejected rows when they were reported before.
func (im *Importer) importSorted(ctx context.Context, r *Reader, info os.FileInfo, cpPath string, cp checkpoint, res ImportResult) (ImportResult, error) {
	path := res.File
	budget := im.SortMemory
	if budget <= 0 {
		budget = DefaultSortMemory
	}
	sorter := newExternalSort(im.TempDir, budget)
	defer sorter.Close()
	progress := func(phase string, written, total int) {
		if im.Progress != nil {
			im.Progress(ImportProgress{File: path, Phase: phase, BytesRead: r.BytesRead(), Size: info.Size(),
				Written: written, Total: total, ImportResult: res})
		}
	}
	rejected := func() error {
		rows := r.Rejected()
		if cp.Read {
			return nil // reported by the run that left the checkpoint
		}
		return im.reject(path, rows, 0, &res)
	}

	var seq int64
	for r.Next() {
		if err := sorter.Add(fileEvent{Event: r.Event(), Line: r.Line(), Seq: seq}); err != nil {
			return res, fmt.Errorf("import %s: %w", path, err)
		}
		seq++
		if seq%progressEvery == 0 {
			if err := ctx.Err(); err != nil {
				return res, fmt.Errorf("import %s (nothing written yet): %w", path, err)
			}
			if err := rejected(); err != nil {
				return res, err
			}
			progress(PhaseReading, 0, 0)
		}
	}
	if err := r.Err(); err != nil {
		return res, fmt.Errorf("read %s: %w", path, err)
	}
	if err := rejected(); err != nil {
		return res, err
	}
	good, bad := r.Counts()
	res.Read = good + bad
	progress(PhaseReading, 0, good)
	if !cp.Read {
		cp.Sorted, cp.Read, cp.Result = true, true, res
		if err := im.saveCheckpoint(cpPath, cp); err != nil {
			return res, err
		}
	}

	stream, err := sorter.Sorted()
	if err != nil {
		return res, fmt.Errorf("import %s: %w", path, err)
	}
	size := im.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	batch := make([]journeys.Event, 0, size)
	pos := 0
	commit := func() error {
		if err := im.write(ctx, path, batch, &res); err != nil {
			return err
		}
		batch = batch[:0]
		cp.Written, cp.Result = pos, res
		progress(PhaseWriting, pos, good)
		return im.saveCheckpoint(cpPath, cp)
	}
	failed := func(err error) error {
		return fmt.Errorf("import %s (%d of %d sorted events committed; run again to resume): %w", path, cp.Written, good, err)
	}
	for stream.Next() {
		pos++
		if pos <= cp.Written {
			continue // committed by an earlier run
		}
		batch = append(batch, stream.At().Event)
		if len(batch) == size {
			if err := commit(); err != nil {
				return res, failed(err)
			}
		}
	}
	if err := stream.Err(); err != nil {
		return res, failed(err)
	}
	if err := commit(); err != nil {
		return res, failed(err)
	}
	cp.Done, cp.Result = true, res
	return res, im.saveCheckpoint(cpPath, cp)
}
