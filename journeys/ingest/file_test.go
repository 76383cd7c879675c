package ingest

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// readAll reads every event and rejected row of r.
func readAll(t *testing.T, r *Reader) ([]journeys.Event, []int, []journeys.RowError) {
	t.Helper()
	var events []journeys.Event
	var lines []int
	var rejected []journeys.RowError
	for r.Next() {
		events = append(events, r.Event())
		lines = append(lines, r.Line())
		rejected = append(rejected, r.Rejected()...)
	}
	rejected = append(rejected, r.Rejected()...)
	if err := r.Err(); err != nil {
		t.Fatalf("Err: %v", err)
	}
	return events, lines, rejected
}

// readFile reads a testdata file with a preset.
func readFile(t *testing.T, name, preset string) ([]journeys.Event, []int, []journeys.RowError) {
	t.Helper()
	m, ok := Preset(preset)
	if !ok && preset != "" {
		t.Fatalf("Preset(%q) not found", preset)
	}
	r, c, err := OpenFile(filepath.Join("testdata", name), m, testNow, journeys.Limits{})
	if err != nil {
		t.Fatalf("OpenFile: %v", err)
	}
	defer c.Close()
	return readAll(t, r)
}

func TestPresetExcerpts(t *testing.T) {
	tests := []struct {
		name, file, preset string
		events, persons    int
		names              map[string]int
		first              journeys.Event // ID not compared
		firstLine          int
	}{
		{"rees46", "rees46_excerpt.csv", "rees46", 343, 146,
			map[string]int{"product_view": 340, "add_to_cart": 1, "purchase": 2},
			journeys.Event{Type: "track", Person: "541312140", Name: "product_view", Time: time.Date(2019, 10, 1, 0, 0, 0, 0, time.UTC),
				Session: "72d76fde-8bb3-4e00-8c23-a032dfed738c", Value: 35.79, Product: "44600062",
				Properties: map[string]any{"category_id": "2103807459595387724", "brand": "shiseido"}}, 2},
		{"taobao", "taobao_excerpt.csv", "taobao", 234, 3,
			map[string]int{"product_view": 206, "add_to_cart": 2, "add_to_wishlist": 18, "purchase": 8},
			journeys.Event{Type: "track", Person: "1", Name: "product_view", Time: time.Unix(1511544070, 0).UTC(), Product: "2268318",
				Properties: map[string]any{"category_id": "2520377"}}, 1},
		{"bpic2012", "bpic2012_excerpt.csv", "bpic2012", 130, 5,
			map[string]int{"A_SUBMITTED": 5, "A_PARTLYSUBMITTED": 5},
			journeys.Event{Type: "track", Person: "173688", Name: "A_SUBMITTED", Time: time.Date(2011, 9, 30, 22, 38, 44, 546e6, time.UTC), Value: 20000,
				Properties: map[string]any{"event_index": "0", "lifecycle": "COMPLETE", "resource": "112", "reg_date": "2011-10-01T00:38:44.546+02:00"}}, 2},
		{"msnbc", "msnbc_excerpt.seq", "msnbc", 380, 100,
			map[string]int{"frontpage": 0},
			journeys.Event{Type: "track", Person: "msnbc-1", Name: "frontpage", Time: time.Date(1999, 9, 28, 0, 0, 0, 0, time.UTC)}, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events, lines, rejected := readFile(t, tt.file, tt.preset)
			if len(rejected) > 0 {
				t.Errorf("rejected %d rows, first %+v", len(rejected), rejected[0])
			}
			if len(events) != tt.events {
				t.Errorf("got %d events, want %d", len(events), tt.events)
			}
			persons, names := map[string]bool{}, map[string]int{}
			for _, e := range events {
				persons[e.Person] = true
				names[e.Name]++
			}
			if len(persons) != tt.persons {
				t.Errorf("got %d persons, want %d", len(persons), tt.persons)
			}
			for n, want := range tt.names {
				if got := names[n]; want > 0 && got != want || got == 0 {
					t.Errorf("name %s: got %d events, want %d", n, got, want)
				}
			}
			if len(events) == 0 {
				return
			}
			got := events[0]
			got.ID = ""
			if !reflect.DeepEqual(got, tt.first) {
				t.Errorf("first event:\ngot  %+v\nwant %+v", got, tt.first)
			}
			if lines[0] != tt.firstLine {
				t.Errorf("first line = %d, want %d", lines[0], tt.firstLine)
			}
		})
	}
}

func TestMsnbcSequence(t *testing.T) {
	events, lines, _ := readFile(t, "msnbc_excerpt.seq", "msnbc")
	// Line 10 is "3 2 2 4 2 2 2 3 3": the third person, one minute apart.
	var got []string
	for i, e := range events {
		if e.Person == "msnbc-3" {
			if lines[i] != 10 {
				t.Errorf("msnbc-3 line = %d, want 10", lines[i])
			}
			got = append(got, e.Name+"@"+e.Time.Format("15:04"))
		}
	}
	want := []string{"tech@00:00", "news@00:01", "news@00:02", "local@00:03", "news@00:04", "news@00:05", "news@00:06", "tech@00:07", "tech@00:08"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("msnbc-3 = %v, want %v", got, want)
	}
}

func TestReaderIDsStable(t *testing.T) {
	for _, tt := range []struct{ file, preset string }{
		{"rees46_excerpt.csv", "rees46"}, {"taobao_excerpt.csv", "taobao"},
		{"bpic2012_excerpt.csv", "bpic2012"}, {"msnbc_excerpt.seq", "msnbc"},
	} {
		t.Run(tt.preset, func(t *testing.T) {
			first, _, _ := readFile(t, tt.file, tt.preset)
			second, _, _ := readFile(t, tt.file, tt.preset)
			seen := map[string]bool{}
			for i := range first {
				if first[i].ID != second[i].ID {
					t.Fatalf("event %d: id %s on the first read, %s on the second", i, first[i].ID, second[i].ID)
				}
				if seen[first[i].ID] {
					t.Errorf("event %d: id %s repeated", i, first[i].ID)
				}
				seen[first[i].ID] = true
			}
		})
	}
}

func TestReaderRepeatedRows(t *testing.T) {
	// The rees46 excerpt ends with four identical rows (lines 341-344, as in
	// the dataset): four events with distinct ids, the first one the plain
	// content hash.
	events, lines, _ := readFile(t, "rees46_excerpt.csv", "rees46")
	tail := events[len(events)-4:]
	if lines[len(lines)-4] != 341 {
		t.Fatalf("line of the first repeat = %d, want 341", lines[len(lines)-4])
	}
	e := tail[0]
	if got, want := e.ID, e.ContentID(); got != want {
		t.Errorf("first occurrence id = %s, want the content hash %s", got, want)
	}
	ids := map[string]bool{}
	for _, e := range tail {
		ids[e.ID] = true
	}
	if len(ids) != 4 {
		t.Errorf("got %d distinct ids for 4 identical rows, want 4", len(ids))
	}
}

func TestReaderRejectedLines(t *testing.T) {
	m := Mapping{Format: FormatCSV, Header: true, Person: "user", Time: "ts", Name: "action", Value: "price"}
	r, c, err := OpenFile("testdata/bad_rows.csv", m, testNow, journeys.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	events, lines, rejected := readAll(t, r)
	want := []journeys.RowError{
		{Row: 3, Field: "user", Problem: "missing (the person id is required)"},
		{Row: 4, Field: "ts", Problem: `"2019-13-01" is not a time (want RFC 3339 or epoch seconds/milliseconds)`},
		{Row: 5, Field: "action", Problem: "missing (the event name is required)"},
		{Row: 6, Field: "price", Problem: `"abc" is not a number`},
		{Row: 7, Field: "row", Problem: "has 3 fields, want 5 (user,ts,action,price,note)"},
		{Row: 8, Field: "ts", Problem: "2099-01-01T00:00:00Z is more than 24h0m0s in the future"},
		{Row: 11, Field: "row", Problem: `bare " in non-quoted-field (column 36)`},
	}
	if !reflect.DeepEqual(rejected, want) {
		t.Errorf("rejected:\ngot  %+v\nwant %+v", rejected, want)
	}
	if got, want := lines, []int{2, 9, 12}; !reflect.DeepEqual(got, want) {
		t.Errorf("good lines = %v, want %v", got, want)
	}
	if len(events) == 3 && events[1].Properties["note"] != "two\nlines" {
		t.Errorf("quoted multi-line note = %q, want %q", events[1].Properties["note"], "two\nlines")
	}
	if good, bad := r.Counts(); good != 3 || bad != 7 {
		t.Errorf("Counts() = %d, %d, want 3, 7", good, bad)
	}
}

func TestReaderOversizeRow(t *testing.T) {
	long := strings.Repeat("x", 200)
	tests := []struct {
		name string
		m    Mapping
		in   string
		want journeys.RowError
	}{
		{"csv", Mapping{Format: FormatCSV, Header: true, Person: "u", Time: "t", Name: "n"},
			"u,t,n,p\nu1,1714557600,view,1\nu1,1714557600,view," + long + "\nu1,1714557601,view,2\n",
			journeys.RowError{Row: 3, Field: "row", Problem: "is 220 bytes (max 128)"}},
		{"jsonl", Mapping{Format: FormatJSONL, Person: "u", Time: "t", Name: "n"},
			`{"u":"u1","t":1714557600,"n":"view"}` + "\n" + `{"u":"u1","t":1714557600,"n":"view","p":"` + long + `"}` + "\n" + `{"u":"u1","t":1714557601,"n":"view"}`,
			journeys.RowError{Row: 2, Field: "row", Problem: "is longer than 128 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(strings.NewReader(tt.in), tt.m, testNow, journeys.Limits{MaxRowBytes: 128})
			if err != nil {
				t.Fatal(err)
			}
			events, lines, rejected := readAll(t, r)
			if !reflect.DeepEqual(rejected, []journeys.RowError{tt.want}) {
				t.Errorf("rejected = %+v, want %+v", rejected, tt.want)
			}
			if len(events) != 2 || lines[1] != 4-boolInt(tt.name == "jsonl") {
				t.Errorf("got %d events at lines %v, want 2 around the long row", len(events), lines)
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestReaderGzip(t *testing.T) {
	plain, err := os.ReadFile("testdata/taobao_excerpt.csv")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(plain)
	zw.Close()
	path := filepath.Join(t.TempDir(), "taobao.csv.gz")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	want, _, _ := readFile(t, "taobao_excerpt.csv", "taobao")
	m, _ := Preset("taobao")
	r, c, err := OpenFile(path, m, testNow, journeys.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, _, _ := readAll(t, r)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("gzip read %d events, plain %d; they differ", len(got), len(want))
	}
	if r.BytesRead() != int64(buf.Len()) {
		t.Errorf("BytesRead() = %d, want the compressed size %d", r.BytesRead(), buf.Len())
	}
}

func TestReaderDetect(t *testing.T) {
	for _, tt := range []struct{ file, preset string }{
		{"rees46_excerpt.csv", "rees46"}, {"taobao_excerpt.csv", "taobao"},
		{"bpic2012_excerpt.csv", "bpic2012"}, {"msnbc_excerpt.seq", "msnbc"},
	} {
		t.Run(tt.preset, func(t *testing.T) {
			r, c, err := OpenFile(filepath.Join("testdata", tt.file), Mapping{}, testNow, journeys.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			want, _ := Preset(tt.preset)
			if got := r.Mapping(); !reflect.DeepEqual(got, want) {
				t.Errorf("detected mapping %+v, want preset %s", got, tt.preset)
			}
		})
	}
	_, err := NewReader(strings.NewReader("a,b,c\n1,2,3\n"), Mapping{}, testNow, journeys.Limits{})
	if journeys.ErrorCode(err) != journeys.EINVALID {
		t.Errorf("unknown file: err = %v, want code %s", err, journeys.EINVALID)
	}
}

func TestReaderJSONL(t *testing.T) {
	in := `{"uid":"u1","at":"2024-05-01T10:00:00Z","what":"pv","ctx":{"page":{"url":"/p/1"},"lang":"fr"},"n":3,"big":2103807459595387724}

{"uid":"u1","at":"2024-05-01T10:01:00Z","what":"buy","total":"12.5"}
not json
["u2"]
{"uid":"u2","at":"2024-05-01T10:01:00Z"}
`
	m := Mapping{Format: FormatJSONL, Person: "uid", Time: "at", Name: "what", URL: "ctx.page.url", Value: "total",
		Names: map[string]string{"pv": "page_view", "buy": "purchase"}, Constant: map[string]string{"channel": "web", "source": "app"},
		PersonPrefix: "shop-"}
	r, err := NewReader(strings.NewReader(in), m, testNow, journeys.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	events, lines, rejected := readAll(t, r)
	ts := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	want := []journeys.Event{
		{Type: "track", Person: "shop-u1", Name: "page_view", Time: ts, Channel: "web", URL: "/p/1",
			Properties: map[string]any{"ctx": map[string]any{"lang": "fr"}, "n": int64(3), "big": int64(2103807459595387724), "source": "app"}},
		{Type: "track", Person: "shop-u1", Name: "purchase", Time: ts.Add(time.Minute), Channel: "web", Value: 12.5,
			Properties: map[string]any{"source": "app"}},
	}
	for i := range events {
		events[i].ID = ""
	}
	if !reflect.DeepEqual(events, want) {
		t.Errorf("events:\ngot  %+v\nwant %+v", events, want)
	}
	if !reflect.DeepEqual(lines, []int{1, 3}) {
		t.Errorf("lines = %v, want [1 3]", lines)
	}
	var got []string
	for _, re := range rejected {
		got = append(got, strings.SplitN(re.Error(), ":", 3)[0]+"@"+string(rune('0'+re.Row)))
	}
	if want := []string{"row@4", "row@5", "what@6"}; !reflect.DeepEqual(got, want) {
		t.Errorf("rejected = %v (%+v), want %v", got, rejected, want)
	}
}

func TestReaderSegment(t *testing.T) {
	in := `{"type":"track","userId":"u1","event":"pv","timestamp":"2024-05-01T10:00:00Z","messageId":"m1"}
{"type":"identify","userId":"u1","anonymousId":"a1","timestamp":"2024-05-01T10:00:01Z"}
{"type":"track","event":"pv","timestamp":"2024-05-01T10:00:00Z"}
{"type":"track","userId":"u1","event":"pv","timestamp":"2024-05-01T10:00:02Z"}
{"type":"track","userId":"u1","event":"pv","timestamp":"2024-05-01T10:00:02Z"}
`
	m, _ := Preset("segment")
	m.Names = map[string]string{"pv": "page_view"}
	m.PersonPrefix = "s-"
	r, err := NewReader(strings.NewReader(in), m, testNow, journeys.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	events, lines, rejected := readAll(t, r)
	if want := []journeys.RowError{{Row: 3, Field: "userId", Problem: "missing (want userId or anonymousId)"}}; !reflect.DeepEqual(rejected, want) {
		t.Errorf("rejected = %+v, want %+v", rejected, want)
	}
	if !reflect.DeepEqual(lines, []int{1, 2, 4, 5}) {
		t.Fatalf("lines = %v, want [1 2 4 5]", lines)
	}
	if e := events[0]; e.ID != "m1" || e.Person != "s-u1" || e.Name != "page_view" {
		t.Errorf("events[0] = %+v, want id m1, person s-u1, name page_view", e)
	}
	if e := events[1]; e.PreviousID != "s-a1" || e.Name != "identify" {
		t.Errorf("events[1] = %+v, want previous id s-a1, name identify", e)
	}
	if events[2].ID == events[3].ID {
		t.Errorf("two identical lines share id %s, want distinct ids", events[2].ID)
	}
}

func TestNewReaderBadMapping(t *testing.T) {
	tests := []struct {
		name string
		m    Mapping
		in   string
		want string
	}{
		{"column not in header", Mapping{Format: FormatCSV, Header: true, Person: "user_id", Time: "ts", Name: "ev"},
			"uid,ts,ev\n", `mapping: person column "user_id" is not among the columns uid,ts,ev`},
		{"no columns", Mapping{Format: FormatCSV, Person: "u", Time: "t", Name: "n"}, "",
			"mapping: columns: missing (a file without a header needs column names)"},
		{"no person", Mapping{Format: FormatJSONL, Time: "t", Name: "n"}, "",
			"mapping: person: missing (name the column holding the person id)"},
		{"bad format", Mapping{Format: "xml", Person: "p"}, "",
			`mapping: format: "xml" is not a format (want csv, jsonl, segment or seq)`},
		{"seq without banner", Mapping{Format: FormatSeq}, "1 2 3\n", `seq header: no "% Sequences:" line`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewReader(strings.NewReader(tt.in), tt.m, testNow, journeys.Limits{})
			if journeys.ErrorCode(err) != journeys.EINVALID || journeys.ErrorMessage(err) != tt.want {
				t.Errorf("err = %v (code %s), want %s %q", err, journeys.ErrorCode(err), journeys.EINVALID, tt.want)
			}
		})
	}
	if _, _, err := OpenFile("testdata/no-such-file.csv", Mapping{}, testNow, journeys.Limits{}); err == nil || !os.IsNotExist(errorsUnwrapAll(err)) {
		t.Errorf("OpenFile(missing) err = %v, want a not-exist error", err)
	}
}

// errorsUnwrapAll returns the innermost error.
func errorsUnwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}

func TestReaderSeqBadToken(t *testing.T) {
	in := "% Sequences:\r\n\r\n1 2 \r\n1 x 3 \r\n\r\n4 \r\n"
	r, err := NewReader(strings.NewReader(in), Mapping{Format: FormatSeq, PersonPrefix: "q-"}, testNow, journeys.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	events, lines, rejected := readAll(t, r)
	var got []string
	for _, e := range events {
		got = append(got, e.Person+":"+e.Name)
	}
	// The blank line 5 is a person without events, so line 6 is q-4.
	if want := []string{"q-1:1", "q-1:2", "q-4:4"}; !reflect.DeepEqual(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
	if !reflect.DeepEqual(lines, []int{3, 3, 6}) {
		t.Errorf("lines = %v, want [3 3 6]", lines)
	}
	if want := []journeys.RowError{{Row: 4, Field: "row", Problem: `item 2: "x" is not a category id`}}; !reflect.DeepEqual(rejected, want) {
		t.Errorf("rejected = %+v, want %+v", rejected, want)
	}
}

func BenchmarkReaderTaobao(b *testing.B) {
	data, err := os.ReadFile("testdata/taobao_excerpt.csv")
	if err != nil {
		b.Fatal(err)
	}
	m, _ := Preset("taobao")
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data), m, testNow, journeys.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		for r.Next() {
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*234), "ns/event")
}

func TestOpenFileFormatFromExtension(t *testing.T) {
	dir := t.TempDir()
	m := Mapping{Header: true, Person: "u", Time: "t", Name: "n"}
	for _, tt := range []struct{ name, content string }{
		{"events.csv", "u,t,n\nu1,1714557600,view\n"},
		{"events.tsv", "u\tt\tn\nu1\t1714557600\tview\n"},
		{"events.jsonl", `{"u":"u1","t":1714557600,"n":"view"}` + "\n"},
		{"events.NDJSON", `{"u":"u1","t":1714557600,"n":"view"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			r, c, err := OpenFile(path, m, testNow, journeys.Limits{})
			if err != nil {
				t.Fatalf("OpenFile: %v", err)
			}
			defer c.Close()
			events, _, rejected := readAll(t, r)
			if len(events) != 1 || len(rejected) != 0 || events[0].Person != "u1" || events[0].Name != "view" {
				t.Errorf("got %+v, rejected %+v, want one view by u1", events, rejected)
			}
		})
	}
	path := filepath.Join(dir, "events.txt")
	os.WriteFile(path, []byte("u,t,n\n"), 0o644)
	if _, _, err := OpenFile(path, m, testNow, journeys.Limits{}); journeys.ErrorCode(err) != journeys.EINVALID {
		t.Errorf("unknown extension: err = %v, want code %s", err, journeys.EINVALID)
	}
}

func TestReaderTruncatedGzip(t *testing.T) {
	plain, err := os.ReadFile("testdata/bpic2012_excerpt.csv")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(plain)
	zw.Close()
	m, _ := Preset("bpic2012")
	r, err := NewReader(bytes.NewReader(buf.Bytes()[:buf.Len()/2]), m, testNow, journeys.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r.Next() {
		n++
	}
	if r.Err() == nil {
		t.Errorf("Err() = nil after %d events of a truncated gzip, want an error", n)
	}
}
