package journeys_test

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

// details returns the problems of a ParseSegment error as "field: problem".
func details(t *testing.T, err error) []string {
	t.Helper()
	e, ok := err.(*journeys.Error)
	if !ok || e.Code != journeys.EINVALID {
		t.Fatalf("got %v, want an EINVALID *Error", err)
	}
	var out []string
	for _, d := range e.Details {
		out = append(out, d.Error())
	}
	return out
}

func TestParseRate(t *testing.T) {
	const ok = `{"rate": {"of": "email_open", "per": "email_sent"}, "at_least": 0.3, "within": "90d", "min_base": 5}`
	tests := []struct {
		name, where string
		want        []string // problem prefixes; none: valid
	}{
		{"valid", ok, nil},
		{"at_most only, objects, ago", `{"rate": {"of": {"steps": ["email_open", "email_click"]}, "per": {"event": "Email Sent", "where": {"channel": "email"}}},
			"at_most": 0.05, "ago": {"from": "90d", "to": "30d"}}`, nil},
		{"both bounds, above 1", `{"rate": {"of": "email_click", "per": "email_open"}, "at_least": 1, "at_most": 2.5}`, nil},
		{"any event", `{"rate": {"of": "purchase", "per": "*"}, "at_least": 0.1}`, nil},
		{"no bound", `{"all": [{"did": "x"}, {"rate": {"of": "a", "per": "b"}, "min_base": 3}]}`,
			[]string{"where.all[1]: rate needs at_least or at_most"}},
		{"negative", `{"all": [{"did": "x"}, {"rate": {"of": "a", "per": "b"}, "at_least": -0.1}]}`,
			[]string{"where.all[1].at_least: -0.1 is not a rate"}},
		{"not a number", `{"rate": {"of": "a", "per": "b"}, "at_least": "30%"}`, []string{"where.at_least: want a number"}},
		{"bounds crossed", `{"rate": {"of": "a", "per": "b"}, "at_least": 0.5, "at_most": 0.2}`,
			[]string{"where.at_most: 0.2 is below at_least 0.5"}},
		{"zero base", `{"rate": {"of": "a", "per": "b"}, "at_least": 0.5, "min_base": 0}`,
			[]string{"where.min_base: 0 is not a base"}},
		{"fractional base", `{"rate": {"of": "a", "per": "b"}, "at_least": 0.5, "min_base": 2.5}`,
			[]string{"where.min_base: 2.5 is not a whole number"}},
		{"missing per", `{"rate": {"of": "a"}, "at_least": 0.5}`, []string{"where.rate.per: missing"}},
		{"unknown pair key", `{"rate": {"of": "a", "per": "b", "by": "c"}, "at_least": 0.5}`,
			[]string{"where.rate.by: unknown key (want of, per)"}},
		{"pair not an object", `{"rate": "a/b", "at_least": 0.5}`, []string{`where.rate: want {"of": ..., "per": ...}`}},
		{"bad match", `{"rate": {"of": {"step": "a", "event": "b"}, "per": "c"}, "at_least": 0.5}`,
			[]string{"where.rate.of: want exactly one of step, steps, event, events"}},
		{"option of another kind", `{"rate": {"of": "a", "per": "b"}, "at_least": 0.5, "min": 2}`,
			[]string{"where.min: not an option of rate"}},
		{"at_most is rate's only", `{"propensity": "unsubscribe", "at_least": 0.5, "at_most": 0.9}`,
			[]string{"where.at_most: not an option of propensity"}},
		{"bad window", `{"rate": {"of": "a", "per": "b"}, "at_least": 0.5, "within": "3x"}`,
			[]string{`where.within: "3x" is not a duration`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := journeys.ParseSegment([]byte(`{"name": "r", "where": ` + tt.where + `}`))
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("got %v, want a valid definition", err)
				}
				return
			}
			got := details(t, err)
			for _, w := range tt.want {
				if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w) }) {
					t.Errorf("no problem %q in\n%s", w, strings.Join(got, "\n"))
				}
			}
		})
	}
}

// TestRateCountsTowardLimits: a rate block is a condition like any other.
func TestRateCountsTowardLimits(t *testing.T) {
	rate := `{"rate": {"of": "a", "per": "b"}, "at_least": 0.5}`
	wide := `{"all": [` + strings.Repeat(rate+",", journeys.MaxSegmentNodes-1) + rate + `]}`
	got := details(t, func() error {
		_, err := journeys.ParseSegment([]byte(`{"name": "r", "where": ` + wide + `}`))
		return err
	}())
	if !slices.ContainsFunc(got, func(g string) bool { return strings.Contains(g, "more than 200 conditions") }) {
		t.Errorf("got %v, want the node limit", got)
	}
}

func TestRateJSONRoundTrip(t *testing.T) {
	def := `{"name":"engaged","where":{"all":[{"rate":{"of":"email_open","per":"email_sent"},"at_least":0.3,"min_base":5,"within":"90d"},` +
		`{"rate":{"of":{"steps":["email_open","email_click"]},"per":{"event":"Email Sent","where":{"channel":"email"}}},"at_least":0,"at_most":0.05,"ago":{"from":"90d","to":"30d"}}]}}`
	seg, err := journeys.ParseSegment([]byte(def))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(seg)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != def {
		t.Errorf("marshal:\n got %s\nwant %s", b, def)
	}
	if err := seg.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestCompileRate(t *testing.T) {
	asOf := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	ms := func(d time.Duration) int64 { return asOf.Add(-d).UnixMilli() }
	tests := []struct {
		name, where      string
		min, max         float64
		base             int64
		ofField, perStep string
		from, to         int64
	}{
		{"the playbook's open rate", `{"rate": {"of": "email_open", "per": "email_sent"}, "at_least": 0.3, "within": "90d", "min_base": 5}`,
			0.3, math.Inf(1), 5, "step", "email_sent", ms(90 * 24 * time.Hour), asOf.UnixMilli() + 1},
		{"at most, default base", `{"rate": {"of": {"event": "Email Link Clicked"}, "per": "email_open"}, "at_most": 0.1, "ago": {"from": "60d", "to": "30d"}}`,
			0, 0.1, 1, "name", "email_open", ms(60 * 24 * time.Hour), ms(30 * 24 * time.Hour)},
		{"no window", `{"rate": {"of": "a", "per": "b"}, "at_least": 0.5, "at_most": 2}`,
			0.5, 2, 1, "step", "b", math.MinInt64, asOf.UnixMilli() + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seg, err := journeys.ParseSegment([]byte(`{"name": "r", "where": ` + tt.where + `}`))
			if err != nil {
				t.Fatal(err)
			}
			p := seg.Compile(asOf, nil)
			if p.Kind != journeys.PredRate || len(p.Events) != 2 {
				t.Fatalf("got %+v, want a rate of two event conditions", p)
			}
			if p.RateMin != tt.min || p.RateMax != tt.max || p.MinBase != tt.base {
				t.Errorf("bounds [%v, %v] base %d, want [%v, %v] base %d", p.RateMin, p.RateMax, p.MinBase, tt.min, tt.max, tt.base)
			}
			of, per := p.Events[0], p.Events[1]
			if of.Field != tt.ofField || per.Field != "step" || !slices.Equal(per.Values, []string{tt.perStep}) {
				t.Errorf("of %+v per %+v", of, per)
			}
			for _, ec := range p.Events {
				if ec.From != tt.from || ec.To != tt.to {
					t.Errorf("window [%d, %d), want [%d, %d)", ec.From, ec.To, tt.from, tt.to)
				}
			}
			if leaves := p.Leaves(); len(leaves) != 1 || leaves[0].Field != of.Field || !slices.Equal(leaves[0].Values, of.Values) {
				t.Errorf("leaves %+v, want the of events %+v", leaves, of)
			}
		})
	}
}

// TestCompileExclude: every condition on any event leaves the outbound
// steps out; conditions on named steps or events do not.
func TestCompileExclude(t *testing.T) {
	asOf := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, where string
		excluded    int // event conditions with Field "" (all must carry Exclude)
	}{
		{"did_not any", `{"did_not": "*", "within": "30d"}`, 1},
		{"did any with where", `{"did": {"step": "*", "where": {"channel": "web"}}}`, 1},
		{"count any", `{"count": "*", "min": 3, "within": "7d"}`, 1},
		{"last_seen more than", `{"last_seen": {"more_than": "30d"}}`, 2},
		{"last_seen within", `{"last_seen": {"within": "30d"}}`, 1},
		{"first_seen within (new)", `{"first_seen": {"within": "7d"}}`, 2},
		{"first_seen more than", `{"first_seen": {"more_than": "7d"}}`, 1},
		{"sequence", `{"sequence": ["*", "purchase"]}`, 1},
		{"not followed", `{"not_followed": {"first": "email_open", "then": "*"}}`, 1},
		{"rate per any", `{"rate": {"of": "purchase", "per": "*"}, "at_least": 0.1}`, 1},
		{"named steps", `{"all": [{"did": "email_sent"}, {"did_not": {"steps": ["email_open", "email_click"]}}, {"last": "purchase", "more_than": "9d"}]}`, 0},
		{"raw names", `{"did": {"events": ["Email Sent"]}}`, 0},
	}
	outbound := []string{"sms_sent", "email_sent", "push_sent", "email_sent"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seg, err := journeys.ParseSegment([]byte(`{"name": "x", "where": ` + tt.where + `}`))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, ec := range eventConds(seg.Compile(asOf, outbound)) {
				switch {
				case ec.Field != "" && ec.Exclude != nil:
					t.Errorf("%s condition %v has Exclude %v", ec.Field, ec.Values, ec.Exclude)
				case ec.Field == "":
					n++
					if want := []string{"email_sent", "push_sent", "sms_sent"}; !slices.Equal(ec.Exclude, want) {
						t.Errorf("Exclude %v, want %v (sorted, distinct)", ec.Exclude, want)
					}
				}
			}
			if n != tt.excluded {
				t.Errorf("%d conditions on any event, want %d", n, tt.excluded)
			}
			for _, ec := range eventConds(seg.Compile(asOf, nil)) {
				if ec.Exclude != nil {
					t.Errorf("without outbound steps: Exclude %v", ec.Exclude)
				}
			}
		})
	}
	if !slices.Equal(outbound, []string{"sms_sent", "email_sent", "push_sent", "email_sent"}) {
		t.Errorf("Compile changed its argument: %v", outbound)
	}
}

// eventConds returns every event condition of p, negated ones included.
func eventConds(p journeys.Pred) []journeys.EventCond {
	out := slices.Clone(p.Events)
	for _, k := range p.Kids {
		out = append(out, eventConds(k)...)
	}
	return out
}
