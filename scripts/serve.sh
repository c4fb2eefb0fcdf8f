#!/usr/bin/env bash
# The last step of `make run`: the development server, the task worker and the scheduler,
# as one unit. Ctrl-C, SIGTERM (to make, which passes it on, or to this script) or the end
# of any of the three stops all three, and the embedded PostgreSQL they share stops with
# the last of them (portal/database.py); ALSO_STOP, if set, is run last (it stops the
# search node `make run SEARCH=opensearch` started).
#
# The three run in the background, where a shell without job control makes them ignore
# Ctrl-C's SIGINT, so this script stops them with SIGTERM; the task worker then finishes
# its current task, unless it takes longer than STOP_SECONDS, when a second SIGTERM ends it.
set -uo pipefail

PY=${PY:-.venv/bin/python}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
STOP_SECONDS=${STOP_SECONDS:-10}

pids=()

running() {
  local pid
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null && return 0
  done
  return 1
}

stop() {
  trap '' INT TERM
  kill -TERM "${pids[@]}" 2>/dev/null
  for _ in $(seq $((STOP_SECONDS * 10))); do
    running || break
    sleep 0.1
  done
  kill -TERM "${pids[@]}" 2>/dev/null
  wait
  # Whatever else the run started (the search node of `make run SEARCH=opensearch`).
  if [ -n "${ALSO_STOP:-}" ]; then bash -c "$ALSO_STOP"; fi
}

trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

"$PY" manage.py db_worker --queue-name '*' --no-startup-delay -v 0 &
pids+=($!)
"$PY" manage.py scheduler &
pids+=($!)
DJANGO_DEBUG=true "$PY" manage.py runserver "$HOST:$PORT" &
pids+=($!)

wait -n
status=$?
stop
exit "$status"
