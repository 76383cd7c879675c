package logit

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// golden is testdata/sklearn.json, written by
// scripts/peers/propensity_sklearn.py.
type golden struct {
	X    [][]float64 `json:"x"`
	Y    []float64   `json:"y"`
	Fits []struct {
		C         float64   `json:"c"`
		Coef      []float64 `json:"coef"`
		Intercept float64   `json:"intercept"`
		Proba     []float64 `json:"proba"`
		AUC       float64   `json:"auc"`
		LogLoss   float64   `json:"log_loss"`
	} `json:"fits"`
	Thresholds []struct {
		Threshold float64 `json:"threshold"`
		Precision float64 `json:"precision"`
		Recall    float64 `json:"recall"`
	} `json:"thresholds"`
	Calibration []struct {
		Count     int     `json:"count"`
		Predicted float64 `json:"predicted"`
		Observed  float64 `json:"observed"`
	} `json:"calibration"`
	Ties struct {
		Scores []float64 `json:"scores"`
		AUC    float64   `json:"auc"`
	} `json:"ties"`
}

func readGolden(t *testing.T) golden {
	t.Helper()
	b, err := os.ReadFile("testdata/sklearn.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func dense(rows [][]float64) *mat.Dense {
	x := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		x.SetRow(i, r)
	}
	return x
}

func TestFitMatchesSklearn(t *testing.T) {
	g := readGolden(t)
	x := dense(g.X)
	for _, f := range g.Fits {
		m, err := Fit(x, g.Y, Settings{C: f.C})
		if err != nil {
			t.Fatalf("C=%g: %v", f.C, err)
		}
		for j, want := range f.Coef {
			if math.Abs(m.Coef[j]-want) > 1e-6 {
				t.Errorf("C=%g: coef[%d] = %.10f, want %.10f (sklearn)", f.C, j, m.Coef[j], want)
			}
		}
		if math.Abs(m.Intercept-f.Intercept) > 1e-6 {
			t.Errorf("C=%g: intercept = %.10f, want %.10f", f.C, m.Intercept, f.Intercept)
		}
		p := m.Predict(nil, x)
		for i, want := range f.Proba {
			if math.Abs(p[i]-want) > 1e-6 {
				t.Fatalf("C=%g: proba[%d] = %.10f, want %.10f", f.C, i, p[i], want)
			}
		}
		auc, err := AUC(p, g.Y)
		if err != nil || math.Abs(auc-f.AUC) > 1e-12 {
			t.Errorf("C=%g: AUC = %.15f (%v), want %.15f", f.C, auc, err, f.AUC)
		}
		if ll := LogLoss(p, g.Y); math.Abs(ll-f.LogLoss) > 1e-9 {
			t.Errorf("C=%g: log-loss = %.12f, want %.12f", f.C, ll, f.LogLoss)
		}
	}
}

func TestScoresMatchSklearn(t *testing.T) {
	g := readGolden(t)
	p := g.Fits[0].Proba // sklearn's own probabilities: the scores alone are tested
	for i, th := range PrecisionRecall(p, g.Y, DefaultThresholds) {
		want := g.Thresholds[i]
		if th.Threshold != want.Threshold || math.Abs(th.Precision-want.Precision) > 1e-12 || math.Abs(th.Recall-want.Recall) > 1e-12 {
			t.Errorf("threshold %g: precision %g recall %g, want %g %g", th.Threshold, th.Precision, th.Recall, want.Precision, want.Recall)
		}
	}
	cal := Calibration(p, g.Y, 10)
	if len(cal) != len(g.Calibration) {
		t.Fatalf("calibration has %d bins, want %d", len(cal), len(g.Calibration))
	}
	for i, b := range cal {
		want := g.Calibration[i]
		if b.Count != want.Count || math.Abs(b.Predicted-want.Predicted) > 1e-12 || math.Abs(b.Observed-want.Observed) > 1e-12 {
			t.Errorf("decile %d: %+v, want %+v", i, b, want)
		}
	}
	auc, err := AUC(g.Ties.Scores, g.Y)
	if err != nil || math.Abs(auc-g.Ties.AUC) > 1e-12 {
		t.Errorf("AUC with ties = %.15f (%v), want %.15f (sklearn)", auc, err, g.Ties.AUC)
	}
	if ll, want := LogLoss(p, g.Y), g.Fits[0].LogLoss; math.Abs(ll-want) > 1e-12 {
		t.Errorf("log-loss = %.15f, want %.15f", ll, want)
	}
}
