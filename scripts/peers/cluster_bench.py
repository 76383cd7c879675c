#!/usr/bin/env python3
"""Times scikit-learn on the matrix BenchmarkDiscover wrote: for k = 2..10,
KMeans(init="k-means++", n_init=4, algorithm="lloyd"), silhouette_score on a
seeded sample of 2000 points and calinski_harabasz_score: the work of
cluster.Choose. Prints the seconds of one run (the best of --runs)."""
import argparse
import time

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, silhouette_score


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("matrix")
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    with open(args.matrix, "rb") as fh:
        n, d = np.fromfile(fh, dtype="<i8", count=2)
        x = np.fromfile(fh, dtype="<f8", count=n * d).reshape(n, d)
    best = None
    for _ in range(args.runs):
        start = time.perf_counter()
        scores = []
        for k in range(2, 11):
            km = KMeans(n_clusters=k, init="k-means++", n_init=4, algorithm="lloyd", random_state=1).fit(x)
            sil = silhouette_score(x, km.labels_, sample_size=2000, random_state=1)
            ch = calinski_harabasz_score(x, km.labels_)
            scores.append((k, km.inertia_, sil, ch))
        took = time.perf_counter() - start
        best = took if best is None else min(best, took)
    for k, inertia, sil, ch in scores:
        print(f"sklearn k={k} inertia={inertia:.1f} silhouette={sil:.4f} CH={ch:.1f}")
    print(f"sklearn seconds {best:.3f} ({n} points, {d} features)")


if __name__ == "__main__":
    main()
