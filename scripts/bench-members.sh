#!/usr/bin/env bash
# Members lookup under load, from another process: serves the API of the
# Neo4j in use (scripts/neo4j.sh's unless NEO4J_URI is set) with
# bin/journeygraph serve, waits for its startup work (segment refreshes,
# journey cache), then sends
# GET /api/v1/segments/SEGMENT/members?limit=50 at RATE requests/s for
# DURATION with vegeta (an open-loop load generator that counts latency from
# when each request was due), three times, and prints vegeta's reports.
# vegeta is built from the Go module proxy into .tools/ (pinned version).
#
# usage: scripts/bench-members.sh [SEGMENT] [RATE] [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
segment=${1:-unsubscribed} rate=${2:-2000} duration=${3:-10s}
vegeta_version=v12.12.0
port=${BENCH_PORT:-8098}

if [ ! -x .tools/vegeta ]; then
  echo "bench-members: building vegeta $vegeta_version into .tools/" >&2
  GOBIN="$PWD/.tools" go install "github.com/tsenart/vegeta/v12@$vegeta_version"
fi
if [ -z "${NEO4J_URI:-}" ]; then
  scripts/neo4j.sh start >&2
  eval "$(scripts/neo4j.sh env)"
fi
go build -o bin/journeygraph ./cmd/journeygraph
log=$(mktemp)
JOURNEYGRAPH_READ_KEYS=bench-read JOURNEYGRAPH_WRITE_KEYS=bench-write \
  bin/journeygraph serve --addr "127.0.0.1:$port" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -f "$log"' EXIT
url="http://127.0.0.1:$port/api/v1/segments/$segment/members?limit=50"
for _ in $(seq 120); do
  curl -fs -o /dev/null -H "Authorization: Bearer bench-read" "$url" && break
  sleep 1
done
# The server refreshes every segment and loads its journey cache at
# startup: wait until both are over.
for _ in $(seq 600); do
  [ "$(grep -c 'segment refreshed' "$log")" -ge 8 ] && grep -q 'journey cache loaded' "$log" && break
  sleep 1
done
sleep 5
bytes=$(curl -fs -H "Authorization: Bearer bench-read" "$url" | wc -c)
echo "members lookup: $segment (a page of $bytes bytes), $rate req/s for $duration, 3 runs"
for run in 1 2 3; do
  echo "GET $url" | .tools/vegeta attack -header "Authorization: Bearer bench-read" -rate="$rate" -duration="$duration" |
    .tools/vegeta report | sed "s/^/run $run: /" | grep -E "Requests|Latencies|Success|Status"
done
