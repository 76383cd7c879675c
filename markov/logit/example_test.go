package logit_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/journeygraph/journeygraph/markov/logit"
)

// Fit a propensity from one standardised feature, then score it (scikit-learn
// gives the same coefficient and intercept to 1e-6).
func ExampleFit() {
	x := mat.NewDense(8, 1, []float64{-2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2})
	y := []float64{0, 0, 0, 0, 1, 0, 1, 1}
	m, err := logit.Fit(x, y, logit.Settings{C: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	p := m.Predict(nil, x)
	auc, _ := logit.AUC(p, y)
	fmt.Printf("coef %.4f intercept %.4f\n", m.Coef[0], m.Intercept)
	fmt.Printf("P(y=1 | x=2) = %.3f, AUC %.4f, log-loss %.4f\n", p[7], auc, logit.LogLoss(p, y))
	for _, t := range logit.PrecisionRecall(p, y, []float64{0.5}) {
		fmt.Printf("at %.1f: %d flagged, precision %.2f, recall %.2f\n", t.Threshold, t.Predicted, t.Precision, t.Recall)
	}
	// Output:
	// coef 1.0580 intercept -0.7628
	// P(y=1 | x=2) = 0.795, AUC 0.9333, log-loss 0.3501
	// at 0.5: 3 flagged, precision 0.67, recall 0.67
}
