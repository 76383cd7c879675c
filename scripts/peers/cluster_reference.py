#!/usr/bin/env python3
"""Peer reference for journeygraph's package cluster (cluster/*.go).

Writes markov/cluster/testdata/sklearn.json, which the Go tests compare against
without Python (TestLloydMatchesSklearn, TestFitMatchesSklearn,
TestScoresMatchSklearn):

  * two fixed datasets drawn with a seeded numpy generator: "blobs" (4
    well-separated groups in 5 dimensions) and "overlap" (3 groups that
    overlap, so Lloyd's iterations have work to do);
  * for each, KMeans(algorithm="lloyd", n_init=1) from given initial
    centroids (rows of the data): labels, centroids, inertia, n_iter;
  * KMeans(init="k-means++", n_init=10, random_state=0) for k = 2..6:
    labels, inertia, and silhouette_score / calinski_harabasz_score of
    those labels;
  * the k-distance curve (NearestNeighbors(n_neighbors=5).kneighbors(x),
    the point itself first, 5th distance, sorted) and DBSCAN(eps,
    min_samples=5) labels at two eps (TestDBSCANMatchesSklearn).

Run (a venv outside the repository, default ../venv-cluster):

  python3 -m venv ../venv-cluster
  ../venv-cluster/bin/pip install -r scripts/peers/requirements-cluster.txt
  ../venv-cluster/bin/python scripts/peers/cluster_reference.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn.cluster import DBSCAN, KMeans
from sklearn.metrics import calinski_harabasz_score, silhouette_score
from sklearn.neighbors import NearestNeighbors


def datasets():
    rng = np.random.default_rng(15)
    blobs_centers = np.array([[0, 0, 0, 0, 0], [8, 8, 0, 0, 0], [0, 8, 8, 0, 0], [8, 0, 0, 8, 8]], float)
    sizes = [90, 70, 60, 30]
    blobs = np.vstack([c + rng.normal(size=(n, 5)) for c, n in zip(blobs_centers, sizes)])
    truth = np.concatenate([[i] * n for i, n in enumerate(sizes)])
    perm = rng.permutation(len(blobs))
    blobs, truth = blobs[perm], truth[perm]
    over_centers = np.array([[0, 0, 0], [2.5, 0, 0], [0, 2.5, 0]], float)
    over = np.vstack([c + rng.normal(size=(80, 3)) for c in over_centers])
    over = over[rng.permutation(len(over))]
    return {"blobs": (blobs, truth, 4, [0, 1, 2, 3]), "overlap": (over, None, 3, [0, 1, 2])}


EPS = {"blobs": [1.6, 2.2], "overlap": [0.6, 0.8]}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "..", "markov", "cluster", "testdata", "sklearn.json")
    doc = {"sklearn": sklearn.__version__, "datasets": []}
    for name, (x, truth, k, init_rows) in datasets().items():
        init = x[init_rows]
        km = KMeans(n_clusters=k, init=init, n_init=1, algorithm="lloyd", max_iter=300, tol=1e-4).fit(x)
        ds = {
            "name": name,
            "x": x.tolist(),
            "truth": truth.tolist() if truth is not None else None,
            "lloyd": {
                "k": k,
                "init_rows": init_rows,
                "labels": km.labels_.tolist(),
                "centroids": km.cluster_centers_.tolist(),
                "inertia": float(km.inertia_),
                "n_iter": int(km.n_iter_),
            },
            "fits": [],
        }
        for kk in range(2, 7):
            f = KMeans(n_clusters=kk, init="k-means++", n_init=10, random_state=0).fit(x)
            ds["fits"].append({
                "k": kk,
                "labels": f.labels_.tolist(),
                "inertia": float(f.inertia_),
                "silhouette": float(silhouette_score(x, f.labels_)),
                "calinski_harabasz": float(calinski_harabasz_score(x, f.labels_)),
            })
        dist, _ = NearestNeighbors(n_neighbors=5).fit(x).kneighbors(x)
        ds["kdistances"] = sorted(float(d) for d in dist[:, 4])
        ds["dbscan"] = []
        for eps in EPS[name]:
            db = DBSCAN(eps=eps, min_samples=5).fit(x)
            ds["dbscan"].append({"eps": eps, "min_samples": 5, "labels": db.labels_.tolist()})
        doc["datasets"].append(ds)
    with open(out, "w") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")
    print("wrote", os.path.normpath(out))


if __name__ == "__main__":
    main()
