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
