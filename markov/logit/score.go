package logit

import (
	"cmp"
	"math"
	"slices"
)

// AUC returns the area under the ROC curve of scores p against labels y
// (0 or 1): the probability that a random positive scores above a random
// negative, ties counting one half (the trapezoidal area of scikit-learn's
// roc_auc_score), computed from mid-ranks:
//
//	AUC = (Σ rank(positive) − n₊(n₊ + 1)/2) / (n₊ n₋).
//
// It returns ErrOneClass when y holds one class and panics on a length
// mismatch.
func AUC(p, y []float64) (float64, error) {
	if len(p) != len(y) {
		panic("markov: logit: len(p) != len(y)")
	}
	order := ascending(p)
	var rankSum, pos float64
	for i := 0; i < len(order); {
		j := i
		for j < len(order) && p[order[j]] == p[order[i]] {
			j++
		}
		mid := float64(i+j+1) / 2 // mean of ranks i+1..j
		for k := i; k < j; k++ {
			if y[order[k]] == 1 {
				rankSum += mid
				pos++
			}
		}
		i = j
	}
	neg := float64(len(p)) - pos
	if pos == 0 || neg == 0 {
		return 0, ErrOneClass
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg), nil
}

// LogLoss returns the mean negative log-likelihood of labels y under
// probabilities p, each clipped to [ε, 1 − ε] with ε the float64 machine
// epsilon (scikit-learn's log_loss):
//
//	−(1/n) Σᵢ [yᵢ log pᵢ + (1 − yᵢ) log(1 − pᵢ)].
//
// It panics on a length mismatch or empty input.
func LogLoss(p, y []float64) float64 {
	if len(p) != len(y) || len(p) == 0 {
		panic("markov: logit: len(p) != len(y) or empty")
	}
	const eps = 0x1p-52
	var s float64
	for i, pi := range p {
		pi = math.Min(math.Max(pi, eps), 1-eps)
		s -= y[i]*math.Log(pi) + (1-y[i])*math.Log(1-pi)
	}
	return s / float64(len(p))
}

// Bin is one group of a calibration table: Count predictions whose mean
// is Predicted, between Min and Max, and the share of them that were
// positive (Observed).
type Bin struct {
	Count     int     `json:"count"`
	Min       float64 `json:"min"`
	Max       float64 `json:"max"`
	Predicted float64 `json:"predicted"`
	Observed  float64 `json:"observed"`
}

// Calibration sorts the predictions and splits them into bins groups of
// equal count (the first len(p) mod bins hold one more, as numpy's
// array_split), each with its mean prediction and observed rate; empty
// groups are left out. Deciles are bins = 10. It panics on a length
// mismatch or bins < 1.
func Calibration(p, y []float64, bins int) []Bin {
	if len(p) != len(y) || bins < 1 {
		panic("markov: logit: len(p) != len(y) or bins < 1")
	}
	order := ascending(p)
	n := len(p)
	out := make([]Bin, 0, bins)
	start := 0
	for b := 0; b < bins; b++ {
		size := n / bins
		if b < n%bins {
			size++
		}
		if size == 0 {
			continue
		}
		bin := Bin{Count: size, Min: p[order[start]], Max: p[order[start+size-1]]}
		for _, i := range order[start : start+size] {
			bin.Predicted += p[i]
			bin.Observed += y[i]
		}
		bin.Predicted /= float64(size)
		bin.Observed /= float64(size)
		out = append(out, bin)
		start += size
	}
	return out
}

// Threshold is precision and recall of calling positive every score at
// or above Threshold: Predicted of them, TruePositives right; Precision
// is 0 when none is predicted, Recall 0 when there is no positive.
type Threshold struct {
	Threshold     float64 `json:"threshold"`
	Predicted     int     `json:"predicted"`
	TruePositives int     `json:"true_positives"`
	Precision     float64 `json:"precision"`
	Recall        float64 `json:"recall"`
}

// DefaultThresholds are 0.1, 0.2, ..., 0.9.
var DefaultThresholds = []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}

// PrecisionRecall returns precision and recall at each threshold (scikit-
// learn's precision_score and recall_score of p >= t, zero_division=0). It
// panics on a length mismatch.
func PrecisionRecall(p, y []float64, thresholds []float64) []Threshold {
	if len(p) != len(y) {
		panic("markov: logit: len(p) != len(y)")
	}
	var pos int
	for _, v := range y {
		if v == 1 {
			pos++
		}
	}
	out := make([]Threshold, len(thresholds))
	for k, t := range thresholds {
		th := Threshold{Threshold: t}
		for i, pi := range p {
			if pi >= t {
				th.Predicted++
				if y[i] == 1 {
					th.TruePositives++
				}
			}
		}
		if th.Predicted > 0 {
			th.Precision = float64(th.TruePositives) / float64(th.Predicted)
		}
		if pos > 0 {
			th.Recall = float64(th.TruePositives) / float64(pos)
		}
		out[k] = th
	}
	return out
}

// ascending returns the indexes of p in increasing order of p, ties in
// index order.
func ascending(p []float64) []int {
	order := make([]int, len(p))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(p[a], p[b]) })
	return order
}
