// Package propensity fits supervised propensity models: an L2 logistic
// regression (package logit) of converting, or unsubscribing, within a
// horizon after a cutoff, on the behaviour vectors at the cutoff (package
// profile) and the chain-state propensities the hidden-state fit writes
// (package chain). It validates out of time (train at T1, test at
// T2 = T1 + H) next to that chain-state propensity, stores the model and
// its report, and writes p_convert or p_unsubscribe on people when it
// validates better.
package propensity
