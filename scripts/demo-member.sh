#!/usr/bin/env bash
# demo-member.sh: a member's life through the bulwark command line, on a temporary data directory:
# a terminal session, bulwark start (a daemon), status, stop (graceful), status again, and a second
# terminal session that finds the first one's data. Builds nothing: run it after a build
# (mvn -B -q package -DskipTests), with the checkout's bin/bulwark or, with BULWARK=/path/to/bin/bulwark,
# a distribution's launcher. Exits non-zero at the first step that fails.
#
# The terminal opens the member in-process, so it cannot share the data directory with a running
# daemon (the directory lock refuses it, naming the daemon's pid): the sessions run before start and
# after stop. Once the terminal can reach a running member over RESP, the session moves between
# start and stop.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bulwark="${BULWARK:-$root/bin/bulwark}"
work="$(mktemp -d "${TMPDIR:-/tmp}/bulwark-demo.XXXXXX")"
conf="$work/bulwark.conf"
printf 'data.directory = %s\nwriteDaemon.intervalMs = 200\n' "$work/data" > "$conf"

cleanup()
{
  # A member left running by a failed step must not outlive the demo.
  "$bulwark" stop --config "$conf" --timeout 60 >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

step()
{
  printf '\n== %s\n' "$*"
}

step "a terminal session (bulwark terminal --stop-on-error < script)"
"$bulwark" terminal --config "$conf" --stop-on-error <<'SESSION'
set ^Orders("2026-11-23",1)="shipped",^Orders("2026-11-23",2)="packed"
write ^Orders
write $order(^Orders("2026-11-23","")),",",$order(^Orders("2026-11-23",""),-1)
write $increment(^Orders("count"),2)
tstart set ^Orders("2026-11-23",3)="lost" trollback
write $data(^Orders("2026-11-23",3)),",",$get(^Orders("2026-11-23",3),"rolled back")
lock +^Orders("2026-11-23"):1 write "locked, $test=",$test lock
SESSION

step "bulwark start"
"$bulwark" start --config "$conf" --wait 60

step "bulwark status (exit 0: running)"
"$bulwark" status --config "$conf"

step "bulwark terminal while the daemon runs: refused, naming its pid"
if "$bulwark" terminal --config "$conf" < /dev/null; then
  echo "demo-member.sh: the terminal opened a data directory a daemon holds" >&2
  exit 1
fi

step "bulwark stop"
"$bulwark" stop --config "$conf" --timeout 60

step "bulwark status (exit 3: stopped)"
code=0
"$bulwark" status --config "$conf" || code=$?
if [[ $code -ne 3 ]]; then
  echo "demo-member.sh: status after stop exited $code, not 3" >&2
  exit 1
fi

step "the data survived the daemon's run"
"$bulwark" terminal --config "$conf" --stop-on-error <<'SESSION'
zwrite ^Orders
SESSION
step "what the daemon wrote to messages.log"
pid="$(sed -n 's/.* \([0-9][0-9]*\) 0 \[DAEMON\] member ready.*/\1/p' "$work/data/messages.log" | tail -n 1)"
grep -E " $pid [0-3] \[(DAEMON|INSTANCE)\]" "$work/data/messages.log"
