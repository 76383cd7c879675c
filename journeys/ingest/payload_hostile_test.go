package ingest

import (
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

// TestParseBatchHostileItems: each hostile item is rejected with its index,
// field and reason, and the good items around it are kept.
func TestParseBatchHostileItems(t *testing.T) {
	good := `{"messageId":"ok","userId":"u1","event":"signup","timestamp":"2024-05-01T10:00:00Z"}`
	item := func(fields string) string {
		return `{"userId":"u1","event":"x","timestamp":"2024-05-01T10:00:00Z",` + fields + `}`
	}
	tests := []struct {
		name, item, field, problem string
	}{
		{"price NaN as a string", item(`"properties":{"price":"NaN"}`), "properties.price", "NaN is not a finite number"},
		{"revenue Infinity as a string", item(`"properties":{"revenue":"Infinity"}`), "properties.revenue", "+Inf is not a finite number"},
		{"value -Inf as a string", item(`"properties":{"value":"-inf"}`), "properties.value", "-Inf is not a finite number"},
		{"number beyond float64", item(`"properties":{"score":1e999}`), "properties.score", "+Inf is not a finite number"},
		{"trait beyond float64", `{"type":"identify","userId":"u1","timestamp":"2024-05-01T10:00:00Z","traits":{"ltv":-1e400}}`, "traits.ltv", "-Inf is not a finite number"},
		{"nested number beyond float64", item(`"context":{},"properties":{"items":[{"p":1},{"p":2e308}]}`), "properties.items[1].p", "not a finite number"},
		{"user id of 8 KB", `{"userId":"` + strings.Repeat("u", 8<<10) + `","event":"x","timestamp":"2024-05-01T10:00:00Z"}`, "userId", "is 8192 bytes (max 200)"},
		{"anonymous id too long", `{"anonymousId":"` + strings.Repeat("a", 300) + `","event":"x","timestamp":"2024-05-01T10:00:00Z"}`, "anonymousId", "is 300 bytes (max 200)"},
		{"event name of 60 KB", `{"userId":"u1","event":"` + strings.Repeat("e", 60<<10) + `","timestamp":"2024-05-01T10:00:00Z"}`, "event", "is 61440 bytes (max 200)"},
		{"message id too long", item(`"messageId":"` + strings.Repeat("m", 201) + `"`), "messageId", "is 201 bytes (max 200)"},
		{"previous id too long", `{"type":"alias","userId":"u1","previousId":"` + strings.Repeat("p", 201) + `","timestamp":"2024-05-01T10:00:00Z"}`, "previousId", "is 201 bytes"},
		{"properties too large", item(`"properties":{"blob":"` + strings.Repeat("x", 40<<10) + `"}`), "properties", "bytes as JSON (max 32768)"},
		{"user id not UTF-8", "{\"userId\":\"u\xff1\",\"event\":\"x\",\"timestamp\":\"2024-05-01T10:00:00Z\"}", "userId", "is not valid UTF-8"},
		{"property not UTF-8", item("\"properties\":{\"a\":[\"ok\",\"\xc3\"]}"), "properties.a[1]", "is not valid UTF-8"},
		{"property key not UTF-8", item("\"properties\":{\"\xc3\":1}"), "properties", "key that is not valid UTF-8"},
		{"lone surrogate escape", item(`"properties":{"n":"a\udc00b"}`), "properties.n", "is not valid UTF-8"},
		{"unpaired high surrogate in the id", `{"userId":"u\ud800","event":"x","timestamp":"2024-05-01T10:00:00Z"}`, "userId", "is not valid UTF-8"},
		{"NUL in the user id", `{"userId":"u\u00001","event":"x","timestamp":"2024-05-01T10:00:00Z"}`, "userId", "control character (U+0000)"},
		{"newline in the event name", `{"userId":"u1","event":"a\nb","timestamp":"2024-05-01T10:00:00Z"}`, "event", "control character (U+000A)"},
		{"escape in the anonymous id", `{"anonymousId":"a\u001b[31m","event":"x","timestamp":"2024-05-01T10:00:00Z"}`, "anonymousId", "control character (U+001B)"},
		{"url too long", item(`"context":{"page":{"url":"` + strings.Repeat("u", 5000) + `"}}`), "url", "is 5000 bytes (max 4096)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := "[" + good + "," + tt.item + "," + good + "]"
			events, rejected, err := ParseBatch([]byte(body), testNow, journeys.Limits{})
			if err != nil {
				t.Fatalf("ParseBatch: %v", err)
			}
			if len(events) != 2 {
				t.Errorf("got %d good events, want 2 kept alongside the bad one", len(events))
			}
			if rejected.Total != 1 || len(rejected.Rows) != 1 {
				t.Fatalf("rejected = %+v, want one row", rejected)
			}
			if re := rejected.Rows[0]; re.Row != 1 || re.Field != tt.field || !strings.Contains(re.Problem, tt.problem) {
				t.Errorf("rejected row %d %s: %s, want row 1 %s: ...%s...", re.Row, re.Field, re.Problem, tt.field, tt.problem)
			}
		})
	}
}

// TestParseBatchValidSurrogatesAndUnicode: escaped pairs, raw multi-byte
// text and escaped backslashes before a "u" are not mistaken for bad text.
func TestParseBatchValidUnicode(t *testing.T) {
	body := `[{"userId":"zoë","event":"😀 \ud83d\ude00","timestamp":"2024-05-01T10:00:00Z","properties":{"path":"C:\\udc00"}}]`
	events, rejected, err := ParseBatch([]byte(body), testNow, journeys.Limits{})
	if err != nil || rejected.Total != 0 || len(events) != 1 {
		t.Fatalf("got %d events, rejected %+v, err %v", len(events), rejected, err)
	}
	if e := events[0]; e.Name != "😀 😀" || e.Properties["path"] != `C:\udc00` {
		t.Errorf("event = %+v", e)
	}
}

// TestParseBatchBoundedRejections: a body of many bad items lists the first
// MaxListedRows and counts them all.
func TestParseBatchBoundedRejections(t *testing.T) {
	n := 10000
	body := "[" + strings.Repeat("{},", n-1) + "{}]"
	events, rejected, err := ParseBatch([]byte(body), testNow, journeys.Limits{})
	if err != nil || len(events) != 0 {
		t.Fatalf("got %d events, err %v", len(events), err)
	}
	if rejected.Total != n || len(rejected.Rows) != journeys.MaxListedRows || rejected.Rows[99].Row != 99 {
		t.Errorf("rejected: %d listed, total %d; want %d listed, total %d", len(rejected.Rows), rejected.Total, journeys.MaxListedRows, n)
	}
}
