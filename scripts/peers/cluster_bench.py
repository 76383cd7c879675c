#!/usr/bin/env python3
"""Times scikit-learn on the matrix BenchmarkDiscover wrote, doing the work
of cluster.Choose the way Choose does it:

- up to --sample points: for k = 2..10, KMeans(init="k-means++", n_init=4,
  algorithm="lloyd") on every point, silhouette_score on a seeded sample of
  2000 points and calinski_harabasz_score;
- above: the same on a seeded sample of --sample points (every k fitted and
  scored on it), then the chosen k (highest silhouette) fitted on every
  point with KMeans(init=<the sample's centroids>, n_init=1), and its
  Calinski-Harabasz on every point.

With --dbscan it times instead what Discover's DBSCAN does on the first
--rows points: the distance of each point to its min_samples-th nearest (itself the first; min_samples = twice the
features), eps at the knee of that sorted curve (cluster.SuggestEps), then
DBSCAN(eps, min_samples).

Prints the seconds of one run (the best of --runs)."""
import argparse
import time

import numpy as np
from sklearn.cluster import DBSCAN, KMeans
from sklearn.metrics import calinski_harabasz_score, silhouette_score
from sklearn.neighbors import NearestNeighbors


def read(path):
    with open(path, "rb") as fh:
        n, d = np.fromfile(fh, dtype="<i8", count=2)
        return np.fromfile(fh, dtype="<f8", count=n * d).reshape(n, d)


def choose(x, sample):
    n = len(x)
    xs = x
    if n > sample:
        rows = np.sort(np.random.default_rng(1).choice(n, sample, replace=False))
        xs = x[rows]
    scores, fits = [], []
    for k in range(2, 11):
        km = KMeans(n_clusters=k, init="k-means++", n_init=4, algorithm="lloyd", random_state=1).fit(xs)
        sil = silhouette_score(xs, km.labels_, sample_size=min(2000, len(xs) - 1), random_state=1)
        ch = calinski_harabasz_score(xs, km.labels_)
        scores.append((k, km.inertia_, sil, ch))
        fits.append(km)
    best = max(range(len(scores)), key=lambda i: (scores[i][2], -i))
    selected = time.perf_counter()
    full = fits[best]
    if n > sample:
        full = KMeans(n_clusters=scores[best][0], init=fits[best].cluster_centers_, n_init=1, algorithm="lloyd").fit(x)
    ch = calinski_harabasz_score(x, full.labels_)
    return scores, best, full, ch, selected


def knee(curve):
    n = len(curve)
    dx, dy = float(n - 1), curve[-1] - curve[0]
    if n < 3 or dy == 0:
        return 0.0
    gap = (dy * np.arange(n) - dx * (curve - curve[0])) / np.hypot(dx, dy)
    return float(curve[int(np.argmax(gap))])


def dbscan(x):
    min_samples = min(2 * x.shape[1], len(x))
    dist, _ = NearestNeighbors(n_neighbors=min_samples).fit(x).kneighbors(x)
    eps = knee(np.sort(dist[:, -1]))
    labels = DBSCAN(eps=eps, min_samples=min_samples).fit(x).labels_
    return eps, min_samples, int(labels.max()) + 1, int((labels == -1).sum())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("matrix")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--sample", type=int, default=50_000)
    ap.add_argument("--dbscan", action="store_true")
    ap.add_argument("--rows", type=int, default=20_000)
    args = ap.parse_args()
    x = read(args.matrix)
    if args.dbscan:
        x = x[: args.rows]
    best = None
    for _ in range(args.runs):
        start, cpu = time.perf_counter(), time.process_time()
        if args.dbscan:
            out = dbscan(x)
        else:
            out = choose(x, args.sample)
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
        if best is None or took < best[0]:
            best = (took, cpu, out, start)
    took, cpu, out, start = best
    n, d = x.shape
    if args.dbscan:
        eps, ms, clusters, noise = out
        print(f"sklearn dbscan eps={eps:.4f} min_samples={ms} clusters={clusters} noise={noise}")
    else:
        scores, i, full, ch, selected = out
        for k, inertia, sil, chk in scores:
            print(f"sklearn k={k} inertia={inertia:.1f} silhouette={sil:.4f} CH={chk:.1f}")
        print(f"sklearn chosen k={scores[i][0]}; on every point: inertia={full.inertia_:.1f} CH={ch:.1f} "
              f"(full fit {full.n_iter_} iterations, {took - (selected - start):.2f} s)")
    print(f"sklearn seconds {took:.3f} cpu {cpu:.3f} ({n} points, {d} features)")


if __name__ == "__main__":
    main()
