#!/usr/bin/env bash
# scripts/neo4j.sh: obtain, start, stop a local Neo4j Community server on loopback.
#
#   scripts/neo4j.sh start    fetch jars (Maven Central, cached), write config, start, wait for Bolt
#   scripts/neo4j.sh stop     stop it cleanly (SIGTERM, then SIGKILL after a timeout)
#   scripts/neo4j.sh restart  stop then start
#   scripts/neo4j.sh status   exit 0 when running and Bolt answers
#   scripts/neo4j.sh env      print NEO4J_* export lines for the running server
#   scripts/neo4j.sh kill     SIGKILL it (tests of crash recovery)
#   scripts/neo4j.sh wipe     stop and delete the local database (jars are kept)
#   scripts/neo4j.sh admin-import ARGS...
#                             with the server stopped, replace database neo4j by an offline
#                             import: neo4j-admin database import full neo4j --overwrite-destination
#                             ARGS (--nodes=..., --relationships=...); refuses while it runs
#
# Everything lives in $NEO4J_LOCAL_DIR (default .neo4j/ at the repo root, git-ignored).
# Settings (environment): NEO4J_VERSION (5.26.30), NEO4J_BOLT_PORT (7687), NEO4J_PASSWORD
# (generated once and kept in .neo4j/password when unset), NEO4J_HEAP (2g), NEO4J_PAGECACHE (1g),
# NEO4J_LIB_DIR (where the jars are cached; default $NEO4J_LOCAL_DIR/lib-$NEO4J_VERSION).
# NEO4J_CDS (on): the server and neo4j-admin keep the classes they load in a class-data archive
# ($NEO4J_LOCAL_DIR/cds-*.jsa, written when a JVM exits cleanly the first time, then mapped at
# every start: the server starts with about a third less CPU); off leaves the JVM's defaults.
# Starting twice is harmless: a running server is reused.
#
# A private second server (tests, benchmarks) beside the usual one: set NEO4J_LOCAL_DIR to another
# folder and NEO4J_BOLT_PORT to another port (and NEO4J_LIB_DIR to the usual jars to skip the
# download); every subcommand then acts on that server only.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${NEO4J_LOCAL_DIR:-$root/.neo4j}
version=${NEO4J_VERSION:-5.26.30}
port=${NEO4J_BOLT_PORT:-7687}
heap=${NEO4J_HEAP:-2g}
pagecache=${NEO4J_PAGECACHE:-1g}
lib=${NEO4J_LIB_DIR:-$dir/lib-$version}
home=$dir/home
pidfile=$dir/neo4j.pid

log() { printf 'neo4j.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# cds_opts NAME sets cds to the JVM options of the class-data archive NAME: use it when it
# exists, else write it (to a .tmp file, kept by cds_keep after a clean exit), without the
# hundreds of lines of classes it cannot hold. None with NEO4J_CDS=off.
cds_opts() {
  cds=()
  [ "${NEO4J_CDS:-on}" = off ] && return 0
  local jsa=$dir/cds-$version-$1.jsa
  if [ -s "$jsa" ]; then cds=('-Xlog:cds*=off' "-XX:SharedArchiveFile=$jsa")
  else cds=('-Xlog:cds*=off' "-XX:ArchiveClassesAtExit=$jsa.tmp"); fi
}

# cds_keep NAME keeps the archive a JVM wrote as it exited; cds_drop NAME drops a partial one.
cds_keep() { local jsa=$dir/cds-$version-$1.jsa; [ ! -s "$jsa.tmp" ] || mv -f "$jsa.tmp" "$jsa"; }
cds_drop() { rm -f "$dir/cds-$version-$1.jsa.tmp"; }

bolt_open() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

running_pid() {
  [ -f "$pidfile" ] || return 1
  local pid; pid=$(cat "$pidfile")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

password() {
  if [ -n "${NEO4J_PASSWORD:-}" ]; then echo "$NEO4J_PASSWORD"; return; fi
  if [ ! -s "$dir/password" ]; then
    mkdir -p "$dir"
    (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$dir/password")
  fi
  cat "$dir/password"
}

fetch() {
  [ -f "$lib/.complete" ] && return 0
  command -v mvn >/dev/null || die "mvn not found: install Maven (and Java 17+) to fetch Neo4j"
  command -v java >/dev/null || die "java not found: Neo4j $version needs Java 17+"
  log "fetching Neo4j Community $version from Maven Central into $lib"
  local build=$dir/build
  mkdir -p "$build"
  cat > "$build/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.journeygraph</groupId><artifactId>neo4j-runtime</artifactId><version>1</version>
  <dependencies>
    <!-- org.neo4j:neo4j holds org.neo4j.server.CommunityEntryPoint; neo4j-server the server modules -->
    <dependency><groupId>org.neo4j</groupId><artifactId>neo4j</artifactId><version>$version</version></dependency>
    <dependency><groupId>org.neo4j.app</groupId><artifactId>neo4j-server</artifactId><version>$version</version></dependency>
  </dependencies>
</project>
POM
  rm -rf "$lib.tmp"
  if ! mvn -q -B -Dstyle.color=never -f "$build/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$lib.tmp" >"$build/mvn.log" 2>&1; then
    cat "$build/mvn.log" >&2
    die "mvn could not fetch Neo4j $version (log above)"
  fi
  rm -rf "$lib" && mv "$lib.tmp" "$lib" && touch "$lib/.complete"
}

configure() {
  mkdir -p "$home/conf" "$home/data" "$home/logs" "$home/plugins" "$home/run" "$home/import"
  cat > "$home/conf/neo4j.conf" <<CONF
# Written by scripts/neo4j.sh; edits are overwritten at the next start.
server.default_listen_address=127.0.0.1
server.bolt.listen_address=127.0.0.1:$port
server.bolt.advertised_address=127.0.0.1:$port
server.http.enabled=false
server.https.enabled=false
server.memory.heap.initial_size=$heap
server.memory.heap.max_size=$heap
server.memory.pagecache.size=$pagecache
db.tx_log.rotation.retention_policy=100M size
# Fill new indexes with a thread per core (Neo4j's default is a quarter of the cores, one here):
# the indexes of a bulk load are filled after its start.
internal.dbms.index_population.workers=0
dbms.usage_report.enabled=false
server.directories.data=$home/data
server.directories.logs=$home/logs
server.directories.plugins=$home/plugins
server.directories.run=$home/run
server.directories.import=$home/import
CONF
}

start() {
  if pid=$(running_pid) && bolt_open; then
    log "already running (pid $pid, bolt 127.0.0.1:$port)"; return 0
  fi
  if bolt_open; then
    die "port $port is taken by another process: set NEO4J_BOLT_PORT, or NEO4J_URI to use that server"
  fi
  fetch
  configure
  export NEO4J_HOME=$home NEO4J_CONF=$home/conf
  if [ ! -f "$home/data/dbms/auth.ini" ]; then
    java -cp "$lib/*" org.neo4j.cli.AdminTool dbms set-initial-password "$(password)" >/dev/null \
      || die "could not set the initial password"
  fi
  log "starting Neo4j $version on bolt://127.0.0.1:$port (heap $heap, page cache $pagecache)"
  local cds; cds_opts server
  nohup java "${cds[@]}" -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
    -cp "$lib/*" org.neo4j.server.CommunityEntryPoint \
    --home-dir="$home" --config-dir="$home/conf" >"$home/logs/console.log" 2>&1 &
  echo $! > "$pidfile"
  local i
  for i in $(seq 1 180); do
    if ! running_pid >/dev/null; then
      tail -n 40 "$home/logs/console.log" "$home/logs/neo4j.log" >&2 2>/dev/null || true
      die "Neo4j exited during start (logs in $home/logs)"
    fi
    if bolt_open && grep -q 'Started\.' "$home/logs/neo4j.log" 2>/dev/null; then
      log "ready after ${i}s"; return 0
    fi
    sleep 1
  done
  die "Neo4j did not open bolt on port $port within 180s (logs in $home/logs)"
}

stop() {
  local pid
  if ! pid=$(running_pid); then log "not running"; rm -f "$pidfile"; return 0; fi
  kill -TERM "$pid"
  local i
  for i in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; cds_keep server; log "stopped"; return 0; }
    sleep 1
  done
  log "did not stop within 60s: killing"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"; cds_drop server
}

# admin_import runs neo4j-admin's offline import into database neo4j (replacing it) with the
# server's configuration; the server must be stopped.
admin_import() {
  if running_pid >/dev/null; then
    die "Neo4j is running (bolt 127.0.0.1:$port): stop it before an offline import"
  fi
  fetch
  configure
  export NEO4J_HOME=$home NEO4J_CONF=$home/conf
  log "importing into database neo4j of $home (offline, replacing it)"
  local cds; cds_opts admin
  if java "${cds[@]}" -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -cp "$lib/*" org.neo4j.cli.AdminTool \
    database import full neo4j --overwrite-destination=true "$@"; then
    cds_keep admin
  else
    local rc=$?; cds_drop admin; return $rc
  fi
}

case "${1:-}" in
  start) start ;;
  admin-import) shift; admin_import "$@" ;;
  stop) stop ;;
  restart) stop; start ;;
  kill)
    if pid=$(running_pid); then kill -KILL "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done; fi
    rm -f "$pidfile"; cds_drop server; log "killed" ;;
  status)
    if pid=$(running_pid) && bolt_open; then echo "running (pid $pid, bolt 127.0.0.1:$port)"; else echo "not running"; exit 1; fi ;;
  env)
    echo "export NEO4J_URI=bolt://127.0.0.1:$port"
    echo "export NEO4J_USER=neo4j"
    echo "export NEO4J_PASSWORD=$(password)"
    echo "export NEO4J_DATABASE=neo4j" ;;
  wipe) stop; rm -rf "$home/data" ;;
  *) echo "usage: $0 start|stop|restart|kill|status|env|wipe|admin-import ARGS" >&2; exit 2 ;;
esac
