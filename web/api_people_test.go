package web

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/journeygraph/journeygraph/journeys"
)

// fakeEraser records the people erased.
type fakeEraser struct{ erased []string }

func (f *fakeEraser) DeletePeople(_ context.Context, ids []string) (int, error) {
	f.erased = append(f.erased, ids...)
	return 7, nil
}

func TestErasePerson(t *testing.T) {
	st := &fakeStore{journey: func(id string) (journeys.Person, []journeys.JourneyEvent, error) {
		switch id {
		case "u1", "anon-1": // anon-1 was merged into u1
			return journeys.Person{ID: "u1", Aliases: []string{"anon-1"}}, nil, nil
		}
		return journeys.Person{}, nil, journeys.Errorf(journeys.ENOTFOUND, "person %s not found", id)
	}}
	er := &fakeEraser{}
	srv := New(Config{WriteKeys: []string{"w"}, ReadKeys: []string{"r"}, AdminKeys: []string{"a"}}, &fakeIngester{}, st, st, WithErasure(er))
	tests := []struct {
		name, path, auth string
		status           int
		want             string
	}{
		{"needs the admin key, not the read key", "/api/v1/people/u1", "Bearer r", 403, "forbidden"},
		{"needs the admin key, not the ingest key", "/api/v1/people/u1", "Bearer w", 403, "forbidden"},
		{"unknown", "/api/v1/people/nobody", "Bearer a", 404, "not_found"},
		{"by id", "/api/v1/people/u1", "Bearer a", 200, `"events_deleted":7`},
		{"by a merged anonymous id", "/api/v1/people/anon-1", "Bearer a", 200, `"person":"u1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(srv, "DELETE", tt.path, tt.auth, "")
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("DELETE %s = %d %s, want %d with %s", tt.path, w.Code, w.Body, tt.status, tt.want)
			}
		})
	}
	if !slices.Equal(er.erased, []string{"u1", "u1"}) {
		t.Errorf("erased %v, want u1 twice", er.erased)
	}
	if w := do(newTestServer(&fakeIngester{}, st), "DELETE", "/api/v1/people/u1", "Bearer a", ""); w.Code != 404 {
		t.Errorf("without erasure: %d, want 404", w.Code)
	}
}
