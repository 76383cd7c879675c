package profile

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// touchReader is a fake journeys.TouchReader over fixed sequences; it
// records the query it was given.
type touchReader struct {
	seqs []journeys.TouchSequence
	q    journeys.TouchQuery
}

func (r *touchReader) Touches(_ context.Context, q journeys.TouchQuery) (journeys.TouchSet, error) {
	r.q = q
	return &touchSet{seqs: r.seqs, i: -1}, nil
}

type touchSet struct {
	seqs []journeys.TouchSequence
	i    int
}

func (s *touchSet) Next() bool                 { s.i++; return s.i < len(s.seqs) }
func (s *touchSet) At() journeys.TouchSequence { return s.seqs[s.i] }
func (s *touchSet) Err() error                 { return nil }
func (s *touchSet) Close() error               { return nil }

var asOf = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// touch is an event of step s, d days (and h hours) before asOf.
func touch(s string, d, h float64, mods ...func(*journeys.Touch)) journeys.Touch {
	ts := asOf.Add(-time.Duration((d*24 + h) * float64(time.Hour)))
	t := journeys.Touch{StepEvent: journeys.StepEvent{Step: s, TS: ts.UnixMilli()}}
	for _, m := range mods {
		m(&t)
	}
	return t
}

func value(v float64) func(*journeys.Touch)  { return func(t *journeys.Touch) { t.Value = v } }
func channel(c string) func(*journeys.Touch) { return func(t *journeys.Touch) { t.Channel = c } }
func session(s string) func(*journeys.Touch) { return func(t *journeys.Touch) { t.Session = s } }

func TestVectors(t *testing.T) {
	r := &touchReader{seqs: []journeys.TouchSequence{
		{Person: "buyer", Touches: []journeys.Touch{
			touch("page_view", 200, 0, channel("ads")),    // outside 90 days: recency only
			touch("product_view", 40, 0, channel("ads")),  // 90-day window
			touch("product_view", 10, 1, channel("mail")), // session 2 (day 10)
			touch("add_to_cart", 10, 0.9, channel("mail")),
			touch("purchase", 10, 0.5, value(120), channel("mail")), // 24 min later: same session
			touch("email_sent", 3, 0),                               // outbound: not recency
			touch("purchase", -1, 0, value(99)),                     // after as_of: ignored
		}},
		{Person: "emailed", Touches: []journeys.Touch{
			touch("email_sent", 50, 0), touch("email_sent", 20, 0), touch("email_sent", 5, 0), touch("email_sent", 1, 0),
			touch("email_open", 20, 0, session("a")), touch("email_open", 20, 0, session("b")), touch("email_click", 5, 0),
			touch("", 2, 0), // excluded event (identify): nothing
		}},
		{Person: "only-sent", Touches: []journeys.Touch{touch("email_sent", 1, 0)}},
	}}
	v, err := (&Profiler{Touches: r}).Vectors(context.Background(), VectorQuery{AsOf: asOf, PersonPrefix: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.q.Filter; !got.To.Equal(asOf) || got.PersonPrefix != "x" {
		t.Errorf("query filter: got %+v, want To as_of and the prefix", got)
	}
	if len(v.People) != 2 || v.People[0] != "buyer" || v.People[1] != "emailed" {
		t.Fatalf("people: got %v, want [buyer emailed] (only-sent has no own event)", v.People)
	}
	col := map[string]int{}
	for j, f := range v.Features {
		col[f.Name] = j
	}
	for _, tc := range []struct {
		person  int
		feature string
		want    float64
	}{
		{0, "recency_days", 10 + 0.5/24}, // the purchase, 10 days and 30 minutes before
		{0, "events_30d", 3},
		{0, "events_90d", 4},
		{0, "value_90d", 120},
		{0, "step_product_view_30d", 1},
		{0, "step_add_to_cart_30d", 1},
		{0, "step_purchase_30d", 1},
		{0, "step_page_view_30d", 0},
		{0, "email_sent_90d", 1},
		{0, "email_open_rate_90d", 0},
		{0, "sessions_90d", 2},
		{0, "days_active_90d", 2},
		{0, "channel_share_mail", 0.75},
		{0, "channel_share_ads", 0.25},
		{1, "recency_days", 5},
		{1, "events_90d", 3},
		{1, "email_sent_90d", 4},
		{1, "email_open_rate_90d", 0.5},
		{1, "email_click_rate_90d", 0.25},
		{1, "step_email_open_30d", 2},
		{1, "sessions_90d", 3}, // two sender sessions at the same time, then a gap
		{1, "days_active_90d", 2},
		{1, "channel_share_mail", 0},
	} {
		j, ok := col[tc.feature]
		if !ok {
			t.Errorf("no feature %s in %v", tc.feature, v.Features)
			continue
		}
		if got := v.X.At(tc.person, j); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s %s: got %g, want %g", v.People[tc.person], tc.feature, got, tc.want)
		}
	}
	if want := len(fixedFeatures) + 2; len(v.Features) != want {
		t.Errorf("features: got %d, want %d (2 channels)", len(v.Features), want)
	}
}

func TestVectorsNobody(t *testing.T) {
	r := &touchReader{seqs: []journeys.TouchSequence{{Person: "p", Touches: []journeys.Touch{touch("email_sent", 1, 0)}}}}
	_, err := (&Profiler{Touches: r}).Vectors(context.Background(), VectorQuery{AsOf: asOf})
	if journeys.ErrorCode(err) != journeys.ENOTFOUND {
		t.Errorf("error: got %v, want code %s", err, journeys.ENOTFOUND)
	}
}

func TestFeaturesDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Features([]string{"web"}) {
		if f.Name == "" || f.Doc == "" || f.Unit == "" || seen[f.Name] {
			t.Errorf("feature %+v: want a unique name, a unit and a doc", f)
		}
		seen[f.Name] = true
	}
}
