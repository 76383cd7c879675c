package bulk

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

func at(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// TestWriter checks the CSV files of small event streams, given in the
// order of a sorted import, file by file.
func TestWriter(t *testing.T) {
	now := at(9000)
	tests := []struct {
		name      string
		events    []journeys.Event
		files     map[string]string // file name → content; files not listed are not checked
		multiline bool
	}{{
		name: "chains sorted by time then id, gaps in seconds",
		events: []journeys.Event{
			{ID: "b", Person: "p1", Type: "track", Name: "view", Time: at(1000)},
			{ID: "a", Person: "p1", Type: "track", Name: "cart", Time: at(1000)},
			{ID: "c", Person: "p1", Type: "track", Name: "buy", Time: at(3500), Value: 2.5},
			{ID: "d", Person: "p2", Type: "page", Name: "page_view", Time: at(2000), Step: "home"},
		},
		files: map[string]string{
			"people-header.csv": ":ID(Person),id:string,created_ts:long,events:long,first_ts:long,last_event:string,last_ts:long,touched_ts:long\n",
			"people.csv":        `0,"p1",9000,3,1000,"buy",3500,9000` + "\n" + `1,"p2",9000,1,2000,"page_view",2000,9000` + "\n",
			"events-header.csv": ":ID(Event),id:string,ingested_ts:long,name:string,person:string,ts:long,type:string,value:double,step:string\n",
			"events.csv": `0,"a",9000,"cart","p1",1000,"track"` + "\n" + `1,"b",9000,"view","p1",1000,"track"` + "\n" +
				`2,"c",9000,"buy","p1",3500,"track",2.5` + "\n" + `3,"d",9000,"page_view","p2",2000,"page",,"home"` + "\n",
			"next-header.csv":  ":START_ID(Event),:END_ID(Event),gap_s:double\n",
			"next.csv":         "0,1,0\n1,2,2.5\n", // a→b, b→c by position
			"first.csv":        "0,0\n1,3\n",
			"last.csv":         "0,2\n1,3\n",
			"first-header.csv": ":START_ID(Person),:END_ID(Event)\n",
		},
	}, {
		name: "quotes, empty strings and line breaks kept; a type conflict gets a table of its own",
		events: []journeys.Event{
			{ID: "a", Person: "p", Type: "track", Name: `say "hi"`, Time: at(1000), Properties: map[string]any{"size": int64(3), "note": ""}},
			{ID: "b", Person: "p", Type: "track", Name: "two\nlines", Time: at(2000), Properties: map[string]any{"size": "XL"}},
		},
		files: map[string]string{
			"events-header.csv":   ":ID(Event),id:string,ingested_ts:long,name:string,person:string,prop_note:string,prop_size:long,props:string,ts:long,type:string\n",
			"events.csv":          `0,"a",9000,"say ""hi""","p","",3,"{""note"":"""",""size"":3}",1000,"track"` + "\n",
			"events-2-header.csv": ":ID(Event),id:string,ingested_ts:long,name:string,person:string,prop_size:string,props:string,ts:long,type:string\n",
			"events-2.csv":        `1,"b",9000,"two` + "\n" + `lines","p","XL","{""size"":""XL""}",2000,"track"` + "\n",
		},
		multiline: true,
	}, {
		name: "a merge moves the anonymous id's events to the known person; traits from identify",
		events: []journeys.Event{
			{ID: "m", Person: "known", Type: "identify", PreviousID: "anon", Name: "identify", Time: at(2000), Properties: map[string]any{"plan": "pro"}},
			{ID: "x", Person: "anon", Type: "track", Anonymous: true, Name: "view", Time: at(1000)},
			{ID: "y", Person: "known", Type: "track", Name: "buy", Time: at(3000)},
			{ID: "z", Person: "other", Type: "track", Name: "view", Time: at(500)},
		},
		files: map[string]string{
			"aliases-header.csv": "created_ts:long,id:string,person:string\n",
			"aliases.csv":        `9000,"anon","known"` + "\n",
			"people-header.csv":  ":ID(Person),id:string,created_ts:long,events:long,first_ts:long,last_event:string,last_ts:long,touched_ts:long,identified_ts:long,trait_plan:string,traits:string\n",
			"people.csv": `0,"other",9000,1,500,"view",500,9000` + "\n" +
				`1,"known",9000,3,1000,"buy",3000,9000,2000,"pro","{""plan"":""pro""}"` + "\n",
			"next.csv":  "1,2,1\n2,3,1\n", // x→m→y: events 1, 2, 3 (z is 0)
			"first.csv": "0,0\n1,1\n",
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			w, err := NewWriter(dir, now)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range tc.events {
				if err := w.Add(e); err != nil {
					t.Fatal(err)
				}
			}
			files, err := w.Close()
			if err != nil {
				t.Fatal(err)
			}
			if files.Multiline != tc.multiline {
				t.Errorf("multiline: got %v, want %v", files.Multiline, tc.multiline)
			}
			for name, want := range tc.files {
				b, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				if got := string(b); got != want {
					t.Errorf("%s:\ngot  %q\nwant %q", name, got, want)
				}
			}
			if got, want := files.Events, int64(len(tc.events)); got != want {
				t.Errorf("events counted: got %d, want %d", got, want)
			}
		})
	}
}

// TestWriterRefusesLateMerge checks a merging event after the others is a
// programming error, not a wrong graph.
func TestWriterRefusesLateMerge(t *testing.T) {
	w, err := NewWriter(t.TempDir(), at(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Add(journeys.Event{ID: "a", Person: "p", Type: "track", Name: "v", Time: at(1)}); err != nil {
		t.Fatal(err)
	}
	err = w.Add(journeys.Event{ID: "b", Person: "p", Type: "alias", PreviousID: "q", Name: "alias", Time: at(2)})
	if err == nil || !strings.Contains(err.Error(), "merging event b") {
		t.Errorf("got %v, want an error about the merging event", err)
	}
	w.Close()
}

// TestArgs checks the importer's arguments name every file.
func TestArgs(t *testing.T) {
	f := Files{Dir: "/d", Nodes: []Input{{Kind: "Person", Header: "/d/h.csv", Data: "/d/p.csv"}},
		Relationships: []Input{{Kind: "NEXT", Header: "/d/nh.csv", Data: "/d/n.csv"}}}
	got := strings.Join(f.Args(), " ")
	want := "--nodes=Person=/d/h.csv,/d/p.csv --relationships=NEXT=/d/nh.csv,/d/n.csv --id-type=integer --multiline-fields=false --bad-tolerance=0 --report-file=/d/import.report"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestSameServer checks which URIs name the managed server.
func TestSameServer(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"bolt://127.0.0.1:7687", "bolt://127.0.0.1:7687", true},
		{"bolt://localhost:7687", "bolt://127.0.0.1:7687", true},
		{"bolt://localhost", "bolt://127.0.0.1:7687", true},
		{"bolt://127.0.0.1:7688", "bolt://127.0.0.1:7687", false},
		{"neo4j+s://x.databases.neo4j.io", "bolt://127.0.0.1:7687", false},
		{"bolt://db.example.com:7687", "bolt://127.0.0.1:7687", false},
	} {
		if got := sameServer(tc.a, tc.b); got != tc.want {
			t.Errorf("sameServer(%s, %s): got %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestTableHostileStrings checks strings with quotes, commas, line breaks
// and non-ASCII text read back as written (encoding/csv reads quoted fields
// as neo4j-admin does), and that line breaks mark the table multiline.
func TestTableHostileStrings(t *testing.T) {
	for _, tc := range []struct {
		name      string
		s         string
		multiline bool
	}{
		{"plain", "abc", false},
		{"empty", "", false},
		{"commas", "a,b,,c,", false},
		{"quotes", `"a" ""b"" "`, false},
		{"only a quote", `"`, false},
		{"unicode", "Köln € 東京 🙂 \u200b", false},
		{"newline", "a\nb", true},
		{"carriage return", "a\r\nb\r", true},
		{"everything", "\"x\",\n\"y\"\r,ü", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tb, err := newTable(dir, "t", "T", []string{":ID(T)"}, []string{"id:string"})
			if err != nil {
				t.Fatal(err)
			}
			if err := tb.write([]int64{7}, []string{tc.s}, map[string]any{"v": tc.s, "n": int64(-3), "f": 0.25, "b": true}); err != nil {
				t.Fatal(err)
			}
			if err := tb.close(); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join(dir, "t.csv"))
			if err != nil {
				t.Fatal(err)
			}
			rec, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
			if err != nil {
				t.Fatalf("%q: %v", data, err)
			}
			q := `"` + strings.ReplaceAll(tc.s, `"`, `""`) + `"`
			if got, want := string(data), "7,"+q+",true,0.25,-3,"+q+"\n"; got != want {
				t.Errorf("file %q, want %q", got, want)
			}
			// encoding/csv reads "\r\n" in a quoted field as "\n"; the file keeps it.
			back := strings.ReplaceAll(tc.s, "\r\n", "\n")
			want := []string{"7", back, "true", "0.25", "-3", back} // ids, then the columns b, f, n, v
			if len(rec) != 1 || !slices.Equal(rec[0], want) {
				t.Errorf("read back %q, want %q (file %q)", rec, want, data)
			}
			if tb.multiline != tc.multiline {
				t.Errorf("multiline: got %v, want %v", tb.multiline, tc.multiline)
			}
		})
	}
}
