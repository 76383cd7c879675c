package propensity

import (
	"time"

	"github.com/journeygraph/journeygraph/markov/cluster"
	"github.com/journeygraph/journeygraph/markov/logit"
)

// Report is the out-of-time validation of a fit: the model trained at
// TrainCutoff and the chain-state propensity, both scored on the people
// at TestCutoff against what they did in [TestCutoff, TestCutoff+H).
type Report struct {
	Target      string    `json:"target"`
	Step        string    `json:"step"`
	Horizon     string    `json:"horizon"`
	Scope       string    `json:"scope"`
	TrainCutoff time.Time `json:"train_cutoff"`
	TestCutoff  time.Time `json:"test_cutoff"`
	Train       Sample    `json:"train"`
	Test        Sample    `json:"test"`
	// Model is the supervised model's validation; Chain the chain-state
	// propensity's (what the hidden-state fit writes as p_convert or
	// p_unsubscribe), fitted on the journeys before TestCutoff; nil when
	// no chain could be fitted.
	Model Validation  `json:"model"`
	Chain *Validation `json:"chain,omitempty"`
	// Winner is "model" when Model's AUC is higher than Chain's (or there
	// is no chain), else "chain".
	Winner string `json:"winner"`
	// Coefficients of the model fitted at TrainCutoff, per standardised
	// feature (log1p first for counts), largest magnitude first.
	Coefficients []Coefficient `json:"coefficients"`
	Intercept    float64       `json:"intercept"`
	C            float64       `json:"c"`
	// Version is the stored model's (0 when not saved). When the model
	// wins and is saved, it is refitted on the test window (cutoff T2) and
	// scores the people at ScoredAt = T2 + H: Written of them.
	Version  int       `json:"version,omitempty"`
	ScoredAt time.Time `json:"scored_at,omitzero"`
	Written  int       `json:"written"`
	FittedAt time.Time `json:"fitted_at"`
	Seconds  float64   `json:"seconds"` // of the fit and validation (not the refit and writes)
}

// Sample counts the people of one window and the positives among them.
type Sample struct {
	People    int `json:"people"`
	Positives int `json:"positives"`
}

// Validation is how one score did on the test window.
type Validation struct {
	AUC         float64           `json:"auc"`
	LogLoss     float64           `json:"log_loss"`
	Calibration []logit.Bin       `json:"calibration"` // by predicted decile
	Thresholds  []logit.Threshold `json:"thresholds"`  // precision and recall at 0.1..0.9
	// Missing counts the test people the score had nothing for (scored 0).
	Missing int `json:"missing,omitempty"`
}

// Coefficient is one feature's weight in the model.
type Coefficient struct {
	Feature string  `json:"feature"`
	Weight  float64 `json:"weight"`
}

// Model is a stored propensity model: what turns a person's features at
// a cutoff into a probability.
type Model struct {
	Target    string          `json:"target"`
	Step      string          `json:"step"`
	Horizon   string          `json:"horizon"`
	Cutoff    time.Time       `json:"cutoff"` // of the labels it learnt from
	Features  []string        `json:"features"`
	Scales    []cluster.Scale `json:"scales"`
	Coef      []float64       `json:"coef"`
	Intercept float64         `json:"intercept"`
	C         float64         `json:"c"`
}

// At returns the threshold row of v nearest to t (nil when none).
func (v Validation) At(t float64) *logit.Threshold {
	for i := range v.Thresholds {
		if d := v.Thresholds[i].Threshold - t; d > -1e-9 && d < 1e-9 {
			return &v.Thresholds[i]
		}
	}
	return nil
}

// Expectation is what a propensity threshold can be expected to give, from
// the out-of-time validation of the score in force: of the people at or
// above Threshold, the share who reached the step within the horizon
// (Precision), and the share of those who reached it that the threshold
// catches (Recall).
type Expectation struct {
	Target  string  `json:"target"`
	AtLeast float64 `json:"at_least"` // the threshold asked
	// Threshold is the validated threshold the figures are for: the
	// largest of 0.1..0.9 at or below AtLeast (the lowest when AtLeast is
	// under all of them).
	Threshold float64 `json:"threshold"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	Predicted int     `json:"predicted"` // test people at or above Threshold
	// Source is the score people hold: "model" (the supervised model,
	// written with its version) or "chain" (the chain-state propensity).
	Source     string    `json:"source"`
	Version    int       `json:"version,omitempty"`
	Horizon    string    `json:"horizon"`
	TestCutoff time.Time `json:"test_cutoff"`
	Note       string    `json:"note,omitempty"`
}

// Expect returns what a propensity block at atLeast can be expected to
// give, from r's validation of the score people hold: the model's when it
// won and wrote its scores, else the chain's. ok is false when that score
// has no validated thresholds.
func (r *Report) Expect(atLeast float64) (e Expectation, ok bool) {
	e = Expectation{Target: r.Target, AtLeast: atLeast, Source: "chain", Horizon: r.Horizon, TestCutoff: r.TestCutoff}
	v := r.Chain
	if r.Winner == "model" && r.Written > 0 {
		e.Source, e.Version, v = "model", r.Version, &r.Model
	}
	if v == nil || len(v.Thresholds) == 0 {
		return e, false
	}
	row := v.Thresholds[0]
	for _, t := range v.Thresholds {
		if t.Threshold <= atLeast+1e-9 && t.Threshold > row.Threshold {
			row = t
		}
	}
	e.Threshold, e.Precision, e.Recall, e.Predicted = row.Threshold, row.Precision, row.Recall, row.Predicted
	if row.Threshold > atLeast+1e-9 {
		e.Note = "no validated threshold at or below the one asked: the figures are for the lowest"
	}
	return e, true
}
