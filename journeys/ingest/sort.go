package ingest

import (
	"bufio"
	"cmp"
	"container/heap"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/journeygraph/journeygraph/journeys"
)

// DefaultSortMemory is the memory an import's sort holds events in before it
// spills them to temporary files (see Importer.SortMemory).
const DefaultSortMemory = 512 << 20

// maxFanIn is the most runs merged at once: more are merged in rounds, so
// the open files stay few whatever the memory budget.
const maxFanIn = 64

func init() {
	// The property values a reader produces, for the runs' gob encoding.
	gob.Register(json.Number(""))
	gob.Register(map[string]any{})
	gob.Register([]any{})
}

// fileEvent is an event read from a file, with where it came from.
type fileEvent struct {
	Event journeys.Event
	Line  int   // its row in the file (1-based)
	Seq   int64 // its position among the file's events: the last tie-breaker
	File  int   // which of the files of a bulk load it comes from
}

// compareFileEvents orders the events that merge an anonymous id into a
// person (identify and alias with a previous id) first, by time, so that
// merges happen in time order, as in a file sorted by time, before the
// events they move are written (those then join the known person at once);
// then every other event by (person, time, id) as the store's chains are
// sorted (journeys.SortEvents); ties by position in the file, so that the
// order is total and the same on every run.
func compareFileEvents(a, b *fileEvent) int {
	am, bm := merges(&a.Event), merges(&b.Event)
	switch {
	case am && !bm:
		return -1
	case bm && !am:
		return 1
	case !am:
		if c := strings.Compare(a.Event.Person, b.Event.Person); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(a.Event.Time.UnixMilli(), b.Event.Time.UnixMilli()); c != 0 {
		return c // to the millisecond, as the store keeps times
	}
	if c := strings.Compare(a.Event.ID, b.Event.ID); c != 0 {
		return c
	}
	switch {
	case a.Seq < b.Seq:
		return -1
	case a.Seq > b.Seq:
		return 1
	}
	return 0
}

// merges tells whether e merges an anonymous id into its person.
func merges(e *journeys.Event) bool {
	return e.PreviousID != "" && (e.Type == journeys.TypeIdentify || e.Type == journeys.TypeAlias)
}

// externalSort sorts events (see compareFileEvents) in bounded
// memory: past its budget it sorts what it holds and spills it to a
// temporary file (a run), and Sorted merges the runs. Close removes the
// temporary files.
type externalSort struct {
	root   string // parent of the temporary folder; os.TempDir when empty
	dir    string // the temporary folder, made at the first spill
	budget int64
	used   int64
	buf    []fileEvent
	runs   []string
	spills int
	stream *sortedStream
}

// newExternalSort returns a sort holding up to budget bytes of events in
// memory (DefaultSortMemory when budget <= 0), spilling under root.
func newExternalSort(root string, budget int64) *externalSort {
	if budget <= 0 {
		budget = DefaultSortMemory
	}
	return &externalSort{root: root, budget: budget}
}

// Add adds an event; it may spill the events held so far to a run.
func (s *externalSort) Add(e fileEvent) error {
	s.buf = append(s.buf, e)
	s.used += eventSize(&e.Event)
	if s.used >= s.budget || len(s.buf) == math.MaxInt32 { // sortBuf's indexes are int32

		return s.spill()
	}
	return nil
}

// sortBuf sorts the events held: it sorts their indexes (an event is too
// big to move per swap), then moves each event once into place.
func (s *externalSort) sortBuf() {
	idx := make([]int32, len(s.buf))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int { return compareFileEvents(&s.buf[a], &s.buf[b]) })
	permute(s.buf, idx)
}

// permute sets buf[i] to the old buf[idx[i]] for every i, in place, by
// following the permutation's cycles; idx is spent.
func permute(buf []fileEvent, idx []int32) {
	for i := range idx {
		if idx[i] == int32(i) || idx[i] < 0 {
			continue
		}
		tmp := buf[i]
		j := i
		for {
			k := int(idx[j])
			idx[j] = -1
			if k == i {
				buf[j] = tmp
				break
			}
			buf[j] = buf[k]
			j = k
		}
	}
}

// spill sorts the events held and writes them to a new run.
func (s *externalSort) spill() error {
	if len(s.buf) == 0 {
		return nil
	}
	s.sortBuf()
	path, err := s.writeRun(&sliceRun{events: s.buf})
	if err != nil {
		return err
	}
	s.runs = append(s.runs, path)
	s.spills++
	clear(s.buf)
	s.buf, s.used = s.buf[:0], 0
	return nil
}

// writeRun writes src's events, in order, to a new temporary file.
func (s *externalSort) writeRun(src run) (string, error) {
	if s.dir == "" {
		dir, err := os.MkdirTemp(s.root, "journeygraph-sort-")
		if err != nil {
			return "", fmt.Errorf("sort: %w", err)
		}
		s.dir = dir
	}
	f, err := os.CreateTemp(s.dir, "run-*.gob")
	if err != nil {
		return "", fmt.Errorf("sort: %w", err)
	}
	w := bufio.NewWriterSize(f, 256<<10)
	enc := gob.NewEncoder(w)
	for {
		e, ok, err := src.next()
		if err == nil && ok {
			err = enc.Encode(&e)
		}
		if err != nil {
			f.Close()
			return "", fmt.Errorf("sort: write run: %w", err)
		}
		if !ok {
			break
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return "", fmt.Errorf("sort: write run: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("sort: write run: %w", err)
	}
	return f.Name(), nil
}

// Sorted returns the events in order. The events held in memory are merged
// with the runs without being spilled; runs beyond maxFanIn are first
// merged in rounds into longer runs. Call it once, after the last Add.
func (s *externalSort) Sorted() (*sortedStream, error) {
	s.sortBuf()
	for len(s.runs)+1 > maxFanIn {
		group := s.runs[:maxFanIn]
		srcs, err := openRuns(group)
		if err != nil {
			return nil, err
		}
		path, err := s.writeRun(newMerge(srcs))
		closeRuns(srcs)
		if err != nil {
			return nil, err
		}
		for _, p := range group {
			os.Remove(p)
		}
		s.runs = append(s.runs[maxFanIn:], path)
	}
	srcs, err := openRuns(s.runs)
	if err != nil {
		return nil, err
	}
	srcs = append(srcs, &sliceRun{events: s.buf})
	s.stream = &sortedStream{merge: newMerge(srcs), srcs: srcs}
	return s.stream, nil
}

// Runs returns how many runs were spilled.
func (s *externalSort) Runs() int { return s.spills }

// Close closes the sorted stream and removes the temporary files.
func (s *externalSort) Close() error {
	if s.stream != nil {
		closeRuns(s.stream.srcs)
	}
	s.buf = nil
	if s.dir == "" {
		return nil
	}
	err := os.RemoveAll(s.dir)
	s.dir = ""
	return err
}

// sortedStream iterates over sorted events: Next, At, Err.
type sortedStream struct {
	merge *merge
	srcs  []run
	cur   fileEvent
	err   error
}

// Next advances to the next event; false at the end or on an error.
func (st *sortedStream) Next() bool {
	if st.err != nil {
		return false
	}
	e, ok, err := st.merge.next()
	if err != nil {
		st.err = err
		return false
	}
	st.cur = e
	return ok
}

// At returns the current event.
func (st *sortedStream) At() fileEvent { return st.cur }

// Err returns the error that stopped the stream, if any.
func (st *sortedStream) Err() error { return st.err }

// run is a sorted source of events.
type run interface {
	next() (fileEvent, bool, error)
}

// sliceRun is a run in memory.
type sliceRun struct {
	events []fileEvent
	pos    int
}

func (r *sliceRun) next() (fileEvent, bool, error) {
	if r.pos >= len(r.events) {
		return fileEvent{}, false, nil
	}
	e := r.events[r.pos]
	r.events[r.pos] = fileEvent{} // let the event go once merged
	r.pos++
	return e, true, nil
}

// fileRun is a run read back from its temporary file.
type fileRun struct {
	f   *os.File
	dec *gob.Decoder
}

func (r *fileRun) next() (fileEvent, bool, error) {
	var e fileEvent // fresh: gob merges into maps it decodes into
	if err := r.dec.Decode(&e); err != nil {
		if errors.Is(err, io.EOF) {
			return fileEvent{}, false, nil
		}
		return fileEvent{}, false, fmt.Errorf("sort: read run %s: %w", filepath.Base(r.f.Name()), err)
	}
	return e, true, nil
}

func openRuns(paths []string) ([]run, error) {
	srcs := make([]run, 0, len(paths)+1)
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			closeRuns(srcs)
			return nil, fmt.Errorf("sort: %w", err)
		}
		srcs = append(srcs, &fileRun{f: f, dec: gob.NewDecoder(bufio.NewReaderSize(f, 64<<10))})
	}
	return srcs, nil
}

func closeRuns(srcs []run) {
	for _, r := range srcs {
		if fr, ok := r.(*fileRun); ok {
			fr.f.Close()
		}
	}
}

// merge is a k-way merge of runs through a heap of their heads.
type merge struct {
	h       mergeHeap
	srcs    []run
	started bool
}

func newMerge(srcs []run) *merge { return &merge{srcs: srcs} }

func (m *merge) next() (fileEvent, bool, error) {
	if !m.started {
		m.started = true
		for i, r := range m.srcs {
			e, ok, err := r.next()
			if err != nil {
				return fileEvent{}, false, err
			}
			if ok {
				m.h = append(m.h, head{e: e, src: i})
			}
		}
		heap.Init(&m.h)
	}
	if len(m.h) == 0 {
		return fileEvent{}, false, nil
	}
	top := m.h[0]
	e, ok, err := m.srcs[top.src].next()
	if err != nil {
		return fileEvent{}, false, err
	}
	if ok {
		m.h[0].e = e
		heap.Fix(&m.h, 0)
	} else {
		heap.Pop(&m.h)
	}
	return top.e, true, nil
}

// head is a run's next event.
type head struct {
	e   fileEvent
	src int
}

// mergeHeap is a min-heap of heads (container/heap).
type mergeHeap []head

func (h mergeHeap) Len() int           { return len(h) }
func (h mergeHeap) Less(i, j int) bool { return compareFileEvents(&h[i].e, &h[j].e) < 0 }
func (h mergeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)        { *h = append(*h, x.(head)) }
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// eventSize estimates the memory an event holds, for the sort's budget.
func eventSize(e *journeys.Event) int64 {
	n := 320 + len(e.ID) + len(e.Type) + len(e.Person) + len(e.PreviousID) + len(e.Name) + len(e.Step) +
		len(e.Channel) + len(e.Campaign) + len(e.Device) + len(e.URL) + len(e.Session) + len(e.Product)
	if e.Properties != nil {
		n += valueSize(e.Properties)
	}
	return int64(n)
}

// valueSize estimates the memory of a property value.
func valueSize(v any) int {
	switch x := v.(type) {
	case string:
		return 16 + len(x)
	case json.Number:
		return 16 + len(x)
	case map[string]any:
		n := 64
		for k, v := range x {
			n += 32 + len(k) + valueSize(v)
		}
		return n
	case []any:
		n := 24
		for _, v := range x {
			n += 16 + valueSize(v)
		}
		return n
	}
	return 16
}
