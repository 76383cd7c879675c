package journeys_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/segment"
)

func TestParseSegmentNamesEachBadNode(t *testing.T) {
	def := `{"name": "x", "where": {"all": [
		{"did": "add_to_cart", "within": "7d"},
		{"did": "purchase", "within": "7x"},
		{"count": "email_click", "min": -2},
		{"did": {"step": "view", "where": {"colour": "red", "value": {"prefix": "1"}}}},
		{"not_followed": {"first": "a", "then": "b"}, "after": "first"},
		{"did": "a", "did_not": "b"}]}}`
	_, err := journeys.ParseSegment([]byte(def))
	var jerr *journeys.Error
	if e, ok := err.(*journeys.Error); !ok || e.Code != journeys.EINVALID {
		t.Fatalf("got %v, want an EINVALID *Error", err)
	} else {
		jerr = e
	}
	want := []string{
		`where.all[1].within: "7x" is not a duration (want 7d, 12h, 30m...)`,
		`where.all[2].min: -2 is not a whole number from 0 to 1000000000`,
		`where.all[3].did.where.colour: unknown field`,
		`where.all[3].did.where.value.prefix: only for text fields`,
		`where.all[4].after: "first" is not last, each or any`,
		`where.all[5]: has both did and did_not`,
	}
	var got []string
	for _, d := range jerr.Details {
		got = append(got, d.Error())
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || strings.HasPrefix(g, w)
		}
		if !found {
			t.Errorf("no detail %q in\n%s", w, strings.Join(got, "\n"))
		}
	}
	if !strings.HasPrefix(jerr.Message, "segment: where.all[1].within") || !strings.Contains(jerr.Message, "more problems") {
		t.Errorf("message = %q", jerr.Message)
	}
}

func TestBuiltInSegmentsRoundTrip(t *testing.T) {
	for _, s := range segment.BuiltInSegments() {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		back, err := journeys.ParseSegment(b)
		if err != nil {
			t.Fatalf("%s: %v\n%s", s.Name, err, b)
		}
		b2, _ := json.Marshal(back)
		if string(b2) != strings.Replace(string(b), `,"built_in":true`, "", 1) {
			t.Errorf("%s: round trip\n got %s\nwant %s", s.Name, b2, b)
		}
	}
}

func TestCompileWindows(t *testing.T) {
	asOf := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	seg, err := journeys.ParseSegment([]byte(`{"name":"x","where":{"count":"email_open","min":3,"ago":{"from":"90d","to":"30d"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	p := seg.Compile(asOf, nil)
	ec := p.Events[0]
	if p.Kind != journeys.PredCount || p.Min != 3 || ec.From != asOf.Add(-90*24*time.Hour).UnixMilli() || ec.To != asOf.Add(-30*24*time.Hour).UnixMilli() {
		t.Errorf("got %+v", p)
	}
	seg, _ = journeys.ParseSegment([]byte(`{"name":"x","where":{"did":"a","within":"12h"}}`))
	if ec := seg.Compile(asOf, nil).Events[0]; ec.From != asOf.Add(-12*time.Hour).UnixMilli() || ec.To != asOf.UnixMilli()+1 {
		t.Errorf("within: got [%d, %d)", ec.From, ec.To)
	}
}

// FuzzParseSegment: any input is rejected or parses into a definition that
// compiles and survives a JSON round trip unchanged.
func FuzzParseSegment(f *testing.F) {
	for _, s := range segment.BuiltInSegments() {
		b, _ := json.Marshal(s)
		f.Add(b)
	}
	f.Add([]byte(`{"name":"h","where":{"not":{"not":{"sequence":["a",{"event":"b'}) //"}],"gap":"1h","within":"2d"}}}}`))
	f.Add([]byte(`{"name":"h","where":{"did":{"step":"x","where":{"value":{"gte":1e15},"url":{"in":["a","b"]}}}}}`))
	f.Add([]byte(`{"name":"h","where":{"any":[{"people":["b","a","b"]},{"not":{"people":["x'}) //"]}}]}}`))
	f.Add([]byte(`{"name":"h","where":{"rate":{"of":{"steps":["a","b"]},"per":"*"},"at_least":0.25,"at_most":3,"min_base":4,"ago":{"from":"9d","to":"1d"}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := journeys.ParseSegment(b)
		if err != nil {
			if code := journeys.ErrorCode(err); code != journeys.EINVALID && code != journeys.ETOOLARGE {
				t.Fatalf("error code %q: %v", code, err)
			}
			return
		}
		_ = s.Compile(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), journeys.DefaultOutbound)
		b1, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		s2, err := journeys.ParseSegment(b1)
		if err != nil {
			t.Fatalf("re-parse of %s: %v", b1, err)
		}
		if b2, _ := json.Marshal(s2); string(b2) != string(b1) {
			t.Fatalf("round trip:\n%s\n%s", b1, b2)
		}
	})
}
