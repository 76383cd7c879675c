#!/usr/bin/env bash
# Times one Baum–Welch iteration of markov.HMM (Go) and of hmmlearn's
# CategoricalHMM(implementation="scaling") on the same data: the first
# $HMM_BENCH_N (default 100000) MSNBC sequences, K=8 states, 17 symbols,
# and prints both and the speed ratio.
#
#   scripts/peers/hmm_bench.sh
#
# Go: go test -run '^$' -bench BaumWelch ./markov/ (GOMAXPROCS = all cores,
# then GOMAXPROCS=1), the median of 5 runs of 10 iterations each.
# hmmlearn: one warm-up iteration, then fit(n_iter=3), wall time / 3. Its
# E-step is a Python loop over sequences calling C++ kernels (single thread).
#
# Fairness: OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, if set on this machine,
# slow a current numpy; they are unset for the Python command only and the
# OpenBLAS kernel then in use is printed (threadpoolctl).
#
# The venv lives outside the repository (default: ../venv-hmm beside the
# checkout, override with HMM_VENV) and is created from
# scripts/peers/requirements-hmm.txt if missing.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
data="${HMM_BENCH_DATA:-$repo/../shared/datasets/msnbc/msnbc990928.seq.gz}"
n="${HMM_BENCH_N:-100000}"
venv="${HMM_VENV:-$(dirname "$repo")/venv-hmm}"

if [[ ! -f "$data" ]]; then
	echo "hmm_bench: dataset $data not found" >&2
	exit 1
fi
if [[ "$n" != 100000 ]]; then
	echo "hmm_bench: note: the Go benchmark always uses 100000 sequences" >&2
fi
if [[ ! -x "$venv/bin/python" ]]; then
	echo "hmm_bench: creating venv $venv" >&2
	python3 -m venv "$venv"
	"$venv/bin/pip" install -q -r scripts/peers/requirements-hmm.txt
fi

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
gobench() {
	go test -run '^$' -bench '^BenchmarkBaumWelch$' -benchtime 10x -count 5 ./markov/ |
		awk '/^BenchmarkBaumWelch/ {print $3/1e9}' | median
}

echo "== Go: markov.HMM Baum–Welch, K=8, first 100000 sequences" >&2
go_s="$(gobench)"
go1_s="$(GOMAXPROCS=1 gobench)"

echo "== hmmlearn: CategoricalHMM(implementation=\"scaling\"), K=8, first $n sequences" >&2
py_out="$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$venv/bin/python" scripts/peers/hmm_reference.py bench \
	--data "$data" --n "$n" --k 8 --iters 3)"
py_s="$(awk '/^hmmlearn_sec_per_iter/ {print $2}' <<<"$py_out")"
echo "$py_out" >&2

awk -v g="$go_s" -v g1="$go1_s" -v p="$py_s" -v cores="$(nproc)" 'BEGIN {
	printf "go      s/iter %.4f  (GOMAXPROCS=%d)\n", g, cores
	printf "go      s/iter %.4f  (GOMAXPROCS=1)\n", g1
	printf "hmmlearn s/iter %.4f\n", p
	printf "speed ratio hmmlearn/go = %.1fx (all cores), %.1fx (one core)\n", p / g, p / g1
}'
