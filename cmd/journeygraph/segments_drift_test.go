package main

import (
	"context"
	"testing"
	"time"

	logtest "github.com/sirupsen/logrus/hooks/test"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/drift"
	"github.com/journeygraph/journeygraph/journeys/profile"
	"github.com/journeygraph/journeygraph/journeys/segment"
)

// noSegments is a segment store holding no segment: a refresh of every
// segment does nothing.
type noSegments struct{ journeys.SegmentStore }

func (noSegments) Segments(context.Context) ([]journeys.Segment, error) { return nil, nil }

// driftFakes is a drift monitor's store: one segment "s" whose two
// members entered a year ago, and the checks recorded, alerting on "psi".
type driftFakes struct{ recorded []time.Time }

func (f *driftFakes) Segment(_ context.Context, name string) (journeys.Segment, error) {
	return journeys.Segment{Name: name}, nil
}
func (f *driftFakes) Segments(context.Context) ([]journeys.Segment, error) {
	return []journeys.Segment{{Name: "s"}}, nil
}
func (f *driftFakes) History(context.Context, string, journeys.HistoryQuery) ([]journeys.HistoryEntry, error) {
	at := time.Now().AddDate(-1, 0, 0)
	return []journeys.HistoryEntry{{Person: "a", Kind: journeys.KindEntered, At: at}, {Person: "b", Kind: journeys.KindEntered, At: at}}, nil
}
func (f *driftFakes) VectorsAt(_ context.Context, q profile.DatesQuery) ([]*profile.Vectors, error) {
	out := make([]*profile.Vectors, len(q.Dates))
	for i, d := range q.Dates {
		out[i] = &profile.Vectors{AsOf: d, Features: profile.FixedFeatures()}
	}
	return out, nil
}
func (f *driftFakes) DriftStates(context.Context) (map[string]journeys.DriftState, error) {
	return map[string]journeys.DriftState{}, nil
}
func (f *driftFakes) RecordDrift(_ context.Context, _ journeys.Segment, day time.Time, _ journeys.DriftFigures) ([]string, error) {
	f.recorded = append(f.recorded, day)
	return []string{journeys.DriftPSI}, nil
}

// TestRefreshEveryChecksDrift: the scheduled refresh runs the daily drift
// check after it, and logs the segments that drifted.
func TestRefreshEveryChecksDrift(t *testing.T) {
	f := &driftFakes{}
	log, hook := logtest.NewNullLogger()
	refreshEvery(context.Background(), &segment.Segmenter{Store: noSegments{}}, &drift.Monitor{Segments: f, Vectors: f, Alerts: f}, 0, log)
	if len(f.recorded) != 1 {
		t.Fatalf("%d drift checks recorded, want 1", len(f.recorded))
	}
	var drifted int
	for _, e := range hook.AllEntries() {
		if e.Message == "segment drifted" && e.Data["segment"] == "s" && e.Data["size"] == 2 {
			drifted++
		}
	}
	if drifted != 1 {
		t.Errorf("%d 'segment drifted' log entries for s with its size, want 1: %v", drifted, hook.AllEntries())
	}
}
