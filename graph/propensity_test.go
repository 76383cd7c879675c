package graph_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/graph/inmem"
	"github.com/journeygraph/journeygraph/journeys"
)

// TestWritePropensities: a supervised model's scores land on people as
// p_convert (p_unsubscribe left alone) and the propensity block sees them,
// in Cypher and from memory after the cache loaded; an unknown target is
// refused.
func TestWritePropensities(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	run := graphtest.RunID(t)
	a, b := run+"a", run+"b"
	write(t, s, ev(a, "product_view", 0), ev(b, "product_view", 0))
	c := &inmem.Cache{Source: s, Prefix: run}
	if err := c.Load(ctx); err != nil {
		t.Fatal(err)
	}
	unsub := 0.4
	if err := s.SetPersonScores(ctx, []journeys.PersonScores{{Person: a, PUnsubscribe: &unsub}}); err != nil {
		t.Fatal(err)
	}
	if err := s.WritePropensities(ctx, "convert", 7, []journeys.PersonPropensity{{Person: a, P: 0.82}, {Person: b, P: 0.1}, {Person: run + "nobody", P: 1}}); err != nil {
		t.Fatal(err)
	}
	pm, err := s.PersonModel(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if pm.PConvert == nil || *pm.PConvert != 0.82 || pm.PUnsubscribe == nil || *pm.PUnsubscribe != 0.4 {
		t.Errorf("person a: p_convert %v, p_unsubscribe %v; want 0.82, 0.4", deref(pm.PConvert), deref(pm.PUnsubscribe))
	}
	seg, err := journeys.ParseSegment([]byte(`{"name": "m", "where": {"propensity": "convert", "at_least": 0.8}}`))
	if err != nil {
		t.Fatal(err)
	}
	pred := seg.Compile(t0.Add(time.Hour), nil)
	scope := journeys.SegmentScope{Prefix: run}
	if got, err := s.EvaluateSegment(ctx, pred, scope); err != nil || !slices.Equal(got, []string{a}) {
		t.Errorf("Cypher: members %v, %v; want [%s]", got, err, a)
	}
	if got, err := c.EvaluateSegment(ctx, pred, scope); err != nil || !slices.Equal(got, []string{a}) {
		t.Errorf("from memory: members %v, %v; want [%s]", got, err, a)
	}
	if err := s.WritePropensities(ctx, "churn", 1, nil); journeys.ErrorCode(err) != journeys.EINVALID {
		t.Errorf("target churn: %v, want EINVALID", err)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestChainFitKeepsSupervisedPropensity: a hidden-state fit writes its
// chain-state propensities on people, except where a supervised model
// wrote that propensity (it won against the chain out of time), and the
// clearing after a newer fit leaves the supervised one too.
func TestChainFitKeepsSupervisedPropensity(t *testing.T) {
	s := graphtest.Open(t)
	ctx := context.Background()
	run := graphtest.RunID(t)
	t.Cleanup(func() { _ = s.DeleteModels(context.Background(), run) })
	a, b := run+"a", run+"b"
	write(t, s, ev(a, "product_view", 0), ev(b, "product_view", 0))
	if err := s.WritePropensities(ctx, "convert", 7, []journeys.PersonPropensity{{Person: a, P: 0.82}}); err != nil {
		t.Fatal(err)
	}
	hmm := journeys.ModelRecord{Kind: journeys.ModelKindHMM, Scope: run, States: []journeys.StateRecord{{Index: 0, Label: "s1"}}}
	fit := func(rows []journeys.PersonModel) {
		t.Helper()
		v, err := s.CreateModel(ctx, hmm)
		if err != nil {
			t.Fatal(err)
		}
		m := hmm
		m.Version = v
		if err := s.WritePersonModels(ctx, m, t0, rows); err != nil {
			t.Fatal(err)
		}
		if err := s.FinishModel(ctx, journeys.ModelKindHMM, run, v, []int{len(rows)}); err != nil {
			t.Fatal(err)
		}
	}
	chainConvert, chainUnsub, chainB := 0.3, 0.2, 0.5
	fit([]journeys.PersonModel{{Person: a, PConvert: &chainConvert, PUnsubscribe: &chainUnsub}, {Person: b, PConvert: &chainB}})
	check := func(when, person string, convert, unsub any) {
		t.Helper()
		pm, err := s.PersonModel(ctx, person)
		if err != nil {
			t.Fatal(err)
		}
		if deref(pm.PConvert) != convert || deref(pm.PUnsubscribe) != unsub {
			t.Errorf("%s, %s: p_convert %v, p_unsubscribe %v; want %v, %v", when, person,
				deref(pm.PConvert), deref(pm.PUnsubscribe), convert, unsub)
		}
	}
	check("after the fit", a, 0.82, 0.2)
	check("after the fit", b, 0.5, nil)
	fit(nil) // a newer fit without them: their chain-state values are cleared
	check("after a newer fit", a, 0.82, nil)
	check("after a newer fit", b, nil, nil)
}
