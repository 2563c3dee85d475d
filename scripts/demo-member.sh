#!/usr/bin/env bash
# demo-member.sh: a member's life through the bulwark command line, on a temporary data directory:
# bulwark start (a daemon with its RESP port), status, a session through bulwark terminal (it finds
# the running member and talks to it over RESP), a session through redis-cli, stop (graceful),
# status again, and a terminal on the stopped member's files that finds everything. Builds
# nothing: run it after a build (mvn -B -q package -DskipTests), with the checkout's bin/bulwark or,
# with BULWARK=/path/to/bin/bulwark, a distribution's launcher. Exits non-zero at the first step
# that fails. redis-cli comes from scripts/install-test-tools.sh (Debian's redis-tools); without
# it that step is skipped, saying so.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bulwark="${BULWARK:-$root/bin/bulwark}"
work="$(mktemp -d "${TMPDIR:-/tmp}/bulwark-demo.XXXXXX")"
conf="$work/bulwark.conf"
# resp.port = 0: any free port (status tells which), so the demo never clashes with a running member.
printf 'data.directory = %s\nwriteDaemon.intervalMs = 200\nresp.port = 0\n' "$work/data" > "$conf"

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

step "bulwark start"
"$bulwark" start --config "$conf" --wait 60

step "bulwark status (exit 0: running)"
status="$("$bulwark" status --config "$conf")"
echo "$status"
port="$(sed -n 's/^service: RESP on [^ ]*:\([0-9][0-9]*\).*/\1/p' <<<"$status" | head -n 1)"
if [[ -z "$port" ]]; then
  echo "demo-member.sh: status names no RESP port" >&2
  exit 1
fi

step "a terminal session on the running member (bulwark terminal --stop-on-error < script)"
"$bulwark" terminal --config "$conf" --stop-on-error <<'SESSION'
set ^Orders("2026-11-23",1)="shipped",^Orders("2026-11-23",2)="packed"
write ^Orders
write $order(^Orders("2026-11-23","")),",",$order(^Orders("2026-11-23",""),-1)
write $increment(^Orders("count"),2)
tstart set ^Orders("2026-11-23",3)="lost" trollback
write $data(^Orders("2026-11-23",3)),",",$get(^Orders("2026-11-23",3),"rolled back")
lock +^Orders("2026-11-23"):1 write "locked, $test=",$test lock
SESSION

step "a redis-cli session on port $port (plain keys are nodes of ^redis)"
if ! command -v redis-cli >/dev/null 2>&1; then
  "$root/scripts/install-test-tools.sh" >/dev/null 2>&1 || true
fi
if command -v redis-cli >/dev/null 2>&1; then
  for command in "PING" "SET greeting hello" "GET greeting" "INCRBY visits 3" "MSET a 1 b 2" "MGET a b greeting" \
      "GGET Orders 2026-11-23 1" "GET missing" "FROB"; do
    echo "redis-cli> $command"
    # shellcheck disable=SC2086
    redis-cli -p "$port" $command
  done
else
  echo "(skipped: redis-cli is not installed and scripts/install-test-tools.sh could not install it)"
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

step "the data survived: a terminal on the stopped member's files"
"$bulwark" terminal --config "$conf" --stop-on-error <<'SESSION'
zwrite ^Orders
zwrite ^redis
SESSION
step "what the member wrote to messages.log"
pid="$(sed -n 's/.* \([0-9][0-9]*\) 0 \[DAEMON\] member ready.*/\1/p' "$work/data/messages.log" | tail -n 1)"
grep -E " $pid [0-3] \[(DAEMON|INSTANCE|RESP)\]" "$work/data/messages.log"
