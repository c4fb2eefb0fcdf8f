#!/usr/bin/env bash
# Start, stop or check a real Elasticsearch 8 node for the tests, run from Maven artifacts by
# org.codelibs:elasticsearch-cluster-runner (no Docker, no download outside Maven).
#
#   scripts/elasticsearch.sh start   # resolves the runner, starts one node, waits until green
#   scripts/elasticsearch.sh stop
#   scripts/elasticsearch.sh status
#
# On success it writes the node's URL to var/elasticsearch/url; the test suite reads it
# (or ELASTICSEARCH_TEST_URL) and skips the Elasticsearch tests, loudly, when there is none.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
HOME_DIR="$ROOT/var/elasticsearch"
PID_FILE="$HOME_DIR/pid"
URL_FILE="$HOME_DIR/url"
LOG_FILE="$HOME_DIR/node.log"
# Any 8.x release of the runner; Maven picks the newest it can resolve.
RUNNER_RANGE="${ES_RUNNER_VERSION:-[8.0.0.0,9.0.0.0)}"
HTTP_PORT="${ES_HTTP_PORT:-9201}"

say() { echo "[elasticsearch] $*" >&2; }

resolve() {
  mkdir -p "$HOME_DIR/lib"
  cat >"$HOME_DIR/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>portal.test</groupId>
  <artifactId>elasticsearch-node</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>org.codelibs</groupId>
      <artifactId>elasticsearch-cluster-runner</artifactId>
      <version>$RUNNER_RANGE</version>
    </dependency>
  </dependencies>
</project>
POM
  if ! mvn -B -q -f "$HOME_DIR/pom.xml" dependency:copy-dependencies -DoutputDirectory="$HOME_DIR/lib" \
      >"$HOME_DIR/maven.log" 2>&1; then
    say "!!! Could not resolve org.codelibs:elasticsearch-cluster-runner $RUNNER_RANGE from Maven:"
    grep -E "ERROR|No versions|Could not" "$HOME_DIR/maven.log" | head -5 >&2 || tail -5 "$HOME_DIR/maven.log" >&2
    return 1
  fi
}

running() { [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

start() {
  if running; then say "already running at $(cat "$URL_FILE")"; return 0; fi
  rm -f "$URL_FILE"
  resolve || return 1
  rm -rf "$HOME_DIR/node"
  say "starting a node on port $HTTP_PORT"
  nohup java -Xms512m -Xmx1g -cp "$HOME_DIR/lib/*" \
    org.codelibs.elasticsearch.runner.ElasticsearchClusterRunner \
    -basePath "$HOME_DIR/node" -numOfNode 1 -baseHttpPort "$((HTTP_PORT - 1))" -clusterName portal-test \
    >"$LOG_FILE" 2>&1 &
  echo $! >"$PID_FILE"
  for _ in $(seq 1 120); do
    if curl -fs "http://127.0.0.1:$HTTP_PORT/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; then
      echo "http://127.0.0.1:$HTTP_PORT" >"$URL_FILE"
      say "ready at http://127.0.0.1:$HTTP_PORT"
      return 0
    fi
    if ! running; then break; fi
    sleep 1
  done
  say "!!! the node did not become ready; last lines of $LOG_FILE:"
  tail -20 "$LOG_FILE" >&2 || true
  stop
  return 1
}

stop() {
  if running; then
    kill "$(cat "$PID_FILE")" 2>/dev/null || true
    for _ in $(seq 1 30); do running || break; sleep 1; done
    running && kill -9 "$(cat "$PID_FILE")" 2>/dev/null || true
  fi
  rm -f "$PID_FILE" "$URL_FILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running && [ -f "$URL_FILE" ]; then cat "$URL_FILE"; else echo "not running"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
