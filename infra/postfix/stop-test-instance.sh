#!/usr/bin/env bash
# Stops a Postfix test instance started by start-test-instance.sh and waits until its master is gone.
#
#   bash infra/postfix/stop-test-instance.sh <dir>
#
# Idempotent: with nothing running in <dir>, it does nothing and exits 0. The directory (queue and
# log) is left for the caller to inspect or delete. Environment: POSTFIX_WAIT_SECONDS (15).
set -euo pipefail

[[ $# -eq 1 ]] || {
  printf 'usage: %s <dir>\n' "$0" >&2
  exit 1
}
dir=$1
pid_file="$dir/queue/pid/master.pid"
wait_seconds="${POSTFIX_WAIT_SECONDS:-15}"

[[ -s $pid_file ]] || exit 0
pid="$(tr -d ' ' <"$pid_file")"
kill -0 "$pid" 2>/dev/null || exit 0
# `postfix stop` signals master through the same pid file; its children stop with it.
/usr/sbin/postfix -c "$dir/etc" stop >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
deadline=$((SECONDS + wait_seconds))
while kill -0 "$pid" 2>/dev/null; do
  if ((SECONDS >= deadline)); then
    kill -KILL "$pid" 2>/dev/null || true
    break
  fi
  sleep 0.2
done
