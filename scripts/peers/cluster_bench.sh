#!/usr/bin/env bash
# Times k-means model selection in Go (cluster.Choose: k = 2..10, 4
# restarts each, sampled silhouettes, Calinski–Harabasz) and in
# scikit-learn on the same matrix: the scaled behaviour vectors of
# synth.Shop's 1M events (about 102,000 people, BenchmarkDiscover), and
# prints both and the ratio.
#
#   scripts/peers/cluster_bench.sh
#
# Go: go test -bench 'Discover/kmeans' -benchtime 3x ./journeys/profile/
# (GOMAXPROCS = all cores). scikit-learn: the best of 3 runs of
# scripts/peers/cluster_bench.py (OpenMP on all cores). The venv lives
# outside the repository (default ../venv-cluster beside the checkout,
# override with CLUSTER_VENV) and is created from
# scripts/peers/requirements-cluster.txt if missing.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
venv="${CLUSTER_VENV:-$(dirname "$repo")/venv-cluster}"
if [[ ! -x "$venv/bin/python" ]]; then
	echo "cluster_bench: creating venv $venv" >&2
	python3 -m venv "$venv"
	"$venv/bin/pip" install -q -r scripts/peers/requirements-cluster.txt
fi
matrix="$(mktemp)"
trap 'rm -f "$matrix"' EXIT
go_out="$(CLUSTER_BENCH_MATRIX="$matrix" go test -run '^$' -bench 'Discover/kmeans' -benchtime 3x ./journeys/profile/)"
echo "$go_out" | grep Benchmark
go_ns="$(echo "$go_out" | awk '/Discover\/kmeans/ {print $3}')"
py_out="$("$venv/bin/python" scripts/peers/cluster_bench.py --runs 3 "$matrix")"
echo "$py_out"
py_s="$(echo "$py_out" | awk '/sklearn seconds/ {print $3}')"
awk -v g="$go_ns" -v p="$py_s" 'BEGIN { printf "go %.2f s, scikit-learn %.2f s, go/sklearn %.2f\n", g/1e9, p, (g/1e9)/p }'
