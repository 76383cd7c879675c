package ingest

import (
	"errors"
	"fmt"
	"io"
	"sync"
)

// parallelBatch is how many lines a parsing goroutine takes at a time.
const parallelBatch = 512

// parallel parses the lines of a JSONL or Segment file in several
// goroutines: one reads lines in batches, workers parse them (JSON,
// mapping, limits, content ids), and the Reader takes the batches in file
// order, so that events, line numbers, rejected rows and the numbering of
// repeats are those of a serial read.
type parallel struct {
	order chan chan parsedBatch // the batches' results, in file order
	quit  chan struct{}
	once  sync.Once
	wg    sync.WaitGroup
}

// parsedBatch is one batch of parsed lines; the last one carries end (and
// the error that stopped reading, if any).
type parsedBatch struct {
	lines []parsed
	end   bool
	err   error
}

// lineJob is a batch of raw lines to parse.
type lineJob struct {
	raw   [][]byte
	nums  []int
	long  []bool
	out   chan parsedBatch
	limit int
}

// SetWorkers makes the reader parse the lines of a JSONL or Segment file
// in n goroutines (n <= 1, or another format, keeps the serial read). The
// events, their lines and the rejected rows come as a serial read gives
// them. Call it before the first Next, and Close the reader when done with
// it, even before its end.
func (r *Reader) SetWorkers(n int) {
	if n <= 1 || r.par != nil || (r.m.Format != FormatJSONL && r.m.Format != FormatSegment) {
		return
	}
	p := &parallel{order: make(chan chan parsedBatch, 2*n), quit: make(chan struct{})}
	jobs := make(chan lineJob, n)
	for i := 0; i < n; i++ {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for j := range jobs {
				out := make([]parsed, len(j.raw))
				for k, b := range j.raw {
					if j.long[k] {
						out[k] = rejectRow("row", "is longer than %d bytes", j.limit)
						out[k].line, out[k].re.Row = j.nums[k], j.nums[k]
						continue
					}
					out[k] = r.parseLine(b, j.nums[k])
				}
				j.out <- parsedBatch{lines: out} // buffered: never blocks
			}
		}()
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(p.order)
		defer close(jobs)
		for {
			j := lineJob{out: make(chan parsedBatch, 1), limit: r.lim.MaxRowBytes}
			var end parsedBatch
			for len(j.raw) < parallelBatch {
				b, tooLong, err := r.readLine()
				if err != nil {
					end.end = true
					if !errors.Is(err, io.EOF) {
						end.err = fmt.Errorf("line %d: %w", r.line+1, err)
					}
					break
				}
				j.raw, j.nums, j.long = append(j.raw, b), append(j.nums, r.line), append(j.long, tooLong)
			}
			if len(j.raw) > 0 {
				select {
				case p.order <- j.out:
				case <-p.quit:
					return
				}
				select {
				case jobs <- j:
				case <-p.quit:
					return
				}
			}
			if end.end {
				last := make(chan parsedBatch, 1)
				last <- end
				select {
				case p.order <- last:
				case <-p.quit:
				}
				return
			}
		}
	}()
	r.par = p
}

// readParallel takes the next batch of parsed lines, in file order.
func (r *Reader) readParallel() {
	out, ok := <-r.par.order
	if !ok {
		r.done = true
		return
	}
	var b parsedBatch
	select {
	case b = <-out:
	case <-r.par.quit:
		r.done = true
		return
	}
	for _, p := range b.lines {
		r.take(p)
	}
	if b.end {
		r.done, r.err = true, b.err
	}
}

// Close stops the goroutines of SetWorkers and waits for them; the reader
// then returns no more events. It does not close the underlying reader.
// Closing a serial reader does nothing.
func (r *Reader) Close() {
	if r.par == nil {
		return
	}
	r.par.once.Do(func() { close(r.par.quit) })
	r.par.wg.Wait()
	r.done = true
}
