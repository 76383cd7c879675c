#!/usr/bin/env python3
"""Golden numbers for journeys/uplift from statsmodels (requirements-uplift.txt).

    python scripts/peers/uplift_reference.py > journeys/uplift/testdata/reference.json

For each case (treated n1 people with x1 converted, control n2 with x2):
- z, p_value: statsmodels proportions_ztest (pooled variance, two-sided);
- ci_low, ci_high: confint_proportions_2indep(method="wald", compare="diff"),
  the normal-approximation 95% interval of p1 - p2 with unpooled variance;
- sample_size: samplesize_proportions_2indep_onetail(diff=p1-p2, prop2=p2,
  power=0.8, alpha=0.05, alternative="two-sided"): per group, before
  rounding up; the closed form journeys/uplift documents.
"""
import json

from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportions_ztest,
    samplesize_proportions_2indep_onetail,
)

CASES = [
    # (name, treated people, treated converted, control people, control converted)
    ("email campaign lift", 1000, 120, 1000, 90),
    ("small holdout", 900, 81, 100, 6),
    ("no difference", 500, 50, 500, 50),
    ("treated worse", 2000, 150, 400, 40),
    ("large", 90000, 4860, 10000, 500),
    ("tiny", 20, 5, 10, 1),
]

out = []
for name, n1, x1, n2, x2 in CASES:
    z, p = proportions_ztest([x1, x2], [n1, n2])
    lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="wald", compare="diff", alpha=0.05)
    p1, p2 = x1 / n1, x2 / n2
    ss = None
    if p1 != p2:
        ss = float(samplesize_proportions_2indep_onetail(diff=p1 - p2, prop2=p2, power=0.8, alpha=0.05,
                                                           alternative="two-sided"))
    out.append({"name": name, "treated": [n1, x1], "control": [n2, x2], "z": float(z), "p_value": float(p),
                "ci_low": float(lo), "ci_high": float(hi), "sample_size": ss})
print(json.dumps(out, indent=1))
