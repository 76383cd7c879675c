// Package survival estimates how long until something happens when some
// people have not had it happen yet: the Kaplan–Meier curve with its
// Greenwood variance, confidence band and median, and the log-rank test
// between two groups. It imports only gonum and the standard library and
// knows nothing of journeys, Neo4j or HTTP; it sits beside the Markov maths
// (markov), which it shares those rules with. Every formula matches
// lifelines (KaplanMeierFitter, logrank_test):
// scripts/peers/survival_lifelines.py writes the golden numbers the tests
// hold this package to.
//
// Input: one (duration, observed) pair per person; observed false means
// censored (the event had not happened by then). The timeline is 0 and
// every distinct duration, sorted. At time tᵢ, dᵢ people have the event,
// cᵢ are censored, and nᵢ = N − Σ_{j<i}(dⱼ + cⱼ) are at risk: people
// censored at tᵢ count as at risk at tᵢ (ties: events before censoring).
//
// Kaplan–Meier: S(t) = Π_{tᵢ ≤ t} (1 − dᵢ/nᵢ), computed as
// exp(Σ log(nᵢ − dᵢ) − log nᵢ).
//
// Greenwood: Var S(t) = S(t)² Σ_{tᵢ ≤ t} dᵢ / (nᵢ(nᵢ − dᵢ)), a term with
// nᵢ = dᵢ (everyone left has the event) counting 0, as lifelines.
//
// Confidence band (lifelines' default, the exponential Greenwood or
// log(−log) interval): with v = log S(t), σ² = Σ dᵢ/(nᵢ(nᵢ − dᵢ)) and
// z = Φ⁻¹(1 − α/2), lower = exp(−exp(log(−v) − zσ/v)) and upper =
// exp(−exp(log(−v) + zσ/v)); both 1 while S = 1 and both 0 once S = 0.
//
// Median: the first timeline time t with S(t) ≤ 0.5; +Inf ("not reached")
// when the curve ends above 0.5.
//
// Log-rank (two groups A, B, over the pooled timeline): with nᵢ and dᵢ
// pooled and n_{A,i}, d_{A,i} group A's, Z = Σ (d_{A,i} − n_{A,i}dᵢ/nᵢ) and
// V = Σ n_{A,i} n_{B,i} dᵢ (nᵢ − dᵢ) / (nᵢ² (nᵢ − 1)) (a time with nᵢ = 1
// adds 0); the statistic is Z²/V (0 when V = 0), chi-square with 1 degree
// of freedom, p = P(χ²₁ ≥ Z²/V).
package survival
