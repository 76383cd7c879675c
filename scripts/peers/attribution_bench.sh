#!/usr/bin/env bash
# Exact attribution (Go, markov/) against ChannelAttribution's simulated
# markov_model on the same file, in one run; prints both times and the ratio.
#
#   scripts/peers/attribution_bench.sh [Data.csv]
#
# Environment: ATTRIBUTION_VENV (default: venv-attr beside the repository;
# created with scripts/peers/requirements-attribution.txt if missing),
# COUNT (Go benchmark repetitions, default 5), REPEAT (Python runs, default 5).
# Both sides report their best time: the machine may be shared.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
data=$(realpath "${1:-$root/../shared/datasets/channelattribution_paths/Data.csv}")
venv=${ATTRIBUTION_VENV:-$(dirname "$root")/venv-attr}
count=${COUNT:-5}
repeat=${REPEAT:-5}

if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c 'import ChannelAttribution' >/dev/null 2>&1; then
	echo "creating $venv (ChannelAttribution compiles from source, a few minutes)" >&2
	python3 -m venv "$venv"
	"$venv/bin/pip" install -q --upgrade pip
	"$venv/bin/pip" install -q -r "$root/scripts/peers/requirements-attribution.txt"
fi

cd "$root"
export ATTRIBUTION_DATA=$data

echo "== correctness: exact removal effects vs ChannelAttribution golden files"
go test -count=1 -run 'ChannelAttribution|ConversionRateIsEmpirical' ./markov/

echo "== Go: go test -run '^\$' -bench Attribution -count $count ./markov/"
gout=$(go test -run '^$' -bench Attribution -count "$count" ./markov/)
echo "$gout" | grep '^Benchmark'
best() { # best ns/op of benchmark $1
	echo "$gout" | awk -v name="$1" '$1 ~ "^"name"(-[0-9]+)?$" {print $3}' | sort -g | head -1
}
go_ns=$(best BenchmarkAttribution)
re_ns=$(best BenchmarkAttributionRemovalEffects500x50)
direct_ns=$(best BenchmarkAttributionRemovalDirect500x50)

echo "== ChannelAttribution $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("ChannelAttribution"))' 2>/dev/null): markov_model (order 1, defaults), best of $repeat"
py_s=$("$venv/bin/python" scripts/peers/attribution.py --time-only --repeat "$repeat" --data "$data" 2>/dev/null | tail -1)

awk -v g="$go_ns" -v p="$py_s" -v r="$re_ns" -v d="$direct_ns" 'BEGIN {
	printf "Data.csv  Go exact (parse+fit+all removal effects+heuristics): %.2f ms\n", g / 1e6
	printf "Data.csv  ChannelAttribution markov_model (simulation):       %.2f ms\n", p * 1e3
	printf "speed ratio ChannelAttribution / Go: %.1fx\n", p * 1e9 / g
	printf "500 states x 50 channels: absorbing analysis + all removal effects %.1f ms (one factorization; per-channel refactorization %.1f ms, %.1fx)\n", r / 1e6, d / 1e6, d / r
}'
