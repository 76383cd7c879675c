// Package uplift measures what a segment's campaign did: the conversion of
// the people who entered the segment, treated members against the
// holdout's control group (journeys.Holdout), with a confidence interval, a
// significance test and the sample size that would detect the difference.
//
// With n1 treated people of whom x1 converted and n2 control people of
// whom x2 converted, p1 = x1/n1 and p2 = x2/n2:
//
//   - Difference d = p1 − p2; its 95% interval is the normal (Wald)
//     approximation with unpooled variance, d ± 1.959964·√(p1(1−p1)/n1 +
//     p2(1−p2)/n2).
//   - The two-proportion z-test uses the pooled rate p = (x1+x2)/(n1+n2):
//     z = d / √(p(1−p)(1/n1 + 1/n2)), two-sided p-value 2·(1 − Φ(|z|)).
//   - The sample size per group (equal groups) that detects d at 80% power
//     with a two-sided alpha of 0.05 is (Fleiss, without continuity
//     correction), with p̄ = (p1+p2)/2:
//     n = ⌈(1.959964·√(2p̄(1−p̄)) + 0.841621·√(p1(1−p1) + p2(1−p2)))² / d²⌉.
//
// statsmodels computes the same three (proportions_ztest,
// confint_proportions_2indep with method "wald", and
// samplesize_proportions_2indep_onetail): scripts/peers/uplift_reference.py
// writes the golden numbers the tests hold this package to.
package uplift
