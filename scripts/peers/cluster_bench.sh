#!/usr/bin/env bash
# Times segment discovery in Go and in scikit-learn on the same matrix (the
# scaled behaviour vectors BenchmarkDiscover or BenchmarkDiscover1M
# builds) and prints both, the wall-time ratio and the CPU-time ratio
# (user + system seconds of each process: what a loaded machine inflates
# least).
#
#   scripts/peers/cluster_bench.sh          # k-means selection, synth.Shop 1M events (102,466 people)
#   scripts/peers/cluster_bench.sh 1m       # every part of BenchmarkDiscover1M (10M events, 1,023,445 people); k-means compared
#   scripts/peers/cluster_bench.sh dbscan   # DBSCAN on the first 20,000 (MaxDBSCAN) of the 102,466 people
#   scripts/peers/cluster_bench.sh dbscan 100000   # ... on the first 100,000 (beyond MaxDBSCAN: the benchmark only)
#
# k-means: Go cluster.Choose (k = 2..10, 4 restarts each; above 50,000
# people every k on a seeded sample of 50,000, then the chosen k on
# everyone from the sample's centroids); scikit-learn the same steps
# (scripts/peers/cluster_bench.py: KMeans n_init=4 on the same-size sample,
# silhouette on 2,000, then KMeans from the chosen sample centroids on
# everyone). DBSCAN: Go Discover's dbscan (every point's k-distance, eps
# at the knee, FitDBSCAN, both scanning every point in 20 features);
# scikit-learn NearestNeighbors.kneighbors, the same knee, DBSCAN. Go uses every core (GOMAXPROCS), scikit-learn its
# OpenMP threads on every core. Go runs once per part (-benchtime 1x;
# 3x for the 102,466-people k-means, whose mean is printed), scikit-learn once.
# The venv lives outside the repository (default ../venv-cluster
# beside the checkout, override with CLUSTER_VENV) and is created from
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
mode="${1:-kmeans}"
case "$mode" in
kmeans) bench='^BenchmarkDiscover$/^kmeans$' times=3x runs=1 py_args=() ;;
1m) bench='^BenchmarkDiscover1M$' times=1x runs=1 py_args=() ;;
dbscan)
	rows="${2:-20000}"
	export JOURNEYGRAPH_BENCH_DBSCAN_ROWS="$rows"
	bench='^BenchmarkDiscover$/^dbscan$' times=1x runs=1 py_args=(--dbscan --rows "$rows") ;;
*) echo "usage: $0 [kmeans|1m|dbscan [ROWS]]" >&2; exit 2 ;;
esac
matrix="$(mktemp)"
trap 'rm -f "$matrix"' EXIT
uptime
go_out="$(CLUSTER_BENCH_MATRIX="$matrix" go test -run '^$' -bench "$bench" -benchtime "$times" -timeout 60m ./journeys/profile/)"
echo "$go_out" | grep Benchmark
go_ns="$(echo "$go_out" | awk '/\/(kmeans|dbscan)-[0-9]+ / {print $3}')"
go_cpu="$(echo "$go_out" | awk '/\/(kmeans|dbscan)-[0-9]+ / {for (i = 1; i < NF; i++) if ($(i+1) == "cpu-s/op") print $i}')"
py_out="$("$venv/bin/python" scripts/peers/cluster_bench.py --runs "$runs" "${py_args[@]}" "$matrix")"
echo "$py_out"
py_s="$(echo "$py_out" | awk '/sklearn seconds/ {print $3}')"
py_cpu="$(echo "$py_out" | awk '/sklearn seconds/ {print $5}')"
uptime
awk -v g="$go_ns" -v p="$py_s" -v gc="$go_cpu" -v pc="$py_cpu" -v m="$mode" 'BEGIN {
	printf "%s: go %.2f s (cpu %.2f s), scikit-learn %.2f s (cpu %.2f s); go/sklearn wall %.2f, cpu %.2f\n", m, g/1e9, gc, p, pc, (g/1e9)/p, gc/pc }'
