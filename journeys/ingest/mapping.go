package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/journeygraph/journeygraph/journeys"
)

// Format is the layout of an import file.
type Format string

// The import formats.
const (
	FormatCSV     Format = "csv"     // delimited text, one event per record
	FormatJSONL   Format = "jsonl"   // one flat JSON object per line, fields named by the Mapping
	FormatSegment Format = "segment" // one Segment-style payload per line (see ParseItem)
	FormatSeq     Format = "seq"     // msnbc sequences: one person per line, space-separated category ids
)

// Mapping says which column (CSV) or field (JSONL; dotted paths such as
// "context.page.url" reach into objects) holds what.
//
// Unmapped columns go to Properties. CSV values are kept as strings, never
// parsed as numbers: ids such as category_id 2103807459595387724 do not
// survive a float64, and a string is what the sender wrote; empty cells are
// left out. JSONL values keep their JSON type (see Event).
//
// For FormatSeq the column fields are unused: the person is PersonPrefix
// followed by the 1-based ordinal of the sequence line (the first sequence is
// "msnbc-1"), and the file has no times, so the event at 0-based position i of
// a line gets Start + i minutes. Names maps the category ids ("1") to names;
// when it is empty the category names on the file's third line are used.
type Mapping struct {
	Format Format
	Header bool // the first record names the columns (CSV)
	Comma  rune // CSV field delimiter; 0 means ','

	// Columns or fields holding the event's parts. Person, Time and Name
	// (or Constant["name"]) are required for CSV and JSONL.
	Person, Time, Name, Session, Channel, Campaign, Device, URL, Value, ID, Product string

	Names    map[string]string // raw event name -> canonical, e.g. pv -> product_view; unlisted names are kept
	Columns  []string          // column names when there is no header
	Constant map[string]string // fills a field the row leaves empty: name, channel, campaign, device, url, session; other keys become properties

	PersonPrefix string // prepended to every person (and PreviousID) id, to keep datasets apart
	Start        string // FormatSeq: RFC 3339 time of each sequence's first event
}

// mappingFile is the JSON form LoadMapping reads.
type mappingFile struct {
	Preset       string            `json:"preset"`
	Format       Format            `json:"format"`
	Header       *bool             `json:"header"`
	Comma        string            `json:"comma"`
	Person       string            `json:"person"`
	Time         string            `json:"time"`
	Name         string            `json:"name"`
	Session      string            `json:"session"`
	Channel      string            `json:"channel"`
	Campaign     string            `json:"campaign"`
	Device       string            `json:"device"`
	URL          string            `json:"url"`
	Value        string            `json:"value"`
	Product      string            `json:"product"`
	ID           string            `json:"id"`
	Names        map[string]string `json:"names"`
	Columns      []string          `json:"columns"`
	Constant     map[string]string `json:"constant"`
	PersonPrefix string            `json:"person_prefix"`
	Start        string            `json:"start"`
}

// LoadMapping reads a mapping from a small JSON file whose keys are the
// Mapping fields in snake case ("comma" is a one-character string), plus an
// optional "preset" to start from:
//
//	{"preset": "rees46", "constant": {"channel": "web"}}
//	{"format": "csv", "header": true, "person": "uid", "time": "ts", "name": "action"}
//
// Unknown keys are an error, so a typo does not silently unmap a column.
func LoadMapping(path string) (Mapping, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Mapping{}, fmt.Errorf("load mapping: %w", err)
	}
	var f mappingFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Mapping{}, journeys.Errorf(journeys.EINVALID, "mapping %s: %v", path, err)
	}
	var m Mapping
	if f.Preset != "" {
		var ok bool
		if m, ok = Preset(f.Preset); !ok {
			return Mapping{}, journeys.Errorf(journeys.EINVALID, "mapping %s: preset: %s is not a preset (want one of %s)", path, journeys.Quote(f.Preset), strings.Join(PresetNames(), ", "))
		}
	}
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	if f.Format != "" {
		m.Format = f.Format
	}
	if f.Header != nil {
		m.Header = *f.Header
	}
	if f.Comma != "" {
		r, n := utf8.DecodeRuneInString(f.Comma)
		if n != len(f.Comma) || r == utf8.RuneError {
			return Mapping{}, journeys.Errorf(journeys.EINVALID, "mapping %s: comma: %s is not one character", path, journeys.Quote(f.Comma))
		}
		m.Comma = r
	}
	for _, p := range []struct {
		dst *string
		v   string
	}{{&m.Person, f.Person}, {&m.Time, f.Time}, {&m.Name, f.Name}, {&m.Session, f.Session},
		{&m.Channel, f.Channel}, {&m.Campaign, f.Campaign}, {&m.Device, f.Device}, {&m.URL, f.URL},
		{&m.Value, f.Value}, {&m.ID, f.ID}, {&m.Product, f.Product}, {&m.PersonPrefix, f.PersonPrefix}, {&m.Start, f.Start}} {
		set(p.dst, p.v)
	}
	if f.Names != nil {
		m.Names = f.Names
	}
	if f.Columns != nil {
		m.Columns = f.Columns
	}
	if f.Constant != nil {
		m.Constant = f.Constant
	}
	if err := m.validate(); err != nil {
		return Mapping{}, journeys.Errorf(journeys.EINVALID, "mapping %s: %s", path, journeys.ErrorMessage(err))
	}
	return m, nil
}

// validate checks the mapping without looking at a file.
func (m *Mapping) validate() error {
	switch m.Format {
	case FormatSegment:
		return nil
	case FormatSeq:
		if m.Start != "" {
			if _, err := time.Parse(time.RFC3339, m.Start); err != nil {
				return journeys.Errorf(journeys.EINVALID, "start: %s is not an RFC 3339 time", journeys.Quote(m.Start))
			}
		}
		return nil
	case FormatCSV, FormatJSONL:
	case "":
		return journeys.Errorf(journeys.EINVALID, "format: missing (want csv, jsonl, segment or seq)")
	default:
		return journeys.Errorf(journeys.EINVALID, "format: %s is not a format (want csv, jsonl, segment or seq)", journeys.Quote(string(m.Format)))
	}
	if m.Person == "" {
		return journeys.Errorf(journeys.EINVALID, "person: missing (name the column holding the person id)")
	}
	if m.Time == "" {
		return journeys.Errorf(journeys.EINVALID, "time: missing (name the column holding the timestamp)")
	}
	if m.Name == "" && m.Constant["name"] == "" {
		return journeys.Errorf(journeys.EINVALID, "name: missing (name the column holding the event name, or set constant.name)")
	}
	if m.Format == FormatCSV && !m.Header && len(m.Columns) == 0 {
		return journeys.Errorf(journeys.EINVALID, "columns: missing (a file without a header needs column names)")
	}
	return nil
}

// mapped returns the columns the mapping names, by their role.
func (m *Mapping) mapped() [][2]string {
	var out [][2]string
	for _, p := range [][2]string{{"person", m.Person}, {"time", m.Time}, {"name", m.Name},
		{"session", m.Session}, {"channel", m.Channel}, {"campaign", m.Campaign}, {"device", m.Device},
		{"url", m.URL}, {"value", m.Value}, {"id", m.ID}, {"product", m.Product}} {
		if p[1] != "" {
			out = append(out, p)
		}
	}
	return out
}

// msnbcCategories are the page categories of the msnbc dataset, ids 1..17.
var msnbcCategories = []string{"frontpage", "news", "tech", "local", "opinion", "on-air", "misc",
	"weather", "msn-news", "health", "living", "business", "msn-sports", "sports", "summary", "bbs", "travel"}

// Preset returns the mapping for a known dataset: "rees46" (REES46 eCommerce
// CSV), "taobao" (Taobao UserBehavior CSV, no header), "bpic2012" (BPI
// Challenge 2012 loan applications, CSV derived from the XES log), "msnbc"
// (UCI MSNBC .seq) or "segment" (JSONL of Segment payloads). Each call
// returns a fresh copy.
func Preset(name string) (Mapping, bool) {
	switch name {
	case "rees46":
		// event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session
		return Mapping{Format: FormatCSV, Header: true, Person: "user_id", Time: "event_time",
			Name: "event_type", Session: "user_session", Value: "price", Product: "product_id",
			Names: map[string]string{"view": "product_view", "cart": "add_to_cart",
				"remove_from_cart": "remove_from_cart", "purchase": "purchase"}}, true
	case "taobao":
		return Mapping{Format: FormatCSV, Person: "user_id", Time: "timestamp", Name: "behavior_type", Product: "item_id",
			Columns: []string{"user_id", "item_id", "category_id", "behavior_type", "timestamp"},
			Names: map[string]string{"pv": "product_view", "cart": "add_to_cart",
				"fav": "add_to_wishlist", "buy": "purchase"}}, true
	case "bpic2012":
		// case_id,event_index,activity,lifecycle,timestamp,resource,amount_req,reg_date:
		// every row is kept; lifecycle (SCHEDULE/START/COMPLETE) stays a property.
		return Mapping{Format: FormatCSV, Header: true, Person: "case_id", Time: "timestamp",
			Name: "activity", Value: "amount_req"}, true
	case "msnbc":
		names := make(map[string]string, len(msnbcCategories))
		for i, c := range msnbcCategories {
			names[strconv.Itoa(i+1)] = c
		}
		return Mapping{Format: FormatSeq, PersonPrefix: "msnbc-", Start: "1999-09-28T00:00:00Z", Names: names}, true
	case "segment":
		return Mapping{Format: FormatSegment}, true
	}
	return Mapping{}, false
}

// PresetNames returns the names Preset knows, sorted.
func PresetNames() []string {
	return []string{"bpic2012", "msnbc", "rees46", "segment", "taobao"}
}

// presetHeaders are the header rows that identify a dataset.
var presetHeaders = map[string][]string{
	"rees46":   {"event_time", "event_type", "product_id", "category_id", "category_code", "brand", "price", "user_id", "user_session"},
	"bpic2012": {"case_id", "event_index", "activity", "lifecycle", "timestamp", "resource", "amount_req", "reg_date"},
}

// DetectPreset recognises a dataset from the fields of its first line (split
// on commas): the rees46 and bpic2012 headers, a taobao data row (five fields,
// the fourth pv/cart/fav/buy, the fifth an epoch), the msnbc "% Different
// categories" banner, or a JSON object (segment).
func DetectPreset(header []string) (string, bool) {
	if len(header) > 0 {
		header = slices.Clone(header)
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	for name, h := range presetHeaders {
		if slices.Equal(header, h) {
			return name, true
		}
	}
	switch {
	case len(header) == 0:
		return "", false
	case strings.HasPrefix(header[0], "% Different categories"):
		return "msnbc", true
	case strings.HasPrefix(strings.TrimSpace(header[0]), "{"):
		return "segment", true
	case len(header) == 5 && slices.Contains([]string{"pv", "cart", "fav", "buy"}, header[3]):
		if _, ok := journeys.ParseEpoch(header[4]); ok {
			return "taobao", true
		}
	}
	return "", false
}

// fields is one record's values by column or field name.
type fields interface {
	get(name string) (string, bool)
	rest(used []string) map[string]any // the unmapped values, as properties
}

// csvFields is a CSV record with its column names.
type csvFields struct {
	index map[string]int
	cols  []string
	rec   []string
}

func (f csvFields) get(name string) (string, bool) {
	i, ok := f.index[name]
	if !ok || i >= len(f.rec) {
		return "", false
	}
	return strings.TrimSpace(f.rec[i]), true
}

func (f csvFields) rest(used []string) map[string]any {
	var props map[string]any
	for i, c := range f.cols {
		if v := strings.TrimSpace(f.rec[i]); v != "" && !slices.Contains(used, c) {
			if props == nil {
				props = make(map[string]any, len(f.cols))
			}
			props[c] = v
		}
	}
	return props
}

// jsonFields is a decoded JSONL object.
type jsonFields map[string]any

func (f jsonFields) get(name string) (string, bool) {
	var v any = map[string]any(f)
	for _, k := range strings.Split(name, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		if v, ok = obj[k]; !ok {
			return "", false
		}
	}
	if v == nil {
		return "", true
	}
	return strings.TrimSpace(scalarString(v)), true
}

func (f jsonFields) rest(used []string) map[string]any {
	for _, name := range used {
		deletePath(f, strings.Split(name, "."))
	}
	if len(f) == 0 {
		return nil
	}
	return journeys.Normalise(map[string]any(f)).(map[string]any)
}

// deletePath deletes obj[path[0]][path[1]]... and the objects it leaves empty.
func deletePath(obj map[string]any, path []string) {
	if len(path) > 1 {
		if child, ok := obj[path[0]].(map[string]any); ok {
			deletePath(child, path[1:])
			if len(child) == 0 {
				delete(obj, path[0])
			}
		}
		return
	}
	delete(obj, path[0])
}

// event builds an Event from one record. The ID is left empty when the
// mapping names no id column (the Reader assigns it).
func (m *Mapping) event(f fields, now time.Time, lim journeys.Limits) (journeys.Event, *journeys.RowError) {
	e := journeys.Event{Type: journeys.TypeTrack}
	used := make([]string, 0, 10)
	get := func(col string) string {
		if col == "" {
			return ""
		}
		used = append(used, col)
		v, _ := f.get(col)
		return v
	}
	bad := func(col, format string, args ...any) (journeys.Event, *journeys.RowError) {
		re := journeys.RowErrorf(col, format, args...)
		return journeys.Event{}, &re
	}

	if e.Person = get(m.Person); e.Person == "" {
		return bad(m.Person, "missing (the person id is required)")
	}
	e.Person = m.PersonPrefix + e.Person
	ts := get(m.Time)
	if ts == "" {
		return bad(m.Time, "missing (the timestamp is required)")
	}
	t, err := journeys.ParseTime(ts)
	if err != nil {
		return bad(m.Time, "%s", journeys.ErrorMessage(err))
	}
	if p := lim.CheckTime(t, now); p != "" {
		return bad(m.Time, "%s", p)
	}
	e.Time = t
	e.Name = first(get(m.Name), m.Constant["name"])
	if e.Name == "" {
		return bad(m.Name, "missing (the event name is required)")
	}
	if c, ok := m.Names[e.Name]; ok {
		e.Name = c
	}
	e.Session = first(get(m.Session), m.Constant["session"])
	e.Channel = first(get(m.Channel), m.Constant["channel"])
	e.Campaign = first(get(m.Campaign), m.Constant["campaign"])
	e.Device = first(get(m.Device), m.Constant["device"])
	e.URL = first(get(m.URL), m.Constant["url"])
	e.Product = get(m.Product)
	e.ID = get(m.ID)
	if v := first(get(m.Value), m.Constant["value"]); v != "" {
		if e.Value, err = strconv.ParseFloat(v, 64); err != nil {
			return bad(m.Value, "%s is not a number", journeys.Quote(v))
		}
		if !journeys.IsFinite(e.Value) {
			return bad(m.Value, "%s is not a finite number", journeys.Quote(v))
		}
	}
	e.Properties = f.rest(used)
	for k, v := range m.Constant {
		switch k {
		case "name", "session", "channel", "campaign", "device", "url", "value":
		default:
			if _, ok := e.Properties[k]; !ok {
				if e.Properties == nil {
					e.Properties = map[string]any{}
				}
				e.Properties[k] = v
			}
		}
	}
	if re := lim.CheckEvent(&e); re != nil {
		return bad(m.column(re.Field), "%s", re.Problem)
	}
	return e, nil
}

// column renames the field of a CheckEvent problem to the column it came
// from ("person" to the Person column, "properties.sku" to "sku"), or keeps
// it when no column is mapped (a constant).
func (m *Mapping) column(field string) string {
	if rest, ok := strings.CutPrefix(field, "properties."); ok {
		return rest
	}
	col := map[string]string{"person": m.Person, "id": m.ID, "name": m.Name, "channel": m.Channel,
		"campaign": m.Campaign, "device": m.Device, "url": m.URL, "session": m.Session, "product": m.Product, "value": m.Value}[field]
	if col == "" {
		return field
	}
	return col
}
