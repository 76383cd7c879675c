#!/usr/bin/env python3
"""Peer reference for journeygraph's markov.HMM (markov/hmm*.go).

golden: fits hmmlearn's CategoricalHMM (implementation="scaling") on an excerpt
of the MSNBC sequences from explicit, seeded starting parameters and writes the
inputs and outputs as JSON under markov/testdata/hmm/, which the Go tests
compare against without Python (TestHMMBaumWelchMatchesHMMLearn).

bench: times hmmlearn's Baum-Welch per iteration on the first N sequences.

Conventions of hmmlearn 0.3.3 that the Go comparison relies on:
  * fit() runs, for each of n_iter iterations, an E-step (log-likelihood of the
    current parameters), then the M-step, then monitor_.report(ll). So
    monitor_.history[i] is the log-likelihood of the parameters *before* the
    i-th M-step (history[0] = starting parameters) and the model left after
    fit has had n_iter M-steps; its own log-likelihood is model.score().
  * tol=-inf so that monitor_.converged is true only at iter == n_iter.
  * Priors are 1.0 (hmmlearn's Dirichlet parameters), so the M-step uses
    max(prior - 1 + counts, 0) = counts exactly: maximum likelihood, no floor.
    start/trans entries that are exactly 0 stay 0 (none are: Dirichlet init).
  * Posteriors are renormalised per frame (fwd*bwd / sum); mathematically the
    sum is 1 already, so only rounding differs from the Go code.
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
from hmmlearn.hmm import CategoricalHMM

M = 17  # MSNBC page categories


def read_msnbc(path, n):
    """First n sequences of an msnbc990928.seq[.gz] file as 0-based int arrays."""
    opener = gzip.open if path.endswith(".gz") else open
    seqs = []
    with opener(path, "rt", newline="") as f:
        for i, line in enumerate(f):
            if i < 7:
                continue
            if len(seqs) >= n:
                break
            seqs.append(np.array([int(x) - 1 for x in line.split()], dtype=np.int64))
    return seqs


def initial_params(k, seed):
    rng = np.random.default_rng(seed)
    return (rng.dirichlet(np.ones(k)),
            rng.dirichlet(np.ones(k), size=k),
            rng.dirichlet(np.ones(M), size=k))


def make_model(k, n_iter, start, trans, emit):
    model = CategoricalHMM(n_components=k, n_features=M, init_params="", params="ste",
                           implementation="scaling", n_iter=n_iter, tol=-np.inf)
    model.startprob_ = start.copy()
    model.transmat_ = trans.copy()
    model.emissionprob_ = emit.copy()
    return model


def stack(seqs):
    return np.concatenate(seqs).reshape(-1, 1), np.array([len(s) for s in seqs])


def golden(args):
    seqs = read_msnbc(args.data, args.n)
    X, lengths = stack(seqs)
    for k, seed in ((4, 4), (8, 8)):
        start, trans, emit = initial_params(k, seed)
        model = make_model(k, args.iters, start, trans, emit)
        model.fit(X, lengths)
        out = {
            "hmmlearn": __import__("hmmlearn").__version__,
            "numpy": np.__version__,
            "data": os.path.basename(args.data), "sequences": len(seqs), "symbols": int(X.size),
            "states": k, "n_iter": args.iters, "seed": seed,
            "initial": {"startprob": start.tolist(), "transmat": trans.tolist(), "emissionprob": emit.tolist()},
            "history": [float(v) for v in model.monitor_.history],
            "final": {"startprob": model.startprob_.tolist(), "transmat": model.transmat_.tolist(),
                      "emissionprob": model.emissionprob_.tolist()},
            "final_loglik": float(model.score(X, lengths)),
        }
        path = os.path.join(args.out, f"hmmlearn_k{k}.json")
        with open(path, "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")
        print(f"wrote {path}: K={k} history[0]={out['history'][0]:.6f} final={out['final_loglik']:.6f}")


def bench(args):
    from threadpoolctl import threadpool_info
    seqs = read_msnbc(args.data, args.n)
    X, lengths = stack(seqs)
    k = args.k
    start, trans, emit = initial_params(k, k)
    # warm-up: one iteration (imports, allocations)
    make_model(k, 1, start, trans, emit).fit(X, lengths)
    model = make_model(k, args.iters, start, trans, emit)
    t0 = time.perf_counter()
    model.fit(X, lengths)
    dt = time.perf_counter() - t0
    per_iter = dt / args.iters
    blas = ", ".join(f"{p.get('internal_api')}:{p.get('architecture')}:{p.get('num_threads')}"
                     for p in threadpool_info()) or "none"
    print(f"hmmlearn {__import__('hmmlearn').__version__} numpy {np.__version__} blas [{blas}]", file=sys.stderr)
    print(f"hmmlearn_sec_per_iter {per_iter:.6f} sequences {len(seqs)} symbols {X.size} K {k} iters {args.iters}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["golden", "bench"])
    p.add_argument("--data", required=True, help="msnbc990928.seq[.gz] or an excerpt with its 7 header lines")
    p.add_argument("--n", type=int, default=2000, help="number of sequences")
    p.add_argument("--iters", type=int, default=50, help="Baum-Welch iterations")
    p.add_argument("--k", type=int, default=8, help="states (bench)")
    p.add_argument("--out", default="markov/testdata/hmm", help="golden output folder")
    args = p.parse_args()
    golden(args) if args.mode == "golden" else bench(args)


if __name__ == "__main__":
    main()
