package bulk

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// column is a property column of a CSV file: its name and its
// neo4j-admin type (string, long, double, boolean).
type column struct{ name, typ string }

// table is one CSV data file of neo4j-admin import and its header, written
// to a separate file when the table is closed: a property column is added
// when a row first brings the property, and a row ends at its last
// property, which the importer reads as no value for the columns after.
type table struct {
	kind  string   // the node label or relationship type
	ids   []string // header entries of the integer id columns every row starts with
	lead  []string // header entries of the string columns that follow them
	cols  []column
	index map[string]int
	path  string // the data file; the header is path with "-header" before ".csv"
	f     *os.File
	w     *bufio.Writer
	rows  int64
	vals  []any  // scratch: one row's values by column
	line  []byte // scratch: one row
	// multiline is set when a value holds a line break: the importer must
	// then be told that fields may span lines.
	multiline bool
}

// newTable creates the data file name.csv in dir for rows of kind, each
// starting with integer ids (their header entries ids) and strings (lead).
func newTable(dir, name, kind string, ids, lead []string) (*table, error) {
	path := filepath.Join(dir, name+".csv")
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("bulk: %w", err)
	}
	return &table{kind: kind, ids: ids, lead: lead, index: map[string]int{}, path: path, f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

// typeOf returns the neo4j-admin type of a property value, "" for a value
// the store never holds.
func typeOf(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case int64, int:
		return "long"
	case float64:
		return "double"
	case bool:
		return "boolean"
	}
	return ""
}

// fits tells whether every property of props that has a column here has
// that column's type.
func (t *table) fits(props map[string]any) bool {
	for k, v := range props {
		if i, ok := t.index[k]; ok && t.cols[i].typ != typeOf(v) {
			return false
		}
	}
	return true
}

// write appends a row: the integer ids, the lead strings and props,
// adding the columns of properties seen for the first time. The caller
// checked fits.
func (t *table) write(ids []int64, lead []string, props map[string]any) error {
	var keys []string
	for k, v := range props {
		if typeOf(v) == "" {
			return fmt.Errorf("bulk: %s property %s: unsupported value type %T", t.kind, k, v)
		}
		if _, ok := t.index[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys) // new columns in a stable order
	for _, k := range keys {
		t.index[k] = len(t.cols)
		t.cols = append(t.cols, column{name: k, typ: typeOf(props[k])})
	}
	if cap(t.vals) < len(t.cols) {
		t.vals = make([]any, len(t.cols))
	}
	vals := t.vals[:len(t.cols)]
	end := 0
	for k, v := range props {
		i := t.index[k]
		vals[i] = v
		end = max(end, i+1)
	}
	b := t.line[:0]
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	for i, s := range lead {
		if i > 0 || len(ids) > 0 {
			b = append(b, ',')
		}
		b = t.appendQuoted(b, s)
	}
	for i, v := range vals[:end] {
		if i > 0 || len(ids)+len(lead) > 0 {
			b = append(b, ',')
		}
		if v != nil {
			b = t.appendValue(b, v)
			vals[i] = nil
		}
	}
	b = append(b, '\n')
	t.line = b
	t.rows++
	_, err := t.w.Write(b)
	return err
}

// appendValue appends a value as the importer reads its column's type.
// Strings are always quoted: an empty quoted field is an empty string, an
// empty unquoted one no value.
func (t *table) appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case string:
		return t.appendQuoted(b, x)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case float64:
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case bool:
		return strconv.AppendBool(b, x)
	}
	return b
}

// appendQuoted appends s quoted for the importer: inner quotes doubled.
func (t *table) appendQuoted(b []byte, s string) []byte {
	if strings.ContainsAny(s, "\n\r") {
		t.multiline = true
	}
	b = append(b, '"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		b = append(b, s[:i+1]...)
		b = append(b, '"')
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}

// header returns the header line of the table.
func (t *table) header() string {
	parts := append(append([]string(nil), t.ids...), t.lead...)
	for _, c := range t.cols {
		parts = append(parts, c.name+":"+c.typ)
	}
	return strings.Join(parts, ",")
}

// headerPath is where close writes the header.
func (t *table) headerPath() string {
	return strings.TrimSuffix(t.path, ".csv") + "-header.csv"
}

// close flushes the data file and writes the header file.
func (t *table) close() error {
	err := t.w.Flush()
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.WriteFile(t.headerPath(), []byte(t.header()+"\n"), 0o644)
	}
	if err != nil {
		return fmt.Errorf("bulk: %s: %w", t.path, err)
	}
	return nil
}

// tableSet holds the files of one node label: usually one table, another
// when a property comes with a type that conflicts with its column (a
// prop_size both a number and a string), so every value keeps its type.
type tableSet struct {
	dir, name, kind string
	ids, lead       []string
	tables          []*table
}

// write appends a row to the first table it fits, a new table when none.
func (s *tableSet) write(ids []int64, lead []string, props map[string]any) error {
	for _, t := range s.tables {
		if t.fits(props) {
			return t.write(ids, lead, props)
		}
	}
	name := s.name
	if n := len(s.tables); n > 0 {
		name += "-" + strconv.Itoa(n+1)
	}
	t, err := newTable(s.dir, name, s.kind, s.ids, s.lead)
	if err != nil {
		return err
	}
	s.tables = append(s.tables, t)
	return t.write(ids, lead, props)
}
