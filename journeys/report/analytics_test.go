package report_test

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/report"
)

// seq builds a sequence from "step@minute" tokens ("view@0 cart@5").
func seq(person, spec string) journeys.Sequence {
	s := journeys.Sequence{Person: person}
	for _, tok := range strings.Fields(spec) {
		step, at, _ := strings.Cut(tok, "@")
		var m float64
		_ = json.Unmarshal([]byte(at), &m)
		s.Events = append(s.Events, journeys.StepEvent{Step: step, TS: int64(m * 60000)})
	}
	return s
}

func TestPercentile(t *testing.T) {
	tests := []struct {
		name   string
		values []float64
		p      float64
		want   float64
	}{
		{"median of odd", []float64{1, 2, 3}, 50, 2},
		{"median of even is the lower middle", []float64{1, 2, 3, 4}, 50, 2},
		{"p90 of ten", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90, 9},
		{"p90 of eleven", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 90, 10},
		{"one value", []float64{7}, 90, 7},
		{"p100", []float64{1, 5}, 100, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := journeys.Percentile(tt.values, tt.p); got != tt.want {
				t.Errorf("Percentile(%v, %v) = %v, want %v", tt.values, tt.p, got, tt.want)
			}
		})
	}
	if got := journeys.Percentile(nil, 50); !math.IsNaN(got) {
		t.Errorf("Percentile(nil) = %v, want NaN", got)
	}
}

func TestHistogram(t *testing.T) {
	b := journeys.Histogram([]float64{0, 60, 61, 3600, 86400 * 31})
	got := map[string]int{}
	total := 0
	for _, x := range b {
		got[x.Label] = x.People
		total += x.People
	}
	want := map[string]int{"≤1m": 2, "≤5m": 1, "≤1h": 1, ">30d": 1}
	for label, n := range want {
		if got[label] != n {
			t.Errorf("bucket %s = %d, want %d (all: %v)", label, got[label], n, got)
		}
	}
	if total != 5 || len(b) != 10 {
		t.Errorf("%d buckets holding %d, want 10 holding 5", len(b), total)
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"7d", 7 * 24 * time.Hour, true},
		{"1d6h", 30 * time.Hour, true},
		{"90s", 90 * time.Second, true},
		{"", 0, true},
		{"-1h", 0, false},
		{"x", 0, false},
		{"3dd", 0, false},
	}
	for _, tt := range tests {
		got, err := journeys.ParseDuration(tt.in)
		if (err == nil) != tt.ok || time.Duration(got) != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, ok %v", tt.in, time.Duration(got), err, tt.want, tt.ok)
		}
	}
	var d journeys.Duration
	if err := json.Unmarshal([]byte(`"2d"`), &d); err != nil || d.String() != "2d" {
		t.Errorf(`unmarshal "2d" = %v, %v`, d, err)
	}
}

func TestPathQueryValidation(t *testing.T) {
	tests := []struct {
		name string
		q    report.PathQuery
		want string // message; "" for valid
	}{
		{"defaults", report.PathQuery{}, ""},
		{"depth too deep", report.PathQuery{Depth: 21}, "depth: 21 is more than the maximum 20"},
		{"depth negative", report.PathQuery{Depth: -1}, "depth: -1 is less than 1"},
		{"between needs two", report.PathQuery{Start: "a", End: "b", Depth: 1}, "depth: 1 is less than 2"},
		{"bad unit", report.PathQuery{Unit: "week"}, `unit: unknown unit "week" (want session or journey)`},
		{"bad limit", report.PathQuery{Limit: 5000}, "limit: 5000 is not from 1 to 1000"},
		{"empty range", report.PathQuery{Filter: journeys.Filter{From: time.Unix(10, 0), To: time.Unix(10, 0)}}, "to: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.q.Normalize()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) || journeys.ErrorCode(err) != journeys.EINVALID {
				t.Errorf("error %v, want %q (invalid)", err, tt.want)
			}
		})
	}
}

func TestPathsAggregate(t *testing.T) {
	people := []journeys.Sequence{
		seq("a", "home@0 view@1 cart@2 buy@3"),
		seq("b", "home@0 view@1 view@2 view@3"),
		seq("c", "view@0 cart@1"),
		seq("d", "home@0 home@1 view@2 cart@3 home@100 view@101"), // two sessions
		seq("e", "search@0"),
	}
	tests := []struct {
		name     string
		q        report.PathQuery
		collapse bool
		want     []string // "steps=people/units", in report order
		people   int
	}{
		{"first steps", report.PathQuery{Depth: 2}, false,
			[]string{"home>view=2/3", "home>home=1/1", "search>(exit)=1/1", "view>cart=1/1"}, 5},
		{"collapsed repeats", report.PathQuery{Depth: 3}, true,
			[]string{"home>view>cart=2/2", "home>view>(exit)=1/2", "search>(exit)=1/1", "view>cart>(exit)=1/1"}, 5},
		{"starting at view", report.PathQuery{Start: "view", Depth: 2}, false,
			[]string{"view>cart=3/3", "view>view=1/1", "view>(exit)=0/1"}, 4},
		{"ending at cart", report.PathQuery{End: "cart", Depth: 3}, false,
			[]string{"(start)>view>cart=1/1", "home>view>cart=2/2"}, 3},
		{"between home and cart", report.PathQuery{Start: "home", End: "cart", Depth: 3}, false,
			[]string{"home>view>cart=1/1", "home>home>(...)>cart=1/1"}, 2},
		{"journeys", report.PathQuery{Start: "home", Depth: 5, Unit: journeys.UnitJourney}, false,
			[]string{"home>home>view>cart>home=1/1", "home>view>cart>buy>(exit)=1/1", "home>view>view>view>(exit)=1/1"}, 3},
		{"other", report.PathQuery{Depth: 2, Limit: 1}, false, []string{"home>view=2/3"}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			if err := q.Normalize(); err != nil {
				t.Fatal(err)
			}
			pc := report.NewPathCounter(q, journeys.StepRules{CollapseRepeats: tt.collapse}, 0)
			for _, s := range people {
				pc.Add(s)
			}
			r := pc.Report()
			var got []string
			sum := r.Other.People
			for _, p := range r.Paths {
				got = append(got, strings.Join(p.Steps, ">")+"="+itoa(p.People)+"/"+itoa(p.Units))
				sum += p.People
			}
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("paths %v, want %v", got, want)
			}
			if r.People != tt.people || sum != r.People || r.PeopleSeen != len(people) {
				t.Errorf("people in scope %d (paths+other %d, seen %d), want %d (seen %d)", r.People, sum, r.PeopleSeen, tt.people, len(people))
			}
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestTransitions(t *testing.T) {
	q := report.TransitionQuery{}
	if err := q.Normalize(); err != nil {
		t.Fatal(err)
	}
	tc := report.NewTransitionCounter(q, journeys.StepRules{}, 0)
	tc.Add(seq("a", "view@0 cart@1 view@3 view@100"))
	tc.Add(seq("b", "view@0 cart@2"))
	r := tc.Report()
	got := map[string]string{}
	for _, e := range r.Edges {
		s := itoa(e.Count) + "/" + itoa(e.People)
		if e.MedianGapS != nil {
			s += " " + itoa(int(*e.MedianGapS)) + "s"
		}
		got[e.From+">"+e.To] = s
	}
	want := map[string]string{
		"(start)>view": "3/2", "view>cart": "2/2 60s", "cart>view": "1/1 120s",
		"view>(exit)": "2/1", "cart>(exit)": "1/1",
	}
	if len(got) != len(want) {
		t.Errorf("edges %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if r.Units != 3 || r.People != 2 {
		t.Errorf("units %d people %d, want 3 and 2", r.Units, r.People)
	}
}

func TestFunnelValidation(t *testing.T) {
	steps := func(names ...string) []report.FunnelStep {
		var out []report.FunnelStep
		for _, n := range names {
			out = append(out, report.FunnelStep{Step: n})
		}
		return out
	}
	tests := []struct {
		name string
		f    report.Funnel
		want string
	}{
		{"valid", report.Funnel{Steps: steps("a", "b")}, ""},
		{"one step", report.Funnel{Steps: steps("a")}, "steps: 1 steps: want 2 to 20"},
		{"bad order", report.Funnel{Steps: steps("a", "b"), Order: "x"}, `order: unknown order mode "x"`},
		{"empty step", report.Funnel{Steps: steps("a", "b", " ")}, "steps[2].step: empty step"},
		{"within on first", report.Funnel{Steps: []report.FunnelStep{{Step: "a", Within: 60e9}, {Step: "b"}}}, "steps[0].within: the first step"},
		{"within in any order", report.Funnel{Order: "any", Steps: []report.FunnelStep{{Step: "a"}, {Step: "b", Within: 60e9}}}, "steps[1].within: per-step windows need order strict or ordered"},
		{"excluded funnel step", report.Funnel{Steps: steps("a", "b"), Exclude: []string{"b"}}, `exclude[0]: "b" is a step of the funnel`},
		{"several", report.Funnel{Steps: steps("a"), Order: "x"}, `order: unknown order mode "x" (want strict, ordered or any) (and 1 more problem)`},
		{"optional middle step", report.Funnel{Steps: []report.FunnelStep{{Step: "a"}, {Step: "b", Optional: true}, {Step: "c"}}}, ""},
		{"optional first step", report.Funnel{Steps: []report.FunnelStep{{Step: "a", Optional: true}, {Step: "b"}}}, "steps[0].optional: the first and last steps cannot be optional"},
		{"optional last step", report.Funnel{Steps: []report.FunnelStep{{Step: "a"}, {Step: "b", Optional: true}}}, "steps[1].optional: the first and last steps"},
		{"optional in strict order", report.Funnel{Order: "strict", Steps: []report.FunnelStep{{Step: "a"}, {Step: "b", Optional: true}, {Step: "c"}}}, "steps[1].optional: optional steps need order ordered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			err := f.Normalize()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) || journeys.ErrorCode(err) != journeys.EINVALID {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
	var f report.Funnel
	if err := json.Unmarshal([]byte(`{"steps": ["view", {"step": "cart", "within": "1h"}], "window": "7d"}`), &f); err != nil {
		t.Fatal(err)
	}
	if f.Steps[0].Step != "view" || time.Duration(f.Steps[1].Within) != time.Hour || f.Window.String() != "7d" {
		t.Errorf("decoded %+v", f)
	}
}

func TestFunnelMatching(t *testing.T) {
	tests := []struct {
		name    string
		order   string
		window  time.Duration
		within  time.Duration // on the last step
		exclude []string
		spec    string
		level   int
		ttc     float64 // seconds to the last reached step
	}{
		{"ordered with gaps", "ordered", 0, 0, nil, "view@0 home@1 cart@2 home@3 buy@4", 3, 240},
		{"ordered, out of order", "ordered", 0, 0, nil, "cart@0 view@1 buy@2", 1, 0},
		{"strict breaks on a gap", "strict", 0, 0, nil, "view@0 home@1 cart@2 buy@3", 1, 0},
		{"strict later attempt", "strict", 0, 0, nil, "view@0 home@1 view@2 cart@3 buy@4", 3, 120},
		{"window too short", "ordered", 3 * time.Minute, 0, nil, "view@0 cart@2 buy@4", 2, 120},
		{"later entry fits the window", "ordered", 3 * time.Minute, 0, nil, "view@0 cart@2 view@3 cart@4 buy@5", 3, 120},
		{"exclusion drops", "ordered", 0, 0, []string{"refund"}, "view@0 cart@1 refund@2 buy@3", 2, 60},
		{"exclusion before a later attempt", "ordered", 0, 0, []string{"refund"}, "view@0 refund@1 view@2 cart@3 buy@4", 3, 120},
		{"per-step window: a later cart", "ordered", 0, time.Minute, nil, "view@0 cart@1 cart@10 buy@10.5", 3, 630},
		{"per-step window missed", "ordered", 0, time.Minute, nil, "view@0 cart@1 buy@10", 2, 60},
		{"any order", "any", 10 * time.Minute, 0, nil, "buy@0 cart@1 view@2", 3, 120},
		{"any order, too spread", "any", 10 * time.Minute, 0, nil, "buy@0 cart@11 view@12", 2, 60},
		{"any order, exclusion splits", "any", 0, 0, []string{"refund"}, "buy@0 refund@1 cart@2 view@3", 2, 60},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := report.Funnel{Order: tt.order, Window: journeys.Duration(tt.window), Exclude: tt.exclude,
				Steps: []report.FunnelStep{{Step: "view"}, {Step: "cart"}, {Step: "buy", Within: journeys.Duration(tt.within)}}}
			if err := f.Normalize(); err != nil {
				t.Fatal(err)
			}
			fc := report.NewFunnelCounter(f, journeys.StepRules{}, journeys.Duration(24*time.Hour), 0)
			fc.Add(seq("p", tt.spec))
			r := fc.Report()
			level := 0
			for _, s := range r.Steps {
				if s.People == 1 {
					level++
				}
			}
			if level != tt.level {
				t.Fatalf("reached %d steps, want %d", level, tt.level)
			}
			if level > 1 {
				if got := r.Steps[level-1].TimeToConvert.MedianS; got != tt.ttc {
					t.Errorf("time to convert %v s, want %v", got, tt.ttc)
				}
			}
		})
	}
}

// fakeReader serves fixed sequences.
type fakeReader struct{ seqs []journeys.Sequence }

func (f *fakeReader) Sequences(ctx context.Context, _ journeys.Filter, _ bool) (journeys.SequenceSet, error) {
	return &fakeSet{seqs: f.seqs, i: -1}, nil
}

type fakeSet struct {
	seqs []journeys.Sequence
	i    int
}

func (s *fakeSet) Next() bool            { s.i++; return s.i < len(s.seqs) }
func (s *fakeSet) At() journeys.Sequence { return s.seqs[s.i] }
func (s *fakeSet) Err() error            { return nil }
func (s *fakeSet) Close() error          { return nil }

// TestFunnelOptionalSteps: view → wishlist (optional) → cart →
// coupon (optional) → buy. Optional steps never gate the funnel.
func TestFunnelOptionalSteps(t *testing.T) {
	people := []journeys.Sequence{
		seq("all", "view@0 wishlist@1 cart@2 coupon@3 buy@4"),
		seq("skips both", "view@0 cart@2 buy@4"),
		seq("wishlist only", "view@0 wishlist@1 cart@2"),
		seq("wishlist too early", "wishlist@0 view@1 cart@2 buy@3"), // before the view: not counted
		seq("coupon after buy", "view@0 cart@1 buy@2 coupon@3"),     // after the next required step: not counted
		seq("no cart, wishlist", "view@0 wishlist@1"),               // reached view, did the optional step
		seq("coupon, no buy", "view@0 cart@1 coupon@2"),             // coupon within the window, no buy
		seq("coupon late", "view@0 cart@1 coupon@20000"),            // after the 7-day window: not counted
	}
	f := report.Funnel{Window: journeys.Duration(7 * 24 * time.Hour), Steps: []report.FunnelStep{
		{Step: "view"}, {Step: "wishlist", Optional: true}, {Step: "cart"}, {Step: "coupon", Optional: true}, {Step: "buy"}}}
	a := &report.Analytics{Store: &fakeReader{seqs: people}}
	r, err := a.Funnel(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		people, dropOff int
		fromPrevious    float64
		optional        bool
	}{
		{8, 0, 1, false},
		{3, 5, 3.0 / 8, true},  // all, wishlist only, no cart
		{7, 1, 7.0 / 8, false}, // from view, not from wishlist
		{2, 5, 2.0 / 7, true},  // all, coupon no buy
		{4, 3, 4.0 / 7, false}, // from cart
	}
	for k, w := range want {
		s := r.Steps[k]
		if s.People != w.people || s.DropOff != w.dropOff || math.Abs(s.FromPrevious-w.fromPrevious) > 1e-4 || s.Optional != w.optional {
			t.Errorf("step %d (%s) = %d people, drop-off %d, from previous %v, optional %v; want %+v",
				k, s.Step, s.People, s.DropOff, s.FromPrevious, s.Optional, w)
		}
	}
	if got := r.Steps[3].TimeToConvert.MedianS; got != 120 {
		t.Errorf("coupon time to convert median %v s, want 120", got)
	}
	var ids []string
	for _, step := range []int{1, 3} {
		p, err := a.FunnelDropped(context.Background(), report.DroppedQuery{Funnel: f, Step: step})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != r.Steps[step].DropOff {
			t.Errorf("dropped at %d: %d people, report says %d", step, p.Total, r.Steps[step].DropOff)
		}
		for _, x := range p.People {
			ids = append(ids, x.ID)
		}
	}
	want3 := []string{"coupon after buy", "coupon late", "skips both", "wishlist only", "wishlist too early"}
	if got := ids[len(ids)-len(want3):]; !slices.Equal(got, want3) {
		t.Errorf("skipped the coupon: %q, want %q", got, want3)
	}
}

func TestFunnelDroppedPages(t *testing.T) {
	a := &report.Analytics{Store: &fakeReader{seqs: []journeys.Sequence{
		seq("c", "view@0 cart@1"), seq("a", "view@0 cart@1"), seq("b", "view@0 cart@1 buy@2"), seq("d", "view@0 cart@3"),
	}}}
	f := report.Funnel{Steps: []report.FunnelStep{{Step: "view"}, {Step: "cart"}, {Step: "buy"}}}
	var ids []string
	offset := 0
	for {
		p, err := a.FunnelDropped(context.Background(), report.DroppedQuery{Funnel: f, Step: 2, Offset: offset, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range p.People {
			ids = append(ids, x.ID)
		}
		if p.Total != 3 || p.StepName != "buy" {
			t.Errorf("page %+v, want total 3 at buy", p)
		}
		if p.NextOffset == nil {
			break
		}
		offset = *p.NextOffset
	}
	if want := []string{"a", "c", "d"}; !slices.Equal(ids, want) {
		t.Errorf("dropped %v, want %v", ids, want)
	}
	_, err := a.FunnelDropped(context.Background(), report.DroppedQuery{Funnel: f, Step: 3})
	if err == nil || !strings.HasPrefix(err.Error(), "step: 3 is not from 1 to 2") {
		t.Errorf("step 3: %v", err)
	}
}

func TestParseFunnelSteps(t *testing.T) {
	tests := []struct {
		in   string
		want []report.FunnelStep
	}{
		{"a, b, c", []report.FunnelStep{{Step: "a"}, {Step: "b"}, {Step: "c"}}},
		{"a, b?, c", []report.FunnelStep{{Step: "a"}, {Step: "b", Optional: true}, {Step: "c"}}},
		{" a ,, b ? ", []report.FunnelStep{{Step: "a"}, {Step: "b", Optional: true}}},
		{"?", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := report.ParseFunnelSteps(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("ParseFunnelSteps(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}
