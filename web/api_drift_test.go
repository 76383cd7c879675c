package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/journeys"
	"github.com/journeygraph/journeygraph/journeys/drift"
)

// fakeDrift reports the drift of segment "cart" (three days, the last
// above the PSI threshold); other names are not found.
type fakeDrift struct{ got *drift.Query }

func (f fakeDrift) Report(_ context.Context, q drift.Query) (drift.Report, error) {
	if f.got != nil {
		*f.got = q
	}
	if q.Segment != "cart" {
		return drift.Report{}, journeys.Errorf(journeys.ENOTFOUND, "segment %q not found", q.Segment)
	}
	at := time.Date(2026, 3, 3, 6, 0, 0, 0, time.UTC)
	num := func(v float64) *float64 { return &v }
	rep := drift.Report{Segment: "cart", Thresholds: (*journeys.Drift)(nil).Thresholds(), At: at, Crossed: []string{"psi"},
		Features: []drift.FeaturePSI{{Feature: "events_30d", PSI: 0.41}, {Feature: "recency_days", PSI: 0.02}}}
	for i, v := range []struct {
		size, ref int
		psi       *float64
	}{{100, 0, nil}, {110, 100, num(0.05)}, {120, 100, num(0.41)}} {
		f := journeys.DriftFigures{At: at.AddDate(0, 0, i-2), Reference: at.AddDate(0, 0, i-32), Size: v.size, ReferenceSize: v.ref, PSI: v.psi}
		if v.ref > 0 {
			f.SizeChange = num(float64(v.size-v.ref) / float64(v.ref))
		}
		if v.psi != nil {
			f.Feature = "events_30d"
		}
		rep.Series = append(rep.Series, f)
	}
	return rep, nil
}

func TestSegmentDriftRoute(t *testing.T) {
	f := &fakeSegments{segs: map[string]journeys.Segment{"cart": {Name: "cart"}}}
	var got drift.Query
	s := New(Config{ReadKeys: []string{"r"}, AdminKeys: []string{"a"}}, &fakeIngester{}, &fakeStore{}, &fakeStore{},
		WithSegments(f, f), WithDrift(fakeDrift{got: &got}))
	tests := []struct {
		name, path string
		status     int
		contains   []string
		want       drift.Query
	}{
		{"defaults", "/api/v1/segments/cart/drift", http.StatusOK, []string{`"segment":"cart"`,
			`"thresholds":{"size_change":0.25,"psi":0.2,"reference":"30d"}`, `"crossed":["psi"]`,
			`"size":120,"reference_size":100,"size_change":0.2,"psi":0.41,"feature":"events_30d"`,
			`"size":100,"reference_size":0,"size_change":null,"psi":null`}, drift.Query{Segment: "cart", Days: 30}},
		{"days and at", "/api/v1/segments/cart/drift?days=7&at=2026-03-01T00:00:00Z", http.StatusOK, []string{`"series":[`},
			drift.Query{Segment: "cart", Days: 7, At: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}},
		{"bad days", "/api/v1/segments/cart/drift?days=0", http.StatusBadRequest, []string{`days: \"0\" is not a whole number from 1 to 365`}, drift.Query{}},
		{"too many days", "/api/v1/segments/cart/drift?days=366", http.StatusBadRequest, []string{`days: \"366\" is not a whole number from 1 to 365`}, drift.Query{}},
		{"bad at", "/api/v1/segments/cart/drift?at=soon", http.StatusBadRequest, []string{`at:`}, drift.Query{}},
		{"unknown segment", "/api/v1/segments/nope/drift", http.StatusNotFound, []string{"not_found"}, drift.Query{Segment: "nope", Days: 30}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got = drift.Query{}
			w := do(s, "GET", tt.path, "Bearer r", "")
			for _, want := range tt.contains {
				if w.Code != tt.status || !strings.Contains(w.Body.String(), want) {
					t.Errorf("got %d %s, want %d containing %s", w.Code, w.Body.String(), tt.status, want)
				}
			}
			if got.Segment != tt.want.Segment || got.Days != tt.want.Days || !got.At.Equal(tt.want.At) {
				t.Errorf("asked %+v, want %+v", got, tt.want)
			}
		})
	}
}
