package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/export"
)

// ImportResult counts one file's import. After a resumed import it counts
// the whole file, not only the part read this time.
type ImportResult struct {
	File       string `json:"file"`
	Read       int    `json:"read"` // rows read (good and bad)
	Accepted   int    `json:"accepted"`
	Duplicates int    `json:"duplicates"`
	Rejected   int    `json:"rejected"`
	Resumed    bool   `json:"resumed"` // an earlier, interrupted run had committed part of it
}

// ImportProgress is reported while a file is read and written.
type ImportProgress struct {
	File      string
	Phase     string // PhaseReading or PhaseWriting
	BytesRead int64  // of the file as stored (compressed size for .gz)
	Size      int64
	Written   int // events of the sorted file written (PhaseWriting of a sorted import)
	Total     int // events to write in all; 0 while unknown (a file-order import)
	ImportResult
}

// The phases of an import. A sorted import reads and sorts the whole file
// (PhaseReading), then writes it (PhaseWriting); a file-order import
// (Importer.SortMemory < 0) writes as it reads, in PhaseWriting.
const (
	PhaseReading = "reading"
	PhaseWriting = "writing"
)

// Importer reads event files into the store in batches, resumably: after
// each committed batch it writes a checkpoint, and a re-run skips what was
// committed. Ingest being idempotent, a batch committed just before a crash
// whose checkpoint was not written is counted as duplicates, never stored
// twice.
//
// By default a file is first sorted by (person, time, id) in bounded memory
// (see SortMemory) and then written person after person, so that each
// person's chain is appended to, not rebuilt batch after batch, whatever
// the order of the file.
type Importer struct {
	Ingester  *Ingester
	BatchSize int    // events per transaction; DefaultBatchSize when 0
	StateDir  string // where checkpoints live; ".journeygraph-import" when empty
	Limits    journeys.Limits
	Now       func() time.Time     // time.Now when nil
	Progress  func(ImportProgress) // called after each batch, if set
	Rejects   io.Writer            // CSV of rejected rows (file,row,field,problem), if set
	Resume    bool                 // use checkpoints of earlier runs
	rejectsCW *export.CSV          // lazily made from Rejects
	// SortMemory is the memory the sort of a file holds events in before
	// spilling them to temporary files under TempDir (os.TempDir when
	// empty), removed when the file is done or fails: DefaultSortMemory
	// when 0; a negative value writes in file order, without sorting.
	SortMemory int64
	TempDir    string
}

// checkpoint is what an interrupted import left behind.
type checkpoint struct {
	Path    string       `json:"path"`
	Size    int64        `json:"size"`
	ModTime time.Time    `json:"mod_time"`
	Line    int          `json:"line"` // every row up to this line is committed or rejected
	Done    bool         `json:"done"`
	Result  ImportResult `json:"result"`
	// A sorted import's: the rows rejected while reading are reported, and
	// the first Written events of the sorted file are committed.
	Sorted  bool `json:"sorted,omitempty"`
	Read    bool `json:"read,omitempty"`
	Written int  `json:"written,omitempty"`
}

// ImportFile imports one file with mapping m (a zero Mapping detects a known
// dataset from the header).
func (im *Importer) ImportFile(ctx context.Context, path string, m Mapping) (ImportResult, error) {
	now := time.Now
	if im.Now != nil {
		now = im.Now
	}
	info, err := os.Stat(path)
	if err != nil {
		return ImportResult{}, journeys.Errorf(journeys.EINVALID, "file %s: %v", path, err)
	}
	cpPath, cp := im.loadCheckpoint(path, info)
	res := cp.Result
	res.File, res.Resumed = path, cp.Line > 0 || cp.Written > 0
	if cp.Done {
		return res, nil
	}
	r, closer, err := OpenFile(path, m, now(), im.Limits)
	if err != nil {
		return res, err
	}
	defer closer.Close()
	// A checkpoint keeps the order of the run that wrote it.
	if cp.Sorted || cp.Line == 0 && im.SortMemory >= 0 {
		return im.importSorted(ctx, r, info, cpPath, cp, res)
	}

	size := im.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	batch := make([]journeys.Event, 0, size)
	lastLine := cp.Line
	commit := func() error {
		if err := im.reject(path, r.Rejected(), cp.Line, &res); err != nil {
			return err
		}
		if err := im.write(ctx, path, batch, &res); err != nil {
			return err
		}
		batch = batch[:0]
		cp.Line, cp.Result = lastLine, res
		if im.Progress != nil {
			im.Progress(ImportProgress{File: path, Phase: PhaseWriting, BytesRead: r.BytesRead(), Size: info.Size(), ImportResult: res})
		}
		return im.saveCheckpoint(cpPath, cp)
	}
	for r.Next() {
		line := r.Line()
		if line <= cp.Line {
			continue // committed by an earlier run
		}
		batch = append(batch, r.Event())
		lastLine = line
		if len(batch) == size {
			if err := commit(); err != nil {
				return res, fmt.Errorf("import %s (up to line %d committed; run again to resume): %w", path, cp.Line, err)
			}
		}
	}
	if err := r.Err(); err != nil {
		return res, fmt.Errorf("read %s: %w", path, err)
	}
	_, bad := r.Counts()
	if err := commit(); err != nil {
		return res, fmt.Errorf("import %s (up to line %d committed; run again to resume): %w", path, cp.Line, err)
	}
	good, _ := r.Counts()
	res.Read = good + bad
	cp.Done, cp.Result = true, res
	return res, im.saveCheckpoint(cpPath, cp)
}

// reject counts and writes rejected rows; rows at or before skipUpTo were
// reported by an earlier run.
func (im *Importer) reject(path string, rows []journeys.RowError, skipUpTo int, res *ImportResult) error {
	for _, row := range rows {
		if row.Row <= skipUpTo {
			continue
		}
		res.Rejected++
		if im.Rejects == nil {
			continue
		}
		if im.rejectsCW == nil {
			im.rejectsCW = export.NewCSV(im.Rejects)
		}
		if err := im.rejectsCW.Write([]string{path, strconv.Itoa(row.Row), row.Field, row.Problem}); err != nil {
			return fmt.Errorf("write rejects: %w", err)
		}
	}
	if im.rejectsCW != nil {
		im.rejectsCW.Flush()
		return im.rejectsCW.Error()
	}
	return nil
}

func (im *Importer) loadCheckpoint(path string, info os.FileInfo) (string, checkpoint) {
	dir := im.StateDir
	if dir == "" {
		dir = ".journeygraph-import"
	}
	abs, _ := filepath.Abs(path)
	sum := sha256.Sum256([]byte(abs))
	cpPath := filepath.Join(dir, hex.EncodeToString(sum[:8])+".json")
	fresh := checkpoint{Path: abs, Size: info.Size(), ModTime: info.ModTime().UTC()}
	if !im.Resume {
		return cpPath, fresh
	}
	b, err := os.ReadFile(cpPath)
	if err != nil {
		return cpPath, fresh
	}
	var cp checkpoint
	if json.Unmarshal(b, &cp) != nil || cp.Path != abs || cp.Size != fresh.Size || !cp.ModTime.Equal(fresh.ModTime) {
		return cpPath, fresh // the file changed: start over (ingest is idempotent anyway)
	}
	return cpPath, cp
}

func (im *Importer) saveCheckpoint(path string, cp checkpoint) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	b, _ := json.MarshalIndent(cp, "", "  ")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// write stores a batch of a file's events (none: nothing) and adds what
// the store answered to res, reporting the rows it rejected.
func (im *Importer) write(ctx context.Context, path string, batch []journeys.Event, res *ImportResult) error {
	if len(batch) == 0 {
		return nil
	}
	wr, err := im.Ingester.Ingest(ctx, batch)
	if err != nil {
		return err
	}
	res.Accepted += wr.Accepted
	res.Duplicates += wr.Duplicates
	return im.reject(path, wr.Rejected, -1, res)
}
