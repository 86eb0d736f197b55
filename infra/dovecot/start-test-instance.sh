#!/usr/bin/env bash
# Starts a throw-away Dovecot (IMAP + POP3) for integration tests, on loopback, beside any other.
#
#   bash infra/dovecot/start-test-instance.sh <dir> <imap-port> <pop3-port> <passwd-file>
#   bash infra/dovecot/stop-test-instance.sh <dir>
#
# <dir>          the instance's own folder (created if missing): dovecot.conf, dovecot.log, run/,
#                state/ and home/<user>/Maildir for every user. Use a fresh one per instance.
# <imap-port>    plain IMAP on 127.0.0.1 (no IMAPS); <pop3-port> plain POP3 on 127.0.0.1 (no POP3S).
# <passwd-file>  Dovecot passwd-file, one user a line: `user:password` (plain text; `{PLAIN}`,
#                `{SHA512-CRYPT}`… prefixes also work). Read at every login, so it may be edited while
#                the instance runs. Logins are the whole `user` field (e.g. alice or alice@example.test).
#
# Plain-text authentication (PLAIN, LOGIN, USER/PASS) is allowed: loopback only, tests only.
# Storage is maildir (~/Maildir). Dovecot refuses mail sessions as uid 0, so as root every user's
# mail runs as the system user `mail` and home/ belongs to it; as another user, everything runs as
# that user. Put messages in a mailbox with IMAP APPEND (or write files into
# <dir>/home/<user>/Maildir/new as that owner).
# If <dir>/extra.conf exists when the instance starts, it is included at the end of dovecot.conf.
#
# On success it prints one line: `dovecot test instance up: imap=127.0.0.1:<port> pop3=127.0.0.1:<port>
# conf=<dir>/dovecot.conf log=<dir>/dovecot.log pid=<pid>` and exits 0; otherwise it prints the end of the
# log and exits 1. Environment: DOVECOT_WAIT_SECONDS (15).
set -euo pipefail

die() {
  printf 'start-test-instance: %s\n' "$*" >&2
  exit 1
}

[[ $# -eq 4 ]] || die "usage: $0 <dir> <imap-port> <pop3-port> <passwd-file>"
dir=$1 imap_port=$2 pop3_port=$3 passwd_file=$4
[[ $imap_port =~ ^[0-9]+$ && $pop3_port =~ ^[0-9]+$ ]] || die "ports must be numbers: $imap_port $pop3_port"
[[ -f $passwd_file ]] || die "passwd file not found: $passwd_file"
command -v dovecot >/dev/null ||
  die "dovecot is not installed: run 'bash infra/local-services.sh' (or apt-get install -y dovecot-imapd dovecot-pop3d)"
wait_seconds="${DOVECOT_WAIT_SECONDS:-15}"

mkdir -p "$dir"
dir="$(cd "$dir" && pwd -P)"
passwd_file="$(cd "$(dirname "$passwd_file")" && pwd -P)/$(basename "$passwd_file")"
conf="$dir/dovecot.conf"
log_file="$dir/dovecot.log"

if [[ -s $dir/run/master.pid ]] && kill -0 "$(cat "$dir/run/master.pid")" 2>/dev/null; then
  die "an instance already runs in $dir (pid $(cat "$dir/run/master.pid")); stop it first"
fi

internal_group_line=''
if [[ $EUID -eq 0 ]]; then
  mail_user=mail
  internal_user=dovecot
  login_user=dovenull
  id "$internal_user" >/dev/null 2>&1 || internal_user=root
  id "$login_user" >/dev/null 2>&1 || login_user=$internal_user
  # The auth process reads the passwd file: as root it can, wherever the tests put it.
  auth_user=root
else
  mail_user="$(id -un)"
  internal_user=$mail_user
  login_user=$mail_user
  auth_user=$mail_user
  # Rootless: Dovecot's unix sockets belong to the default internal group, which must be ours.
  internal_group_line="default_internal_group = $(id -gn)"
fi
mail_uid="$(id -u "$mail_user")"
mail_gid="$(id -g "$mail_user")"

mkdir -p "$dir/run" "$dir/state" "$dir/home"
if [[ $EUID -eq 0 ]]; then
  chown "$mail_uid:$mail_gid" "$dir/home"
  chmod 0700 "$dir/home"
  # The mail user must be able to reach <dir>/home (mkdtemp makes <dir> 0700).
  chmod o+x "$dir"
  runuser -u "$mail_user" -- test -w "$dir/home" 2>/dev/null ||
    die "user $mail_user cannot write $dir/home: a parent folder of $dir is not searchable by others (chmod o+x it, or use a folder under /tmp)"
fi
: >"$log_file"

cat >"$conf" <<EOF
# Written by infra/dovecot/start-test-instance.sh: a Dovecot for tests, not for production.
instance_name = sotamail-test-$imap_port
base_dir = $dir/run
state_dir = $dir/state
log_path = $log_file
info_log_path = $log_file
debug_log_path = $log_file
log_timestamp = "%Y-%m-%d %H:%M:%S "
auth_verbose = yes
auth_verbose_passwords = no

protocols = imap pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# Tests try wrong passwords on purpose: answer at once.
auth_failure_delay = 0

default_internal_user = $internal_user
default_login_user = $login_user
$internal_group_line
first_valid_uid = $mail_uid
last_valid_uid = 0
first_valid_gid = $mail_gid
last_valid_gid = 0

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $passwd_file
}
userdb {
  driver = static
  args = uid=$mail_uid gid=$mail_gid home=$dir/home/%u
}
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
# Tests want to see new mail quickly (IDLE, and polling after APPEND from another session).
mailbox_idle_check_interval = 1 secs
pop3_uidl_format = %08Xu%08Xv

service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  chroot =
  inet_listener pop3 {
    address = 127.0.0.1
    port = $pop3_port
  }
  inet_listener pop3s {
    port = 0
  }
}
service anvil {
  chroot =
  # No anvil-auth-penalty socket = no growing delay after failed logins (tests fail logins on purpose).
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  user = $auth_user
}
service auth-worker {
  user = $auth_user
}
!include_try $dir/extra.conf
EOF

dovecot -c "$conf" || {
  tail -n 30 "$log_file" >&2 || true
  die "dovecot -c $conf failed to start; see $log_file"
}

# answers <port> <greeting>: the port accepts a connection and greets as expected.
answers() {
  local port=$1 want=$2 line=''
  exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null || return 1
  IFS= read -r -t 2 line <&3 || true
  exec 3<&- 3>&-
  [[ $line == "$want"* ]]
}

for ((i = 0; i < wait_seconds * 4; i++)); do
  if answers "$imap_port" '* OK' && answers "$pop3_port" '+OK'; then
    pid="$(cat "$dir/run/master.pid" 2>/dev/null || echo '?')"
    printf 'dovecot test instance up: imap=127.0.0.1:%s pop3=127.0.0.1:%s conf=%s log=%s pid=%s\n' \
      "$imap_port" "$pop3_port" "$conf" "$log_file" "$pid"
    exit 0
  fi
  sleep 0.25
done
tail -n 30 "$log_file" >&2 || true
bash "$(dirname "$0")/stop-test-instance.sh" "$dir" >/dev/null 2>&1 || true
die "Dovecot in $dir did not answer on 127.0.0.1:$imap_port (IMAP) and 127.0.0.1:$pop3_port (POP3) within ${wait_seconds}s; see $log_file"
