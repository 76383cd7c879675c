package journeys_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
)

func TestStateChanged(t *testing.T) {
	s := func(v string) *string { return &v }
	tests := []struct {
		name       string
		prev, next *string
		want       bool
	}{
		{"same", s("engaged"), s("engaged"), false},
		{"different", s("engaged"), s("dormant"), true},
		{"no previous state", nil, s("engaged"), false},
		{"no state now", s("engaged"), nil, false},
		{"neither", nil, nil, false},
		{"case matters", s("Engaged"), s("engaged"), true},
	}
	for _, tt := range tests {
		if got := journeys.StateChanged(tt.prev, tt.next); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestStateChanges(t *testing.T) {
	s := func(v string) *string { return &v }
	p := 0.8
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	m := journeys.ModelRecord{Kind: journeys.ModelKindHMM, Scope: "t_", Version: 3}
	rows := []journeys.PersonModel{
		{Person: "t_a", State: s("dormant"), StateP: &p}, // changed
		{Person: "t_b", State: s("engaged")},             // unchanged
		{Person: "t_c", State: s("engaged")},             // no previous state
		{Person: "t_d"},                                  // no state now
	}
	prev := map[string]string{"t_a": "engaged", "t_b": "engaged", "t_d": "engaged"}
	if got := journeys.StateChanges(m, 0, prev, at, rows); got != nil {
		t.Errorf("no previous model: %v", got)
	}
	got := journeys.StateChanges(m, 2, prev, at, rows)
	if len(got) != 1 || got[0].Person != "t_a" {
		t.Fatalf("changes = %+v", got)
	}
	var ev journeys.StateChangedEvent
	if err := json.Unmarshal(got[0].Payload, &ev); err != nil {
		t.Fatal(err)
	}
	want := journeys.StateChangedEvent{ID: got[0].ID, Type: journeys.EventTypeStateChanged, Person: "t_a",
		PreviousState: "engaged", State: "dormant", StateP: 0.8, Scope: "t_", ModelVersion: 3,
		PreviousModelVersion: 2, DecodedAt: at.UTC()}
	if ev != want {
		t.Errorf("event = %+v\nwant    %+v", ev, want)
	}
	again := journeys.StateChanges(m, 2, prev, at.Add(time.Hour), rows)
	m.Version = 4
	other := journeys.StateChanges(m, 2, prev, at, rows)
	if again[0].ID != got[0].ID || other[0].ID == got[0].ID {
		t.Errorf("ids: %s, again %s, version 4 %s", got[0].ID, again[0].ID, other[0].ID)
	}
}

func TestWebhookValidateStateChanged(t *testing.T) {
	w := journeys.Webhook{URL: "https://hooks.example/x", Segment: "*", Events: []string{journeys.KindStateChanged}}
	if err := w.Validate(); err != nil {
		t.Errorf("state_changed on *: %v", err)
	}
	w = journeys.Webhook{URL: "https://hooks.example/x", Segment: "cart_abandoners", Events: []string{journeys.KindEntered, journeys.KindStateChanged}}
	err := w.Validate()
	if journeys.ErrorCode(err) != journeys.EINVALID {
		t.Fatalf("state_changed on a segment: %v", err)
	}
	if want := `webhook: events[1]: "state_changed" belongs to no segment: subscribe with segment "*"`; journeys.ErrorMessage(err) != want && err.Error() != want {
		t.Errorf("message %q", err.Error())
	}
}
