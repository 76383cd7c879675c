package ingest

import (
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

// TestReaderHostileRows: the file importer refuses the same hostile values
// as the API, per row, naming the column, and keeps the good rows.
func TestReaderHostileRows(t *testing.T) {
	csvMap := Mapping{Format: FormatCSV, Header: true, Person: "user", Time: "ts", Name: "action", Value: "price"}
	jsonMap := Mapping{Format: FormatJSONL, Person: "user", Time: "ts", Name: "action", Value: "price"}
	segMap := Mapping{Format: FormatSegment, PersonPrefix: strings.Repeat("p", 150)}
	const good = "u1,2024-05-01T10:00:00Z,buy,1,ok\n"
	tests := []struct {
		name  string
		m     Mapping
		input string
		field string
		want  string
	}{
		{"csv NaN price", csvMap, "user,ts,action,price,note\n" + good + "u2,2024-05-01T10:00:00Z,buy,NaN,x\n" + good, "price", `"NaN" is not a finite number`},
		{"csv Infinity price", csvMap, "user,ts,action,price,note\n" + good + "u2,2024-05-01T10:00:00Z,buy,-Infinity,x\n" + good, "price", "not a finite number"},
		{"csv user id too long", csvMap, "user,ts,action,price,note\n" + good + strings.Repeat("u", 9000) + ",2024-05-01T10:00:00Z,buy,1,x\n" + good, "user", "is 9000 bytes (max 200)"},
		{"csv user id not UTF-8", csvMap, "user,ts,action,price,note\n" + good + "u\xff,2024-05-01T10:00:00Z,buy,1,x\n" + good, "user", "is not valid UTF-8"},
		{"csv note not UTF-8", csvMap, "user,ts,action,price,note\n" + good + "u2,2024-05-01T10:00:00Z,buy,1,\xc3\n" + good, "note", "is not valid UTF-8"},
		{"csv control character in the name", csvMap, "user,ts,action,price,note\n" + good + "u2,2024-05-01T10:00:00Z,\"b\x07uy\",1,x\n" + good, "action", "control character (U+0007)"},
		{"jsonl lone surrogate", jsonMap, `{"user":"u1","ts":"2024-05-01T10:00:00Z","action":"buy"}` + "\n" +
			`{"user":"u\udfff","ts":"2024-05-01T10:00:00Z","action":"buy"}` + "\n" + `{"user":"u1","ts":"2024-05-01T10:00:01Z","action":"buy"}` + "\n", "user", "is not valid UTF-8"},
		{"jsonl number beyond float64", jsonMap, `{"user":"u1","ts":"2024-05-01T10:00:00Z","action":"buy"}` + "\n" +
			`{"user":"u2","ts":"2024-05-01T10:00:00Z","action":"buy","extra":{"n":1e999}}` + "\n" + `{"user":"u1","ts":"2024-05-01T10:00:01Z","action":"buy"}` + "\n", "extra.n", "not a finite number"},
		{"segment id made too long by the prefix", segMap, `{"userId":"u1","event":"buy","timestamp":"2024-05-01T10:00:00Z"}` + "\n" +
			`{"userId":"` + strings.Repeat("u", 60) + `","event":"buy","timestamp":"2024-05-01T10:00:00Z"}` + "\n" + `{"userId":"u2","event":"buy","timestamp":"2024-05-01T10:00:00Z"}` + "\n", "userId", "is 210 bytes (max 200)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(strings.NewReader(tt.input), tt.m, testNow, journeys.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			events, _, rejected := readAll(t, r)
			if len(events) != 2 {
				t.Errorf("got %d good events, want 2", len(events))
			}
			if len(rejected) != 1 {
				t.Fatalf("rejected %+v, want one row", rejected)
			}
			if re := rejected[0]; re.Field != tt.field || !strings.Contains(re.Problem, tt.want) {
				t.Errorf("rejected %s: %s, want %s: ...%s...", re.Field, re.Problem, tt.field, tt.want)
			}
		})
	}
}
