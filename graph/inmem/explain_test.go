package inmem

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

func TestExplain(t *testing.T) {
	m := segmentSource()
	var many []tev
	for i := range 12 {
		many = append(many, tev{step: "view", ts: int64(100 + i)})
	}
	put(m, "f", nil, many...)
	c := &Cache{Source: m}
	if err := c.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	// ev is the explained event of person's touch at ts named name, its id
	// the store's.
	ev := func(person, name string, ts int64) journeys.ExplainedEvent {
		for _, x := range m.People[person].Touches {
			if x.TS == ts && x.Name == name {
				return journeys.ExplainedEvent{ID: memEventID(person, x), Name: x.Name, Step: x.Step,
					Time: time.UnixMilli(ts).UTC(), Channel: x.Channel}
			}
		}
		t.Fatalf("no event %s@%d of %s", name, ts, person)
		return journeys.ExplainedEvent{}
	}
	withProduct := func(e journeys.ExplainedEvent, p string) journeys.ExplainedEvent { e.Product = p; return e }
	own := journeys.EventCond{From: 0, To: 1000, Exclude: []string{"email_sent"}}
	var last10 []journeys.ExplainedEvent
	for ts := int64(111); ts >= 102; ts-- {
		last10 = append(last10, ev("f", "view", ts))
	}
	tests := []struct {
		name   string
		people []string
		leaves []journeys.EventCond
		want   map[string]journeys.Explanation
	}{
		{"newest first; a tie in time in reverse chain order", []string{"a"}, []journeys.EventCond{steps(0, 1000, "view", "cart")},
			map[string]journeys.Explanation{"a": {Events: []journeys.ExplainedEvent{
				withProduct(ev("a", "cart", 20), "p1"), withProduct(ev("a", "view", 20), "p1"), withProduct(ev("a", "view", 10), "p1")}}}},
		{"a window holds its start, not its end", []string{"a"}, []journeys.EventCond{steps(10, 20, "view")},
			map[string]journeys.Explanation{"a": {Events: []journeys.ExplainedEvent{withProduct(ev("a", "view", 10), "p1")}}}},
		{"any own event: outbound steps left out", []string{"b"}, []journeys.EventCond{own},
			map[string]journeys.Explanation{"b": {Events: []journeys.ExplainedEvent{
				withProduct(ev("b", "view", 27), "p2"), withProduct(ev("b", "view", 26), "p1"), withProduct(ev("b", "view", 25), "p2"),
				ev("b", "email_open", 15)}}}},
		{"a name selects an event without a step; the state is told", []string{"c"},
			[]journeys.EventCond{{Field: "name", Values: []string{"identify"}, From: 0, To: 1000}},
			map[string]journeys.Explanation{"c": {State: "x", Events: []journeys.ExplainedEvent{ev("c", "identify", 1)}}}},
		{"any own event never selects an event without a step", []string{"c"}, []journeys.EventCond{own},
			map[string]journeys.Explanation{"c": {State: "x"}}},
		{"two leaves: each event once, ten at most", []string{"f"}, []journeys.EventCond{steps(0, 1000, "view"), own},
			map[string]journeys.Explanation{"f": {Events: last10}}},
		{"people not held are left out", []string{"nobody", "d"}, []journeys.EventCond{own},
			map[string]journeys.Explanation{"d": {}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Explain(context.Background(), tc.people, tc.leaves)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
	// An event the sync reads as a tail (appended) is named too.
	m.Add("f", []journeys.Touch{MakeTouch("view", "view", 500, "", "")}, nil)
	if err := c.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, err := c.Explain(context.Background(), []string{"f"}, []journeys.EventCond{steps(0, 1000, "view")})
	if err != nil {
		t.Fatal(err)
	}
	if evs := got["f"].Events; len(evs) != explainEvents || evs[0] != ev("f", "view", 500) || evs[1] != last10[0] {
		t.Errorf("after a tail sync: %+v, want the new event first, then the ten before it", evs)
	}
}
