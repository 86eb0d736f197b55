#!/usr/bin/env bash
# Starts a throw-away Postfix for integration tests, on loopback, beside any other (the real MTA whose
# delivery-status notifications the bounce tests read, R10).
#
#   bash infra/postfix/start-test-instance.sh <dir> <smtp-port> <relay-port> <local-domain>
#   bash infra/postfix/stop-test-instance.sh <dir>
#
# <dir>          the instance's own folder (created if missing): etc/ (main.cf, master.cf), queue/,
#                data/ and postfix.log. Use a fresh one per instance.
# <smtp-port>    where this Postfix accepts mail (SMTP on 127.0.0.1, no TLS, no auth): relaying is
#                open to 127.0.0.0/8, so the dispatcher can use it as its outgoing server.
# <relay-port>   everything not for <local-domain> is relayed to 127.0.0.1:<relay-port> (no DNS):
#                point it at SotaMail's SMTP ingress, and Postfix's own bounces (DSNs, from <>, to the
#                VERP envelope sender) come back to SotaMail as they would from the Internet.
# <local-domain> the domain this Postfix delivers locally. Local users are the system's passwd users;
#                with `local_recipient_maps =` any other user is accepted at RCPT and then bounced
#                by local(8) ("unknown user", 5.1.1): a real DSN, end to end, on loopback.
#
# Postfix runs with `postfix -c <dir>/etc start-fg` in the background, as root (its daemons drop to the
# `postfix` user), with `maillog_file = /dev/stdout` so its log is in <dir>/postfix.log (no syslog is
# needed). Nothing outside <dir> is written; the system's /etc/postfix is only read for master's
# helper programs. Install the binaries with `bash infra/local-services.sh` (package `postfix`,
# debconf "No configuration").
#
# On success it prints one line: `postfix test instance up: smtp=127.0.0.1:<port> relay=127.0.0.1:<port>
# domain=<domain> conf=<dir>/etc log=<dir>/postfix.log pid=<pid>` and exits 0; otherwise it prints the end of
# the log and exits 1. Environment: POSTFIX_WAIT_SECONDS (15).
set -euo pipefail

die() {
  printf 'start-test-instance: %s\n' "$*" >&2
  exit 1
}

[[ $# -eq 4 ]] || die "usage: $0 <dir> <smtp-port> <relay-port> <local-domain>"
dir=$1 smtp_port=$2 relay_port=$3 domain=$4
[[ $smtp_port =~ ^[0-9]+$ && $relay_port =~ ^[0-9]+$ ]] || die "ports must be numbers: $smtp_port $relay_port"
[[ $domain =~ ^[A-Za-z0-9.-]+$ ]] || die "not a domain: $domain"
[[ $EUID -eq 0 ]] || die "Postfix's master must run as root (its daemons then drop to the postfix user)"
postfix_bin=/usr/sbin/postfix
[[ -x $postfix_bin ]] ||
  die "postfix is not installed: run 'bash infra/local-services.sh' (or apt-get install -y postfix, \"No configuration\")"
id postfix >/dev/null 2>&1 || die "the postfix system user is missing (reinstall the postfix package)"
wait_seconds="${POSTFIX_WAIT_SECONDS:-15}"

mkdir -p "$dir"
dir="$(cd "$dir" && pwd -P)"
log_file="$dir/postfix.log"
pid_file="$dir/queue/pid/master.pid"

if [[ -s $pid_file ]] && kill -0 "$(tr -d ' ' <"$pid_file")" 2>/dev/null; then
  die "an instance already runs in $dir (pid $(tr -d ' ' <"$pid_file")); stop it first"
fi

conf="$dir/etc"
# Postfix refuses a configuration directory or queue that others could write to, and wants the
# configuration owned by root: it lives apart from the queue, which belongs to the postfix user.
chmod 755 "$dir"
mkdir -p "$conf" "$dir/queue" "$dir/data"
chown root:root "$conf" "$dir/queue"
chown postfix:postfix "$dir/data"

cat >"$conf/main.cf" <<CONF
# Written by infra/postfix/start-test-instance.sh: a test instance, loopback only.
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
myhostname = mx.$domain
mydomain = $domain
myorigin = \$myhostname
mydestination = \$myhostname, localhost, $domain
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:$relay_port
# Accept any local user at RCPT; local(8) then bounces an unknown one with a DSN.
local_recipient_maps =
smtpd_reject_unlisted_recipient = no
alias_maps =
alias_database =
append_dot_mydomain = no
smtputf8_enable = no
biff = no
smtpd_tls_security_level = none
smtp_tls_security_level = none
smtp_host_lookup = native
# Retry quickly: a test waits seconds, not the default minutes.
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 10s
maillog_file = /dev/stdout
CONF

# Every service unchrooted (a chroot would need a copy of /etc in the queue) and smtpd on our port.
cat >"$conf/master.cf" <<CONF
# service    type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:$smtp_port inet n -      n       -       -       smtpd
pickup       unix  n       -       n       60      1       pickup
cleanup      unix  n       -       n       -       0       cleanup
qmgr         unix  n       -       n       300     1       qmgr
rewrite      unix  -       -       n       -       -       trivial-rewrite
bounce       unix  -       -       n       -       0       bounce
defer        unix  -       -       n       -       0       bounce
trace        unix  -       -       n       -       0       bounce
verify       unix  -       -       n       -       1       verify
flush        unix  n       -       n       1000?   0       flush
proxymap     unix  -       -       n       -       -       proxymap
proxywrite   unix  -       -       n       -       1       proxymap
smtp         unix  -       -       n       -       -       smtp
relay        unix  -       -       n       -       -       smtp
showq        unix  n       -       n       -       -       showq
error        unix  -       -       n       -       -       error
retry        unix  -       -       n       -       -       error
discard      unix  -       -       n       -       -       discard
local        unix  -       n       n       -       -       local
anvil        unix  -       -       n       -       1       anvil
scache       unix  -       -       n       -       1       scache
postlog      unix-dgram n  -       n       -       1       postlogd
CONF

# Creates the queue's subdirectories with their owners and modes (idempotent).
"$postfix_bin" -c "$conf" set-permissions >>"$log_file" 2>&1 ||
  { tail -n 20 "$log_file" >&2; die "postfix set-permissions failed"; }
"$postfix_bin" -c "$conf" check >>"$log_file" 2>&1 || { tail -n 20 "$log_file" >&2; die "postfix check failed"; }

# start-fg keeps master in the foreground; setsid detaches it from the caller's process group, so a
# test runner's signals do not reach it (stop-test-instance.sh stops it).
setsid "$postfix_bin" -c "$conf" start-fg >>"$log_file" 2>&1 </dev/null &

deadline=$((SECONDS + wait_seconds))
until (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null; do
  if ((SECONDS >= deadline)); then
    tail -n 30 "$log_file" >&2 || true
    die "postfix did not listen on 127.0.0.1:$smtp_port within ${wait_seconds}s; see $log_file"
  fi
  sleep 0.2
done
pid="$(tr -d ' ' <"$pid_file" 2>/dev/null || true)"
echo "postfix test instance up: smtp=127.0.0.1:$smtp_port relay=127.0.0.1:$relay_port domain=$domain conf=$conf log=$log_file pid=$pid"
