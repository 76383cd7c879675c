package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/journeygraph/journeygraph/graph/graphtest"
	"github.com/journeygraph/journeygraph/journeys/propensity"
	"github.com/journeygraph/journeygraph/journeys/synth"
)

// TestPropensityCommand imports planted journeys (purchases that follow
// product views and email clicks), fits the purchase propensity out of
// time, stores it and writes p_convert on everyone, then shows the stored
// report.
func TestPropensityCommand(t *testing.T) {
	store := graphtest.Open(t)
	dir := t.TempDir()
	run := graphtest.RunID(t)
	t.Cleanup(func() { _ = store.DeleteModels(context.Background(), run) })
	cutoff := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	var b strings.Builder
	b.WriteString("uid,ts,action\n")
	for _, s := range synth.Propensity(800, 3, cutoff, 30*24*time.Hour) {
		for _, tc := range s.Touches {
			fmt.Fprintf(&b, "%s,%s,%s\n", s.Person, time.UnixMilli(tc.TS).UTC().Format(time.RFC3339Nano), tc.Step)
		}
	}
	data := writeFile(t, dir, "events.csv", b.String())
	mapping := writeFile(t, dir, "m.json", fmt.Sprintf(`{"format":"csv","header":true,"person":"uid","time":"ts","name":"action","person_prefix":%q}`, run))
	if _, err := runCmd(t, append([]string{"import", "--mapping", mapping, "--state-dir", dir, "--rejects", filepath.Join(dir, "r.csv")},
		append(neo4jArgs(graphtest.Config()), data)...)...); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"propensity", "fit", "--cutoff", "2024-03-01", "--horizon", "30d", "--person-prefix", run}, neo4jArgs(graphtest.Config())...)
	out, err := runCmd(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(out)
	for _, want := range []string{"P(convert within 30d): step purchase", "train at 2024-03-01 00:00: 800 people", "test at 2024-03-31 00:00: 800 people",
		"decile", "step_product_view_30d", "stored as propensity_convert model version 1", "wrote p_convert on 800 people"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if !regexp.MustCompile(`winner +model`).MatchString(out) {
		t.Errorf("output lacks the model as winner")
	}
	pm, err := store.PersonModel(context.Background(), run+"p00000")
	if err != nil || pm.PConvert == nil || *pm.PConvert <= 0 || *pm.PConvert >= 1 {
		t.Errorf("p00000: %+v, %v; want a p_convert in (0, 1)", pm, err)
	}
	out, err = runCmd(t, append([]string{"propensity", "show", "--json", "--person-prefix", run}, neo4jArgs(graphtest.Config())...)...)
	if err != nil {
		t.Fatal(err)
	}
	var rep propensity.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Version != 1 || rep.Written != 800 || rep.Chain == nil || rep.Model.AUC <= rep.Chain.AUC {
		t.Errorf("stored report: version %d, written %d, model AUC %g, chain %+v", rep.Version, rep.Written, rep.Model.AUC, rep.Chain)
	}
	if _, err := runCmd(t, "propensity", "fit", "--target", "churn"); err == nil || !strings.Contains(err.Error(), "target") {
		t.Errorf("--target churn: %v, want an error naming target", err)
	}
	if _, err := runCmd(t, "propensity", "fit", "--horizon", "soon"); err == nil || !strings.Contains(err.Error(), "--horizon") {
		t.Errorf("--horizon soon: %v, want an error naming --horizon", err)
	}
}
