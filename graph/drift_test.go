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
	"github.com/journeygraph/journeygraph/journeys/drift"
	"github.com/journeygraph/journeygraph/journeys/profile"
	"github.com/journeygraph/journeygraph/journeys/segment"
	"github.com/journeygraph/journeygraph/journeys/webhook"
)

// eventReceiver keeps the events a loopback webhook receiver accepted
// (signature checked), with their event-type header.
type eventReceiver struct {
	mu     sync.Mutex
	secret string
	types  []string
	bodies [][]byte
	bad    int
}

func (rc *eventReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	err := webhook.VerifySignature(rc.secret, r.Header.Get(webhook.HeaderSignature), r.Header.Get(webhook.HeaderTimestamp), body, time.Now(), 0)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err != nil {
		rc.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	rc.types = append(rc.types, r.Header.Get(webhook.HeaderEventType))
	rc.bodies = append(rc.bodies, body)
	w.WriteHeader(http.StatusOK)
}

// TestDriftPlantedShiftAlertsOnce: a segment holds 30 quiet people (a page
// view every 10 days) for 35 days, then, in one refresh, 30 busy ones (two
// events every 2 days) replace them: the size stays 30, the composition
// shifts. The daily check (reference 30 days back) finds a PSI of 0 while
// the members are the quiet ones, queues exactly one segment.drifted
// delivery on the day of the shift, none on the days after while the PSI
// stays above the threshold, and a day checked twice is checked once; the
// receiver gets that one signed event with the figures.
func TestDriftPlantedShiftAlertsOnce(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	prefix := graphtest.RunID(t)
	const n, shiftDay, lastDay = 30, 35, 40
	start := t0.Truncate(24 * time.Hour)
	day := func(d int) time.Time { return start.AddDate(0, 0, d).Add(time.Hour) } // the check's time on day d
	var quiet, busy []string
	var events []journeys.Event
	for i := range n {
		q, b := fmt.Sprintf("%sq%02d", prefix, i), fmt.Sprintf("%sb%02d", prefix, i)
		quiet, busy = append(quiet, q), append(busy, b)
		// Periods of 10 and 2 days divide the 30-day reference: a group's
		// features are the same at a day and 30 days before it.
		for d := -150 + i%10; d <= lastDay+1; d += 10 {
			events = append(events, evAt(q, "page_view", start.AddDate(0, 0, d)))
		}
		for d := -150 + i%2; d <= lastDay+1; d += 2 {
			events = append(events, evAt(b, "product_view", start.AddDate(0, 0, d)),
				evAt(b, "add_to_cart", start.AddDate(0, 0, d).Add(time.Minute)))
		}
	}
	write(t, s, events...)

	rc := &eventReceiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	name := prefix + "s"
	hook, err := s.CreateWebhook(ctx, journeys.Webhook{ID: prefix + "hook", URL: srv.URL + "/hook", Segment: name,
		Events: []string{journeys.KindDrifted}})
	if err != nil {
		t.Fatal(err)
	}
	rc.secret = hook.Secret
	t.Cleanup(func() {
		_ = s.DeleteWebhook(context.Background(), hook.ID)
		_ = s.DeleteSegment(context.Background(), name)
	})
	define := func(people []string, at time.Time) {
		t.Helper()
		ids, _ := json.Marshal(people)
		seg, err := journeys.ParseSegment([]byte(`{"name": "` + name + `", "drift": {"psi": 0.2, "size_change": 0.5},
			"where": {"people": ` + string(ids) + `}}`))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveSegment(ctx, seg, at); err != nil {
			t.Fatal(err)
		}
		sg := &segment.Segmenter{Store: s, Now: func() time.Time { return at }}
		if res, err := sg.Refresh(ctx, []string{name}, journeys.SegmentScope{Prefix: prefix}, "test", at); err != nil || res[0].Members != n {
			t.Fatalf("refresh: %+v %v, want %d members", res, err, n)
		}
	}
	define(quiet, day(0))

	var clock time.Time
	m := &drift.Monitor{Segments: s, Vectors: &profile.Profiler{Touches: s}, Alerts: s, PersonPrefix: prefix,
		Now: func() time.Time { return clock }}
	queued := func() int {
		ds, err := s.Deliveries(ctx, hook.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(ds)
	}
	for d := 1; d <= lastDay; d++ {
		if d == shiftDay {
			define(busy, day(d).Add(-30*time.Minute))
		}
		clock = day(d)
		checked, err := m.Check(ctx, []string{name})
		if err != nil || len(checked) != 1 {
			t.Fatalf("day %d: check %+v %v, want one segment checked", d, checked, err)
		}
		f := checked[0].Figures
		switch {
		case d < 30: // the reference is before the segment: nothing to compare
			if f.PSI != nil || f.SizeChange != nil || f.ReferenceSize != 0 {
				t.Errorf("day %d: figures %+v, want none", d, f)
			}
		case d < shiftDay:
			if f.PSI == nil || *f.PSI != 0 || f.SizeChange == nil || *f.SizeChange != 0 {
				t.Errorf("day %d: figures %+v, want psi 0 and size change 0", d, f)
			}
		default:
			if f.PSI == nil || *f.PSI <= 0.2 || f.SizeChange == nil || *f.SizeChange != 0 || f.Size != n {
				t.Errorf("day %d: figures %+v, want psi above 0.2 and size change 0", d, f)
			}
		}
		wantAlert, wantQueued := 0, 0
		if d >= shiftDay {
			wantQueued = 1
		}
		if d == shiftDay {
			wantAlert = 1
		}
		if len(checked[0].Alerted) != wantAlert || queued() != wantQueued {
			t.Fatalf("day %d: alerted %v, %d queued; want %d alert(s), %d queued", d, checked[0].Alerted, queued(), wantAlert, wantQueued)
		}
		if d == shiftDay { // checked again the same day: nothing to do
			if again, err := m.Check(ctx, []string{name}); err != nil || len(again) != 0 {
				t.Fatalf("day %d again: %+v %v, want nothing checked", d, again, err)
			}
		}
	}

	dctx, stop := context.WithCancel(ctx)
	d := &webhook.Dispatcher{Store: s, Allow: loopback, Prefix: hook.ID, Poll: 50 * time.Millisecond}
	done := make(chan struct{})
	go func() { d.Run(dctx); close(done) }()
	waitStatuses(t, s, hook.ID, func(m map[string]int) bool { return m[journeys.DeliveryDelivered] == 1 })
	stop()
	<-done
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.bodies) != 1 || rc.bad != 0 || rc.types[0] != journeys.EventTypeDrifted {
		t.Fatalf("receiver got %d events %v (bad %d), want one %s", len(rc.bodies), rc.types, rc.bad, journeys.EventTypeDrifted)
	}
	var body struct {
		Event journeys.DriftedEvent `json:"event"`
	}
	if err := json.Unmarshal(rc.bodies[0], &body); err != nil {
		t.Fatal(err)
	}
	ev := body.Event
	if ev.Segment != name || ev.Type != journeys.EventTypeDrifted || strings.Join(ev.Crossed, ",") != journeys.DriftPSI ||
		ev.PSI == nil || *ev.PSI <= 0.2 || ev.Size != n || ev.ReferenceSize != n || !ev.At.Equal(day(shiftDay)) ||
		!ev.Reference.Equal(day(shiftDay-30)) || ev.Thresholds.PSI != 0.2 || ev.Feature == "" {
		t.Errorf("event %s, want the psi crossing of day %d with its figures", rc.bodies[0], shiftDay)
	}
}

// evAt is a track event of step at t.
func evAt(person, step string, t time.Time) journeys.Event {
	return journeys.Event{ID: journeys.EventID(person, step, t, nil), Type: journeys.TypeTrack, Person: person, Name: step, Step: step, Time: t}
}
