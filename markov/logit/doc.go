// Package logit fits L2-regularised logistic regression and scores binary
// predictions: ROC AUC, log-loss, calibration by predicted decile, and
// precision and recall at thresholds (gonum only).
//
// The fit minimises, over the coefficients w and the intercept b,
//
//	L(w, b) = (1/n) Σᵢ [log(1 + exp(zᵢ)) − yᵢ zᵢ] + ‖w‖² / (2 C n),  zᵢ = xᵢ·w + b,
//
// which is scikit-learn's LogisticRegression(C=C, solver="lbfgs") objective
// C Σᵢ loss + ½‖w‖² divided by C n: the same minimiser, and the intercept is
// not penalised. The gradient is (1/n) Xᵀ(p − y) + w/(C n) for w and
// (1/n) Σᵢ (pᵢ − yᵢ) for b, with pᵢ = σ(zᵢ) = 1/(1 + exp(−zᵢ)).
package logit
