package graph_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
)

func TestStepRulesAreVersioned(t *testing.T) {
	s := graphtest.Open(t)
	rs := s.StepRules(graphtest.RunID(t))
	ctx := context.Background()
	if got, err := rs.LoadStepRules(ctx); err != nil || got.Version != 0 {
		t.Fatalf("load before any save: %+v, %v; want version 0", got, err)
	}
	v1 := journeys.SavedStepRules{StepRules: journeys.DefaultStepRules(), Version: 1, UpdatedAt: time.UnixMilli(1000).UTC()}
	v2 := journeys.SavedStepRules{StepRules: journeys.StepRules{Rules: []journeys.StepRule{{Label: "product", URL: "re:^/p/\\d+$"}},
		CollapseRepeats: true}, Version: 2, UpdatedAt: time.UnixMilli(2000).UTC()}
	// The outbound steps round-trip, an empty list ("none") as well as a
	// missing one (v2: "the defaults").
	v3 := journeys.SavedStepRules{StepRules: journeys.StepRules{Rules: v2.Rules, Outbound: []string{}}, Version: 3, UpdatedAt: time.UnixMilli(3000).UTC()}
	v4 := journeys.SavedStepRules{StepRules: journeys.StepRules{Outbound: []string{"push_sent", "email_sent"}}, Version: 4, UpdatedAt: time.UnixMilli(4000).UTC()}
	steps := []struct {
		name string
		save journeys.SavedStepRules
		code string // "" for success
		want journeys.SavedStepRules
	}{
		{"first version", v1, "", v1},
		{"same version again", v1, journeys.ECONFLICT, v1},
		{"skipping a version", journeys.SavedStepRules{StepRules: v2.StepRules, Version: 3}, journeys.ECONFLICT, v1},
		{"next version", v2, "", v2},
		{"no outbound step", v3, "", v3},
		{"outbound steps", v4, "", v4},
	}
	for _, st := range steps {
		err := rs.SaveStepRules(ctx, st.save)
		if journeys.ErrorCode(err) != st.code && !(st.code == "" && err == nil) {
			t.Errorf("%s: save: %v, want code %q", st.name, err, st.code)
		}
		got, err := rs.LoadStepRules(ctx)
		if err != nil || !reflect.DeepEqual(got, st.want) {
			t.Errorf("%s: load: %+v, %v; want %+v", st.name, got, err, st.want)
		}
	}
}
