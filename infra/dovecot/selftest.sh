#!/usr/bin/env bash
# Proves that start-test-instance.sh gives a working Dovecot: starts one on two free loopback ports,
# logs in over IMAP (APPEND, then SELECT and FETCH) and over POP3 (STAT, RETR), checks that a wrong
# password is refused, and stops it. Needs python3 (imaplib, poplib).
#
#   bash infra/dovecot/selftest.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
command -v python3 >/dev/null || {
  echo "selftest: python3 is needed (apt-get install -y python3)" >&2
  exit 1
}
dir="$(mktemp -d /tmp/sotamail-dovecot-selftest.XXXXXX)"
chmod 0711 "$dir" # the instance below it must be reachable by the mail user
cleanup() {
  bash "$here/stop-test-instance.sh" "$dir" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

read -r imap_port pop3_port < <(python3 - <<'EOF'
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
EOF
)
printf 'alice@example.test:{PLAIN}alice-secret\nbob:bob-secret\n' >"$dir/passwd"

bash "$here/start-test-instance.sh" "$dir/instance" "$imap_port" "$pop3_port" "$dir/passwd"

python3 - "$imap_port" "$pop3_port" <<'EOF'
import imaplib, poplib, sys, time

imap_port, pop3_port = int(sys.argv[1]), int(sys.argv[2])
body = (
    b"From: Sender <sender@example.test>\r\n"
    b"To: alice@example.test\r\n"
    b"Subject: selftest\r\n"
    b"Message-ID: <selftest-1@example.test>\r\n"
    b"\r\n"
    b"Hello from the SotaMail Dovecot selftest.\r\n"
)

imap = imaplib.IMAP4("127.0.0.1", imap_port)
imap.login("alice@example.test", "alice-secret")
typ, _ = imap.append("INBOX", None, imaplib.Time2Internaldate(time.time()), body)
assert typ == "OK", typ
typ, data = imap.select("INBOX")
assert typ == "OK" and int(data[0]) == 1, (typ, data)
typ, caps = imap.capability()
assert b"IDLE" in caps[0], caps
typ, data = imap.uid("FETCH", "1:*", "(UID BODY.PEEK[])")
assert typ == "OK" and data[0][1] == body, data
imap.logout()
print(f"selftest: IMAP 127.0.0.1:{imap_port}: login, APPEND, SELECT, UID FETCH ok (IDLE offered)")

pop = poplib.POP3("127.0.0.1", pop3_port)
pop.user("alice@example.test")
pop.pass_("alice-secret")
count, _size = pop.stat()
assert count == 1, count
_resp, lines, _octets = pop.retr(1)
assert b"\r\n".join(lines) + b"\r\n" == body, lines
uidl = pop.uidl(1)
pop.quit()
print(f"selftest: POP3 127.0.0.1:{pop3_port}: USER/PASS, STAT, RETR, UIDL ok ({uidl.decode()})")

try:
    bad = imaplib.IMAP4("127.0.0.1", imap_port)
    bad.login("bob", "wrong")
    raise SystemExit("selftest: a wrong password was accepted")
except imaplib.IMAP4.error:
    print("selftest: wrong password refused")

imap = imaplib.IMAP4("127.0.0.1", imap_port)
imap.login("bob", "bob-secret")
typ, data = imap.select("INBOX")
assert typ == "OK" and int(data[0]) == 0, data
imap.logout()
print("selftest: second user (plain-text password line) has an empty INBOX")
EOF

bash "$here/stop-test-instance.sh" "$dir/instance"
if [[ $EUID -eq 0 ]]; then
  owner="$(stat -c %U "$dir/instance/home/alice@example.test/Maildir")"
  [[ $owner == mail ]] || {
    echo "selftest: maildir belongs to $owner, expected mail" >&2
    exit 1
  }
fi
echo "selftest: ok"
