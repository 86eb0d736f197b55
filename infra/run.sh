#!/usr/bin/env bash
# One entry point for a newcomer, a developer and CI (package.json calls it):
#
#   npm run setup  = bash infra/run.sh setup   dependencies, local Redis/PostgreSQL/Dovecot, .local/env,
#                                              build, database migrations
#   npm start      = bash infra/run.sh start   setup, then all five services in the foreground
#                                              (Ctrl-C stops them all)
#   npm test       = bash infra/run.sh test    dependencies, local services, build, then
#                                              biome check, typecheck, vitest; fails fast
#
# Environment (optional):
#   SOTAMAIL_SKIP_LOCAL_SERVICES=1  do not run infra/local-services.sh (Redis/PostgreSQL run elsewhere;
#                                   point DATABASE_URL/REDIS_URL at them in .local/env)
#   SOTAMAIL_START_TIMEOUT=60       seconds `start` waits for every /health before it prints its banner
#   SOTAMAIL_STOP_TIMEOUT=15        seconds `start` gives the services to stop before SIGKILL
#   NO_COLOR=1                      no colours in `start`'s prefixes
# For `start`, a variable already set in the environment wins over .local/env (LOG_LEVEL=debug npm start).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ENV_FILE="$ROOT/.local/env"
SERVICES=(config-api fetcher router dispatcher bounce-processor)
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
[[ -t 1 ]] || say() { printf '==> %s\n' "$*"; }
die() {
  printf 'run.sh: ERROR: %s\n' "$*" >&2
  exit 1
}

# run_step <label> <command…>: runs it; on failure says which step failed and exits with its code.
run_step() {
  local label=$1 rc=0
  shift
  "$@" || rc=$?
  if [[ $rc -ne 0 ]]; then
    printf 'run.sh: FAILED: %s (exit code %s)\n' "$label" "$rc" >&2
    exit "$rc"
  fi
}

# ---------------------------------------------------------------------------------------------------
# Steps shared by the modes

install_dependencies() {
  if [[ -f package-lock.json ]]; then
    if [[ ! -d node_modules || ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
      say "npm ci (node_modules missing or older than package-lock.json)"
      run_step "npm ci" npm ci --no-audit --no-fund
    fi
  elif [[ ! -d node_modules ]]; then
    say "npm install (no package-lock.json yet)"
    run_step "npm install" npm install --no-audit --no-fund
  fi
}

local_services() {
  if [[ ${SOTAMAIL_SKIP_LOCAL_SERVICES:-0} == 1 ]]; then
    say "local services skipped (SOTAMAIL_SKIP_LOCAL_SERVICES=1)"
    return
  fi
  say "local services (Redis, PostgreSQL, Dovecot)"
  run_step "infra/local-services.sh" bash "$ROOT/infra/local-services.sh" up
}

build() {
  say "build (turbo run build)"
  run_step "build (turbo run build)" npx --no -- turbo run build --output-logs=errors-only
}

random_base64() { node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString(process.argv[1]))' "$1"; }

# Writes .local/env if missing, and appends any key it lacks; never changes a value that is there.
ensure_env_file() {
  [[ -d $(dirname "$ENV_FILE") ]] || mkdir -m 700 "$(dirname "$ENV_FILE")"
  local created=0
  if [[ ! -f $ENV_FILE ]]; then
    (
      umask 077
      cat >"$ENV_FILE" <<EOF
# SotaMail local environment, written by infra/run.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ).
# Private: it holds secrets (mode 600, ignored by git). Values here are read by \`npm start\` and
# \`npm run setup\`; a variable set in the environment wins. Changing SOTAMAIL_SECRET_KEY makes the
# server passwords already stored in the database unreadable.
EOF
    )
    created=1
  fi
  local defaults=(
    "DATABASE_URL=postgres://sotamail:sotamail@127.0.0.1:5432/sotamail"
    "REDIS_URL=redis://127.0.0.1:6379/0"
    "LOG_LEVEL=info"
    "SOTAMAIL_PLATFORM_MAIL_DOMAIN=erp.sota-solutions.com"
    "HOST=127.0.0.1"
    "PORT=8080"
    "HEALTH_HOST=127.0.0.1"
    "FETCHER_HEALTH_PORT=8081"
    "ROUTER_HEALTH_PORT=8082"
    "DISPATCHER_HEALTH_PORT=8083"
    "BOUNCE_PROCESSOR_HEALTH_PORT=8084"
  )
  local line key added=()
  if ! grep -q '^SOTAMAIL_SECRET_KEY=' "$ENV_FILE"; then
    printf '# base64 of 32 random bytes: encrypts server passwords at rest\nSOTAMAIL_SECRET_KEY=%s\n' \
      "$(random_base64 base64)" >>"$ENV_FILE"
    added+=(SOTAMAIL_SECRET_KEY)
  fi
  if ! grep -q '^SOTAMAIL_OPERATOR_TOKEN=' "$ENV_FILE"; then
    printf '# operator credential for config-api (Authorization: Bearer <token>)\nSOTAMAIL_OPERATOR_TOKEN=%s\n' \
      "$(random_base64 base64url)" >>"$ENV_FILE"
    added+=(SOTAMAIL_OPERATOR_TOKEN)
  fi
  for line in "${defaults[@]}"; do
    key="${line%%=*}"
    if ! grep -q "^$key=" "$ENV_FILE"; then
      printf '%s\n' "$line" >>"$ENV_FILE"
      added+=("$key")
    fi
  done
  chmod 600 "$ENV_FILE"
  if [[ $created == 1 ]]; then
    say "created .local/env with a new secret key and operator token"
  elif [[ ${#added[@]} -gt 0 ]]; then
    say "added to .local/env: ${added[*]}"
  fi
}

# Exports every KEY=VALUE of .local/env that the environment does not already set.
load_env_file() {
  local line key value
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
    [[ $line =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || {
      printf 'run.sh: ignoring a malformed line of %s: %s\n' "$ENV_FILE" "$line" >&2
      continue
    }
    key="${BASH_REMATCH[1]}"
    value="${BASH_REMATCH[2]}"
    if [[ $value =~ ^\"(.*)\"$ || $value =~ ^\'(.*)\'$ ]]; then
      value="${BASH_REMATCH[1]}"
    fi
    if [[ -z ${!key+set} ]]; then
      export "$key=$value"
    fi
  done <"$ENV_FILE"
}

migrate() {
  if [[ ! -f packages/db/dist/migrate-cli.js ]]; then
    say "migrations skipped: packages/db/dist/migrate-cli.js does not exist (yet)"
    return
  fi
  say "database migrations (npm run db:migrate)"
  (
    load_env_file
    run_step "database migrations (npm run db:migrate)" npm run --silent db:migrate
  )
}

setup() {
  install_dependencies
  local_services
  ensure_env_file
  build
  migrate
}

# ---------------------------------------------------------------------------------------------------
# test

run_tests() {
  install_dependencies
  local_services
  build
  say "lint and format (biome check .)"
  run_step "biome check ." npx --no -- biome check . </dev/null
  say "typecheck (npm run typecheck: turbo run typecheck, then the root tsconfig)"
  run_step "typecheck" npm run --silent typecheck </dev/null
  say "tests (vitest run)"
  run_step "vitest run" npx --no -- vitest run </dev/null
  say "all checks passed"
}

# ---------------------------------------------------------------------------------------------------
# start

declare -A PID=() PORT_OF=()
STOPPING=0

service_port() {
  case $1 in
    config-api) printf '%s' "${PORT:-8080}" ;;
    fetcher) printf '%s' "${FETCHER_HEALTH_PORT:-8081}" ;;
    router) printf '%s' "${ROUTER_HEALTH_PORT:-8082}" ;;
    dispatcher) printf '%s' "${DISPATCHER_HEALTH_PORT:-8083}" ;;
    bounce-processor) printf '%s' "${BOUNCE_PROCESSOR_HEALTH_PORT:-8084}" ;;
  esac
}

service_host() {
  if [[ $1 == config-api ]]; then printf '%s' "${HOST:-127.0.0.1}"; else printf '%s' "${HEALTH_HOST:-127.0.0.1}"; fi
}

# The address to probe: a wildcard bind is probed on loopback.
probe_host() {
  local h
  h="$(service_host "$1")"
  case $h in 0.0.0.0 | :: | '') printf '127.0.0.1' ;; *) printf '%s' "$h" ;; esac
}

port_in_use() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# http_ok <host> <port> <path>: GET answers 200 (bash only: no curl needed).
http_ok() {
  local status=''
  {
    exec 3<>"/dev/tcp/$1/$2" &&
      printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' "$3" "$1" "$2" >&3 &&
      IFS= read -r -t 2 status <&3
    exec 3<&- 3>&-
  } 2>/dev/null || return 1
  [[ $status == HTTP/1.?' 200'* ]]
}

start_service() {
  local svc=$1 port prefix color=''
  port="$(service_port "$svc")"
  if [[ -t 1 && -z ${NO_COLOR:-} ]]; then
    local colors=(36 32 33 35 34) i
    for i in "${!SERVICES[@]}"; do [[ ${SERVICES[$i]} == "$svc" ]] && color=${colors[$i]}; done
    prefix="$(printf '\033[%sm%-17s|\033[0m ' "$color" "$svc")"
  else
    prefix="$(printf '%-17s| ' "$svc")"
  fi
  # Its own session and process group (setsid): stopping it signals npm, sh and node together, and
  # the terminal's Ctrl-C reaches only this script, which stops the services in order.
  setsid bash "$ROOT/infra/run.sh" __service "$svc" "$port" "$prefix" &
  PID[$svc]=$!
  PORT_OF[$svc]=$port
}

# `run.sh __service <name> <port> <prefix>`: one service, its output prefixed. This wrapper and the
# prefixer outlive SIGTERM so that the service's last log lines still get through.
run_service_child() {
  local svc=$1 port=$2 prefix=$3 rc=0
  trap ':' TERM INT HUP
  # The service's stderr goes through the pipe (2>&1 below); this only silences bash's own
  # "Terminated" notices when the group is stopped.
  exec 2>/dev/null
  if [[ $svc == config-api ]]; then
    export PORT="$port"
  else
    export HEALTH_PORT="$port"
  fi
  npm run --silent start -w "@sotamail/$svc" </dev/null 2>&1 |
    (
      trap '' TERM INT HUP
      exec sed -u "s/^/${prefix//\//\\/}/"
    ) || rc=$?
  exit "$rc"
}

group_alive() { kill -0 -- "-$1" 2>/dev/null; }

stop_services() {
  local svc pid waited=0 timeout="${SOTAMAIL_STOP_TIMEOUT:-15}" alive
  for svc in "${SERVICES[@]}"; do
    pid="${PID[$svc]:-}"
    if [[ -n $pid ]] && group_alive "$pid"; then
      kill -TERM -- "-$pid" 2>/dev/null || true
    fi
  done
  while :; do
    alive=()
    for svc in "${SERVICES[@]}"; do
      pid="${PID[$svc]:-}"
      [[ -n $pid ]] && group_alive "$pid" && alive+=("$svc")
    done
    [[ ${#alive[@]} -eq 0 ]] && break
    if ((waited >= timeout * 10)); then
      printf 'run.sh: %s did not stop within %ss after SIGTERM: killing\n' "${alive[*]}" "$timeout" >&2
      for svc in "${alive[@]}"; do kill -KILL -- "-${PID[$svc]}" 2>/dev/null || true; done
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  wait 2>/dev/null || true
}

on_signal() {
  [[ $STOPPING == 1 ]] && return
  STOPPING=1
  [[ -n ${WATCHER_PID:-} ]] && { kill "$WATCHER_PID" 2>/dev/null || true; }
  printf '\nrun.sh: %s received, stopping the services…\n' "$1" >&2
  stop_services
  printf 'run.sh: all services stopped\n' >&2
  exit 0
}

# A service ended on its own: stop the others and fail, naming it.
on_service_exit() {
  local svc=$1 code=$2
  [[ $STOPPING == 1 ]] && return
  STOPPING=1
  [[ -n ${WATCHER_PID:-} ]] && { kill "$WATCHER_PID" 2>/dev/null || true; }
  printf '\nrun.sh: service %s exited (code %s): stopping the others\n' "$svc" "$code" >&2
  stop_services
  printf 'run.sh: %s exited with code %s; see its lines above (prefix "%s")\n' "$svc" "$code" "$svc" >&2
  exit 1
}

# Reaps a service whose subshell has ended; returns 1 if none has.
check_exited() {
  local svc code
  for svc in "${SERVICES[@]}"; do
    if ! kill -0 "${PID[$svc]}" 2>/dev/null; then
      code=0
      wait "${PID[$svc]}" 2>/dev/null || code=$?
      on_service_exit "$svc" "$code"
    fi
  done
  return 1
}

banner() {
  local api
  api="http://$(probe_host config-api):${PORT_OF[config-api]}"
  cat <<EOF

  ────────────────────────────────────────────────────────────────────────
   SotaMail is running: ${SERVICES[*]}
     API          $api
     API docs     $api/docs
     Queues       $api/admin/queues   (BullMQ dashboard; browser login: any user, the operator token as password)
     Operator token: SOTAMAIL_OPERATOR_TOKEN in $ENV_FILE   (API: Authorization: Bearer <token>)
     SMTP ingress 127.0.0.1:${SMTP_INGRESS_PORT:-2525}   (mail for the databases' alias domains)
     Health       fetcher :${PORT_OF[fetcher]}  router :${PORT_OF[router]}  dispatcher :${PORT_OF[dispatcher]}  bounce-processor :${PORT_OF[bounce-processor]}   (GET /health, /health/ready)
     Stop         Ctrl-C
  ────────────────────────────────────────────────────────────────────────

EOF
}

run_start() {
  setup
  load_env_file
  local svc port host busy=()
  for svc in "${SERVICES[@]}"; do
    [[ -f apps/$svc/dist/main.js ]] || die "apps/$svc/dist/main.js is missing after the build"
    port="$(service_port "$svc")"
    host="$(probe_host "$svc")"
    port_in_use "$host" "$port" && busy+=("$svc ($host:$port)")
  done
  [[ ${#busy[@]} -eq 0 ]] ||
    die "port(s) already in use for: ${busy[*]}. Is another 'npm start' running? (ss -ltnp shows who listens)"

  trap 'on_signal SIGINT' INT
  trap 'on_signal SIGTERM' TERM
  trap 'on_signal SIGHUP' HUP
  say "starting ${SERVICES[*]}"
  for svc in "${SERVICES[@]}"; do start_service "$svc"; done

  # Wait (bounded) until every service answers GET /health, then print the banner.
  local deadline=$((SECONDS + ${SOTAMAIL_START_TIMEOUT:-60})) pending
  while :; do
    check_exited || true
    pending=()
    for svc in "${SERVICES[@]}"; do
      http_ok "$(probe_host "$svc")" "${PORT_OF[$svc]}" /health || pending+=("$svc")
    done
    [[ ${#pending[@]} -eq 0 ]] && break
    if ((SECONDS >= deadline)); then
      printf 'run.sh: WARNING: no answer on /health yet from: %s (still waiting for them to exit or answer)\n' \
        "${pending[*]}" >&2
      break
    fi
    sleep 0.25
  done
  banner

  # `npm start` in the background stopped with `kill <npm's pid>`: npm dies without passing the
  # signal on and this script is left to init. Notice it and stop the services as for SIGTERM.
  local parent=$PPID
  if [[ $parent -ne 1 ]]; then
    (
      while [[ "$(awk '{print $4}' "/proc/$$/stat" 2>/dev/null)" == "$parent" ]]; do sleep 1; done
      kill -TERM $$ 2>/dev/null
    ) &
    WATCHER_PID=$!
  fi

  # Until a signal arrives or a service ends.
  local done_pid code
  while :; do
    done_pid=''
    code=0
    wait -n -p done_pid "${PID[@]}" || code=$?
    [[ -z $done_pid ]] && continue # interrupted by a trapped signal (its handler exits)
    for svc in "${SERVICES[@]}"; do
      [[ ${PID[$svc]} == "$done_pid" ]] && on_service_exit "$svc" "$code"
    done
  done
}

# ---------------------------------------------------------------------------------------------------

case "${1:-}" in
  setup) setup ;;
  start) run_start ;;
  test) run_tests ;;
  __service)
    shift
    run_service_child "$@"
    ;;
  *)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
    [[ -z ${1:-} || $1 == -h || $1 == --help || $1 == help ]] || exit 1
    ;;
esac
