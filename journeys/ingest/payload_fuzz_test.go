package ingest

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

// FuzzParseBatch: any body is refused whole (an *Error, code invalid) or
// split into events and rejected rows, where every event passes the
// validation again (CheckEvent, within the time limits, writable as JSON),
// every rejected row names its field and index, and at most
// journeys.MaxListedRows are listed. The seeds run with every go test.
func FuzzParseBatch(f *testing.F) {
	for _, s := range []string{
		`[{"type":"track","userId":"u1","event":"add_to_cart","timestamp":"2024-05-01T10:00:00Z","properties":{"sku":"X1","price":9.5},"context":{"channel":"email"}}]`,
		`{"batch":[{"type":"identify","userId":"u1","anonymousId":"a1","timestamp":1714557600,"traits":{"plan":"pro","ltv":"12.5"}},{"type":"alias","userId":"u1","previousId":"a2","timestamp":"2024-05-01 10:00:00"}]}`,
		`{"type":"page","anonymousId":"a7","timestamp":"2024-05-01T10:01:00Z","name":"Home","properties":{"url":"https://shop.example/p/1","revenue":"NaN"}}`,
		`[{},{"userId":"\ud800","event":"x","timestamp":"2024-05-01T10:00:00Z"},{"userId":"u\u0000","event":"a\nb","timestamp":"2024-05-01T10:00:00Z"}]`,
		`[{"userId":"u1","event":"x","timestamp":"2024-05-01T10:00:00Z","properties":{"a":[1e999,{"b":"\udfff"}]}}]`,
		"[{\"userId\":\"u\xff\",\"event\":\"x\",\"timestamp\":\"2024-05-01T10:00:00Z\"}]",
		`{"batch":null}`, `[1,"x",null,[]]`, `[] x`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		lim := journeys.DefaultLimits()
		events, rejected, err := ParseBatch(body, testNow, lim)
		if err != nil {
			var jerr *journeys.Error
			if !errors.As(err, &jerr) || jerr.Code != journeys.EINVALID {
				t.Fatalf("error %T %v, want an *Error with code invalid", err, err)
			}
			if len(events) != 0 || rejected.Total != 0 {
				t.Fatalf("error with %d events and %d rejected", len(events), rejected.Total)
			}
			return
		}
		if len(rejected.Rows) > journeys.MaxListedRows || rejected.Total < len(rejected.Rows) {
			t.Fatalf("rejected: %d listed, total %d", len(rejected.Rows), rejected.Total)
		}
		items := len(events) + rejected.Total
		for _, re := range rejected.Rows {
			if re.Field == "" || re.Problem == "" || re.Row < 0 || re.Row >= items {
				t.Fatalf("rejected row %+v of %d items: want a field, a problem and an index", re, items)
			}
		}
		for _, e := range events {
			if re := lim.CheckEvent(&e); re != nil {
				t.Fatalf("accepted event fails validation: %v\n%+v", re, e)
			}
			if e.ID == "" || e.Person == "" || e.Name == "" {
				t.Fatalf("accepted event without id, person or name: %+v", e)
			}
			if p := lim.CheckTime(e.Time, testNow); p != "" {
				t.Fatalf("accepted event out of time: %s", p)
			}
			if _, err := json.Marshal(e); err != nil {
				t.Fatalf("accepted event is not writable as JSON: %v", err)
			}
		}
	})
}
