package markov

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Tests against ChannelAttribution's outputs, committed under
// testdata/attribution by scripts/peers/attribution.py: they run without
// Python.

var updateGolden = flag.Bool("update", false, "rewrite markov/testdata/attribution golden files written by Go")

const attrGoldenDir = "testdata/attribution"

// attrReadCSV reads a golden CSV into rows keyed by its first column.
func attrReadCSV(tb testing.TB, name string) map[string]map[string]float64 {
	tb.Helper()
	f, err := os.Open(filepath.Join(attrGoldenDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	rows := make(map[string]map[string]float64)
	for _, rec := range recs[1:] {
		row := make(map[string]float64)
		for k, h := range recs[0][1:] {
			v, err := strconv.ParseFloat(rec[k+1], 64)
			if err != nil {
				tb.Fatalf("%s: %v", name, err)
			}
			row[h] = v
		}
		rows[rec[0]] = row
	}
	return rows
}

func attrDataAttribution(tb testing.TB) *Attribution {
	tb.Helper()
	res, err := Attribute(NewPathReader(bytes.NewReader(attrData(tb))), Options{}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// TestAttributionMatchesChannelAttribution compares the exact removal
// effects and attributions with ChannelAttribution 2.2.5's simulated ones
// (scripts/peers/attribution.py). The simulation noise sd of each number
// was measured over 30 seeds at the default 1e5 simulations; its noise
// scales as 1/√simulations. Tolerance: 4 sd of the compared run (4 sd/√30
// for the mean of the 30 seeds, 4 sd/10 for the 1e7-simulation run) plus a
// floor of 1e-4 (of the total, for attributions) for the rarest channels.
func TestAttributionMatchesChannelAttribution(t *testing.T) {
	res := attrDataAttribution(t)
	seeds := attrReadCSV(t, "markov_seeds.csv")
	runs := []struct {
		file  string
		scale float64 // sd of this run / sd of one default run
	}{
		{"markov_default.csv", 1},
		{"markov_1e7.csv", 0.1},
		{"seeds mean", 1 / math.Sqrt(30)},
	}
	if len(res.Credits) != len(seeds) {
		t.Fatalf("got %d channels, want %d", len(res.Credits), len(seeds))
	}
	for _, run := range runs {
		var golden map[string]map[string]float64
		if run.file != "seeds mean" {
			golden = attrReadCSV(t, run.file)
		}
		for _, cr := range res.Credits {
			sd := seeds[cr.Label]
			if sd == nil {
				t.Fatalf("channel %q not in golden files", cr.Label)
			}
			checks := []struct {
				col   string
				got   float64
				floor float64
			}{
				{"removal_effects_conversion", cr.RemovalEffect, 1e-4},
				{"removal_effects_conversion_value", cr.ValueRemovalEffect, 1e-4},
				{"total_conversions", cr.Markov.Conversions, 1e-4 * res.Conversions},
				{"total_conversion_value", cr.Markov.Value, 1e-4 * res.Value},
			}
			for _, ck := range checks {
				want := sd[ck.col+"_mean"]
				if golden != nil {
					want = golden[cr.Label][ck.col]
				}
				tol := 4*sd[ck.col+"_sd"]*run.scale + ck.floor
				if d := ck.got - want; math.Abs(d) > tol {
					t.Errorf("%s %s %s: got %.6g, want %.6g ± %.3g", run.file, cr.Label, ck.col, ck.got, want, tol)
				} else if testing.Verbose() {
					t.Logf("%-18s %-8s %-33s got %12.6f want %12.6f z=%+.2f", run.file, cr.Label, ck.col, ck.got, want, d/(sd[ck.col+"_sd"]*run.scale+1e-300))
				}
			}
		}
	}
}

// TestHeuristicsMatchChannelAttribution: first and last touch equal
// ChannelAttribution's exactly (conversions are integer sums), values and
// linear shares to rounding.
func TestHeuristicsMatchChannelAttribution(t *testing.T) {
	res := attrDataAttribution(t)
	golden := attrReadCSV(t, "heuristics.csv")
	for _, cr := range res.Credits {
		g := golden[cr.Label]
		if g == nil {
			t.Fatalf("channel %q not in heuristics.csv", cr.Label)
		}
		exact := []struct {
			col string
			got float64
		}{
			{"first_touch_conversions", cr.FirstTouch.Conversions},
			{"last_touch_conversions", cr.LastTouch.Conversions},
		}
		for _, ck := range exact {
			if ck.got != g[ck.col] {
				t.Errorf("%s %s: got %.17g, want %.17g", cr.Label, ck.col, ck.got, g[ck.col])
			}
		}
		approx := []struct {
			col string
			got float64
		}{
			{"first_touch_value", cr.FirstTouch.Value},
			{"last_touch_value", cr.LastTouch.Value},
			{"linear_touch_conversions", cr.Linear.Conversions},
			{"linear_touch_value", cr.Linear.Value},
		}
		for _, ck := range approx {
			if want := g[ck.col]; math.Abs(ck.got-want) > 1e-10*math.Max(1, math.Abs(want)) {
				t.Errorf("%s %s: got %.17g, want %.17g", cr.Label, ck.col, ck.got, want)
			}
		}
	}
}

// TestTransitionMatrixMatchesChannelAttribution: with repeats collapsed the
// order-1 chain is ChannelAttribution's, edge for edge.
func TestTransitionMatrixMatchesChannelAttribution(t *testing.T) {
	c, err := Fit(NewPathReader(bytes.NewReader(attrData(t))), Options{CollapseRepeats: true})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(attrGoldenDir, "transition_matrix.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs[1:] {
		want, err := strconv.ParseFloat(rec[2], 64)
		if err != nil {
			t.Fatal(err)
		}
		if got := chainProb(t, c, rec[0], rec[1]); math.Abs(got-want) > 1e-14 {
			t.Errorf("P[%s][%s]: got %.17g, want %.17g", rec[0], rec[1], got, want)
		}
	}
	if got, want := len(c.Edges()), len(recs)-1; got != want {
		t.Errorf("edges: got %d, want %d", got, want)
	}
}

// TestAttributionGolden keeps the exact attribution of Data.csv in
// testdata/attribution/exact.csv (rewrite with -update).
func TestAttributionGolden(t *testing.T) {
	res := attrDataAttribution(t)
	var b strings.Builder
	b.WriteString("channel_name,removal_effects_conversion,removal_effects_conversion_value,total_conversions,total_conversion_value," +
		"first_touch_conversions,first_touch_value,last_touch_conversions,last_touch_value,linear_touch_conversions,linear_touch_value\n")
	for _, cr := range res.Credits {
		fmt.Fprintf(&b, "%s,%.12g,%.12g,%.12g,%.12g,%.12g,%.12g,%.12g,%.12g,%.12g,%.12g\n", cr.Label,
			cr.RemovalEffect, cr.ValueRemovalEffect, cr.Markov.Conversions, cr.Markov.Value,
			cr.FirstTouch.Conversions, cr.FirstTouch.Value, cr.LastTouch.Conversions, cr.LastTouch.Value,
			cr.Linear.Conversions, cr.Linear.Value)
	}
	path := filepath.Join(attrGoldenDir, "exact.csv")
	if *updateGolden {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("exact attribution changed (run with -update to accept):\ngot\n%s\nwant\n%s", got, want)
	}
}
