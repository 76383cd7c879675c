package markov

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Path is one journey, or Weight identical journeys taken together: the
// ordered step labels, the entry channel, whether it converted and the
// conversion value it carried.
type Path struct {
	// Steps are the step (or channel) labels in time order.
	Steps []string
	// Channel is the entry channel, used when Options.StartPerChannel is
	// set. Empty means the first step.
	Channel string
	// Converted reports whether the journey ends in (conversion); otherwise
	// it ends in (exit).
	Converted bool
	// Value is the total conversion value of the Weight journeys (ignored
	// when Converted is false).
	Value float64
	// Weight is the number of journeys the path stands for; zero means one.
	Weight float64
}

// weight returns the number of journeys p stands for.
func (p Path) weight() float64 {
	if p.Weight == 0 {
		return 1
	}
	return p.Weight
}

// entry returns the entry channel of p.
func (p Path) entry() string {
	if p.Channel != "" || len(p.Steps) == 0 {
		return p.Channel
	}
	return p.Steps[0]
}

// Sequences is a stream of paths, read with
//
//	for s.Next() {
//		p := s.At()
//		...
//	}
//	if err := s.Err(); err != nil { ... }
//
// so that a fit over millions of events never holds them all at once.
// The Path returned by At, and its Steps, may be reused after the next
// call to Next.
type Sequences interface {
	// Next advances to the next path and reports whether there is one.
	Next() bool
	// At returns the current path.
	At() Path
	// Err returns the error that stopped the iteration, if any.
	Err() error
}

// FromPaths returns Sequences over a slice of paths.
func FromPaths(paths []Path) Sequences {
	return &pathSlice{paths: paths, i: -1}
}

type pathSlice struct {
	paths []Path
	i     int
}

func (s *pathSlice) Next() bool {
	if s.i+1 >= len(s.paths) {
		s.i = len(s.paths)
		return false
	}
	s.i++
	return true
}

func (s *pathSlice) At() Path   { return s.paths[s.i] }
func (s *pathSlice) Err() error { return nil }

// PathReader reads aggregated paths in the ChannelAttribution format, a
// header row then one row per distinct path:
//
//	path;total_conversions;total_conversion_value;total_null
//	eta > iota > alpha > eta;1;0.244;3
//
// Each row yields up to two paths: a converted one with Weight =
// total_conversions and Value = total_conversion_value, and a
// non-converted one with Weight = total_null. Rows with a zero count yield
// nothing for it. The value and null columns are optional; blank lines are
// skipped; quoted fields (RFC 4180) are accepted.
// Set the exported fields before the first call to Next.
type PathReader struct {
	// Comma is the field separator (default ';').
	Comma rune
	// Sep separates the steps of a path (default ">"); blanks around steps
	// are trimmed and empty steps dropped.
	Sep string
	// Column names (defaults: path, total_conversions,
	// total_conversion_value, total_null).
	PathColumn, ConversionsColumn, ValueColumn, NullColumn string

	br      *bufio.Reader
	cr      *csv.Reader // set once a quote is seen
	started bool
	fields  []string
	steps   []string
	cols    [4]int
	pending [2]Path
	npend   int
	cur     Path
	err     error
	line    int
}

// NewPathReader returns a PathReader reading from r.
func NewPathReader(r io.Reader) *PathReader {
	return &PathReader{
		Comma:             ';',
		Sep:               ">",
		PathColumn:        "path",
		ConversionsColumn: "total_conversions",
		ValueColumn:       "total_conversion_value",
		NullColumn:        "total_null",
		br:                bufio.NewReaderSize(r, 64<<10),
	}
}

// Next advances to the next path.
func (pr *PathReader) Next() bool {
	if pr.err != nil {
		return false
	}
	if !pr.started {
		pr.started = true
		if err := pr.header(); err != nil {
			pr.err = err
			return false
		}
	}
	for pr.npend == 0 {
		rec, err := pr.record()
		if err == io.EOF {
			return false
		}
		if err != nil {
			pr.err = fmt.Errorf("markov: read paths: line %d: %w", pr.line, err)
			return false
		}
		if err := pr.row(rec); err != nil {
			pr.err = fmt.Errorf("markov: read paths: line %d: %w", pr.line, err)
			return false
		}
	}
	pr.npend--
	pr.cur = pr.pending[0]
	pr.pending[0] = pr.pending[1]
	return true
}

// At returns the current path. Its Steps are reused after the next row.
func (pr *PathReader) At() Path { return pr.cur }

// Err returns the first read or parse error.
func (pr *PathReader) Err() error { return pr.err }

// record returns the fields of the next non-blank line.
func (pr *PathReader) record() ([]string, error) {
	for {
		if pr.cr != nil {
			pr.line++
			return pr.cr.Read()
		}
		line, err := pr.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long := append([]byte(nil), line...)
			for err == bufio.ErrBufferFull {
				line, err = pr.br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		if len(line) == 0 && err == io.EOF {
			return nil, io.EOF
		}
		if bytes.IndexByte(line, '"') >= 0 {
			// Quoted fields: hand this line and the rest to encoding/csv.
			pr.cr = csv.NewReader(io.MultiReader(bytes.NewReader(slices.Clone(line)), pr.br))
			pr.cr.Comma = pr.Comma
			pr.cr.FieldsPerRecord = -1
			pr.cr.ReuseRecord = true
			continue
		}
		pr.line++
		line = bytes.TrimRight(line, "\r\n")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		s := string(line)
		pr.fields = pr.fields[:0]
		for {
			i := strings.IndexRune(s, pr.Comma)
			if i < 0 {
				pr.fields = append(pr.fields, s)
				return pr.fields, nil
			}
			pr.fields = append(pr.fields, s[:i])
			s = s[i+utf8.RuneLen(pr.Comma):]
		}
	}
}

func (pr *PathReader) header() error {
	rec, err := pr.record()
	if err == io.EOF {
		return fmt.Errorf("markov: read paths: %w", ErrEmpty)
	}
	if err != nil {
		return fmt.Errorf("markov: read paths: header: %w", err)
	}
	names := [4]string{pr.PathColumn, pr.ConversionsColumn, pr.ValueColumn, pr.NullColumn}
	for k, name := range names {
		pr.cols[k] = -1
		for i, h := range rec {
			if strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")) == name {
				pr.cols[k] = i
			}
		}
	}
	if pr.cols[0] < 0 || pr.cols[1] < 0 {
		return fmt.Errorf("markov: read paths: header lacks %q or %q", pr.PathColumn, pr.ConversionsColumn)
	}
	return nil
}

func (pr *PathReader) row(rec []string) error {
	field := func(k int) (float64, error) {
		i := pr.cols[k]
		if i < 0 {
			return 0, nil
		}
		if i >= len(rec) {
			return 0, errors.New("missing field")
		}
		s := strings.TrimSpace(rec[i])
		if s == "" {
			return 0, nil
		}
		v, err := parseNumber(s)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || (k != 2 && v < 0) {
			return 0, fmt.Errorf("bad number %q", s)
		}
		return v, nil
	}
	if pr.cols[0] >= len(rec) {
		return errors.New("missing path")
	}
	conv, err := field(1)
	if err != nil {
		return err
	}
	value, err := field(2)
	if err != nil {
		return err
	}
	null, err := field(3)
	if err != nil {
		return err
	}
	pr.steps = splitSteps(pr.steps[:0], rec[pr.cols[0]], pr.Sep)
	if conv > 0 {
		pr.pending[pr.npend] = Path{Steps: pr.steps, Converted: true, Value: value, Weight: conv}
		pr.npend++
	}
	if null > 0 {
		pr.pending[pr.npend] = Path{Steps: pr.steps, Weight: null}
		pr.npend++
	}
	return nil
}

// splitSteps appends to dst the parts of s split on sep, trimmed, without
// empty ones.
func splitSteps(dst []string, s, sep string) []string {
	for len(s) > 0 {
		i := strings.Index(s, sep)
		var part string
		if i < 0 {
			part, s = s, ""
		} else {
			part, s = s[:i], s[i+len(sep):]
		}
		if part = strings.TrimSpace(part); part != "" {
			dst = append(dst, part)
		}
	}
	return dst
}

// parseNumber parses a decimal number, with a fast path for small
// non-negative integers.
func parseNumber(s string) (float64, error) {
	if len(s) <= 15 {
		var n int64
		for i := 0; i < len(s); i++ {
			d := s[i] - '0'
			if d > 9 {
				return strconv.ParseFloat(s, 64)
			}
			n = 10*n + int64(d)
		}
		return float64(n), nil
	}
	return strconv.ParseFloat(s, 64)
}
