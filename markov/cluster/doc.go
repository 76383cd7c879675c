// Package cluster groups points (one row per person, one column per
// feature) without labels: feature scaling, k-means with k-means++ seeding
// and seeded restarts, and the scores that choose k (silhouette,
// Calinski–Harabasz). It imports only gonum and the standard library and
// knows nothing of journeys, Neo4j or HTTP; it sits beside the Markov maths
// (markov), which it shares those rules with.
//
// Scaling. A feature marked Log is first mapped to log1p(max(x, 0)); every
// feature is then standardised, z = (x' − mean)/sd (sd = 1 when the feature
// is constant).
//
// k-means minimises the inertia Σᵢ ‖xᵢ − c_{l(i)}‖² by Lloyd's iterations
// (assign each point to its nearest centroid, move each centroid to the
// mean of its points) from k-means++ seeds (greedy, 2 + ⌊ln k⌋ candidates
// per centroid, as scikit-learn). It stops when no label changes or when
// the centroids moved by Σ‖Δc‖² ≤ tol · mean per-feature variance.
//
// Silhouette of point i: s(i) = (b − a)/max(a, b), a the mean distance to
// the other points of its cluster, b the smallest mean distance to the
// points of another cluster; 0 for a point alone in its cluster. The score
// is the mean of s. Calinski–Harabasz: [B/(k−1)] / [W/(n−k)], B = Σ_c n_c
// ‖c − x̄‖², W = the inertia.
//
// PCA: with X̃ the centred points (n × d) and X̃ = U Σ Vᵀ its thin SVD, the
// components are the first columns of V, the variance along component k
// is σₖ²/(n − 1) and its share σₖ²/Σσ²; a point x projects to (x − x̄)V.
package cluster
