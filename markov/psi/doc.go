// Package psi holds the population-stability index: how far a
// distribution (the actual values) has moved from a reference one. It
// imports only the standard library and knows nothing of journeys, Neo4j
// or HTTP; it sits beside the Markov maths (markov), sharing its rules.
//
// Bins are the deciles of the reference: with the n reference values
// sorted, x₍₁₎ ≤ … ≤ x₍ₙ₎, edge k (k = 1..9) is the empirical quantile
// q_k = x₍⌈k·n/10⌉₎ (the smallest value with at least k/10 of the
// reference at or below it). Equal edges are kept once, so a feature with
// many ties has fewer bins. With the distinct edges q_1 < … < q_m the m+1
// bins are (−∞, q_1], (q_1, q_2], …, (q_m, +∞).
//
// e_i and a_i are the shares of the reference and of the actual values in
// bin i; a share of 0 is replaced by Epsilon (1e-4), without renormalising,
// so that the logarithm is finite. Then
//
//	PSI = Σᵢ (a_i − e_i) · ln(a_i / e_i)
//
// which is 0 for identical shares and grows with the shift. The usual
// reading: below 0.1 stable, 0.1 to 0.25 a moderate shift, above 0.25 a
// large one. scripts/peers/psi_reference.py computes the same index by
// hand and writes the golden file the tests hold this package to.
package psi
