#!/bin/sh
# Entry point of the SotaMail image (one image, five services).
#
#   docker run sotamail:local <service> [node args…]   or   docker run -e SERVICE=<service> sotamail:local
#   <service>: config-api | fetcher | router | dispatcher | bounce-processor | migrate
# Anything else is run as a command (docker run -it sotamail:local bash).
set -eu

service="${1:-${SERVICE:-}}"
case "$service" in
  config-api | fetcher | router | dispatcher | bounce-processor)
    [ $# -gt 0 ] && shift
    # The healthcheck (infra/docker/healthcheck.mjs) reads which service this container runs.
    printf '%s\n' "$service" >/tmp/sotamail-service 2>/dev/null || true
    cd "/app/apps/$service"
    # = `npm run start -w @sotamail/<service>`, without npm in between: node gets the signals.
    exec node dist/main.js "$@"
    ;;
  migrate)
    printf 'migrate\n' >/tmp/sotamail-service 2>/dev/null || true
    cd /app
    exec node packages/db/dist/migrate-cli.js
    ;;
  '')
    echo "usage: <config-api|fetcher|router|dispatcher|bounce-processor|migrate> (argument or SERVICE)" >&2
    exit 64
    ;;
  *)
    exec "$@"
    ;;
esac
