#!/usr/bin/env bash
# Times fitting and scoring a propensity model on 1M people with 20
# standardised features in Go (markov/logit: LBFGS fit, predict, AUC;
# BenchmarkFitScore1M) and in scikit-learn (LogisticRegression lbfgs,
# predict_proba, roc_auc_score) on the same matrix and tolerance, and
# prints both and the ratio.
#
#   scripts/peers/propensity_bench.sh
#
# Go: go test -bench FitScore1M -benchtime 3x ./markov/logit/ (the mean of
# 3). scikit-learn: the best of 3 runs of scripts/peers/propensity_sklearn.py
# --bench. The venv lives outside the repository (default ../venv-cluster
# beside the checkout, override with CLUSTER_VENV) and is created from
# scripts/peers/requirements-propensity.txt if missing.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
venv="${CLUSTER_VENV:-$(dirname "$repo")/venv-cluster}"
if [[ ! -x "$venv/bin/python" ]]; then
	echo "propensity_bench: creating venv $venv" >&2
	python3 -m venv "$venv"
	"$venv/bin/pip" install -q -r scripts/peers/requirements-propensity.txt
fi
matrix="$(mktemp)"
trap 'rm -f "$matrix"' EXIT
go_out="$(PROPENSITY_BENCH_MATRIX="$matrix" go test -run '^$' -bench FitScore1M -benchtime 3x ./markov/logit/)"
echo "$go_out" | grep Benchmark
go_ns="$(echo "$go_out" | awk '/FitScore1M/ {print $3}')"
py_out="$("$venv/bin/python" scripts/peers/propensity_sklearn.py --bench "$matrix")"
echo "$py_out"
py_s="$(echo "$py_out" | awk '/sklearn seconds/ {print $3}')"
awk -v g="$go_ns" -v p="$py_s" 'BEGIN { printf "go %.2f s, scikit-learn %.2f s, go/sklearn %.2f\n", g/1e9, p, (g/1e9)/p }'
