package ingest

import (
	"bytes"
	"errors"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

// FuzzReader: any file, read as CSV, JSONL, Segment JSONL, msnbc sequences
// or with its format detected, opens or is refused with an *Error (code
// invalid), and then yields events that pass the validation again and
// rejected rows that name their line and field; reading from memory never
// fails. The seeds run with every go test.
func FuzzReader(f *testing.F) {
	f.Add(uint8(0), []byte("user,ts,action,price,note\nu1,2024-05-01T10:00:00Z,buy,9.5,ok\nu2,2024-05-01T10:00:00Z,buy,NaN,x\n\"u3\xff\",2024-05-01T10:00:00Z,buy,1,\"two\nlines\"\n"))
	f.Add(uint8(1), []byte(`{"user":"u1","ts":1714557600,"action":"view","price":"1e999","extra":{"n":1e999}}`+"\n"+`{"user":"u\udc00","ts":"2024-05-01T10:00:00Z","action":"view"}`+"\n[1]\n"))
	f.Add(uint8(2), []byte(`{"userId":"u1","event":"buy","timestamp":"2024-05-01T10:00:00Z","properties":{"price":"Infinity"}}`+"\n"+`{"type":"alias","userId":"u1","previousId":"a1","timestamp":"2024-05-01T10:00:00Z"}`+"\n"))
	f.Add(uint8(3), []byte("% Different categories found in input file:\n\nfrontpage news tech\n\n% Sequences:\n\n1 1 2\n3 x\n"))
	f.Add(uint8(4), []byte("user_id,item_id,category_id,behavior_type,timestamp\n1,2,3,pv,1511544070\n"))
	f.Add(uint8(4), []byte("event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session\n2019-10-01 00:00:00 UTC,view,1,2,,b,NaN,9,s\n"))
	f.Fuzz(func(t *testing.T, format uint8, data []byte) {
		lim := journeys.DefaultLimits()
		m := []Mapping{
			{Format: FormatCSV, Header: true, Person: "user", Time: "ts", Name: "action", Value: "price"},
			{Format: FormatJSONL, Person: "user", Time: "ts", Name: "action", Value: "price"},
			{Format: FormatSegment, PersonPrefix: "s-"},
			{Format: FormatSeq, PersonPrefix: "q-"},
			{}, // detected
		}[int(format)%5]
		r, err := NewReader(bytes.NewReader(data), m, testNow, lim)
		if err != nil {
			var jerr *journeys.Error
			if !errors.As(err, &jerr) || jerr.Code != journeys.EINVALID {
				if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
					return // a broken gzip header is an I/O error
				}
				t.Fatalf("NewReader: %T %v, want an *Error with code invalid", err, err)
			}
			return
		}
		for r.Next() {
			e := r.Event()
			if re := lim.CheckEvent(&e); re != nil {
				t.Fatalf("line %d: accepted event fails validation: %v\n%+v", r.Line(), re, e)
			}
			if e.ID == "" || e.Person == "" || e.Name == "" || r.Line() < 1 {
				t.Fatalf("line %d: accepted event without id, person or name: %+v", r.Line(), e)
			}
			for _, re := range r.Rejected() {
				if re.Field == "" || re.Problem == "" || re.Row < 1 {
					t.Fatalf("rejected row %+v: want a line, a field and a problem", re)
				}
			}
		}
		for _, re := range r.Rejected() {
			if re.Field == "" || re.Problem == "" || re.Row < 1 {
				t.Fatalf("rejected row %+v: want a line, a field and a problem", re)
			}
		}
		if err := r.Err(); err != nil && !(len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
			t.Fatalf("reading from memory failed: %v", err)
		}
	})
}
