package bulk

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/journeygraph/journeygraph/graph"
	"github.com/journeygraph/journeygraph/journeys"
)

// maxAliasDepth bounds how many merges are followed to resolve an id, as
// the store's write path does.
const maxAliasDepth = 8

// Writer writes the graph that the store's write path builds from a file's
// events, as neo4j-admin import CSV files: Person nodes (with their event
// count, first and last times, traits), Event nodes (the properties of
// graph.EventRow), Alias nodes, and the FIRST, LAST and NEXT (with gap_s)
// relationships of each person's chain, sorted by (time, id).
//
// Events must come as a sorted import writes them (ingest.BulkSink): the
// events that merge an anonymous id into a person first, then the others
// by person. People are written as their last event goes by; the people
// that merges involve are held in memory until Close.
type Writer struct {
	dir string
	now int64

	events, people    *tableSet
	aliases           *table
	first, last, next *table

	alias     map[string]string           // anonymous id → the person it was merged into
	merges    []journeys.Event            // the merging events, until the first other one
	mergesSet bool                        // every merging event has come
	held      map[string][]journeys.Event // events of the people merges involve, by person
	cur       []journeys.Event            // the current (not merged) person's events
	counts    Counts
}

// Counts says how much a Writer wrote.
type Counts struct {
	People  int64 `json:"people"`
	Events  int64 `json:"events"`
	Aliases int64 `json:"aliases"`
	Links   int64 `json:"links"` // NEXT relationships
}

// NewWriter returns a writer of CSV files into dir (which must exist),
// stamping nodes as created at now as the write path stamps them.
func NewWriter(dir string, now time.Time) (*Writer, error) {
	w := &Writer{dir: dir, now: now.UnixMilli(), alias: map[string]string{}, held: map[string][]journeys.Event{}}
	// Nodes are identified in the files by integers (their position in
	// their file), which neo4j-admin maps much faster than strings; the
	// ids of the graph are the string property id.
	w.events = &tableSet{dir: dir, name: "events", kind: "Event", ids: []string{":ID(Event)"}, lead: []string{"id:string"}}
	w.people = &tableSet{dir: dir, name: "people", kind: "Person", ids: []string{":ID(Person)"}, lead: []string{"id:string"}}
	var err error
	for _, t := range []struct {
		p          **table
		name, kind string
		ids        []string
	}{
		{&w.aliases, "aliases", "Alias", nil},
		{&w.first, "first", "FIRST", []string{":START_ID(Person)", ":END_ID(Event)"}},
		{&w.last, "last", "LAST", []string{":START_ID(Person)", ":END_ID(Event)"}},
		{&w.next, "next", "NEXT", []string{":START_ID(Event)", ":END_ID(Event)"}},
	} {
		if *t.p, err = newTable(dir, t.name, t.kind, t.ids, nil); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// merging tells whether e merges an anonymous id into its person.
func merging(e *journeys.Event) bool {
	return e.PreviousID != "" && (e.Type == journeys.TypeIdentify || e.Type == journeys.TypeAlias)
}

// Add takes the next event (see Writer for the order).
func (w *Writer) Add(e journeys.Event) error {
	if merging(&e) {
		if w.mergesSet {
			return journeys.Errorf(journeys.EINTERNAL, "bulk: merging event %s after the other events", e.ID)
		}
		w.merges = append(w.merges, e)
		return w.merge(e)
	}
	if !w.mergesSet {
		w.holdMerged()
	}
	e.Person = w.resolve(e.Person)
	if _, ok := w.held[e.Person]; ok {
		w.held[e.Person] = append(w.held[e.Person], e)
		return nil
	}
	if len(w.cur) > 0 && w.cur[0].Person != e.Person {
		if err := w.flush(w.cur); err != nil {
			return err
		}
		w.cur = w.cur[:0]
	}
	w.cur = append(w.cur, e)
	return nil
}

// merge records the merge of e's anonymous id into e's person, as the
// write path does (graph's applyIdentities): an id merged already stays
// where it is.
func (w *Writer) merge(e journeys.Event) error {
	known, anon := w.resolve(e.Person), e.PreviousID
	if anon == known {
		return nil
	}
	if _, merged := w.alias[anon]; merged {
		return nil
	}
	w.alias[anon] = known
	w.counts.Aliases++
	return w.aliases.write(nil, nil, map[string]any{"id": anon, "person": known, "created_ts": w.now})
}

// holdMerged ends the merges: the people they involve (each merging
// event's person, as resolved now) are held until Close.
func (w *Writer) holdMerged() {
	w.mergesSet = true
	for _, e := range w.merges {
		e.Person = w.resolve(e.Person)
		w.held[e.Person] = append(w.held[e.Person], e)
	}
	for _, to := range w.alias {
		if p := w.resolve(to); w.held[p] == nil {
			w.held[p] = []journeys.Event{} // held, even before an event comes
		}
	}
	w.merges = nil
}

// resolve returns the person id was merged into (id itself when none).
func (w *Writer) resolve(id string) string {
	for i := 0; i < maxAliasDepth; i++ {
		to, ok := w.alias[id]
		if !ok || to == id {
			return id
		}
		id = to
	}
	return id
}

// flush writes one person and their chain: events sorted by (time, id).
func (w *Writer) flush(evs []journeys.Event) error {
	if len(evs) == 0 {
		return nil
	}
	byTime := func(x, y journeys.Event) int {
		if c := cmp.Compare(x.Time.UnixMilli(), y.Time.UnixMilli()); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	}
	if !slices.IsSortedFunc(evs, byTime) { // a merged person's; the others come sorted
		slices.SortStableFunc(evs, byTime)
	}
	person := evs[0].Person
	// The integer ids of the files: events and people numbered in the
	// order written.
	base, pid := w.counts.Events, w.counts.People
	var identified []journeys.Event
	for i, e := range evs {
		if err := w.events.write([]int64{base + int64(i)}, []string{e.ID}, eventProps(e, w.now)); err != nil {
			return err
		}
		if i > 0 {
			gap := float64(e.Time.UnixMilli()-evs[i-1].Time.UnixMilli()) / 1000.0
			if err := w.next.write([]int64{base + int64(i) - 1, base + int64(i)}, nil, map[string]any{"gap_s": gap}); err != nil {
				return err
			}
			w.counts.Links++
		}
		if e.Type == journeys.TypeIdentify && len(e.Properties) > 0 {
			identified = append(identified, e)
		}
	}
	w.counts.Events += int64(len(evs))
	first, last := evs[0], evs[len(evs)-1]
	if err := w.first.write([]int64{pid, base}, nil, nil); err != nil {
		return err
	}
	if err := w.last.write([]int64{pid, base + int64(len(evs)) - 1}, nil, nil); err != nil {
		return err
	}
	props := map[string]any{
		"created_ts": w.now, "touched_ts": w.now, "events": int64(len(evs)),
		"first_ts": first.Time.UnixMilli(), "last_ts": last.Time.UnixMilli(), "last_event": last.Name,
	}
	if err := traits(props, identified); err != nil {
		return fmt.Errorf("bulk: traits of %s: %w", person, err)
	}
	w.counts.People++
	return w.people.write([]int64{pid}, []string{person}, props)
}

// eventProps returns an event's node properties but its id (the ID
// column).
func eventProps(e journeys.Event, now int64) map[string]any {
	row := graph.EventRow(e, now)
	delete(row, "id")
	return row
}

// traits adds to a person's props the traits of their identify events
// (sorted by time) merged as the write path merges them
// (journeys.MergeTraits): the JSON document, the time of the latest
// identify and the scalar traits as trait_<key>.
func traits(props map[string]any, identified []journeys.Event) error {
	if len(identified) == 0 {
		return nil
	}
	sort.SliceStable(identified, func(i, j int) bool { return identified[i].Time.Before(identified[j].Time) })
	var merged map[string]any
	var at int64
	for _, e := range identified {
		ts := e.Time.UnixMilli()
		merged, at = journeys.MergeTraits(merged, at, e.Properties, ts), max(at, ts)
	}
	b, err := json.Marshal(merged)
	if err != nil {
		return err
	}
	props["traits"], props["identified_ts"] = string(b), at
	for k, v := range journeys.FlatProps(merged, journeys.TraitPrefix) {
		props[k] = v
	}
	return nil
}

// Files are the CSV files a Writer wrote, for neo4j-admin import.
type Files struct {
	Dir           string
	Nodes         []Input // one per node file (label and files)
	Relationships []Input
	// Multiline is set when a value spans lines: the importer is then told
	// so, and reads the files more slowly.
	Multiline bool
	Counts
}

// Input is one node or relationship input of neo4j-admin import: its label
// or type, header file and data file.
type Input struct {
	Kind, Header, Data string
}

// Args returns neo4j-admin database import full's arguments for the files.
func (f Files) Args() []string {
	var args []string
	for _, in := range f.Nodes {
		args = append(args, "--nodes="+in.Kind+"="+in.Header+","+in.Data)
	}
	for _, in := range f.Relationships {
		args = append(args, "--relationships="+in.Kind+"="+in.Header+","+in.Data)
	}
	args = append(args, "--id-type=integer", fmt.Sprintf("--multiline-fields=%t", f.Multiline), "--bad-tolerance=0",
		"--report-file="+f.Dir+string(os.PathSeparator)+"import.report")
	return args
}

// Close writes the people still held, closes the files and returns them.
func (w *Writer) Close() (Files, error) {
	if !w.mergesSet {
		w.holdMerged()
	}
	if err := w.flush(w.cur); err != nil {
		return Files{}, err
	}
	w.cur = nil
	held := make([]string, 0, len(w.held))
	for p := range w.held {
		held = append(held, p)
	}
	sort.Strings(held)
	for _, p := range held {
		if err := w.flush(w.held[p]); err != nil {
			return Files{}, err
		}
		delete(w.held, p)
	}
	files := Files{Dir: w.dir, Counts: w.counts}
	add := func(t *table, rel bool) error {
		if err := t.close(); err != nil {
			return err
		}
		files.Multiline = files.Multiline || t.multiline
		if t.rows == 0 {
			return nil
		}
		in := Input{Kind: t.kind, Header: t.headerPath(), Data: t.path}
		if rel {
			files.Relationships = append(files.Relationships, in)
		} else {
			files.Nodes = append(files.Nodes, in)
		}
		return nil
	}
	var nodes []*table
	nodes = append(nodes, w.people.tables...)
	nodes = append(nodes, w.events.tables...)
	nodes = append(nodes, w.aliases)
	for _, t := range nodes {
		if err := add(t, false); err != nil {
			return Files{}, err
		}
	}
	for _, t := range []*table{w.first, w.last, w.next} {
		if err := add(t, true); err != nil {
			return Files{}, err
		}
	}
	return files, nil
}

// String describes the files' counts.
func (c Counts) String() string {
	return strings.Join([]string{
		fmt.Sprintf("%d people", c.People), fmt.Sprintf("%d events", c.Events),
		fmt.Sprintf("%d aliases", c.Aliases), fmt.Sprintf("%d links", c.Links)}, ", ")
}
