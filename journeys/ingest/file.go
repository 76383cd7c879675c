package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// Reader streams events from one import file. Bad rows are collected (see
// Rejected) and never stop the file; only an I/O or decompression error does
// (see Err).
//
// Rows without an id column get a content hash (see EventID) as their ID. Two
// identical rows (same person, name, millisecond and properties) would then
// share an id and the second would be taken for a re-send of the first, yet
// real exports hold such rows (the rees46 sample has four identical rows in a
// row; taobao-like logs have one-second resolution). So the k-th repeat of a
// row (k = 1, 2...) within the file gets the hash of its content id and k
// instead. Reading the same file again yields the same ids; a first
// occurrence has the id the same event would get through the API. Repeats are
// recognised within a window of at least 1<<20 distinct rows, which covers
// files sorted by time or by person; repeats further apart share an id.
type Reader struct {
	m   Mapping
	now time.Time
	lim journeys.Limits

	count *countingReader
	br    *bufio.Reader
	cr    *csv.Reader
	csvF  csvFields
	start time.Time // seq
	names map[string]string

	line    int // lines read (line formats)
	offset  int64
	seqN    int
	pending []journeys.Event // events of the last record read (seq: of one line)
	lines   []int
	pos     int // next in pending
	ev      journeys.Event
	evLine  int
	dup     dedupe
	par     *parallel // set by SetWorkers

	rejected []journeys.RowError
	good     int
	bad      int
	done     bool
	err      error
}

// NewReader returns a Reader of r, gunzipping it when it starts with the gzip
// magic bytes. A zero Mapping (no Format, no Person) is replaced by the preset
// DetectPreset recognises from the first line. now is the reference for the
// far-future check (zero means time.Now); zero fields of lim take their
// defaults. Errors are an *Error with code EINVALID for a bad mapping or
// header, or a wrapped I/O error.
func NewReader(r io.Reader, m Mapping, now time.Time, lim journeys.Limits) (*Reader, error) {
	rd := &Reader{m: m, now: now, lim: lim.WithDefaults(), count: &countingReader{r: r}}
	if rd.now.IsZero() {
		rd.now = time.Now()
	}
	br := bufio.NewReaderSize(rd.count, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("open gzip: %w", err)
		}
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	rd.br = br
	if rd.m.Format == "" && rd.m.Person == "" {
		head, _ := br.Peek(br.Size())
		line, _, _ := bytes.Cut(head, []byte("\n"))
		name, ok := DetectPreset(strings.Split(strings.TrimRight(string(line), "\r"), ","))
		if !ok {
			return nil, journeys.Errorf(journeys.EINVALID, "mapping: the file is not a known dataset; give a mapping or a preset")
		}
		rd.m, _ = Preset(name)
	}
	if err := rd.m.validate(); err != nil {
		return nil, journeys.Errorf(journeys.EINVALID, "mapping: %s", journeys.ErrorMessage(err))
	}
	var err error
	switch rd.m.Format {
	case FormatCSV:
		err = rd.openCSV()
	case FormatSeq:
		err = rd.openSeq()
	}
	if err != nil {
		return nil, err
	}
	return rd, nil
}

// OpenFile opens path and returns a Reader of it and the file to close. When
// m.Format is empty but other fields are set, the format comes from the
// extension (.csv, .tsv, .jsonl, .ndjson, .json, .seq, each optionally .gz);
// a zero Mapping is detected from the content (see NewReader).
func OpenFile(path string, m Mapping, now time.Time, lim journeys.Limits) (*Reader, io.Closer, error) {
	if m.Format == "" && m.Person != "" {
		ext := strings.ToLower(filepath.Ext(strings.TrimSuffix(strings.ToLower(path), ".gz")))
		switch ext {
		case ".csv":
			m.Format = FormatCSV
		case ".tsv":
			m.Format = FormatCSV
			if m.Comma == 0 {
				m.Comma = '\t'
			}
		case ".jsonl", ".ndjson", ".json":
			m.Format = FormatJSONL
		case ".seq":
			m.Format = FormatSeq
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", path, err)
	}
	r, err := NewReader(f, m, now, lim)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("open %s: %w", path, err)
	}
	return r, f, nil
}

// Next advances to the next good event, collecting bad rows on the way. It
// returns false at the end of the file or on an I/O error (see Err).
func (r *Reader) Next() bool {
	for r.pos >= len(r.pending) {
		if r.done {
			return false
		}
		r.pending, r.lines, r.pos = r.pending[:0], r.lines[:0], 0
		r.read()
	}
	r.ev, r.evLine = r.pending[r.pos], r.lines[r.pos]
	r.pos++
	r.good++
	return true
}

// Event returns the current event.
func (r *Reader) Event() journeys.Event { return r.ev }

// Line returns the 1-based line number of the current event (its record's
// first line for CSV records spanning lines).
func (r *Reader) Line() int { return r.evLine }

// Rejected returns the rows rejected since the last call and forgets them.
// Call it regularly on large files: rejected rows are held until then.
func (r *Reader) Rejected() []journeys.RowError {
	out := r.rejected
	r.rejected = nil
	return out
}

// Err returns the I/O or decompression error that stopped reading, if any.
func (r *Reader) Err() error { return r.err }

// Counts returns how many events were returned and rows rejected so far.
func (r *Reader) Counts() (events, rejected int) { return r.good, r.bad }

// BytesRead returns how many bytes were read from the underlying reader
// (compressed bytes for gzip input), for progress reporting.
func (r *Reader) BytesRead() int64 { return r.count.n.Load() }

// Mapping returns the mapping in use (the detected preset, if any).
func (r *Reader) Mapping() Mapping { return r.m }

// read reads one record or line, adding events to pending or rows to
// rejected, and sets done at the end.
func (r *Reader) read() {
	if r.par != nil {
		r.readParallel()
		return
	}
	if r.m.Format == FormatCSV {
		r.readCSV()
		return
	}
	b, tooLong, err := r.readLine()
	if err != nil {
		r.done = true
		if !errors.Is(err, io.EOF) {
			r.err = fmt.Errorf("line %d: %w", r.line+1, err)
		}
		return
	}
	if tooLong {
		if r.m.Format == FormatSeq {
			r.seqN++ // the person keeps its number
		}
		r.reject(r.line, "row", "is longer than %d bytes", r.lim.MaxRowBytes)
		return
	}
	if r.m.Format == FormatSeq {
		r.readSeq(b)
		return
	}
	r.take(r.parseLine(b, r.line))
}

// readLine returns the next line without its line ending, and tooLong when
// it is longer than MaxRowBytes: then only a prefix is returned and the rest
// is skipped, so memory stays bounded. err is io.EOF at the end.
func (r *Reader) readLine() (line []byte, tooLong bool, err error) {
	limit := r.lim.MaxRowBytes
	for {
		chunk, err := r.br.ReadSlice('\n')
		if len(line) <= limit+2 { // +2: the line ending
			line = append(line, chunk...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && !(err == io.EOF && len(line) > 0) {
			return nil, false, err
		}
		r.line++
		line = bytes.TrimRight(line, "\r\n")
		return line, len(line) > limit, nil
	}
}

// reject records a bad row.
func (r *Reader) reject(line int, field, format string, args ...any) {
	re := journeys.RowErrorf(field, format, args...)
	re.Row = line
	r.rejected = append(r.rejected, re)
	r.bad++
}

// emit queues a good event, assigning a content id (numbered among repeats)
// when it has none.
func (r *Reader) emit(e journeys.Event, line int) {
	if e.ID == "" {
		e.ID = r.dup.id(e.ContentID())
	}
	r.pending = append(r.pending, e)
	r.lines = append(r.lines, line)
}

// openCSV sets up the CSV reader and reads the header.
func (r *Reader) openCSV() error {
	r.cr = csv.NewReader(r.br)
	if r.m.Comma != 0 {
		r.cr.Comma = r.m.Comma
	}
	r.cr.FieldsPerRecord = -1
	cols := r.m.Columns
	if r.m.Header {
		rec, err := r.cr.Read()
		if err != nil && !errors.Is(err, io.EOF) {
			return journeys.Errorf(journeys.EINVALID, "header: %v", err)
		}
		cols = append([]string(nil), rec...)
		if len(cols) > 0 {
			cols[0] = strings.TrimPrefix(cols[0], "\ufeff")
		}
		r.offset = r.cr.InputOffset()
	}
	index := make(map[string]int, len(cols))
	for i, c := range cols {
		index[strings.TrimSpace(c)] = i
	}
	for _, p := range r.m.mapped() {
		if _, ok := index[p[1]]; !ok {
			return journeys.Errorf(journeys.EINVALID, "mapping: %s column %s is not among the columns %s", p[0], journeys.Quote(p[1]), strings.Join(cols, ","))
		}
	}
	r.csvF = csvFields{index: index, cols: cols}
	return nil
}

// readCSV reads one CSV record.
func (r *Reader) readCSV() {
	rec, err := r.cr.Read()
	size := r.cr.InputOffset() - r.offset
	r.offset = r.cr.InputOffset()
	var pe *csv.ParseError
	switch {
	case errors.Is(err, io.EOF):
		r.done = true
		return
	case errors.As(err, &pe):
		r.reject(pe.StartLine, "row", "%v (column %d)", pe.Err, pe.Column)
		return
	case err != nil:
		r.done, r.err = true, fmt.Errorf("read csv: %w", err)
		return
	}
	line, _ := r.cr.FieldPos(0)
	switch {
	case size > int64(r.lim.MaxRowBytes):
		r.reject(line, "row", "is %d bytes (max %d)", size, r.lim.MaxRowBytes)
	case len(rec) != len(r.csvF.cols):
		r.reject(line, "row", "has %d fields, want %d (%s)", len(rec), len(r.csvF.cols), strings.Join(r.csvF.cols, ","))
	default:
		r.csvF.rec = rec
		e, re := r.m.event(r.csvF, r.now, r.lim)
		if re != nil {
			r.reject(line, re.Field, "%s", re.Problem)
			return
		}
		r.emit(e, line)
	}
}

// parsed is what one line of a line format (JSONL, Segment) gave: an
// event, a rejected row (re), or nothing (a blank line). An event without
// an id of its own carries its content id, hashed set: it is numbered
// among repeats in file order (see dedupe) when it is taken.
type parsed struct {
	e      journeys.Event
	line   int
	re     *journeys.RowError
	blank  bool
	hashed bool
}

// parseLine parses one line of a JSONL or Segment file: a pure function
// of the line and the reader's mapping, time and limits, so that lines may
// be parsed in parallel (see SetWorkers).
func (r *Reader) parseLine(b []byte, line int) parsed {
	var p parsed
	if r.m.Format == FormatSegment {
		p = r.parseSegment(b)
	} else {
		p = r.parseJSONL(b)
	}
	p.line = line
	if p.re != nil {
		p.re.Row = line
	}
	if !p.blank && p.re == nil && p.e.ID == "" {
		p.e.ID, p.hashed = p.e.ContentID(), true
	}
	return p
}

// take queues what a line gave: a good event or a rejected row.
func (r *Reader) take(p parsed) {
	switch {
	case p.blank:
	case p.re != nil:
		r.rejected = append(r.rejected, *p.re)
		r.bad++
	default:
		if p.hashed {
			p.e.ID = r.dup.id(p.e.ID)
		}
		r.pending = append(r.pending, p.e)
		r.lines = append(r.lines, p.line)
	}
}

// rejectRow returns a rejected row's error (its row set by parseLine).
func rejectRow(field, format string, args ...any) parsed {
	re := journeys.RowErrorf(field, format, args...)
	return parsed{re: &re}
}

// parseJSONL turns one JSON line into an event.
func (r *Reader) parseJSONL(b []byte) parsed {
	if len(bytes.TrimSpace(b)) == 0 {
		return parsed{blank: true}
	}
	if re := checkJSONText(b, "row"); re != nil {
		return rejectRow(re.Field, "%s", re.Problem)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return rejectRow("row", "malformed JSON: %v", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return rejectRow("row", "want a JSON object, got %s", jsonKind(v))
	}
	e, re := r.m.event(jsonFields(obj), r.now, r.lim)
	if re != nil {
		return rejectRow(re.Field, "%s", re.Problem)
	}
	return parsed{e: e}
}

// parseSegment turns one Segment payload line into an event, then applies
// the mapping's PersonPrefix, Names and Constant.
func (r *Reader) parseSegment(b []byte) parsed {
	if len(bytes.TrimSpace(b)) == 0 {
		return parsed{blank: true}
	}
	e, senderID, err := parseItem(b, r.now, r.lim)
	if err != nil {
		re, _ := err.(journeys.RowError)
		return rejectRow(re.Field, "%s", re.Problem)
	}
	e.Person = r.m.PersonPrefix + e.Person
	if e.PreviousID != "" {
		e.PreviousID = r.m.PersonPrefix + e.PreviousID
	}
	if c, ok := r.m.Names[e.Name]; ok {
		e.Name = c
	}
	for k, v := range r.m.Constant {
		switch k {
		case "channel":
			e.Channel = first(e.Channel, v)
		case "campaign":
			e.Campaign = first(e.Campaign, v)
		case "device":
			e.Device = first(e.Device, v)
		case "url":
			e.URL = first(e.URL, v)
		case "session":
			e.Session = first(e.Session, v)
		}
	}
	if !senderID {
		e.ID = "" // hash the mapped event
	}
	if re := r.lim.CheckEvent(&e); re != nil { // the mapping may have lengthened it
		propsKey := "properties"
		if e.Type == journeys.TypeIdentify {
			propsKey = "traits"
		}
		re2 := payloadField(*re, e, propsKey)
		return rejectRow(re2.Field, "%s", re2.Problem)
	}
	return parsed{e: e}
}

// openSeq reads the msnbc header: lines up to "% Sequences:", whose third
// line lists the category names.
func (r *Reader) openSeq() error {
	r.start = time.Date(1999, 9, 28, 0, 0, 0, 0, time.UTC)
	if r.m.Start != "" {
		r.start, _ = time.Parse(time.RFC3339, r.m.Start)
	}
	r.names = r.m.Names
	for {
		b, _, err := r.readLine()
		if err != nil {
			return journeys.Errorf(journeys.EINVALID, "seq header: no %q line", "% Sequences:")
		}
		s := strings.TrimSpace(string(b))
		if r.line == 3 && len(r.names) == 0 {
			r.names = map[string]string{}
			for i, n := range strings.Fields(s) {
				r.names[strconv.Itoa(i+1)] = n
			}
		}
		if strings.HasPrefix(s, "% Sequences") {
			break
		}
	}
	// The blank line after the banner belongs to the header.
	if next, _ := r.br.Peek(2); bytes.HasPrefix(next, []byte("\r\n")) || bytes.HasPrefix(next, []byte("\n")) {
		r.readLine()
	}
	return nil
}

// readSeq turns one sequence line into one event per category id.
func (r *Reader) readSeq(b []byte) {
	r.seqN++
	tokens := strings.Fields(string(b))
	person := r.m.PersonPrefix + strconv.Itoa(r.seqN)
	for i, tok := range tokens {
		if _, err := strconv.Atoi(tok); err != nil {
			r.pending, r.lines = r.pending[:0], r.lines[:0]
			r.reject(r.line, "row", "item %d: %s is not a category id", i+1, journeys.Quote(tok))
			return
		}
		e := journeys.Event{Type: journeys.TypeTrack, Person: person, Name: tok, Time: r.start.Add(time.Duration(i) * time.Minute)}
		if n, ok := r.names[tok]; ok {
			e.Name = n
		}
		if p := r.lim.CheckTime(e.Time, r.now); p != "" {
			r.pending, r.lines = r.pending[:0], r.lines[:0]
			r.reject(r.line, "row", "item %d: %s", i+1, p)
			return
		}
		if re := r.lim.CheckEvent(&e); re != nil {
			r.pending, r.lines = r.pending[:0], r.lines[:0]
			r.reject(r.line, "row", "item %d: %v", i+1, re)
			return
		}
		// Times are distinct within a line and persons across lines: no repeats.
		e.ID = e.ContentID()
		r.pending = append(r.pending, e)
		r.lines = append(r.lines, r.line)
	}
}

// dedupe numbers repeated content ids (see Reader). It keeps two
// generations of seen ids, so its memory is bounded.
type dedupe struct {
	cur, prev map[[16]byte]uint32
}

// dedupeGeneration is the number of distinct ids per generation.
const dedupeGeneration = 1 << 20

// id returns base for its first occurrence and a derived id for repeats.
func (d *dedupe) id(base string) string {
	var key [16]byte
	if n, err := hex.Decode(key[:], []byte(base)); err != nil || n != 16 {
		return base
	}
	if d.cur == nil {
		d.cur = make(map[[16]byte]uint32)
	}
	k, seen := d.cur[key]
	if !seen {
		k, seen = d.prev[key]
	}
	if !seen && len(d.cur) >= dedupeGeneration {
		d.prev, d.cur = d.cur, make(map[[16]byte]uint32)
	}
	d.cur[key] = k + 1
	if k == 0 {
		return base
	}
	sum := sha256.Sum256([]byte(base + "#" + strconv.FormatUint(uint64(k), 10)))
	return hex.EncodeToString(sum[:])[:32]
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n atomic.Int64 // read by progress while SetWorkers' goroutine reads
}

// Read reads from the underlying reader and counts the bytes.
func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
