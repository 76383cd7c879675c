package graph_test

import (
	"context"
	"testing"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys"
)

// TestFinishOtherModelKeepsHMMOutputs: finishing a model of another kind
// (clusters) of the same scope leaves the people's hidden-state outputs,
// which only hidden-state models write and clear.
func TestFinishOtherModelKeepsHMMOutputs(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	run := graphtest.RunID(t)
	t.Cleanup(func() { _ = s.DeleteModels(context.Background(), run) })
	a := run + "a"
	write(t, s, ev(a, "product_view", 0))
	hmm := journeys.ModelRecord{Kind: journeys.ModelKindHMM, Scope: run, States: []journeys.StateRecord{{Index: 0, Label: "s1"}}}
	v, err := s.CreateModel(ctx, hmm)
	if err != nil {
		t.Fatal(err)
	}
	hmm.Version = v
	state := "s1"
	if err := s.WritePersonModels(ctx, hmm, t0, []journeys.PersonModel{{Person: a, State: &state}}); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishModel(ctx, journeys.ModelKindHMM, run, v, []int{1}); err != nil {
		t.Fatal(err)
	}
	cl := journeys.ModelRecord{Kind: journeys.ModelKindClusters, Scope: run, States: []journeys.StateRecord{{Index: 0, Label: "buyers"}}}
	for range 2 { // version 2: not the people's model_version
		if v, err = s.CreateModel(ctx, cl); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.FinishModel(ctx, journeys.ModelKindClusters, run, v, []int{1}); err != nil {
		t.Fatal(err)
	}
	pm, err := s.PersonModel(ctx, a)
	if err != nil || pm.State == nil || *pm.State != "s1" {
		t.Errorf("person model after a clusters model: %+v, %v; want state s1 kept", pm, err)
	}
	if m, err := s.CurrentModel(ctx, journeys.ModelKindClusters, run); err != nil || m.Version != 2 || len(m.States) != 1 || m.States[0].Size != 1 {
		t.Errorf("current clusters model: %+v, %v; want version 2 with one state of size 1", m, err)
	}
	if m, err := s.CurrentModel(ctx, journeys.ModelKindHMM, run); err != nil || m.Version != 1 {
		t.Errorf("current hmm model: %+v, %v; want version 1", m, err)
	}
}
