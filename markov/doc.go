// Package markov holds the mathematics of journeys: absorbing Markov chains
// estimated from step sequences, their absorbing analysis, removal-effect
// attribution, friction measures, and hidden Markov models. It uses only
// gonum and the standard library and knows nothing of storage, HTTP or
// events.
//
// Data problems (no journey, no absorbing state, a singular system) are
// returned as errors, to be tested with errors.Is against ErrEmpty,
// ErrNoAbsorbing, ErrSingular and ErrNoStart. Programmer errors (shape
// mismatches, negative options) panic with a "markov:" prefix.
//
// # Chains
//
// A journey is a Path: step labels, an entry channel, a converted flag, a
// conversion value and a weight (the number of identical journeys, so that
// aggregated data such as ChannelAttribution's path files, read by
// PathReader, fit directly). Paths stream through the Sequences iterator;
// Fit keeps only transition counts.
//
// Each journey runs from a virtual start state (Start, or one
// "(start:CHANNEL)" per entry channel) through the states of its steps to
// an absorbing state: Conversion if it converted, Exit otherwise, or
// Unsubscribe at a configured step. At order k the state after step t is
// the tuple (s_{t−k+1}, …, s_t) of the last k steps (fewer at the start of
// the path). With n(i→j) the weighted count of transitions and α ≥ 0 the
// additive smoothing,
//
//	P[i][j] = (n(i→j) + α·a(i,j)) / Σ_k (n(i→k) + α·a(i,k))
//
// where a(i,j) = 1 if j can follow i (j absorbing, or j's tuple is i's
// tuple shifted by one step) and 0 otherwise. Absorbing rows are
// P[i][i] = 1. The start weights are π_k = journeys from start k / journeys.
//
// # Absorbing analysis
//
// States are numbered transient first, so P = [[Q, R], [0, I]] with Q the
// transient-to-transient block and R the transient-to-absorbing block.
// I − Q is factorized once (LU, partial pivoting); every quantity is a
// solve with that factorization, never an explicit inverse:
//
//	N = (I − Q)⁻¹                 fundamental matrix, N[i][j] = expected visits to j from i
//	B = N R                       absorption probabilities, (I − Q) B = R
//	t = N 1                       expected steps to absorption, (I − Q) t = 1
//	c = B[·][conversion]          conversion probability of each state
//	y = π^T N                     expected visits of a journey, (I − Q)^T y = π
//	p = Σ_k π_k c[start_k]        conversion probability of a journey
//	z = N w, w_i = P[i][conv]·v_i expected conversion value, v_i = mean value of conversions from i
//	V = Σ_k π_k z[start_k]        expected value of a journey
//
// For a chain fitted without smoothing, the observed visit counts m solve
// m = J·π + Qᵀm, so p equals the observed conversion rate and V the observed
// value per journey.
//
// # Removal effects and attribution
//
// Removing a channel s (Anderl et al. 2016; ChannelAttribution's
// markov_model) redirects every transition into a state that contains s to
// Exit, and journeys entering through s are lost. With S the removed
// states, p_s is the conversion probability of a journey in the modified
// chain and
//
//	RE(s) = 1 − p_s / p,          REᵥ(s) = 1 − V_s / V.
//
// They are computed exactly, without simulation and without refactorizing:
// by the strong Markov property p = p_s + h·c_S, where h_j is the
// probability that the first state of S a journey meets is j, and
// y_S = h N_SS (visits to S all follow that first meeting), so
//
//	p_s = p − y_S N_SS⁻¹ c_S,     V_s = V − y_S N_SS⁻¹ z_S,
//
// where N_SS is the S×S block of N, from the columns (I − Q) N[·][S] = E_S.
// Attribution follows the markov_model convention:
//
//	conversions(s) = RE(s) / Σ_c RE(c) × total conversions
//	value(s)       = REᵥ(s) / Σ_c REᵥ(c) × total value
//
// beside the heuristics: first touch (all of a converted path to its first
// step), last touch (to its last step) and linear (1/len to each touch,
// repeats included).
//
// # Friction
//
// For an edge i→j with traffic n(i→j), the change of conversion probability
// it causes is Δ = c_j − c_i (c = 1 for Conversion, 0 for Exit) and the
// conversions it loses are −Δ·n(i→j); since c_i = Σ_j P[i][j] c_j, the
// losses of the edges out of a state sum to zero (without smoothing). For a step i: exit
// probability P[i][exit], loop rate P[i][i], back-and-forth rate
// Σ_{j≠i} P[i][j] P[j][i], each against its traffic-weighted site average.
// The log-likelihood of a path s_0 … s_T (start to absorbing state) is
//
//	log L = Σ_t log P[s_t][s_{t+1}],   per step: log L / T,
//
// and a low per-step value flags an improbable journey.
//
// # Hidden Markov models
//
// An HMM has K hidden states and M discrete symbols (the events): an
// initial distribution π, transitions A (K×K) and emissions B (K×M), so
//
//	P(q, o) = π[q_1] B[q_1][o_1] · Π_{t=2..T} A[q_{t−1}][q_t] B[q_t][o_t].
//
// The scaled forward pass (Rabiner 1989) keeps normalised beliefs:
//
//	α̃_t(j) = Σ_i α̂_{t−1}(i) A[i][j] B[j][o_t]   (α̃_1(j) = π_j B[j][o_1])
//	c_t = Σ_j α̃_t(j),   α̂_t = α̃_t / c_t,   log P(o) = Σ_t log c_t
//
// and the backward pass, with β̂_T = 1 and w_{t+1}(j) = B[j][o_{t+1}] β̂_{t+1}(j) / c_{t+1},
//
//	β̂_t(i) = Σ_j A[i][j] w_{t+1}(j),   γ_t(i) = α̂_t(i) β̂_t(i),   ξ_t(i,j) = α̂_t(i) A[i][j] w_{t+1}(j).
//
// Baum–Welch sums, over sequences, the expected counts Σ γ_1(i),
// Σ_t ξ_t(i,j) and Σ_t γ_t(i)[o_t=m] (HMMStats: additive, so the E-step runs
// on all cores and could be sharded across machines) and re-estimates each
// distribution as (counts + pseudo-count) / row total (HMMPrior: a Dirichlet
// prior keeping every probability positive). It stops when the relative
// log-likelihood improvement falls below a tolerance, and keeps the best of
// several seeded random restarts.
//
// The belief after a sequence is α̂_T; the next event's distribution is
// belief · A · B. Viterbi maximises in log space:
// δ_t(j) = max_i [δ_{t−1}(i) + log A[i][j]] + log B[j][o_t]. The number of
// states is chosen by
//
//	BIC = −2 log L + p log n,   p = (K−1) + K(K−1) + K(M−1),   n = observed symbols.
//
// Each state is labelled by its most characteristic symbols, those with the
// largest B[k][m] · log(B[k][m] / f_m) where f_m = Σ_j w_j B[j][m] is the
// overall frequency of m; labels can be renamed and models persist as JSON.
package markov
