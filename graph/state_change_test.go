package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/chain"
	"github.com/journeygraph/journeygraph/journeys/webhook"
)

// TestStateChangedWebhooks fits a model twice on a scoped dataset with a
// state_changed webhook on a loopback receiver. The first fit (no previous
// model) queues nothing; before the second, two people's stored states are
// set to a label no model produces, so the second decode changes exactly
// them (and whoever else the refit moves): the receiver gets one signed
// delivery per changed person, with the payload saying why.
func TestStateChangedWebhooks(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	prefix := graphtest.RunID(t)
	var events []journeys.Event
	journeysOf := [][]string{
		{"view", "view", "add_to_cart", "purchase"},
		{"view", "add_to_cart"},
		{"view", "view", "view"},
		{"email_open", "email_click", "view"},
		{"email_open", "email_open"},
		{"view", "add_to_cart", "add_to_cart", "purchase", "view"},
		{"email_open", "view", "add_to_cart"},
		{"view"},
	}
	var people []string
	for i, names := range journeysOf {
		p := fmt.Sprintf("%sp%d", prefix, i)
		people = append(people, p)
		for j, n := range names {
			events = append(events, ev(p, n, i*100+j*5))
		}
	}
	write(t, s, events...)

	var mu sync.Mutex
	var secret string
	got := map[string]journeys.StateChangedEvent{} // person → event, for this run's people
	keys := map[string]int{}
	bad := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if webhook.VerifySignature(secret, r.Header.Get(webhook.HeaderSignature), r.Header.Get(webhook.HeaderTimestamp), body, time.Now(), 0) != nil ||
			r.Header.Get(webhook.HeaderEventType) != journeys.EventTypeStateChanged {
			bad++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var b struct {
			DeliveryID string                     `json:"delivery_id"`
			Event      journeys.StateChangedEvent `json:"event"`
		}
		if err := json.Unmarshal(body, &b); err != nil || b.DeliveryID != r.Header.Get(webhook.HeaderIdempotency) {
			bad++
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		keys[b.DeliveryID]++
		if strings.HasPrefix(b.Event.Person, prefix) { // other runs' fits may reach this "*" webhook too
			got[b.Event.Person] = b.Event
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()

	hook := journeys.Webhook{ID: prefix + "hook", URL: srv.URL + "/hook", Segment: "*", Events: []string{journeys.KindStateChanged}}
	if err := hook.Validate(); err != nil {
		t.Fatal(err)
	}
	hook, err := s.CreateWebhook(ctx, hook)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	secret = hook.Secret
	mu.Unlock()
	t.Cleanup(func() {
		ctx := context.Background()
		_ = s.DeleteWebhook(ctx, hook.ID)
		_ = s.DeleteModels(ctx, prefix)
	})

	hs := &chain.HiddenStates{Touches: s, Models: s, People: s, BatchSize: 3}
	q := journeys.ModelQuery{Filter: journeys.Filter{PersonPrefix: prefix}, States: 2, Seed: 3, MaxIter: 20}
	v1, err := hs.Fit(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	mine := func() []journeys.Delivery {
		ds, err := s.Deliveries(ctx, hook.ID, 1000)
		if err != nil {
			t.Fatal(err)
		}
		var out []journeys.Delivery
		for _, d := range ds {
			if strings.HasPrefix(d.Person, prefix) {
				out = append(out, d)
			}
		}
		return out
	}
	if ds := mine(); len(ds) != 0 {
		t.Fatalf("the first fit of a scope queued %d deliveries", len(ds))
	}

	// Two people get a stored state no model produces.
	before := map[string]journeys.PersonModel{}
	for _, p := range people {
		pm, err := s.PersonModel(ctx, p)
		if err != nil || pm.State == nil || *pm.Version != v1.Version {
			t.Fatalf("%s after fit 1: %+v %v", p, pm, err)
		}
		before[p] = pm
	}
	tampered := "tampered"
	for _, p := range people[1:3] {
		if err := s.SetPersonScores(ctx, []journeys.PersonScores{{Person: p, State: &tampered}}); err != nil {
			t.Fatal(err)
		}
		pm := before[p]
		pm.State = &tampered
		before[p] = pm
	}

	start := time.Now()
	v2, err := hs.Fit(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]journeys.PersonModel{}
	for _, p := range people {
		pm, err := s.PersonModel(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if journeys.StateChanged(before[p].State, pm.State) {
			want[p] = pm
		}
	}
	for _, p := range people[1:3] {
		if _, ok := want[p]; !ok {
			t.Fatalf("%s: no change expected from %q", p, tampered)
		}
	}
	t.Logf("%d of %d people changed state", len(want), len(people))
	if ds := mine(); len(ds) != len(want) {
		t.Fatalf("queued %d deliveries, want %d", len(ds), len(want))
	}

	dctx, cancel := context.WithCancel(ctx)
	d := &webhook.Dispatcher{Store: s, Allow: loopback, Prefix: hook.ID, Poll: 20 * time.Millisecond}
	done := make(chan struct{})
	go func() { d.Run(dctx); close(done) }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n >= len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // room for a duplicate to show up
	cancel()
	<-done

	mu.Lock()
	defer mu.Unlock()
	if bad != 0 {
		t.Errorf("%d requests with a bad signature, event type or body", bad)
	}
	for k, n := range keys {
		if n != 1 {
			t.Errorf("delivery %s received %d times", k, n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("received changes for %d people, want %d: %v", len(got), len(want), got)
	}
	for p, pm := range want {
		ev, ok := got[p]
		if !ok {
			t.Errorf("%s: no delivery", p)
			continue
		}
		w := journeys.StateChangedEvent{ID: ev.ID, Type: journeys.EventTypeStateChanged, Person: p,
			PreviousState: *before[p].State, State: *pm.State, StateP: *pm.StateP, Scope: prefix,
			ModelVersion: v2.Version, PreviousModelVersion: v1.Version, DecodedAt: ev.DecodedAt}
		if ev != w {
			t.Errorf("%s: event %+v\nwant %+v", p, ev, w)
		}
		if ev.DecodedAt.Before(start.Add(-time.Second)) || ev.DecodedAt.After(time.Now()) {
			t.Errorf("%s: decoded_at %v not during the second fit", p, ev.DecodedAt)
		}
	}
	for _, dl := range mine() {
		if dl.Status != journeys.DeliveryDelivered || dl.Kind != journeys.KindStateChanged || dl.Segment != "" {
			t.Errorf("delivery log: %+v", dl)
		}
	}
}
