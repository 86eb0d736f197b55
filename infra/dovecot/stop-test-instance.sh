#!/usr/bin/env bash
# Stops a Dovecot started by start-test-instance.sh: SIGTERM to its master, bounded wait, then SIGKILL
# of the master and of its children. Safe to call when it is not running.
#
#   bash infra/dovecot/stop-test-instance.sh <dir>
set -euo pipefail

[[ $# -eq 1 ]] || {
  printf 'usage: %s <dir>\n' "$0" >&2
  exit 1
}
dir=$1
pidfile="$dir/run/master.pid"
wait_seconds="${DOVECOT_WAIT_SECONDS:-15}"

if [[ ! -s $pidfile ]]; then
  echo "dovecot test instance in $dir: not running"
  exit 0
fi
pid="$(cat "$pidfile")"
if ! kill -0 "$pid" 2>/dev/null; then
  rm -f "$pidfile"
  echo "dovecot test instance in $dir: not running (stale pid $pid)"
  exit 0
fi

children() { pgrep -P "$pid" 2>/dev/null || true; }

kill -TERM "$pid" 2>/dev/null || true
for ((i = 0; i < wait_seconds * 10; i++)); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
  echo "dovecot test instance in $dir: master $pid ignored SIGTERM for ${wait_seconds}s, killing it" >&2
  mapfile -t kids < <(children)
  kill -KILL "$pid" "${kids[@]}" 2>/dev/null || true
fi
rm -f "$pidfile"
echo "dovecot test instance in $dir: stopped"
