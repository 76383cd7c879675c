#!/usr/bin/env python3
"""Reference attribution for markov/ from the ChannelAttribution package.

Runs ChannelAttribution's markov_model (order 1, default settings) and
heuristic_models on the aggregated path file (path;total_conversions;
total_conversion_value;total_null) and writes golden files that the Go tests
in markov/ read without Python:

  markov_default.csv   markov_model, default settings (nsim_start=1e5, seed=0)
  markov_1e7.csv       markov_model, nsim_start=1e7 (less simulation noise)
  markov_seeds.csv     mean and standard deviation over SEEDS independent runs
                       with the default settings (seeds 0, 10, ..., 10*(SEEDS-1)):
                       the measured noise of the simulation, used for the Go
                       tolerances
  heuristics.csv       heuristic_models: first, last and linear touch
  transition_matrix.csv  markov_model's order-1 transition matrix (repeats collapsed)
  meta.json            versions, arguments, timings

markov_model arguments used: var_path="path", var_conv="total_conversions",
var_value="total_conversion_value", var_null="total_null", order=1, out_more=True.

Usage: attribution.py [--data Data.csv] [--out DIR] [--seeds N] [--time-only]
With --time-only it prints only the best wall time of markov_model (seconds).
"""
import argparse
import importlib.metadata
import json
import os
import sys
import time

import numpy as np
import pandas as pd
import ChannelAttribution as ca

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_DATA = os.path.join(os.path.dirname(ROOT), "shared", "datasets",
                            "channelattribution_paths", "Data.csv")
DEFAULT_OUT = os.path.join(ROOT, "markov", "testdata", "attribution")

ARGS = dict(var_path="path", var_conv="total_conversions",
            var_value="total_conversion_value", var_null="total_null",
            order=1, out_more=True, verbose=False, flg_pro=False)


def markov(data, **kw):
    a = dict(ARGS)
    a.update(kw)
    r = ca.markov_model(data, **a)
    res = r["result"].merge(r["removal_effects"], on="channel_name")
    return res, r["transition_matrix"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--time-only", action="store_true")
    ap.add_argument("--repeat", type=int, default=5)
    opt = ap.parse_args()

    data = pd.read_csv(opt.data, sep=";")

    if opt.time_only:
        best = float("inf")
        for _ in range(opt.repeat):
            t0 = time.perf_counter()
            ca.markov_model(data, "path", "total_conversions",
                            var_value="total_conversion_value",
                            var_null="total_null", verbose=False, flg_pro=False)
            best = min(best, time.perf_counter() - t0)
        print(f"{best:.6f}")
        return

    os.makedirs(opt.out, exist_ok=True)
    fmt = "%.17g"

    t0 = time.perf_counter()
    res, tm = markov(data)
    t_default = time.perf_counter() - t0
    res.sort_values("channel_name").to_csv(
        os.path.join(opt.out, "markov_default.csv"), index=False, float_format=fmt)

    # Transition matrix: ChannelAttribution labels channels by their index in
    # order of first appearance (1-based); the result lists them in that order.
    names = ["(start)"] + list(res["channel_name"])  # res keeps CA's order here
    def name(s):
        s = str(s)
        return names[int(s)] if s.isdigit() else s
    tm = tm.assign(channel_from=tm["channel_from"].map(name),
                   channel_to=tm["channel_to"].map(name))
    tm = tm.replace({"(null)": "(exit)"})
    tm.sort_values(["channel_from", "channel_to"]).to_csv(
        os.path.join(opt.out, "transition_matrix.csv"), index=False, float_format=fmt)

    t0 = time.perf_counter()
    big, _ = markov(data, nsim_start=1e7)
    t_big = time.perf_counter() - t0
    big.sort_values("channel_name").to_csv(
        os.path.join(opt.out, "markov_1e7.csv"), index=False, float_format=fmt)

    # Fold r of a run with seed s draws from mt19937(s + r): seeds 10 apart
    # (nfold = 10) give independent runs.
    runs = [markov(data, seed=10 * s)[0].set_index("channel_name") for s in range(opt.seeds)]
    cols = ["total_conversions", "total_conversion_value",
            "removal_effects_conversion", "removal_effects_conversion_value"]
    stack = np.stack([r.loc[sorted(runs[0].index), cols].to_numpy() for r in runs])
    seeds = pd.DataFrame({"channel_name": sorted(runs[0].index)})
    for i, c in enumerate(cols):
        seeds[c + "_mean"] = stack[:, :, i].mean(axis=0)
        seeds[c + "_sd"] = stack[:, :, i].std(axis=0, ddof=1)
    seeds.to_csv(os.path.join(opt.out, "markov_seeds.csv"), index=False, float_format=fmt)

    h = ca.heuristic_models(data, "path", "total_conversions",
                            var_value="total_conversion_value", flg_pro=False)
    h.sort_values("channel_name").to_csv(
        os.path.join(opt.out, "heuristics.csv"), index=False, float_format=fmt)

    meta = {
        "package": "ChannelAttribution",
        "version": importlib.metadata.version("ChannelAttribution"),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "data": os.path.basename(opt.data),
        "rows": int(len(data)),
        "markov_model": {k: v for k, v in ARGS.items() if k not in ("verbose", "flg_pro")},
        "defaults": {"nsim_start": 1e5, "nfold": 10, "seed": 0, "conv_par": 0.05,
                     "rate_step_sim": 1.5, "max_step": None, "sep": ">"},
        "markov_1e7": {"nsim_start": 1e7, "seed": 0},
        "seeds": [10 * s for s in range(opt.seeds)],
        "seconds_default": round(t_default, 4),
        "seconds_1e7": round(t_big, 4),
        "notes": "(null) renamed (exit) in transition_matrix.csv; channel ids mapped to names.",
    }
    with open(os.path.join(opt.out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
