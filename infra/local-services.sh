#!/usr/bin/env bash
# Local Redis, PostgreSQL, Dovecot and Postfix for SotaMail, without Docker and without systemd.
#
#   bash infra/local-services.sh [up]   install what is missing (Debian, as root), start or reuse
#                                       Redis and PostgreSQL, create the sotamail role and database
#   bash infra/local-services.sh status tell what is running (exit 1 if Redis or PostgreSQL is not usable)
#   bash infra/local-services.sh stop   stop the Redis and PostgreSQL that this script started
#
# Idempotent: a second `up` reuses what runs. What it guarantees once `up` returns 0:
#   - Redis answers PING on 127.0.0.1:6379 with maxmemory-policy noeviction (BullMQ needs it);
#   - PostgreSQL answers on 127.0.0.1:5432, role sotamail (password sotamail, LOGIN, CREATEDB) can log
#     in over TCP with a password, and database sotamail is owned by it;
#   - the Dovecot binaries (dovecot-imapd, dovecot-pop3d) are installed; the tests start their own
#     instances with infra/dovecot/start-test-instance.sh. No system-wide Dovecot is started.
#   - the Postfix binaries are installed (debconf "No configuration": no /etc/postfix/main.cf, nothing
#     listens on port 25); the bounce tests start their own instance with
#     infra/postfix/start-test-instance.sh. No system-wide Postfix is started.
#
# Environment (optional): SOTAMAIL_WAIT_SECONDS (30) bounds every wait. SOTAMAIL_REDIS_PORT (6379),
# SOTAMAIL_PG_PORT (5432), SOTAMAIL_PG_CLUSTER (main) and PG_VERSION (newest installed) exist to
# test this script beside a running set; the services and tests expect the defaults.
set -euo pipefail

REDIS_HOST=127.0.0.1
REDIS_PORT="${SOTAMAIL_REDIS_PORT:-6379}"
PG_HOST=127.0.0.1
PG_PORT="${SOTAMAIL_PG_PORT:-5432}"
PG_CLUSTER="${SOTAMAIL_PG_CLUSTER:-main}"
DB_ROLE=sotamail
DB_PASSWORD=sotamail
DB_NAME=sotamail
WAIT_SECONDS="${SOTAMAIL_WAIT_SECONDS:-30}"
PACKAGES=(redis-server postgresql dovecot-imapd dovecot-pop3d postfix)

if [[ $EUID -eq 0 ]]; then
  STATE_DIR=/run/sotamail-local
  REDIS_DIR=/var/lib/redis
  REDIS_LOG="/var/log/redis/sotamail-redis-$REDIS_PORT.log"
else
  STATE_DIR="${XDG_STATE_HOME:-$HOME/.local/state}/sotamail"
  REDIS_DIR="$STATE_DIR/redis"
  REDIS_LOG="$STATE_DIR/redis-$REDIS_PORT.log"
fi
REDIS_PIDFILE="$STATE_DIR/redis-$REDIS_PORT.pid"
PG_MARKER="$STATE_DIR/postgresql-$PG_PORT-started"

log() { printf '[local-services] %s\n' "$*"; }
die() {
  printf '[local-services] ERROR: %s\n' "$*" >&2
  exit 1
}

# ---------------------------------------------------------------------------------------------------
# Packages

package_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    package_installed "$p" || printf '%s\n' "$p"
  done
}

install_packages() {
  local missing
  mapfile -t missing < <(missing_packages)
  if [[ ${#missing[@]} -eq 0 ]]; then
    return 0
  fi
  if [[ $EUID -ne 0 ]]; then
    die "missing Debian packages: ${missing[*]}
  install them as root, then run this script again:
    sudo apt-get update && sudo apt-get install -y ${missing[*]}
  (or simply: sudo bash infra/local-services.sh)"
  fi
  command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} with your system's package manager"
  log "installing ${missing[*]} (apt-get)"
  # Without systemd, the packages' maintainer scripts must not try to start their daemons (that is
  # what fails, or starts a system-wide Dovecot on 143/110). policy-rc.d exit 101 = "not allowed".
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# temporary, written by SotaMail infra/local-services.sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    created_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  if printf '%s\n' "${missing[@]}" | grep -qx postfix; then
    # "No configuration": the package installs the binaries only, never a system MTA on port 25.
    echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
  fi
  # A UTF-8 locale, so that the cluster the postgresql package creates is UTF8, not SQL_ASCII.
  export LANG=C.UTF-8 LC_ALL=C.UTF-8
  local apt_opts=(-y -q -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  mkdir -p "$STATE_DIR"
  local apt_log="$STATE_DIR/apt.log"
  if ! apt-get -q -o DPkg::Lock::Timeout=300 update >"$apt_log" 2>&1; then
    tail -n 20 "$apt_log" >&2
    die "apt-get update failed; see $apt_log"
  fi
  if ! apt-get install "${apt_opts[@]}" "${missing[@]}" >>"$apt_log" 2>&1; then
    tail -n 30 "$apt_log" >&2
    die "apt-get install ${missing[*]} failed; see $apt_log"
  fi
  log "installed ${missing[*]} (apt log: $apt_log)"
  if [[ $created_policy -eq 1 ]]; then
    rm -f "$policy"
    trap - EXIT
  fi
}

# ---------------------------------------------------------------------------------------------------
# Redis

redis_cli() { redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" "$@"; }

redis_answers() { [[ "$(redis_cli PING 2>/dev/null)" == PONG ]]; }

redis_up() {
  command -v redis-server >/dev/null || die "redis-server not found (package redis-server)"
  if redis_answers; then
    log "Redis: reusing the one answering on $REDIS_HOST:$REDIS_PORT"
  else
    if [[ "$(redis_cli PING 2>&1 || true)" == *NOAUTH* ]]; then
      die "Redis on $REDIS_HOST:$REDIS_PORT asks for a password; stop it or free the port"
    fi
    mkdir -p "$STATE_DIR" "$REDIS_DIR" "$(dirname "$REDIS_LOG")"
    local run_as=()
    if [[ $EUID -eq 0 ]] && id redis >/dev/null 2>&1; then
      # Debian's redis user owns /var/lib/redis and /var/log/redis; Redis need not run as root.
      chown redis:redis "$REDIS_DIR" "$(dirname "$REDIS_LOG")"
      touch "$REDIS_LOG" && chown redis:redis "$REDIS_LOG"
      install -d -o redis -g redis "$STATE_DIR/redis-run"
      run_as=(runuser -u redis --)
    else
      mkdir -p "$STATE_DIR/redis-run"
    fi
    log "Redis: starting on $REDIS_HOST:$REDIS_PORT (log: $REDIS_LOG)"
    # No config file: every setting we rely on is on the command line.
    "${run_as[@]}" redis-server \
      --daemonize yes \
      --bind "$REDIS_HOST" --port "$REDIS_PORT" --protected-mode yes \
      --dir "$REDIS_DIR" \
      --logfile "$REDIS_LOG" \
      --pidfile "$STATE_DIR/redis-run/redis-$REDIS_PORT.pid" \
      --dbfilename "sotamail-redis-$REDIS_PORT.rdb" \
      --maxmemory-policy noeviction \
      --save 3600 1 300 100 60 10000 ||
      die "redis-server failed to start; see $REDIS_LOG"
    wait_for "Redis on $REDIS_HOST:$REDIS_PORT" "$REDIS_LOG" redis_answers
    ln -sf "$STATE_DIR/redis-run/redis-$REDIS_PORT.pid" "$REDIS_PIDFILE"
  fi
  redis_cli CONFIG SET maxmemory-policy noeviction >/dev/null ||
    die "could not set maxmemory-policy noeviction on Redis $REDIS_HOST:$REDIS_PORT"
  local policy
  policy="$(redis_cli CONFIG GET maxmemory-policy | tail -n 1)"
  [[ $policy == noeviction ]] || die "Redis maxmemory-policy is '$policy', expected noeviction"
  log "Redis: ready (maxmemory-policy $policy)"
}

redis_stop() {
  if [[ -e $REDIS_PIDFILE ]] && kill -0 "$(cat "$REDIS_PIDFILE" 2>/dev/null)" 2>/dev/null; then
    log "Redis: stopping the one this script started (pid $(cat "$REDIS_PIDFILE"))"
    redis_cli SHUTDOWN >/dev/null 2>&1 || kill "$(cat "$REDIS_PIDFILE")" 2>/dev/null || true
    local i
    for ((i = 0; i < WAIT_SECONDS * 2; i++)); do
      redis_answers || break
      sleep 0.5
    done
    rm -f "$REDIS_PIDFILE"
  elif redis_answers; then
    log "Redis: running on $REDIS_HOST:$REDIS_PORT but not started by this script; left alone"
  else
    log "Redis: not running"
  fi
}

# ---------------------------------------------------------------------------------------------------
# PostgreSQL

pg_version() {
  # The newest installed server (15 on Debian 12); PG_VERSION overrides.
  if [[ -n ${PG_VERSION:-} ]]; then
    printf '%s\n' "$PG_VERSION"
    return
  fi
  local v
  v="$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/postgres' 2>/dev/null |
    sed -E 's#/usr/lib/postgresql/([0-9]+)/bin/postgres#\1#' | sort -n | tail -n 1)"
  [[ -n $v ]] || die "no PostgreSQL server found under /usr/lib/postgresql (package postgresql)"
  printf '%s\n' "$v"
}

pg_answers() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2 >/dev/null 2>&1; }

pg_log_file() {
  local v=$1
  pg_lsclusters -h 2>/dev/null | awk -v v="$v" -v c="$PG_CLUSTER" '$1 == v && $2 == c { print $7 }'
}

# psql as the postgres superuser over the local socket of the server listening on $PG_PORT.
pg_super() {
  (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres "$@")
}

# psql as sotamail over TCP with its password: the way the services and the tests connect.
pg_as_role() {
  PGPASSWORD="$DB_PASSWORD" PGCONNECT_TIMEOUT=5 psql -X -q -v ON_ERROR_STOP=1 \
    -h "$PG_HOST" -p "$PG_PORT" -U "$DB_ROLE" "$@"
}

pg_up() {
  command -v pg_isready >/dev/null || die "pg_isready not found (package postgresql-client)"
  if pg_answers; then
    log "PostgreSQL: reusing the server answering on $PG_HOST:$PG_PORT"
  else
    [[ $EUID -eq 0 ]] || die "PostgreSQL is not running on $PG_HOST:$PG_PORT and only root can start the cluster:
    sudo bash infra/local-services.sh"
    local v log_file
    v="$(pg_version)"
    if ! pg_lsclusters -h 2>/dev/null | awk '{ print $1 " " $2 }' | grep -qx "$v $PG_CLUSTER"; then
      log "PostgreSQL: creating cluster $v/$PG_CLUSTER (UTF-8, port $PG_PORT)"
      LANG=C.UTF-8 LC_ALL=C.UTF-8 pg_createcluster --locale C.UTF-8 --encoding UTF8 -p "$PG_PORT" \
        "$v" "$PG_CLUSTER" >/dev/null || die "pg_createcluster $v $PG_CLUSTER failed"
    fi
    local port
    port="$(pg_lsclusters -h | awk -v v="$v" -v c="$PG_CLUSTER" '$1 == v && $2 == c { print $3 }')"
    [[ $port == "$PG_PORT" ]] ||
      die "cluster $v/$PG_CLUSTER is configured for port $port, expected $PG_PORT (see /etc/postgresql/$v/$PG_CLUSTER/postgresql.conf)"
    log_file="$(pg_log_file "$v")"
    log_file="${log_file:-/var/log/postgresql/postgresql-$v-$PG_CLUSTER.log}"
    # systemd-tmpfiles creates the socket directory on a systemd machine; here we do.
    install -d -o postgres -g postgres -m 2775 /var/run/postgresql
    log "PostgreSQL: starting cluster $v/$PG_CLUSTER (log: $log_file)"
    if ! pg_ctlcluster --skip-systemctl-redirect "$v" "$PG_CLUSTER" start; then
      tail -n 20 "$log_file" >&2 2>/dev/null || true
      die "PostgreSQL cluster $v/$PG_CLUSTER failed to start; see $log_file"
    fi
    wait_for "PostgreSQL on $PG_HOST:$PG_PORT" "$log_file" pg_answers
    mkdir -p "$STATE_DIR"
    printf '%s %s\n' "$v" "$PG_CLUSTER" >"$PG_MARKER"
  fi
  pg_ensure_role_and_database
  pg_ensure_password_auth
  log "PostgreSQL: ready (role $DB_ROLE LOGIN CREATEDB, database $DB_NAME)"
}

pg_ensure_role_and_database() {
  if [[ $EUID -ne 0 ]] || ! id postgres >/dev/null 2>&1 || ! pg_super -tAc 'select 1' >/dev/null 2>&1; then
    # Not our cluster (or not root): we cannot administer it, but it may already be set up.
    if pg_as_role -d "$DB_NAME" -tAc 'select 1' >/dev/null 2>&1; then
      log "PostgreSQL: cannot administer this server as postgres, but $DB_ROLE can already log in to $DB_NAME"
      return 0
    fi
    die "PostgreSQL on $PG_HOST:$PG_PORT answers, but it cannot be administered through 'runuser -u postgres psql' and $DB_ROLE cannot log in.
  Create the role and database on it yourself:
    CREATE ROLE $DB_ROLE LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
    CREATE DATABASE $DB_NAME OWNER $DB_ROLE;"
  fi
  local exists
  exists="$(pg_super -tAc "select 1 from pg_roles where rolname = '$DB_ROLE'")"
  if [[ $exists != 1 ]]; then
    log "PostgreSQL: creating role $DB_ROLE"
    pg_super -c "create role $DB_ROLE login createdb password '$DB_PASSWORD'"
  else
    # Keep the contract true even if someone changed the role (cheap, idempotent).
    pg_super -c "alter role $DB_ROLE login createdb password '$DB_PASSWORD'"
  fi
  exists="$(pg_super -tAc "select 1 from pg_database where datname = '$DB_NAME'")"
  if [[ $exists != 1 ]]; then
    log "PostgreSQL: creating database $DB_NAME owned by $DB_ROLE"
    # From template0 with UTF-8, whatever the cluster's default encoding is.
    pg_super -c "create database $DB_NAME owner $DB_ROLE encoding 'UTF8' lc_collate 'C.UTF-8' lc_ctype 'C.UTF-8' template template0"
  else
    pg_super -c "alter database $DB_NAME owner to $DB_ROLE"
  fi
  local enc
  enc="$(pg_super -tAc "select pg_encoding_to_char(encoding) from pg_database where datname = 'template1'")"
  if [[ $enc != UTF8 ]]; then
    log "PostgreSQL: WARNING: template1 is $enc, not UTF8; databases the tests create inherit it." \
      "Recreate the cluster with a UTF-8 locale (pg_dropcluster/pg_createcluster --locale C.UTF-8)."
  fi
}

pg_ensure_password_auth() {
  local err
  if err="$(pg_as_role -d "$DB_NAME" -tAc 'select 1' 2>&1)"; then
    return 0
  fi
  # Debian's pg_hba.conf has `host all all 127.0.0.1/32 scram-sha-256`; if it was changed, put a rule
  # for our role first (rules are matched top-down).
  if [[ $EUID -eq 0 ]] && [[ $err == *"pg_hba.conf"* || $err == *"authentication failed"* ]]; then
    local hba
    hba="$(pg_super -tAc 'show hba_file')"
    if ! grep -q 'SotaMail: local-services.sh' "$hba"; then
      log "PostgreSQL: adding a password rule for $DB_ROLE on $PG_HOST to $hba"
      local tmp
      tmp="$(mktemp)"
      {
        printf '# SotaMail: local-services.sh: %s logs in with a password over loopback TCP\n' "$DB_ROLE"
        printf 'host all %s 127.0.0.1/32 scram-sha-256\n' "$DB_ROLE"
        cat "$hba"
      } >"$tmp"
      cat "$tmp" >"$hba"
      rm -f "$tmp"
      pg_super -tAc 'select pg_reload_conf()' >/dev/null
      sleep 1
    fi
    if err="$(pg_as_role -d "$DB_NAME" -tAc 'select 1' 2>&1)"; then
      return 0
    fi
  fi
  die "role $DB_ROLE cannot log in with its password over TCP on $PG_HOST:$PG_PORT: $err"
}

pg_stop() {
  if [[ -e $PG_MARKER ]]; then
    local v c
    read -r v c <"$PG_MARKER"
    [[ $EUID -eq 0 ]] || die "only root can stop PostgreSQL cluster $v/$c"
    log "PostgreSQL: stopping cluster $v/$c (started by this script)"
    pg_ctlcluster --skip-systemctl-redirect "$v" "$c" stop || true
    rm -f "$PG_MARKER"
  elif pg_answers; then
    log "PostgreSQL: running on $PG_HOST:$PG_PORT but not started by this script; left alone" \
      "(pg_ctlcluster --skip-systemctl-redirect $(pg_version) $PG_CLUSTER stop stops it)"
  else
    log "PostgreSQL: not running"
  fi
}

# ---------------------------------------------------------------------------------------------------

# wait_for <what> <log file> <command...>: bounded wait until the command succeeds.
wait_for() {
  local what=$1 log_file=$2 i
  shift 2
  for ((i = 0; i < WAIT_SECONDS * 4; i++)); do
    if "$@"; then
      return 0
    fi
    sleep 0.25
  done
  tail -n 20 "$log_file" >&2 2>/dev/null || true
  die "$what did not answer within ${WAIT_SECONDS}s; see its log: $log_file"
}

dovecot_check() {
  command -v dovecot >/dev/null || die "dovecot not found (packages dovecot-imapd dovecot-pop3d)"
  local mod
  for mod in imap pop3; do
    [[ -x /usr/lib/dovecot/$mod ]] || die "Dovecot $mod is not installed (package dovecot-${mod}d)"
  done
  log "Dovecot: $(dovecot --version | cut -d' ' -f1) installed (tests start their own instances:" \
    "infra/dovecot/start-test-instance.sh)"
}

status() {
  local ok=0
  if command -v redis-cli >/dev/null && redis_answers; then
    log "Redis: up on $REDIS_HOST:$REDIS_PORT, maxmemory-policy $(redis_cli CONFIG GET maxmemory-policy | tail -n 1)"
  else
    log "Redis: DOWN on $REDIS_HOST:$REDIS_PORT"
    ok=1
  fi
  if command -v pg_isready >/dev/null && pg_answers; then
    if pg_as_role -d "$DB_NAME" -tAc 'select 1' >/dev/null 2>&1; then
      log "PostgreSQL: up on $PG_HOST:$PG_PORT, $DB_ROLE can log in to $DB_NAME"
    else
      log "PostgreSQL: up on $PG_HOST:$PG_PORT, but $DB_ROLE cannot log in to $DB_NAME (run: bash infra/local-services.sh)"
      ok=1
    fi
  else
    log "PostgreSQL: DOWN on $PG_HOST:$PG_PORT"
    ok=1
  fi
  if command -v dovecot >/dev/null; then
    log "Dovecot: $(dovecot --version | cut -d' ' -f1) installed"
  else
    log "Dovecot: not installed"
  fi
  if command -v postfix >/dev/null || [[ -x /usr/sbin/postfix ]]; then
    log "Postfix: $(/usr/sbin/postconf -d -h mail_version 2>/dev/null) installed"
  else
    log "Postfix: not installed"
  fi
  local missing
  missing="$(missing_packages | tr '\n' ' ')"
  [[ -z $missing ]] || log "missing packages: $missing"
  return "$ok"
}

main() {
  case "${1:-up}" in
    up | start)
      install_packages
      redis_up
      pg_up
      dovecot_check
      ;;
    status) status ;;
    stop)
      if command -v redis-cli >/dev/null; then redis_stop; fi
      if command -v pg_isready >/dev/null; then pg_stop; fi
      ;;
    -h | --help | help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" ;;
    *) die "unknown mode '$1' (up | status | stop)" ;;
  esac
}

main "$@"
