#!/usr/bin/env python3
"""Peer reference for journeygraph's package logit (markov/logit/*.go).

Writes markov/logit/testdata/sklearn.json, which the Go tests compare against
without Python (TestFitMatchesSklearn, TestScoresMatchSklearn):

  * a fixed dataset drawn with a seeded numpy generator: 600 rows, 6
    features on different scales (two correlated), labels drawn from a known
    logistic model;
  * LogisticRegression(C=C, solver="lbfgs", fit_intercept=True, tol=1e-12,
    max_iter=10000) (the default penalty is L2; the intercept is not
    penalised) for C in 1, 0.05: coef_, intercept_, predict_proba,
    roc_auc_score, log_loss;
  * for the C=1 probabilities: precision_score and recall_score of p >= t
    (zero_division=0) for t = 0.1..0.9, and the calibration table by
    predicted decile (np.array_split of the stably sorted predictions);
  * roc_auc_score of the probabilities rounded to one decimal (many ties).

With --bench FILE it instead times fitting and scoring the matrix that
markov/logit's BenchmarkFitScore1M writes to FILE (1M rows, 20 standardised
features, the behaviour vectors' count) with the same tolerance, and prints
the best of 3 runs (scripts/peers/propensity_bench.sh; see README, Propensity).

Run (a venv outside the repository, default ../venv-cluster):

  python3 -m venv ../venv-cluster
  ../venv-cluster/bin/pip install -r scripts/peers/requirements-propensity.txt
  ../venv-cluster/bin/python scripts/peers/propensity_sklearn.py
"""
import json
import os
import sys
import time

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, precision_score, recall_score, roc_auc_score


def dataset():
    rng = np.random.default_rng(16)
    n = 600
    x = rng.normal(size=(n, 6))
    x[:, 1] = 0.7 * x[:, 0] + 0.3 * x[:, 1]  # correlated with column 0
    x[:, 2] *= 10.0                          # a wider scale
    x[:, 3] = rng.poisson(3.0, size=n)       # counts
    x[:, 5] = rng.uniform(0, 1, size=n)      # a share
    w = np.array([1.2, -0.8, 0.05, 0.3, 0.0, -1.5])
    z = x @ w - 1.0
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-z))).astype(float)
    return x, y


def fit(x, y, c):
    return LogisticRegression(C=c, solver="lbfgs", fit_intercept=True, tol=1e-12, max_iter=10000).fit(x, y)


def bench(path):
    raw = np.fromfile(path, dtype="<f8")
    n, d = int(raw[0]), int(raw[1])
    x = raw[2:2 + n * d].reshape(n, d)
    y = raw[2 + n * d:]
    best = None
    for _ in range(3):
        start = time.perf_counter()
        m = LogisticRegression(C=1.0, solver="lbfgs", tol=1e-6, max_iter=1000).fit(x, y)
        p = m.predict_proba(x)[:, 1]
        auc = roc_auc_score(y, p)
        secs = time.perf_counter() - start
        best = secs if best is None else min(best, secs)
    print(json.dumps({"n": n, "features": d, "iterations": int(m.n_iter_[0]), "auc": auc,
                      "sklearn": sklearn.__version__}))
    print("sklearn seconds %.3f" % best)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--bench":
        bench(sys.argv[2])
        return
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "..", "markov", "logit", "testdata", "sklearn.json")
    x, y = dataset()
    doc = {"sklearn": sklearn.__version__, "x": x.tolist(), "y": y.tolist(), "fits": []}
    for c in [1.0, 0.05]:
        m = fit(x, y, c)
        p = m.predict_proba(x)[:, 1]
        doc["fits"].append({"c": c, "coef": m.coef_[0].tolist(), "intercept": float(m.intercept_[0]),
                            "proba": p.tolist(), "auc": roc_auc_score(y, p), "log_loss": log_loss(y, p)})
    p = np.array(doc["fits"][0]["proba"])
    doc["thresholds"] = [{"threshold": t, "precision": precision_score(y, p >= t, zero_division=0),
                          "recall": recall_score(y, p >= t, zero_division=0)}
                         for t in [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]]
    order = np.argsort(p, kind="stable")
    doc["calibration"] = [{"count": len(b), "predicted": float(p[b].mean()), "observed": float(y[b].mean())}
                          for b in np.array_split(order, 10)]
    ties = np.round(p, 1)
    doc["ties"] = {"scores": ties.tolist(), "auc": roc_auc_score(y, ties)}
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
