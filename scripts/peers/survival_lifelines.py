#!/usr/bin/env python3
"""Golden numbers for markov/survival from lifelines (requirements-survival.txt).

    python scripts/peers/survival_lifelines.py > markov/survival/testdata/lifelines.json

For each dataset (one or two groups of (duration, observed) pairs):
- km: KaplanMeierFitter(alpha).fit(...) per group: the timeline, the
  survival function, the confidence interval (lifelines' default,
  exponential Greenwood), Greenwood's variance S(t)^2 * _cumulative_sq_,
  and median_survival_time_ (null when infinite: not reached);
- logrank: logrank_test(A, B) statistic and p-value, for two groups.
"""
import json
import math

import numpy as np
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test


def group(durations, observed):
    return {"durations": [float(x) for x in durations], "observed": [bool(o) for o in observed]}


def km(g, alpha):
    kmf = KaplanMeierFitter(alpha=alpha).fit(g["durations"], event_observed=g["observed"])
    s = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_
    med = float(kmf.median_survival_time_)
    return {
        "times": [float(t) for t in s.index],
        "survival": [float(x) for x in s.values],
        "lower": [float(x) for x in ci.iloc[:, 0].values],
        "upper": [float(x) for x in ci.iloc[:, 1].values],
        "variance": [float(x) for x in (s.values ** 2 * kmf._cumulative_sq_.values)],
        "median": None if math.isinf(med) else med,
    }


rng = np.random.default_rng(16)


def exponential(n, mean, horizon):
    """n people whose event comes after an exponential delay, censored at
    a uniform follow-up in (0, horizon); durations rounded to hours so
    that ties happen."""
    t = rng.exponential(mean, n)
    c = rng.uniform(0, horizon, n)
    d = np.round(np.minimum(t, c) * 24) / 24
    return group(d, t <= c)


# Freireich et al. (1963): remission of leukaemia, 6-MP against placebo
# (the textbook log-rank example: ties and censoring).
mp6 = group([6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35],
            [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0])
placebo = group([1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23], [1] * 21)

DATASETS = [
    ("freireich", mp6, placebo, 0.05),
    ("freireich alpha 0.1", mp6, placebo, 0.1),
    ("median exactly one half", group([1, 2, 3, 4], [1, 1, 1, 1]), group([1, 2, 3, 4], [1, 0, 1, 0]), 0.05),
    ("all censored", group([1, 2, 2, 5], [0, 0, 0, 0]), group([1, 3], [1, 1]), 0.05),
    ("events at zero, ends at zero", group([0, 0, 1.5, 2, 2, 3], [1, 0, 1, 1, 1, 1]), group([0.5, 4], [1, 0]), 0.05),
    ("one censored against many", group([0.25, 1, 1, 2, 7.5], [1, 1, 0, 1, 1]), group([3], [0]), 0.05),
    ("nobody converts", group([1, 2], [0, 0]), group([3, 4, 4], [0, 0, 0]), 0.05),
    ("single person", group([2], [1]), None, 0.05),
    ("exponential 300 vs 200", exponential(300, 10, 30), exponential(200, 16, 30), 0.05),
]

out = []
for name, a, b, alpha in DATASETS:
    d = {"name": name, "alpha": alpha, "a": a, "km_a": km(a, alpha), "b": None, "km_b": None, "logrank": None}
    if b is not None:
        d["b"], d["km_b"] = b, km(b, alpha)
        r = logrank_test(a["durations"], b["durations"], event_observed_A=a["observed"], event_observed_B=b["observed"])
        d["logrank"] = {"statistic": float(r.test_statistic), "p_value": float(r.p_value)}
    out.append(d)
print(json.dumps(out, indent=1))
