#!/usr/bin/env python3
"""Golden numbers for markov/psi: the population-stability index by hand.

    python3 scripts/peers/psi_reference.py > markov/psi/testdata/psi.json

Standard library only, written out from the formula, not from the Go code:
- sort the reference; decile edge k (k = 1..9) is the value at 1-based rank
  ceil(k * n / 10); equal edges are kept once;
- bins (-inf, q1], (q1, q2], ..., (qm, +inf); e_i and a_i the shares of the
  reference and the actual values in bin i;
- PSI = sum over bins of (a_i - e_i) * ln(a_i / e_i), a share of 0 replaced
  by 1e-4 (not renormalised).
Each case keeps its values, so the Go test needs no random generator.
"""
import json
import math
import random

EPSILON = 1e-4


def ceil_div(a, b):
    return -(-a // b)


def edges(reference):
    x = sorted(reference)
    n = len(x)
    out = []
    for k in range(1, 10):
        q = x[ceil_div(k * n, 10) - 1]
        if not out or q > out[-1]:
            out.append(q)
    return out


def shares(values, qs):
    counts = [0] * (len(qs) + 1)
    for v in values:
        i = 0
        while i < len(qs) and v > qs[i]:  # v belongs to the first bin whose upper edge is >= v
            i += 1
        counts[i] += 1
    return [c / len(values) for c in counts]


def psi(e, a):
    total = 0.0
    for ei, ai in zip(e, a):
        ei = ei if ei > 0 else EPSILON
        ai = ai if ai > 0 else EPSILON
        total += (ai - ei) * math.log(ai / ei)
    return total


def case(name, reference, actual):
    qs = edges(reference)
    e, a = shares(reference, qs), shares(actual, qs)
    return {"name": name, "reference": reference, "actual": actual, "edges": qs,
            "expected": e, "actual_shares": a, "psi": psi(e, a)}


def main():
    rng = random.Random(16)
    normal_ref = [round(rng.gauss(0, 1), 6) for _ in range(1000)]
    normal_same = [round(rng.gauss(0, 1), 6) for _ in range(800)]
    normal_shift = [round(rng.gauss(0.5, 1.2), 6) for _ in range(800)]
    counts_ref = [float(rng.choice([0, 0, 0, 0, 1, 1, 2, 3, 5, 8])) for _ in range(500)]
    counts_shift = [float(rng.choice([0, 1, 2, 3, 5, 8, 8, 13, 13, 21])) for _ in range(400)]
    cases = [
        case("hand: ten values, all mass moved into the two lowest bins",
             [float(v) for v in range(1, 11)], [1.0] * 5 + [2.0] * 5),
        case("identical", [float(v) for v in range(1, 21)], [float(v) for v in range(1, 21)]),
        case("fewer than ten values", [3.0, 1.0, 2.0], [1.0, 1.0, 5.0, 7.0]),
        case("constant reference", [2.0] * 50, [1.0, 2.0, 2.0, 3.0]),
        case("normal, same distribution", normal_ref, normal_same),
        case("normal, shifted and wider", normal_ref, normal_shift),
        case("counts with ties, shifted up", counts_ref, counts_shift),
    ]
    print(json.dumps(cases, indent=1))


if __name__ == "__main__":
    main()
